//===- Initializers.cpp - deterministic parameter initialization ----------===//
//
// The streams are the runtime core's (runtime/core/random.h), which model
// libraries embed: `init(seed)` there draws the same bits as here.
//
//===----------------------------------------------------------------------===//

#include "runtime/Initializers.h"

#include "runtime/core/random.h"

namespace mlc::runtime {

void initialize(float *data, int64_t n, const InitDistribution &dist,
                uint64_t seed, std::string_view name) {
  mlcInitialize(data, n, int(dist.kind), dist.a, dist.b, seed, name.data(),
                name.size());
}

} // namespace mlc::runtime
