//===- Passes.h - CPU code generation passes --------------------*- C++ -*-===//

#ifndef MLC_COMPILER_CODEGEN_CPU_PASSES_H
#define MLC_COMPILER_CODEGEN_CPU_PASSES_H

#include "mlir/Dialect/Affine/IR/AffineOps.h"
#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Bufferization/IR/Bufferization.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/LLVMIR/LLVMDialect.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Transform/IR/TransformDialect.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"
#include "mlir/Dialect/X86Vector/X86VectorDialect.h"
#include "mlir/IR/BuiltinOps.h"
#include "mlir/Pass/Pass.h"

namespace mlc {

#define GEN_PASS_DECL
#include "compiler/CodeGen/CPU/Passes.h.inc"

#define GEN_PASS_REGISTRATION
#include "compiler/CodeGen/CPU/Passes.h.inc"

} // namespace mlc

#endif // MLC_COMPILER_CODEGEN_CPU_PASSES_H
