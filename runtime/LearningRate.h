//===- LearningRate.h - learning-rate schedules -----------------*- C++ -*-===//
//
// Part of the mlc runtime. The compiled train_step takes this step's
// learning rate and step size as arguments; these compute them, with
// Keras's formulas (keras.optimizers.schedules), from the optimizer's
// iteration count (0 for the first step, as Keras passes
// `optimizer.iterations`).
//
//===----------------------------------------------------------------------===//

#ifndef MLC_RUNTIME_LEARNINGRATE_H
#define MLC_RUNTIME_LEARNINGRATE_H

#include <cstdint>
#include <string>

namespace mlc::runtime {

struct LearningRateSchedule {
  enum class Kind {
    /// initial
    Constant,
    /// Keras ExponentialDecay: initial * decay_rate ^ (step / decay_steps),
    /// the exponent floored when `staircase`.
    ExponentialDecay,
    /// Keras CosineDecay: with warmup_steps > 0, a linear ramp from
    /// initial to warmup_target over warmup_steps, then
    /// target * ((1 - alpha) (1 + cos(pi min(s, D) / D)) / 2 + alpha) with
    /// s = step - warmup_steps, D = decay_steps, target = warmup_target
    /// (or initial without warm-up).
    CosineDecay,
  };
  Kind kind = Kind::Constant;
  double initial = 1e-3;   ///< the optimizer's learning rate
  int64_t decaySteps = 1;  ///< D (> 0)
  double decayRate = 0.96; ///< exponential decay
  bool staircase = false;  ///< exponential decay
  double alpha = 0.0;      ///< cosine: the final fraction of the rate
  int64_t warmupSteps = 0; ///< cosine: 0 = no warm-up
  double warmupTarget = 0; ///< cosine: the rate the warm-up reaches

  /// The learning rate for iteration `step` (0 for the first step).
  double at(int64_t step) const;

  /// The schedule as `mlc train --lr-schedule` takes it and checkpoints
  /// record it: "constant", "exponential_decay:decay_steps=1000,
  /// decay_rate=0.96,staircase=false", "cosine_decay:decay_steps=...,
  /// alpha=...,warmup_steps=...,warmup_target=..." (each number in the
  /// shortest form that reads back exactly).
  std::string str() const;
};

/// Adam's bias-corrected step size for iteration `step` (0-based):
/// lr * sqrt(1 - beta2^t) / (1 - beta1^t) with t = step + 1.
double adamStepSize(double lr, double beta1, double beta2, int64_t step);

} // namespace mlc::runtime

#endif // MLC_RUNTIME_LEARNINGRATE_H
