//===- Initializers.h - deterministic parameter initialization --*- C++ -*-===//
//
// Part of the mlc runtime: plain C++, no MLIR. Fills parameters from the
// distributions their initializers reduce to, deterministically: the same
// seed and parameter name give the same bits on every machine and in every
// order, so `init(seed)` reproduces a model exactly.
//
//===----------------------------------------------------------------------===//

#ifndef MLC_RUNTIME_INITIALIZERS_H
#define MLC_RUNTIME_INITIALIZERS_H

#include <cstdint>
#include <string_view>

namespace mlc::runtime {

/// The distributions mlc's initializers reduce to (see
/// InitializerAttrInterface in the dialect).
struct InitDistribution {
  enum class Kind {
    Constant,
    Uniform,
    Normal,
    TruncatedNormal,
    Orthogonal,    ///< gain a, b rows (runtime/core/random.h)
    UnitForgetBias ///< zeros, ones in the second quarter
  };
  Kind kind = Kind::Constant;
  double a = 0; ///< constant value, uniform low, or normal mean
  double b = 0; ///< uniform high, or normal standard deviation
};

/// Fills `data[0..n)` from `dist`, with a random stream that depends only
/// on `seed` and `name`. Uniform draws are in [a, b); truncated normals are
/// redrawn outside mean ± 2 stddev, as Keras does.
void initialize(float *data, int64_t n, const InitDistribution &dist,
                uint64_t seed, std::string_view name);

} // namespace mlc::runtime

#endif // MLC_RUNTIME_INITIALIZERS_H
