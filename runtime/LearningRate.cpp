//===- LearningRate.cpp - learning-rate schedules -------------------------===//

#include "runtime/LearningRate.h"

#include <algorithm>
#include <cmath>

namespace mlc::runtime {

double LearningRateSchedule::at(int64_t step) const {
  if (step < warmupSteps)
    return initial * double(step + 1) / double(warmupSteps);
  int64_t s = step - warmupSteps;
  switch (kind) {
  case Kind::Constant:
    return initial;
  case Kind::StepDecay:
    return initial * std::pow(decayRate, double(s / std::max<int64_t>(decaySteps, 1)));
  case Kind::CosineDecay: {
    double progress =
        double(std::min(s, decaySteps)) / double(std::max<int64_t>(decaySteps, 1));
    double cosine = 0.5 * (1.0 + std::cos(M_PI * progress));
    return initial * (alpha + (1.0 - alpha) * cosine);
  }
  }
  return initial;
}

double adamStepSize(double lr, double beta1, double beta2, int64_t step) {
  double t = double(step + 1);
  return lr * std::sqrt(1.0 - std::pow(beta2, t)) / (1.0 - std::pow(beta1, t));
}

} // namespace mlc::runtime
