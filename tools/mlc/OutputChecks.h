//===- OutputChecks.h - can the run's outputs be written? -------*- C++ -*-===//
//
// mlc checks the files and directories a command will write before it
// compiles anything, so a typo in a path costs no compile. The checks look
// and create nothing; the writes themselves stay atomic.
//
//===----------------------------------------------------------------------===//

#ifndef MLC_TOOLS_MLC_OUTPUTCHECKS_H
#define MLC_TOOLS_MLC_OUTPUTCHECKS_H

#include "llvm/ADT/StringRef.h"

#include <string>
#include <system_error>

namespace mlc {

/// Why the file `path` could not be written (created or replaced): its
/// directory is missing, not a directory or not writable, or `path` is
/// something other than a regular file (a directory, a symbolic link, a
/// device: the atomic rename would replace it). /dev/null is fine (the
/// writers discard the output). Empty when it can.
std::string whyNotWritable(llvm::StringRef path);

/// Why the directory `dir` could not be written, creating it (and its
/// missing parents) first. Sets `missing` when `dir` does not exist yet.
std::error_code checkWritableDirectory(llvm::StringRef dir, bool &missing);

} // namespace mlc

#endif // MLC_TOOLS_MLC_OUTPUTCHECKS_H
