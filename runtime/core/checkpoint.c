/*===- checkpoint.c - match a checkpoint against a model ------------------===//
 *
 * Part of the mlc runtime core; see checkpoint.h.
 *
 *===----------------------------------------------------------------------===*/

#include "runtime/core/checkpoint.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Appends one formatted piece to the problems; 0 when out of memory. */
static int mlcMatchAppend(mlc_checkpoint_match *m, size_t *capacity,
                          const char *format, ...) {
  size_t size = m->problems ? strlen(m->problems) : 0;
  for (;;) {
    va_list args;
    va_start(args, format);
    size_t room = *capacity - size;
    int n =
        vsnprintf(m->problems ? m->problems + size : NULL, room, format, args);
    va_end(args);
    if (n < 0)
      return 0;
    if ((size_t)n < room)
      return 1;
    size_t grown = (*capacity + (size_t)n + 1) * 2;
    char *text = realloc(m->problems, grown);
    if (!text)
      return 0;
    m->problems = text;
    *capacity = grown;
  }
}

/* Appends "dtype [d0, d1]". */
static int mlcMatchShape(mlc_checkpoint_match *m, size_t *capacity,
                         const char *dtype, size_t rank, const int64_t *shape) {
  int ok = mlcMatchAppend(m, capacity, "%s [", dtype);
  for (size_t k = 0; k < rank; ++k)
    ok = ok && mlcMatchAppend(m, capacity, "%s%lld", k ? ", " : "",
                              (long long)shape[k]);
  return ok && mlcMatchAppend(m, capacity, "]");
}

static const mlc_stored_tensor *mlcMatchFind(const mlc_safetensors *file,
                                             const char *name) {
  for (size_t n = 0; n < file->numTensors; ++n)
    if (!strcmp(file->tensors[n].name, name))
      return &file->tensors[n];
  return NULL;
}

MLC_CORE_FN int mlcParseCount(const char *text, int64_t *count) {
  int64_t n = 0;
  if (!*text)
    return 0;
  for (; *text; ++text) {
    if (*text < '0' || *text > '9')
      return 0;
    n = 10 * n + (*text - '0');
    if (n > MLC_MAX_COUNT)
      return 0;
  }
  *count = n;
  return 1;
}

MLC_CORE_FN int mlcMatchCheckpoint(const mlc_safetensors *file,
                                   const mlc_model_tensor *tensors,
                                   size_t numParams, size_t numStates,
                                   int stateRule, mlc_checkpoint_match *match) {
  static const char *const count = "optimizer.iterations";
  size_t capacity = 0, total = numParams + numStates;
  int ok = 1;
  match->iterations = NULL;
  match->statesFound = 0;
  match->problems = NULL;
  match->numProblems = 0;
  for (size_t i = 0; i < total; ++i) {
    const mlc_model_tensor *t = &tensors[i];
    const mlc_stored_tensor *e = mlcMatchFind(file, t->name);
    match->found[i] = NULL;
    if (!e || (i >= numParams && stateRule == MLC_STATE_IGNORED))
      continue;
    int same = !strcmp(e->dtype, "F32") && e->rank == t->rank;
    for (size_t k = 0; same && k < t->rank; ++k)
      same = e->shape[k] == t->shape[k];
    if (same) {
      match->found[i] = e->data;
      match->statesFound += i >= numParams;
      continue;
    }
    ++match->numProblems;
    ok = ok && mlcMatchAppend(match, &capacity, "\n  %s is ", t->name) &&
         mlcMatchShape(match, &capacity, e->dtype, e->rank, e->shape) &&
         mlcMatchAppend(match, &capacity, ", the model needs ") &&
         mlcMatchShape(match, &capacity, "F32", t->rank, t->shape);
  }
  /* Optimizer state is needed, or all there or all absent, or ignored. */
  int statesWanted = stateRule == MLC_STATE_REQUIRED ||
                     (stateRule == MLC_STATE_OPTIONAL && match->statesFound);
  for (size_t i = 0; i < total; ++i) {
    const mlc_model_tensor *t = &tensors[i];
    if (match->found[i] || (i >= numParams && !statesWanted) ||
        mlcMatchFind(file, t->name))
      continue;
    ++match->numProblems;
    ok = ok && mlcMatchAppend(match, &capacity, "\n  missing %s ", t->name) &&
         mlcMatchShape(match, &capacity, "F32", t->rank, t->shape);
  }
  /* The step count goes with the state (Adam's bias correction). */
  const mlc_stored_tensor *steps = mlcMatchFind(file, count);
  int64_t stepsTaken = -1;
  if (steps && !strcmp(steps->dtype, "I64") && steps->rank == 0)
    memcpy(&stepsTaken, steps->data, 8);
  if (stateRule == MLC_STATE_IGNORED) {
    /* The step count is the state's. */
  } else if (steps && (stepsTaken < 0 || stepsTaken > MLC_MAX_COUNT)) {
    ++match->numProblems;
    ok = ok &&
         mlcMatchAppend(match, &capacity,
                        "\n  %s is not a count (I64 [] in [0, 2^53])", count);
  } else if (steps) {
    match->iterations = steps->data;
  } else if (statesWanted) {
    ++match->numProblems;
    ok = ok && mlcMatchAppend(match, &capacity, "\n  missing %s I64 []", count);
  }
  for (size_t n = 0; n < file->numTensors; ++n) {
    const char *name = file->tensors[n].name;
    int known = !strcmp(name, count);
    for (size_t i = 0; i < total && !known; ++i)
      known = !strcmp(name, tensors[i].name);
    if (known)
      continue;
    ++match->numProblems;
    ok = ok && mlcMatchAppend(match, &capacity, "\n  unexpected %s", name);
  }
  return ok ? MLC_CORE_OK : MLC_CORE_MEMORY;
}
