//===- NpyChecks.h - what readers of a parsed .npy array rely on -*- C++ -*-===//

#ifndef MLC_FUZZ_NPYCHECKS_H
#define MLC_FUZZ_NPYCHECKS_H

#include "runtime/NPY.h"

#include <cstdint>

/// Traps unless the shape describes the data exactly.
inline void checkNpyArray(const mlc::runtime::NpyArray &array) {
  uint64_t count = 1;
  for (int64_t d : array.shape)
    count *= uint64_t(d);
  if (count != uint64_t(array.size()))
    __builtin_trap();
}

#endif // MLC_FUZZ_NPYCHECKS_H
