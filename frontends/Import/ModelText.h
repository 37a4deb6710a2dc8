//===- ModelText.h - writing an imported model as mlc text ------*- C++ -*-===//
//
// The pieces of mlc model text the importers (frontends/Keras,
// frontends/ONNX) write alike: tensor types, identifiers, string literals
// and the first-line comment. Numbers go through mlc::formatDouble
// (MLCDialect.h), the text that reads back as the same double.
//
//===----------------------------------------------------------------------===//

#ifndef MLC_FRONTENDS_IMPORT_MODELTEXT_H
#define MLC_FRONTENDS_IMPORT_MODELTEXT_H

#include "llvm/ADT/StringRef.h"

#include <cctype>
#include <cstdint>
#include <string>
#include <vector>

namespace mlc::import {

/// `tensor<?x28x28xf32>` for the shape (-1: dynamic).
inline std::string typeText(const std::vector<int64_t> &shape) {
  std::string t = "tensor<";
  for (int64_t d : shape)
    t += (d < 0 ? std::string("?") : std::to_string(d)) + "x";
  return t + "f32>";
}

/// `name` as a bare MLIR identifier: letters, digits and '_', `prefix`
/// in front when it would start with a digit (or be empty).
inline std::string identifier(llvm::StringRef name, const char *prefix) {
  std::string id;
  for (char c : name)
    id += std::isalnum((unsigned char)c) || c == '_' ? c : '_';
  if (id.empty() || std::isdigit((unsigned char)id[0]))
    id = prefix + id;
  return id;
}

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

#endif // MLC_FRONTENDS_IMPORT_MODELTEXT_H
