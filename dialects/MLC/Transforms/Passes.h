//===- Passes.h - mlc dialect passes ----------------------------*- C++ -*-===//

#ifndef MLC_DIALECT_MLC_TRANSFORMS_PASSES_H
#define MLC_DIALECT_MLC_TRANSFORMS_PASSES_H

#include "dialects/MLC/IR/MLCDialect.h"
#include "mlir/Dialect/Bufferization/IR/Bufferization.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/IR/BuiltinOps.h"
#include "mlir/Pass/Pass.h"

namespace mlc {

#define GEN_PASS_DECL
#include "dialects/MLC/Transforms/Passes.h.inc"

/// Replaces every TrainingModeOpInterface op under `root` with its form for
/// `training`, built by the op itself: what mlc-build-entry-points does per
/// entry point, for tests that check one form through `predict`.
void expandTrainingModeOps(mlir::Operation *root, bool training);

#define GEN_PASS_REGISTRATION
#include "dialects/MLC/Transforms/Passes.h.inc"

} // namespace mlc

#endif // MLC_DIALECT_MLC_TRANSFORMS_PASSES_H
