/*===- ModelLibrary.c - the C side of a generated model library -----------===//
 *
 * `mlc compile -o DIR` compiles this file into every model library, after a
 * generated prologue that includes the model's header and defines:
 *   MLC_API(x)          the exported name of x (<model>_x)
 *   MLC_MODEL_NAME      the model's name, a string
 *   MLC_MAX_BATCH, MLC_NUM_PARAMS, MLC_NUM_STATES, MLC_STATE_SLOTS
 *   MLC_HAS_LOSS, MLC_CAN_TRAIN, MLC_SPARSE_LABELS, MLC_NUM_CLASSES,
 *   MLC_TOKEN_INPUT (mlc_input_t is int32_t, else float)
 *   MLC_LEARNING_RATE, MLC_BIAS_CORRECTED, MLC_BETA1, MLC_BETA2
 *   mlc_label_t         the label element type
 *   mlc_params[], mlc_states[], mlc_input, mlc_output, mlc_labels
 *                       struct mlc_tensor tables (plus a NULL-named end)
 *   mlc_<entry>_bytes(), mlc_<entry>_run()  calls into the compiled code
 *                       with an array of memref descriptor pointers
 *   MLC_GPU             1 for --target=cuda: runtime/cuda/mgpu.c comes
 *                       before this file, its names under MLC_MGPU(x)
 *   MLC_FLUSH_DENORMALS 1: denormals flush to zero while compiled code runs
 *   MLC_SCHEDULE_KIND   the learning-rate schedule as runtime/core/schedule.h
 *                       takes it (0 constant, 1 exponential, 2 cosine decay)
 *                       with MLC_SCHEDULE_DECAY_STEPS, _DECAY_RATE,
 *                       _STAIRCASE, _ALPHA, _WARMUP_STEPS, _WARMUP_TARGET;
 *                       its initial rate is the state's learning rate
 *   MLC_SCHEDULE_TEXT   the schedule as checkpoints record it
 * The runtime core (runtime/core/) comes before this file, its functions
 * static: init() draws the same bits as mlc's runtime for the same seed,
 * steps take the same learning rates and step sizes, and checkpoints are
 * the same safetensors files as `mlc train --checkpoint` writes, read by the
 * same reader. It depends on libc and libm only.
 *
 * Two files continue it in the same translation unit, in this order:
 * ModelSteps.c (the steps and their settings) and ModelCheckpoints.c
 * (save and load).
 *
 *===----------------------------------------------------------------------===*/

#include "runtime/core/checkpoint.h"
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

/* A ranked memref descriptor as the compiled code reads it: allocated and
 * aligned pointers, offset, then sizes[rank] and strides[rank]. */
typedef struct {
  void *allocated, *aligned;
  int64_t offset;
  int64_t dims[2 * MLC_MAX_RANK];
} mlc_memref;

enum {
  MLC_OK = 0,
  MLC_ERR_ARGUMENT = 1,
  MLC_ERR_STATE = 2,
  MLC_ERR_IO = 3,
  MLC_ERR_FORMAT = 4,
  MLC_ERR_MEMORY = 5,
  MLC_ERR_DEVICE = 6
};

struct MLC_API(state) {
  float *params[MLC_NUM_PARAMS + 1];
  float *states[MLC_NUM_STATES + 1];
  float *scratch; /* predictions train_step writes and the caller skips */
  float *scalars; /* learning rate, step size, loss */
  /* GPU: the caller's inputs are copied here, where kernels can read. */
  mlc_input_t *xStage;
  mlc_label_t *yStage;
  char *workspace;
  int64_t workspaceBytes;
  int64_t iterations, epoch;
  uint64_t seed;
  double learningRate;
  int ready; /* init or load ran */
  /* Metadata of the run a loaded checkpoint came from that the library
   * does not produce itself (mlc train's normalization, say): saved again
   * with the state. One allocation holds the entries and their text. */
  mlc_metadata_entry *carried;
  size_t numCarried;
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

/* An allocation's size: a whole number of 64-byte alignments, at least
 * one. */
static size_t mlcAllocSize(int64_t bytes) {
  size_t size = (size_t)((bytes + 63) / 64 * 64);
  return size ? size : 64;
}

/* 64-byte aligned and not touched. On the GPU, memory the host and the
 * device both address. */
static void *mlcAllocUntouched(int64_t bytes) {
#if MLC_GPU
  return MLC_MGPU(mlcCudaAllocShared)(mlcAllocSize(bytes));
#else
  return aligned_alloc(64, mlcAllocSize(bytes));
#endif
}

/* Zeroed, which also spares the first step the page faults. */
static void *mlcAlloc(int64_t bytes) {
  void *p = mlcAllocUntouched(bytes);
  if (p)
    memset(p, 0, mlcAllocSize(bytes));
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

static void mlcAddParams(mlc_call *c, MLC_API(state) * s) {
  for (int i = 0; i < MLC_NUM_PARAMS; ++i)
    mlcDescribe(mlcNext(c), s->params[i], &mlc_params[i], 0);
}

/* Appends the workspace after checking it is large enough for this call. */
static int mlcAddWorkspace(mlc_call *c, MLC_API(state) * s, int64_t bytes) {
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
static void mlcPredictArgs(mlc_call *c, MLC_API(state) * s,
                           const mlc_input_t *x, float *y, int64_t batch) {
  c->n = 0;
  mlcAddParams(c, s);
  mlcDescribe(mlcNext(c), x, &mlc_input, batch);
  mlcDescribe(mlcNext(c), y, &mlc_output, batch);
}

#if MLC_HAS_LOSS
static void mlcEvalArgs(mlc_call *c, MLC_API(state) * s, const mlc_input_t *x,
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
static void mlcTrainArgs(mlc_call *c, MLC_API(state) * s, float *rate,
                         float *stepSize, const mlc_input_t *x,
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

int MLC_API(destroy)(MLC_API(state) * s) {
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
  free(s->carried);
  free(s);
  return MLC_OK;
}

int MLC_API(create)(MLC_API(state) * *out) {
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
  /* The workspace is not touched here. A step writes each temporary
   * before it reads it, and a call at batch B uses only what B needs, so
   * the pages a step never uses (most of them at batches below the
   * maximum) are never committed. Touching all of it made a transformer
   * library's create take 45 s and 6 GB at the default maximum batch of
   * 1024, for steps at batch 32 that use about 3 % of it; now the first
   * step at a larger batch pays the page faults of what it adds. (GPU
   * libraries' shared memory is zeroed as before.) */
#if MLC_GPU
  ok &= (s->workspace = mlcAlloc(s->workspaceBytes)) != NULL;
#else
  ok &= (s->workspace = mlcAllocUntouched(s->workspaceBytes)) != NULL;
#endif
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

int MLC_API(init)(MLC_API(state) * s, uint64_t seed) {
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
  free(s->carried); /* a new run */
  s->carried = NULL;
  s->numCarried = 0;
  s->ready = 1;
  return MLC_OK;
}
