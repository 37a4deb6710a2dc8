//===- OpsJITTest.cpp - every op, JIT-compiled, against plain C++ ---------===//
//
// Each test writes a one-op model, compiles it through the whole CPU
// pipeline, runs `predict` at several batch sizes and compares with a
// reference written as plain loops in double precision. Feature sizes are
// chosen not to be multiples of the vector width (1, 7, 10, 33, 129).
// Tolerance: |got - want| <= 1e-5 * max(1, |want|) unless stated.
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

//===----------------------------------------------------------------------===//

struct UnaryCase {
  const char *op;
  double lo, hi;
  std::function<double(double)> ref;
};

TEST_F(OpsJITTest, UnaryOps) {
  const UnaryCase cases[] = {
      {"neg", -3, 3, [](double x) { return -x; }},
      {"exp", -10, 10, [](double x) { return std::exp(x); }},
      {"log", 1e-3, 50, [](double x) { return std::log(x); }},
      {"sqrt", 0, 50, [](double x) { return std::sqrt(x); }},
      {"relu", -3, 3, [](double x) { return x > 0 ? x : 0; }},
      // Far beyond the range where exp overflows in f32.
      {"sigmoid", -120, 120, [](double x) { return 1 / (1 + std::exp(-x)); }},
      {"tanh", -100, 100, [](double x) { return std::tanh(x); }},
  };
  for (const UnaryCase &c : cases) {
    for (int64_t n : {7, 129}) {
      std::string type = dims({-1, n});
      auto jit = compile(model(
          {{-1, n}}, "%r = mlc." + std::string(c.op) + " %a : " + type, type));
      ASSERT_TRUE(jit);
      for (int64_t batch : {1, 10}) {
        Tensor a = make({batch, n}, c.lo, c.hi, 1);
        std::vector<double> want;
        for (float x : a.f)
          want.push_back(c.ref(x));
        expectNear(run(*jit, {a}, batch)[0], want,
                   std::string(c.op) + " n=" + std::to_string(n), 2e-5);
      }
    }
  }
}

/// Distance between two floats in units in the last place.
int64_t ulps(float a, float b) {
  auto key = [](float f) {
    int32_t i;
    std::memcpy(&i, &f, 4);
    return i < 0 ? int64_t(INT32_MIN) - i : int64_t(i);
  };
  return std::llabs(key(a) - key(b));
}

// exp and log are inline polynomials (mlc-approximate-math), not libm
// calls: over their whole finite range exp stays within 4 units in the
// last place of the correctly rounded result (the worst is near the top of
// the range) and log within 2, and special values keep their meaning.
TEST_F(OpsJITTest, ExpAndLogAcrossTheirRange) {
  const int64_t n = 1 << 16;
  for (const char *op : {"exp", "log"}) {
    std::string type = dims({-1, 64});
    auto jit = compile(model(
        {{-1, 64}}, "%r = mlc." + std::string(op) + " %a : " + type, type));
    ASSERT_TRUE(jit);
    bool isExp = std::string(op) == "exp";
    Tensor a;
    a.shape = {n / 64, 64};
    for (int64_t i = 0; i < n; ++i) {
      double t = double(i) / double(n - 1);
      // exp: [-87.3, 88.7] (normal results); log: 2^-126 .. 2^127.
      a.f.push_back(isExp ? float(-87.3 + t * (88.7 + 87.3))
                          : float(std::ldexp(1.0, -126 + int(t * 252)) *
                                  (1.0 + 0.999 * std::fmod(t * 7919.0, 1.0))));
    }
    Tensor got = run(*jit, {a}, n / 64)[0];
    int64_t worst = 0;
    float worstAt = 0;
    for (int64_t i = 0; i < n; ++i) {
      float want =
          float(isExp ? std::exp(double(a.f[i])) : std::log(double(a.f[i])));
      int64_t u = ulps(got.f[i], want);
      if (u > worst)
        worst = u, worstAt = a.f[i];
    }
    EXPECT_LE(worst, isExp ? 4 : 2)
        << op << " is " << worst << " ulp off at " << worstAt;

    const float inf = INFINITY;
    std::vector<std::pair<float, float>> special =
        isExp ? std::vector<std::pair<float, float>>{{-inf, 0.0f},
                                                     {inf, inf},
                                                     {-200.0f, 0.0f},
                                                     {200.0f, inf},
                                                     {0.0f, 1.0f}}
              : std::vector<std::pair<float, float>>{
                    {0.0f, -inf}, {inf, inf}, {1.0f, 0.0f}};
    Tensor s;
    s.shape = {1, 64};
    s.f.assign(64, 1.0f);
    for (size_t i = 0; i < special.size(); ++i)
      s.f[i] = special[i].first;
    s.f[special.size()] = NAN;
    if (!isExp)
      s.f[special.size() + 1] = -1.0f;
    Tensor r = run(*jit, {s}, 1)[0];
    for (size_t i = 0; i < special.size(); ++i)
      EXPECT_EQ(r.f[i], special[i].second)
          << op << "(" << special[i].first << ")";
    EXPECT_TRUE(std::isnan(r.f[special.size()])) << op << "(nan)";
    if (!isExp) {
      EXPECT_TRUE(std::isnan(r.f[special.size() + 1])) << "log(-1)";
    }
  }
}

// GELU's exact form computes erf inline too (mlc-approximate-math). In
// float32, 1 + erf(x) cancels for x below about -3 whatever computes erf
// (Keras's formula does the same), so the bound is absolute: within
// 4e-7 max(1, |x|) of the double-precision formula over [-10, 10].
TEST_F(OpsJITTest, GeluErfIsAccurate) {
  const int64_t n = 1 << 14;
  std::string type = dims({-1, 64});
  auto jit = compile(model({{-1, 64}}, "%r = mlc.gelu %a : " + type, type));
  ASSERT_TRUE(jit);
  Tensor a;
  a.shape = {n / 64, 64};
  for (int64_t i = 0; i < n; ++i)
    a.f.push_back(float(-10.0 + 20.0 * double(i) / double(n - 1)));
  Tensor got = run(*jit, {a}, n / 64)[0];
  double worst = 0;
  float worstAt = 0;
  for (int64_t i = 0; i < n; ++i) {
    double x = a.f[i];
    double want = 0.5 * x * (1.0 + std::erf(x / std::sqrt(2.0)));
    double err = std::abs(got.f[i] - want) / std::max(1.0, std::abs(x));
    if (err > worst)
      worst = err, worstAt = a.f[i];
  }
  EXPECT_LE(worst, 4e-7) << "gelu is off by " << worst << " at " << worstAt;
}

TEST_F(OpsJITTest, BinaryOpsBroadcast) {
  struct Case {
    const char *op;
    std::function<double(double, double)> ref;
  };
  const Case cases[] = {
      {"add", [](double x, double y) { return x + y; }},
      {"sub", [](double x, double y) { return x - y; }},
      {"mul", [](double x, double y) { return x * y; }},
      {"div", [](double x, double y) { return x / y; }},
  };
  const int64_t n = 33;
  for (const Case &c : cases) {
    // (batch, n) with (n): the row broadcasts over the batch.
    auto rowJit = compile(model({{-1, n}, {n}},
                                "%r = mlc." + std::string(c.op) +
                                    " %a, %b : (" + dims({-1, n}) + ", " +
                                    dims({n}) + ") -> " + dims({-1, n}),
                                dims({-1, n})));
    // (batch, 1) with (1, n): both stretch.
    auto outerJit = compile(model({{-1, 1}, {1, n}},
                                  "%r = mlc." + std::string(c.op) +
                                      " %a, %b : (" + dims({-1, 1}) + ", " +
                                      dims({1, n}) + ") -> " + dims({-1, n}),
                                  dims({-1, n})));
    ASSERT_TRUE(rowJit && outerJit);
    for (int64_t batch : {1, 7}) {
      Tensor a = make({batch, n}, -2, 2, 2), b = make({n}, 0.5, 2, 3);
      std::vector<double> want;
      for (int64_t i = 0; i < batch; ++i)
        for (int64_t j = 0; j < n; ++j)
          want.push_back(c.ref(a.f[i * n + j], b.f[j]));
      expectNear(run(*rowJit, {a, b}, batch)[0], want,
                 std::string(c.op) + " row");

      Tensor col = make({batch, 1}, -2, 2, 4), row = make({1, n}, 0.5, 2, 5);
      want.clear();
      for (int64_t i = 0; i < batch; ++i)
        for (int64_t j = 0; j < n; ++j)
          want.push_back(c.ref(col.f[i], row.f[j]));
      expectNear(run(*outerJit, {col, row}, batch)[0], want,
                 std::string(c.op) + " outer");
    }
  }
}

//===----------------------------------------------------------------------===//
// Matmul
//===----------------------------------------------------------------------===//

} // namespace

/// (batch, k) x (k, n) compiled for `bits`-wide vectors (0: the host's),
/// against double-precision loops, for each batch size.
void mlc::test::OpsJITTest::checkMatmul(int64_t k, int64_t n, unsigned bits,
                                        std::initializer_list<int64_t> batches,
                                        uint32_t seed) {
  auto jit = compile(model({{-1, k}, {k, n}},
                           "%r = mlc.matmul %a, %b : (" + dims({-1, k}) + ", " +
                               dims({k, n}) + ") -> " + dims({-1, n}),
                           dims({-1, n})),
                     1, bits);
  ASSERT_TRUE(jit);
  for (int64_t batch : batches) {
    Tensor a = make({batch, k}, -1, 1, seed), b = make({k, n}, -1, 1, seed + 1);
    std::vector<double> want(batch * n, 0.0);
    for (int64_t i = 0; i < batch; ++i)
      for (int64_t j = 0; j < n; ++j)
        for (int64_t r = 0; r < k; ++r)
          want[i * n + j] += double(a.f[i * k + r]) * b.f[r * n + j];
    expectNear(run(*jit, {a, b}, batch)[0], want,
               "matmul k=" + std::to_string(k) + " n=" + std::to_string(n) +
                   " vector-bits=" + std::to_string(bits) +
                   " batch=" + std::to_string(batch),
               1e-4);
  }
}

namespace {

TEST_F(OpsJITTest, Matmul) {
  // k and n not multiples of the vector width.
  for (auto [k, n] : {std::pair<int64_t, int64_t>{129, 10}, {7, 33}, {1, 1}})
    checkMatmul(k, n, 0, {1, 7, 33}, 6);
}

// The register tiles for AVX2 (256-bit) and SSE/NEON (128-bit) vectors,
// run on this CPU: same results as the plain loops.
TEST_F(OpsJITTest, MatmulScheduleForEachVectorWidth) {
  for (unsigned bits : {128u, 256u, 512u})
    checkMatmul(33, 129, bits, {1, 7, 17}, 40);
}

TEST_F(OpsJITTest, MatmulTransposedAndBatched) {
  const int64_t k = 10, n = 7;
  // aᵀ · b with a (batch, k) and b (batch, n): the weight-gradient shape.
  auto tl = compile(model({{-1, k}, {-1, n}},
                          "%r = mlc.matmul %a, %b {transpose_lhs} : (" +
                              dims({-1, k}) + ", " + dims({-1, n}) + ") -> " +
                              dims({k, n}),
                          dims({k, n})));
  // a · bᵀ with b (n, k).
  auto tr = compile(model({{-1, k}, {n, k}},
                          "%r = mlc.matmul %a, %b {transpose_rhs} : (" +
                              dims({-1, k}) + ", " + dims({n, k}) + ") -> " +
                              dims({-1, n}),
                          dims({-1, n})));
  // (batch, 3, k) x (k, n): the rhs broadcasts over the batch dims.
  auto bm = compile(model({{-1, 3, k}, {k, n}},
                          "%r = mlc.matmul %a, %b : (" + dims({-1, 3, k}) +
                              ", " + dims({k, n}) + ") -> " + dims({-1, 3, n}),
                          dims({-1, 3, n})));
  ASSERT_TRUE(tl && tr && bm);
  for (int64_t batch : {1, 33}) {
    Tensor a = make({batch, k}, -1, 1, 8), b = make({batch, n}, -1, 1, 9);
    std::vector<double> want(k * n, 0.0);
    for (int64_t i = 0; i < k; ++i)
      for (int64_t j = 0; j < n; ++j)
        for (int64_t r = 0; r < batch; ++r)
          want[i * n + j] += double(a.f[r * k + i]) * b.f[r * n + j];
    expectNear(run(*tl, {a, b}, batch)[0], want, "transpose_lhs", 1e-4);

    Tensor w = make({n, k}, -1, 1, 10);
    want.assign(batch * n, 0.0);
    for (int64_t i = 0; i < batch; ++i)
      for (int64_t j = 0; j < n; ++j)
        for (int64_t r = 0; r < k; ++r)
          want[i * n + j] += double(a.f[i * k + r]) * w.f[j * k + r];
    expectNear(run(*tr, {a, w}, batch)[0], want, "transpose_rhs", 1e-4);

    Tensor x = make({batch, 3, k}, -1, 1, 11), m = make({k, n}, -1, 1, 12);
    want.assign(batch * 3 * n, 0.0);
    for (int64_t i = 0; i < batch * 3; ++i)
      for (int64_t j = 0; j < n; ++j)
        for (int64_t r = 0; r < k; ++r)
          want[i * n + j] += double(x.f[i * k + r]) * m.f[r * n + j];
    expectNear(run(*bm, {x, m}, batch)[0], want, "batched", 1e-4);
  }
}

//===----------------------------------------------------------------------===//
// Softmax and reductions
//===----------------------------------------------------------------------===//

TEST_F(OpsJITTest, SoftmaxIsStable) {
  const int64_t n = 10;
  auto sm = compile(model({{-1, n}}, "%r = mlc.softmax %a : " + dims({-1, n}),
                          dims({-1, n})));
  auto lsm = compile(model(
      {{-1, n}}, "%r = mlc.log_softmax %a : " + dims({-1, n}), dims({-1, n})));
  auto sm0 = compile(model({{-1, n}},
                           "%r = mlc.softmax %a {axis = 0} : " + dims({-1, n}),
                           dims({-1, n})));
  ASSERT_TRUE(sm && lsm && sm0);
  for (int64_t batch : {1, 7}) {
    // Logits of ±500 overflow a naive exp in f32.
    Tensor a = make({batch, n}, -500, 500, 13);
    std::vector<double> soft, logSoft, soft0(batch * n);
    for (int64_t i = 0; i < batch; ++i) {
      double m = -INFINITY, s = 0;
      for (int64_t j = 0; j < n; ++j)
        m = std::max(m, double(a.f[i * n + j]));
      for (int64_t j = 0; j < n; ++j)
        s += std::exp(a.f[i * n + j] - m);
      for (int64_t j = 0; j < n; ++j) {
        soft.push_back(std::exp(a.f[i * n + j] - m) / s);
        logSoft.push_back(a.f[i * n + j] - m - std::log(s));
      }
    }
    for (int64_t j = 0; j < n; ++j) {
      double m = -INFINITY, s = 0;
      for (int64_t i = 0; i < batch; ++i)
        m = std::max(m, double(a.f[i * n + j]));
      for (int64_t i = 0; i < batch; ++i)
        s += std::exp(a.f[i * n + j] - m);
      for (int64_t i = 0; i < batch; ++i)
        soft0[i * n + j] = std::exp(a.f[i * n + j] - m) / s;
    }
    expectNear(run(*sm, {a}, batch)[0], soft, "softmax");
    expectNear(run(*lsm, {a}, batch)[0], logSoft, "log_softmax");
    expectNear(run(*sm0, {a}, batch)[0], soft0, "softmax axis 0");
  }
}

TEST_F(OpsJITTest, Reductions) {
  const int64_t n = 33;
  auto sum1 =
      compile(model({{-1, n}},
                    "%r = mlc.reduce_sum %a axes = [1] : " + dims({-1, n}) +
                        " -> " + dims({-1}),
                    dims({-1})));
  auto mean0 = compile(model({{-1, n}},
                             "%r = mlc.reduce_mean %a axes = [0] keepdims : " +
                                 dims({-1, n}) + " -> " + dims({1, n}),
                             dims({1, n})));
  auto maxAll = compile(model(
      {{-1, n}},
      "%r = mlc.reduce_max %a axes = [] : " + dims({-1, n}) + " -> " + dims({}),
      dims({})));
  auto maxKeep =
      compile(model({{-1, 4, 7}},
                    "%r = mlc.reduce_max %a axes = [-1, 0] keepdims : " +
                        dims({-1, 4, 7}) + " -> " + dims({1, 4, 1}),
                    dims({1, 4, 1})));
  ASSERT_TRUE(sum1 && mean0 && maxAll && maxKeep);
  for (int64_t batch : {1, 10}) {
    Tensor a = make({batch, n}, -5, 5, 14);
    std::vector<double> rowSum(batch, 0.0), colMean(n, 0.0);
    double mx = -INFINITY;
    for (int64_t i = 0; i < batch; ++i)
      for (int64_t j = 0; j < n; ++j) {
        rowSum[i] += a.f[i * n + j];
        colMean[j] += a.f[i * n + j] / double(batch);
        mx = std::max(mx, double(a.f[i * n + j]));
      }
    expectNear(run(*sum1, {a}, batch)[0], rowSum, "reduce_sum", 1e-5);
    expectNear(run(*mean0, {a}, batch)[0], colMean, "reduce_mean", 1e-5);
    expectNear(run(*maxAll, {a}, batch)[0], {mx}, "reduce_max");

    Tensor c = make({batch, 4, 7}, -5, 5, 15);
    std::vector<double> want(4, -INFINITY);
    for (int64_t i = 0; i < batch; ++i)
      for (int64_t j = 0; j < 4; ++j)
        for (int64_t k = 0; k < 7; ++k)
          want[j] = std::max(want[j], double(c.f[(i * 4 + j) * 7 + k]));
    expectNear(run(*maxKeep, {c}, batch)[0], want, "reduce_max keepdims");
  }
}

//===----------------------------------------------------------------------===//
// Shape ops and constants
//===----------------------------------------------------------------------===//

TEST_F(OpsJITTest, ShapeOps) {
  auto reshape = compile(model({{-1, 4, 6}},
                               "%r = mlc.reshape %a : " + dims({-1, 4, 6}) +
                                   " -> " + dims({-1, 2, 12}),
                               dims({-1, 2, 12})));
  auto transpose =
      compile(model({{-1, 7}},
                    "%r = mlc.transpose %a perm = [1, 0] : " + dims({-1, 7}) +
                        " -> " + dims({7, -1}),
                    dims({7, -1})));
  auto bcast = compile(model(
      {{-1, 10}},
      "%c = mlc.constant dense<[1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0, 8.0, 9.0, "
      "10.0]> : tensor<10xf32>\n  %s = mlc.broadcast_to %c : tensor<10xf32> "
      "-> tensor<3x10xf32>\n  %t = mlc.reduce_sum %s axes = [0] : "
      "tensor<3x10xf32> -> tensor<10xf32>\n  %r = mlc.add %a, %t : (" +
          dims({-1, 10}) + ", tensor<10xf32>) -> " + dims({-1, 10}),
      dims({-1, 10})));
  ASSERT_TRUE(reshape && transpose && bcast);
  for (int64_t batch : {1, 7}) {
    Tensor a = make({batch, 4, 6}, -1, 1, 16);
    std::vector<double> same(a.f.begin(), a.f.end());
    expectNear(run(*reshape, {a}, batch)[0], same, "reshape", 0);

    Tensor t = make({batch, 7}, -1, 1, 17);
    std::vector<double> want;
    for (int64_t j = 0; j < 7; ++j)
      for (int64_t i = 0; i < batch; ++i)
        want.push_back(t.f[i * 7 + j]);
    expectNear(run(*transpose, {t}, batch)[0], want, "transpose", 0);

    Tensor x = make({batch, 10}, -1, 1, 18);
    want.clear();
    for (int64_t i = 0; i < batch; ++i)
      for (int64_t j = 0; j < 10; ++j)
        want.push_back(x.f[i * 10 + j] + 3.0 * (j + 1));
    expectNear(run(*bcast, {x}, batch)[0], want, "constant+broadcast_to");
  }
}

//===----------------------------------------------------------------------===//
// Losses
//===----------------------------------------------------------------------===//

} // namespace
