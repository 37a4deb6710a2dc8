//===- Initializers.cpp - deterministic parameter initialization ----------===//

#include "runtime/Initializers.h"

#include <cmath>

namespace mlc::runtime {
namespace {

/// splitmix64: a small generator with a full 64-bit period; good enough to
/// draw initial weights, and trivial to reproduce in any language.
class Stream {
public:
  explicit Stream(uint64_t state) : state(state) {}

  uint64_t next() {
    uint64_t z = (state += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
  }

  /// Uniform in [0, 1) with 53 random bits.
  double uniform() { return double(next() >> 11) * 0x1.0p-53; }

  /// Standard normal (Box-Muller; one value per call, for simplicity).
  double normal() {
    double u1 = uniform(), u2 = uniform();
    // 1 - u1 is in (0, 1], so the log is finite.
    return std::sqrt(-2.0 * std::log(1.0 - u1)) * std::cos(2.0 * M_PI * u2);
  }

private:
  uint64_t state;
};

/// FNV-1a of the name, mixed with the seed.
uint64_t streamKey(uint64_t seed, std::string_view name) {
  uint64_t h = 0xCBF29CE484222325ull;
  for (unsigned char c : name)
    h = (h ^ c) * 0x100000001B3ull;
  return h ^ (seed * 0x9E3779B97F4A7C15ull + 0x632BE59BD9B4E019ull);
}

} // namespace

void initialize(float *data, int64_t n, const InitDistribution &dist,
                uint64_t seed, std::string_view name) {
  Stream stream(streamKey(seed, name));
  for (int64_t i = 0; i < n; ++i) {
    double v = dist.a;
    switch (dist.kind) {
    case InitDistribution::Kind::Constant:
      break;
    case InitDistribution::Kind::Uniform:
      v = dist.a + (dist.b - dist.a) * stream.uniform();
      break;
    case InitDistribution::Kind::Normal:
      v = dist.a + dist.b * stream.normal();
      break;
    case InitDistribution::Kind::TruncatedNormal: {
      double z;
      do
        z = stream.normal();
      while (std::abs(z) > 2.0);
      v = dist.a + dist.b * z;
      break;
    }
    }
    data[i] = float(v);
  }
}

} // namespace mlc::runtime
