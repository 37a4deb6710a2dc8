//===- OnnxFuzzer.cpp - fuzz target: the ONNX model reader ----------------===//
//
// The input is an .onnx file as `mlc import` reads it: a ModelProto parsed
// by libprotobuf, then translated. Every refusal must say why, and every
// model the reader accepts must translate into text that parses and
// verifies as an mlc model.
//
//===----------------------------------------------------------------------===//

#include "compiler/Driver/Model.h"
#include "frontends/ONNX/ONNXImport.h"

#include "mlir/IR/Diagnostics.h"
#include "mlir/Parser/Parser.h"

#include <cstddef>
#include <cstdint>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  static std::unique_ptr<mlir::MLIRContext> context = mlc::createContext();
  mlc::import::ImportedModel model;
  std::string error;
  if (!mlc::onnx::parseOnnxModel(std::vector<uint8_t>(data, data + size),
                                 "fuzz.onnx", model, error)) {
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
