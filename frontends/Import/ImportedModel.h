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

} // namespace mlc::import

#endif // MLC_FRONTENDS_IMPORT_IMPORTEDMODEL_H
