//===- LearningRate.h - learning-rate schedules -----------------*- C++ -*-===//
//
// Part of the mlc runtime. The compiled train_step takes this step's
// learning rate and step size as arguments; these compute them, with
// Keras's formulas, from the optimizer's iteration count.
//
//===----------------------------------------------------------------------===//

#ifndef MLC_RUNTIME_LEARNINGRATE_H
#define MLC_RUNTIME_LEARNINGRATE_H

#include <cstdint>

namespace mlc::runtime {

struct LearningRateSchedule {
  enum class Kind {
    Constant,   ///< initial
    StepDecay,  ///< initial * decay_rate ^ floor(step / decay_steps)
    CosineDecay ///< initial * (alpha + (1 - alpha) (1 + cos(pi s/D)) / 2)
  };
  Kind kind = Kind::Constant;
  double initial = 1e-3;
  int64_t decaySteps = 1;   ///< D; for cosine, s is capped at D
  double decayRate = 0.5;   ///< step decay factor
  double alpha = 0.0;       ///< cosine: the final fraction of `initial`
  int64_t warmupSteps = 0;  ///< linear warm-up from 0 before the schedule

  /// The learning rate for iteration `step` (0 for the first step).
  double at(int64_t step) const;
};

/// Adam's bias-corrected step size for iteration `step` (0-based):
/// lr * sqrt(1 - beta2^t) / (1 - beta1^t) with t = step + 1.
double adamStepSize(double lr, double beta1, double beta2, int64_t step);

} // namespace mlc::runtime

#endif // MLC_RUNTIME_LEARNINGRATE_H
