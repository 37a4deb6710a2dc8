/*===- random.c - splitmix64 streams: initializers and shuffles -----------===//
 *
 * Part of the mlc runtime core; see random.h.
 *
 *===----------------------------------------------------------------------===*/

#include "runtime/core/random.h"

#include <math.h>

/* The next 64 bits of the stream at `*state`. */
static uint64_t mlcRandomNext(uint64_t *state) {
  uint64_t z = (*state += 0x9E3779B97F4A7C15ull);
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
  return z ^ (z >> 31);
}

/* Uniform in [0, 1) with 53 random bits. */
static double mlcRandomUniform(uint64_t *state) {
  return (double)(mlcRandomNext(state) >> 11) * 0x1.0p-53;
}

/* Standard normal (Box-Muller; one value per call, for simplicity). */
static double mlcRandomNormal(uint64_t *state) {
  double u1 = mlcRandomUniform(state), u2 = mlcRandomUniform(state);
  /* 1 - u1 is in (0, 1], so the log is finite. M_PI is not C11. */
  return sqrt(-2.0 * log(1.0 - u1)) * cos(2.0 * 3.14159265358979323846 * u2);
}

/* Orthonormalizes `count` vectors of `length` floats, vector j's element i
 * at data[j * step + i * stride], by modified Gram-Schmidt in double. Each
 * vector becomes a column of the Q of a QR decomposition whose R has a
 * positive diagonal: the Q Keras's Orthogonal keeps (it flips the signs of
 * LAPACK's Q to make diag(R) positive). */
static void mlcOrthonormalize(float *data, int64_t count, int64_t length,
                              int64_t step, int64_t stride) {
  for (int64_t j = 0; j < count; ++j) {
    float *v = data + j * step;
    for (int64_t k = 0; k < j; ++k) {
      const float *u = data + k * step;
      double dot = 0.0;
      for (int64_t i = 0; i < length; ++i)
        dot += (double)u[i * stride] * (double)v[i * stride];
      for (int64_t i = 0; i < length; ++i)
        v[i * stride] = (float)((double)v[i * stride] - dot * u[i * stride]);
    }
    double norm = 0.0;
    for (int64_t i = 0; i < length; ++i)
      norm += (double)v[i * stride] * (double)v[i * stride];
    norm = sqrt(norm);
    /* A zero vector (probability zero) stays zero. */
    for (int64_t i = 0; norm > 0.0 && i < length; ++i)
      v[i * stride] = (float)(v[i * stride] / norm);
  }
}

MLC_CORE_FN void mlcInitialize(float *data, int64_t n, int kind, double a,
                               double b, uint64_t seed, const char *name,
                               size_t nameLength) {
  /* FNV-1a of the name, mixed with the seed. */
  uint64_t state = 0xCBF29CE484222325ull;
  for (size_t i = 0; i < nameLength; ++i)
    state = (state ^ (unsigned char)name[i]) * 0x100000001B3ull;
  state ^= seed * 0x9E3779B97F4A7C15ull + 0x632BE59BD9B4E019ull;
  if (kind == MLC_DIST_ORTHOGONAL) {
    /* Normal draws, then orthonormal columns of the (rows x cols) matrix,
     * or orthonormal rows when it is wide (Keras orthonormalizes the
     * transpose then). */
    int64_t rows = (int64_t)b, cols = rows > 0 ? n / rows : 0;
    for (int64_t i = 0; i < n; ++i)
      data[i] = (float)mlcRandomNormal(&state);
    if (rows >= cols)
      mlcOrthonormalize(data, cols, rows, 1, cols);
    else
      mlcOrthonormalize(data, rows, cols, cols, 1);
    for (int64_t i = 0; i < n; ++i)
      data[i] = (float)(a * data[i]);
    return;
  }
  if (kind == MLC_DIST_UNIT_FORGET_BIAS) {
    for (int64_t i = 0; i < n; ++i)
      data[i] = (i >= n / 4 && i < n / 2) ? 1.0f : 0.0f;
    return;
  }
  for (int64_t i = 0; i < n; ++i) {
    double v = a;
    switch (kind) {
    case MLC_DIST_UNIFORM:
      v = a + (b - a) * mlcRandomUniform(&state);
      break;
    case MLC_DIST_NORMAL:
      v = a + b * mlcRandomNormal(&state);
      break;
    case MLC_DIST_TRUNCATED_NORMAL: {
      double z;
      do
        z = mlcRandomNormal(&state);
      while (fabs(z) > 2.0);
      v = a + b * z;
      break;
    }
    default: /* MLC_DIST_CONSTANT */
      break;
    }
    data[i] = (float)v;
  }
}

MLC_CORE_FN void mlcShuffle(int64_t *order, int64_t n, uint64_t seed,
                            int64_t epoch) {
  uint64_t state = seed * 0x9E3779B97F4A7C15ull + (uint64_t)epoch + 1;
  for (int64_t i = 0; i < n; ++i)
    order[i] = i;
  for (int64_t i = n - 1; i > 0; --i) {
    uint64_t j = mlcRandomNext(&state) % (uint64_t)(i + 1);
    int64_t t = order[i];
    order[i] = order[j];
    order[j] = t;
  }
}
