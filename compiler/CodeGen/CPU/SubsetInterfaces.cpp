//===- SubsetInterfaces.cpp - subset op models with cheap comparisons -----===//

#include "compiler/CodeGen/CPU/SubsetInterfaces.h"

#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/Dialect/Utils/StaticValueUtils.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"
#include "mlir/IR/DialectRegistry.h"
#include "mlir/Interfaces/SubsetOpInterface.h"
#include "mlir/Interfaces/ValueBoundsOpInterface.h"
#include "mlir/Interfaces/VectorInterfaces.h"

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

/// The subset an op reads or writes: a slice op's offsets, sizes and
/// strides; a transfer's indices and the extent it accesses, stride 1.
HyperrectangularSlice sliceOf(Operation *op) {
  if (auto slice = llvm::dyn_cast<OffsetSizeAndStrideOpInterface>(op))
    return HyperrectangularSlice(slice);
  auto transfer = llvm::cast<VectorTransferOpInterface>(op);
  Builder b(op->getContext());
  SmallVector<OpFoldResult> offsets(transfer.getIndices());
  SmallVector<OpFoldResult> sizes;
  for (int64_t size : transfer.getTransferChunkAccessed())
    sizes.push_back(b.getIndexAttr(size));
  return HyperrectangularSlice(offsets, sizes);
}

template <typename OpTy>
struct Subset : public SubsetOpInterface::ExternalModel<Subset<OpTy>, OpTy> {
  FailureOr<HyperrectangularSlice>
  getAccessedHyperrectangularSlice(Operation *op) const {
    return sliceOf(op);
  }

  /// The default rule (the same container, equal offsets, sizes and
  /// strides), the plain cases first.
  bool operatesOnEquivalentSubset(
      Operation *op, SubsetOpInterface candidate,
      function_ref<bool(Value, Value)> equivalent) const {
    FailureOr<HyperrectangularSlice> other =
        candidate.getAccessedHyperrectangularSlice();
    HyperrectangularSlice slice = sliceOf(op);
    if (failed(other) ||
        slice.getMixedOffsets().size() != other->getMixedOffsets().size() ||
        !equivalent(cast<SubsetOpInterface>(op).getTensorContainer(),
                    candidate.getTensorContainer()))
      return false;
    SmallVector<std::pair<OpFoldResult, OpFoldResult>> pairs;
    auto add = [&](ArrayRef<OpFoldResult> xs, ArrayRef<OpFoldResult> ys) {
      for (auto [x, y] : llvm::zip_equal(xs, ys))
        pairs.push_back({x, y});
    };
    add(slice.getMixedSizes(), other->getMixedSizes());
    add(slice.getMixedStrides(), other->getMixedStrides());
    add(slice.getMixedOffsets(), other->getMixedOffsets());
    // Two different constants anywhere decide without the solver.
    for (auto [x, y] : pairs) {
      std::optional<int64_t> cx = getConstantIntValue(x);
      std::optional<int64_t> cy = getConstantIntValue(y);
      if (cx && cy && *cx != *cy)
        return false;
    }
    return llvm::all_of(pairs, [](auto pair) {
      FailureOr<bool> eq = areEqual(pair.first, pair.second);
      return succeeded(eq) && *eq;
    });
  }
};

} // namespace

void mlc::registerSubsetInterfaces(DialectRegistry &registry) {
  registry.addExtension(+[](MLIRContext *ctx, tensor::TensorDialect *) {
    tensor::ExtractSliceOp::attachInterface<Subset<tensor::ExtractSliceOp>>(
        *ctx);
    tensor::InsertSliceOp::attachInterface<Subset<tensor::InsertSliceOp>>(*ctx);
    tensor::ParallelInsertSliceOp::attachInterface<
        Subset<tensor::ParallelInsertSliceOp>>(*ctx);
  });
  registry.addExtension(+[](MLIRContext *ctx, vector::VectorDialect *) {
    vector::TransferReadOp::attachInterface<Subset<vector::TransferReadOp>>(
        *ctx);
    vector::TransferWriteOp::attachInterface<Subset<vector::TransferWriteOp>>(
        *ctx);
  });
}
