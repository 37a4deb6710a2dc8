//===- ApproximateMath.cpp - polynomial exp, log and erf on f32 ----------===//

#include "compiler/CodeGen/CPU/Passes.h"

#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/Math/Transforms/Passes.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"

namespace mlc {
#define GEN_PASS_DEF_APPROXIMATEMATH
#include "compiler/CodeGen/CPU/Passes.h.inc"
} // namespace mlc

using namespace mlir;

namespace {

/// math.erf on a vector of other than f32 (which has a polynomial): one
/// scalar erf per element, each a libm call later. convert-math-to-libm
/// would scalarize it too, but after the vector lowering, leaving vector
/// ops nothing lowers (an f64 GELU failed to translate).
struct ScalarizeErf : OpRewritePattern<math::ErfOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(math::ErfOp op,
                                PatternRewriter &rewriter) const override {
    auto type = llvm::dyn_cast<VectorType>(op.getType());
    if (!type || type.getElementType().isF32() || type.isScalable())
      return failure();
    Location loc = op.getLoc();
    auto flat = VectorType::get({type.getNumElements()}, type.getElementType());
    Value x = vector::ShapeCastOp::create(rewriter, loc, flat, op.getOperand());
    SmallVector<Value> elements;
    for (int64_t i = 0; i < flat.getNumElements(); ++i)
      elements.push_back(math::ErfOp::create(
          rewriter, loc, vector::ExtractOp::create(rewriter, loc, x, i)));
    Value y = vector::FromElementsOp::create(rewriter, loc, flat, elements);
    rewriter.replaceOpWithNewOp<vector::ShapeCastOp>(op, type, y);
    return success();
  }
};

struct ApproximateMathPass
    : public mlc::impl::ApproximateMathBase<ApproximateMathPass> {
  void runOnOperation() override {
    RewritePatternSet patterns(&getContext());
    populateMathPolynomialApproximationPatterns(patterns, [](StringRef name) {
      // erf: GELU's exact form, else a scalar libm call per element.
      return name == math::ExpOp::getOperationName() ||
             name == math::LogOp::getOperationName() ||
             name == math::ErfOp::getOperationName();
    });
    patterns.add<ScalarizeErf>(&getContext());
    if (failed(applyPatternsGreedily(getOperation(), std::move(patterns))))
      return signalPassFailure();
  }
};

} // namespace
