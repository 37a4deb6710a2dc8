//===- TrainingModeTest.cpp - dropout and batch norm, train vs inference --===//
//
// The ops that differ between train_step and predict/eval_step, run
// through the whole CPU pipeline and checked against plain C++:
//   - dropout: predict passes the input through; a train step zeroes about
//     `rate` of the elements (within 4 standard deviations of the binomial)
//     and scales the rest by exactly 1 / (1 - rate); the mask changes from
//     step to step, and two runs from the same state give the same masks.
//   - batch norm: a train step normalizes each channel with the batch's
//     mean and biased variance and moves the moving statistics by
//     momentum; predict normalizes with the moving statistics. Tolerance
//     1e-4 relative (f32 sums of 4 x 6 x 6 elements).
//
//===----------------------------------------------------------------------===//

#include "TrainSteps.h"

#include "mlir/Parser/Parser.h"

#include <gtest/gtest.h>

#include <cmath>

using namespace mlc;

namespace {

using test::compileModel;

/// Params and optimizer states of `jit`, zero-initialized buffers.
struct State {
  std::vector<std::vector<float>> params, states;
  explicit State(const ModelSignature &sig) {
    for (const TensorSpec &p : sig.params)
      params.emplace_back(p.numElements(1), 0.0f);
    for (const TensorSpec &s : sig.states)
      states.emplace_back(s.numElements(1), 0.0f);
  }
  std::vector<float *> paramPtrs() {
    std::vector<float *> v;
    for (auto &p : params)
      v.push_back(p.data());
    return v;
  }
  std::vector<float *> statePtrs() {
    std::vector<float *> v;
    for (auto &s : states)
      v.push_back(s.data());
    return v;
  }
};

/// One train step of `jit` with learning rate 0 (the models here have
/// nothing to train, or their params are checked unchanged) on `x`, the
/// float targets `target`; the predictions go to `out`.
void trainStepWithoutUpdates(JITModel &jit, State &s, std::vector<float> &x,
                             std::vector<float> &target,
                             std::vector<float> &out, int64_t batch) {
  float rate = 0, stepSize = 0, loss = 0;
  StepBuffers step;
  step.params = s.paramPtrs();
  step.states = s.statePtrs();
  step.learningRate = &rate;
  step.stepSize = &stepSize;
  step.input = x.data();
  step.labels = target.data();
  step.loss = &loss;
  step.predictions = out.data();
  llvm::Error err =
      jit.trainStep(stepArguments(jit.signature(), step, batch, true));
  ASSERT_FALSE(bool(err)) << llvm::toString(std::move(err));
}

int64_t paramIndex(const ModelSignature &sig, const std::string &name) {
  for (size_t i = 0; i < sig.params.size(); ++i)
    if (sig.params[i].name == name)
      return int64_t(i);
  ADD_FAILURE() << "no param " << name;
  return 0;
}

// The model's output is the dropout itself: a train step's predictions
// are its training form (the learning rate passed is 0; the model has no
// trainable params anyway).
const char *kDropoutModel = R"(
mlc.model @drop {
  %x = mlc.input "x" : tensor<?x1000xf32>
  %d = mlc.dropout %x {rate = 0.3} : tensor<?x1000xf32>
  mlc.output %d : tensor<?x1000xf32>
} {loss = #mlc.loss<mse>, optimizer = #mlc.sgd<learning_rate = 0.001>}
)";

TEST(TrainingModeTest, DropoutMasksInTrainingOnly) {
  auto jit = compileModel(kDropoutModel);
  ASSERT_TRUE(jit);
  const ModelSignature &sig = jit->signature();
  ASSERT_EQ(sig.params.size(), 1u);
  EXPECT_EQ(sig.params[0].name, "seed_generator.state");
  const int64_t batch = 4, n = 1000;
  std::vector<float> x(batch * n), y(batch * n), target(batch * n, 0.0f);
  for (int64_t i = 0; i < batch * n; ++i)
    x[i] = 0.5f + float(i % 7);
  State s(sig);
  s.params[0] = {0.25f, 0.5f};
  // predict: the identity.
  ASSERT_FALSE(bool(jit->predict({{s.params[0].data(), {2}},
                                  {x.data(), {batch, n}},
                                  {y.data(), {batch, n}}})));
  EXPECT_EQ(x, y);

  auto trainOnce = [&](std::vector<float> &out) {
    trainStepWithoutUpdates(*jit, s, x, target, out, batch);
  };
  std::vector<float> first(batch * n), second(batch * n);
  trainOnce(first);
  // The state advanced by one step.
  EXPECT_EQ(s.params[0][0], 0.25f);
  EXPECT_EQ(s.params[0][1], 1.5f);
  trainOnce(second);
  int64_t zeros = 0, differ = 0;
  for (int64_t i = 0; i < batch * n; ++i) {
    if (first[i] == 0.0f)
      ++zeros;
    else
      EXPECT_EQ(first[i], x[i] * float(1.0 / 0.7)) << i;
    differ += (first[i] == 0.0f) != (second[i] == 0.0f);
  }
  double expected = 0.3 * batch * n, sd = std::sqrt(expected * 0.7);
  EXPECT_NEAR(double(zeros), expected, 4 * sd);
  // Independent masks disagree on 2 p (1 - p) = 42% of the elements.
  EXPECT_NEAR(double(differ), 0.42 * batch * n,
              4 * std::sqrt(0.42 * 0.58 * batch * n));

  // From the same state, the same mask.
  s.params[0] = {0.25f, 0.5f};
  std::vector<float> again(batch * n);
  trainOnce(again);
  EXPECT_EQ(first, again);
}

const char *kBatchNormModel = R"(
mlc.model @bn {
  %x = mlc.input "x" : tensor<?x6x6x3xf32>
  %y = mlc.batch_norm %x {momentum = 0.9} : tensor<?x6x6x3xf32>
  mlc.output %y : tensor<?x6x6x3xf32>
} {loss = #mlc.loss<mse>, optimizer = #mlc.sgd<learning_rate = 0.001>}
)";

TEST(TrainingModeTest, BatchNormUsesBatchStatisticsInTraining) {
  auto jit = compileModel(kBatchNormModel);
  ASSERT_TRUE(jit);
  const ModelSignature &sig = jit->signature();
  // Keras's weights, in Keras's order.
  ASSERT_EQ(sig.params.size(), 4u);
  int64_t gamma = paramIndex(sig, "batch_normalization.gamma"),
          beta = paramIndex(sig, "batch_normalization.beta"),
          mean = paramIndex(sig, "batch_normalization.moving_mean"),
          var = paramIndex(sig, "batch_normalization.moving_variance");
  const int64_t batch = 4, per = 6 * 6, c = 3, count = batch * per * c;
  std::vector<float> x(count), target(count, 0.0f), y(count);
  for (int64_t i = 0; i < count; ++i)
    x[i] = float((i * 37) % 101) / 10.0f - 2.0f + float(i % c);
  State s(sig);
  s.params[gamma] = {1.5f, 0.5f, 2.0f};
  s.params[beta] = {0.1f, -0.2f, 0.3f};
  s.params[mean] = {0.2f, 0.4f, -0.1f};
  s.params[var] = {1.0f, 2.0f, 0.5f};
  const double eps = 1e-3;

  // predict: the moving statistics.
  std::vector<BufferRef> args;
  for (size_t i = 0; i < sig.params.size(); ++i)
    args.push_back({s.params[i].data(), {c}});
  args.push_back({x.data(), {batch, 6, 6, c}});
  args.push_back({y.data(), {batch, 6, 6, c}});
  ASSERT_FALSE(bool(jit->predict(args)));
  for (int64_t i = 0; i < count; ++i) {
    int64_t k = i % c;
    double want = (x[i] - s.params[mean][k]) /
                      std::sqrt(s.params[var][k] + eps) * s.params[gamma][k] +
                  s.params[beta][k];
    ASSERT_NEAR(y[i], want, 1e-4 * std::max(1.0, std::abs(want))) << i;
  }

  // A train step: batch statistics, and the moving ones move.
  std::vector<double> bmean(c, 0.0), bvar(c, 0.0);
  for (int64_t i = 0; i < count; ++i)
    bmean[i % c] += x[i] / double(batch * per);
  for (int64_t i = 0; i < count; ++i)
    bvar[i % c] +=
        (x[i] - bmean[i % c]) * (x[i] - bmean[i % c]) / double(batch * per);
  std::vector<float> oldMean = s.params[mean], oldVar = s.params[var];
  trainStepWithoutUpdates(*jit, s, x, target, y, batch);
  for (int64_t i = 0; i < count; ++i) {
    int64_t k = i % c;
    double want =
        (x[i] - bmean[k]) / std::sqrt(bvar[k] + eps) * s.params[gamma][k] +
        s.params[beta][k];
    ASSERT_NEAR(y[i], want, 1e-4 * std::max(1.0, std::abs(want))) << i;
  }
  for (int64_t k = 0; k < c; ++k) {
    EXPECT_NEAR(s.params[mean][k], 0.9 * oldMean[k] + 0.1 * bmean[k], 1e-5);
    EXPECT_NEAR(s.params[var][k], 0.9 * oldVar[k] + 0.1 * bvar[k], 1e-5);
  }
}

} // namespace
