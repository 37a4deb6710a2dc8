/*===- checkpoint.h - match a checkpoint against a model ------------------===//
 *
 * Part of the mlc runtime core (libc-only C11, shared by mlc's C++ runtime
 * and every generated model library, so both accept and refuse the same
 * checkpoints with the same messages). A checkpoint is a safetensors file
 * of F32 params, F32 optimizer states and the I64 step count
 * "optimizer.iterations".
 *
 *===----------------------------------------------------------------------===*/

#ifndef MLC_RUNTIME_CORE_CHECKPOINT_H
#define MLC_RUNTIME_CORE_CHECKPOINT_H

#include "runtime/core/core.h"
#include "runtime/core/safetensors.h"

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* What a reader wants of the optimizer state (and its step count). */
enum {
  MLC_STATE_IGNORED = 0,  /* params only (evaluation) */
  MLC_STATE_OPTIONAL = 1, /* all there or all absent (a fresh optimizer) */
  MLC_STATE_REQUIRED = 2  /* resuming training */
};

/* The largest step or epoch count a checkpoint may hold: 2^53, exact as a
 * double (the schedules compute in doubles), and far from overflowing
 * when incremented. */
#define MLC_MAX_COUNT ((int64_t)1 << 53)

/* Parses `text` as a count: decimal digits only, at most MLC_MAX_COUNT.
 * Returns 1 and sets *count, or 0. */
MLC_CORE_FN int mlcParseCount(const char *text, int64_t *count);

/* A tensor the model expects: float32 of this shape. */
typedef struct {
  const char *name;
  size_t rank;
  const int64_t *shape;
} mlc_model_tensor;

typedef struct {
  /* Per model tensor (params, then states): its data in the file, or NULL. */
  const void **found;
  /* The step count's 8 bytes, or NULL. */
  const void *iterations;
  size_t statesFound;
  /* One "\n  ..." line per problem (malloc'd; NULL when there is none). */
  char *problems;
  size_t numProblems;
} mlc_checkpoint_match;

/* Matches `file` against `tensors` (numParams params, then numStates
 * optimizer states), filling `match` (whose `found` has room for all of
 * them). Problems: a tensor missing, of another dtype or shape, or not the
 * model's; a step count that is not a count (I64 [] in [0, MLC_MAX_COUNT]).
 * `stateRule`
 * (MLC_STATE_*) says whether the states and the step count must be there.
 * Returns MLC_CORE_OK, or MLC_CORE_MEMORY when the problems could not be
 * listed. Free `match->problems` with free(). */
MLC_CORE_FN int mlcMatchCheckpoint(const mlc_safetensors *file,
                                   const mlc_model_tensor *tensors,
                                   size_t numParams, size_t numStates,
                                   int needStates, mlc_checkpoint_match *match);

#ifdef __cplusplus
}
#endif

#endif /* MLC_RUNTIME_CORE_CHECKPOINT_H */
