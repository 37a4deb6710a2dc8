//===- ImportModel.h - mlc import of a Keras model --------------*- C++ -*-===//
//
// What `mlc import model.keras -o model.mlir` does: translate the model
// (KerasImport.h), check the translation parses and verifies as an mlc
// model, and write it beside a checkpoint of its weights.
//
//===----------------------------------------------------------------------===//

#ifndef MLC_FRONTENDS_KERAS_IMPORTMODEL_H
#define MLC_FRONTENDS_KERAS_IMPORTMODEL_H

#include "llvm/Support/Error.h"

#include <string>
#include <vector>

namespace mlc::keras {

struct ImportSummary {
  std::string format, kerasVersion, model;
  int64_t params = 0, states = 0, iterations = 0;
  std::vector<std::string> notes;
};

/// Imports the Keras model file `input`: the mlc model to `mlirPath` ("-"
/// for stdout) and its weights (with the optimizer's slots and step count
/// when the file has them) to the safetensors file `checkpointPath`, both
/// written atomically, nothing written on failure.
llvm::Expected<ImportSummary> importKerasFile(const std::string &input,
                                              const std::string &mlirPath,
                                              const std::string &checkpointPath);

} // namespace mlc::keras

#endif // MLC_FRONTENDS_KERAS_IMPORTMODEL_H
