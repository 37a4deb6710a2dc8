/*===- json.h - the JSON reader for safetensors headers -------------------===//
 *
 * Part of the mlc runtime core (libc-only C11). Reads the JSON that
 * safetensors headers use (objects, arrays, strings and integers) into a
 * flat array of values in document order. It never recurses, caps nesting
 * at MLC_JSON_MAX_DEPTH, refuses an object that names a key twice, and
 * decodes escapes as JSON defines them (\uXXXX to UTF-8).
 *
 *===----------------------------------------------------------------------===*/

#ifndef MLC_RUNTIME_CORE_JSON_H
#define MLC_RUNTIME_CORE_JSON_H

#include "runtime/core/core.h"

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

enum { MLC_JSON_MAX_DEPTH = 64 };

enum { MLC_JSON_OBJECT, MLC_JSON_ARRAY, MLC_JSON_STRING, MLC_JSON_INTEGER };

typedef struct {
  int kind;
  const char *key;    /* the name of an object's member, else NULL */
  const char *string; /* MLC_JSON_STRING: decoded, NUL-terminated */
  int64_t integer;    /* MLC_JSON_INTEGER */
  size_t end;         /* the index after this value and what it contains */
  size_t offset;      /* where it starts in the text, for messages */
} mlc_json_value;

/* values[0] is the root; the members of values[i] start at i + 1, each
 * followed by the next at its `end`, until values[i].end. */
typedef struct {
  mlc_json_value *values;
  size_t count, capacity;
  char *strings; /* what keys and strings point into */
} mlc_json;

/* Parses text[0..size) into `json`. Returns MLC_CORE_OK, or
 * MLC_CORE_FORMAT or MLC_CORE_MEMORY with the problem in error[0..size).
 * Free `json` with mlcJsonFree either way. */
MLC_CORE_FN int mlcJsonParse(mlc_json *json, const char *text, size_t size,
                             char *error, size_t errorSize);

MLC_CORE_FN void mlcJsonFree(mlc_json *json);

#ifdef __cplusplus
}
#endif

#endif /* MLC_RUNTIME_CORE_JSON_H */
