//===- RuntimeTest.cpp - initializers, schedules, batches -----------------===//

#include "compiler/Driver/Driver.h"
#include "runtime/Batch.h"
#include "runtime/HugePages.h"
#include "runtime/Initializers.h"
#include "runtime/LearningRate.h"

#include "mlir/Parser/Parser.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <vector>

using namespace mlc;
using runtime::InitDistribution;

namespace {

std::vector<float> draw(const InitDistribution &d, uint64_t seed,
                        const char *name, int64_t n = 100000) {
  std::vector<float> v(n);
  runtime::initialize(v.data(), n, d, seed, name);
  return v;
}

void moments(const std::vector<float> &v, double &mean, double &var) {
  mean = var = 0;
  for (float x : v)
    mean += x;
  mean /= v.size();
  for (float x : v)
    var += (x - mean) * (x - mean);
  var /= v.size();
}

TEST(RuntimeTest, InitializationIsDeterministicPerSeedAndName) {
  InitDistribution u{InitDistribution::Kind::Uniform, -0.1, 0.1};
  auto a = draw(u, 0, "dense.kernel"), b = draw(u, 0, "dense.kernel");
  EXPECT_EQ(0, std::memcmp(a.data(), b.data(), a.size() * 4));
  EXPECT_NE(a, draw(u, 1, "dense.kernel"));
  EXPECT_NE(a, draw(u, 0, "dense_1.kernel"));
}

TEST(RuntimeTest, DistributionsHaveTheirMoments) {
  double mean, var;
  // Uniform in [-l, l): variance l^2 / 3.
  const double l = std::sqrt(6.0 / (784 + 128));
  auto u = draw({InitDistribution::Kind::Uniform, -l, l}, 3, "u");
  for (float x : u)
    ASSERT_TRUE(x >= -l && x < l);
  moments(u, mean, var);
  EXPECT_NEAR(mean, 0, 0.01 * l);
  EXPECT_NEAR(var, l * l / 3, 0.02 * l * l / 3);

  auto n = draw({InitDistribution::Kind::Normal, 1.0, 0.5}, 3, "n");
  moments(n, mean, var);
  EXPECT_NEAR(mean, 1.0, 0.01);
  EXPECT_NEAR(var, 0.25, 0.02 * 0.25);

  // Truncated at 2 stddev: variance 0.7737 of the untruncated one.
  auto t = draw({InitDistribution::Kind::TruncatedNormal, 0.0, 0.1}, 3, "t");
  for (float x : t)
    ASSERT_LE(std::abs(x), 0.2f + 1e-7f);
  moments(t, mean, var);
  EXPECT_NEAR(var, 0.7737413 * 0.01, 0.02 * 0.01);

  for (float x : draw({InitDistribution::Kind::Constant, 0.25, 0}, 3, "c", 10))
    EXPECT_EQ(x, 0.25f);
}

// Orthogonal (Keras's, for recurrent kernels): a tall matrix has
// orthonormal columns, a wide one orthonormal rows, times the gain; the
// unit forget bias is ones in the second quarter only.
TEST(RuntimeTest, OrthogonalAndForgetBiasInitializers) {
  auto gram = [](const std::vector<float> &m, int64_t rows, int64_t cols,
                 bool ofColumns, double gain) {
    int64_t n = ofColumns ? cols : rows, len = ofColumns ? rows : cols;
    double worst = 0;
    for (int64_t i = 0; i < n; ++i)
      for (int64_t j = 0; j < n; ++j) {
        double dot = 0;
        for (int64_t k = 0; k < len; ++k) {
          double a = ofColumns ? m[k * cols + i] : m[i * cols + k];
          double b = ofColumns ? m[k * cols + j] : m[j * cols + k];
          dot += a * b;
        }
        worst = std::max(worst, std::abs(dot - (i == j ? gain * gain : 0.0)));
      }
    return worst;
  };
  // Tall (16 x 4): rows = 16 given as `b`; wide (4 x 16).
  auto tall = draw({InitDistribution::Kind::Orthogonal, 1.0, 16}, 5, "r", 64);
  EXPECT_LT(gram(tall, 16, 4, /*ofColumns=*/true, 1.0), 1e-5);
  auto wide = draw({InitDistribution::Kind::Orthogonal, 2.0, 4}, 5, "r", 64);
  EXPECT_LT(gram(wide, 4, 16, /*ofColumns=*/false, 2.0), 1e-5);
  EXPECT_NE(tall,
            draw({InitDistribution::Kind::Orthogonal, 1.0, 16}, 6, "r", 64));
  auto bias = draw({InitDistribution::Kind::UnitForgetBias, 0, 0}, 5, "b", 16);
  for (int64_t i = 0; i < 16; ++i)
    EXPECT_EQ(bias[i], i >= 4 && i < 8 ? 1.0f : 0.0f) << i;
}

TEST(RuntimeTest, InitializeParamsFollowsTheModel) {
  auto context = createContext();
  auto module = mlir::parseSourceString<mlir::ModuleOp>(R"(
mlc.model @m {
  %x = mlc.input "x" : tensor<?x784xf32>
  %y = mlc.dense %x {units = 128} : tensor<?x784xf32> -> tensor<?x128xf32>
  mlc.output %y : tensor<?x128xf32>
})",
                                                        context.get());
  ASSERT_TRUE(module);
  auto jit = JITModel::compile(context, std::move(module));
  ASSERT_TRUE(bool(jit)) << llvm::toString(jit.takeError());
  const ModelSignature &sig = (*jit)->signature();
  std::vector<float> kernel(784 * 128, NAN), bias(128, NAN);
  ASSERT_FALSE(bool(initializeParams(sig, 7, {kernel.data(), bias.data()})));
  double limit = std::sqrt(6.0 / (784 + 128)), mean, var;
  moments(kernel, mean, var);
  EXPECT_NEAR(var, limit * limit / 3, 0.03 * limit * limit / 3);
  for (float b : bias)
    EXPECT_EQ(b, 0.0f);
  llvm::Error wrong = initializeParams(sig, 7, {kernel.data()});
  EXPECT_EQ(llvm::toString(std::move(wrong)), "init takes 2 params, got 1");
}

TEST(RuntimeTest, SignatureCarriesTheModelsSchedule) {
  auto context = createContext();
  auto module = mlir::parseSourceString<mlir::ModuleOp>(R"(
mlc.model @m {
  %x = mlc.input "x" : tensor<?x4xf32>
  mlc.output %x : tensor<?x4xf32>
} {loss = #mlc.loss<mse>, optimizer = #mlc.sgd<learning_rate = 0.5>,
   lr_schedule = #mlc.cosine_decay<decay_steps = 100, alpha = 0.2,
                                   warmup_steps = 10, warmup_target = 1.0>})",
                                                        context.get());
  ASSERT_TRUE(module);
  auto sig = materializeSignature(*module);
  ASSERT_TRUE(bool(sig)) << llvm::toString(sig.takeError());
  const runtime::LearningRateSchedule &s = sig->schedule;
  EXPECT_EQ(s.kind, runtime::LearningRateSchedule::Kind::CosineDecay);
  EXPECT_DOUBLE_EQ(s.initial, 0.5);
  EXPECT_DOUBLE_EQ(s.at(5), 0.75);                     // half-way up
  EXPECT_DOUBLE_EQ(s.at(60), 1.0 * (0.2 + 0.8 * 0.5)); // half-way down
  EXPECT_NEAR(s.at(1000), 0.2, 1e-15);

  // Without one the rate is constant; --lr-schedule replaces it.
  TrainingOverrides overrides;
  overrides.lrSchedule = "exponential_decay:decay_steps=10,decay_rate=0.5";
  ASSERT_FALSE(bool(applyOverrides(*module, overrides)));
  sig = materializeSignature(*module);
  ASSERT_TRUE(bool(sig)) << llvm::toString(sig.takeError());
  EXPECT_DOUBLE_EQ(sig->schedule.at(20), 0.125);
  // What checkpoints record reads back as the same schedule.
  runtime::LearningRateSchedule recorded = sig->schedule;
  overrides.lrSchedule = recorded.str();
  ASSERT_FALSE(bool(applyOverrides(*module, overrides)));
  sig = materializeSignature(*module);
  ASSERT_TRUE(bool(sig)) << llvm::toString(sig.takeError());
  EXPECT_EQ(sig->schedule.str(), recorded.str());
  overrides.lrSchedule = "cosine_decay:decay_steps=10,alpha=0,"
                         "warmup_steps=2,warmup_target=1e-3";
  ASSERT_FALSE(bool(applyOverrides(*module, overrides)));
  sig = materializeSignature(*module);
  ASSERT_TRUE(bool(sig)) << llvm::toString(sig.takeError());
  EXPECT_EQ(sig->schedule.str(), "cosine_decay:decay_steps=10,alpha=0,"
                                 "warmup_steps=2,warmup_target=0.001");
  overrides.lrSchedule = "constant";
  ASSERT_FALSE(bool(applyOverrides(*module, overrides)));
  sig = materializeSignature(*module);
  ASSERT_TRUE(bool(sig)) << llvm::toString(sig.takeError());
  EXPECT_DOUBLE_EQ(sig->schedule.at(20), 0.5);
}

// The streams as they were before the runtime core held them: a change
// here changes every model's initial weights.
TEST(RuntimeTest, InitializationDrawsThePinnedBits) {
  const float uniform[] = {-0x1.971de4p-5f, -0x1.421b6ap-4f, -0x1.1cfdf6p-6f},
              normal[] = {0x1.4c4e24p+0f, 0x1.9db234p-1f, 0x1.e9d10ap+0f},
              truncated[] = {0x1.e85a8p-5f, -0x1.3a928ep-5f, 0x1.761b42p-3f};
  auto u =
      draw({InitDistribution::Kind::Uniform, -0.1, 0.1}, 5, "dense.kernel", 3);
  auto n =
      draw({InitDistribution::Kind::Normal, 1.0, 0.5}, 5, "dense.kernel", 3);
  auto t = draw({InitDistribution::Kind::TruncatedNormal, 0.0, 0.1}, 5,
                "dense.kernel", 3);
  for (int i = 0; i < 3; ++i) {
    EXPECT_EQ(u[i], uniform[i]) << i;
    EXPECT_EQ(n[i], normal[i]) << i;
    EXPECT_EQ(t[i], truncated[i]) << i;
  }
}

// The orders `mlc train` shuffled its epochs in before runtime::shuffle
// (tools/mlc/Train.cpp's own splitmix64 and Fisher-Yates).
TEST(RuntimeTest, ShuffleGivesTheTrainersOrders) {
  std::vector<int64_t> order(10, -1);
  runtime::shuffle(order, 0, 0);
  EXPECT_EQ(order, (std::vector<int64_t>{4, 2, 8, 1, 9, 3, 0, 6, 7, 5}));
  runtime::shuffle(order, 42, 3);
  EXPECT_EQ(order, (std::vector<int64_t>{6, 9, 7, 0, 5, 4, 2, 1, 8, 3}));
  std::vector<int64_t> mnist(60000);
  runtime::shuffle(mnist, 7, 1);
  EXPECT_EQ(std::vector<int64_t>(mnist.begin(), mnist.begin() + 10),
            (std::vector<int64_t>{50246, 39684, 32244, 14325, 29092, 19537,
                                  21732, 25477, 22948, 6247}));
  EXPECT_EQ(mnist.back(), 54755);
  std::sort(mnist.begin(), mnist.end());
  for (int64_t i = 0; i < 60000; ++i)
    ASSERT_EQ(mnist[i], i);
  std::vector<int64_t> none;
  runtime::shuffle(none, 1, 1);
  EXPECT_TRUE(none.empty());
}

TEST(RuntimeTest, LearningRateSchedules) {
  // Expected values are Keras 3's formulas (keras.optimizers.schedules)
  // evaluated by hand.
  runtime::LearningRateSchedule s;
  s.initial = 0.1;
  EXPECT_DOUBLE_EQ(s.at(0), 0.1);
  EXPECT_DOUBLE_EQ(s.at(1000), 0.1);
  EXPECT_EQ(s.str(), "constant");

  s.kind = runtime::LearningRateSchedule::Kind::ExponentialDecay;
  s.decaySteps = 10;
  s.decayRate = 0.5;
  EXPECT_DOUBLE_EQ(s.at(0), 0.1);
  EXPECT_DOUBLE_EQ(s.at(5), 0.1 * std::sqrt(0.5)); // not floored
  EXPECT_DOUBLE_EQ(s.at(20), 0.025);
  s.staircase = true;
  EXPECT_DOUBLE_EQ(s.at(9), 0.1);
  EXPECT_DOUBLE_EQ(s.at(10), 0.05);
  EXPECT_DOUBLE_EQ(s.at(25), 0.025);
  EXPECT_EQ(s.str(),
            "exponential_decay:decay_steps=10,decay_rate=0.5,staircase=true");

  s.kind = runtime::LearningRateSchedule::Kind::CosineDecay;
  s.decaySteps = 100;
  s.alpha = 0.1;
  EXPECT_DOUBLE_EQ(s.at(0), 0.1);
  EXPECT_NEAR(s.at(50), 0.1 * (0.1 + 0.9 * 0.5), 1e-15);
  EXPECT_NEAR(s.at(100), 0.01, 1e-15);
  EXPECT_NEAR(s.at(500), 0.01, 1e-15);

  // Warm-up from the initial rate to the target, then the cosine from the
  // target over decay_steps more steps.
  s.warmupSteps = 4;
  s.warmupTarget = 0.5;
  EXPECT_DOUBLE_EQ(s.at(0), 0.1);
  EXPECT_DOUBLE_EQ(s.at(2), 0.3);
  EXPECT_DOUBLE_EQ(s.at(4), 0.5);
  EXPECT_NEAR(s.at(54), 0.5 * (0.1 + 0.9 * 0.5), 1e-15);
  EXPECT_NEAR(s.at(104), 0.05, 1e-15);
  EXPECT_NEAR(s.at(1000), 0.05, 1e-15);
  EXPECT_EQ(s.str(), "cosine_decay:decay_steps=100,alpha=0.1,"
                     "warmup_steps=4,warmup_target=0.5");

  EXPECT_NEAR(runtime::adamStepSize(1e-3, 0.9, 0.999, 0),
              1e-3 * std::sqrt(0.001) / 0.1, 1e-15);
}

} // namespace

TEST(RuntimeTest, HugePageVectorsHoldTheirData) {
  // Large blocks are 2 MiB aligned (so the kernel can back them with huge
  // pages); small ones come from malloc. Both keep what is written.
  for (size_t n : {size_t(100), size_t(5) << 20}) {
    std::vector<uint8_t, mlc::runtime::HugePageAllocator<uint8_t>> v(n);
    for (size_t i = 0; i < n; ++i)
      v[i] = uint8_t(i * 7);
    if (n >= (size_t(2) << 20)) {
      EXPECT_EQ(reinterpret_cast<uintptr_t>(v.data()) % (size_t(2) << 20), 0u);
    }
    size_t bad = 0;
    for (size_t i = 0; i < n; ++i)
      bad += v[i] != uint8_t(i * 7);
    EXPECT_EQ(bad, 0u) << n;
    v.resize(n + 4096); // grows by copying into a new block
    EXPECT_EQ(v[n - 1], uint8_t((n - 1) * 7));
  }
}

// loadBatch walks an order in batches, the last one partial: each batch
// is its samples in order, each pixel (p / 255 - shift) * scale rounded as
// the plain expression rounds (on this CPU's clone of gatherBatch), with
// their labels. Prefetching is only a hint and changes nothing.
TEST(RuntimeTest, LoadBatchConvertsSamplesInOrder) {
  runtime::Dataset set;
  const int64_t n = 50, rows = 28, cols = 28, size = rows * cols;
  set.images.dims = {n, rows, cols};
  set.labels.dims = {n};
  for (int64_t i = 0; i < n * size; ++i)
    set.images.data.push_back(uint8_t((i * 131 + i / size) & 255));
  for (int64_t i = 0; i < n; ++i)
    set.labels.data.push_back(uint8_t(i % 10));
  const std::vector<int64_t> order = {49, 0, 17, 17, 3, 42, 8};
  const int64_t batch = 3;
  for (auto [shift, scale] :
       {std::pair<float, float>{0.0f, 1.0f}, {0.1307f, 1.0f / 0.3081f}}) {
    std::vector<int64_t> sizes;
    for (int64_t begin = 0; begin < int64_t(order.size()); begin += batch) {
      std::vector<float> x(batch * size, -1.0f);
      std::vector<int32_t> y(batch, -1);
      int64_t b = runtime::loadBatch(set, order, begin, batch, shift, scale,
                                     x.data(), y.data());
      sizes.push_back(b);
      for (int64_t i = 0; i < b; ++i) {
        int64_t item = order[begin + i];
        EXPECT_EQ(y[i], int32_t(item % 10));
        for (int64_t k = 0; k < size; ++k) {
          volatile float scaled =
              float(set.images.data[item * size + k]) * (1.0f / 255.0f);
          volatile float shifted = scaled - shift;
          float want = shifted * scale;
          ASSERT_EQ(x[i * size + k], want)
              << "sample " << item << " pixel " << k;
        }
      }
      // Nothing past the batch is written.
      for (int64_t i = b; i < batch; ++i)
        EXPECT_EQ(y[i], -1);
    }
    EXPECT_EQ(sizes, (std::vector<int64_t>{3, 3, 1}));
  }
}
