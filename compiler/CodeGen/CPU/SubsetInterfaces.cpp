//===- SubsetInterfaces.cpp - subset op models with cheap comparisons -----===//

#include "compiler/CodeGen/CPU/SubsetInterfaces.h"

#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/Dialect/Utils/StaticValueUtils.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"
#include "mlir/IR/DialectRegistry.h"
#include "mlir/Interfaces/SubsetOpInterface.h"
#include "mlir/Interfaces/ValueBoundsOpInterface.h"

using namespace mlir;

namespace {

/// Whether two offsets, sizes or strides are equal: true or false where
/// that is plain (the same value, two constants), else whatever the
/// value-bounds analysis proves (failure: unknown).
FailureOr<bool> areEqual(OpFoldResult a, OpFoldResult b) {
  if (a == b)
    return true;
  std::optional<int64_t> ca = getConstantIntValue(a);
  std::optional<int64_t> cb = getConstantIntValue(b);
  if (ca && cb)
    return *ca == *cb;
  return ValueBoundsConstraintSet::areEqual(a, b);
}

/// The default rule (same container, equal offsets, sizes and strides),
/// with the cheap comparisons first.
bool operatesOnEquivalentSubset(SubsetOpInterface op,
                                SubsetOpInterface candidate,
                                function_ref<bool(Value, Value)> equivalent) {
  FailureOr<HyperrectangularSlice> slice =
      op.getAccessedHyperrectangularSlice();
  FailureOr<HyperrectangularSlice> other =
      candidate.getAccessedHyperrectangularSlice();
  if (failed(slice) || failed(other) ||
      slice->getMixedOffsets().size() != other->getMixedOffsets().size())
    return false;
  if (!equivalent(op.getTensorContainer(), candidate.getTensorContainer()))
    return false;
  auto allEqual = [](ArrayRef<OpFoldResult> xs, ArrayRef<OpFoldResult> ys) {
    // Plain differences first: they decide most pairs without the solver.
    for (auto [x, y] : llvm::zip_equal(xs, ys)) {
      std::optional<int64_t> cx = getConstantIntValue(x);
      std::optional<int64_t> cy = getConstantIntValue(y);
      if (cx && cy && *cx != *cy)
        return false;
    }
    for (auto [x, y] : llvm::zip_equal(xs, ys)) {
      FailureOr<bool> eq = areEqual(x, y);
      if (failed(eq) || !*eq)
        return false;
    }
    return true;
  };
  return allEqual(slice->getMixedSizes(), other->getMixedSizes()) &&
         allEqual(slice->getMixedStrides(), other->getMixedStrides()) &&
         allEqual(slice->getMixedOffsets(), other->getMixedOffsets());
}

template <typename OpTy>
struct SliceSubset
    : public SubsetOpInterface::ExternalModel<SliceSubset<OpTy>, OpTy> {
  FailureOr<HyperrectangularSlice>
  getAccessedHyperrectangularSlice(Operation *op) const {
    return HyperrectangularSlice(cast<OffsetSizeAndStrideOpInterface>(op));
  }
  bool operatesOnEquivalentSubset(
      Operation *op, SubsetOpInterface candidate,
      function_ref<bool(Value, Value)> equivalent) const {
    return ::operatesOnEquivalentSubset(cast<SubsetOpInterface>(op), candidate,
                                        equivalent);
  }
};

template <typename OpTy>
struct TransferSubset
    : public SubsetOpInterface::ExternalModel<TransferSubset<OpTy>, OpTy> {
  FailureOr<HyperrectangularSlice>
  getAccessedHyperrectangularSlice(Operation *op) const {
    auto transfer = cast<OpTy>(op);
    Builder b(op->getContext());
    SmallVector<OpFoldResult> offsets(transfer.getIndices());
    SmallVector<OpFoldResult> sizes;
    for (int64_t size : transfer.getTransferChunkAccessed())
      sizes.push_back(b.getIndexAttr(size));
    return HyperrectangularSlice(offsets, sizes);
  }
  bool operatesOnEquivalentSubset(
      Operation *op, SubsetOpInterface candidate,
      function_ref<bool(Value, Value)> equivalent) const {
    return ::operatesOnEquivalentSubset(cast<SubsetOpInterface>(op), candidate,
                                        equivalent);
  }
};

} // namespace

void mlc::registerSubsetInterfaces(DialectRegistry &registry) {
  registry.addExtension(+[](MLIRContext *ctx, tensor::TensorDialect *) {
    tensor::ExtractSliceOp::attachInterface<
        SliceSubset<tensor::ExtractSliceOp>>(*ctx);
    tensor::InsertSliceOp::attachInterface<SliceSubset<tensor::InsertSliceOp>>(
        *ctx);
    tensor::ParallelInsertSliceOp::attachInterface<
        SliceSubset<tensor::ParallelInsertSliceOp>>(*ctx);
  });
  registry.addExtension(+[](MLIRContext *ctx, vector::VectorDialect *) {
    vector::TransferReadOp::attachInterface<
        TransferSubset<vector::TransferReadOp>>(*ctx);
    vector::TransferWriteOp::attachInterface<
        TransferSubset<vector::TransferWriteOp>>(*ctx);
  });
}
