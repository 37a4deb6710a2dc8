//===- TrainSteps.h - train steps of a JIT model on one batch ---*- C++ -*-===//

#ifndef MLC_TEST_UNIT_TRAINSTEPS_H
#define MLC_TEST_UNIT_TRAINSTEPS_H

#include "compiler/Driver/Driver.h"
#include "runtime/Aligned.h"

#include "mlir/Parser/Parser.h"

#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <vector>

namespace mlc::test {

/// Compiles a model's source for the JIT; a failure is a test failure
/// (null returned).
inline std::unique_ptr<JITModel> compileModel(const std::string &source) {
  auto context = createContext();
  auto module = mlir::parseSourceString<mlir::ModuleOp>(source, context.get());
  EXPECT_TRUE(module) << source;
  if (!module)
    return nullptr;
  auto jit = JITModel::compile(context, std::move(module));
  if (!jit) {
    ADD_FAILURE() << llvm::toString(jit.takeError());
    return nullptr;
  }
  return std::move(*jit);
}

/// `n` deterministic floats in [lo, hi) from a linear congruential
/// generator.
inline std::vector<float> randomVector(size_t n, double lo, double hi,
                                       uint32_t seed) {
  std::vector<float> v(n);
  for (float &x : v) {
    seed = seed * 1664525u + 1013904223u;
    x = float(lo + (hi - lo) * ((seed >> 8) / double(1u << 24)));
  }
  return v;
}

/// Runs `steps` train steps of `jit` on one batch of `batch` samples
/// (`input`, int `labels`), updating `params` and `states` in place, with
/// the model's learning rate as both the rate and the step size.
inline llvm::Error trainSteps(JITModel &jit, std::vector<float *> params,
                              std::vector<float *> states, float *input,
                              int32_t *labels, int64_t batch, int steps) {
  const ModelSignature &sig = jit.signature();
  runtime::AlignedVector<float> predictions(sig.outputs[0].numElements(batch));
  float rate = float(sig.learningRate), stepSize = rate, loss = 0;
  StepBuffers step;
  step.params = std::move(params);
  step.states = std::move(states);
  step.learningRate = &rate;
  step.stepSize = &stepSize;
  step.input = input;
  step.labels = labels;
  step.loss = &loss;
  step.predictions = predictions.data();
  std::vector<BufferRef> args = stepArguments(sig, step, batch, true);
  for (int s = 0; s < steps; ++s)
    if (llvm::Error err = jit.trainStep(args))
      return err;
  return llvm::Error::success();
}

} // namespace mlc::test

#endif // MLC_TEST_UNIT_TRAINSTEPS_H
