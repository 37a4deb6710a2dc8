/*===- ModelCheckpoints.c - a model library's checkpoints -----------------===//
 *
 * Part of the C side of a generated model library: embedded after
 * ModelSteps.c in the same translation unit. save and load, as safetensors
 * files through the runtime core's one reader and writer (the files
 * `mlc train --checkpoint` writes and reads).
 *
 *===----------------------------------------------------------------------===*/

/*===--- checkpoints: safetensors, through the core ----------------------===*/

/* Params, then optimizer state: the order of checkpoints and of `found`. */
static const struct mlc_tensor *mlcTensor(int i) {
  return i < MLC_NUM_PARAMS ? &mlc_params[i] : &mlc_states[i - MLC_NUM_PARAMS];
}

static float *mlcTensorData(MLC_API(state) * s, int i) {
  return i < MLC_NUM_PARAMS ? s->params[i] : s->states[i - MLC_NUM_PARAMS];
}

int MLC_API(save)(MLC_API(state) * s, const char *path) {
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
  mlc_metadata_entry own[] = {
      {"format", "mlc"}, {"model", MLC_MODEL_NAME},
      {"epoch", epoch},  {"step", step},
      {"seed", seed},    {"schedule", MLC_SCHEDULE_TEXT}};
  /* Like mlc train, a constant schedule is not recorded. */
  size_t numOwn = sizeof own / sizeof own[0] - (MLC_SCHEDULE_KIND == 0);
  mlc_metadata_entry *metadata =
      malloc((numOwn + s->numCarried) * sizeof *metadata);
  if (!metadata)
    return mlcFail(MLC_ERR_MEMORY, MLC_MODEL_NAME "_save: out of memory");
  memcpy(metadata, own, numOwn * sizeof *metadata);
  if (s->numCarried)
    memcpy(metadata + numOwn, s->carried, s->numCarried * sizeof *metadata);
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
  mlc_safetensors file = {metadata, numOwn + s->numCarried,
                          tensors,  MLC_NUM_PARAMS + MLC_NUM_STATES + 1,
                          NULL,     NULL,
                          NULL};
  /* 0644: mkstemp makes it 0600, and a checkpoint is shared. */
  int code = mlcSafetensorsWrite(path, &file, 0644, why, sizeof why);
  free(metadata);
  if (code == MLC_CORE_MEMORY)
    return mlcFail(MLC_ERR_MEMORY, MLC_MODEL_NAME "_save: out of memory");
  if (code)
    return mlcFail(MLC_ERR_IO, "cannot write '%s': %s", path, why);
  return MLC_OK;
}

/* The model's tensors as the core's matcher takes them: params, then
 * optimizer state. */
static void mlcModelTensors(mlc_model_tensor *tensors) {
  for (int i = 0; i < MLC_NUM_PARAMS + MLC_NUM_STATES; ++i) {
    const struct mlc_tensor *t = mlcTensor(i);
    tensors[i].name = t->name;
    tensors[i].rank = (size_t)t->rank;
    tensors[i].shape = t->shape;
  }
}

/* A count in the metadata (the seed); 0 if absent or not one. */
static int64_t mlcMetadataCount(const mlc_safetensors *file, const char *key) {
  for (size_t m = 0; m < file->numMetadata; ++m)
    if (!strcmp(file->metadata[m].key, key)) {
      char *end = NULL;
      const char *text = file->metadata[m].value;
      long long n = strtoll(text, &end, 10);
      return *text && !*end && n >= 0 ? (int64_t)n : 0;
    }
  return 0;
}

/* Copies the metadata the library does not write itself into one
 * allocation (`*carried`, NULL if none); returns 0 when out of memory. */
static int mlcCarryMetadata(const mlc_safetensors *file,
                            mlc_metadata_entry **carried, size_t *count) {
  static const char *const own[] = {"format", "model", "epoch",
                                    "step",   "seed",  "schedule"};
  size_t n = 0, text = 0;
  for (int pass = 0; pass < 2; ++pass) {
    char *next = *carried ? (char *)(*carried + n) : NULL;
    size_t k = 0;
    for (size_t m = 0; m < file->numMetadata; ++m) {
      const mlc_metadata_entry *e = &file->metadata[m];
      int mine = 0;
      for (size_t o = 0; o < sizeof own / sizeof own[0]; ++o)
        mine |= !strcmp(e->key, own[o]);
      if (mine)
        continue;
      size_t keyBytes = strlen(e->key) + 1, valueBytes = strlen(e->value) + 1;
      if (!pass) {
        ++n, text += keyBytes + valueBytes;
        continue;
      }
      (*carried)[k].key = memcpy(next, e->key, keyBytes);
      next += keyBytes;
      (*carried)[k++].value = memcpy(next, e->value, valueBytes);
      next += valueBytes;
    }
    if (!pass) {
      *count = n;
      if (!n)
        return 1;
      *carried = malloc(n * sizeof **carried + text);
      if (!*carried)
        return 0;
    }
  }
  return 1;
}

int MLC_API(load)(MLC_API(state) * s, const char *path) {
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
  mlc_model_tensor tensors[MLC_NUM_PARAMS + MLC_NUM_STATES + 1];
  mlcModelTensors(tensors);
  mlc_checkpoint_match match;
  match.found = found;
  code = mlcMatchCheckpoint(&file, tensors, MLC_NUM_PARAMS, MLC_NUM_STATES,
                            MLC_STATE_OPTIONAL, &match);
  if (code == MLC_CORE_MEMORY) {
    mlcSafetensorsFree(&file);
    free(match.problems);
    return mlcFail(MLC_ERR_MEMORY, "cannot read '%s': out of memory", path);
  }
  if (match.numProblems) {
    const char *writtenFor = "";
    for (size_t m = 0; m < file.numMetadata; ++m)
      if (!strcmp(file.metadata[m].key, "model"))
        writtenFor = file.metadata[m].value;
    code = mlcFail(
        MLC_ERR_FORMAT, "'%s': checkpoint does not match model @%s%s%s%s:%s",
        path, MLC_MODEL_NAME, writtenFor[0] ? " (it was written for @" : "",
        writtenFor, writtenFor[0] ? ")" : "", match.problems);
    mlcSafetensorsFree(&file);
    free(match.problems);
    return code;
  }
  const void *iterations = match.iterations;
  int64_t epoch = 0;
  for (size_t m = 0; m < file.numMetadata; ++m)
    if (!strcmp(file.metadata[m].key, "epoch") &&
        !mlcParseCount(file.metadata[m].value, &epoch)) {
      code = mlcFail(MLC_ERR_FORMAT,
                     "'%s': epoch is '%s' in the metadata, not a count of "
                     "epochs",
                     path, file.metadata[m].value);
      mlcSafetensorsFree(&file);
      return code;
    }
  mlc_metadata_entry *carried = NULL;
  size_t numCarried = 0;
  if (!mlcCarryMetadata(&file, &carried, &numCarried)) {
    mlcSafetensorsFree(&file);
    return mlcFail(MLC_ERR_MEMORY, "cannot read '%s': out of memory", path);
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
  s->epoch = epoch;
  s->seed = (uint64_t)mlcMetadataCount(&file, "seed");
  free(s->carried);
  s->carried = carried;
  s->numCarried = numCarried;
  s->ready = 1;
  mlcSafetensorsFree(&file);
  return MLC_OK;
}

const char *MLC_API(metadata)(const MLC_API(state) * s, const char *key) {
  if (!s || !key)
    return NULL;
  for (size_t m = 0; m < s->numCarried; ++m)
    if (!strcmp(s->carried[m].key, key))
      return s->carried[m].value;
  return NULL;
}

#if !MLC_TOKEN_INPUT /* token ids are not scaled */
/* Reads `count` floats separated by spaces from the metadata's `key` into
 * `out`; fails unless the text holds exactly that many finite numbers. */
static int mlcMetadataFloats(const MLC_API(state) * s, const char *key,
                             float *out, int64_t count) {
  const char *text = MLC_API(metadata)(s, key);
  if (!text)
    return mlcFail(MLC_ERR_FORMAT,
                   MLC_MODEL_NAME "_normalize_input: the checkpoint's "
                                  "metadata has no %s",
                   key);
  int64_t n = 0;
  for (;;) {
    while (*text == ' ')
      ++text;
    if (!*text)
      break;
    char *end = NULL;
    float v = strtof(text, &end);
    if (end == text || (*end && *end != ' ') || !isfinite(v) || n == count)
      return mlcFail(MLC_ERR_FORMAT,
                     MLC_MODEL_NAME "_normalize_input: %s in the checkpoint's "
                                    "metadata is not %lld numbers",
                     key, (long long)count);
    out[n++] = v;
    text = end;
  }
  if (n != count)
    return mlcFail(MLC_ERR_FORMAT,
                   MLC_MODEL_NAME "_normalize_input: %s in the checkpoint's "
                                  "metadata holds %lld numbers, not %lld",
                   key, (long long)n, (long long)count);
  return MLC_OK;
}

int MLC_API(normalize_input)(const MLC_API(state) * s, float *x,
                             int64_t batch) {
  if (!s || (!x && batch) || batch < 0)
    return mlcFail(MLC_ERR_ARGUMENT,
                   MLC_MODEL_NAME "_normalize_input: needs a state, inputs "
                                  "and a batch >= 0");
  const int64_t n = mlc_input.size;
  const char *table = MLC_API(metadata)(s, "table.normalize");
  if (table) {
    /* A table's features: (x - mean) * scale per feature, when recorded. */
    if (!MLC_API(metadata)(s, "table.mean"))
      return MLC_OK;
    float *mean = malloc(2 * sizeof(float) * (size_t)n);
    if (!mean)
      return mlcFail(MLC_ERR_MEMORY,
                     MLC_MODEL_NAME "_normalize_input: out of memory");
    float *scale = mean + n;
    int err = mlcMetadataFloats(s, "table.mean", mean, n);
    if (!err)
      err = mlcMetadataFloats(s, "table.scale", scale, n);
    if (!err)
      for (int64_t i = 0; i < batch; ++i)
        for (int64_t k = 0; k < n; ++k)
          x[i * n + k] = (x[i * n + k] - mean[k]) * scale[k];
    free(mean);
    return err;
  }
  /* Images: pixel / 255, then the recorded standardization if any. */
  float shift = 0, scale = 1;
  const char *kind = MLC_API(metadata)(s, "normalize");
  if (kind && !strcmp(kind, "standardize")) {
    int err = mlcMetadataFloats(s, "normalize.shift", &shift, 1);
    if (!err)
      err = mlcMetadataFloats(s, "normalize.scale", &scale, 1);
    if (err)
      return err;
  }
  for (int64_t i = 0; i < batch * n; ++i)
    x[i] = (x[i] * (1.0f / 255.0f) - shift) * scale; /* as mlc train */
  return MLC_OK;
}
#endif
