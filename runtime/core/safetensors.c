/*===- safetensors.c - checkpoints in the safetensors format --------------===//
 *
 * Part of the mlc runtime core; see safetensors.h.
 *
 *===----------------------------------------------------------------------===*/

#ifndef _POSIX_C_SOURCE
#define _POSIX_C_SOURCE 200809L /* mkstemp, fsync, fchmod */
#endif

#include "runtime/core/safetensors.h"

#include "runtime/core/files.h"
#include "runtime/core/json.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

MLC_CORE_FN int64_t mlcDtypeSize(const char *dtype) {
  static const char *const names[] = {"F64", "F32", "F16", "BF16", "I64",
                                      "I32", "I16", "I8",  "U8",   "BOOL",
                                      "U16", "U32", "U64"};
  static const int64_t sizes[] = {8, 4, 2, 2, 8, 4, 2, 1, 1, 1, 2, 4, 8};
  for (size_t i = 0; i < sizeof sizes / sizeof sizes[0]; ++i)
    if (!strcmp(dtype, names[i]))
      return sizes[i];
  return 0;
}

/*===--- reading ----------------------------------------------------------===*/

static int mlcProblem(char *error, size_t errorSize, const char *format, ...) {
  va_list args;
  va_start(args, format);
  vsnprintf(error, errorSize, format, args);
  va_end(args);
  return MLC_CORE_FORMAT;
}

/* One tensor's entry, values[index]; its dims go to `shape`. */
static int mlcReadEntry(const mlc_json *json, size_t index,
                        const unsigned char *payload, uint64_t payloadSize,
                        mlc_stored_tensor *t, int64_t *shape, char *error,
                        size_t errorSize) {
  const mlc_json_value *v = &json->values[index], *dtype = NULL, *dims = NULL,
                       *offsets = NULL;
  const char *name = t->name = v->key;
  for (size_t c = index + 1; v->kind == MLC_JSON_OBJECT && c < v->end;
       c = json->values[c].end) {
    const char *key = json->values[c].key;
    if (!strcmp(key, "dtype"))
      dtype = &json->values[c];
    else if (!strcmp(key, "shape"))
      dims = &json->values[c];
    else if (!strcmp(key, "data_offsets"))
      offsets = &json->values[c];
  }
  if (!dtype || dtype->kind != MLC_JSON_STRING || !dims ||
      dims->kind != MLC_JSON_ARRAY || !offsets ||
      offsets->kind != MLC_JSON_ARRAY)
    return mlcProblem(error, errorSize,
                      "tensor '%s' lacks a known dtype, a shape or "
                      "data_offsets",
                      name);
  t->dtype = dtype->string;
  int64_t width = mlcDtypeSize(t->dtype);
  if (!width)
    return mlcProblem(error, errorSize, "tensor '%s' has unknown dtype '%s'",
                      name, t->dtype);
  /* The byte size; `overflow` once it passes 2^63 - 1 (a 0 dim still
   * makes it 0). */
  uint64_t bytes = (uint64_t)width;
  int overflow = 0, zero = 0;
  t->shape = shape;
  t->rank = 0;
  for (size_t c = (size_t)(dims - json->values) + 1; c < dims->end;
       c = json->values[c].end) {
    int64_t d = json->values[c].integer;
    if (json->values[c].kind != MLC_JSON_INTEGER || d < 0)
      return mlcProblem(error, errorSize, "tensor '%s' has a bad shape", name);
    shape[t->rank++] = d;
    zero |= d == 0;
    overflow |= d && bytes > (uint64_t)INT64_MAX / (uint64_t)d;
    bytes = overflow ? 1 : bytes * (uint64_t)d;
  }
  bytes = zero ? 0 : bytes;
  if (overflow && !zero)
    return mlcProblem(error, errorSize,
                      "tensor '%s' has a shape too large to address", name);
  size_t first = (size_t)(offsets - json->values) + 1;
  if (offsets->end != first + 2 ||
      json->values[first].kind != MLC_JSON_INTEGER ||
      json->values[first + 1].kind != MLC_JSON_INTEGER)
    return mlcProblem(error, errorSize,
                      "tensor '%s' has data_offsets that are not two "
                      "integers",
                      name);
  int64_t begin = json->values[first].integer,
          end = json->values[first + 1].integer;
  if (begin < 0 || end < begin || (uint64_t)end > payloadSize)
    return mlcProblem(error, errorSize,
                      "tensor '%s' (%s, bytes %lld..%lld) does not fit the "
                      "%llu data bytes (truncated file?)",
                      name, t->dtype, (long long)begin, (long long)end,
                      (unsigned long long)payloadSize);
  if ((uint64_t)(end - begin) != bytes)
    return mlcProblem(error, errorSize,
                      "tensor '%s' has %lld bytes for %llu %s values", name,
                      (long long)(end - begin),
                      (unsigned long long)(bytes / (uint64_t)width), t->dtype);
  t->data = payload + begin;
  t->bytes = (uint64_t)(end - begin);
  return MLC_CORE_OK;
}

/* Checks the header of the file in file->fileBytes[0..size). */
static int mlcParseFile(mlc_safetensors *file, size_t size, mlc_json *json,
                        char *error, size_t errorSize) {
  const unsigned char *bytes = file->fileBytes;
  if (size < 8)
    return mlcProblem(error, errorSize,
                      "the file has %zu bytes, too few for the 8-byte "
                      "header length",
                      size);
  uint64_t length = 0;
  for (int k = 7; k >= 0; --k)
    length = length << 8 | bytes[k];
  if (length > size - 8)
    return mlcProblem(error, errorSize,
                      "the header length (%llu) runs past the end of the "
                      "file (%zu bytes)",
                      (unsigned long long)length, size);
  int err = mlcJsonParse(json, (const char *)bytes + 8, (size_t)length, error,
                         errorSize);
  file->strings = json->strings; /* the names point into it */
  json->strings = NULL;
  if (err)
    return err;
  const mlc_json_value *root = &json->values[0], *metadata = NULL;
  if (root->kind != MLC_JSON_OBJECT)
    return mlcProblem(error, errorSize, "the header is not a JSON object");
  size_t entries = 0;
  for (size_t c = 1; c < root->end; c = json->values[c].end, ++entries)
    if (!strcmp(json->values[c].key, "__metadata__"))
      metadata = &json->values[c];
  if (metadata && metadata->kind != MLC_JSON_OBJECT)
    return mlcProblem(error, errorSize, "__metadata__ is not an object");
  /* Every dim is a JSON value: json->count bounds their number. */
  file->tensors = calloc(entries + 1, sizeof *file->tensors);
  file->metadata = calloc(json->count, sizeof *file->metadata);
  file->shapes = calloc(json->count, sizeof *file->shapes);
  if (!file->tensors || !file->metadata || !file->shapes) {
    snprintf(error, errorSize, "out of memory");
    return MLC_CORE_MEMORY;
  }
  for (size_t c = metadata ? (size_t)(metadata - json->values) + 1 : 0;
       metadata && c < metadata->end; c = json->values[c].end) {
    if (json->values[c].kind != MLC_JSON_STRING)
      return mlcProblem(error, errorSize, "metadata value '%s' is not a string",
                        json->values[c].key);
    mlc_metadata_entry *m = &file->metadata[file->numMetadata++];
    m->key = json->values[c].key;
    m->value = json->values[c].string;
  }
  const unsigned char *payload = bytes + 8 + length;
  int64_t *shape = file->shapes;
  for (size_t c = 1; c < root->end; c = json->values[c].end) {
    if (&json->values[c] == metadata)
      continue;
    mlc_stored_tensor *t = &file->tensors[file->numTensors++];
    if ((err = mlcReadEntry(json, c, payload, size - 8 - length, t, shape,
                            error, errorSize)))
      return err;
    shape += t->rank;
  }
  return MLC_CORE_OK;
}

MLC_CORE_FN int mlcSafetensorsParse(unsigned char *bytes, size_t size,
                                    mlc_safetensors *file, char *error,
                                    size_t errorSize) {
  memset(file, 0, sizeof *file);
  file->fileBytes = bytes;
  mlc_json json = {NULL, 0, 0, NULL};
  int err = mlcParseFile(file, size, &json, error, errorSize);
  mlcJsonFree(&json);
  return err;
}

MLC_CORE_FN int mlcSafetensorsRead(const char *path, mlc_safetensors *file,
                                   char *error, size_t errorSize) {
  memset(file, 0, sizeof *file);
  unsigned char *bytes;
  size_t size;
  int err =
      mlcReadRegularFile(path, UINT64_MAX, &bytes, &size, error, errorSize);
  if (err)
    return err;
  return mlcSafetensorsParse(bytes, size, file, error, errorSize);
}

MLC_CORE_FN void mlcSafetensorsFree(mlc_safetensors *file) {
  free(file->metadata);
  free(file->tensors);
  free(file->fileBytes);
  free(file->strings);
  free(file->shapes);
  memset(file, 0, sizeof *file);
}

/*===--- writing ----------------------------------------------------------===*/

/* The header as it grows; `ok` turns 0 when out of memory. */
typedef struct {
  char *data;
  size_t size, capacity;
  int ok;
} mlc_header;

static void mlcPut(mlc_header *h, const char *text, size_t n) {
  if (h->ok && h->size + n > h->capacity) {
    size_t capacity = 2 * (h->size + n) + 256;
    char *grown = realloc(h->data, capacity);
    h->ok = grown != NULL;
    h->data = grown ? grown : h->data;
    h->capacity = grown ? capacity : h->capacity;
  }
  if (h->ok) {
    memcpy(h->data + h->size, text, n);
    h->size += n;
  }
}

static void mlcPutText(mlc_header *h, const char *text) {
  mlcPut(h, text, strlen(text));
}

/* Numbers and short pieces (up to 63 bytes). */
static void mlcPutf(mlc_header *h, const char *format, ...) {
  char text[64];
  va_list args;
  va_start(args, format);
  vsnprintf(text, sizeof text, format, args);
  va_end(args);
  mlcPutText(h, text);
}

/* A JSON string: quotes and backslashes escaped, control characters as
 * \u00XX, everything else as it is. */
static void mlcPutString(mlc_header *h, const char *text) {
  mlcPut(h, "\"", 1);
  for (const unsigned char *c = (const unsigned char *)text; *c; ++c) {
    if (*c == '"' || *c == '\\')
      mlcPut(h, "\\", 1);
    if (*c < 0x20)
      mlcPutf(h, "\\u%04x", *c);
    else
      mlcPut(h, (const char *)c, 1);
  }
  mlcPut(h, "\"", 1);
}

static int mlcCompareMetadata(const void *a, const void *b) {
  return strcmp(((const mlc_metadata_entry *)a)->key,
                ((const mlc_metadata_entry *)b)->key);
}

/* The header, metadata keys sorted (as a std::map keeps them). */
static void mlcPutHeader(mlc_header *h, const mlc_safetensors *file) {
  mlc_metadata_entry *sorted = malloc((file->numMetadata + 1) * sizeof *sorted);
  h->ok = sorted != NULL;
  mlcPut(h, "{", 1);
  if (h->ok && file->numMetadata) {
    memcpy(sorted, file->metadata, file->numMetadata * sizeof *sorted);
    qsort(sorted, file->numMetadata, sizeof *sorted, mlcCompareMetadata);
    mlcPutText(h, "\"__metadata__\":{");
    for (size_t i = 0; i < file->numMetadata; ++i) {
      mlcPutText(h, i ? "," : "");
      mlcPutString(h, sorted[i].key);
      mlcPut(h, ":", 1);
      mlcPutString(h, sorted[i].value);
    }
    mlcPut(h, "}", 1);
  }
  free(sorted);
  uint64_t offset = 0;
  for (size_t i = 0; i < file->numTensors; ++i) {
    const mlc_stored_tensor *t = &file->tensors[i];
    mlcPutText(h, i || file->numMetadata ? "," : "");
    mlcPutString(h, t->name);
    mlcPutText(h, ":{\"dtype\":");
    mlcPutString(h, t->dtype);
    mlcPutText(h, ",\"shape\":[");
    for (size_t k = 0; k < t->rank; ++k)
      mlcPutf(h, k ? ",%lld" : "%lld", (long long)t->shape[k]);
    mlcPutf(h, "],\"data_offsets\":[%llu,%llu]}", (unsigned long long)offset,
            (unsigned long long)(offset + t->bytes));
    offset += t->bytes;
  }
  mlcPut(h, "}", 1);
  /* Spaces up to 8 bytes, as the format recommends: the data aligned. */
  while (h->ok && h->size % 8)
    mlcPut(h, " ", 1);
}

static int mlcWriteAll(int fd, const void *data, uint64_t n) {
  const char *p = data;
  while (n > 0) {
    ssize_t w =
        write(fd, p, n < ((size_t)1 << 30) ? (size_t)n : (size_t)1 << 30);
    if (w < 0 && errno == EINTR)
      continue;
    if (w <= 0)
      return 0;
    p += w;
    n -= (uint64_t)w;
  }
  return 1;
}

MLC_CORE_FN int mlcSafetensorsWrite(const char *path,
                                    const mlc_safetensors *file, unsigned mode,
                                    char *error, size_t errorSize) {
  if (mlcCheckReplaceable(path, error, errorSize) != MLC_CORE_OK)
    return MLC_CORE_IO;
  mlc_header h = {NULL, 0, 0, 1};
  mlcPutHeader(&h, file);
  size_t pathLength = strlen(path);
  char *temp = h.ok ? malloc(pathLength + 16) : NULL;
  if (!temp) {
    free(h.data);
    snprintf(error, errorSize, "out of memory");
    return MLC_CORE_MEMORY;
  }
  /* Written beside the target, then renamed over it: the old file stays
   * whole until the new one is. */
  snprintf(temp, pathLength + 16, "%s.tmp-XXXXXX", path);
  int fd = mkstemp(temp);
  int ok = fd >= 0;
  if (ok)
    fchmod(fd, (mode_t)mode); /* mkstemp makes it 0600 */
  unsigned char length[8];
  for (int k = 0; k < 8; ++k)
    length[k] = (unsigned char)((uint64_t)h.size >> (8 * k));
  ok = ok && mlcWriteAll(fd, length, 8) && mlcWriteAll(fd, h.data, h.size);
  for (size_t i = 0; ok && i < file->numTensors; ++i)
    ok = mlcWriteAll(fd, file->tensors[i].data, file->tensors[i].bytes);
  ok = ok && fsync(fd) == 0;
  int e = errno;
  if (fd >= 0)
    ok = close(fd) == 0 && ok;
  if (ok && rename(temp, path) != 0) {
    e = errno;
    ok = 0;
  }
  if (!ok && fd >= 0)
    unlink(temp);
  if (ok)
    mlcRemoveStaleTemporaries(path);
  free(temp);
  free(h.data);
  if (!ok)
    snprintf(error, errorSize, "%s", strerror(e ? e : EIO));
  return ok ? MLC_CORE_OK : MLC_CORE_IO;
}
