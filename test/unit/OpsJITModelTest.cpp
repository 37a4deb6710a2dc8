//===- OpsJITModelTest.cpp - losses and whole models, JIT-compiled --------===//
//
// Losses and the seed MLP against plain C++, and what holds for any model:
// thread counts do not change results, denormals flush while compiled code
// runs, predict checks its arguments. Tolerances as in OpsJITTest.cpp.
//
//===----------------------------------------------------------------------===//

#include "OpsJIT.h"
#include "runtime/FloatMode.h"

#include "llvm/Support/MemoryBuffer.h"

#include <cfenv>
#include <cstring>
#include <functional>

using namespace mlc;
using namespace mlc::test;

namespace {

TEST_F(OpsJITTest, Losses) {
  const int64_t c = 10;
  const double eps = 1e-7;
  auto clip = [&](double p) { return std::min(std::max(p, eps), 1 - eps); };
  auto lossModel = [&](const char *op, const char *attr, const char *tElt,
                       std::vector<int64_t> tShape) {
    std::string t = dims(tShape, tElt);
    return compile(model({{-1, c}, tShape},
                         "%r = mlc." + std::string(op) + " %a, %b " + attr +
                             " : (" + dims({-1, c}) + ", " + t +
                             ") -> tensor<f32>",
                         "tensor<f32>", {"f32", tElt}));
  };
  auto mse = lossModel("mse", "", "f32", {-1, c});
  auto cce = lossModel("categorical_crossentropy", "", "f32", {-1, c});
  auto cceLogits =
      lossModel("categorical_crossentropy", "{from_logits}", "f32", {-1, c});
  auto scce = lossModel("sparse_categorical_crossentropy", "", "i32", {-1});
  auto scceLogits = lossModel("sparse_categorical_crossentropy",
                              "{from_logits}", "i32", {-1});
  auto bce = lossModel("binary_crossentropy", "", "f32", {-1, c});
  auto bceLogits =
      lossModel("binary_crossentropy", "{from_logits}", "f32", {-1, c});
  ASSERT_TRUE(mse && cce && cceLogits && scce && scceLogits && bce &&
              bceLogits);

  for (int64_t batch : {1, 7, 33}) {
    Tensor probs = make({batch, c}, 0.0, 1.0, 19);
    probs.f[0] = 0.0f; // clipped, not log(0)
    Tensor logits = make({batch, c}, -60, 60, 20);
    Tensor target = make({batch, c}, 0.0, 1.0, 21);
    Tensor y = labels(batch, c, 3);
    double n = double(batch);

    double m = 0;
    for (int64_t k = 0; k < batch * c; ++k)
      m += std::pow(double(probs.f[k]) - target.f[k], 2);
    expectNear(run(*mse, {probs, target}, batch)[0], {m / (n * c)}, "mse");

    double ce = 0, ceLogits = 0, sce = 0, sceLogits = 0;
    for (int64_t i = 0; i < batch; ++i) {
      double rowSum = 0, clippedSum = 0, mx = -INFINITY, s = 0;
      for (int64_t j = 0; j < c; ++j) {
        rowSum += probs.f[i * c + j];
        clippedSum += clip(probs.f[i * c + j]);
        mx = std::max(mx, double(logits.f[i * c + j]));
      }
      for (int64_t j = 0; j < c; ++j)
        s += std::exp(logits.f[i * c + j] - mx);
      double lse = mx + std::log(s);
      for (int64_t j = 0; j < c; ++j) {
        ce -= target.f[i * c + j] * std::log(clip(probs.f[i * c + j] / rowSum));
        ceLogits -= target.f[i * c + j] * (logits.f[i * c + j] - lse);
      }
      // Keras: clip, then normalize (categorical: normalize, then clip).
      sce -= std::log(clip(probs.f[i * c + y.i[i]]) / clippedSum);
      sceLogits += lse - logits.f[i * c + y.i[i]];
    }
    expectNear(run(*cce, {probs, target}, batch)[0], {ce / n}, "cce");
    expectNear(run(*cceLogits, {logits, target}, batch)[0], {ceLogits / n},
               "cce logits");
    expectNear(run(*scce, {probs, y}, batch)[0], {sce / n}, "sparse cce");
    expectNear(run(*scceLogits, {logits, y}, batch)[0], {sceLogits / n},
               "sparse cce logits");

    double b = 0, bLogits = 0;
    for (int64_t k = 0; k < batch * c; ++k) {
      double p = clip(probs.f[k]), t = target.f[k], z = logits.f[k];
      b -= t * std::log(p) + (1 - t) * std::log(1 - p);
      bLogits += std::max(z, 0.0) - z * t + std::log1p(std::exp(-std::abs(z)));
    }
    expectNear(run(*bce, {probs, target}, batch)[0], {b / (n * c)}, "bce");
    expectNear(run(*bceLogits, {logits, target}, batch)[0], {bLogits / (n * c)},
               "bce logits");
  }
}

/// softmax(z) of one row, in double with the maximum subtracted.
std::vector<double> softmaxRow(const float *z, int64_t c, double &lse) {
  double mx = -INFINITY, s = 0;
  for (int64_t j = 0; j < c; ++j)
    mx = std::max(mx, double(z[j]));
  for (int64_t j = 0; j < c; ++j)
    s += std::exp(z[j] - mx);
  lse = mx + std::log(s);
  std::vector<double> p(c);
  for (int64_t j = 0; j < c; ++j)
    p[j] = std::exp(z[j] - lse);
  return p;
}

void expectFinite(const Tensor &t, const std::string &what) {
  for (int64_t k = 0; k < t.size(); ++k)
    ASSERT_TRUE(std::isfinite(t.f[k])) << what << " element " << k;
}

// Cross-entropies of a softmax or a sigmoid are computed, value and
// gradient, from the logits (as Keras with TensorFlow does): exact and
// finite at saturated logits (+-80), where clipped probabilities would give
// -log(1e-7) = 16.1 for a class of probability e^-160 and a gradient that
// does not belong to the loss. The softmax output itself is unchanged.
// Loss tolerance 1e-5 relative, gradients 1e-6 (f32).
TEST_F(OpsJITTest, CrossEntropiesOfSoftmaxAndSigmoidUseTheLogits) {
  const int64_t batch = 4, c = 4;
  auto jit = compile(R"(
mlc.model @m {
  %z = mlc.input "z" : tensor<?x4xf32>
  %y = mlc.input "y" : tensor<?xi32>
  %t = mlc.input "t" : tensor<?x4xf32>
  %p = mlc.softmax %z : tensor<?x4xf32>
  %s = mlc.sigmoid %z : tensor<?x4xf32>
  %ls = mlc.sparse_categorical_crossentropy %p, %y : (tensor<?x4xf32>, tensor<?xi32>) -> tensor<f32>
  %lc = mlc.categorical_crossentropy %p, %t : (tensor<?x4xf32>, tensor<?x4xf32>) -> tensor<f32>
  %lb = mlc.binary_crossentropy %s, %t : (tensor<?x4xf32>, tensor<?x4xf32>) -> tensor<f32>
  %gs = mlc.gradient %ls wrt %z : tensor<f32>, tensor<?x4xf32>
  %gc = mlc.gradient %lc wrt %z : tensor<f32>, tensor<?x4xf32>
  %gb = mlc.gradient %lb wrt %z : tensor<f32>, tensor<?x4xf32>
  mlc.output %ls, %gs, %lc, %gc, %lb, %gb, %p : tensor<f32>, tensor<?x4xf32>, tensor<f32>, tensor<?x4xf32>, tensor<f32>, tensor<?x4xf32>, tensor<?x4xf32>
})");
  ASSERT_TRUE(jit);
  Tensor z;
  z.shape = {batch, c};
  z.f = {80,  -80,  0,    5,   // the label's probability is e^-160
         -80, 80,   80,   -80, // two tied classes
         1.5, -0.5, 0.25, 2,   //
         -80, -80,  -80,  -80};
  Tensor y;
  y.shape = {batch};
  y.i = {1, 2, 0, 3};
  Tensor t;
  t.shape = {batch, c};
  t.f = {0,   1, 0,   0, //
         0,   0, 1,   0, //
         0.5, 0, 0.5, 0, // soft targets
         0,   0, 0,   1};
  // Also at logits 100 times larger (+-8000): exp(-z) overflows f32.
  for (float scale : {1.0f, 100.0f}) {
    Tensor zs = z;
    for (float &v : zs.f)
      v *= scale;
    std::string at = " at scale " + std::to_string(int(scale));
    std::vector<Tensor> out = run(*jit, {zs, y, t}, batch);
    ASSERT_EQ(out.size(), 7u);

    double ls = 0, lc = 0, lb = 0;
    std::vector<double> gs, gc, gb, probs;
    for (int64_t i = 0; i < batch; ++i) {
      double lse;
      std::vector<double> p = softmaxRow(&zs.f[i * c], c, lse);
      double tSum = 0;
      for (int64_t j = 0; j < c; ++j)
        tSum += t.f[i * c + j];
      ls += lse - zs.f[i * c + y.i[i]];
      for (int64_t j = 0; j < c; ++j) {
        double zj = zs.f[i * c + j], tj = t.f[i * c + j];
        lc -= tj * (zj - lse);
        lb += std::max(zj, 0.0) - zj * tj + std::log1p(std::exp(-std::abs(zj)));
        gs.push_back((p[j] - (j == y.i[i])) / batch);
        gc.push_back((p[j] * tSum - tj) / batch);
        gb.push_back((1 / (1 + std::exp(-zj)) - tj) / (batch * c));
        probs.push_back(p[j]);
      }
    }
    // Rows 160, log 2, 1.1219, log 4: the mean is 40.80 (from clipped
    // probabilities it would be 4.83, row 0 giving 16.12).
    if (scale == 1) {
      EXPECT_NEAR(out[0].f[0], 40.80033, 1e-4);
    }
    for (int k : {1, 3, 5})
      expectFinite(out[k], "gradient " + std::to_string(k) + at);
    expectNear(out[0], {ls / batch}, "sparse loss" + at);
    expectNear(out[1], gs, "sparse gradient" + at, 1e-6);
    expectNear(out[2], {lc / batch}, "categorical loss" + at);
    expectNear(out[3], gc, "categorical gradient" + at, 1e-6);
    expectNear(out[4], {lb / (batch * c)}, "binary loss" + at);
    expectNear(out[5], gb, "binary gradient" + at, 1e-6);
    expectNear(out[6], probs, "softmax output" + at, 1e-6);
  }
}

// Sparse categorical cross-entropy of probabilities that do not sum to 1,
// some outside [1e-7, 1 - 1e-7]: Keras clips, then normalizes by the row
// sum of the clipped values (categorical cross-entropy normalizes first).
// The gradient is zero where the clip clamps. Tolerances 1e-5 (loss, f32)
// and 1e-6 (gradient).
TEST_F(OpsJITTest, SparseCrossEntropyNormalizesLikeKeras) {
  const int64_t batch = 3, c = 4;
  auto jit = compile(R"(
mlc.model @m {
  %p = mlc.input "p" : tensor<?x4xf32>
  %y = mlc.input "y" : tensor<?xi32>
  %l = mlc.sparse_categorical_crossentropy %p, %y : (tensor<?x4xf32>, tensor<?xi32>) -> tensor<f32>
  %g = mlc.gradient %l wrt %p : tensor<f32>, tensor<?x4xf32>
  mlc.output %l, %g : tensor<f32>, tensor<?x4xf32>
})");
  ASSERT_TRUE(jit);
  Tensor p;
  p.shape = {batch, c};
  p.f = {0.2f, 0.1f, 0.4f, 0.1f, // sums to 0.8
         0.0f, 1.2f, 0.3f, 0.5f, // 0 and 1.2 clipped
         0.5f, 0.5f, 0.5f, 0.5f};
  Tensor y;
  y.shape = {batch};
  y.i = {2, 1, 0};
  std::vector<Tensor> out = run(*jit, {p, y}, batch);
  const double eps = 1e-7;
  double loss = 0;
  std::vector<double> grad;
  for (int64_t i = 0; i < batch; ++i) {
    double s = 0;
    std::vector<double> pc(c);
    for (int64_t j = 0; j < c; ++j) {
      pc[j] = std::min(std::max(double(p.f[i * c + j]), eps), 1 - eps);
      s += pc[j];
    }
    loss -= std::log(pc[y.i[i]] / s);
    for (int64_t j = 0; j < c; ++j) {
      bool passed = pc[j] == double(p.f[i * c + j]);
      grad.push_back(passed ? (1 / s - (j == y.i[i]) / pc[j]) / batch : 0.0);
    }
  }
  expectNear(out[0], {loss / batch}, "loss");
  expectNear(out[1], grad, "gradient", 1e-6);
}

//===----------------------------------------------------------------------===//
// The seed model and the calling convention
//===----------------------------------------------------------------------===//

TEST_F(OpsJITTest, SeedMLPForward) {
  auto file = llvm::MemoryBuffer::getFile(MLC_EXAMPLES_DIR "/mnist_mlp.mlir");
  ASSERT_TRUE(bool(file)) << file.getError().message();
  auto jit = compile((*file)->getBuffer().str());
  ASSERT_TRUE(jit);
  const ModelSignature &sig = jit->signature();
  ASSERT_EQ(sig.params.size(), 4u);
  EXPECT_EQ(sig.params[0].name, "dense.kernel");
  EXPECT_EQ(sig.params[0].shapeString(), "[784, 128]");
  EXPECT_EQ(sig.inputs[0].shapeString(), "[?, 28, 28]");

  const int64_t batch = 33;
  Tensor w1 = make({784, 128}, -0.08, 0.08, 22),
         b1 = make({128}, -0.1, 0.1, 23);
  Tensor w2 = make({128, 10}, -0.2, 0.2, 24), b2 = make({10}, -0.1, 0.1, 25);
  Tensor x = make({batch, 28, 28}, 0, 1, 26);
  std::vector<double> want;
  for (int64_t i = 0; i < batch; ++i) {
    std::vector<double> h(128), z(10);
    for (int64_t j = 0; j < 128; ++j) {
      double acc = b1.f[j];
      for (int64_t k = 0; k < 784; ++k)
        acc += double(x.f[i * 784 + k]) * w1.f[k * 128 + j];
      h[j] = std::max(acc, 0.0);
    }
    double mx = -INFINITY, s = 0;
    for (int64_t j = 0; j < 10; ++j) {
      z[j] = b2.f[j];
      for (int64_t k = 0; k < 128; ++k)
        z[j] += h[k] * w2.f[k * 10 + j];
      mx = std::max(mx, z[j]);
    }
    for (int64_t j = 0; j < 10; ++j)
      s += std::exp(z[j] - mx);
    for (int64_t j = 0; j < 10; ++j)
      want.push_back(std::exp(z[j] - mx) / s);
  }
  expectNear(run(*jit, {w1, b1, w2, b2, x}, batch)[0], want, "mlp", 1e-5);
}

// Row tiles are shared among threads, but no value is combined across
// threads: any thread count gives the same bits.
TEST_F(OpsJITTest, ThreadCountDoesNotChangeResults) {
  const char *mlp = R"(
mlc.model @mnist_mlp {
  %x = mlc.input "image" : tensor<?x784xf32>
  %h = mlc.dense %x {units = 128, activation = #mlc.act<relu>} : tensor<?x784xf32> -> tensor<?x128xf32>
  %y = mlc.dense %h {units = 10, activation = #mlc.act<softmax>} : tensor<?x128xf32> -> tensor<?x10xf32>
  mlc.output %y : tensor<?x10xf32>
})";
  auto one = compile(mlp, 1), two = compile(mlp, 2);
  ASSERT_TRUE(one && two);
  for (int64_t batch : {5, 64, 203}) {
    Tensor w1 = make({784, 128}, -0.1, 0.1, 30),
           b1 = make({128}, -0.1, 0.1, 31);
    Tensor w2 = make({128, 10}, -0.3, 0.3, 32), b2 = make({10}, -0.1, 0.1, 33);
    Tensor x = make({batch, 784}, 0, 1, 34);
    Tensor y1 = run(*one, {w1, b1, w2, b2, x}, batch)[0];
    Tensor y2 = run(*two, {w1, b1, w2, b2, x}, batch)[0];
    ASSERT_EQ(y1.f.size(), y2.f.size());
    EXPECT_EQ(0, std::memcmp(y1.f.data(), y2.f.data(), y1.f.size() * 4))
        << "batch " << batch;
  }
}

// Products of 1e-20 and 1e-20 are denormal (1e-40 < 2^-126): flushed to
// zero by default, kept with flushDenormals off. Afterwards the caller's
// flush bits are as they were and the exception flags the code raised
// (inexact, underflow) are still raised. OpenMP workers (2 threads, a batch
// of several row tiles) flush too.
TEST_F(OpsJITTest, DenormalsFlushWhileCompiledCodeRuns) {
#if !defined(__x86_64__) && !defined(__aarch64__)
  GTEST_SKIP() << "mlc flushes denormals on x86 and AArch64 only";
#endif
  using runtime::ScopedFlushDenormals;
  auto flushBits = [] {
    return ScopedFlushDenormals::mode() & ScopedFlushDenormals::kFlushBits;
  };
  const int64_t k = 33, n = 40;
  std::string source = model({{-1, k}, {k, n}},
                             "%r = mlc.matmul %a, %b : (" + dims({-1, k}) +
                                 ", " + dims({k, n}) + ") -> " + dims({-1, n}),
                             dims({-1, n}));
  const int64_t batch = 64;
  Tensor a = make({batch, k}, 1e-20, 2e-20, 1);
  Tensor b = make({k, n}, 1e-20, 2e-20, 2);
  for (unsigned threads : {1u, 2u}) {
    auto flush = compile(source, threads);
    auto keep = compile(source, threads, 0, /*flushDenormals=*/false);
    ASSERT_TRUE(flush && keep);
    uint64_t before = flushBits();
    std::feclearexcept(FE_ALL_EXCEPT);
    Tensor flushed = run(*flush, {a, b}, batch)[0];
    EXPECT_EQ(before, flushBits()) << "the caller's flush bits changed";
    EXPECT_TRUE(std::fetestexcept(FE_INEXACT))
        << "the exception flags the code raised were cleared";
    Tensor kept = run(*keep, {a, b}, batch)[0];
    for (int64_t i = 0; i < batch * n; ++i) {
      ASSERT_EQ(flushed.f[i], 0.0f)
          << "threads " << threads << " element " << i;
      // 33 products of at least 1e-40 and below 4e-40: a denormal sum.
      ASSERT_EQ(std::fpclassify(kept.f[i]), FP_SUBNORMAL)
          << "threads " << threads << " element " << i << ": " << kept.f[i];
      ASSERT_GT(kept.f[i], 3e-39f);
    }
  }
}

TEST_F(OpsJITTest, PredictChecksItsArguments) {
  auto jit = compile(
      model({{-1, 7}}, "%r = mlc.relu %a : " + dims({-1, 7}), dims({-1, 7})));
  ASSERT_TRUE(jit);
  std::vector<float> in(14), out(14);
  auto message = [&](std::vector<BufferRef> buffers) {
    llvm::Error err = jit->predict(buffers);
    return err ? llvm::toString(std::move(err)) : std::string();
  };
  EXPECT_EQ(message({{in.data(), {2, 7}}, {out.data(), {2, 7}}}), "");
  EXPECT_EQ(message({{in.data(), {2, 7}}}),
            "predict takes 2 buffers (a, output 0), got 1");
  EXPECT_EQ(message({{in.data(), {2, 6}}, {out.data(), {2, 7}}}),
            "'a' has shape [2, 6], expected [?, 7]");
  EXPECT_EQ(message({{in.data(), {2, 7}}, {out.data(), {1, 7}}}),
            "'output 0' has batch size 1, but an earlier buffer has 2");
  EXPECT_EQ(message({{nullptr, {2, 7}}, {out.data(), {2, 7}}}),
            "'a' has no data");
}

// Batch and sequence length both dynamic: buffers agree position by
// position, and each position may have its own size.
TEST_F(OpsJITTest, SequenceDimensionsAgreeByPosition) {
  auto jit =
      compile(model({{-1, -1, 3}}, "%r = mlc.tanh %a : " + dims({-1, -1, 3}),
                    dims({-1, -1, 3})));
  ASSERT_TRUE(jit);
  std::vector<float> in(60), out(60, NAN);
  for (size_t i = 0; i < in.size(); ++i)
    in[i] = 0.1f * float(i % 7) - 0.3f;
  llvm::Error err =
      jit->predict({{in.data(), {4, 5, 3}}, {out.data(), {4, 5, 3}}});
  ASSERT_FALSE(bool(err)) << llvm::toString(std::move(err));
  for (size_t i = 0; i < in.size(); ++i)
    ASSERT_NEAR(out[i], std::tanh(in[i]), 1e-6) << "element " << i;
  err = jit->predict({{in.data(), {4, 5, 3}}, {out.data(), {4, 4, 3}}});
  ASSERT_TRUE(bool(err));
  EXPECT_EQ(llvm::toString(std::move(err)),
            "'output 0' has 4 in dynamic dimension 1, but an earlier buffer "
            "has 5");
}

} // namespace
