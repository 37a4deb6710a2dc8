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

/* A count in the metadata ("epoch", "seed"); 0 if absent or not one. */
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
  mlc_metadata_entry *carried = NULL;
  size_t numCarried = 0;
  if (!mlcCarryMetadata(&file, &carried, &numCarried)) {
    mlcSafetensorsFree(&file);
    free(problems.data);
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
  s->epoch = mlcMetadataCount(&file, "epoch");
  s->seed = (uint64_t)mlcMetadataCount(&file, "seed");
  free(s->carried);
  s->carried = carried;
  s->numCarried = numCarried;
  s->ready = 1;
  mlcSafetensorsFree(&file);
  free(problems.data);
  return MLC_OK;
}
