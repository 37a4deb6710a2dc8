//===- KerasFuzzer.cpp - fuzz target: the Keras model reader --------------===//
//
// The input is a model file as `mlc import` reads it: a .keras zip archive
// (config.json, model.weights.h5) or a Keras 2 .h5. Every refusal must
// say why, and every model the reader accepts must translate into text
// that parses and verifies as an mlc model.
//
//===----------------------------------------------------------------------===//

#include "ImportChecks.h"
#include "frontends/Keras/KerasImport.h"

#include <cstddef>
#include <cstdint>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  mlc::import::ImportedModel model;
  std::string error;
  bool accepted = mlc::keras::parseKerasModel(
      std::vector<uint8_t>(data, data + size), "fuzz.keras", model, error);
  checkImport(accepted, error, model);
  return 0;
}
