//===- Pipeline.h - the stages of compiling a model -------------*- C++ -*-===//
//
// A model goes through explicit stages, each a pass pipeline that
// `mlc-opt` can run alone: as written, core ops and params, linalg entry
// points, (GPU kernels,) the LLVM dialect. The driver builds the pipeline
// between any two stages for a target.
//
//===----------------------------------------------------------------------===//

#ifndef MLC_COMPILER_DRIVER_PIPELINE_H
#define MLC_COMPILER_DRIVER_PIPELINE_H

#include "compiler/Driver/Target.h"

#include "mlir/IR/BuiltinOps.h"
#include "llvm/Support/Error.h"

#include <string>

namespace mlir {
class OpPassManager;
} // namespace mlir

namespace mlc {

/// The stages of a module, in order.
enum class Stage {
  Model,  ///< as written: layers (parsed, verified, overrides applied)
  Graph,  ///< core mlc ops and params (mlc-materialize-params)
  Linalg, ///< entry-point functions on linalg tensors
  GPU,    ///< GPU targets only: outlined kernels and their launches
  LLVM,   ///< the LLVM dialect
};

/// Adds the passes that take a module at stage `from` to stage `to` for
/// `target` (its thread count, vector width, GPU chip and format). Adds
/// nothing when `to` is not later than `from`; the GPU stage is skipped
/// for CPU targets.
void buildPipeline(mlir::OpPassManager &pm, Stage from, Stage to,
                   const TargetOptions &target);

/// A compile that failed with diagnostics reported at their ops (through the
/// context's handlers, with file:line:col). Tools print nothing more; API
/// users read the message, with the diagnostics' text when the compile
/// collected it (JITModel::compile does).
class DiagnosedError : public llvm::ErrorInfo<DiagnosedError> {
public:
  static char ID;
  explicit DiagnosedError(std::string diagnostics = "")
      : diagnostics(std::move(diagnostics)) {}
  void log(llvm::raw_ostream &os) const override;
  std::error_code convertToErrorCode() const override {
    return llvm::inconvertibleErrorCode();
  }

private:
  std::string diagnostics;
};

/// Registers MLIR's pass manager command-line options (--mlir-print-ir-*,
/// --mlir-timing, ...) for `lowerModule` to apply. Call before parsing the
/// command line.
void registerPassManagerOptions();

/// Runs `buildPipeline` on `module`, with the command-line pass manager
/// options if registered. Errors were already reported at their ops.
mlir::LogicalResult lowerModule(mlir::ModuleOp module, Stage from, Stage to,
                                const TargetOptions &target);

} // namespace mlc

#endif // MLC_COMPILER_DRIVER_PIPELINE_H
