/*===- ModelLibrary.c - the C side of a generated model library -----------===//
 *
 * `mlc compile -o DIR` compiles this file into every model library, after a
 * generated prologue that includes the model's header and defines:
 *   MLC_API(x)          the exported name of x (<model>_x)
 *   MLC_MODEL_NAME      the model's name, a string
 *   MLC_MAX_BATCH, MLC_NUM_PARAMS, MLC_NUM_STATES, MLC_STATE_SLOTS
 *   MLC_HAS_LOSS, MLC_CAN_TRAIN, MLC_SPARSE_LABELS, MLC_NUM_CLASSES
 *   MLC_LEARNING_RATE, MLC_BIAS_CORRECTED, MLC_BETA1, MLC_BETA2
 *   mlc_label_t         the label element type
 *   mlc_params[], mlc_states[], mlc_input, mlc_output, mlc_labels
 *                       struct mlc_tensor tables (plus a NULL-named end)
 *   mlc_<entry>_bytes(), mlc_<entry>_run()  calls into the compiled code
 *                       with an array of memref descriptor pointers
 *   MLC_GPU             1 for --target=cuda: runtime/cuda/mgpu.c comes
 *                       before this file, its names under MLC_MGPU(x)
 *   MLC_FLUSH_DENORMALS 1: denormals flush to zero while compiled code runs
 * It depends on libc and libm only. Checkpoints are safetensors files, the
 * same as `mlc train --checkpoint` writes; init() draws the same bits as
 * mlc's runtime (runtime/Initializers.cpp) for the same seed.
 *
 *===----------------------------------------------------------------------===*/

#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#if MLC_FLUSH_DENORMALS && (defined(__x86_64__) || defined(__i386__))
#include <xmmintrin.h>
#endif

/* A ranked memref descriptor as the compiled code reads it: allocated and
 * aligned pointers, offset, then sizes[rank] and strides[rank]. */
typedef struct {
  void *allocated, *aligned;
  int64_t offset;
  int64_t dims[2 * MLC_MAX_RANK];
} mlc_memref;

enum { MLC_OK = 0, MLC_ERR_ARGUMENT = 1, MLC_ERR_STATE = 2, MLC_ERR_IO = 3,
       MLC_ERR_FORMAT = 4, MLC_ERR_MEMORY = 5, MLC_ERR_DEVICE = 6 };

struct MLC_API(state) {
  float *params[MLC_NUM_PARAMS + 1];
  float *states[MLC_NUM_STATES + 1];
  float *scratch; /* predictions train_step writes and the caller skips */
  float *scalars; /* learning rate, step size, loss */
  /* GPU: the caller's inputs are copied here, where kernels can read. */
  float *xStage;
  mlc_label_t *yStage;
  char *workspace;
  int64_t workspaceBytes;
  int64_t iterations, epoch;
  uint64_t seed;
  double learningRate;
  int ready; /* init or load ran */
};

static _Thread_local char mlcError[1024];

static int mlcFail(int code, const char *format, ...) {
  va_list args;
  va_start(args, format);
  vsnprintf(mlcError, sizeof mlcError, format, args);
  va_end(args);
  return code;
}

const char *MLC_API(last_error)(void) { return mlcError; }

/*===--- introspection ----------------------------------------------------===*/

int64_t MLC_API(num_params)(void) { return MLC_NUM_PARAMS; }

int64_t MLC_API(param_count)(void) {
  int64_t n = 0;
  for (int i = 0; i < MLC_NUM_PARAMS; ++i)
    n += mlc_params[i].size;
  return n;
}

const char *MLC_API(param_name)(int64_t i) {
  return i >= 0 && i < MLC_NUM_PARAMS ? mlc_params[i].name : NULL;
}

int64_t MLC_API(param_rank)(int64_t i) {
  return i >= 0 && i < MLC_NUM_PARAMS ? mlc_params[i].rank : -1;
}

const int64_t *MLC_API(param_shape)(int64_t i) {
  return i >= 0 && i < MLC_NUM_PARAMS ? mlc_params[i].shape : NULL;
}

int64_t MLC_API(param_size)(int64_t i) {
  return i >= 0 && i < MLC_NUM_PARAMS ? mlc_params[i].size : -1;
}

int64_t MLC_API(input_rank)(void) { return mlc_input.rank; }
const int64_t *MLC_API(input_shape)(void) { return mlc_input.shape; }
int64_t MLC_API(input_size)(void) { return mlc_input.size; }
int64_t MLC_API(output_rank)(void) { return mlc_output.rank; }
const int64_t *MLC_API(output_shape)(void) { return mlc_output.shape; }
int64_t MLC_API(output_size)(void) { return mlc_output.size; }
int64_t MLC_API(max_batch)(void) { return MLC_MAX_BATCH; }

/*===--- state ------------------------------------------------------------===*/

static void *mlcAlloc(int64_t bytes) {
  /* 64-byte aligned, a whole number of alignments; touched once here so
   * the first step does not pay the page faults. On the GPU, memory the
   * host and the device both address. */
  size_t size = (size_t)((bytes + 63) / 64 * 64);
#if MLC_GPU
  void *p = MLC_MGPU(mlcCudaAllocShared)(size ? size : 64);
#else
  void *p = aligned_alloc(64, size ? size : 64);
#endif
  if (p)
    memset(p, 0, size ? size : 64);
  return p;
}

static void mlcFree(void *p) {
#if MLC_GPU
  MLC_MGPU(mlcCudaFree)(p);
#else
  free(p);
#endif
}

/* Where a kernel finds caller data: the data itself on the CPU or when it
 * is already device memory (the _device calls); else a copy in `stage`. */
static const void *mlcStage(const void *data, void *stage, size_t bytes,
                            int device) {
#if MLC_GPU
  if (!device) {
    memcpy(stage, data, bytes);
    return stage;
  }
#endif
  (void)stage, (void)bytes, (void)device;
  return data;
}

/* Describes `data` as tensor `t` with the dynamic dimension set to batch. */
static void mlcDescribe(mlc_memref *m, const void *data,
                        const struct mlc_tensor *t, int64_t batch) {
  int64_t stride = 1;
  m->allocated = m->aligned = (void *)data;
  m->offset = 0;
  for (int k = t->rank - 1; k >= 0; --k) {
    int64_t size = t->shape[k] < 0 ? batch : t->shape[k];
    m->dims[k] = size;
    m->dims[t->rank + k] = stride;
    stride *= size;
  }
}

static void mlcScalar(mlc_memref *m, float *data) {
  m->allocated = m->aligned = data;
  m->offset = 0;
}

enum { MLC_MAX_ARGS = 2 * MLC_NUM_PARAMS + MLC_NUM_STATES + 8 };

/* The arguments of one call: descriptors and pointers to them. */
typedef struct {
  mlc_memref memrefs[MLC_MAX_ARGS];
  void *args[MLC_MAX_ARGS];
  int n;
} mlc_call;

static mlc_memref *mlcNext(mlc_call *c) {
  c->args[c->n] = &c->memrefs[c->n];
  return &c->memrefs[c->n++];
}

static void mlcAddParams(mlc_call *c, MLC_API(state) *s) {
  for (int i = 0; i < MLC_NUM_PARAMS; ++i)
    mlcDescribe(mlcNext(c), s->params[i], &mlc_params[i], 0);
}

/* Appends the workspace after checking it is large enough for this call. */
static int mlcAddWorkspace(mlc_call *c, MLC_API(state) *s, int64_t bytes) {
  static const struct mlc_tensor bytesTensor = {"workspace", 1, {-1}, 1};
  if (bytes > s->workspaceBytes)
    return mlcFail(MLC_ERR_MEMORY,
                   MLC_MODEL_NAME ": the call needs a %lld-byte workspace, "
                                  "%lld were allocated",
                   (long long)bytes, (long long)s->workspaceBytes);
  mlcDescribe(mlcNext(c), s->workspace, &bytesTensor,
              s->workspaceBytes ? s->workspaceBytes : 1);
  return MLC_OK;
}

/* The buffers of each entry point, in the order mlc-build-entry-points
 * gives them; NULL data with MLC_MAX_BATCH sizes the workspace. */
static void mlcPredictArgs(mlc_call *c, MLC_API(state) *s, const float *x,
                           float *y, int64_t batch) {
  c->n = 0;
  mlcAddParams(c, s);
  mlcDescribe(mlcNext(c), x, &mlc_input, batch);
  mlcDescribe(mlcNext(c), y, &mlc_output, batch);
}

#if MLC_HAS_LOSS
static void mlcEvalArgs(mlc_call *c, MLC_API(state) *s, const float *x,
                        const mlc_label_t *y, float *loss, float *predictions,
                        int64_t batch) {
  c->n = 0;
  mlcAddParams(c, s);
  mlcDescribe(mlcNext(c), x, &mlc_input, batch);
  mlcDescribe(mlcNext(c), y, &mlc_labels, batch);
  mlcScalar(mlcNext(c), loss);
  mlcDescribe(mlcNext(c), predictions, &mlc_output, batch);
}
#endif

#if MLC_CAN_TRAIN
static void mlcTrainArgs(mlc_call *c, MLC_API(state) *s, float *rate,
                         float *stepSize, const float *x,
                         const mlc_label_t *y, float *loss, int64_t batch) {
  c->n = 0;
  mlcAddParams(c, s);
  for (int i = 0; i < MLC_NUM_STATES; ++i)
    mlcDescribe(mlcNext(c), s->states[i], &mlc_states[i], 0);
  mlcScalar(mlcNext(c), rate);
  mlcScalar(mlcNext(c), stepSize);
  mlcDescribe(mlcNext(c), x, &mlc_input, batch);
  mlcDescribe(mlcNext(c), y, &mlc_labels, batch);
  mlcScalar(mlcNext(c), loss);
  mlcDescribe(mlcNext(c), s->scratch, &mlc_output, batch);
}
#endif

int MLC_API(destroy)(MLC_API(state) *s) {
  if (!s)
    return MLC_OK;
  for (int i = 0; i < MLC_NUM_PARAMS; ++i)
    mlcFree(s->params[i]);
  for (int i = 0; i < MLC_NUM_STATES; ++i)
    mlcFree(s->states[i]);
  mlcFree(s->scratch);
  mlcFree(s->scalars);
  mlcFree(s->xStage);
  mlcFree(s->yStage);
  mlcFree(s->workspace);
  free(s);
  return MLC_OK;
}

int MLC_API(create)(MLC_API(state) **out) {
  if (!out)
    return mlcFail(MLC_ERR_ARGUMENT, MLC_MODEL_NAME "_create: state is NULL");
  *out = NULL;
#if MLC_GPU
  const char *why = NULL;
  if (!MLC_MGPU(mlcCudaAvailable)(&why))
    return mlcFail(MLC_ERR_DEVICE,
                   MLC_MODEL_NAME "_create: CUDA cannot run here: %s", why);
#endif
  MLC_API(state) *s = calloc(1, sizeof *s);
  if (!s)
    return mlcFail(MLC_ERR_MEMORY, MLC_MODEL_NAME "_create: out of memory");
  int ok = 1;
  for (int i = 0; i < MLC_NUM_PARAMS; ++i)
    ok &= (s->params[i] = mlcAlloc(4 * mlc_params[i].size)) != NULL;
  for (int i = 0; i < MLC_NUM_STATES; ++i)
    ok &= (s->states[i] = mlcAlloc(4 * mlc_states[i].size)) != NULL;
  ok &= (s->scratch = mlcAlloc(4 * MLC_MAX_BATCH * mlc_output.size)) != NULL;
  ok &= (s->scalars = mlcAlloc(4 * 4)) != NULL;
#if MLC_GPU
  ok &= (s->xStage = mlcAlloc(4 * MLC_MAX_BATCH * mlc_input.size)) != NULL;
#if MLC_HAS_LOSS
  ok &= (s->yStage = mlcAlloc((int64_t)sizeof(mlc_label_t) * MLC_MAX_BATCH *
                              mlc_labels.size)) != NULL;
#endif
#endif
  /* One workspace, sized for the largest entry point at the largest batch
   * (the entry points size theirs from the shapes alone). */
  int64_t bytes = 0, b;
  mlc_call c;
  mlcPredictArgs(&c, s, NULL, NULL, MLC_MAX_BATCH);
  b = mlc_predict_bytes(c.args);
  bytes = b > bytes ? b : bytes;
#if MLC_HAS_LOSS
  mlcEvalArgs(&c, s, NULL, NULL, NULL, NULL, MLC_MAX_BATCH);
  b = mlc_eval_step_bytes(c.args);
  bytes = b > bytes ? b : bytes;
#endif
#if MLC_CAN_TRAIN
  mlcTrainArgs(&c, s, NULL, NULL, NULL, NULL, NULL, MLC_MAX_BATCH);
  b = mlc_train_step_bytes(c.args);
  bytes = b > bytes ? b : bytes;
#endif
  s->workspaceBytes = (bytes + 63) / 64 * 64;
  ok &= (s->workspace = mlcAlloc(s->workspaceBytes)) != NULL;
  if (!ok) {
    MLC_API(destroy)(s);
#if MLC_GPU
    char error[512];
    if (MLC_MGPU(mlcCudaTakeError)(error, sizeof error))
      return mlcFail(MLC_ERR_DEVICE, MLC_MODEL_NAME "_create: %s", error);
#endif
    return mlcFail(MLC_ERR_MEMORY, MLC_MODEL_NAME "_create: out of memory");
  }
  s->learningRate = MLC_LEARNING_RATE;
  *out = s;
  return MLC_OK;
}

/*===--- init: the same streams as runtime/Initializers.cpp ---------------===*/

static uint64_t mlcNextRandom(uint64_t *state) {
  uint64_t z = (*state += 0x9E3779B97F4A7C15ull);
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
  return z ^ (z >> 31);
}

static double mlcUniform(uint64_t *state) {
  return (double)(mlcNextRandom(state) >> 11) * 0x1.0p-53;
}

static double mlcNormal(uint64_t *state) {
  double u1 = mlcUniform(state), u2 = mlcUniform(state);
  return sqrt(-2.0 * log(1.0 - u1)) * cos(2.0 * 3.14159265358979323846 * u2);
}

static void mlcInitialize(float *data, const struct mlc_tensor *t,
                          uint64_t seed) {
  uint64_t h = 0xCBF29CE484222325ull;
  for (const unsigned char *c = (const unsigned char *)t->name; *c; ++c)
    h = (h ^ *c) * 0x100000001B3ull;
  uint64_t state = h ^ (seed * 0x9E3779B97F4A7C15ull + 0x632BE59BD9B4E019ull);
  for (int64_t i = 0; i < t->size; ++i) {
    double v = t->a;
    switch (t->init) {
    case MLC_INIT_CONSTANT:
      break;
    case MLC_INIT_UNIFORM:
      v = t->a + (t->b - t->a) * mlcUniform(&state);
      break;
    case MLC_INIT_NORMAL:
      v = t->a + t->b * mlcNormal(&state);
      break;
    case MLC_INIT_TRUNCATED_NORMAL: {
      double z;
      do
        z = mlcNormal(&state);
      while (fabs(z) > 2.0);
      v = t->a + t->b * z;
      break;
    }
    }
    data[i] = (float)v;
  }
}

int MLC_API(init)(MLC_API(state) *s, uint64_t seed) {
  if (!s)
    return mlcFail(MLC_ERR_ARGUMENT, MLC_MODEL_NAME "_init: state is NULL");
  for (int i = 0; i < MLC_NUM_PARAMS; ++i)
    mlcInitialize(s->params[i], &mlc_params[i], seed);
  for (int i = 0; i < MLC_NUM_STATES; ++i)
    memset(s->states[i], 0, 4 * (size_t)mlc_states[i].size);
  s->iterations = 0;
  s->epoch = 0;
  s->seed = seed;
  s->ready = 1;
  return MLC_OK;
}

/*===--- steps ------------------------------------------------------------===*/

/* Checks what every step needs: a ready state, data, a batch in range. */
static int mlcCheck(const char *fn, const MLC_API(state) *s, const void *x,
                    const void *y, int needY, int64_t batch) {
  if (!s)
    return mlcFail(MLC_ERR_ARGUMENT, MLC_MODEL_NAME "_%s: state is NULL", fn);
  if (!x)
    return mlcFail(MLC_ERR_ARGUMENT, MLC_MODEL_NAME "_%s: x is NULL", fn);
  if (needY && !y)
    return mlcFail(MLC_ERR_ARGUMENT, MLC_MODEL_NAME "_%s: %s is NULL", fn,
                   needY == 1 ? "y (the labels)" : "y (the output buffer)");
  if (batch < 1 || batch > MLC_MAX_BATCH)
    return mlcFail(MLC_ERR_ARGUMENT,
                   MLC_MODEL_NAME "_%s: batch size %lld is outside [1, %d] "
                                  "(the library was compiled with "
                                  "--max-batch=%d)",
                   fn, (long long)batch, MLC_MAX_BATCH, MLC_MAX_BATCH);
  if (!s->ready)
    return mlcFail(MLC_ERR_STATE,
                   MLC_MODEL_NAME "_%s: the parameters are not set; call "
                                  MLC_MODEL_NAME "_init or " MLC_MODEL_NAME
                                  "_load first",
                   fn);
  return MLC_OK;
}

/* Runs the compiled code with denormals flushed to zero (unless built with
 * --denormals=keep), as mlc's JIT does (runtime/FloatMode.h says why), and
 * puts the caller's flush bits back; exception flags the code raised stay
 * raised. On x86, OpenMP workers take the mode at each fork. */
static void mlcRunCode(void (*run)(void **), void **args) {
#if MLC_FLUSH_DENORMALS && (defined(__x86_64__) || defined(__i386__))
  const unsigned bits = 0x8040u; /* flush to zero, denormals are zero */
  unsigned saved = _mm_getcsr();
  _mm_setcsr(saved | bits);
  run(args);
  _mm_setcsr((_mm_getcsr() & ~bits) | (saved & bits));
#elif MLC_FLUSH_DENORMALS && defined(__aarch64__)
  const uint64_t bit = (uint64_t)1 << 24; /* FPCR.FZ */
  uint64_t saved, now;
  __asm__ __volatile__("mrs %0, fpcr" : "=r"(saved));
  __asm__ __volatile__("msr fpcr, %0" ::"r"(saved | bit));
  run(args);
  __asm__ __volatile__("mrs %0, fpcr" : "=r"(now));
  now = (now & ~bit) | (saved & bit);
  __asm__ __volatile__("msr fpcr, %0" ::"r"(now));
#else
  run(args);
#endif
}

/* Runs an entry point with its workspace; on the GPU, waits for it and
 * reports the first failed driver call. */
static int mlcRun(const char *fn, mlc_call *c, MLC_API(state) *s,
                  int64_t (*bytes)(void **), void (*run)(void **)) {
  int err = mlcAddWorkspace(c, s, bytes(c->args));
  if (err)
    return err;
  mlcRunCode(run, c->args);
#if MLC_GPU
  char error[512];
  MLC_MGPU(mlcCudaSynchronize)();
  if (MLC_MGPU(mlcCudaTakeError)(error, sizeof error))
    return mlcFail(MLC_ERR_DEVICE, MLC_MODEL_NAME "_%s on the GPU failed: %s",
                   fn, error);
#else
  (void)fn;
#endif
  return MLC_OK;
}

static int mlcPredict(const char *fn, MLC_API(state) *s, const float *x,
                      int64_t batch, float *y, int device) {
  int err = mlcCheck(fn, s, x, y, 2, batch);
  if (err)
    return err;
  /* On the GPU the output goes through shared scratch unless it is
   * device memory already. */
  float *out = MLC_GPU && !device ? s->scratch : y;
  mlc_call c;
  mlcPredictArgs(&c, s,
                 mlcStage(x, s->xStage, 4 * (size_t)(batch * mlc_input.size),
                          device),
                 out, batch);
  if ((err = mlcRun(fn, &c, s, mlc_predict_bytes, mlc_predict_run)))
    return err;
  if (out != y)
    memcpy(y, out, 4 * (size_t)(batch * mlc_output.size));
  return MLC_OK;
}

int MLC_API(predict)(MLC_API(state) *s, const float *x, int64_t batch,
                     float *y) {
  return mlcPredict("predict", s, x, batch, y, 0);
}

#if MLC_HAS_LOSS
static int mlcCheckLabels(const char *fn, const mlc_label_t *y,
                          int64_t batch) {
#if MLC_SPARSE_LABELS
  for (int64_t i = 0; i < batch; ++i)
    if (y[i] < 0 || y[i] >= MLC_NUM_CLASSES)
      return mlcFail(MLC_ERR_ARGUMENT,
                     MLC_MODEL_NAME "_%s: label %lld of sample %lld is "
                                    "outside [0, %d)",
                     fn, (long long)y[i], (long long)i, MLC_NUM_CLASSES);
#else
  (void)fn, (void)y, (void)batch;
#endif
  return MLC_OK;
}

/* The labels where kernels read them (see mlcStage). */
static const mlc_label_t *mlcStageLabels(MLC_API(state) *s,
                                         const mlc_label_t *y, int64_t batch,
                                         int device) {
  return (const mlc_label_t *)mlcStage(
      y, s->yStage, sizeof(mlc_label_t) * (size_t)(batch * mlc_labels.size),
      device);
}

static int mlcEval(const char *fn, MLC_API(state) *s, const float *x,
                   const mlc_label_t *y, int64_t batch, float *loss,
                   float *predictions, int device) {
  int err = mlcCheck(fn, s, x, y, 1, batch);
  if (!err && !(MLC_GPU && device))
    err = mlcCheckLabels(fn, y, batch);
  if (err)
    return err;
  float *out = predictions && !(MLC_GPU && !device) ? predictions : s->scratch;
  s->scalars[2] = 0;
  mlc_call c;
  mlcEvalArgs(&c, s,
              mlcStage(x, s->xStage, 4 * (size_t)(batch * mlc_input.size),
                       device),
              mlcStageLabels(s, y, batch, device), &s->scalars[2], out, batch);
  if ((err = mlcRun(fn, &c, s, mlc_eval_step_bytes, mlc_eval_step_run)))
    return err;
  if (predictions && out != predictions)
    memcpy(predictions, out, 4 * (size_t)(batch * mlc_output.size));
  if (loss)
    *loss = s->scalars[2];
  return MLC_OK;
}

int MLC_API(eval_step)(MLC_API(state) *s, const float *x, const mlc_label_t *y,
                       int64_t batch, float *loss, float *predictions) {
  return mlcEval("eval_step", s, x, y, batch, loss, predictions, 0);
}
#endif

#if MLC_CAN_TRAIN
static int mlcTrain(const char *fn, MLC_API(state) *s, const float *x,
                    const mlc_label_t *y, int64_t batch, float *loss,
                    int device) {
  int err = mlcCheck(fn, s, x, y, 1, batch);
  if (!err && !(MLC_GPU && device))
    err = mlcCheckLabels(fn, y, batch);
  if (err)
    return err;
  /* This step's learning rate and (for Adam/AdamW) bias-corrected step
   * size, computed in double as mlc train does (docs/optimizers.md). */
  double rate = s->learningRate;
  s->scalars[0] = (float)rate;
  s->scalars[1] = (float)rate;
  s->scalars[2] = 0;
#if MLC_BIAS_CORRECTED
  double t = (double)(s->iterations + 1);
  s->scalars[1] = (float)(rate * sqrt(1.0 - pow(MLC_BETA2, t)) /
                          (1.0 - pow(MLC_BETA1, t)));
#endif
  mlc_call c;
  mlcTrainArgs(&c, s, &s->scalars[0], &s->scalars[1],
               mlcStage(x, s->xStage, 4 * (size_t)(batch * mlc_input.size),
                        device),
               mlcStageLabels(s, y, batch, device), &s->scalars[2], batch);
  if ((err = mlcRun(fn, &c, s, mlc_train_step_bytes, mlc_train_step_run)))
    return err;
  ++s->iterations;
  if (loss)
    *loss = s->scalars[2];
  return MLC_OK;
}

int MLC_API(train_step)(MLC_API(state) *s, const float *x,
                        const mlc_label_t *y, int64_t batch, float *loss) {
  return mlcTrain("train_step", s, x, y, batch, loss, 0);
}
#endif

#if MLC_GPU
/*===--- device memory: steps without copies ------------------------------===*/

int MLC_API(device_alloc)(size_t bytes, void **pointer) {
  if (!pointer)
    return mlcFail(MLC_ERR_ARGUMENT,
                   MLC_MODEL_NAME "_device_alloc: pointer is NULL");
  *pointer = MLC_MGPU(mlcCudaAllocShared)(bytes);
  if (!*pointer) {
    char error[512];
    const char *why = NULL;
    if (!MLC_MGPU(mlcCudaAvailable)(&why))
      return mlcFail(MLC_ERR_DEVICE,
                     MLC_MODEL_NAME "_device_alloc: CUDA cannot run here: %s",
                     why);
    MLC_MGPU(mlcCudaTakeError)(error, sizeof error);
    return mlcFail(MLC_ERR_MEMORY,
                   MLC_MODEL_NAME "_device_alloc: %zu bytes: %s", bytes,
                   error);
  }
  return MLC_OK;
}

int MLC_API(device_free)(void *pointer) {
  MLC_MGPU(mlcCudaFree)(pointer);
  return MLC_OK;
}

int MLC_API(predict_device)(MLC_API(state) *s, const float *x, int64_t batch,
                            float *y) {
  return mlcPredict("predict_device", s, x, batch, y, 1);
}

#if MLC_HAS_LOSS
int MLC_API(eval_step_device)(MLC_API(state) *s, const float *x,
                              const mlc_label_t *y, int64_t batch,
                              float *loss, float *predictions) {
  return mlcEval("eval_step_device", s, x, y, batch, loss, predictions, 1);
}
#endif

#if MLC_CAN_TRAIN
int MLC_API(train_step_device)(MLC_API(state) *s, const float *x,
                               const mlc_label_t *y, int64_t batch,
                               float *loss) {
  return mlcTrain("train_step_device", s, x, y, batch, loss, 1);
}
#endif
#endif

int MLC_API(set_learning_rate)(MLC_API(state) *s, double rate) {
  if (!s)
    return mlcFail(MLC_ERR_ARGUMENT,
                   MLC_MODEL_NAME "_set_learning_rate: state is NULL");
  if (!(rate > 0) || !isfinite(rate))
    return mlcFail(MLC_ERR_ARGUMENT,
                   MLC_MODEL_NAME "_set_learning_rate: the learning rate "
                                  "must be positive and finite, got %g",
                   rate);
  s->learningRate = rate;
  return MLC_OK;
}

double MLC_API(learning_rate)(const MLC_API(state) *s) {
  return s ? s->learningRate : NAN;
}

int64_t MLC_API(iterations)(const MLC_API(state) *s) {
  return s ? s->iterations : -1;
}

int MLC_API(set_epoch)(MLC_API(state) *s, int64_t epoch) {
  if (!s || epoch < 0)
    return mlcFail(MLC_ERR_ARGUMENT, MLC_MODEL_NAME
                   "_set_epoch: needs a state and an epoch >= 0");
  s->epoch = epoch;
  return MLC_OK;
}

int MLC_API(param_data)(MLC_API(state) *s, int64_t i, float **data) {
  if (!s || !data || i < 0 || i >= MLC_NUM_PARAMS)
    return mlcFail(MLC_ERR_ARGUMENT,
                   MLC_MODEL_NAME "_param_data: needs a state, a param "
                                  "index in [0, %d) and an output pointer",
                   MLC_NUM_PARAMS);
  *data = s->params[i];
  return MLC_OK;
}

/*===--- checkpoints: safetensors -----------------------------------------===*/

/* Appends to a growing string; returns 0 when out of memory. */
typedef struct {
  char *data;
  size_t size, capacity;
} mlc_text;

static int mlcAppend(mlc_text *t, const char *format, ...) {
  for (;;) {
    va_list args;
    va_start(args, format);
    size_t room = t->capacity - t->size;
    int n = vsnprintf(t->data ? t->data + t->size : NULL, room, format, args);
    va_end(args);
    if (n < 0)
      return 0;
    if ((size_t)n < room) {
      t->size += (size_t)n;
      return 1;
    }
    size_t capacity = (t->capacity + (size_t)n + 1) * 2;
    char *grown = realloc(t->data, capacity);
    if (!grown)
      return 0;
    t->data = grown;
    t->capacity = capacity;
  }
}

static int mlcAppendShape(mlc_text *t, const struct mlc_tensor *tensor) {
  int ok = mlcAppend(t, "[");
  for (int k = 0; k < tensor->rank; ++k)
    ok &= mlcAppend(t, "%s%lld", k ? "," : "", (long long)tensor->shape[k]);
  return ok & mlcAppend(t, "]");
}

/* Appends a JSON string. */
static int mlcAppendJson(mlc_text *t, const char *text) {
  int ok = mlcAppend(t, "\"");
  for (const unsigned char *c = (const unsigned char *)text; *c; ++c)
    ok &= *c == '"' || *c == '\\' ? mlcAppend(t, "\\%c", *c)
          : *c < 32                 ? mlcAppend(t, "\\u%04x", *c)
                                    : mlcAppend(t, "%c", *c);
  return ok & mlcAppend(t, "\"");
}

static int mlcWriteAll(FILE *f, const void *data, size_t size) {
  return fwrite(data, 1, size, f) == size;
}

int MLC_API(save)(MLC_API(state) *s, const char *path) {
  if (!s || !path)
    return mlcFail(MLC_ERR_ARGUMENT,
                   MLC_MODEL_NAME "_save: needs a state and a path");
  if (!s->ready)
    return mlcFail(MLC_ERR_STATE, MLC_MODEL_NAME "_save: nothing to save "
                                                 "before init or load");
  /* The header: the same metadata and order as mlc train's checkpoints. */
  mlc_text h = {NULL, 0, 0};
  int ok = mlcAppend(&h,
                     "{\"__metadata__\":{\"format\":\"mlc\",\"model\":\"%s\","
                     "\"epoch\":\"%lld\",\"step\":\"%lld\",\"seed\":\"%llu\"}",
                     MLC_MODEL_NAME, (long long)s->epoch,
                     (long long)s->iterations, (unsigned long long)s->seed);
  int64_t offset = 0;
  for (int i = 0; i < MLC_NUM_PARAMS + MLC_NUM_STATES; ++i) {
    const struct mlc_tensor *t =
        i < MLC_NUM_PARAMS ? &mlc_params[i] : &mlc_states[i - MLC_NUM_PARAMS];
    ok &= mlcAppend(&h, ",");
    ok &= mlcAppendJson(&h, t->name);
    ok &= mlcAppend(&h, ":{\"dtype\":\"F32\",\"shape\":");
    ok &= mlcAppendShape(&h, t);
    ok &= mlcAppend(&h, ",\"data_offsets\":[%lld,%lld]}", (long long)offset,
                    (long long)(offset + 4 * t->size));
    offset += 4 * t->size;
  }
  ok &= mlcAppend(&h,
                  ",\"optimizer.iterations\":{\"dtype\":\"I64\",\"shape\":[],"
                  "\"data_offsets\":[%lld,%lld]}}",
                  (long long)offset, (long long)(offset + 8));
  /* Pad with spaces so the data starts 8-byte aligned. */
  while (ok && h.size % 8)
    ok &= mlcAppend(&h, " ");
  if (!ok) {
    free(h.data);
    return mlcFail(MLC_ERR_MEMORY, MLC_MODEL_NAME "_save: out of memory");
  }

  /* Written to a temporary file beside the target, then renamed over it:
   * the old checkpoint stays whole until the new one is. */
  size_t pathLength = strlen(path);
  char *temp = malloc(pathLength + 16);
  if (!temp) {
    free(h.data);
    return mlcFail(MLC_ERR_MEMORY, MLC_MODEL_NAME "_save: out of memory");
  }
  snprintf(temp, pathLength + 16, "%s.tmp.XXXXXX", path);
  int fd = mkstemp(temp);
  if (fd >= 0)
    fchmod(fd, 0644); /* mkstemp makes it 0600; a checkpoint is shared */
  if (fd < 0) {
    int e = errno;
    free(h.data);
    free(temp);
    return mlcFail(MLC_ERR_IO, "cannot write '%s': %s", path, strerror(e));
  }
  FILE *f = fdopen(fd, "wb");
  unsigned char length[8];
  for (int k = 0; k < 8; ++k)
    length[k] = (unsigned char)((uint64_t)h.size >> (8 * k));
  ok = f && mlcWriteAll(f, length, 8) && mlcWriteAll(f, h.data, h.size);
  for (int i = 0; ok && i < MLC_NUM_PARAMS; ++i)
    ok = mlcWriteAll(f, s->params[i], 4 * (size_t)mlc_params[i].size);
  for (int i = 0; ok && i < MLC_NUM_STATES; ++i)
    ok = mlcWriteAll(f, s->states[i], 4 * (size_t)mlc_states[i].size);
  ok = ok && mlcWriteAll(f, &s->iterations, 8);
  ok = ok && fflush(f) == 0 && fsync(fileno(f)) == 0;
  int e = errno;
  if (f)
    ok = (fclose(f) == 0) && ok;
  else
    close(fd);
  if (ok && rename(temp, path) != 0) {
    e = errno;
    ok = 0;
  }
  if (!ok)
    unlink(temp);
  free(h.data);
  free(temp);
  if (!ok)
    return mlcFail(MLC_ERR_IO, "cannot write '%s': %s", path,
                   strerror(e ? e : EIO));
  return MLC_OK;
}

/* A JSON reader for the safetensors header: just enough for objects,
 * arrays, strings and integers, with a position for error messages. */
typedef struct {
  const char *p, *end;
  const char *error;
} mlc_json;

static void mlcSkipSpace(mlc_json *j) {
  while (j->p < j->end &&
         (*j->p == ' ' || *j->p == '\n' || *j->p == '\r' || *j->p == '\t'))
    ++j->p;
}

static int mlcExpect(mlc_json *j, char c) {
  mlcSkipSpace(j);
  if (j->p < j->end && *j->p == c) {
    ++j->p;
    return 1;
  }
  if (!j->error)
    j->error = "malformed JSON header";
  return 0;
}

static int mlcPeek(mlc_json *j, char c) {
  mlcSkipSpace(j);
  return j->p < j->end && *j->p == c;
}

/* Reads a string into out[0..size) (truncating); escapes are decoded,
 * \u escapes outside ASCII become '?'. */
static int mlcString(mlc_json *j, char *out, size_t size) {
  if (!mlcExpect(j, '"'))
    return 0;
  size_t n = 0;
  while (j->p < j->end && *j->p != '"') {
    char c = *j->p++;
    if (c == '\\') {
      if (j->p >= j->end)
        break;
      c = *j->p++;
      switch (c) {
      case 'n': c = '\n'; break;
      case 't': c = '\t'; break;
      case 'r': c = '\r'; break;
      case 'b': c = '\b'; break;
      case 'f': c = '\f'; break;
      case 'u': {
        unsigned v = 0;
        for (int k = 0; k < 4; ++k) {
          if (j->p >= j->end) {
            j->error = "malformed JSON header";
            return 0;
          }
          char d = *j->p++;
          v = v * 16 + (unsigned)(d >= '0' && d <= '9'   ? d - '0'
                                  : d >= 'a' && d <= 'f' ? d - 'a' + 10
                                  : d >= 'A' && d <= 'F' ? d - 'A' + 10
                                                         : 0);
        }
        c = v < 128 ? (char)v : '?';
        break;
      }
      default: break; /* \" \\ \/ */
      }
    }
    if (n + 1 < size)
      out[n++] = c;
  }
  if (size)
    out[n] = 0;
  return mlcExpect(j, '"');
}

static int mlcInteger(mlc_json *j, int64_t *value) {
  mlcSkipSpace(j);
  int64_t v = 0;
  const char *start = j->p;
  while (j->p < j->end && *j->p >= '0' && *j->p <= '9') {
    if (v > (INT64_MAX - 9) / 10) {
      j->error = "a number in the header is too large";
      return 0;
    }
    v = v * 10 + (*j->p++ - '0');
  }
  if (j->p == start) {
    if (!j->error)
      j->error = "malformed JSON header";
    return 0;
  }
  *value = v;
  return 1;
}

/* Skips any JSON value (for keys this reader does not use). */
static int mlcSkipValue(mlc_json *j, int depth) {
  mlcSkipSpace(j);
  if (depth > 32 || j->p >= j->end) {
    j->error = "malformed JSON header";
    return 0;
  }
  char c = *j->p;
  if (c == '"') {
    char sink[1];
    return mlcString(j, sink, 0);
  }
  if (c == '{' || c == '[') {
    char close = c == '{' ? '}' : ']';
    ++j->p;
    if (mlcPeek(j, close))
      return mlcExpect(j, close);
    do {
      if (c == '{') {
        char sink[1];
        if (!mlcString(j, sink, 0) || !mlcExpect(j, ':'))
          return 0;
      }
      if (!mlcSkipValue(j, depth + 1))
        return 0;
    } while (mlcPeek(j, ',') && mlcExpect(j, ','));
    return mlcExpect(j, close);
  }
  while (j->p < j->end && *j->p != ',' && *j->p != '}' && *j->p != ']')
    ++j->p;
  return 1;
}

typedef struct {
  char name[256], dtype[16];
  int rank;
  int64_t shape[MLC_MAX_RANK + 1];
  int64_t begin, end;
} mlc_entry;

static int mlcEntry(mlc_json *j, mlc_entry *e) {
  e->dtype[0] = 0;
  e->rank = -1;
  e->begin = e->end = -1;
  if (!mlcExpect(j, '{'))
    return 0;
  if (mlcPeek(j, '}'))
    return mlcExpect(j, '}');
  do {
    char key[32];
    if (!mlcString(j, key, sizeof key) || !mlcExpect(j, ':'))
      return 0;
    if (!strcmp(key, "dtype")) {
      if (!mlcString(j, e->dtype, sizeof e->dtype))
        return 0;
    } else if (!strcmp(key, "shape")) {
      e->rank = 0;
      if (!mlcExpect(j, '['))
        return 0;
      if (!mlcPeek(j, ']')) {
        do {
          int64_t d;
          if (!mlcInteger(j, &d))
            return 0;
          if (e->rank <= MLC_MAX_RANK)
            e->shape[e->rank] = d;
          ++e->rank;
        } while (mlcPeek(j, ',') && mlcExpect(j, ','));
      }
      if (!mlcExpect(j, ']'))
        return 0;
    } else if (!strcmp(key, "data_offsets")) {
      if (!mlcExpect(j, '[') || !mlcInteger(j, &e->begin) ||
          !mlcExpect(j, ',') || !mlcInteger(j, &e->end) || !mlcExpect(j, ']'))
        return 0;
    } else if (!mlcSkipValue(j, 1)) {
      return 0;
    }
  } while (mlcPeek(j, ',') && mlcExpect(j, ','));
  return mlcExpect(j, '}');
}

/* Reads the whole file; returns NULL with the error set. */
static unsigned char *mlcReadFile(const char *path, size_t *size) {
  FILE *f = fopen(path, "rb");
  if (!f) {
    mlcFail(MLC_ERR_IO, "cannot read '%s': %s", path, strerror(errno));
    return NULL;
  }
  unsigned char *data = NULL;
  size_t capacity = 0, n = 0;
  for (;;) {
    if (n == capacity) {
      capacity = capacity ? 2 * capacity : 1 << 20;
      unsigned char *grown = realloc(data, capacity);
      if (!grown) {
        free(data);
        fclose(f);
        mlcFail(MLC_ERR_MEMORY, "cannot read '%s': out of memory", path);
        return NULL;
      }
      data = grown;
    }
    size_t got = fread(data + n, 1, capacity - n, f);
    n += got;
    if (got == 0)
      break;
  }
  int failed = ferror(f);
  fclose(f);
  if (failed) {
    free(data);
    mlcFail(MLC_ERR_IO, "cannot read '%s': read error", path);
    return NULL;
  }
  *size = n;
  return data;
}

static int64_t mlcDtypeSize(const char *dtype) {
  static const char *names[] = {"F64", "F32", "F16", "BF16", "I64", "I32",
                                "I16", "I8",  "U8",  "BOOL", "U16", "U32",
                                "U64"};
  static const int64_t sizes[] = {8, 4, 2, 2, 8, 4, 2, 1, 1, 1, 2, 4, 8};
  for (size_t i = 0; i < sizeof sizes / sizeof sizes[0]; ++i)
    if (!strcmp(dtype, names[i]))
      return sizes[i];
  return 0;
}

/* Appends "dtype [d0, d1]" of a stored entry or a model tensor. */
static void mlcAppendEntryShape(mlc_text *t, const char *dtype, int rank,
                                const int64_t *shape) {
  mlcAppend(t, "%s [", dtype);
  for (int k = 0; k < rank && k <= MLC_MAX_RANK; ++k)
    mlcAppend(t, "%s%lld", k ? ", " : "", (long long)shape[k]);
  mlcAppend(t, "]");
}

int MLC_API(load)(MLC_API(state) *s, const char *path) {
  if (!s || !path)
    return mlcFail(MLC_ERR_ARGUMENT,
                   MLC_MODEL_NAME "_load: needs a state and a path");
  size_t size = 0;
  unsigned char *file = mlcReadFile(path, &size);
  if (!file)
    return MLC_ERR_IO;
  uint64_t headerSize = 0;
  for (int k = 0; k < 8 && size >= 8; ++k)
    headerSize |= (uint64_t)file[k] << (8 * k);
  if (size < 8 || headerSize > size - 8) {
    free(file);
    return mlcFail(MLC_ERR_FORMAT,
                   "'%s' is not a safetensors file (truncated: %zu bytes "
                   "cannot hold a %llu-byte header)",
                   path, size, (unsigned long long)headerSize);
  }
  const unsigned char *payload = file + 8 + headerSize;
  uint64_t payloadSize = size - 8 - headerSize;

  /* Where each model tensor is in the file; -1 if absent. */
  const unsigned char *found[MLC_NUM_PARAMS + MLC_NUM_STATES + 1];
  const unsigned char *iterations = NULL;
  for (int i = 0; i < MLC_NUM_PARAMS + MLC_NUM_STATES + 1; ++i)
    found[i] = NULL;
  int statesFound = 0, bad = 0; /* bad: problems found */
  mlc_text problems = {NULL, 0, 0};
  char writtenFor[256] = "";
  mlc_json j = {(const char *)file + 8, (const char *)file + 8 + headerSize,
                NULL};
  int ok = mlcExpect(&j, '{');
  if (ok && !mlcPeek(&j, '}')) {
    do {
      mlc_entry e;
      if (!(ok = mlcString(&j, e.name, sizeof e.name) && mlcExpect(&j, ':')))
        break;
      if (!strcmp(e.name, "__metadata__")) {
        if (!(ok = mlcExpect(&j, '{')))
          break;
        if (mlcPeek(&j, '}')) {
          ok = mlcExpect(&j, '}');
          continue;
        }
        do {
          char key[64], value[256];
          if (!(ok = mlcString(&j, key, sizeof key) && mlcExpect(&j, ':') &&
                     mlcString(&j, value, sizeof value)))
            break;
          if (!strcmp(key, "model"))
            memcpy(writtenFor, value, sizeof writtenFor);
        } while (mlcPeek(&j, ',') && mlcExpect(&j, ','));
        if (!(ok = ok && mlcExpect(&j, '}')))
          break;
        continue;
      }
      if (!(ok = mlcEntry(&j, &e)))
        break;
      /* The byte size, or -1 if it cannot fit in the file. */
      int64_t bytes = mlcDtypeSize(e.dtype);
      int width = bytes != 0;
      for (int k = 0; k < e.rank && k <= MLC_MAX_RANK && bytes >= 0; ++k)
        if (e.shape[k] && bytes > (int64_t)payloadSize / e.shape[k])
          bytes = -1;
        else
          bytes *= e.shape[k];
      if (!width || e.rank < 0 || e.begin < 0) {
        free(file);
        free(problems.data);
        return mlcFail(MLC_ERR_FORMAT,
                       "'%s' is corrupt: tensor '%s' lacks a known dtype, a "
                       "shape or data_offsets",
                       path, e.name);
      }
      if (e.rank > MLC_MAX_RANK || e.end < e.begin ||
          (uint64_t)e.end > payloadSize || bytes < 0 ||
          e.end - e.begin != bytes) {
        free(file);
        free(problems.data);
        return mlcFail(MLC_ERR_FORMAT,
                       "'%s' is corrupt: tensor '%s' (%s, %d dims, bytes "
                       "%lld..%lld) does not fit the %llu data bytes",
                       path, e.name, e.dtype, e.rank, (long long)e.begin,
                       (long long)e.end, (unsigned long long)payloadSize);
      }
      if (!strcmp(e.name, "optimizer.iterations")) {
        int64_t count = -1;
        if (!strcmp(e.dtype, "I64") && e.rank == 0)
          memcpy(&count, payload + e.begin, 8);
        if (iterations)
          ++bad, mlcAppend(&problems, "\n  optimizer.iterations twice");
        else if (count < 0)
          ++bad, mlcAppend(&problems, "\n  optimizer.iterations is not a "
                                      "count (I64 [] >= 0)");
        else
          iterations = payload + e.begin;
        continue;
      }
      int index = -1;
      for (int i = 0; i < MLC_NUM_PARAMS + MLC_NUM_STATES && index < 0; ++i) {
        const struct mlc_tensor *t = i < MLC_NUM_PARAMS
                                         ? &mlc_params[i]
                                         : &mlc_states[i - MLC_NUM_PARAMS];
        if (!strcmp(t->name, e.name))
          index = i;
      }
      if (index < 0) {
        ++bad, mlcAppend(&problems, "\n  unexpected %s", e.name);
        continue;
      }
      if (found[index]) {
        ++bad, mlcAppend(&problems, "\n  %s twice", e.name);
        continue;
      }
      const struct mlc_tensor *t = index < MLC_NUM_PARAMS
                                       ? &mlc_params[index]
                                       : &mlc_states[index - MLC_NUM_PARAMS];
      int same = !strcmp(e.dtype, "F32") && e.rank == t->rank;
      for (int k = 0; same && k < t->rank; ++k)
        same = e.shape[k] == t->shape[k];
      if (!same) {
        ++bad, mlcAppend(&problems, "\n  %s is ", t->name);
        mlcAppendEntryShape(&problems, e.dtype, e.rank, e.shape);
        mlcAppend(&problems, ", the model needs ");
        mlcAppendEntryShape(&problems, "F32", t->rank, t->shape);
        continue;
      }
      found[index] = payload + e.begin;
      statesFound += index >= MLC_NUM_PARAMS;
    } while (mlcPeek(&j, ',') && mlcExpect(&j, ','));
    ok = ok && mlcExpect(&j, '}');
  } else if (ok) {
    ok = mlcExpect(&j, '}');
  }
  if (!ok) {
    free(file);
    free(problems.data);
    return mlcFail(MLC_ERR_FORMAT, "'%s' is not a safetensors file: %s", path,
                   j.error ? j.error : "malformed JSON header");
  }
  for (int i = 0; i < MLC_NUM_PARAMS; ++i)
    if (!found[i]) {
      ++bad, mlcAppend(&problems, "\n  missing %s ", mlc_params[i].name);
      mlcAppendEntryShape(&problems, "F32", mlc_params[i].rank,
                          mlc_params[i].shape);
    }
  /* Optimizer state is all there or all absent (a params-only file
   * starts a fresh optimizer). */
  if (statesFound && statesFound < MLC_NUM_STATES)
    for (int i = 0; i < MLC_NUM_STATES; ++i)
      if (!found[MLC_NUM_PARAMS + i]) {
        ++bad, mlcAppend(&problems, "\n  missing %s ", mlc_states[i].name);
        mlcAppendEntryShape(&problems, "F32", mlc_states[i].rank,
                            mlc_states[i].shape);
      }
  /* Optimizer state goes with its step count (Adam's bias correction). */
  if (statesFound && !iterations)
    ++bad, mlcAppend(&problems, "\n  missing optimizer.iterations I64 []");
  if (bad) {
    int code = mlcFail(MLC_ERR_FORMAT,
                       "'%s': checkpoint does not match model @%s%s%s%s:%s",
                       path, MLC_MODEL_NAME,
                       writtenFor[0] ? " (it was written for @" : "",
                       writtenFor, writtenFor[0] ? ")" : "",
                       problems.data ? problems.data : " (out of memory)");
    free(file);
    free(problems.data);
    return code;
  }
  /* Everything checked: only now is the state changed. */
  for (int i = 0; i < MLC_NUM_PARAMS; ++i)
    memcpy(s->params[i], found[i], 4 * (size_t)mlc_params[i].size);
  for (int i = 0; i < MLC_NUM_STATES; ++i) {
    if (statesFound)
      memcpy(s->states[i], found[MLC_NUM_PARAMS + i],
             4 * (size_t)mlc_states[i].size);
    else
      memset(s->states[i], 0, 4 * (size_t)mlc_states[i].size);
  }
  s->iterations = 0;
  if (iterations)
    memcpy(&s->iterations, iterations, 8);
  s->ready = 1;
  free(file);
  free(problems.data);
  return MLC_OK;
}
