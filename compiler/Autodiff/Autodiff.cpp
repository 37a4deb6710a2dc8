//===- Autodiff.cpp - reverse-mode differentiation of mlc graphs ----------===//

#include "compiler/Autodiff/Passes.h"
#include "dialects/MLC/IR/MLCDialect.h"

#include "mlir/IR/Builders.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"
#include "llvm/ADT/DenseSet.h"

namespace mlc {
#define GEN_PASS_DEF_AUTODIFF
#include "compiler/Autodiff/Passes.h.inc"
} // namespace mlc

using namespace mlir;
using namespace mlc;

namespace {

/// Expands one mlc.gradient: walks the ops between the differentiated
/// values and the loss backwards, in the gradient op's block.
LogicalResult differentiate(GradientOp grad) {
  Block *block = grad->getBlock();
  Value loss = grad.getLoss();

  // Values that depend on a differentiated value (forward reach).
  llvm::DenseSet<Value> reached(grad.getWrt().begin(), grad.getWrt().end());
  for (Operation &op : *block) {
    if (&op == grad.getOperation())
      break;
    if (llvm::any_of(op.getOperands(),
                     [&](Value v) { return reached.contains(v); }))
      for (Value r : op.getResults())
        reached.insert(r);
  }

  OpBuilder b(grad);
  Location loc = grad.getLoc();
  llvm::DenseMap<Value, Value> adjoint;
  auto accumulate = [&](Value v, Value g) {
    auto [it, inserted] = adjoint.try_emplace(v, g);
    if (!inserted)
      it->second = AddOp::create(b, loc, it->second, g);
  };
  auto lossType = llvm::cast<RankedTensorType>(loss.getType());
  accumulate(
      loss, ConstantOp::create(
                b, loc, lossType,
                DenseElementsAttr::get(
                    lossType, b.getFloatAttr(lossType.getElementType(), 1.0))));

  // Reverse program order: every use of a value comes before its
  // definition, so its adjoint is complete when its producer is reached.
  for (Operation *op = grad->getPrevNode(); op; op = op->getPrevNode()) {
    // The gradient of each result the loss depends on (null for others).
    SmallVector<Value> resultGrads;
    bool any = false;
    for (Value result : op->getResults()) {
      Value g = reached.contains(result) ? adjoint.lookup(result) : Value();
      resultGrads.push_back(g);
      any |= bool(g);
    }
    if (!any)
      continue;
    bool needsOperandGrads = llvm::any_of(
        op->getOperands(), [&](Value v) { return reached.contains(v); });
    if (!needsOperandGrads)
      continue;
    auto diff = llvm::dyn_cast<DifferentiableOpInterface>(op);
    if (!diff)
      return op->emitOpError()
             << "has no gradient rule, but the loss differentiated at " << loc
             << " depends on it through a differentiated value";
    SmallVector<std::pair<Value, Value>> grads;
    if (failed(resultGrads.size() == 1 ? diff.buildVJP(b, resultGrads[0], grads)
                                       : diff.buildVJPs(b, resultGrads, grads)))
      return failure();
    for (auto [value, g] : grads)
      if (reached.contains(value))
        accumulate(value, g);
  }

  SmallVector<Value> results;
  for (Value v : grad.getWrt()) {
    Value g = adjoint.lookup(v);
    if (!g) {
      // The loss does not depend on v: zeros of v's runtime shape.
      auto type = llvm::cast<RankedTensorType>(v.getType());
      auto scalarType = RankedTensorType::get({}, type.getElementType());
      Value zero = ConstantOp::create(
          b, loc, scalarType,
          DenseElementsAttr::get(scalarType,
                                 b.getFloatAttr(type.getElementType(), 0.0)));
      g = BroadcastLikeOp::create(b, loc, zero, v);
    }
    results.push_back(g);
  }
  grad->replaceAllUsesWith(results);
  grad->erase();
  return success();
}

struct AutodiffPass : public mlc::impl::AutodiffBase<AutodiffPass> {
  LogicalResult initialize(MLIRContext *ctx) override {
    RewritePatternSet patterns(ctx);
    populateLossFromLogitsPatterns(patterns);
    lossFromLogits = std::move(patterns);
    return success();
  }

  void runOnOperation() override {
    SmallVector<GradientOp> grads;
    SmallVector<Operation *> losses;
    getOperation()->walk([&](Operation *op) {
      if (auto g = llvm::dyn_cast<GradientOp>(op))
        grads.push_back(g);
      else if (llvm::isa<CategoricalCrossentropyOp,
                         SparseCategoricalCrossentropyOp, BinaryCrossentropyOp>(
                   op))
        losses.push_back(op);
    });
    // A cross-entropy of a softmax or sigmoid is differentiated, like its
    // value is computed, from the logits (also inside a larger loss): the
    // gradient of the clipped probabilities would vanish where they
    // saturate.
    GreedyRewriteConfig config;
    config.setStrictness(GreedyRewriteStrictness::ExistingOps);
    (void)applyOpPatternsGreedily(losses, lossFromLogits, config);
    for (GradientOp g : grads)
      if (failed(differentiate(g)))
        return signalPassFailure();
  }

  FrozenRewritePatternSet lossFromLogits;
};

} // namespace
