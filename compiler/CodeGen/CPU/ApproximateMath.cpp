//===- ApproximateMath.cpp - polynomial exp, log and erf on f32 ----------===//

#include "compiler/CodeGen/CPU/Passes.h"

#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/Math/Transforms/Passes.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"

namespace mlc {
#define GEN_PASS_DEF_APPROXIMATEMATH
#include "compiler/CodeGen/CPU/Passes.h.inc"
} // namespace mlc

using namespace mlir;

namespace {

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
    if (failed(applyPatternsGreedily(getOperation(), std::move(patterns))))
      return signalPassFailure();
  }
};

} // namespace
