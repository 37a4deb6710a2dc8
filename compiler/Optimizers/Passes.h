//===- Passes.h - mlc optimizer passes --------------------------*- C++ -*-===//

#ifndef MLC_COMPILER_OPTIMIZERS_PASSES_H
#define MLC_COMPILER_OPTIMIZERS_PASSES_H

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/Pass/Pass.h"

namespace mlc {

#define GEN_PASS_DECL
#include "compiler/Optimizers/Passes.h.inc"

#define GEN_PASS_REGISTRATION
#include "compiler/Optimizers/Passes.h.inc"

} // namespace mlc

#endif // MLC_COMPILER_OPTIMIZERS_PASSES_H
