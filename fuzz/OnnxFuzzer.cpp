//===- OnnxFuzzer.cpp - fuzz target: the ONNX model reader ----------------===//
//
// The input is an .onnx file as `mlc import` reads it: a ModelProto parsed
// by libprotobuf, then translated. Every refusal must say why, and every
// model the reader accepts must translate into text that parses and
// verifies as an mlc model.
//
//===----------------------------------------------------------------------===//

#include "ImportChecks.h"
#include "frontends/ONNX/ONNXImport.h"

#include <cstddef>
#include <cstdint>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  mlc::import::ImportedModel model;
  std::string error;
  bool accepted = mlc::onnx::parseOnnxModel(
      std::vector<uint8_t>(data, data + size), "fuzz.onnx", model, error);
  checkImport(accepted, error, model);
  return 0;
}
