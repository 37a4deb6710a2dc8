//===- ImportModel.h - mlc import -------------------------------*- C++ -*-===//
//
// What `mlc import MODEL -o model.mlir` does: read the model with the
// importer its file calls for (Keras .keras or .h5, ONNX), check that the
// translation parses and verifies as an mlc model and that every weight
// lands in a param, and write the model beside a checkpoint of its weights.
//
//===----------------------------------------------------------------------===//

#ifndef MLC_FRONTENDS_IMPORT_IMPORTMODEL_H
#define MLC_FRONTENDS_IMPORT_IMPORTMODEL_H

#include "llvm/Support/Error.h"

#include <string>
#include <vector>

namespace mlc::import {

struct ImportSummary {
  std::string format, version, model;
  int64_t params = 0, states = 0, iterations = 0;
  std::vector<std::string> notes;
};

/// Imports the model file `input`: the mlc model to `mlirPath` ("-" for
/// stdout) and its weights (with the optimizer's slots and step count
/// when the file has them) to the safetensors file `checkpointPath`, both
/// written atomically, nothing written on failure.
llvm::Expected<ImportSummary> importModelFile(const std::string &input,
                                              const std::string &mlirPath,
                                              const std::string &checkpointPath);

} // namespace mlc::import

#endif // MLC_FRONTENDS_IMPORT_IMPORTMODEL_H
