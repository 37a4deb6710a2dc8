/*===- float_mode.h - flush denormals while compiled code runs ------------===//
 *
 * Part of the mlc runtime core (libc-only C11, shared by mlc's C++ runtime
 * and every generated model library). Arithmetic on denormal floats
 * (|x| < 2^-126) takes a slow microcoded path on x86; training makes them
 * routinely (runtime/FloatMode.h says where). Like TensorFlow and XLA on
 * CPU, mlc flushes denormal results and inputs to zero while its code runs,
 * then puts back only the caller's flush bits: exception flags the code
 * raised stay raised. Elsewhere than x86 and AArch64 nothing changes.
 *
 *===----------------------------------------------------------------------===*/

#ifndef MLC_RUNTIME_CORE_FLOAT_MODE_H
#define MLC_RUNTIME_CORE_FLOAT_MODE_H

#include <stdint.h>

#if defined(__x86_64__) || defined(__i386__)
#include <xmmintrin.h>
#endif

#ifdef __cplusplus
extern "C" {
#endif

/* The bits set and restored: MXCSR FTZ and DAZ on x86, FPCR.FZ on AArch64. */
#if defined(__aarch64__)
#define MLC_FLUSH_BITS ((uint64_t)1 << 24)
#else
#define MLC_FLUSH_BITS ((uint64_t)0x8040)
#endif

/* The floating-point control register: MXCSR on x86, FPCR on AArch64, 0
 * elsewhere. */
static inline uint64_t mlcFloatMode(void) {
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

static inline void mlcSetFloatMode(uint64_t mode) {
#if defined(__x86_64__) || defined(__i386__)
  _mm_setcsr((unsigned)mode);
#elif defined(__aarch64__)
  __asm__ __volatile__("msr fpcr, %0" ::"r"(mode));
#else
  (void)mode;
#endif
}

/* Sets the flush bits; returns the mode to give mlcFlushDenormalsEnd. */
static inline uint64_t mlcFlushDenormalsBegin(void) {
  uint64_t saved = mlcFloatMode();
  mlcSetFloatMode(saved | MLC_FLUSH_BITS);
  return saved;
}

/* Puts back the flush bits of `saved`, and only those. */
static inline void mlcFlushDenormalsEnd(uint64_t saved) {
  mlcSetFloatMode((mlcFloatMode() & ~MLC_FLUSH_BITS) |
                  (saved & MLC_FLUSH_BITS));
}

#ifdef __cplusplus
}
#endif

#endif /* MLC_RUNTIME_CORE_FLOAT_MODE_H */
