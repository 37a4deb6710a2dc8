//===- MLCFolds.cpp - mlc folders -----------------------------------------===//
//
// Only folds that are obviously right: identities, op-of-same-op chains and
// constant reshapes.
//
//===----------------------------------------------------------------------===//

#include "dialects/MLC/IR/MLCDialect.h"

#include "mlir/IR/Matchers.h"

using namespace mlir;
using namespace mlc;

OpFoldResult ConstantOp::fold(FoldAdaptor) { return getValue(); }

// neg(neg(x)) -> x
OpFoldResult NegOp::fold(FoldAdaptor) {
  if (auto inner = getInput().getDefiningOp<NegOp>())
    return inner.getInput();
  return {};
}

/// Reshapes a dense constant to a new static type.
static Attribute reshapeConstant(Attribute value, Type type) {
  auto dense = llvm::dyn_cast_or_null<DenseElementsAttr>(value);
  auto shaped = llvm::cast<ShapedType>(type);
  if (!dense || !shaped.hasStaticShape())
    return {};
  return dense.reshape(shaped);
}

OpFoldResult FlattenOp::fold(FoldAdaptor adaptor) {
  if (getInput().getType() == getType())
    return getInput();
  return reshapeConstant(adaptor.getInput(), getType());
}

// reshape(x) to x's type -> x; reshape(reshape(x)) -> reshape(x).
OpFoldResult ReshapeOp::fold(FoldAdaptor adaptor) {
  if (getInput().getType() == getType())
    return getInput();
  if (Operation *producer = getInput().getDefiningOp();
      producer && llvm::isa<ReshapeOp, FlattenOp>(producer)) {
    getInputMutable().assign(producer->getOperand(0));
    return getResult();
  }
  return reshapeConstant(adaptor.getInput(), getType());
}

// Identity permutation -> x; transpose(transpose(x)) -> one transpose.
OpFoldResult TransposeOp::fold(FoldAdaptor) {
  ArrayRef<int64_t> perm = getPerm();
  bool identity = true;
  for (auto [i, p] : llvm::enumerate(perm))
    identity &= int64_t(i) == p;
  if (identity)
    return getInput();
  if (auto inner = getInput().getDefiningOp<TransposeOp>()) {
    // result[i] = inner[perm[i]] = x[innerPerm[perm[i]]]
    SmallVector<int64_t> composed;
    for (int64_t p : perm)
      composed.push_back(inner.getPerm()[p]);
    setPerm(composed);
    getInputMutable().assign(inner.getInput());
    return getResult();
  }
  return {};
}

OpFoldResult BroadcastToOp::fold(FoldAdaptor adaptor) {
  if (getInput().getType() == getType())
    return getInput();
  // A splat constant broadcasts to a splat of the result type.
  auto dense = llvm::dyn_cast_or_null<DenseElementsAttr>(adaptor.getInput());
  if (dense && dense.isSplat() && getType().hasStaticShape())
    return DenseElementsAttr::get(getType(), dense.getSplatValue<Attribute>());
  return {};
}
