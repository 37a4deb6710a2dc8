//===- TrainStepTest.cpp - compiled train steps vs plain C++ --------------===//
//
// The seed MLP (784-128-10, relu, softmax, sparse cross-entropy) trained
// with the compiled train_step and with an independent implementation in
// plain C++ loops (double precision), from the same parameters on the same
// batches. Every parameter must agree to 1e-5 relative to the largest
// magnitude in its tensor, after 1 and after 10 steps. (Relative to each
// element would test float32 rounding: an element whose gradient nearly
// cancels gets an Adam step whose size depends on the last bits of that
// gradient; such elements differ by ~1e-7 absolute.)
//
//===----------------------------------------------------------------------===//

#include "TrainSteps.h"
#include "compiler/Driver/Driver.h"

#include "mlir/Parser/Parser.h"

#include <gtest/gtest.h>

#include <cmath>
#include <functional>
#include <string>
#include <vector>

using namespace mlc;

namespace {

constexpr int64_t kIn = 784, kHidden = 128, kOut = 10, kBatch = 32;

std::string mlp(const std::string &optimizer) {
  return R"(
mlc.model @mnist_mlp {
  %x = mlc.input "image" : tensor<?x28x28xf32>
  %f = mlc.flatten %x : tensor<?x28x28xf32> -> tensor<?x784xf32>
  %h = mlc.dense %f {units = 128, activation = #mlc.act<relu>} : tensor<?x784xf32> -> tensor<?x128xf32>
  %y = mlc.dense %h {units = 10, activation = #mlc.act<softmax>} : tensor<?x128xf32> -> tensor<?x10xf32>
  mlc.output %y : tensor<?x10xf32>
} {loss = #mlc.loss<sparse_categorical_crossentropy>, optimizer = )" +
         optimizer + "}\n";
}

using test::randomVector;

/// Gradients of the mean sparse cross-entropy of softmax(relu(x W1 + b1)
/// W2 + b2) for one batch, by hand.
struct Reference {
  std::vector<double> w1, b1, w2, b2;

  std::vector<std::vector<double>> gradients(const std::vector<float> &x,
                                             const std::vector<int32_t> &y) {
    std::vector<double> h(kBatch * kHidden), dz2(kBatch * kOut);
    for (int64_t i = 0; i < kBatch; ++i) {
      for (int64_t j = 0; j < kHidden; ++j) {
        double a = b1[j];
        for (int64_t k = 0; k < kIn; ++k)
          a += x[i * kIn + k] * w1[k * kHidden + j];
        h[i * kHidden + j] = std::max(a, 0.0);
      }
      double z[kOut], m = -INFINITY, s = 0;
      for (int64_t j = 0; j < kOut; ++j) {
        z[j] = b2[j];
        for (int64_t k = 0; k < kHidden; ++k)
          z[j] += h[i * kHidden + k] * w2[k * kOut + j];
        m = std::max(m, z[j]);
      }
      for (int64_t j = 0; j < kOut; ++j)
        s += std::exp(z[j] - m);
      // d loss / d z = (softmax - onehot) / batch
      for (int64_t j = 0; j < kOut; ++j)
        dz2[i * kOut + j] =
            (std::exp(z[j] - m) / s - (j == y[i] ? 1.0 : 0.0)) / kBatch;
    }
    std::vector<double> gw1(kIn * kHidden, 0), gb1(kHidden, 0),
        gw2(kHidden * kOut, 0), gb2(kOut, 0);
    for (int64_t i = 0; i < kBatch; ++i) {
      for (int64_t j = 0; j < kOut; ++j) {
        gb2[j] += dz2[i * kOut + j];
        for (int64_t k = 0; k < kHidden; ++k)
          gw2[k * kOut + j] += h[i * kHidden + k] * dz2[i * kOut + j];
      }
      for (int64_t k = 0; k < kHidden; ++k) {
        if (h[i * kHidden + k] <= 0)
          continue;
        double dh = 0;
        for (int64_t j = 0; j < kOut; ++j)
          dh += dz2[i * kOut + j] * w2[k * kOut + j];
        gb1[k] += dh;
        for (int64_t r = 0; r < kIn; ++r)
          gw1[r * kHidden + k] += x[i * kIn + r] * dh;
      }
    }
    return {gw1, gb1, gw2, gb2};
  }

  std::vector<std::vector<double> *> params() { return {&w1, &b1, &w2, &b2}; }
};

struct Case {
  const char *optimizer;
  /// One update of a parameter element and its states, as Keras does it.
  std::function<void(double &p, double g, std::vector<double> &s, int t)>
      update;
  int numStates;
  double lr;
  /// Adam's bias-corrected step for step t (1-based); lr otherwise.
  std::function<double(int t)> stepSize;
};

void runCase(const Case &c) {
  auto context = createContext();
  auto module =
      mlir::parseSourceString<mlir::ModuleOp>(mlp(c.optimizer), context.get());
  ASSERT_TRUE(module);
  auto compiled = JITModel::compile(context, std::move(module));
  ASSERT_TRUE(bool(compiled)) << llvm::toString(compiled.takeError());
  JITModel &jit = **compiled;
  ASSERT_EQ(jit.signature().states.size(), 4u * c.numStates);

  std::vector<std::vector<float>> params = {
      randomVector(kIn * kHidden, -0.08, 0.08, 1),
      randomVector(kHidden, -0.05, 0.05, 2),
      randomVector(kHidden * kOut, -0.2, 0.2, 3),
      randomVector(kOut, -0.05, 0.05, 4)};
  std::vector<std::vector<float>> states;
  for (const auto &p : params)
    for (int k = 0; k < c.numStates; ++k)
      states.push_back(std::vector<float>(p.size(), 0.0f));
  Reference ref;
  ref.w1.assign(params[0].begin(), params[0].end());
  ref.b1.assign(params[1].begin(), params[1].end());
  ref.w2.assign(params[2].begin(), params[2].end());
  ref.b2.assign(params[3].begin(), params[3].end());
  std::vector<std::vector<double>> refStates;
  for (auto *p : ref.params())
    refStates.push_back(std::vector<double>(p->size() * c.numStates, 0.0));

  for (int t = 1; t <= 10; ++t) {
    std::vector<float> x = randomVector(kBatch * kIn, 0, 1, 100 + t);
    std::vector<int32_t> y(kBatch);
    for (int64_t i = 0; i < kBatch; ++i)
      y[i] = int32_t((i * 7 + t) % kOut);

    // Compiled step.
    float lr = float(c.lr), step = float(c.stepSize(t)), loss = NAN;
    std::vector<BufferRef> buffers;
    const ModelSignature &sig = jit.signature();
    for (size_t i = 0; i < params.size(); ++i)
      buffers.push_back({params[i].data(), sig.params[i].shape});
    for (size_t i = 0; i < states.size(); ++i)
      buffers.push_back({states[i].data(), sig.states[i].shape});
    buffers.push_back({&lr, {}});
    buffers.push_back({&step, {}});
    buffers.push_back({x.data(), {kBatch, 28, 28}});
    buffers.push_back({y.data(), {kBatch}});
    buffers.push_back({&loss, {}});
    std::vector<float> predictions(kBatch * kOut);
    buffers.push_back({predictions.data(), {kBatch, kOut}});
    if (t == 1) {
      // Arguments are checked by name: a shaped step size is refused.
      std::vector<BufferRef> wrong = buffers;
      wrong[params.size() + states.size() + 1].shape = {1};
      llvm::Error bad = jit.trainStep(wrong);
      ASSERT_TRUE(bool(bad));
      EXPECT_EQ(llvm::toString(std::move(bad)),
                "'step size' has shape [1], expected []");
      wrong.pop_back();
      bad = jit.trainStep(wrong);
      ASSERT_TRUE(bool(bad));
      EXPECT_NE(llvm::toString(std::move(bad))
                    .find("train_step takes " + std::to_string(buffers.size()) +
                          " buffers ("),
                std::string::npos);
    }
    llvm::Error err = jit.trainStep(buffers);
    ASSERT_FALSE(bool(err)) << llvm::toString(std::move(err));
    ASSERT_TRUE(std::isfinite(loss));

    // Reference step.
    auto grads = ref.gradients(x, y);
    auto refParams = ref.params();
    for (size_t i = 0; i < refParams.size(); ++i) {
      std::vector<double> &p = *refParams[i];
      for (size_t e = 0; e < p.size(); ++e) {
        std::vector<double> s(c.numStates);
        for (int k = 0; k < c.numStates; ++k)
          s[k] = refStates[i][e * c.numStates + k];
        c.update(p[e], grads[i][e], s, t);
        for (int k = 0; k < c.numStates; ++k)
          refStates[i][e * c.numStates + k] = s[k];
      }
    }

    if (t != 1 && t != 10)
      continue;
    for (size_t i = 0; i < params.size(); ++i) {
      double scale = 0;
      for (double v : *refParams[i])
        scale = std::max(scale, std::abs(v));
      for (size_t e = 0; e < params[i].size(); ++e) {
        double want = (*refParams[i])[e], got = params[i][e];
        ASSERT_LE(std::abs(got - want), 1e-5 * scale)
            << c.optimizer << ", step " << t << ", " << sig.params[i].name
            << "[" << e << "]: compiled " << got << ", reference " << want;
      }
    }
  }
}

TEST(TrainStepTest, Adam) {
  const double lr = 1e-3, b1 = 0.9, b2 = 0.999, eps = 1e-7;
  runCase({"#mlc.adam",
           [=](double &p, double g, std::vector<double> &s, int t) {
             double alpha =
                 lr * std::sqrt(1 - std::pow(b2, t)) / (1 - std::pow(b1, t));
             s[0] += (g - s[0]) * (1 - b1);
             s[1] += (g * g - s[1]) * (1 - b2);
             p -= s[0] * alpha / (std::sqrt(s[1]) + eps);
           },
           2, lr,
           [=](int t) {
             return lr * std::sqrt(1 - std::pow(b2, t)) / (1 - std::pow(b1, t));
           }});
}

TEST(TrainStepTest, SGDWithNesterovMomentum) {
  const double lr = 0.05, momentum = 0.9;
  runCase({"#mlc.sgd<learning_rate = 0.05, momentum = 0.9, nesterov = true>",
           [=](double &p, double g, std::vector<double> &s, int) {
             s[0] = s[0] * momentum - g * lr;
             p += s[0] * momentum - g * lr;
           },
           1, lr, [=](int) { return lr; }});
}

TEST(TrainStepTest, RMSpropCentered) {
  const double lr = 1e-3, rho = 0.9, eps = 1e-7;
  runCase({"#mlc.rmsprop<centered = true>",
           [=](double &p, double g, std::vector<double> &s, int) {
             s[0] = rho * s[0] + (1 - rho) * g * g;
             s[1] = rho * s[1] + (1 - rho) * g;
             p -= lr * g / std::sqrt(s[0] - s[1] * s[1] + eps);
           },
           2, lr, [=](int) { return lr; }});
}

TEST(TrainStepTest, AdamW) {
  const double lr = 1e-3, b1 = 0.9, b2 = 0.999, eps = 1e-7, wd = 0.004;
  auto alpha = [=](int t) {
    return lr * std::sqrt(1 - std::pow(b2, t)) / (1 - std::pow(b1, t));
  };
  runCase({"#mlc.adamw",
           [=](double &p, double g, std::vector<double> &s, int t) {
             p -= p * wd * lr;
             s[0] += (g - s[0]) * (1 - b1);
             s[1] += (g * g - s[1]) * (1 - b2);
             p -= s[0] * alpha(t) / (std::sqrt(s[1]) + eps);
           },
           2, lr, alpha});
}

} // namespace
