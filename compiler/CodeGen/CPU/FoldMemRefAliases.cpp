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

struct FoldMemRefAliasesPass
    : public mlc::impl::FoldMemRefAliasesBase<FoldMemRefAliasesPass> {
  void runOnOperation() override {
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
