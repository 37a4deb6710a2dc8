//===- Outlining.h - moving ops into shared functions -----------*- C++ -*-===//
//
// What mlc-outline-kernels (loop nests) and mlc-cpu-schedule's
// share-groups (matmul groups) have in common: constants are copied into
// an outlined function rather than passed, and outlined functions that are
// the same ops on the same types are found by a hash and compared.
//
//===----------------------------------------------------------------------===//

#ifndef MLC_CODEGEN_CPU_OUTLINING_H
#define MLC_CODEGEN_CPU_OUTLINING_H

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/SymbolTable.h"
#include "llvm/ADT/DenseMap.h"
#include "llvm/ADT/Hashing.h"
#include "llvm/ADT/SmallVector.h"

namespace mlc {

/// A private function `name`, inserted after `after`, holding copies of
/// `ops` (in order; each after those of them it uses) and returning the
/// last one's results. The values they use from elsewhere become its
/// arguments, appended to `args`, except constants, which are copied in.
mlir::func::FuncOp outlineOps(llvm::ArrayRef<mlir::Operation *> ops,
                              llvm::StringRef name, mlir::Operation *after,
                              mlir::SymbolTable &symbols,
                              llvm::SmallVectorImpl<mlir::Value> &args);

/// Distinct functions by the hash of their body.
class FunctionSet {
public:
  /// A function in the set that is the same ops on the same types as `f`
  /// (names of values apart), or else `f`, which joins the set.
  mlir::func::FuncOp findOrInsert(mlir::func::FuncOp f);

private:
  llvm::DenseMap<llvm::hash_code, llvm::SmallVector<mlir::func::FuncOp, 1>>
      byHash;
};

} // namespace mlc

#endif // MLC_CODEGEN_CPU_OUTLINING_H
