//===- NpzFuzzer.cpp - fuzz target: the .npz reader -----------------------===//
//
// The input is the file, as runtime::parseNpz reads it from disk: a zip
// archive of .npy members, stored or deflated.
//
//===----------------------------------------------------------------------===//

#include "NpyChecks.h"
#include "runtime/NPZ.h"

#include <cstddef>
#include <cstdint>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  mlc::runtime::NpzArchive archive;
  std::string error;
  if (mlc::runtime::parseNpz(data, size, archive, error)) {
    for (const auto &[name, array] : archive)
      checkNpyArray(array);
  } else if (error.empty()) {
    __builtin_trap(); // every refusal says why
  }
  return 0;
}
