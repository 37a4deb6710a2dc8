//===- FuseElementwise.cpp - bounded elementwise fusion -------------------===//
//
// Upstream's elementwise fusion, with a control function of our own: see
// the pass description in Passes.td for what it fuses and why it is capped.
//
//===----------------------------------------------------------------------===//

#include "compiler/CodeGen/Common/Passes.h"

#include "mlir/Dialect/Affine/IR/AffineOps.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Linalg/Transforms/Transforms.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/Dialect/Tensor/Transforms/Transforms.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"

namespace mlc {
#define GEN_PASS_DEF_FUSEELEMENTWISE
#include "compiler/CodeGen/Common/Passes.h.inc"
} // namespace mlc

using namespace mlir;

namespace {

/// Ops that expand into a polynomial or a libm call: about 16 instructions.
bool isTranscendental(Operation *op) {
  return llvm::isa<math::TanhOp, math::ExpOp, math::Exp2Op, math::ExpM1Op,
                   math::LogOp, math::Log1pOp, math::Log2Op, math::Log10Op,
                   math::ErfOp, math::ErfcOp, math::SinOp, math::CosOp,
                   math::TanOp, math::AtanOp, math::Atan2Op, math::PowFOp,
                   math::SinhOp, math::CoshOp, math::AsinOp, math::AcosOp,
                   math::CbrtOp>(op);
}

unsigned bodyCost(linalg::GenericOp op) {
  unsigned cost = 0;
  for (Operation &inner : op.getBody()->without_terminator())
    cost += isTranscendental(&inner) ? 16 : 1;
  return cost;
}

/// Whether the producer of `operand` should fuse into its owner.
bool shouldFuse(OpOperand *operand, unsigned maxBodyCost) {
  auto producer = operand->get().getDefiningOp<linalg::GenericOp>();
  auto consumer = llvm::dyn_cast<linalg::GenericOp>(operand->getOwner());
  if (!producer || !consumer)
    return false;
  // A convolution reads each input element once per window position and
  // output channel: a producer fused into it would be recomputed that
  // often, and the fused op would no longer be scheduled as one. Ops
  // marked mlc.outer_loops (pooling, dropout masks) are scheduled as one
  // too.
  if (consumer->hasAttr("mlc.conv") || producer->hasAttr("mlc.conv") ||
      consumer->hasAttr("mlc.outer_loops") ||
      producer->hasAttr("mlc.outer_loops"))
    return false;
  if (bodyCost(producer) + bodyCost(consumer) > maxBodyCost)
    return false;
  // The consumer reads the producer once: fusing one of two operands would
  // leave the other reading the producer, which then stays and is computed
  // twice.
  if (llvm::count_if(consumer->getOperands(), [&](Value v) {
        return v.getDefiningOp() == producer.getOperation();
      }) != 1)
    return false;
  bool otherUsers = llvm::any_of(producer->getUsers(), [&](Operation *user) {
    return user != consumer.getOperation();
  });
  if (!otherUsers)
    return true;
  // The fused op replaces the producer for its other users too, at the
  // consumer's position: it must dominate them, and yield the producer's
  // results over the same all-parallel iteration space.
  if (consumer.getNumLoops() != consumer.getNumParallelLoops() ||
      consumer.getNumLoops() != producer.getNumLoops() ||
      !consumer.getMatchingIndexingMap(operand).isIdentity())
    return false;
  Block *block = consumer->getBlock();
  return llvm::all_of(producer->getUsers(), [&](Operation *user) {
    if (user == consumer.getOperation())
      return true;
    Operation *ancestor = block->findAncestorOpInBlock(*user);
    return ancestor && ancestor != consumer.getOperation() &&
           consumer->isBeforeInBlock(ancestor);
  });
}

/// Fuses a producer generic into a consumer generic. Unlike upstream's
/// pattern, a producer result used elsewhere is taken from the fused op
/// there too, and the producer is erased: upstream keeps the producer for
/// those users, which recomputes a chain of N ops N times over.
struct FuseProducer : public OpRewritePattern<linalg::GenericOp> {
  FuseProducer(MLIRContext *context, unsigned maxBodyCost)
      : OpRewritePattern(context), maxBodyCost(maxBodyCost) {}

  LogicalResult matchAndRewrite(linalg::GenericOp consumer,
                                PatternRewriter &rewriter) const override {
    for (OpOperand &operand : consumer->getOpOperands()) {
      if (!linalg::areElementwiseOpsFusable(&operand) ||
          !shouldFuse(&operand, maxBodyCost))
        continue;
      Operation *producer = operand.get().getDefiningOp();
      FailureOr<linalg::ElementwiseOpFusionResult> fused =
          linalg::fuseElementwiseOps(rewriter, &operand);
      if (failed(fused))
        continue;
      for (auto [original, replacement] : fused->replacements)
        rewriter.replaceAllUsesWith(original, replacement);
      rewriter.eraseOp(consumer);
      if (producer->use_empty())
        rewriter.eraseOp(producer);
      return success();
    }
    return failure();
  }

  unsigned maxBodyCost;
};

/// Keeps the schedule's marks (`mlc.outer_loops`, `mlc.conv`) on an op
/// that a pattern rebuilds over the same loops: upstream's patterns fold a
/// splat operand into the body, then drop the unused operand, and build
/// the new op without the old one's discardable attributes (the LeNet's
/// average pooling lost its mark so, and ran as scalar loops).
struct KeepMarks : RewriterBase::Listener {
  void notifyOperationReplaced(Operation *op, ValueRange values) override {
    auto old = dyn_cast<linalg::GenericOp>(op);
    auto rebuilt = values.empty()
                       ? linalg::GenericOp()
                       : values.front().getDefiningOp<linalg::GenericOp>();
    if (!old || !rebuilt ||
        llvm::any_of(values,
                     [&](Value v) { return v.getDefiningOp() != rebuilt; }) ||
        old.getIteratorTypesArray() != rebuilt.getIteratorTypesArray())
      return;
    for (StringRef mark : {"mlc.outer_loops", "mlc.conv"})
      if (Attribute value = old->getAttr(mark))
        rebuilt->setAttr(mark, value);
  }
};

struct FuseElementwisePass
    : public mlc::impl::FuseElementwiseBase<FuseElementwisePass> {
  using FuseElementwiseBase::FuseElementwiseBase;

  void runOnOperation() override {
    MLIRContext *context = &getContext();
    unsigned cap = maxBodyCost;
    // Generic into generic is FuseProducer's; upstream's patterns keep
    // folding constants and fills into generics.
    linalg::ControlFusionFn notGeneric = [](OpOperand *operand) {
      Operation *producer = operand->get().getDefiningOp();
      return producer && !llvm::isa<linalg::GenericOp>(producer) &&
             producer->hasOneUse();
    };
    // Reshape folding and constant folding as upstream: single-use only.
    linalg::ControlFusionFn singleUse = [](OpOperand *operand) {
      Operation *producer = operand->get().getDefiningOp();
      return producer && producer->hasOneUse();
    };
    RewritePatternSet patterns(context);
    patterns.add<FuseProducer>(context, cap);
    linalg::populateElementwiseOpsFusionPatterns(patterns, notGeneric);
    // A producer result that was kept for a user fused later is dead.
    linalg::populateEraseUnusedOperandsAndResultsPatterns(patterns);
    // A matmul stays one: folding the reshapes around a dense layer over a
    // sequence ([B, T, F] merged into [B*T, F] rows) would make it a 4-D
    // generic that the CPU schedules do not tile as a matmul.
    linalg::ControlFusionFn keepMatmuls = [&](OpOperand *operand) {
      Operation *producer = operand->get().getDefiningOp();
      return singleUse(operand) &&
             !llvm::isa<linalg::MatmulOp>(operand->getOwner()) &&
             !llvm::isa_and_nonnull<linalg::MatmulOp>(producer);
    };
    linalg::populateFoldReshapeOpsByExpansionPatterns(patterns, keepMatmuls);
    tensor::populateBubbleUpExpandShapePatterns(patterns);
    affine::AffineApplyOp::getCanonicalizationPatterns(patterns, context);
    linalg::GenericOp::getCanonicalizationPatterns(patterns, context);
    tensor::ExpandShapeOp::getCanonicalizationPatterns(patterns, context);
    tensor::CollapseShapeOp::getCanonicalizationPatterns(patterns, context);
    context->getLoadedDialect<linalg::LinalgDialect>()
        ->getCanonicalizationPatterns(patterns);
    linalg::populateConstantFoldLinalgOperations(patterns, singleUse);
    // Producers before consumers: what multi-user fusion relies on.
    GreedyRewriteConfig config;
    config.setUseTopDownTraversal(true);
    KeepMarks keepMarks;
    config.setListener(&keepMarks);
    if (failed(
            applyPatternsGreedily(getOperation(), std::move(patterns), config)))
      return signalPassFailure();
  }
};

} // namespace
