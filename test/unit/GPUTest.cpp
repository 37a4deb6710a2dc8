//===- GPUTest.cpp - the GPU train step against the CPU's -----------------===//
//
// The GPU suite's unit part: one train step of the seed model compiled for
// --target=cuda and for the CPU, from the same parameters on the same
// batch, agree to 1e-4 relative to each tensor's largest magnitude; so do
// predictions. Skipped, with the reason, where CUDA cannot run (no driver,
// no device). test/e2e/mnist-cuda.test trains the model on the GPU.
//
//===----------------------------------------------------------------------===//

#include "compiler/Driver/Driver.h"
#include "runtime/LearningRate.h"
#include "runtime/cuda/CudaRuntime.h"

#include "mlir/Parser/Parser.h"
#include "llvm/Support/MemoryBuffer.h"

#include <gtest/gtest.h>

#include <cmath>

using namespace mlc;

namespace {

std::unique_ptr<JITModel> compileSeed(const TargetOptions &target) {
  auto file = llvm::MemoryBuffer::getFile(MLC_EXAMPLES_DIR "/mnist_mlp.mlir");
  if (!file)
    return nullptr;
  auto context = createContext();
  auto module = mlir::parseSourceString<mlir::ModuleOp>((*file)->getBuffer(),
                                                        context.get());
  auto jit = JITModel::compile(context, std::move(module), target);
  if (!jit) {
    ADD_FAILURE() << llvm::toString(jit.takeError());
    return nullptr;
  }
  return std::move(*jit);
}

/// Params, Adam state and one batch; runs train_step on `jit`.
struct Step {
  std::vector<std::vector<float>> params, states;
  std::vector<float> x, predictions;
  std::vector<int32_t> y;
  float rate = 0, stepSize = 0, loss = 0;

  explicit Step(const ModelSignature &sig, int64_t batch) {
    std::vector<float *> ptrs;
    for (const TensorSpec &t : sig.params) {
      params.emplace_back(t.numElements(0));
      ptrs.push_back(params.back().data());
    }
    EXPECT_FALSE(bool(initializeParams(sig, 5, ptrs)));
    for (const TensorSpec &t : sig.states)
      states.emplace_back(t.numElements(0), 0.0f);
    uint32_t seed = 7;
    x.resize(batch * 784);
    for (float &v : x) {
      seed = seed * 1664525u + 1013904223u;
      v = float((seed >> 8) % 256) / 255.0f;
    }
    for (int64_t i = 0; i < batch; ++i)
      y.push_back(int32_t((i * 7) % 10));
    predictions.resize(batch * 10);
    rate = float(sig.learningRate);
    stepSize =
        float(runtime::adamStepSize(sig.learningRate, sig.beta1, sig.beta2, 0));
  }

  void run(JITModel &jit) {
    StepBuffers step{dataOf(params), dataOf(states), &rate, &stepSize,
                     x.data(),       y.data(),       &loss, predictions.data()};
    std::vector<BufferRef> b = stepArguments(
        jit.signature(), step, int64_t(y.size()), /*training=*/true);
    llvm::Error err = jit.trainStep(b);
    ASSERT_FALSE(bool(err)) << llvm::toString(std::move(err));
  }
};

void expectClose(const std::vector<float> &gpu, const std::vector<float> &cpu,
                 const std::string &what) {
  ASSERT_EQ(gpu.size(), cpu.size());
  float scale = 0;
  for (float v : cpu)
    scale = std::max(scale, std::abs(v));
  for (size_t i = 0; i < gpu.size(); ++i)
    ASSERT_NEAR(gpu[i], cpu[i], 1e-4f * std::max(scale, 1e-30f))
        << what << "[" << i << "]";
}

class GPUTest : public testing::Test {
protected:
  void SetUp() override {
    std::string why;
    if (!cuda::available(why))
      GTEST_SKIP() << "no usable CUDA device, the GPU suite is skipped: "
                   << why;
  }
};

TEST_F(GPUTest, TrainStepMatchesTheCPU) {
  TargetOptions cpuTarget, gpuTarget;
  gpuTarget.gpuChip = "sm_90a";
  auto cpu = compileSeed(cpuTarget);
  auto gpu = compileSeed(gpuTarget);
  ASSERT_TRUE(cpu && gpu);
  // A full batch and a partial one.
  for (int64_t batch : {128, 37}) {
    Step onCPU(cpu->signature(), batch), onGPU(gpu->signature(), batch);
    onCPU.run(*cpu);
    onGPU.run(*gpu);
    EXPECT_NEAR(onGPU.loss, onCPU.loss, 1e-4f * std::abs(onCPU.loss));
    expectClose(onGPU.predictions, onCPU.predictions, "predictions");
    for (size_t i = 0; i < onCPU.params.size(); ++i)
      expectClose(onGPU.params[i], onCPU.params[i],
                  cpu->signature().params[i].name);
    for (size_t i = 0; i < onCPU.states.size(); ++i)
      expectClose(onGPU.states[i], onCPU.states[i],
                  cpu->signature().states[i].name);
  }
}

TEST_F(GPUTest, DescribesTheDevice) {
  EXPECT_NE(cuda::deviceDescription().find("sm_"), std::string::npos)
      << cuda::deviceDescription();
}

} // namespace
