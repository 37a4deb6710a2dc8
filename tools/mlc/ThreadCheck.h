//===- ThreadCheck.h - can --threads N threads start? -----------*- C++ -*-===//

#ifndef MLC_TOOLS_MLC_THREADCHECK_H
#define MLC_TOOLS_MLC_THREADCHECK_H

#include "llvm/Support/Error.h"

namespace mlc {

/// Checks that `threads` threads (counting this one) can start, by starting
/// the others for a moment with OpenMP's stack size (as the loaded libomp
/// reports it, OMP_STACKSIZE applied): libomp aborts the
/// whole process when it cannot create one, which an address-space limit
/// (ulimit -v) or a process limit (ulimit -u) makes happen. The error
/// names how many could start.
llvm::Error checkThreadsCanStart(unsigned threads);

} // namespace mlc

#endif // MLC_TOOLS_MLC_THREADCHECK_H
