/*===- safetensors.h - checkpoints in the safetensors format --------------===//
 *
 * Part of the mlc runtime core (libc-only C11): the one reader and writer
 * of mlc's checkpoints, behind runtime/Safetensors.h in mlc and the
 * save/load calls of every model library, so both write the same bytes and
 * accept the same files. The layout: an 8-byte little-endian header length,
 * a JSON header naming each tensor's dtype, shape and byte range (and an
 * optional "__metadata__" object of strings), then the raw data.
 *
 *===----------------------------------------------------------------------===*/

#ifndef MLC_RUNTIME_CORE_SAFETENSORS_H
#define MLC_RUNTIME_CORE_SAFETENSORS_H

#include "runtime/core/core.h"

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef struct {
  const char *key, *value;
} mlc_metadata_entry;

typedef struct {
  const char *name;
  const char *dtype; /* "F32", "I64", ... */
  size_t rank;
  const int64_t *shape;
  const void *data; /* little-endian */
  uint64_t bytes;
} mlc_stored_tensor;

typedef struct {
  mlc_metadata_entry *metadata;
  size_t numMetadata;
  mlc_stored_tensor *tensors; /* in the header's order */
  size_t numTensors;
  /* What a read file owns (everything above points into it). */
  unsigned char *fileBytes;
  char *strings;
  int64_t *shapes;
} mlc_safetensors;

/* Bytes per element of a safetensors dtype, or 0 if unknown. */
MLC_CORE_FN int64_t mlcDtypeSize(const char *dtype);

/* Reads and checks the file at `path`: header syntax (nesting capped, no
 * key twice), a "__metadata__" object of strings, known dtypes, shapes
 * whose byte size fits 64 bits and matches the byte range, ranges within
 * the file. Returns MLC_CORE_OK, or MLC_CORE_IO, MLC_CORE_FORMAT or
 * MLC_CORE_MEMORY with the problem (not the path) in error[0..errorSize).
 * Free `file` with mlcSafetensorsFree either way. */
MLC_CORE_FN int mlcSafetensorsRead(const char *path, mlc_safetensors *file,
                                   char *error, size_t errorSize);

/* The same checks on a file's bytes already in memory: `bytes` (malloc'd,
 * with a NUL after the `size` bytes) becomes the file's, freed with it. */
MLC_CORE_FN int mlcSafetensorsParse(unsigned char *bytes, size_t size,
                                    mlc_safetensors *file, char *error,
                                    size_t errorSize);

MLC_CORE_FN void mlcSafetensorsFree(mlc_safetensors *file);

/* Writes `file` to `path` with permission bits `mode`: the metadata (if
 * any) with its keys sorted, then the tensors in order, the header padded
 * with spaces to 8 bytes. The file is written beside `path` and renamed
 * over it, so a failure leaves `path` as it was. Returns MLC_CORE_OK, or
 * MLC_CORE_IO or MLC_CORE_MEMORY with the problem in error[0..errorSize). */
MLC_CORE_FN int mlcSafetensorsWrite(const char *path,
                                    const mlc_safetensors *file, unsigned mode,
                                    char *error, size_t errorSize);

#ifdef __cplusplus
}
#endif

#endif /* MLC_RUNTIME_CORE_SAFETENSORS_H */
