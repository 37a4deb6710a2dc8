//===- FoldMemRefAliases.cpp - views folded into loads and stores ---------===//

#include "compiler/CodeGen/CPU/Passes.h"

#include "mlir/Dialect/MemRef/Transforms/Transforms.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"

namespace mlc {
#define GEN_PASS_DEF_FOLDMEMREFALIASES
#include "compiler/CodeGen/CPU/Passes.h.inc"
} // namespace mlc

using namespace mlir;

namespace {

/// The rank-0 memref that `base` expands to all-unit dims, or null.
Value scalarSource(Value base) {
  auto expand = base.getDefiningOp<memref::ExpandShapeOp>();
  if (!expand || expand.getSrcType().getRank() != 0)
    return {};
  return expand.getSrc();
}

/// Element 0 of a vector whose dims are all 1 (any access of a memref of
/// all-unit dims that stays in bounds has such a vector).
Value firstElement(OpBuilder &b, Location loc, Value vector) {
  auto type = cast<VectorType>(vector.getType());
  SmallVector<int64_t> zeros(type.getRank(), 0);
  return vector::ExtractOp::create(b, loc, vector, zeros);
}

bool allUnit(VectorType type) {
  return llvm::all_of(type.getShape(), [](int64_t d) { return d == 1; });
}

struct ScalarLoad : OpRewritePattern<vector::LoadOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(vector::LoadOp op,
                                PatternRewriter &rewriter) const override {
    Value source = scalarSource(op.getBase());
    if (!source || !allUnit(op.getVectorType()))
      return failure();
    Value scalar = memref::LoadOp::create(rewriter, op.getLoc(), source);
    rewriter.replaceOpWithNewOp<vector::BroadcastOp>(op, op.getVectorType(),
                                                     scalar);
    return success();
  }
};

struct ScalarStore : OpRewritePattern<vector::StoreOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(vector::StoreOp op,
                                PatternRewriter &rewriter) const override {
    Value source = scalarSource(op.getBase());
    if (!source || !allUnit(op.getVectorType()))
      return failure();
    Value scalar = firstElement(rewriter, op.getLoc(), op.getValueToStore());
    rewriter.replaceOpWithNewOp<memref::StoreOp>(op, scalar, source);
    return success();
  }
};

// The single element is always in bounds, so loading it whatever the mask
// says is safe; the mask picks between it and the pass-through value.
struct ScalarMaskedLoad : OpRewritePattern<vector::MaskedLoadOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(vector::MaskedLoadOp op,
                                PatternRewriter &rewriter) const override {
    Value source = scalarSource(op.getBase());
    if (!source || !allUnit(op.getVectorType()))
      return failure();
    Location loc = op.getLoc();
    Value scalar = memref::LoadOp::create(rewriter, loc, source);
    Value loaded =
        vector::BroadcastOp::create(rewriter, loc, op.getVectorType(), scalar);
    rewriter.replaceOpWithNewOp<arith::SelectOp>(op, op.getMask(), loaded,
                                                 op.getPassThru());
    return success();
  }
};

// A masked-off store must not write at all (another thread may own the
// element), so it becomes a conditional scalar store.
struct ScalarMaskedStore : OpRewritePattern<vector::MaskedStoreOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(vector::MaskedStoreOp op,
                                PatternRewriter &rewriter) const override {
    Value source = scalarSource(op.getBase());
    if (!source || !allUnit(op.getVectorType()))
      return failure();
    Location loc = op.getLoc();
    Value enabled = firstElement(rewriter, loc, op.getMask());
    Value scalar = firstElement(rewriter, loc, op.getValueToStore());
    auto ifOp = scf::IfOp::create(rewriter, loc, enabled);
    rewriter.setInsertionPointToStart(&ifOp.getThenRegion().front());
    memref::StoreOp::create(rewriter, loc, scalar, source);
    rewriter.eraseOp(op);
    return success();
  }
};

/// An expand_shape of a contiguous buffer that splits one size into several
/// dynamic ones (the rows of a dense layer over a batch of sequences back
/// into batch and time) as a reinterpret_cast with the sizes and their
/// suffix products as strides. Upstream's expand-strided-metadata crashes on
/// such an expand_shape.
struct ExpandSeveralDynamic : OpRewritePattern<memref::ExpandShapeOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(memref::ExpandShapeOp op,
                                PatternRewriter &rewriter) const override {
    MemRefType src = op.getSrcType(), result = op.getResultType();
    if (!src.getLayout().isIdentity() || !result.getLayout().isIdentity())
      return failure();
    bool several = llvm::any_of(op.getReassociationIndices(),
                                [&](const ReassociationIndices &group) {
                                  return llvm::count_if(group, [&](int64_t d) {
                                           return result.isDynamicDim(d);
                                         }) > 1;
                                });
    if (!several)
      return failure();
    Location loc = op.getLoc();
    SmallVector<OpFoldResult> sizes = op.getMixedOutputShape();
    SmallVector<OpFoldResult> strides(sizes.size());
    Value stride = arith::ConstantIndexOp::create(rewriter, loc, 1);
    int64_t staticStride = 1;
    for (int64_t d = int64_t(sizes.size()) - 1; d >= 0; --d) {
      strides[d] = staticStride > 0
                       ? OpFoldResult(rewriter.getIndexAttr(staticStride))
                       : OpFoldResult(stride);
      Value size = getValueOrCreateConstantIndexOp(rewriter, loc, sizes[d]);
      stride = arith::MulIOp::create(rewriter, loc, stride, size);
      staticStride = result.isDynamicDim(d) || staticStride <= 0
                         ? 0
                         : staticStride * result.getDimSize(d);
    }
    rewriter.replaceOpWithNewOp<memref::ReinterpretCastOp>(
        op, result, op.getSrc(), rewriter.getIndexAttr(0), sizes, strides);
    return success();
  }
};

struct FoldMemRefAliasesPass
    : public mlc::impl::FoldMemRefAliasesBase<FoldMemRefAliasesPass> {
  void runOnOperation() override {
    RewritePatternSet patterns(&getContext());
    // Ahead of upstream's folds of the same ops, which would match first.
    patterns.add<ScalarLoad, ScalarStore, ScalarMaskedLoad, ScalarMaskedStore>(
        &getContext(), /*benefit=*/2);
    patterns.add<ExpandSeveralDynamic>(&getContext());
    memref::populateFoldMemRefAliasOpPatterns(patterns);
    if (failed(applyPatternsGreedily(getOperation(), std::move(patterns))))
      return signalPassFailure();
  }
};

} // namespace
