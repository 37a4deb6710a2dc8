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
 *   MLC_SCHEDULE_*      the learning-rate schedule (below; constant if absent)
 * The runtime core (runtime/core/) comes before this file, its functions
 * static: init() draws the same bits as mlc's runtime for the same seed,
 * steps take the same learning rates and step sizes, and checkpoints are
 * the same safetensors files as `mlc train --checkpoint` writes, read by the
 * same reader. It depends on libc and libm only.
 *
 *===----------------------------------------------------------------------===*/

#include "runtime/core/float_mode.h"
#include "runtime/core/random.h"
#include "runtime/core/safetensors.h"
#include "runtime/core/schedule.h"

#include <math.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The learning-rate schedule as runtime/core/schedule.h takes it (kind 0
 * constant, 1 exponential decay, 2 cosine decay); its initial rate is the
 * state's learning rate. */
#ifndef MLC_SCHEDULE_KIND
#define MLC_SCHEDULE_KIND 0
#endif
#ifndef MLC_SCHEDULE_DECAY_STEPS
#define MLC_SCHEDULE_DECAY_STEPS 1
#endif
#ifndef MLC_SCHEDULE_DECAY_RATE
#define MLC_SCHEDULE_DECAY_RATE 0.96
#endif
#ifndef MLC_SCHEDULE_STAIRCASE
#define MLC_SCHEDULE_STAIRCASE 0
#endif
#ifndef MLC_SCHEDULE_ALPHA
#define MLC_SCHEDULE_ALPHA 0.0
#endif
#ifndef MLC_SCHEDULE_WARMUP_STEPS
#define MLC_SCHEDULE_WARMUP_STEPS 0
#endif
#ifndef MLC_SCHEDULE_WARMUP_TARGET
#define MLC_SCHEDULE_WARMUP_TARGET 0.0
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

/*===--- init: the core's streams, as mlc's runtime draws them ------------===*/

int MLC_API(init)(MLC_API(state) *s, uint64_t seed) {
  if (!s)
    return mlcFail(MLC_ERR_ARGUMENT, MLC_MODEL_NAME "_init: state is NULL");
  for (int i = 0; i < MLC_NUM_PARAMS; ++i) {
    const struct mlc_tensor *t = &mlc_params[i];
    mlcInitialize(s->params[i], t->size, t->init, t->a, t->b, seed, t->name,
                  strlen(t->name));
  }
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
#if MLC_FLUSH_DENORMALS
  uint64_t saved = mlcFlushDenormalsBegin();
  run(args);
  mlcFlushDenormalsEnd(saved);
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
  const mlc_schedule schedule = {
      MLC_SCHEDULE_KIND,         s->learningRate,
      MLC_SCHEDULE_DECAY_STEPS,  MLC_SCHEDULE_DECAY_RATE,
      MLC_SCHEDULE_STAIRCASE,    MLC_SCHEDULE_ALPHA,
      MLC_SCHEDULE_WARMUP_STEPS, MLC_SCHEDULE_WARMUP_TARGET};
  double rate = mlcScheduleRate(&schedule, s->iterations);
  s->scalars[0] = (float)rate;
  s->scalars[1] = (float)rate;
  s->scalars[2] = 0;
#if MLC_BIAS_CORRECTED
  s->scalars[1] =
      (float)mlcAdamStepSize(rate, MLC_BETA1, MLC_BETA2, s->iterations);
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

/*===--- checkpoints: safetensors, through the core ----------------------===*/

/* Params, then optimizer state: the order of checkpoints and of `found`. */
static const struct mlc_tensor *mlcTensor(int i) {
  return i < MLC_NUM_PARAMS ? &mlc_params[i] : &mlc_states[i - MLC_NUM_PARAMS];
}

static float *mlcTensorData(MLC_API(state) *s, int i) {
  return i < MLC_NUM_PARAMS ? s->params[i] : s->states[i - MLC_NUM_PARAMS];
}

int MLC_API(save)(MLC_API(state) *s, const char *path) {
  if (!s || !path)
    return mlcFail(MLC_ERR_ARGUMENT,
                   MLC_MODEL_NAME "_save: needs a state and a path");
  if (!s->ready)
    return mlcFail(MLC_ERR_STATE, MLC_MODEL_NAME "_save: nothing to save "
                                                 "before init or load");
  /* The metadata and tensors of mlc train's checkpoints: the same bytes
   * for the same state. */
  char epoch[24], step[24], seed[24], why[256];
  snprintf(epoch, sizeof epoch, "%lld", (long long)s->epoch);
  snprintf(step, sizeof step, "%lld", (long long)s->iterations);
  snprintf(seed, sizeof seed, "%llu", (unsigned long long)s->seed);
  mlc_metadata_entry metadata[] = {{"format", "mlc"},
                                   {"model", MLC_MODEL_NAME},
                                   {"epoch", epoch},
                                   {"step", step},
                                   {"seed", seed}};
  mlc_stored_tensor tensors[MLC_NUM_PARAMS + MLC_NUM_STATES + 1];
  for (int i = 0; i < MLC_NUM_PARAMS + MLC_NUM_STATES; ++i) {
    const struct mlc_tensor *t = mlcTensor(i);
    mlc_stored_tensor stored = {t->name,
                                "F32",
                                (size_t)t->rank,
                                t->shape,
                                mlcTensorData(s, i),
                                4 * (uint64_t)t->size};
    tensors[i] = stored;
  }
  mlc_stored_tensor count = {"optimizer.iterations", "I64", 0, NULL,
                             &s->iterations,         8};
  tensors[MLC_NUM_PARAMS + MLC_NUM_STATES] = count;
  mlc_safetensors file = {metadata, sizeof metadata / sizeof metadata[0],
                          tensors,  MLC_NUM_PARAMS + MLC_NUM_STATES + 1,
                          NULL,     NULL,
                          NULL};
  /* 0644: mkstemp makes it 0600, and a checkpoint is shared. */
  int code = mlcSafetensorsWrite(path, &file, 0644, why, sizeof why);
  if (code == MLC_CORE_MEMORY)
    return mlcFail(MLC_ERR_MEMORY, MLC_MODEL_NAME "_save: out of memory");
  if (code)
    return mlcFail(MLC_ERR_IO, "cannot write '%s': %s", path, why);
  return MLC_OK;
}

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

/* Appends "dtype [d0, d1]" of a stored entry or a model tensor. */
static void mlcAppendShape(mlc_text *t, const char *dtype, size_t rank,
                           const int64_t *shape) {
  mlcAppend(t, "%s [", dtype);
  for (size_t k = 0; k < rank; ++k)
    mlcAppend(t, "%s%lld", k ? ", " : "", (long long)shape[k]);
  mlcAppend(t, "]");
}

/* Where each model tensor is in `file` (`found`, NULL if absent) and its
 * step count; returns the number of problems, listed in `problems`. */
static int mlcMatch(const mlc_safetensors *file, const void **found,
                    const void **iterations, int *statesFound,
                    mlc_text *problems) {
  int bad = 0;
  for (size_t n = 0; n < file->numTensors; ++n) {
    const mlc_stored_tensor *e = &file->tensors[n];
    if (!strcmp(e->name, "optimizer.iterations")) {
      int64_t count = -1;
      if (!strcmp(e->dtype, "I64") && e->rank == 0)
        memcpy(&count, e->data, 8);
      if (count < 0)
        ++bad, mlcAppend(problems, "\n  optimizer.iterations is not a "
                                   "count (I64 [] >= 0)");
      else
        *iterations = e->data;
      continue;
    }
    int index = -1;
    for (int i = 0; i < MLC_NUM_PARAMS + MLC_NUM_STATES && index < 0; ++i)
      if (!strcmp(mlcTensor(i)->name, e->name))
        index = i;
    if (index < 0) {
      ++bad, mlcAppend(problems, "\n  unexpected %s", e->name);
      continue;
    }
    const struct mlc_tensor *t = mlcTensor(index);
    int same = !strcmp(e->dtype, "F32") && e->rank == (size_t)t->rank;
    for (int k = 0; same && k < t->rank; ++k)
      same = e->shape[k] == t->shape[k];
    if (!same) {
      ++bad, mlcAppend(problems, "\n  %s is ", t->name);
      mlcAppendShape(problems, e->dtype, e->rank, e->shape);
      mlcAppend(problems, ", the model needs ");
      mlcAppendShape(problems, "F32", (size_t)t->rank, t->shape);
      continue;
    }
    found[index] = e->data;
    *statesFound += index >= MLC_NUM_PARAMS;
  }
  /* Optimizer state is all there or all absent (a params-only file
   * starts a fresh optimizer). */
  for (int i = 0; i < MLC_NUM_PARAMS + MLC_NUM_STATES; ++i)
    if (!found[i] && (i < MLC_NUM_PARAMS || *statesFound)) {
      ++bad, mlcAppend(problems, "\n  missing %s ", mlcTensor(i)->name);
      mlcAppendShape(problems, "F32", (size_t)mlcTensor(i)->rank,
                     mlcTensor(i)->shape);
    }
  /* Optimizer state goes with its step count (Adam's bias correction). */
  if (*statesFound && !*iterations)
    ++bad, mlcAppend(problems, "\n  missing optimizer.iterations I64 []");
  return bad;
}

int MLC_API(load)(MLC_API(state) *s, const char *path) {
  if (!s || !path)
    return mlcFail(MLC_ERR_ARGUMENT,
                   MLC_MODEL_NAME "_load: needs a state and a path");
  mlc_safetensors file;
  char why[512];
  int code = mlcSafetensorsRead(path, &file, why, sizeof why);
  if (code) {
    mlcSafetensorsFree(&file);
    if (code == MLC_CORE_FORMAT)
      return mlcFail(MLC_ERR_FORMAT, "'%s' is not a safetensors file: %s", path,
                     why);
    if (code == MLC_CORE_MEMORY)
      return mlcFail(MLC_ERR_MEMORY, "cannot read '%s': out of memory", path);
    return mlcFail(MLC_ERR_IO, "cannot read '%s': %s", path, why);
  }
  const void *found[MLC_NUM_PARAMS + MLC_NUM_STATES + 1];
  const void *iterations = NULL;
  for (int i = 0; i < MLC_NUM_PARAMS + MLC_NUM_STATES + 1; ++i)
    found[i] = NULL;
  int statesFound = 0;
  mlc_text problems = {NULL, 0, 0};
  if (mlcMatch(&file, found, &iterations, &statesFound, &problems)) {
    const char *writtenFor = "";
    for (size_t m = 0; m < file.numMetadata; ++m)
      if (!strcmp(file.metadata[m].key, "model"))
        writtenFor = file.metadata[m].value;
    code = mlcFail(
        MLC_ERR_FORMAT, "'%s': checkpoint does not match model @%s%s%s%s:%s",
        path, MLC_MODEL_NAME, writtenFor[0] ? " (it was written for @" : "",
        writtenFor, writtenFor[0] ? ")" : "",
        problems.data ? problems.data : " (out of memory)");
    mlcSafetensorsFree(&file);
    free(problems.data);
    return code;
  }
  /* Everything checked: only now is the state changed. */
  for (int i = 0; i < MLC_NUM_PARAMS + MLC_NUM_STATES; ++i) {
    size_t bytes = 4 * (size_t)mlcTensor(i)->size;
    if (found[i])
      memcpy(mlcTensorData(s, i), found[i], bytes);
    else
      memset(mlcTensorData(s, i), 0, bytes);
  }
  s->iterations = 0;
  if (iterations)
    memcpy(&s->iterations, iterations, 8);
  s->ready = 1;
  mlcSafetensorsFree(&file);
  free(problems.data);
  return MLC_OK;
}
