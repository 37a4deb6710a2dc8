/*===- json.c - the JSON reader for safetensors headers -------------------===//
 *
 * Part of the mlc runtime core; see json.h. A loop with an explicit stack
 * of open containers instead of recursion, so no header can overflow the
 * C stack, however deep it nests.
 *
 *===----------------------------------------------------------------------===*/

#include "runtime/core/json.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct {
  mlc_json *json;
  const char *text;
  size_t size, pos;
  char *out; /* the next free byte of json->strings */
  char *error;
  size_t errorSize;
} mlc_json_parser;

static int mlcJsonFail(mlc_json_parser *p, const char *what) {
  snprintf(p->error, p->errorSize, "malformed JSON header (%s at byte %zu)",
           what, p->pos);
  return MLC_CORE_FORMAT;
}

static void mlcJsonSkipSpace(mlc_json_parser *p) {
  while (p->pos < p->size &&
         (p->text[p->pos] == ' ' || p->text[p->pos] == '\t' ||
          p->text[p->pos] == '\n' || p->text[p->pos] == '\r'))
    ++p->pos;
}

/* Whether the next character, after white space, is `c`; takes it if so. */
static int mlcJsonTake(mlc_json_parser *p, char c) {
  mlcJsonSkipSpace(p);
  if (p->pos < p->size && p->text[p->pos] == c) {
    ++p->pos;
    return 1;
  }
  return 0;
}

/* Four hex digits at the position, or -1. */
static long mlcJsonHex4(mlc_json_parser *p) {
  long v = 0;
  for (int k = 0; k < 4; ++k, ++p->pos) {
    char d = p->pos < p->size ? p->text[p->pos] : 0;
    int digit = d >= '0' && d <= '9'   ? d - '0'
                : d >= 'a' && d <= 'f' ? d - 'a' + 10
                : d >= 'A' && d <= 'F' ? d - 'A' + 10
                                       : -1;
    if (digit < 0)
      return -1;
    v = v * 16 + digit;
  }
  return v;
}

/* Decodes the \u escape after "\u" into UTF-8 at p->out. */
static int mlcJsonUnicode(mlc_json_parser *p) {
  long code = mlcJsonHex4(p);
  if (code >= 0xD800 && code < 0xDC00) { /* a surrogate pair */
    long low = -1;
    if (p->pos + 1 < p->size && p->text[p->pos] == '\\' &&
        p->text[p->pos + 1] == 'u') {
      p->pos += 2;
      low = mlcJsonHex4(p);
    }
    if (low < 0xDC00 || low > 0xDFFF)
      return mlcJsonFail(p, "an unpaired surrogate in a \\u escape");
    code = 0x10000 + ((code - 0xD800) << 10) + (low - 0xDC00);
  } else if (code < 0 || (code >= 0xDC00 && code <= 0xDFFF)) {
    return mlcJsonFail(p, "a bad \\u escape");
  } else if (code == 0) {
    /* Names are C strings. */
    return mlcJsonFail(p, "a NUL character in a string");
  }
  unsigned char *o = (unsigned char *)p->out;
  if (code < 0x80) {
    *o++ = (unsigned char)code;
  } else if (code < 0x800) {
    *o++ = (unsigned char)(0xC0 | code >> 6);
    *o++ = (unsigned char)(0x80 | (code & 0x3F));
  } else if (code < 0x10000) {
    *o++ = (unsigned char)(0xE0 | code >> 12);
    *o++ = (unsigned char)(0x80 | ((code >> 6) & 0x3F));
    *o++ = (unsigned char)(0x80 | (code & 0x3F));
  } else {
    *o++ = (unsigned char)(0xF0 | code >> 18);
    *o++ = (unsigned char)(0x80 | ((code >> 12) & 0x3F));
    *o++ = (unsigned char)(0x80 | ((code >> 6) & 0x3F));
    *o++ = (unsigned char)(0x80 | (code & 0x3F));
  }
  p->out = (char *)o;
  return MLC_CORE_OK;
}

/* Reads the string at the position (after white space) into p->out. A
 * decoded string is never longer than its quoted text, so json->strings,
 * as long as the text and a NUL, holds them all. */
static int mlcJsonString(mlc_json_parser *p, const char **out) {
  if (!mlcJsonTake(p, '"'))
    return mlcJsonFail(p, "expected a string");
  *out = p->out;
  for (;;) {
    if (p->pos >= p->size)
      return mlcJsonFail(p, "an unterminated string");
    unsigned char c = (unsigned char)p->text[p->pos++];
    if (c == '"')
      break;
    if (c < 0x20) {
      --p->pos;
      return mlcJsonFail(p, "a control character in a string");
    }
    if (c == '\\' && p->pos < p->size && p->text[p->pos] == 'u') {
      ++p->pos;
      int err = mlcJsonUnicode(p);
      if (err)
        return err;
      continue;
    }
    if (c == '\\') {
      static const char from[] = "\"\\/bfnrt", to[] = "\"\\/\b\f\n\r\t";
      const char *known = NULL;
      if (p->pos < p->size && p->text[p->pos])
        known = strchr(from, p->text[p->pos]);
      if (!known)
        return mlcJsonFail(p, "a bad escape");
      ++p->pos;
      c = (unsigned char)to[known - from];
    }
    *p->out++ = (char)c;
  }
  *p->out++ = 0;
  return MLC_CORE_OK;
}

static int mlcJsonInteger(mlc_json_parser *p, int64_t *value) {
  int negative = p->text[p->pos] == '-';
  p->pos += negative;
  /* The magnitude's limit: 2^63 for a negative number, 2^63 - 1 else. */
  uint64_t v = 0, limit = (uint64_t)INT64_MAX + (uint64_t)negative;
  size_t start = p->pos;
  for (; p->pos < p->size && p->text[p->pos] >= '0' && p->text[p->pos] <= '9';
       ++p->pos) {
    uint64_t digit = (uint64_t)(p->text[p->pos] - '0');
    if (v > (limit - digit) / 10)
      return mlcJsonFail(p, "a number out of range");
    v = v * 10 + digit;
  }
  if (p->pos == start)
    return mlcJsonFail(p, "expected digits");
  char next = p->pos < p->size ? p->text[p->pos] : 0;
  if (next == '.' || next == 'e' || next == 'E')
    return mlcJsonFail(p, "a number that is not an integer");
  /* -2^63 has no positive counterpart: negate in unsigned arithmetic. */
  *value = negative ? (int64_t)(0 - v) : (int64_t)v;
  return MLC_CORE_OK;
}

/* Appends a value starting at the position; its index goes to *index. */
static int mlcJsonAdd(mlc_json_parser *p, int kind, const char *key,
                      size_t *index) {
  mlc_json *json = p->json;
  if (json->count == json->capacity) {
    size_t capacity = json->capacity ? 2 * json->capacity : 64;
    mlc_json_value *grown =
        realloc(json->values, capacity * sizeof *json->values);
    if (!grown) {
      snprintf(p->error, p->errorSize, "out of memory");
      return MLC_CORE_MEMORY;
    }
    json->values = grown;
    json->capacity = capacity;
  }
  *index = json->count++;
  mlc_json_value *v = &json->values[*index];
  v->kind = kind;
  v->key = key;
  v->string = NULL;
  v->integer = 0;
  v->end = json->count;
  v->offset = p->pos;
  return MLC_CORE_OK;
}

/* A member's key and its colon. */
static int mlcJsonKey(mlc_json_parser *p, const char **key) {
  int err = mlcJsonString(p, key);
  if (!err && !mlcJsonTake(p, ':'))
    err = mlcJsonFail(p, "expected ':'");
  return err;
}

static int mlcCompareKeys(const void *a, const void *b) {
  return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* Refuses an object that names a key twice (sorting each object's keys:
 * a checkpoint's top level has one per tensor). */
static int mlcJsonCheckKeys(mlc_json_parser *p) {
  mlc_json *json = p->json;
  const char **keys = malloc(json->count * sizeof *keys);
  if (!keys) {
    snprintf(p->error, p->errorSize, "out of memory");
    return MLC_CORE_MEMORY;
  }
  int err = MLC_CORE_OK;
  for (size_t i = 0; i < json->count && !err; ++i) {
    if (json->values[i].kind != MLC_JSON_OBJECT)
      continue;
    size_t n = 0;
    for (size_t c = i + 1; c < json->values[i].end; c = json->values[c].end)
      keys[n++] = json->values[c].key;
    qsort(keys, n, sizeof *keys, mlcCompareKeys);
    for (size_t k = 1; k < n && !err; ++k) {
      if (strcmp(keys[k - 1], keys[k]))
        continue;
      err = MLC_CORE_FORMAT;
      if (i == 0)
        snprintf(p->error, p->errorSize, "the header names %s twice", keys[k]);
      else
        snprintf(p->error, p->errorSize,
                 "the header names %s twice in the object at byte %zu", keys[k],
                 json->values[i].offset);
    }
  }
  free(keys);
  return err;
}

MLC_CORE_FN int mlcJsonParse(mlc_json *json, const char *text, size_t size,
                             char *error, size_t errorSize) {
  memset(json, 0, sizeof *json);
  mlc_json_parser p = {json, text, size, 0, NULL, error, errorSize};
  if (!(json->strings = p.out = malloc(size + 1))) {
    snprintf(error, errorSize, "out of memory");
    return MLC_CORE_MEMORY;
  }
  /* The containers still open, innermost last. */
  size_t open[MLC_JSON_MAX_DEPTH];
  int depth = 0, err;
  const char *key = NULL;
  for (;;) {
    /* A value (after its key in an object). */
    mlcJsonSkipSpace(&p);
    if (p.pos >= size)
      return mlcJsonFail(&p, "unexpected end");
    char c = text[p.pos];
    size_t index;
    int kind = c == '{'   ? MLC_JSON_OBJECT
               : c == '[' ? MLC_JSON_ARRAY
               : c == '"' ? MLC_JSON_STRING
                          : MLC_JSON_INTEGER;
    if (kind == MLC_JSON_INTEGER && c != '-' && (c < '0' || c > '9'))
      return mlcJsonFail(&p, "unexpected character");
    if ((err = mlcJsonAdd(&p, kind, key, &index)))
      return err;
    if (kind == MLC_JSON_STRING)
      err = mlcJsonString(&p, &json->values[index].string);
    else if (kind == MLC_JSON_INTEGER)
      err = mlcJsonInteger(&p, &json->values[index].integer);
    if (err)
      return err;
    if (kind == MLC_JSON_OBJECT || kind == MLC_JSON_ARRAY) {
      if (depth == MLC_JSON_MAX_DEPTH)
        return mlcJsonFail(&p, "nesting deeper than 64 levels");
      ++p.pos;
      open[depth++] = index;
    }
    /* Then whatever closes or separates, up to the next value. */
    for (;;) {
      if (depth == 0) {
        mlcJsonSkipSpace(&p);
        if (p.pos != size)
          return mlcJsonFail(&p, "trailing characters");
        return mlcJsonCheckKeys(&p);
      }
      mlc_json_value *container = &json->values[open[depth - 1]];
      int object = container->kind == MLC_JSON_OBJECT;
      int empty = container->end == json->count;
      if (mlcJsonTake(&p, object ? '}' : ']')) {
        container->end = json->count;
        --depth;
        continue;
      }
      if (!empty && !mlcJsonTake(&p, ','))
        return mlcJsonFail(&p, object ? "expected ',' or '}'"
                                      : "expected ',' or ']'");
      key = NULL;
      if (object && (err = mlcJsonKey(&p, &key)))
        return err;
      break;
    }
  }
}

MLC_CORE_FN void mlcJsonFree(mlc_json *json) {
  free(json->values);
  free(json->strings);
  memset(json, 0, sizeof *json);
}
