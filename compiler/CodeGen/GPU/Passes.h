//===- Passes.h - GPU code generation passes --------------------*- C++ -*-===//

#ifndef MLC_COMPILER_CODEGEN_GPU_PASSES_H
#define MLC_COMPILER_CODEGEN_GPU_PASSES_H

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/GPU/IR/GPUDialect.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/IR/BuiltinOps.h"
#include "mlir/Pass/Pass.h"

namespace mlc {

#define GEN_PASS_DECL
#include "compiler/CodeGen/GPU/Passes.h.inc"

#define GEN_PASS_REGISTRATION
#include "compiler/CodeGen/GPU/Passes.h.inc"

/// Rewrites each linalg op under `root` that `match` recognizes with
/// `rewrite`, then erases it. The matches are collected first, so the
/// rewrites do not disturb the walk.
template <typename Match>
void rewriteMatchedLinalgOps(
    mlir::Operation *root,
    llvm::function_ref<std::optional<Match>(mlir::linalg::LinalgOp)> match,
    llvm::function_ref<void(mlir::linalg::LinalgOp, const Match &)> rewrite) {
  llvm::SmallVector<std::pair<mlir::linalg::LinalgOp, Match>> found;
  root->walk([&](mlir::linalg::LinalgOp op) {
    if (std::optional<Match> m = match(op))
      found.push_back({op, *m});
  });
  for (auto &[op, m] : found) {
    rewrite(op, m);
    op->erase();
  }
}

} // namespace mlc

#endif // MLC_COMPILER_CODEGEN_GPU_PASSES_H
