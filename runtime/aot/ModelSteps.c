/*===- ModelSteps.c - a model library's steps -----------------------------===//
 *
 * Part of the C side of a generated model library: embedded right after
 * ModelLibrary.c (whose state, tables and helpers it uses) in the same
 * translation unit. predict, eval_step and train_step, on host or device
 * memory, and the learning-rate settings.
 *
 *===----------------------------------------------------------------------===*/

/*===--- steps ------------------------------------------------------------===*/

/* Checks what every step needs: a ready state, data, a batch in range. */
static int mlcCheck(const char *fn, const MLC_API(state) * s, const void *x,
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
                   MLC_MODEL_NAME
                   "_%s: the parameters are not set; call " MLC_MODEL_NAME
                   "_init or " MLC_MODEL_NAME "_load first",
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
static int mlcRun(const char *fn, mlc_call *c, MLC_API(state) * s,
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

static int mlcPredict(const char *fn, MLC_API(state) * s, const mlc_input_t *x,
                      int64_t batch, float *y, int device) {
  int err = mlcCheck(fn, s, x, y, 2, batch);
  if (err)
    return err;
  /* On the GPU the output goes through shared scratch unless it is
   * device memory already. */
  float *out = MLC_GPU && !device ? s->scratch : y;
  mlc_call c;
  mlcPredictArgs(
      &c, s,
      mlcStage(x, s->xStage, 4 * (size_t)(batch * mlc_input.size), device), out,
      batch);
  if ((err = mlcRun(fn, &c, s, mlc_predict_bytes, mlc_predict_run)))
    return err;
  if (out != y)
    memcpy(y, out, 4 * (size_t)(batch * mlc_output.size));
  return MLC_OK;
}

int MLC_API(predict)(MLC_API(state) * s, const mlc_input_t *x, int64_t batch,
                     float *y) {
  return mlcPredict("predict", s, x, batch, y, 0);
}

#if MLC_HAS_LOSS
static int mlcCheckLabels(const char *fn, const mlc_label_t *y, int64_t batch) {
#if MLC_SPARSE_LABELS
  /* One label per sample, or one per position of a sequence. */
  const int64_t n = mlc_labels.size;
  for (int64_t i = 0; i < batch * n; ++i)
    if (y[i] < 0 || y[i] >= MLC_NUM_CLASSES) {
      char at[48] = "";
      if (n > 1)
        snprintf(at, sizeof at, ", position %lld", (long long)(i % n));
      return mlcFail(MLC_ERR_ARGUMENT,
                     MLC_MODEL_NAME "_%s: label %lld of sample %lld%s is "
                                    "outside [0, %d)",
                     fn, (long long)y[i], (long long)(i / n), at,
                     MLC_NUM_CLASSES);
    }
#else
  (void)fn, (void)y, (void)batch;
#endif
  return MLC_OK;
}

/* The labels where kernels read them (see mlcStage). */
static const mlc_label_t *mlcStageLabels(MLC_API(state) * s,
                                         const mlc_label_t *y, int64_t batch,
                                         int device) {
  return (const mlc_label_t *)mlcStage(
      y, s->yStage, sizeof(mlc_label_t) * (size_t)(batch * mlc_labels.size),
      device);
}

static int mlcEval(const char *fn, MLC_API(state) * s, const mlc_input_t *x,
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
  mlcEvalArgs(
      &c, s,
      mlcStage(x, s->xStage, 4 * (size_t)(batch * mlc_input.size), device),
      mlcStageLabels(s, y, batch, device), &s->scalars[2], out, batch);
  if ((err = mlcRun(fn, &c, s, mlc_eval_step_bytes, mlc_eval_step_run)))
    return err;
  if (predictions && out != predictions)
    memcpy(predictions, out, 4 * (size_t)(batch * mlc_output.size));
  if (loss)
    *loss = s->scalars[2];
  return MLC_OK;
}

int MLC_API(eval_step)(MLC_API(state) * s, const mlc_input_t *x,
                       const mlc_label_t *y, int64_t batch, float *loss,
                       float *predictions) {
  return mlcEval("eval_step", s, x, y, batch, loss, predictions, 0);
}
#endif

#if MLC_CAN_TRAIN
static int mlcTrain(const char *fn, MLC_API(state) * s, const mlc_input_t *x,
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
  mlcTrainArgs(
      &c, s, &s->scalars[0], &s->scalars[1],
      mlcStage(x, s->xStage, 4 * (size_t)(batch * mlc_input.size), device),
      mlcStageLabels(s, y, batch, device), &s->scalars[2], batch);
  if ((err = mlcRun(fn, &c, s, mlc_train_step_bytes, mlc_train_step_run)))
    return err;
  ++s->iterations;
  if (loss)
    *loss = s->scalars[2];
  return MLC_OK;
}

int MLC_API(train_step)(MLC_API(state) * s, const mlc_input_t *x,
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
                   MLC_MODEL_NAME "_device_alloc: %zu bytes: %s", bytes, error);
  }
  return MLC_OK;
}

int MLC_API(device_free)(void *pointer) {
  MLC_MGPU(mlcCudaFree)(pointer);
  return MLC_OK;
}

int MLC_API(predict_device)(MLC_API(state) * s, const mlc_input_t *x,
                            int64_t batch, float *y) {
  return mlcPredict("predict_device", s, x, batch, y, 1);
}

#if MLC_HAS_LOSS
int MLC_API(eval_step_device)(MLC_API(state) * s, const mlc_input_t *x,
                              const mlc_label_t *y, int64_t batch, float *loss,
                              float *predictions) {
  return mlcEval("eval_step_device", s, x, y, batch, loss, predictions, 1);
}
#endif

#if MLC_CAN_TRAIN
int MLC_API(train_step_device)(MLC_API(state) * s, const mlc_input_t *x,
                               const mlc_label_t *y, int64_t batch,
                               float *loss) {
  return mlcTrain("train_step_device", s, x, y, batch, loss, 1);
}
#endif
#endif

int MLC_API(set_learning_rate)(MLC_API(state) * s, double rate) {
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

double MLC_API(learning_rate)(const MLC_API(state) * s) {
  return s ? s->learningRate : NAN;
}

int64_t MLC_API(iterations)(const MLC_API(state) * s) {
  return s ? s->iterations : -1;
}

int MLC_API(set_epoch)(MLC_API(state) * s, int64_t epoch) {
  if (!s || epoch < 0)
    return mlcFail(MLC_ERR_ARGUMENT, MLC_MODEL_NAME
                   "_set_epoch: needs a state and an epoch >= 0");
  s->epoch = epoch;
  return MLC_OK;
}

int MLC_API(param_data)(MLC_API(state) * s, int64_t i, float **data) {
  if (!s || !data || i < 0 || i >= MLC_NUM_PARAMS)
    return mlcFail(MLC_ERR_ARGUMENT,
                   MLC_MODEL_NAME "_param_data: needs a state, a param "
                                  "index in [0, %d) and an output pointer",
                   MLC_NUM_PARAMS);
  *data = s->params[i];
  return MLC_OK;
}
