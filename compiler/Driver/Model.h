//===- Model.h - model files and command-line overrides ---------*- C++ -*-===//
//
// The first stage of every compile: a context with mlc's dialects, a model
// file parsed and verified (diagnostics at file:line:col), and the
// command line's loss, optimizer and learning-rate settings applied.
//
//===----------------------------------------------------------------------===//

#ifndef MLC_COMPILER_DRIVER_MODEL_H
#define MLC_COMPILER_DRIVER_MODEL_H

#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/MLIRContext.h"
#include "mlir/IR/OwningOpRef.h"
#include "llvm/Support/Error.h"

#include <memory>
#include <optional>
#include <string>

namespace llvm {
class SourceMgr;
} // namespace llvm

namespace mlc {

/// Creates a context with every dialect mlc uses loaded.
std::unique_ptr<mlir::MLIRContext> createContext();

/// Parses and verifies a model file (or "-" for stdin). Diagnostics are
/// reported through the context's handler with file:line:col. Returns null
/// on failure, after printing why.
mlir::OwningOpRef<mlir::ModuleOp> loadModelFile(mlir::MLIRContext &context,
                                                llvm::SourceMgr &sourceMgr,
                                                llvm::StringRef path);

/// Parses and verifies the model text in `sourceMgr`'s main buffer, after
/// checking that it nests no deeper than mlc models do (the parser would
/// run out of stack). Errors are reported at file:line:col; returns null
/// after reporting them.
mlir::OwningOpRef<mlir::ModuleOp> parseModel(mlir::MLIRContext &context,
                                             llvm::SourceMgr &sourceMgr);

/// Whether a model in `module` asks for bf16 matmuls (`precision =
/// "bf16"`).
bool modelWantsBF16(mlir::ModuleOp module);

/// Command-line replacements for a model's loss and optimizer attributes.
struct TrainingOverrides {
  std::string loss; ///< e.g. "sparse_categorical_crossentropy"
  bool fromLogits = false;
  std::string optimizer; ///< "sgd", "adam", "adamw" or "rmsprop" (defaults)
  std::optional<double> learningRate;
  /// A learning-rate schedule in the text form runtime/LearningRate.h
  /// prints: "constant", "exponential_decay:decay_steps=1000,
  /// decay_rate=0.96[,staircase=true]", "cosine_decay:decay_steps=N
  /// [,alpha=A][,warmup_steps=W,warmup_target=T]". Empty: the model's.
  std::string lrSchedule;
};

/// Sets the overridden attributes on every mlc.model in `module`. The
/// learning rate alone changes the model's own optimizer. Bad values are
/// errors that name the flag and the problem; --from-logits on a model
/// whose output is already a softmax (sigmoid for binary cross-entropy) is
/// reported at the model through the context's handlers (DiagnosedError).
llvm::Error applyOverrides(mlir::ModuleOp module,
                           const TrainingOverrides &overrides);

} // namespace mlc

#endif // MLC_COMPILER_DRIVER_MODEL_H
