//===- LibraryFiles.h - the generated files of a model library --*- C++ -*-===//
//
// Internal to the library writer (Library.cpp): what a library is
// generated from, and the text of its C header, its C wrapper (a
// generated prologue of tables before runtime/aot/ModelLibrary.c) and its
// CMake package config.
//
//===----------------------------------------------------------------------===//

#ifndef MLC_COMPILER_DRIVER_LIBRARYFILES_H
#define MLC_COMPILER_DRIVER_LIBRARYFILES_H

#include "compiler/Driver/Signature.h"
#include "dialects/MLC/IR/MLCDialect.h"

#include <string>
#include <vector>

namespace mlc {

/// Everything the header and the prologue are generated from.
struct LibraryModel {
  std::string name;  // symbol prefix
  std::string model; // model symbol, as checkpoints record it
  ModelSignature sig;
  std::vector<std::string> layers;
  std::string loss, optimizer;
  std::string generator; // "mlc <version>"
  int64_t maxBatch = 0;
  unsigned threads = 1;
  bool flushDenormals = true;
  std::string gpuChip; // empty: CPU
  bool sparseLabels = false;
  bool tokenInput = false; // int32 ids, not float32 features
  int64_t classes = 0;
};

/// `[d0, d1]`, with `dynamic` for dynamic dimensions.
std::string shapeText(llvm::ArrayRef<int64_t> shape, llvm::StringRef dynamic);

/// A number as the header and the prologue print it (%g).
std::string numberText(double v);

/// Fills the parts of `m` that come from the model as written: its layers,
/// loss and optimizer.
void describeModel(ModelOp model, LibraryModel &m);

/// Whether the library's C API can describe the signature in `m`.
llvm::Error checkSupported(const LibraryModel &m);

/// The self-describing C header.
std::string generateHeader(const LibraryModel &m);

/// The C wrapper: tables and calls into the compiled entry points, then
/// runtime/aot/ModelLibrary.c (and the CUDA shim for GPU libraries).
std::string generateWrapperSource(const LibraryModel &m);

/// The CMake package config; `libomp` is linked when threaded.
std::string generateCMakeConfig(const LibraryModel &m, llvm::StringRef libomp);

} // namespace mlc

#endif // MLC_COMPILER_DRIVER_LIBRARYFILES_H
