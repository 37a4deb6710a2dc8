//===- LearningRate.cpp - learning-rate schedules -------------------------===//

#include "runtime/LearningRate.h"

#include <algorithm>
#include <cmath>
#include <cstdio>

namespace mlc::runtime {

static double cosineDecay(double from, double alpha, double s, double d) {
  double cosine = 0.5 * (1.0 + std::cos(M_PI * (s / d)));
  return from * ((1.0 - alpha) * cosine + alpha);
}

double LearningRateSchedule::at(int64_t step) const {
  double d = double(std::max<int64_t>(decaySteps, 1));
  double s = double(std::max<int64_t>(step, 0));
  switch (kind) {
  case Kind::Constant:
    return initial;
  case Kind::ExponentialDecay: {
    double p = s / d;
    return initial * std::pow(decayRate, staircase ? std::floor(p) : p);
  }
  case Kind::CosineDecay:
    if (warmupSteps <= 0)
      return cosineDecay(initial, alpha, std::min(s, d), d);
    s = std::min(s, d + double(warmupSteps));
    if (s < double(warmupSteps))
      return initial + (warmupTarget - initial) * (s / double(warmupSteps));
    return cosineDecay(warmupTarget, alpha, s - double(warmupSteps), d);
  }
  return initial;
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
  double t = double(step + 1);
  return lr * std::sqrt(1.0 - std::pow(beta2, t)) / (1.0 - std::pow(beta1, t));
}

} // namespace mlc::runtime
