//===- Passes.h - code generation passes every target uses ------*- C++ -*-===//

#ifndef MLC_COMPILER_CODEGEN_COMMON_PASSES_H
#define MLC_COMPILER_CODEGEN_COMMON_PASSES_H

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/IR/BuiltinOps.h"
#include "mlir/Pass/Pass.h"

namespace mlc {

#define GEN_PASS_DECL
#include "compiler/CodeGen/Common/Passes.h.inc"

#define GEN_PASS_REGISTRATION
#include "compiler/CodeGen/Common/Passes.h.inc"

} // namespace mlc

#endif // MLC_COMPILER_CODEGEN_COMMON_PASSES_H
