/*===- files.h - reading and replacing files safely -----------------------===//
 *
 * Part of the mlc runtime core (libc-only C11). Every file mlc or a model
 * library reads from outside (models, data, checkpoints) goes through
 * mlcReadRegularFile: only regular files are read, so /dev/zero cannot
 * feed an endless read and a FIFO cannot block, and a size limit bounds
 * the allocation. Every file written atomically (a temporary renamed over
 * the target) is first checked with mlcCheckReplaceable: renaming over a
 * device node or a symbolic link would replace it with a plain file.
 *
 *===----------------------------------------------------------------------===*/

#ifndef MLC_RUNTIME_CORE_FILES_H
#define MLC_RUNTIME_CORE_FILES_H

#include "runtime/core/core.h"

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Reads the whole regular file `path` into a malloc'd buffer (*bytes; free
 * it) of *size bytes, plus a NUL after the end so text can be parsed in
 * place. Refuses anything else (a directory, device, FIFO or socket), and
 * files over `maxBytes`. On failure *bytes is NULL, the result is
 * MLC_CORE_IO or MLC_CORE_MEMORY, and `error` says why (without the
 * path). */
MLC_CORE_FN int mlcReadRegularFile(const char *path, uint64_t maxBytes,
                                   unsigned char **bytes, size_t *size,
                                   char *error, size_t errorSize);

/* MLC_CORE_OK when a new file may be renamed over `path`: it does not
 * exist, or is a regular file. Else MLC_CORE_IO, and `error` says what
 * `path` is instead (a symbolic link, a directory, a device, ...). */
MLC_CORE_FN int mlcCheckReplaceable(const char *path, char *error,
                                    size_t errorSize);

/* Removes the temporary files that an atomic write of `path` killed
 * before its rename left behind: regular files named `path` followed by
 * ".tmp-" and six characters (mkstemp's pattern). Called after a
 * successful write, so they don't accumulate. */
MLC_CORE_FN void mlcRemoveStaleTemporaries(const char *path);

#ifdef __cplusplus
}
#endif

#endif /* MLC_RUNTIME_CORE_FILES_H */
