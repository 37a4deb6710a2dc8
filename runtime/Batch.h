//===- Batch.h - batches of a shuffled image set ----------------*- C++ -*-===//
//
// Part of the mlc runtime. A shuffled epoch reads samples scattered over
// the dataset (47 MB for MNIST, more than the L3 cache), so each batch
// starts with cache misses. The trainer asks for the next batch's samples
// before it runs the current step; the step hides their latency.
//
//===----------------------------------------------------------------------===//

#ifndef MLC_RUNTIME_BATCH_H
#define MLC_RUNTIME_BATCH_H

#include "runtime/IDX.h"

#include <cstdint>
#include <vector>

namespace mlc::runtime {

/// Sets `order` to a permutation of 0..order.size()-1 that depends only
/// on `seed` and `epoch` (splitmix64 and Fisher-Yates, runtime/core/random.h):
/// the same order for the same seed and epoch on every machine.
void shuffle(std::vector<int64_t> &order, uint64_t seed, int64_t epoch);

/// Writes samples `indices[0, n)` of `set` into `x` as floats,
/// (pixel / 255 - shift) * scale, and their labels into `y`.
void gatherBatch(const Dataset &set, const int64_t *indices, int64_t n,
                 float shift, float scale, float *x, int32_t *y);

/// Starts loading the images and labels of samples `indices[0, n)` into
/// the cache, without waiting for them.
void prefetchBatch(const Dataset &set, const int64_t *indices, int64_t n);

/// The batch of `order` that starts at `begin`: gathers its (at most
/// `batchSize`) samples into `x` and `y`, then prefetches the next batch
/// for the step to hide. The first batch, which nothing prefetched, is
/// prefetched before it is gathered. Returns the number of samples.
int64_t loadBatch(const Dataset &set, const std::vector<int64_t> &order,
                  int64_t begin, int64_t batchSize, float shift, float scale,
                  float *x, int32_t *y);

} // namespace mlc::runtime

#endif // MLC_RUNTIME_BATCH_H
