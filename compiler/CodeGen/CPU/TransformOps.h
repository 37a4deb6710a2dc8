//===- TransformOps.h - mlc's CPU schedule transform ops --------*- C++ -*-===//

#ifndef MLC_COMPILER_CODEGEN_CPU_TRANSFORMOPS_H
#define MLC_COMPILER_CODEGEN_CPU_TRANSFORMOPS_H

#include "mlir/Dialect/Transform/IR/TransformDialect.h"
#include "mlir/Dialect/Transform/Interfaces/TransformInterfaces.h"
#include "mlir/IR/DialectRegistry.h"
#include "mlir/IR/OpImplementation.h"

#define GET_OP_CLASSES
#include "compiler/CodeGen/CPU/TransformOps.h.inc"

namespace mlc {
/// Adds mlc's transform ops (transform.mlc.*) to the transform dialect.
void registerCPUTransformOps(mlir::DialectRegistry &registry);
} // namespace mlc

#endif // MLC_COMPILER_CODEGEN_CPU_TRANSFORMOPS_H
