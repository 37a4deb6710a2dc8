//===- StepRunner.h - a train step on synthetic data ------------*- C++ -*-===//
//
// Buffers for calling a JIT-compiled model's train_step over and over on
// one batch of synthetic data, as a benchmark or the tile tuner does:
// params from the model's initializers, zero optimizer state, inputs
// uniform in [0, 1) and labels that are valid classes. The params train
// as the steps run (the optimizer's bias-corrected step size advances).
//
//===----------------------------------------------------------------------===//

#ifndef MLC_COMPILER_DRIVER_STEPRUNNER_H
#define MLC_COMPILER_DRIVER_STEPRUNNER_H

#include "compiler/Driver/JIT.h"
#include "runtime/Aligned.h"

#include <memory>
#include <vector>

namespace mlc {

class StepRunner {
public:
  /// Buffers for `jit`'s train_step on `batch` samples. Fails for models
  /// that do not train, or whose inputs are not one tensor.
  static llvm::Expected<std::unique_ptr<StepRunner>> create(JITModel &jit,
                                                            int64_t batch);
  /// Runs `steps` train steps.
  llvm::Error run(int64_t steps);
  /// The last step's loss.
  float loss() const { return lossValue; }

private:
  explicit StepRunner(JITModel &jit) : jit(jit) {}
  JITModel &jit;
  using Floats = runtime::AlignedVector<float>;
  std::vector<Floats> params, states;
  Floats floatInput, predictions, floatLabels;
  runtime::AlignedVector<int32_t> intInput, intLabels;
  float rate = 0, stepSize = 0, lossValue = 0;
  std::vector<BufferRef> args;
  int64_t iteration = 0;
};

} // namespace mlc

#endif // MLC_COMPILER_DRIVER_STEPRUNNER_H
