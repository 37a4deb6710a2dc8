//===- HugePages.h - large, randomly accessed arrays ------------*- C++ -*-===//
//
// Part of the mlc runtime. A std::allocator replacement that asks the kernel
// for transparent huge pages on large blocks. A shuffled epoch reads the
// dataset at random: with 4 KiB pages nearly every sample misses the TLB,
// and filling the array faults once per 4 KiB page (slow on some hosts).
// 2 MiB pages remove both.
//
//===----------------------------------------------------------------------===//

#ifndef MLC_RUNTIME_HUGEPAGES_H
#define MLC_RUNTIME_HUGEPAGES_H

#include <cstddef>

namespace mlc::runtime {

/// Never returns null: fails the way operator new does.
void *allocateHuge(size_t bytes);
void deallocateHuge(void *p, size_t bytes);

template <typename T> struct HugePageAllocator {
  using value_type = T;
  HugePageAllocator() = default;
  template <typename U> HugePageAllocator(const HugePageAllocator<U> &) {}
  T *allocate(size_t n) {
    return static_cast<T *>(allocateHuge(n * sizeof(T)));
  }
  void deallocate(T *p, size_t n) { deallocateHuge(p, n * sizeof(T)); }
  template <typename U> bool operator==(const HugePageAllocator<U> &) const {
    return true;
  }
  template <typename U> bool operator!=(const HugePageAllocator<U> &) const {
    return false;
  }
};

} // namespace mlc::runtime

#endif // MLC_RUNTIME_HUGEPAGES_H
