//===- NpyFuzzer.cpp - fuzz target: the .npy reader -----------------------===//
//
// The input is the file, as runtime::parseNpy reads it from disk.
//
//===----------------------------------------------------------------------===//

#include "NpyChecks.h"

#include <cstddef>
#include <cstdint>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  mlc::runtime::NpyArray array;
  std::string error;
  if (mlc::runtime::parseNpy(data, size, array, error))
    checkNpyArray(array);
  else if (error.empty())
    __builtin_trap(); // every refusal says why
  return 0;
}
