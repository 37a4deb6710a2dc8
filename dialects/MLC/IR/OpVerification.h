//===- OpVerification.h - helpers of the mlc op verifiers -------*- C++ -*-===//
//
// Internal to dialects/MLC/IR: shape rules and messages that the op
// verifiers in MLCOps.cpp and MLCTensorOps.cpp share.
//
//===----------------------------------------------------------------------===//

#ifndef MLC_DIALECTS_MLC_IR_OPVERIFICATION_H
#define MLC_DIALECTS_MLC_IR_OPVERIFICATION_H

#include "mlir/IR/Diagnostics.h"
#include "mlir/IR/Operation.h"
#include "llvm/ADT/SmallVector.h"

#include <string>

namespace mlc::detail {

/// NumPy broadcasting of two shapes aligned on the right. A dynamic
/// dimension against a static one > 1 takes the static size (the runtime
/// size must then match). On failure, `badDim` is the mismatching result
/// dimension counted from the right (1 = last).
mlir::FailureOr<llvm::SmallVector<int64_t>>
broadcastShapes(llvm::ArrayRef<int64_t> a, llvm::ArrayRef<int64_t> b,
                int64_t *badDim = nullptr);

/// Reports a result whose type differs from the one the operands imply.
/// `from` describes the operands the expected type comes from.
mlir::LogicalResult
checkResult(mlir::Operation *op, mlir::Type expected,
            llvm::function_ref<void(mlir::InFlightDiagnostic &)> from);

/// A dimension as types print it: "?" when dynamic.
std::string dimStr(int64_t d);

} // namespace mlc::detail

#endif // MLC_DIALECTS_MLC_IR_OPVERIFICATION_H
