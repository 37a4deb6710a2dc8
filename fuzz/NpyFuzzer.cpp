//===- NpyFuzzer.cpp - fuzz target: the .npy reader -----------------------===//
//
// The input is the file, as runtime::parseNpy reads it from disk.
//
//===----------------------------------------------------------------------===//

#include "runtime/NPY.h"

#include <cstddef>
#include <cstdint>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  mlc::runtime::NpyArray array;
  std::string error;
  if (mlc::runtime::parseNpy(data, size, array, error)) {
    // What a reader relies on: the shape describes the data exactly.
    uint64_t count = 1;
    for (int64_t d : array.shape)
      count *= uint64_t(d);
    if (count != uint64_t(array.size()))
      __builtin_trap();
  } else if (error.empty()) {
    __builtin_trap(); // every refusal says why
  }
  return 0;
}
