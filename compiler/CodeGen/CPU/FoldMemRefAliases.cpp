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

/// The dims a rank-reducing subview with non-unit strides drops: unit-size
/// dims, chosen so that the kept dims' strides (the source's times the
/// subview's) are the result's. Null when there is no such choice.
std::optional<SmallVector<bool>> droppedDims(memref::SubViewOp op) {
  MemRefType src = op.getSourceType(), res = op.getType();
  int64_t drop = src.getRank() - res.getRank();
  SmallVector<int64_t> srcStrides, resStrides;
  int64_t srcOffset, resOffset;
  if (drop <= 0 || failed(src.getStridesAndOffset(srcStrides, srcOffset)) ||
      failed(res.getStridesAndOffset(resStrides, resOffset)))
    return std::nullopt;
  ArrayRef<int64_t> sizes = op.getStaticSizes(), steps = op.getStaticStrides();
  SmallVector<int64_t> unit;
  for (int64_t d = 0; d < src.getRank(); ++d)
    if (sizes[d] == 1)
      unit.push_back(d);
  if (unit.size() > 12)
    return std::nullopt;
  for (unsigned mask = 0; mask < (1u << unit.size()); ++mask) {
    if (llvm::popcount(mask) != drop)
      continue;
    SmallVector<bool> dropped(src.getRank(), false);
    for (auto [i, d] : llvm::enumerate(unit))
      dropped[d] = mask & (1u << i);
    bool matches = true;
    for (int64_t d = 0, j = 0; d < src.getRank() && matches; ++d) {
      if (dropped[d])
        continue;
      int64_t want = resStrides[j++];
      bool dynamic = ShapedType::isDynamic(srcStrides[d]) ||
                     ShapedType::isDynamic(steps[d]);
      matches = dynamic ? ShapedType::isDynamic(want)
                        : want == srcStrides[d] * steps[d];
    }
    if (matches)
      return dropped;
  }
  return std::nullopt;
}

/// Rewrites rank-reducing subviews with non-unit strides (a dilated
/// convolution's window) as reinterpret_casts of their source's base
/// buffer: upstream's folds of loads through subviews derive the dropped
/// dims from the source's strides alone and crash on them.
void castStridedRankReducingSubviews(Operation *root) {
  SmallVector<memref::SubViewOp> subviews;
  root->walk([&](memref::SubViewOp op) {
    if (op.getSourceType().getRank() > op.getType().getRank() &&
        llvm::any_of(op.getStaticStrides(), [](int64_t s) { return s != 1; }))
      subviews.push_back(op);
  });
  for (memref::SubViewOp op : subviews) {
    std::optional<SmallVector<bool>> dropped = droppedDims(op);
    if (!dropped)
      continue;
    OpBuilder b(op);
    Location loc = op.getLoc();
    auto meta =
        memref::ExtractStridedMetadataOp::create(b, loc, op.getSource());
    SmallVector<OpFoldResult> offsets = op.getMixedOffsets();
    SmallVector<OpFoldResult> sizes = op.getMixedSizes();
    SmallVector<OpFoldResult> steps = op.getMixedStrides();
    Value offset = meta.getOffset();
    SmallVector<OpFoldResult> keptSizes, keptStrides;
    SmallVector<int64_t> resStrides;
    int64_t resOffset;
    if (failed(op.getType().getStridesAndOffset(resStrides, resOffset)))
      continue;
    for (int64_t d = 0, j = 0; d < op.getSourceType().getRank(); ++d) {
      Value stride = meta.getStrides()[d];
      Value at = getValueOrCreateConstantIndexOp(b, loc, offsets[d]);
      offset = arith::AddIOp::create(b, loc, offset,
                                     arith::MulIOp::create(b, loc, at, stride));
      if ((*dropped)[d])
        continue;
      keptSizes.push_back(sizes[d]);
      int64_t want = resStrides[j++];
      keptStrides.push_back(
          ShapedType::isDynamic(want)
              ? OpFoldResult(arith::MulIOp::create(
                    b, loc, stride,
                    getValueOrCreateConstantIndexOp(b, loc, steps[d])))
              : OpFoldResult(b.getIndexAttr(want)));
    }
    OpFoldResult resultOffset = ShapedType::isDynamic(resOffset)
                                    ? OpFoldResult(offset)
                                    : OpFoldResult(b.getIndexAttr(resOffset));
    Value cast = memref::ReinterpretCastOp::create(
        b, loc, op.getType(), meta.getBaseBuffer(), resultOffset, keptSizes,
        keptStrides);
    op.replaceAllUsesWith(cast);
    op.erase();
  }
}

struct FoldMemRefAliasesPass
    : public mlc::impl::FoldMemRefAliasesBase<FoldMemRefAliasesPass> {
  void runOnOperation() override {
    castStridedRankReducingSubviews(getOperation());
    RewritePatternSet patterns(&getContext());
    // Ahead of upstream's folds of the same ops, which would match first.
    patterns.add<ScalarLoad, ScalarStore, ScalarMaskedLoad, ScalarMaskedStore>(
        &getContext(), /*benefit=*/2);
    memref::populateFoldMemRefAliasOpPatterns(patterns);
    if (failed(applyPatternsGreedily(getOperation(), std::move(patterns))))
      return signalPassFailure();
  }
};

} // namespace
