//===- NpzFuzzer.cpp - fuzz target: the .npz reader -----------------------===//
//
// The input is the file, as runtime::parseNpz reads it from disk: a zip
// archive of .npy members, stored or deflated.
//
//===----------------------------------------------------------------------===//

#include "runtime/NPZ.h"

#include <cstddef>
#include <cstdint>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  mlc::runtime::NpzArchive archive;
  std::string error;
  if (mlc::runtime::parseNpz(data, size, archive, error)) {
    // What a reader relies on: each array's shape describes its data.
    for (const auto &[name, array] : archive) {
      uint64_t count = 1;
      for (int64_t d : array.shape)
        count *= uint64_t(d);
      if (count != uint64_t(array.size()))
        __builtin_trap();
    }
  } else if (error.empty()) {
    __builtin_trap(); // every refusal says why
  }
  return 0;
}
