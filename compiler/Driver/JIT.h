//===- JIT.h - models compiled in-process -----------------------*- C++ -*-===//
//
// A model JIT-compiled for the host (or the host plus an NVIDIA GPU), with
// its entry points callable on caller-owned buffers.
//
//===----------------------------------------------------------------------===//

#ifndef MLC_COMPILER_DRIVER_JIT_H
#define MLC_COMPILER_DRIVER_JIT_H

#include "compiler/Driver/Signature.h"
#include "compiler/Driver/Target.h"

#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/MLIRContext.h"
#include "mlir/IR/OwningOpRef.h"
#include "llvm/ExecutionEngine/SectionMemoryManager.h"

#include <cstdlib>
#include <memory>
#include <optional>

namespace mlir {
class ExecutionEngine;
} // namespace mlir
namespace llvm {
class MemoryBuffer;
class TargetMachine;
namespace orc {
class LLJIT;
} // namespace orc
} // namespace llvm

namespace mlc {

/// A model compiled in-process. Entry points take buffers in the order of
/// the signature: params, inputs, then outputs, which they write.
class JITModel {
public:
  ~JITModel();

  /// Compiles the one mlc.model in `module` (consumed). The model takes
  /// `context` over on success only: on failure it stays the caller's, so
  /// diagnostic handlers registered on it can still be removed. With
  /// `signature`, materializeSignature has run on `module` already and
  /// returned it: callers check a run against the signature before paying
  /// for the compile.
  static llvm::Expected<std::unique_ptr<JITModel>>
  compile(std::unique_ptr<mlir::MLIRContext> &context,
          mlir::OwningOpRef<mlir::ModuleOp> module,
          const TargetOptions &target = {},
          std::optional<ModelSignature> signature = std::nullopt);

  const ModelSignature &signature() const { return sig; }

  /// Runs `predict`. Checks the number of buffers, their shapes against the
  /// signature, and that all dynamic dimensions agree on one batch size.
  llvm::Error predict(llvm::ArrayRef<BufferRef> buffers);

  /// Runs `eval_step`: params, inputs, labels, then the loss (rank 0) and
  /// predictions it writes.
  llvm::Error evalStep(llvm::ArrayRef<BufferRef> buffers);

  /// Runs `train_step`: params and states (updated in place), the step's
  /// learning rate and step size (rank 0; see docs/optimizers.md), inputs,
  /// labels, then the loss and the predictions it writes.
  llvm::Error trainStep(llvm::ArrayRef<BufferRef> buffers);

  /// Milliseconds spent in the MLIR pipeline and in LLVM (JIT) compilation,
  /// of which llvmIRMs in LLVM IR optimization (the rest is code generation).
  double pipelineMs = 0, llvmMs = 0, llvmIRMs = 0;
  /// The code came from the compile cache (then llvmMs is the loading).
  bool fromCache = false;
  /// Why the compiled code could not be cached, if it could not.
  std::string cacheWarning;

private:
  JITModel() = default;
  struct EntryPoint {
    std::string kind; // predict, eval_step, train_step
    void (*fn)(void **) = nullptr;
    void (*workspaceBytes)(void **) = nullptr;
    // The buffers it takes, in order; built once, checked on every call.
    std::vector<const TensorSpec *> specs;
  };
  llvm::Error lookupEntry(llvm::StringRef kind, EntryPoint &entry);
  llvm::Error lookupEntries();
  /// Lowered `module` (Stage::LLVM) to machine code: in `loaded` for the
  /// CPU, in `engine` with GPU kernels; with a cache key, also writes the
  /// CPU objects to target.cacheDir.
  llvm::Error compileLLVM(mlir::ModuleOp module, const TargetOptions &target,
                          std::unique_ptr<llvm::TargetMachine> tm,
                          llvm::StringRef cacheKey);
  /// Links object code (compiled, or from the compile cache) into
  /// `loaded`.
  llvm::Error
  loadObjects(std::vector<std::unique_ptr<llvm::MemoryBuffer>> objects,
              const TargetOptions &target);
  llvm::Error call(const EntryPoint &entry, llvm::ArrayRef<BufferRef> buffers);

  std::unique_ptr<mlir::MLIRContext> context;
  // Where the engine maps the compiled code and data (JIT.cpp); declared
  // first, it outlives the engine.
  std::unique_ptr<llvm::SectionMemoryManager::MemoryMapper> mapper;
  std::unique_ptr<mlir::ExecutionEngine> engine;
  // Or, for code from the compile cache, the JIT that loaded the object.
  std::unique_ptr<llvm::orc::LLJIT> loaded;
  ModelSignature sig;
  EntryPoint predictEntry, evalEntry, trainEntry;
  // Specs of the scalars of the eval and train entry points.
  TensorSpec learningRateSpec, stepSizeSpec, lossSpec;
  // Argument storage reused across calls: one memref descriptor per buffer
  // plus the workspace's.
  std::vector<std::vector<int64_t>> descriptors;
  std::vector<void *> descriptorPtrs, args;
  // Temporaries of every entry point, allocated once and grown to the
  // largest batch seen (never per call); on the GPU in shared memory.
  std::unique_ptr<char, void (*)(void *)> workspace{nullptr, std::free};
  int64_t workspaceCapacity = 0;
  // --target=cuda: buffers pass through memory the host and the device
  // share (one mirror per argument, reused).
  bool gpu = false;
  bool flushDenormals = true;
  std::vector<std::pair<void *, size_t>> mirrors;
  std::vector<size_t> copiedBytes;
};

} // namespace mlc

#endif // MLC_COMPILER_DRIVER_JIT_H
