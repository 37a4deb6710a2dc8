//===- Table.cpp - feature rows and their targets -------------------------===//

#include "runtime/Table.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <limits>
#include <map>

namespace mlc::runtime {
namespace {

bool fail(std::string &error, const std::string &why) {
  error = why;
  return false;
}

/// A float that is a class index: a non-negative integer below 2^31.
bool classIndex(double v, int32_t &out) {
  if (!(v >= 0) || v != std::floor(v) ||
      v > double(std::numeric_limits<int32_t>::max()))
    return false;
  out = int32_t(v);
  return true;
}

/// The first field of a text column that is not a number, and its row.
std::string firstText(const CsvColumn &column) {
  for (size_t r = 0; r < column.labels.size(); ++r)
    if (!spellsNumber(column.labels[r]))
      return "'" + column.labels[r] + "' in row " + std::to_string(r + 1);
  return "row 1"; // unreachable for a text column
}

std::string numberText(double v);

/// Row `r` of a numeric column as a float: refused past float's range.
bool toFloat(const CsvColumn &column, int64_t r, float &out,
             std::string &error) {
  double v = column.values[size_t(r)];
  out = float(v);
  if (std::isfinite(out))
    return true;
  error = "column '" + column.name + "' row " + std::to_string(r + 1) +
          " holds " + numberText(v) + ", past float32's range";
  return false;
}

std::string numberText(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.17g", v);
  return buf;
}

} // namespace

bool tableFromCsv(const CsvTable &csv,
                  const std::vector<std::string> &labelColumns, TargetKind kind,
                  Table &out, std::string &error,
                  const std::vector<std::string> *classNames) {
  out = Table();
  out.kind = kind;
  out.rows = csv.rows;
  bool unlabeled = kind == TargetKind::None;
  if (csv.columns.size() < (unlabeled ? 1 : 2))
    return fail(error, "the table has " + std::to_string(csv.columns.size()) +
                           " column; features and a label need two or more");
  std::vector<int> labels;
  if (labelColumns.empty()) {
    if (!unlabeled)
      labels.push_back(int(csv.columns.size()) - 1);
  } else {
    for (const std::string &name : labelColumns) {
      int c = csv.find(name);
      if (c < 0 && unlabeled)
        continue; // a file of features only
      if (c < 0) {
        std::string names;
        for (const CsvColumn &column : csv.columns)
          names += (names.empty() ? "'" : ", '") + column.name + "'";
        return fail(error,
                    "no column '" + name + "' (the columns are " + names + ")");
      }
      if (std::find(labels.begin(), labels.end(), c) != labels.end())
        return fail(error, "column '" + name + "' is named twice as a label");
      labels.push_back(c);
    }
  }
  if (labels.size() >= csv.columns.size())
    return fail(error, "every column is a label: no features are left");

  // Features: every other column, numeric.
  std::vector<int> featureColumns;
  for (int c = 0; c < int(csv.columns.size()); ++c) {
    if (std::find(labels.begin(), labels.end(), c) != labels.end())
      continue;
    const CsvColumn &column = csv.columns[size_t(c)];
    if (!column.numeric) {
      return fail(error, "column '" + column.name + "' holds text (" +
                             firstText(column) +
                             "); feature columns must be numbers (name it as "
                             "a label column, or drop it)");
    }
    featureColumns.push_back(c);
    out.featureNames.push_back(column.name);
  }
  out.features = int64_t(featureColumns.size());
  out.x.resize(size_t(out.rows * out.features));
  for (int64_t f = 0; f < out.features; ++f) {
    const CsvColumn &column = csv.columns[size_t(featureColumns[size_t(f)])];
    for (int64_t r = 0; r < out.rows; ++r)
      if (!toFloat(column, r, out.x[size_t(r * out.features + f)], error))
        return false;
  }

  for (int c : labels)
    out.labelNames.push_back(csv.columns[size_t(c)].name);
  if (unlabeled)
    return true;
  if (kind == TargetKind::Classes) {
    if (labels.size() != 1)
      return fail(error, "class labels come from one column; " +
                             std::to_string(labels.size()) + " were named");
    const CsvColumn &column = csv.columns[size_t(labels[0])];
    out.classes.resize(size_t(out.rows));
    if (!column.numeric) {
      // Class names, indexed in sorted order (or as given).
      std::map<std::string, int32_t> index;
      if (classNames) {
        out.classNames = *classNames;
        for (size_t i = 0; i < classNames->size(); ++i)
          index.emplace((*classNames)[i], int32_t(i));
      } else {
        for (const std::string &name : column.labels)
          index.emplace(name, 0);
        for (auto &[name, i] : index) {
          i = int32_t(out.classNames.size());
          out.classNames.push_back(name);
        }
      }
      for (int64_t r = 0; r < out.rows; ++r) {
        auto it = index.find(column.labels[size_t(r)]);
        if (it == index.end()) {
          std::string known;
          for (const std::string &name : out.classNames)
            known += (known.empty() ? "'" : ", '") + name + "'";
          return fail(error, "column '" + column.name + "' row " +
                                 std::to_string(r + 1) + " holds '" +
                                 column.labels[size_t(r)] +
                                 "', which is not one of the classes the "
                                 "model was trained on (" +
                                 known + ")");
        }
        out.classes[size_t(r)] = it->second;
      }
      return true;
    }
    for (int64_t r = 0; r < out.rows; ++r)
      if (!classIndex(column.values[size_t(r)], out.classes[size_t(r)]))
        return fail(error, "column '" + column.name + "' row " +
                               std::to_string(r + 1) + " holds " +
                               numberText(column.values[size_t(r)]) +
                               ", not a class index (a non-negative integer)");
    return true;
  }

  out.targetWidth = int64_t(labels.size());
  out.targets.resize(size_t(out.rows * out.targetWidth));
  for (size_t k = 0; k < labels.size(); ++k) {
    const CsvColumn &column = csv.columns[size_t(labels[k])];
    if (!column.numeric)
      return fail(error, "column '" + column.name + "' holds text (" +
                             firstText(column) +
                             "); the model's loss needs numeric targets "
                             "(class names train with "
                             "sparse_categorical_crossentropy)");
    for (int64_t r = 0; r < out.rows; ++r)
      if (!toFloat(column, r,
                   out.targets[size_t(r * out.targetWidth + int64_t(k))],
                   error))
        return false;
  }
  return true;
}

bool tableFromArrays(const NpyArray &x, const NpyArray &y, TargetKind kind,
                     Table &out, std::string &error) {
  out = Table();
  out.kind = kind;
  if (x.shape.empty())
    return fail(error, "x is a scalar; it needs a first dimension of samples");
  bool unlabeled = kind == TargetKind::None;
  if (!unlabeled && y.shape.empty())
    return fail(error, "y is a scalar; it needs a first dimension of samples");
  if (!unlabeled && x.shape[0] != y.shape[0])
    return fail(error, "x has " + std::to_string(x.shape[0]) + " samples, y " +
                           std::to_string(y.shape[0]));
  out.rows = x.shape[0];
  out.features = 1;
  for (size_t d = 1; d < x.shape.size(); ++d)
    out.features *= x.shape[d];
  out.x.resize(size_t(x.size()));
  for (int64_t i = 0; i < x.size(); ++i)
    out.x[size_t(i)] =
        x.integral ? float(x.ints[size_t(i)]) : x.floats[size_t(i)];
  for (float v : out.x)
    if (!std::isfinite(v))
      return fail(error, "x holds " + numberText(v) +
                             " (only finite numbers can be trained on)");
  if (unlabeled)
    return true;

  int64_t width = 1;
  for (size_t d = 1; d < y.shape.size(); ++d)
    width *= y.shape[d];
  auto value = [&](int64_t i) {
    return y.integral ? double(y.ints[size_t(i)]) : double(y.floats[size_t(i)]);
  };
  if (kind == TargetKind::Classes) {
    if (width != 1)
      return fail(error, "class labels are one per sample, but y has " +
                             std::to_string(width) +
                             " values per sample (one-hot labels train with "
                             "categorical_crossentropy)");
    out.classes.resize(size_t(out.rows));
    for (int64_t i = 0; i < out.rows; ++i)
      if (!classIndex(value(i), out.classes[size_t(i)]))
        return fail(error, "y[" + std::to_string(i) + "] is " +
                               numberText(value(i)) +
                               ", not a class index (a non-negative integer)");
    return true;
  }
  out.targetWidth = width;
  out.targets.resize(size_t(y.size()));
  for (int64_t i = 0; i < y.size(); ++i) {
    double v = value(i);
    if (!std::isfinite(v))
      return fail(error, "y holds " + numberText(v) +
                             " (only finite numbers can be trained on)");
    out.targets[size_t(i)] = float(v);
  }
  return true;
}

FeatureScaling standardization(const Table &train) {
  if (train.rows == 0)
    return FeatureScaling(); // nothing to adapt to: features unchanged
  // Two passes (mean, then squared deviations): E[x^2] - mean^2 loses the
  // variance of features far from zero.
  FeatureScaling s;
  int64_t f = train.features;
  double n = double(std::max<int64_t>(train.rows, 1));
  std::vector<double> mean(size_t(f), 0.0), squares(size_t(f), 0.0);
  for (int64_t r = 0; r < train.rows; ++r)
    for (int64_t k = 0; k < f; ++k)
      mean[size_t(k)] += train.x[size_t(r * f + k)];
  for (double &m : mean)
    m /= n;
  for (int64_t r = 0; r < train.rows; ++r)
    for (int64_t k = 0; k < f; ++k) {
      double d = train.x[size_t(r * f + k)] - mean[size_t(k)];
      squares[size_t(k)] += d * d;
    }
  for (int64_t k = 0; k < f; ++k) {
    s.mean.push_back(float(mean[size_t(k)]));
    s.scale.push_back(
        float(1.0 / std::max(std::sqrt(squares[size_t(k)] / n), 1e-7)));
  }
  return s;
}

void gatherRows(const Table &table, const int64_t *indices, int64_t n,
                const FeatureScaling &scaling, float *x, int32_t *classes,
                float *targets) {
  int64_t f = table.features, w = table.targetWidth;
  bool scaled = !scaling.mean.empty();
  for (int64_t i = 0; i < n; ++i) {
    int64_t r = indices[i];
    const float *row = table.x.data() + r * f;
    float *dst = x + i * f;
    if (scaled)
      for (int64_t k = 0; k < f; ++k)
        dst[k] = (row[k] - scaling.mean[size_t(k)]) * scaling.scale[size_t(k)];
    else
      std::copy_n(row, f, dst);
    if (table.kind == TargetKind::Classes) {
      if (classes)
        classes[i] = table.classes[size_t(r)];
    } else if (targets) {
      std::copy_n(table.targets.data() + r * w, w, targets + i * w);
    }
  }
}

} // namespace mlc::runtime
