//===- CompileCache.h - compiled models kept on disk ------------*- C++ -*-===//
//
// The JIT keeps the object code of each model it compiles in a cache
// directory, keyed by everything the code depends on: the model's IR as
// parsed (generic form, without locations), the target options, the
// target machine's CPU and features, the CPU schedule's experiment
// options, and the build of mlc doing the compiling (version plus the
// executable's identity, so a rebuilt compiler never reuses another
// build's code). A later run of the same model loads the object instead
// of compiling it.
//
// An entry is "MLCOBJ1\n", the SHA-256 of the object, its size (8 bytes,
// little-endian), then the object; it is written to a temporary and
// renamed into place, and an entry whose checksum does not match is
// ignored and rewritten (a truncated or corrupted file never reaches the
// object loader).
//
//===----------------------------------------------------------------------===//

#ifndef MLC_COMPILER_DRIVER_COMPILECACHE_H
#define MLC_COMPILER_DRIVER_COMPILECACHE_H

#include "compiler/Driver/Target.h"

#include "mlir/IR/BuiltinOps.h"
#include "llvm/Support/Error.h"
#include "llvm/Support/MemoryBuffer.h"

#include <memory>
#include <string>

namespace llvm {
class TargetMachine;
} // namespace llvm

namespace mlc {

/// $MLC_CACHE_DIR, else $XDG_CACHE_HOME/mlc, else $HOME/.cache/mlc; empty
/// (no cache) when none of them is set or $MLC_NO_CACHE is.
std::string defaultCacheDirectory();

/// Hex SHA-256 naming the compiled code of `module` for `target` on `tm`.
std::string compileCacheKey(mlir::ModuleOp module, const TargetOptions &target,
                            const llvm::TargetMachine &tm);

/// The object code cached under `key` in `dir`, or null when there is
/// none or the entry is damaged.
std::unique_ptr<llvm::MemoryBuffer> readCachedObject(llvm::StringRef dir,
                                                     llvm::StringRef key);

/// Caches `object` under `key` in `dir` (created if missing), atomically.
llvm::Error writeCachedObject(llvm::StringRef dir, llvm::StringRef key,
                              llvm::StringRef object);

} // namespace mlc

#endif // MLC_COMPILER_DRIVER_COMPILECACHE_H
