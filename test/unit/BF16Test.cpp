//===- BF16Test.cpp - bf16 matmuls against plain C++ ----------------------===//
//
// --precision=bf16 (TargetOptions::bf16) multiplies bf16 copies of a
// matmul's operands into f32 accumulators with AVX512-BF16 dot products.
// Each product of two bf16 values is exact in f32, so the result equals a
// double-precision sum of the rounded operands' products up to the f32
// rounding of the sum: checked here against plain C++ loops, with a
// partial row tile (11 rows). A train step must move the parameters as the
// f32 step does, up to bf16 rounding (2^-8 relative per operand). The tests
// skip on CPUs without AVX512-BF16, where --precision=bf16 compiles f32.
//
//===----------------------------------------------------------------------===//

#include "compiler/Driver/Driver.h"
#include "runtime/Aligned.h"
#include "test/unit/TrainSteps.h"

#include "mlir/Parser/Parser.h"

#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <string>
#include <vector>

using namespace mlc;

namespace {

using Floats = runtime::AlignedVector<float>;

/// `x` rounded to bf16 (to nearest, ties to even), as vcvtneps2bf16 does
/// for finite values.
float roundToBF16(float x) {
  uint32_t bits;
  std::memcpy(&bits, &x, 4);
  bits += 0x7fff + ((bits >> 16) & 1);
  bits &= 0xffff0000u;
  float r;
  std::memcpy(&r, &bits, 4);
  return r;
}

void fill(Floats &v, uint32_t seed, float scale) {
  for (float &x : v) {
    seed = seed * 1664525u + 1013904223u;
    x = scale * (float((seed >> 8) & 0xffff) / 65536.0f - 0.5f);
  }
}

std::unique_ptr<JITModel> compile(const std::string &source, bool bf16) {
  auto context = createContext();
  auto module = mlir::parseSourceString<mlir::ModuleOp>(source, context.get());
  EXPECT_TRUE(module);
  TargetOptions target;
  target.threads = 1;
  target.bf16 = bf16;
  auto jit = JITModel::compile(context, std::move(module), target);
  if (!jit) {
    ADD_FAILURE() << llvm::toString(jit.takeError());
    return nullptr;
  }
  return std::move(*jit);
}

bool hasBF16() {
  TargetOptions target;
  target.bf16 = true;
  return bf16MatmulsFor(target);
}

TEST(BF16Test, DenseMatchesRoundedOperands) {
  if (!hasBF16())
    GTEST_SKIP() << "this CPU has no AVX512-BF16 dot products";
  const int64_t batch = 11, k = 96, n = 64;
  auto jit = compile(R"(mlc.model @d {
  %x = mlc.input "x" : tensor<?x96xf32>
  %y = mlc.dense %x {units = 64} : tensor<?x96xf32> -> tensor<?x64xf32>
  mlc.output %y : tensor<?x64xf32>
})",
                     true);
  ASSERT_TRUE(jit);
  Floats w(k * n), b(n), x(batch * k), y(batch * n);
  fill(w, 1, 2.0f);
  fill(b, 2, 1.0f);
  fill(x, 3, 4.0f);
  ASSERT_FALSE(bool(jit->predict({{w.data(), {k, n}},
                                  {b.data(), {n}},
                                  {x.data(), {batch, k}},
                                  {y.data(), {batch, n}}})));
  double worstF32 = 0;
  for (int64_t i = 0; i < batch; ++i)
    for (int64_t j = 0; j < n; ++j) {
      double rounded = b[j], exact = b[j], magnitude = std::fabs(b[j]);
      for (int64_t q = 0; q < k; ++q) {
        rounded += double(roundToBF16(x[i * k + q])) *
                   double(roundToBF16(w[q * n + j]));
        exact += double(x[i * k + q]) * double(w[q * n + j]);
        magnitude += std::fabs(double(x[i * k + q]) * double(w[q * n + j]));
      }
      // f32 sums of k terms: within k ulps of the magnitude.
      ASSERT_NEAR(y[i * n + j], rounded, 1e-6 * magnitude * k / 8 + 1e-6)
          << "row " << i << " column " << j;
      worstF32 = std::max(worstF32, std::fabs(y[i * n + j] - exact));
    }
  // The operands really were rounded (an f32 matmul would be exact here to
  // about 1e-6).
  EXPECT_GT(worstF32, 1e-3);
}

TEST(BF16Test, TrainStepFollowsF32) {
  if (!hasBF16())
    GTEST_SKIP() << "this CPU has no AVX512-BF16 dot products";
  // Forward 48 -> 32 (bf16), the 10-class layer (f32), and dX through
  // the 10-class layer's weight, read transposed (bf16: K = 10, N = 32).
  std::string source = R"(mlc.model @t {
  %x = mlc.input "x" : tensor<?x48xf32>
  %h = mlc.dense %x {units = 32, activation = #mlc.act<tanh>} : tensor<?x48xf32> -> tensor<?x32xf32>
  %y = mlc.dense %h {units = 10, activation = #mlc.act<softmax>} : tensor<?x32xf32> -> tensor<?x10xf32>
  mlc.output %y : tensor<?x10xf32>
} {loss = #mlc.loss<sparse_categorical_crossentropy>, optimizer = #mlc.sgd<learning_rate = 0.5>})";
  const int64_t batch = 13;
  std::vector<Floats> start, moved[2];
  for (bool bf16 : {false, true}) {
    auto jit = compile(source, bf16);
    ASSERT_TRUE(jit);
    const ModelSignature &sig = jit->signature();
    std::vector<Floats> &params = moved[bf16];
    std::vector<float *> ptrs;
    for (const TensorSpec &p : sig.params) {
      params.emplace_back(p.numElements(0));
      ptrs.push_back(params.back().data());
    }
    ASSERT_FALSE(bool(initializeParams(sig, 5, ptrs)));
    if (!bf16)
      for (const Floats &p : params)
        start.emplace_back(p.begin(), p.end());
    Floats x(batch * 48);
    fill(x, 9, 2.0f);
    runtime::AlignedVector<int32_t> labels(batch);
    for (int64_t i = 0; i < batch; ++i)
      labels[i] = int32_t((i * 3) % 10);
    llvm::Error err =
        test::trainSteps(*jit, ptrs, {}, x.data(), labels.data(), batch, 1);
    ASSERT_FALSE(bool(err)) << llvm::toString(std::move(err));
  }
  for (size_t p = 0; p < start.size(); ++p) {
    double diff = 0, norm = 0;
    for (size_t i = 0; i < start[p].size(); ++i) {
      double d32 = moved[0][p][i] - start[p][i];
      double d16 = moved[1][p][i] - start[p][i];
      diff += (d16 - d32) * (d16 - d32);
      norm += d32 * d32;
    }
    ASSERT_GT(norm, 0) << "param " << p;
    EXPECT_LT(std::sqrt(diff / norm), 0.03) << "param " << p;
  }
}

} // namespace
