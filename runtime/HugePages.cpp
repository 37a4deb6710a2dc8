//===- HugePages.cpp - allocator for large, randomly accessed arrays ------===//

#include "runtime/HugePages.h"

#include <cstdlib>
#include <new>
#include <sys/mman.h>

namespace mlc::runtime {

static constexpr size_t kHugePage = size_t(2) << 20;

void *allocateHuge(size_t bytes) {
  void *p;
  if (bytes < kHugePage) {
    p = std::malloc(bytes ? bytes : 1);
  } else {
    size_t rounded = (bytes + kHugePage - 1) / kHugePage * kHugePage;
    // Advice only: where THP is off the memory works as ordinary pages.
    if ((p = std::aligned_alloc(kHugePage, rounded)))
      madvise(p, rounded, MADV_HUGEPAGE);
  }
  if (!p)
    throw std::bad_alloc(); // the runtime is built with exceptions
  return p;
}

void deallocateHuge(void *p, size_t) { std::free(p); }

} // namespace mlc::runtime
