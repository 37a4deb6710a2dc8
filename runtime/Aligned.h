//===- Aligned.h - cache-line aligned vectors -------------------*- C++ -*-===//
//
// Part of the mlc runtime. Buffers handed to compiled code start on a
// 64-byte boundary, so its full-width vector loads never straddle two
// cache lines (std::vector only guarantees 16 bytes).
//
//===----------------------------------------------------------------------===//

#ifndef MLC_RUNTIME_ALIGNED_H
#define MLC_RUNTIME_ALIGNED_H

#include <cstddef>
#include <cstdlib>
#include <new>
#include <vector>

namespace mlc::runtime {

template <typename T> struct AlignedAllocator {
  using value_type = T;
  static constexpr size_t kAlignment = 64;
  AlignedAllocator() = default;
  template <typename U> AlignedAllocator(const AlignedAllocator<U> &) {}
  T *allocate(size_t n) {
    size_t bytes = (n * sizeof(T) + kAlignment - 1) / kAlignment * kAlignment;
    void *p = std::aligned_alloc(kAlignment, bytes ? bytes : kAlignment);
    if (!p)
      std::abort(); // as operator new does without exceptions
    return static_cast<T *>(p);
  }
  void deallocate(T *p, size_t) { std::free(p); }
  template <typename U> bool operator==(const AlignedAllocator<U> &) const {
    return true;
  }
};

template <typename T> using AlignedVector = std::vector<T, AlignedAllocator<T>>;

} // namespace mlc::runtime

#endif // MLC_RUNTIME_ALIGNED_H
