//===- IdxFuzzer.cpp - fuzz target: the IDX reader ------------------------===//
//
// The first byte picks the rank (labels 1, images 3); the rest is the file,
// gzip-compressed or not, as runtime::parseIdx reads it from disk.
//
//===----------------------------------------------------------------------===//

#include "runtime/IDX.h"

#include <cstddef>
#include <cstdint>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  if (size == 0)
    return 0;
  int rank = data[0] & 1 ? 3 : 1;
  mlc::runtime::IdxArray array;
  std::string error;
  if (mlc::runtime::parseIdx(data + 1, size - 1, rank, array, error)) {
    // What a reader relies on: the dims describe the data exactly.
    size_t count = 1;
    for (int64_t d : array.dims)
      count *= size_t(d);
    if (count != array.data.size())
      __builtin_trap();
  } else if (error.empty()) {
    __builtin_trap(); // every refusal says why
  }
  return 0;
}
