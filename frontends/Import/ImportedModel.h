//===- ImportedModel.h - a model another framework saved -------*- C++ -*-===//
//
// What an importer (frontends/Keras, frontends/ONNX) makes of a model
// file: the model in the mlc dialect, as text, and its weights (with the
// optimizer's state when the file has it) by mlc param name, in mlc's
// layouts. ImportModel.h checks and writes it.
//
//===----------------------------------------------------------------------===//

#ifndef MLC_FRONTENDS_IMPORT_IMPORTEDMODEL_H
#define MLC_FRONTENDS_IMPORT_IMPORTEDMODEL_H

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace mlc::import {

/// A tensor of weights as float32, row-major.
struct ImportedTensor {
  std::vector<int64_t> shape;
  std::vector<float> data;
  /// For an integer tensor of one element: its exact value.
  std::optional<int64_t> integer;
};

struct ImportedModel {
  std::string format;    ///< "Keras 3 .keras", "ONNX", ...
  std::string version;   ///< the producer's, as the file records it
  std::string modelName; ///< the mlc model's symbol
  std::string mlir;      ///< the model in the mlc dialect
  /// Weights by mlc param name; optimizer slots by "<param>.<slot>".
  std::map<std::string, ImportedTensor> params, states;
  bool hasOptimizerState = false;
  int64_t iterations = 0;
  /// What the translation left out or decided (printed by mlc import).
  std::vector<std::string> notes;
};

/// `text` (names and versions from the file) fit for the model text's
/// first-line comment: control characters become spaces.
inline std::string commentText(const std::string &text) {
  std::string out = text;
  for (char &c : out)
    if ((unsigned char)c < 0x20 || c == 0x7f)
      c = ' ';
  return out;
}

/// `text` as an MLIR string literal (quotes, backslashes and other bytes
/// outside printable ASCII escaped as \XX).
inline std::string mlirString(const std::string &text) {
  static const char hex[] = "0123456789ABCDEF";
  std::string out = "\"";
  for (unsigned char c : text) {
    if (c == '"' || c == '\\' || c < 0x20 || c >= 0x7f) {
      out += '\\';
      out += hex[c >> 4];
      out += hex[c & 15];
    } else {
      out += char(c);
    }
  }
  return out + "\"";
}

} // namespace mlc::import

#endif // MLC_FRONTENDS_IMPORT_IMPORTEDMODEL_H
