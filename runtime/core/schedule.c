/*===- schedule.c - learning-rate schedules and Adam's step size ----------===//
 *
 * Part of the mlc runtime core; see schedule.h.
 *
 *===----------------------------------------------------------------------===*/

#include "runtime/core/schedule.h"

#include <math.h>

static double mlcCosineDecay(double from, double alpha, double s, double d) {
  /* M_PI is not C11. */
  double cosine = 0.5 * (1.0 + cos(3.14159265358979323846 * (s / d)));
  return from * ((1.0 - alpha) * cosine + alpha);
}

MLC_CORE_FN double mlcScheduleRate(const mlc_schedule *schedule, int64_t step) {
  double initial = schedule->initial;
  double d = (double)(schedule->decaySteps > 1 ? schedule->decaySteps : 1);
  double s = (double)(step > 0 ? step : 0);
  double warmup = (double)schedule->warmupSteps;
  switch (schedule->kind) {
  case MLC_SCHEDULE_EXPONENTIAL_DECAY: {
    double p = s / d;
    return initial *
           pow(schedule->decayRate, schedule->staircase ? floor(p) : p);
  }
  case MLC_SCHEDULE_COSINE_DECAY:
    if (schedule->warmupSteps <= 0)
      return mlcCosineDecay(initial, schedule->alpha, s < d ? s : d, d);
    s = s < d + warmup ? s : d + warmup;
    if (s < warmup)
      return initial + (schedule->warmupTarget - initial) * (s / warmup);
    return mlcCosineDecay(schedule->warmupTarget, schedule->alpha, s - warmup,
                          d);
  default: /* MLC_SCHEDULE_CONSTANT */
    return initial;
  }
}

MLC_CORE_FN double mlcAdamStepSize(double rate, double beta1, double beta2,
                                   int64_t step) {
  double t = (double)(step + 1);
  return rate * sqrt(1.0 - pow(beta2, t)) / (1.0 - pow(beta1, t));
}
