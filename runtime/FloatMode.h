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
// The generated model libraries do the same in C (runtime/aot/ModelLibrary.c).
//
//===----------------------------------------------------------------------===//

#ifndef MLC_RUNTIME_FLOATMODE_H
#define MLC_RUNTIME_FLOATMODE_H

#include <cstdint>

#if defined(__x86_64__) || defined(__i386__)
#include <xmmintrin.h>
#endif

namespace mlc::runtime {

/// Sets flush-to-zero (and denormals-are-zero on x86) for its lifetime when
/// `enable` is set; restores the previous mode on destruction. Elsewhere
/// than x86 and AArch64 it does nothing.
class ScopedFlushDenormals {
public:
  explicit ScopedFlushDenormals(bool enable) : active(enable) {
    if (!active)
      return;
#if defined(__x86_64__) || defined(__i386__)
    saved = _mm_getcsr();
    _mm_setcsr(unsigned(saved) | kFlushToZero | kDenormalsAreZero);
#elif defined(__aarch64__)
    __asm__ __volatile__("mrs %0, fpcr" : "=r"(saved));
    __asm__ __volatile__("msr fpcr, %0" ::"r"(saved | kFZ));
#endif
  }
  ~ScopedFlushDenormals() {
    if (!active)
      return;
    // Only the flush bits: sticky exception flags raised meanwhile stay.
    uint64_t now = mode();
#if defined(__x86_64__) || defined(__i386__)
    _mm_setcsr(unsigned((now & ~kFlushBits) | (saved & kFlushBits)));
#elif defined(__aarch64__)
    now = (now & ~kFlushBits) | (saved & kFlushBits);
    __asm__ __volatile__("msr fpcr, %0" ::"r"(now));
#else
    (void)now;
#endif
  }

  /// The floating-point control register: MXCSR on x86, FPCR on AArch64,
  /// 0 elsewhere.
  static uint64_t mode() {
#if defined(__x86_64__) || defined(__i386__)
    return _mm_getcsr();
#elif defined(__aarch64__)
    uint64_t fpcr;
    __asm__ __volatile__("mrs %0, fpcr" : "=r"(fpcr));
    return fpcr;
#else
    return 0;
#endif
  }
  ScopedFlushDenormals(const ScopedFlushDenormals &) = delete;
  ScopedFlushDenormals &operator=(const ScopedFlushDenormals &) = delete;

  // MXCSR bits (x86) and the FPCR bit (AArch64).
  static constexpr unsigned kFlushToZero = 0x8000, kDenormalsAreZero = 0x0040;
  static constexpr uint64_t kFZ = uint64_t(1) << 24;
  /// The bits this class sets and restores.
#if defined(__aarch64__)
  static constexpr uint64_t kFlushBits = kFZ;
#else
  static constexpr uint64_t kFlushBits = kFlushToZero | kDenormalsAreZero;
#endif

private:
  bool active;
  uint64_t saved = 0;
};

} // namespace mlc::runtime

#endif // MLC_RUNTIME_FLOATMODE_H
