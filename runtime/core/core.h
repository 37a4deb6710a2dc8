/*===- core.h - what the parts of the runtime core share ------------------===//
 *
 * Part of the mlc runtime core: libc-only C11 that mlc's C++ runtime links
 * and every generated model library embeds (after this header), so both
 * draw, schedule, flush and checkpoint alike.
 *
 *===----------------------------------------------------------------------===*/

#ifndef MLC_RUNTIME_CORE_CORE_H
#define MLC_RUNTIME_CORE_CORE_H

/* Core functions are external in the runtime library; a model library,
 * which embeds the core, defines this as `static` to keep them private. */
#ifndef MLC_CORE_FN
#define MLC_CORE_FN
#endif

/* What core calls return; the numbers are a model library's error codes. */
enum {
  MLC_CORE_OK = 0,
  MLC_CORE_IO = 3,
  MLC_CORE_FORMAT = 4,
  MLC_CORE_MEMORY = 5
};

#endif /* MLC_RUNTIME_CORE_CORE_H */
