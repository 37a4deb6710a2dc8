//===- KerasFuzzer.cpp - fuzz target: the Keras model reader --------------===//
//
// The input is a model file as `mlc import` reads it: a .keras zip archive
// (config.json, model.weights.h5) or a Keras 2 .h5. Every refusal must
// say why, and every model the reader accepts must translate into text
// that parses and verifies as an mlc model.
//
//===----------------------------------------------------------------------===//

#include "compiler/Driver/Model.h"
#include "frontends/Keras/KerasImport.h"

#include "mlir/IR/Diagnostics.h"
#include "mlir/Parser/Parser.h"

#include <cstddef>
#include <cstdint>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  static std::unique_ptr<mlir::MLIRContext> context = mlc::createContext();
  mlc::keras::KerasModel model;
  std::string error;
  if (!mlc::keras::parseKerasModel(std::vector<uint8_t>(data, data + size),
                                   "fuzz.keras", model, error)) {
    if (error.empty())
      __builtin_trap(); // every refusal says why
    return 0;
  }
  mlir::ScopedDiagnosticHandler quiet(
      context.get(), [](mlir::Diagnostic &) { return mlir::success(); });
  if (!mlir::parseSourceString<mlir::ModuleOp>(model.mlir, context.get()))
    __builtin_trap(); // an accepted model translates into a valid one
  return 0;
}
