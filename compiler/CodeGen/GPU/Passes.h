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

} // namespace mlc

#endif // MLC_COMPILER_CODEGEN_GPU_PASSES_H
