//===- ObjectCode.h - LLVM dialect -> object files, in parallel -*- C++ -*-===//
//
// The JIT's code generation: the LLVM-dialect module becomes LLVM IR, is
// split into parts with about the same amount of code, and each part is
// optimized and compiled on a thread of its own (LLVM's passes are serial
// within a module; the entry points are independent). The parts call
// each other through ordinary external symbols, which the JIT links.
//
//===----------------------------------------------------------------------===//

#ifndef MLC_COMPILER_DRIVER_OBJECTCODE_H
#define MLC_COMPILER_DRIVER_OBJECTCODE_H

#include "compiler/Driver/Target.h"

#include "llvm/Support/Error.h"
#include "llvm/Support/MemoryBuffer.h"

#include <memory>
#include <string>
#include <vector>

namespace mlir {
class ModuleOp;
} // namespace mlir

namespace mlc {

using ObjectFiles = std::vector<std::unique_ptr<llvm::MemoryBuffer>>;

/// How long the parts took (milliseconds, the slowest part's).
struct ObjectCodeTimes {
  double irMs = 0, codegenMs = 0;
};

/// Compiles `module` (LLVM dialect) for `target` into at most `parts`
/// object files (1: no split), each with a packed wrapper
/// `_mlir_<name>(void **args)` next to every `_mlir_ciface_<name>`
/// function (args[i] points to argument i; a result is stored through the
/// pointer after the last argument).
llvm::Expected<ObjectFiles> compileObjectFiles(mlir::ModuleOp module,
                                               const TargetOptions &target,
                                               unsigned parts,
                                               ObjectCodeTimes *times);

/// The parts to split into on this machine: one per hardware thread, at
/// most 8.
unsigned objectParts();

/// Several object files as one blob (for the compile cache), and back.
std::string joinObjectFiles(const ObjectFiles &objects);
llvm::Expected<ObjectFiles> splitObjectFiles(llvm::StringRef blob);

} // namespace mlc

#endif // MLC_COMPILER_DRIVER_OBJECTCODE_H
