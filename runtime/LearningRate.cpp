//===- LearningRate.cpp - learning-rate schedules -------------------------===//
//
// The formulas are the runtime core's (runtime/core/schedule.h), which
// model libraries embed: a library's steps take the same rates.
//
//===----------------------------------------------------------------------===//

#include "runtime/LearningRate.h"

#include "runtime/core/schedule.h"

#include <cstdio>
#include <cstdlib>

namespace mlc::runtime {

double LearningRateSchedule::at(int64_t step) const {
  mlc_schedule s{int(kind), initial, decaySteps,  decayRate,
                 staircase, alpha,   warmupSteps, warmupTarget};
  return mlcScheduleRate(&s, step);
}

/// The shortest %g form that reads back as `v`.
static std::string shortest(double v) {
  char text[32];
  for (int precision = 1; precision <= 17; ++precision) {
    std::snprintf(text, sizeof text, "%.*g", precision, v);
    if (std::strtod(text, nullptr) == v)
      break;
  }
  return text;
}

std::string LearningRateSchedule::str() const {
  switch (kind) {
  case Kind::Constant:
    return "constant";
  case Kind::ExponentialDecay:
    return "exponential_decay:decay_steps=" + std::to_string(decaySteps) +
           ",decay_rate=" + shortest(decayRate) +
           ",staircase=" + (staircase ? "true" : "false");
  case Kind::CosineDecay:
    return "cosine_decay:decay_steps=" + std::to_string(decaySteps) +
           ",alpha=" + shortest(alpha) +
           ",warmup_steps=" + std::to_string(warmupSteps) +
           ",warmup_target=" + shortest(warmupTarget);
  }
  return "constant";
}

double adamStepSize(double lr, double beta1, double beta2, int64_t step) {
  return mlcAdamStepSize(lr, beta1, beta2, step);
}

} // namespace mlc::runtime
