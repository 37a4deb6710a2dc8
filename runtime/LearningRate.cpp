//===- LearningRate.cpp - learning-rate schedules -------------------------===//
//
// The formulas are the runtime core's (runtime/core/schedule.h), which
// model libraries embed: a library's steps take the same rates.
//
//===----------------------------------------------------------------------===//

#include "runtime/LearningRate.h"

#include "runtime/core/schedule.h"

#include <cstdio>

namespace mlc::runtime {

double LearningRateSchedule::at(int64_t step) const {
  mlc_schedule s{int(kind), initial, decaySteps,  decayRate,
                 staircase, alpha,   warmupSteps, warmupTarget};
  return mlcScheduleRate(&s, step);
}

std::string LearningRateSchedule::str() const {
  char text[256];
  switch (kind) {
  case Kind::Constant:
    return "constant";
  case Kind::ExponentialDecay:
    std::snprintf(text, sizeof text,
                  "exponential_decay:decay_steps=%lld,decay_rate=%.17g,"
                  "staircase=%s",
                  (long long)decaySteps, decayRate,
                  staircase ? "true" : "false");
    return text;
  case Kind::CosineDecay:
    std::snprintf(text, sizeof text,
                  "cosine_decay:decay_steps=%lld,alpha=%.17g,"
                  "warmup_steps=%lld,warmup_target=%.17g",
                  (long long)decaySteps, alpha, (long long)warmupSteps,
                  warmupTarget);
    return text;
  }
  return "constant";
}

double adamStepSize(double lr, double beta1, double beta2, int64_t step) {
  return mlcAdamStepSize(lr, beta1, beta2, step);
}

} // namespace mlc::runtime
