//===- Shape.cpp - mlc shape ops -> tensor and linalg ---------------------===//
//
// reshape collapses to 1-D and expands; transpose is linalg.transpose;
// broadcast_to and broadcast_like are broadcasting copies; slice and its
// gradient are tensor.extract_slice and tensor.insert_slice.
//
//===----------------------------------------------------------------------===//

#include "compiler/Conversion/MLCToLinalg/LoweringUtils.h"
#include "compiler/Conversion/MLCToLinalg/Patterns.h"

#include "mlir/Dialect/Utils/ReshapeOpsUtils.h"

using namespace mlir;
using namespace mlc;
using namespace mlc::linalg_lowering;

namespace {

struct ReshapeLowering : LoweringPattern<ReshapeOp> {
  using LoweringPattern::LoweringPattern;
  /// Reassociation that gathers each dimension other than a static 1 with
  /// the size-1 dimensions after it (and those before the first one).
  static SmallVector<ReassociationIndices> unitGroups(RankedTensorType t) {
    SmallVector<ReassociationIndices> groups;
    ReassociationIndices leading;
    for (int64_t d = 0; d < t.getRank(); ++d) {
      if (t.getDimSize(d) == 1) {
        (groups.empty() ? leading : groups.back()).push_back(d);
        continue;
      }
      groups.emplace_back(leading);
      leading.clear();
      groups.back().push_back(d);
    }
    return groups;
  }

  FailureOr<Value> lower(ReshapeOp op, OpBuilder &b,
                         Location loc) const override {
    Value x = op.getInput();
    RankedTensorType in = op.getInput().getType(), out = op.getType();
    if (op.mergesDynamicDims()) {
      int64_t merged = in.getRank() - out.getRank() + 1;
      SmallVector<ReassociationIndices> groups;
      groups.emplace_back(llvm::to_vector(llvm::seq<int64_t>(0, merged)));
      for (int64_t d = merged; d < in.getRank(); ++d)
        groups.push_back({d});
      return tensor::CollapseShapeOp::create(b, loc, out, x, groups)
          .getResult();
    }
    // Only size-1 dimensions come or go (keepdims, and the only reshapes
    // of several dynamic sizes the verifier allows): drop them, then add
    // the result's, so each group keeps its one non-unit size.
    SmallVector<int64_t> core = nonUnitDims(in.getShape());
    if (core == nonUnitDims(out.getShape()) && in.getRank() > 0 &&
        out.getRank() > 0) {
      auto coreType = RankedTensorType::get(core, in.getElementType());
      Value squeezed = x;
      if (coreType != in)
        squeezed = tensor::CollapseShapeOp::create(b, loc, coreType, x,
                                                   unitGroups(in));
      if (coreType == out)
        return squeezed;
      SmallVector<OpFoldResult> shape;
      unsigned k = 0;
      for (int64_t d : out.getShape()) {
        if (d == 1) {
          shape.push_back(b.getIndexAttr(1));
          continue;
        }
        shape.push_back(ShapedType::isDynamic(d)
                            ? OpFoldResult(dimOf(b, loc, squeezed, k))
                            : OpFoldResult(b.getIndexAttr(d)));
        ++k;
      }
      return tensor::ExpandShapeOp::create(b, loc, out, squeezed,
                                           unitGroups(out), shape)
          .getResult();
    }
    // Collapse to 1-D, then expand to the result shape.
    Value flat = x;
    if (in.getRank() != 1) {
      SmallVector<ReassociationIndices> all;
      if (in.getRank() > 0)
        all.emplace_back(llvm::to_vector(llvm::seq<int64_t>(0, in.getRank())));
      else {
        // A rank-0 tensor expands straight to the all-ones result.
        SmallVector<OpFoldResult> ones(out.getRank(), b.getIndexAttr(1));
        return tensor::ExpandShapeOp::create(
                   b, loc, out, x, ArrayRef<ReassociationIndices>{}, ones)
            .getResult();
      }
      flat = tensor::CollapseShapeOp::create(b, loc, x, all);
    }
    if (out.getRank() == 1)
      return out == tensorTypeOf(flat)
                 ? flat
                 : tensor::CastOp::create(b, loc, out, flat).getResult();
    if (out.getRank() == 0)
      return tensor::CollapseShapeOp::create(b, loc, out, flat,
                                             ArrayRef<ReassociationIndices>{})
          .getResult();
    SmallVector<OpFoldResult> shape;
    int64_t staticProduct = 1;
    for (int64_t d : out.getShape())
      if (!ShapedType::isDynamic(d))
        staticProduct *= d;
    for (int64_t d : out.getShape()) {
      if (!ShapedType::isDynamic(d)) {
        shape.push_back(b.getIndexAttr(d));
        continue;
      }
      Value total = dimOf(b, loc, flat, 0);
      shape.push_back(arith::DivUIOp::create(
                          b, loc, total,
                          arith::ConstantIndexOp::create(b, loc, staticProduct))
                          .getResult());
    }
    SmallVector<ReassociationIndices> all = {
        llvm::to_vector(llvm::seq<int64_t>(0, out.getRank()))};
    return tensor::ExpandShapeOp::create(b, loc, out, flat, all, shape)
        .getResult();
  }
};

struct TransposeLowering : LoweringPattern<TransposeOp> {
  using LoweringPattern::LoweringPattern;
  FailureOr<Value> lower(TransposeOp op, OpBuilder &b,
                         Location loc) const override {
    SmallVector<Value> dynSizes;
    RankedTensorType out = op.getType();
    for (auto [i, p] : llvm::enumerate(op.getPerm()))
      if (out.isDynamicDim(i))
        dynSizes.push_back(dimOf(b, loc, op.getInput(), p));
    Value init = emptyTensor(b, loc, out, dynSizes);
    return linalg::TransposeOp::create(b, loc, op.getInput(), init,
                                       op.getPerm())
        .getResult()
        .front();
  }
};

/// The element itself, for broadcasting copies.
Value copyElement(OpBuilder &, Location, ValueRange a) { return a[0]; }

struct BroadcastToLowering : LoweringPattern<BroadcastToOp> {
  using LoweringPattern::LoweringPattern;
  FailureOr<Value> lower(BroadcastToOp op, OpBuilder &b,
                         Location loc) const override {
    // Every dynamic result size must come from the input.
    RankedTensorType out = op.getType();
    if (!out.hasStaticShape() &&
        out.getNumDynamicDims() !=
            tensorTypeOf(op.getInput()).getNumDynamicDims())
      return op.emitOpError()
             << "cannot be lowered: result " << out
             << " has dynamic dimensions the input does not give";
    return buildElementwise(b, loc, out, op.getInput(), copyElement);
  }
};

struct BroadcastLikeLowering : LoweringPattern<BroadcastLikeOp> {
  using LoweringPattern::LoweringPattern;
  FailureOr<Value> lower(BroadcastLikeOp op, OpBuilder &b,
                         Location loc) const override {
    // The result's dynamic sizes are those of `like`.
    Value init =
        emptyTensor(b, loc, op.getType(), dynamicSizesOf(b, loc, op.getLike()));
    return buildBroadcasting(b, loc, op.getType(), op.getInput(), init,
                             copyElement);
  }
};

/// Offsets, sizes and unit strides of the slice of `whole` along `axis`
/// from `start` (negative: from the end) of `sliced`'s size there.
void sliceBounds(OpBuilder &b, Location loc, Value whole,
                 RankedTensorType sliced, int64_t axis, int64_t start,
                 SmallVectorImpl<OpFoldResult> &offsets,
                 SmallVectorImpl<OpFoldResult> &sizes,
                 SmallVectorImpl<OpFoldResult> &strides) {
  RankedTensorType type = tensorTypeOf(whole);
  int64_t a = *normalizeAxis(axis, type.getRank());
  for (int64_t d = 0; d < type.getRank(); ++d) {
    strides.push_back(b.getIndexAttr(1));
    if (d != a) {
      offsets.push_back(b.getIndexAttr(0));
      sizes.push_back(type.isDynamicDim(d)
                          ? OpFoldResult(dimOf(b, loc, whole, d))
                          : OpFoldResult(b.getIndexAttr(type.getDimSize(d))));
      continue;
    }
    sizes.push_back(b.getIndexAttr(sliced.getDimSize(d)));
    if (start >= 0) {
      offsets.push_back(b.getIndexAttr(start));
    } else if (!type.isDynamicDim(d)) {
      offsets.push_back(b.getIndexAttr(type.getDimSize(d) + start));
    } else {
      Value end = dimOf(b, loc, whole, d);
      Value back = arith::ConstantIndexOp::create(b, loc, -start);
      offsets.push_back(OpFoldResult(arith::SubIOp::create(b, loc, end, back)));
    }
  }
}

struct SliceLowering : LoweringPattern<SliceOp> {
  using LoweringPattern::LoweringPattern;
  FailureOr<Value> lower(SliceOp op, OpBuilder &b,
                         Location loc) const override {
    SmallVector<OpFoldResult> offsets, sizes, strides;
    sliceBounds(b, loc, op.getInput(), op.getType(), op.getAxis(),
                op.getStart(), offsets, sizes, strides);
    return tensor::ExtractSliceOp::create(b, loc, op.getType(), op.getInput(),
                                          offsets, sizes, strides)
        .getResult();
  }
};

/// The inputs written one after another along the axis into one tensor.
struct ConcatLowering : LoweringPattern<ConcatOp> {
  using LoweringPattern::LoweringPattern;
  FailureOr<Value> lower(ConcatOp op, OpBuilder &b,
                         Location loc) const override {
    RankedTensorType out = op.getType();
    int64_t axis = *normalizeAxis(int64_t(op.getAxis()), out.getRank());
    Value first = op.getInputs().front();
    Value result = emptyTensor(b, loc, out, dynamicSizesOf(b, loc, first));
    int64_t offset = 0;
    for (Value v : op.getInputs()) {
      RankedTensorType t = tensorTypeOf(v);
      SmallVector<OpFoldResult> offsets, sizes, strides;
      for (int64_t d = 0; d < t.getRank(); ++d) {
        offsets.push_back(b.getIndexAttr(d == axis ? offset : 0));
        sizes.push_back(t.isDynamicDim(d)
                            ? OpFoldResult(dimOf(b, loc, first, d))
                            : OpFoldResult(b.getIndexAttr(t.getDimSize(d))));
        strides.push_back(b.getIndexAttr(1));
      }
      result = tensor::InsertSliceOp::create(b, loc, v, result, offsets, sizes,
                                             strides);
      offset += t.getDimSize(axis);
    }
    return result;
  }
};

struct SliceGradLowering : LoweringPattern<SliceGradOp> {
  using LoweringPattern::LoweringPattern;
  FailureOr<Value> lower(SliceGradOp op, OpBuilder &b,
                         Location loc) const override {
    Value zeros = filledTensor(b, loc, op.getType(),
                               dynamicSizesOf(b, loc, op.getLike()), 0.0);
    SmallVector<OpFoldResult> offsets, sizes, strides;
    sliceBounds(b, loc, op.getLike(), op.getGrad().getType(), op.getAxis(),
                op.getStart(), offsets, sizes, strides);
    return tensor::InsertSliceOp::create(b, loc, op.getGrad(), zeros, offsets,
                                         sizes, strides)
        .getResult();
  }
};

} // namespace

void mlc::populateMLCShapeToLinalgPatterns(RewritePatternSet &patterns) {
  patterns.add<ReshapeLowering, TransposeLowering, BroadcastToLowering,
               BroadcastLikeLowering, SliceLowering, SliceGradLowering,
               ConcatLowering>(patterns.getContext());
}
