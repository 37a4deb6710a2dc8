/*===- schedule.h - learning-rate schedules and Adam's step size ----------===//
 *
 * Part of the mlc runtime core (libc-only C11, shared by mlc's C++ runtime
 * and every generated model library, so both compute the same rates). The
 * formulas are Keras's (keras.optimizers.schedules); runtime/LearningRate.h
 * documents them. Computed in double, as the trainer passes them.
 *
 *===----------------------------------------------------------------------===*/

#ifndef MLC_RUNTIME_CORE_SCHEDULE_H
#define MLC_RUNTIME_CORE_SCHEDULE_H

#include "runtime/core/core.h"

#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Numbered as runtime::LearningRateSchedule::Kind and a library's
 * MLC_SCHEDULE_KIND are. */
enum {
  MLC_SCHEDULE_CONSTANT = 0,
  MLC_SCHEDULE_EXPONENTIAL_DECAY = 1,
  MLC_SCHEDULE_COSINE_DECAY = 2
};

typedef struct {
  int kind;
  double initial;      /* the optimizer's learning rate */
  int64_t decaySteps;  /* D (values below 1 count as 1) */
  double decayRate;    /* exponential decay */
  int staircase;       /* exponential decay: floor the exponent */
  double alpha;        /* cosine: the final fraction of the rate */
  int64_t warmupSteps; /* cosine: 0 = no warm-up */
  double warmupTarget; /* cosine: the rate the warm-up reaches */
} mlc_schedule;

/* The learning rate for iteration `step` (0 for the first step). */
MLC_CORE_FN double mlcScheduleRate(const mlc_schedule *schedule, int64_t step);

/* Adam's bias-corrected step size for iteration `step` (0-based):
 * rate * sqrt(1 - beta2^t) / (1 - beta1^t) with t = step + 1. */
MLC_CORE_FN double mlcAdamStepSize(double rate, double beta1, double beta2,
                                   int64_t step);

#ifdef __cplusplus
}
#endif

#endif /* MLC_RUNTIME_CORE_SCHEDULE_H */
