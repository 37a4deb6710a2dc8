//===- FmaPeak.h - the machine's measured FMA throughput -------*- C++ -*-===//
//
// The floor the benchmarks report against: single-thread FMA throughput,
// measured on 12 independent chains of the widest vector FMA the including
// file is built for (build it with -march=native). Twelve chains cover 2
// FMA units x 4-6 cycles of latency and, with the two operands, still fit
// AVX2's 16 registers: 16 chains spilled there and measured 57 instead of
// 102 GFLOP/s on a Zen 3.
//
//===----------------------------------------------------------------------===//

#ifndef MLC_BENCH_FMAPEAK_H
#define MLC_BENCH_FMAPEAK_H

#include <immintrin.h>

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <cstdio>

namespace mlc::bench {

/// GFLOP/s of one thread at its FMA peak; 0 without AVX2/FMA.
inline double fmaPeak() {
#if defined(__AVX512F__)
  using V = __m512;
  auto fma = [](V a, V b, V c) { return _mm512_fmadd_ps(a, b, c); };
  auto set = [](float f) { return _mm512_set1_ps(f); };
  const int lanes = 16;
#elif defined(__AVX2__) && defined(__FMA__)
  using V = __m256;
  auto fma = [](V a, V b, V c) { return _mm256_fmadd_ps(a, b, c); };
  auto set = [](float f) { return _mm256_set1_ps(f); };
  const int lanes = 8;
#else
  return 0;
#endif
#if defined(__AVX512F__) || (defined(__AVX2__) && defined(__FMA__))
  using Clock = std::chrono::steady_clock;
  constexpr int chains = 12;
  V acc[chains];
  for (int i = 0; i < chains; ++i)
    acc[i] = set(float(i));
  V b = set(1.0000001f), c = set(1e-7f);
  const int64_t n = 4000000;
  double best = 1e30;
  for (int r = 0; r < 5; ++r) {
    auto start = Clock::now();
    for (int64_t k = 0; k < n; ++k)
      for (int i = 0; i < chains; ++i)
        acc[i] = fma(acc[i], b, c);
    best = std::min(
        best, std::chrono::duration<double>(Clock::now() - start).count());
  }
  float sink = 0;
  for (int i = 0; i < chains; ++i)
    sink += reinterpret_cast<float *>(&acc[i])[0];
  if (sink == 1.0f)
    std::printf(" ");
  return double(n) * chains * lanes * 2 / best * 1e-9;
#endif
}

} // namespace mlc::bench

#endif // MLC_BENCH_FMAPEAK_H
