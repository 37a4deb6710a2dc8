//===- Library.h - standalone model libraries (AOT) -------------*- C++ -*-===//
//
// `mlc compile MODEL.mlir -o out/` builds a model into a library that needs
// nothing but libc and libm (and libomp when threaded): the compiled entry
// points, a C wrapper that owns the state (params, optimizer state,
// workspace) and implements init/save/load, a self-describing C header and
// a CMake package config. docs/aot.md describes the C API.
//
//===----------------------------------------------------------------------===//

#ifndef MLC_COMPILER_DRIVER_LIBRARY_H
#define MLC_COMPILER_DRIVER_LIBRARY_H

#include "compiler/Driver/Driver.h"

#include <string>
#include <vector>

namespace mlc {

struct LibraryOptions {
  /// Directory the files go to (created if missing).
  std::string outputDir;
  /// Prefix of every exported symbol and of the file names; empty: the
  /// model's symbol name. Must be a C identifier.
  std::string name;
  /// Largest batch a call accepts; the workspace is sized for it.
  int64_t maxBatch = 1024;
  /// The C compiler that builds the wrapper and links the shared library;
  /// empty: $CC, else `cc` on PATH.
  std::string cc;
  /// Named in the header: "mlc <version>".
  std::string generator = "mlc";
};

struct LibraryResult {
  std::string name;               ///< the symbol prefix used
  std::vector<std::string> files; ///< paths written
  /// Milliseconds in MLIR, in LLVM, and waiting for the C wrapper
  /// (compiled in parallel with the model) plus linking.
  double mlirMs = 0, llvmMs = 0, linkMs = 0;
};

/// Checks what `target` and `options` ask of a library without the model:
/// the host as target, --max-batch, and the name when given. For callers
/// that check their flags before compiling; buildLibrary checks them too.
llvm::Error checkLibraryOptions(const TargetOptions &target,
                                const LibraryOptions &options);

/// Compiles the one mlc.model in `module` (parsed, overrides applied) into
/// lib<name>.so, lib<name>.a, <name>.h and <name>Config.cmake under
/// `options.outputDir`. The host code is for the host; with
/// `target.gpuChip` the kernels are for that NVIDIA chip and the library
/// carries the CUDA shim. Files are written whole or not at all.
llvm::Expected<LibraryResult> buildLibrary(mlir::ModuleOp module,
                                           const TargetOptions &target,
                                           const LibraryOptions &options);

} // namespace mlc

#endif // MLC_COMPILER_DRIVER_LIBRARY_H
