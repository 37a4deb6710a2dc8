//===- ConvTrainStepTest.cpp - a convnet's train step vs its gradient -----===//
//
// The CPU schedule applies the optimizer update inside a kernel gradient's
// outer tile loop, after the batch blocks (and inside a dense layer's
// weight-gradient tiles). This checks the fused step against an unfused
// one: a small convnet (a one-channel convolution, as the first layer of
// an image model, then an 8-channel one, pooling, a dense layer) takes one
// Adam step with the compiled train_step, and separately its gradient is
// compiled as `mlc.gradient` in predict (no optimizer) and the update is
// done in plain C++ (double). Every parameter must agree to 1e-5 relative
// to the largest magnitude in its tensor, for batches of 5 and 37 (37
// samples span two of the second kernel gradient's batch blocks).
//
//===----------------------------------------------------------------------===//

#include "TrainSteps.h"

#include "mlir/Parser/Parser.h"

#include <gtest/gtest.h>

#include <cmath>
#include <string>
#include <vector>

using namespace mlc;

namespace {

// The graph, over params (train) or inputs (gradient) named k1 ... bw.
const char *kBody = R"(
  %c1 = mlc.conv %x, %k1 : (tensor<?x12x12x1xf32>, tensor<3x3x1x8xf32>) -> tensor<?x10x10x8xf32>
  %a1 = mlc.add %c1, %b1 : (tensor<?x10x10x8xf32>, tensor<8xf32>) -> tensor<?x10x10x8xf32>
  %r1 = mlc.relu %a1 : tensor<?x10x10x8xf32>
  %c2 = mlc.conv %r1, %k2 : (tensor<?x10x10x8xf32>, tensor<3x3x8x16xf32>) -> tensor<?x8x8x16xf32>
  %a2 = mlc.add %c2, %b2 : (tensor<?x8x8x16xf32>, tensor<16xf32>) -> tensor<?x8x8x16xf32>
  %r2 = mlc.relu %a2 : tensor<?x8x8x16xf32>
  %p = mlc.max_pool %r2 {window = array<i64: 2, 2>, strides = array<i64: 2, 2>} : tensor<?x8x8x16xf32> -> tensor<?x4x4x16xf32>
  %f = mlc.reshape %p : tensor<?x4x4x16xf32> -> tensor<?x256xf32>
  %z = mlc.matmul %f, %w : (tensor<?x256xf32>, tensor<256x10xf32>) -> tensor<?x10xf32>
  %zb = mlc.add %z, %bw : (tensor<?x10xf32>, tensor<10xf32>) -> tensor<?x10xf32>
  %s = mlc.softmax %zb : tensor<?x10xf32>
)";

struct Param {
  const char *name, *type;
  std::vector<int64_t> shape;
};
const Param kParams[] = {{"k1", "tensor<3x3x1x8xf32>", {3, 3, 1, 8}},
                         {"b1", "tensor<8xf32>", {8}},
                         {"k2", "tensor<3x3x8x16xf32>", {3, 3, 8, 16}},
                         {"b2", "tensor<16xf32>", {16}},
                         {"w", "tensor<256x10xf32>", {256, 10}},
                         {"bw", "tensor<10xf32>", {10}}};

std::string trainModel() {
  std::string s = "mlc.model @cnn {\n  %x = mlc.input \"image\" : "
                  "tensor<?x12x12x1xf32>\n";
  for (const Param &p : kParams)
    s += std::string("  mlc.param @") + p.name + " : " + p.type +
         " = #mlc.zeros\n  %" + p.name + " = mlc.param_ref @" + p.name + " : " +
         p.type + "\n";
  return s + kBody +
         "  mlc.output %s : tensor<?x10xf32>\n} {loss = "
         "#mlc.loss<sparse_categorical_crossentropy>, optimizer = "
         "#mlc.adam<learning_rate = 0.01>}\n";
}

std::string gradientModel() {
  std::string s = "mlc.model @grad {\n  %x = mlc.input \"image\" : "
                  "tensor<?x12x12x1xf32>\n  %y = mlc.input \"label\" : "
                  "tensor<?xi32>\n";
  std::string wrt, types, outs, outTypes;
  for (const Param &p : kParams) {
    s += std::string("  %") + p.name + " = mlc.input \"" + p.name +
         "\" : " + p.type + "\n";
    wrt += std::string(wrt.empty() ? "%" : ", %") + p.name;
    types += std::string(", ") + p.type;
    outs += std::string(outs.empty() ? "%d_" : ", %d_") + p.name;
    outTypes += std::string(outTypes.empty() ? "" : ", ") + p.type;
  }
  return s + kBody +
         "  %l = mlc.sparse_categorical_crossentropy %s, %y : "
         "(tensor<?x10xf32>, tensor<?xi32>) -> tensor<f32>\n  " +
         outs + " = mlc.gradient %l wrt " + wrt + " : tensor<f32>" + types +
         "\n  mlc.output " + outs + " : " + outTypes + "\n}\n";
}

int64_t count(const std::vector<int64_t> &shape) {
  int64_t n = 1;
  for (int64_t d : shape)
    n *= d;
  return n;
}

TEST(ConvTrainStepTest, FusedAdamStepMatchesTheGradient) {
  std::unique_ptr<JITModel> train = test::compileModel(trainModel());
  std::unique_ptr<JITModel> grad = test::compileModel(gradientModel());
  ASSERT_TRUE(train && grad);
  const ModelSignature &sig = train->signature();
  ASSERT_EQ(sig.params.size(), std::size(kParams));
  ASSERT_EQ(sig.states.size(), 2 * std::size(kParams));

  for (int64_t batch : {5, 37}) {
    std::vector<std::vector<float>> params, states;
    for (size_t i = 0; i < std::size(kParams); ++i) {
      params.push_back(test::randomVector(count(kParams[i].shape), -0.3, 0.3,
                                          11 + uint32_t(i)));
      states.emplace_back(params.back().size(), 0.0f);
      states.emplace_back(params.back().size(), 0.0f);
    }
    std::vector<float> x = test::randomVector(batch * 144, 0, 1, 7);
    std::vector<int32_t> y(batch);
    for (int64_t i = 0; i < batch; ++i)
      y[i] = int32_t((i * 7) % 10);

    // The gradient, unfused.
    std::vector<std::vector<float>> grads;
    std::vector<BufferRef> args = {{x.data(), {batch, 12, 12, 1}},
                                   {y.data(), {batch}}};
    for (size_t i = 0; i < params.size(); ++i)
      args.push_back({params[i].data(), kParams[i].shape});
    for (size_t i = 0; i < params.size(); ++i) {
      grads.emplace_back(params[i].size(), NAN);
      args.push_back({grads.back().data(), kParams[i].shape});
    }
    llvm::Error err = grad->predict(args);
    ASSERT_FALSE(bool(err)) << llvm::toString(std::move(err));

    // One fused step (the learning rate as the step size).
    std::vector<std::vector<float>> stepped = params;
    ASSERT_FALSE(bool(test::trainSteps(*train, dataOf(stepped), dataOf(states),
                                       x.data(), y.data(), batch, 1)));

    // Keras's Adam from zero slots, in double.
    const double lr = 0.01, b1 = 0.9, b2 = 0.999, eps = 1e-7;
    for (size_t i = 0; i < params.size(); ++i) {
      double scale = 0;
      std::vector<double> want(params[i].size());
      for (size_t e = 0; e < want.size(); ++e) {
        double g = grads[i][e], m = (1 - b1) * g, v = (1 - b2) * g * g;
        want[e] = params[i][e] - m * lr / (std::sqrt(v) + eps);
        scale = std::max(scale, std::abs(want[e]));
      }
      for (size_t e = 0; e < want.size(); ++e)
        ASSERT_LE(std::abs(stepped[i][e] - want[e]), 1e-5 * scale)
            << "batch " << batch << ", " << kParams[i].name << "[" << e
            << "]: train_step " << stepped[i][e] << ", from the gradient "
            << want[e];
    }
  }
}

} // namespace
