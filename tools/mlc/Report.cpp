//===- Report.cpp - training reports: JSON and SVG ------------------------===//

#include "Report.h"

#include "llvm/Support/Error.h"
#include "llvm/Support/FormatVariadic.h"
#include "llvm/Support/JSON.h"
#include "llvm/Support/raw_ostream.h"

#include <algorithm>
#include <cmath>
#include <cstdio>

using namespace mlc;

namespace {

llvm::Error writeAtomically(const std::string &path, const std::string &text) {
  llvm::Error err = llvm::writeToOutput(path, [&](llvm::raw_ostream &os) {
    os << text;
    return llvm::Error::success();
  });
  if (err)
    return llvm::createStringError("cannot write '" + path +
                                   "': " + llvm::toString(std::move(err)));
  return llvm::Error::success();
}

std::string num(double v) {
  if (!std::isfinite(v))
    return "null";
  char buffer[32];
  std::snprintf(buffer, sizeof(buffer), "%.9g", v);
  return buffer;
}

/// `text` as valid UTF-8 (a path need not be): invalid bytes become U+FFFD.
std::string utf8(const std::string &text) {
  return llvm::json::isUTF8(text) ? text : llvm::json::fixUTF8(text);
}

/// A JSON string literal of `text`.
std::string jsonString(const std::string &text) {
  std::string out = "\"";
  for (unsigned char c : utf8(text)) {
    if (c == '"' || c == '\\') {
      out += '\\';
      out += char(c);
    } else if (c < 0x20 || c == 0x7f) {
      char escape[8];
      std::snprintf(escape, sizeof escape, "\\u%04x", unsigned(c));
      out += escape;
    } else {
      out += char(c);
    }
  }
  return out + "\"";
}

/// `text` as XML character data or attribute text: markup characters as
/// entities, and the control characters XML 1.0 does not allow as '?'.
std::string xmlText(const std::string &text) {
  std::string out;
  for (unsigned char c : utf8(text)) {
    switch (c) {
    case '&':
      out += "&amp;";
      break;
    case '<':
      out += "&lt;";
      break;
    case '>':
      out += "&gt;";
      break;
    case '"':
      out += "&quot;";
      break;
    case '\'':
      out += "&apos;";
      break;
    default:
      out += (c < 0x20 && c != '\t' && c != '\n' && c != '\r') ? '?' : char(c);
    }
  }
  return out;
}

} // namespace

llvm::Error mlc::writeJsonReport(const std::string &path, const Report &r) {
  std::string s;
  llvm::raw_string_ostream os(s);
  os << "{\n  \"model\": " << jsonString(r.model)
     << ",\n  \"data\": " << jsonString(r.data)
     << ",\n  \"compile_ms\": " << num(r.compileMs)
     << ",\n  \"samples_per_second\": " << num(r.samplesPerSecond)
     << ",\n  \"epochs\": [";
  for (size_t i = 0; i < r.epochs.size(); ++i) {
    const EpochRecord &e = r.epochs[i];
    os << (i ? "," : "") << "\n    {\"epoch\": " << i + 1
       << ", \"loss\": " << num(e.loss) << ", \"" << r.metric
       << "\": " << num(e.accuracy) << ", \"seconds\": " << num(e.seconds);
    if (e.valLoss)
      os << ", \"val_loss\": " << num(*e.valLoss) << ", \"val_" << r.metric
         << "\": " << num(*e.valAccuracy);
    os << "}";
  }
  os << "\n  ]";
  if (r.test) {
    const TestMetrics &t = *r.test;
    size_t k = t.confusion.size();
    os << ",\n  \"test\": {\n    \"samples\": " << t.samples
       << ",\n    \"loss\": " << num(t.loss) << ",\n    \"" << r.metric
       << "\": " << num(t.accuracy);
    // Per-class figures for classifiers (a confusion matrix) only.
    if (k)
      os << ",\n    \"per_class\": [";
    double macroF1 = 0;
    for (size_t c = 0; c < k; ++c) {
      int64_t tp = t.confusion[c][c], predicted = 0, actual = 0;
      for (size_t o = 0; o < k; ++o) {
        predicted += t.confusion[o][c];
        actual += t.confusion[c][o];
      }
      double precision = predicted ? double(tp) / predicted : 0;
      double recall = actual ? double(tp) / actual : 0;
      double f1 = precision + recall > 0
                      ? 2 * precision * recall / (precision + recall)
                      : 0;
      macroF1 += f1 / double(k);
      os << (c ? "," : "") << "\n      {\"class\": " << c
         << ", \"precision\": " << num(precision)
         << ", \"recall\": " << num(recall) << ", \"f1\": " << num(f1)
         << ", \"support\": " << actual << "}";
    }
    if (k)
      os << "\n    ],\n    \"macro_f1\": " << num(macroF1)
         << ",\n    \"confusion_matrix\": [";
    for (size_t c = 0; c < k; ++c) {
      os << (c ? "," : "") << "\n      [";
      for (size_t o = 0; o < k; ++o)
        os << (o ? ", " : "") << t.confusion[c][o];
      os << "]";
    }
    os << (k ? "\n    ]\n  }" : "\n  }");
  }
  os << "\n}\n";
  return writeAtomically(path, s);
}

llvm::Error mlc::writeSvgPlot(const std::string &path, const Report &r) {
  // Two panels side by side: loss and accuracy per epoch, train and
  // validation, with axes, ticks, labels and a legend.
  const int width = 900, height = 380, panel = 400, top = 50, plotH = 260;
  std::string s;
  llvm::raw_string_ostream os(s);
  os << "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"" << width
     << "\" height=\"" << height
     << "\" font-family=\"sans-serif\" font-size=\"12\">\n"
     << "<rect width=\"100%\" height=\"100%\" fill=\"white\"/>\n"
     << "<text x=\"" << width / 2
     << "\" y=\"24\" text-anchor=\"middle\" "
        "font-size=\"16\">"
     << xmlText(r.model) << " on " << xmlText(r.data) << "</text>\n";
  size_t n = r.epochs.size();
  auto panelPlot = [&](int x0, const char *title, bool loss) {
    std::vector<double> train, val;
    for (const EpochRecord &e : r.epochs) {
      train.push_back(loss ? e.loss : e.accuracy);
      if (e.valLoss)
        val.push_back(loss ? *e.valLoss : *e.valAccuracy);
    }
    double lo = 1e300, hi = -1e300;
    for (double v : train)
      lo = std::min(lo, v), hi = std::max(hi, v);
    for (double v : val)
      lo = std::min(lo, v), hi = std::max(hi, v);
    if (!(hi > lo))
      hi = lo + 1;
    double pad = (hi - lo) * 0.1;
    lo -= pad, hi += pad;
    const int left = x0 + 60, plotW = panel - 80;
    auto px = [&](size_t i) {
      return left + (n > 1 ? double(i) * plotW / double(n - 1) : plotW / 2.0);
    };
    auto py = [&](double v) { return top + plotH * (hi - v) / (hi - lo); };
    os << "<text x=\"" << left + plotW / 2 << "\" y=\"" << top - 8
       << "\" text-anchor=\"middle\" font-weight=\"bold\">" << title
       << "</text>\n";
    os << "<line x1=\"" << left << "\" y1=\"" << top << "\" x2=\"" << left
       << "\" y2=\"" << top + plotH << "\" stroke=\"black\"/>\n";
    os << "<line x1=\"" << left << "\" y1=\"" << top + plotH << "\" x2=\""
       << left + plotW << "\" y2=\"" << top + plotH
       << "\" stroke=\"black\"/>\n";
    for (int t = 0; t <= 4; ++t) {
      double v = lo + (hi - lo) * t / 4;
      os << llvm::formatv("<text x=\"{0}\" y=\"{1:f1}\" text-anchor=\"end\">"
                          "{2:f3}</text>\n",
                          left - 6, py(v) + 4, v);
    }
    for (size_t i = 0; i < n; ++i)
      os << llvm::formatv("<text x=\"{0:f1}\" y=\"{1}\" text-anchor=\"middle\">"
                          "{2}</text>\n",
                          px(i), top + plotH + 16, i + 1);
    os << "<text x=\"" << left + plotW / 2 << "\" y=\"" << top + plotH + 34
       << "\" text-anchor=\"middle\">epoch</text>\n";
    os << "<text transform=\"translate(" << x0 + 14 << "," << top + plotH / 2
       << ") rotate(-90)\" text-anchor=\"middle\">"
       << (loss ? std::string("loss") : r.metric) << "</text>\n";
    auto line = [&](const std::vector<double> &v, const char *color) {
      if (v.empty())
        return;
      os << "<polyline fill=\"none\" stroke=\"" << color
         << "\" stroke-width=\"2\" points=\"";
      for (size_t i = 0; i < v.size(); ++i)
        os << llvm::formatv("{0:f1},{1:f1} ", px(i), py(v[i]));
      os << "\"/>\n";
      for (size_t i = 0; i < v.size(); ++i)
        os << llvm::formatv("<circle cx=\"{0:f1}\" cy=\"{1:f1}\" r=\"3\" "
                            "fill=\"{2}\"/>\n",
                            px(i), py(v[i]), color);
    };
    line(train, "#1f77b4");
    line(val, "#ff7f0e");
  };
  panelPlot(20, "Loss", true);
  panelPlot(20 + panel + 40, r.metric == "accuracy" ? "Accuracy" : "MAE",
            false);
  // Legend.
  int ly = height - 22;
  os << "<rect x=\"" << width / 2 - 110 << "\" y=\"" << ly - 10
     << "\" width=\"14\" height=\"4\" fill=\"#1f77b4\"/><text x=\""
     << width / 2 - 90 << "\" y=\"" << ly - 4 << "\">train</text>\n";
  bool hasVal = n && r.epochs.front().valLoss;
  if (hasVal)
    os << "<rect x=\"" << width / 2 + 10 << "\" y=\"" << ly - 10
       << "\" width=\"14\" height=\"4\" fill=\"#ff7f0e\"/><text x=\""
       << width / 2 + 30 << "\" y=\"" << ly - 4 << "\">validation</text>\n";
  os << "</svg>\n";
  return writeAtomically(path, s);
}
