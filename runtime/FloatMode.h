//===- FloatMode.h - flush denormals while a compiled step runs -*- C++ -*-===//
//
// Part of the mlc runtime. Arithmetic on denormal floats (|x| < 2^-126)
// takes a slow microcoded path on x86. Training makes them routinely: an
// Adam first moment whose gradient is exactly zero (a border pixel of
// MNIST) decays by 0.9 a step through the denormal range; after one epoch
// 4644 of the seed model's 100352 first-layer moments are there. That
// costs about 10% of the step at batch 32 on Zen 5. Like TensorFlow and
// XLA on CPU, mlc flushes denormal results and inputs to zero while its
// code runs, and puts the caller's flush bits back afterwards (exception
// flags the code raised stay raised).
//
// The mode switch is the runtime core's (runtime/core/float_mode.h), which
// the generated model libraries embed.
//
//===----------------------------------------------------------------------===//

#ifndef MLC_RUNTIME_FLOATMODE_H
#define MLC_RUNTIME_FLOATMODE_H

#include "runtime/core/float_mode.h"

#include <cstdint>

namespace mlc::runtime {

/// Sets flush-to-zero (and denormals-are-zero on x86) for its lifetime when
/// `enable` is set, then puts the previous flush bits back. Elsewhere than
/// x86 and AArch64 it does nothing.
class ScopedFlushDenormals {
public:
  /// The bits set and restored: MXCSR FTZ and DAZ on x86, FPCR.FZ on
  /// AArch64.
  static constexpr uint64_t kFlushBits = MLC_FLUSH_BITS;

  explicit ScopedFlushDenormals(bool enable) : active(enable) {
    if (active)
      saved = mlcFlushDenormalsBegin();
  }
  ~ScopedFlushDenormals() {
    // Only the flush bits: sticky exception flags raised meanwhile stay.
    if (active)
      mlcFlushDenormalsEnd(saved);
  }
  ScopedFlushDenormals(const ScopedFlushDenormals &) = delete;
  ScopedFlushDenormals &operator=(const ScopedFlushDenormals &) = delete;

  /// The floating-point control register: MXCSR on x86, FPCR on AArch64,
  /// 0 elsewhere.
  static uint64_t mode() { return mlcFloatMode(); }

private:
  bool active;
  uint64_t saved = 0;
};

} // namespace mlc::runtime

#endif // MLC_RUNTIME_FLOATMODE_H
