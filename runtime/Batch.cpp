//===- Batch.cpp - batches of a shuffled image set ------------------------===//

#include "runtime/Batch.h"

#include "runtime/core/random.h"

#include <algorithm>

namespace mlc::runtime {

namespace {

int64_t sampleBytes(const Dataset &set) {
  int64_t bytes = 1;
  for (size_t d = 1; d < set.images.dims.size(); ++d)
    bytes *= set.images.dims[d];
  return bytes;
}

/// Starts loading one sample's bytes (a sample need not start on a cache
/// line, hence the last byte).
void prefetchSample(const uint8_t *src, int64_t size) {
  for (int64_t k = 0; k < size; k += 64)
    __builtin_prefetch(src + k, /*rw=*/0, /*locality=*/2);
  __builtin_prefetch(src + size - 1, 0, 2);
}

} // namespace

void shuffle(std::vector<int64_t> &order, uint64_t seed, int64_t epoch) {
  mlcShuffle(order.data(), int64_t(order.size()), seed, epoch);
}

// The conversion vectorizes; on x86 the widest vectors the CPU has, chosen
// at load time, halve its cost on AVX-512 machines against the baseline
// SSE2. The runtime is built without contraction, so every clone rounds the
// same.
#if defined(__x86_64__) && defined(__ELF__)
#define MLC_WIDEST_VECTORS                                                     \
  __attribute__((target_clones("avx512f", "avx2", "default")))
#else
#define MLC_WIDEST_VECTORS
#endif

MLC_WIDEST_VECTORS void gatherBatch(const Dataset &set, const int64_t *indices,
                                    int64_t n, float shift, float scale,
                                    float *x, int32_t *y) {
  const int64_t size = sampleBytes(set);
  for (int64_t i = 0; i < n; ++i) {
    const uint8_t *src = &set.images.data[indices[i] * size];
    float *dst = x + i * size;
    for (int64_t k = 0; k < size; ++k)
      dst[k] = (float(src[k]) * (1.0f / 255.0f) - shift) * scale;
    y[i] = set.labels.data[indices[i]];
  }
}

void prefetchBatch(const Dataset &set, const int64_t *indices, int64_t n) {
  const int64_t size = sampleBytes(set);
  for (int64_t i = 0; i < n; ++i) {
    prefetchSample(&set.images.data[indices[i] * size], size);
    __builtin_prefetch(&set.labels.data[indices[i]], 0, 2);
  }
}

int64_t loadBatch(const Dataset &set, const std::vector<int64_t> &order,
                  int64_t begin, int64_t batchSize, float shift, float scale,
                  float *x, int32_t *y) {
  const int64_t total = int64_t(order.size());
  const int64_t n = std::min(batchSize, total - begin);
  if (begin == 0)
    prefetchBatch(set, order.data(), n);
  gatherBatch(set, order.data() + begin, n, shift, scale, x, y);
  prefetchBatch(set, order.data() + begin + n,
                std::min(batchSize, total - begin - n));
  return n;
}

} // namespace mlc::runtime
