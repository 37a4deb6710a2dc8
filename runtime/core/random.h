/*===- random.h - splitmix64 streams: initializers and shuffles -----------===//
 *
 * Part of the mlc runtime core (libc-only C11, shared by mlc's C++ runtime
 * and every generated model library, so both draw the same bits). splitmix64
 * is a small generator with a full 64-bit period: good enough for initial
 * weights and epoch orders, and trivial to reproduce in any language.
 *
 *===----------------------------------------------------------------------===*/

#ifndef MLC_RUNTIME_CORE_RANDOM_H
#define MLC_RUNTIME_CORE_RANDOM_H

#include "runtime/core/core.h"

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* The distributions initializers reduce to, numbered as
 * runtime::InitDistribution::Kind and a library's MLC_INIT_* are. */
enum {
  MLC_DIST_CONSTANT = 0,
  MLC_DIST_UNIFORM = 1,
  MLC_DIST_NORMAL = 2,
  MLC_DIST_TRUNCATED_NORMAL = 3,
  MLC_DIST_ORTHOGONAL = 4,
  MLC_DIST_UNIT_FORGET_BIAS = 5
};

/* Fills data[0..n) from distribution `kind` (a: constant, uniform low or
 * normal mean; b: uniform high or normal stddev) with a stream that depends
 * only on `seed` and name[0..nameLength). Uniform draws are in [a, b);
 * truncated normals are redrawn outside mean +- 2 stddev, as Keras does.
 * Orthogonal (Keras's): data as a matrix of `b` rows (n / b columns) with
 * orthonormal columns, or rows when there are fewer rows than columns,
 * times the gain `a`. Unit forget bias: zeros with ones in the second
 * quarter (an LSTM's forget gate). */
MLC_CORE_FN void mlcInitialize(float *data, int64_t n, int kind, double a,
                               double b, uint64_t seed, const char *name,
                               size_t nameLength);

/* Sets order[0..n) to a permutation of 0..n-1 that depends only on `seed`
 * and `epoch` (Fisher-Yates from the end). */
MLC_CORE_FN void mlcShuffle(int64_t *order, int64_t n, uint64_t seed,
                            int64_t epoch);

#ifdef __cplusplus
}
#endif

#endif /* MLC_RUNTIME_CORE_RANDOM_H */
