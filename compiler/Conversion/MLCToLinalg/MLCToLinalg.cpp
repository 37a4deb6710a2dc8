//===- MLCToLinalg.cpp - mlc core ops -> linalg on tensors ----------------===//
//
// The pass: each mlc op is rewritten in place, in program order, by the one
// pattern of its op family. A pattern that cannot handle an op says why at
// the op's location, and so does the pass for an op no family lowers, so a
// user sees their own line, not "failed to legalize".
//
// One file per op family, each with its populate function (Patterns.h):
//   Elementwise.cpp  arithmetic, activations, comparisons, constants
//   Matmul.cpp       matmul
//   Reductions.cpp   reduce_sum, reduce_mean, reduce_max
//   Shape.cpp        reshape, transpose, broadcasts
//   Softmax.cpp      softmax, log_softmax
//   Losses.cpp       losses and one_hot
//   Conv.cpp         convolution, pooling and their gradients
//   Random.cpp       dropout masks
//   Gather.cpp       gather (embeddings), its scatter-add gradient, iota
// A new family (recurrent, attention) gets its own file and
// populate function the same way, added to initialize() below; builders
// that more than one family needs go to LoweringUtils.
//
//===----------------------------------------------------------------------===//

#include "compiler/Conversion/MLCToLinalg/Patterns.h"
#include "compiler/Conversion/Passes.h"
#include "dialects/MLC/IR/MLCDialect.h"

#include "mlir/IR/PatternMatch.h"
#include "mlir/Rewrite/FrozenRewritePatternSet.h"
#include "mlir/Rewrite/PatternApplicator.h"
#include "llvm/ADT/TypeSwitch.h"

namespace mlc {
#define GEN_PASS_DEF_CONVERTMLCTOLINALG
#include "compiler/Conversion/Passes.h.inc"
} // namespace mlc

using namespace mlir;
using namespace mlc;

namespace {

/// Reports an op that no pattern lowers: which earlier pass removes it, or
/// that there is no lowering at all.
void reportUnlowered(Operation *op) {
  llvm::TypeSwitch<Operation *>(op)
      .Case<GradientOp>([](Operation *o) {
        o->emitOpError() << "must be expanded by mlc-autodiff before lowering";
      })
      .Case<OptimizerUpdateOp>(
          [](Operation *o) {
            o->emitOpError()
                << "must be lowered by mlc-optimizer before mlc-to-linalg";
          })
      .Case<LSTMScanOp, LSTMScanGradOp, GRUScanOp, GRUScanGradOp>(
          [](Operation *o) {
            o->emitOpError() << "must be expanded into a loop by "
                                "mlc-expand-recurrences before lowering";
          })
      .Case<DenseOp, FlattenOp, Conv2DOp, DepthwiseConv2DOp, MaxPool2DOp,
            AvgPool2DOp, GlobalAvgPool2DOp, DropoutOp, BatchNormOp, LSTMOp,
            EmbeddingOp, LayerNormOp, SplitOp, GRUOp>([](Operation *o) {
        o->emitOpError() << "is a layer and cannot be lowered directly; run "
                            "mlc-materialize-params first";
      })
      .Case<ApplyDropoutOp, ApplyBatchNormOp>([](Operation *o) {
        o->emitOpError() << "differs between training and inference; "
                            "mlc-build-entry-points expands it for each";
      })
      .Case<InputOp, ParamOp, ParamRefOp, OutputOp, ModelOp, AssignOp>(
          [](Operation *o) {
            o->emitOpError()
                << "belongs to an mlc.model; run mlc-build-entry-points "
                   "to turn the model into functions first";
          })
      .Default([](Operation *o) {
        o->emitOpError() << "has no lowering to linalg";
      });
}

struct ConvertMLCToLinalgPass
    : public mlc::impl::ConvertMLCToLinalgBase<ConvertMLCToLinalgPass> {
  LogicalResult initialize(MLIRContext *context) override {
    RewritePatternSet set(context);
    populateMLCElementwiseToLinalgPatterns(set);
    populateMLCMatmulToLinalgPatterns(set);
    populateMLCReductionsToLinalgPatterns(set);
    populateMLCShapeToLinalgPatterns(set);
    populateMLCSoftmaxToLinalgPatterns(set);
    populateMLCLossesToLinalgPatterns(set);
    populateMLCConvToLinalgPatterns(set);
    populateMLCRandomToLinalgPatterns(set);
    populateMLCGatherToLinalgPatterns(set);
    patterns = FrozenRewritePatternSet(std::move(set));
    return success();
  }

  void runOnOperation() override {
    // Collected first: rewriting while walking would visit the new ops.
    SmallVector<Operation *> ops;
    getOperation().walk([&](Operation *op) {
      if (llvm::isa<MLCDialect>(op->getDialect()))
        ops.push_back(op);
    });
    // Every pattern has one root op kind, so an op without one has no
    // lowering; an op with one is lowered or reported by its pattern.
    const auto &byRoot = patterns.getOpSpecificNativePatterns();
    PatternApplicator applicator(patterns);
    applicator.applyDefaultCostModel();
    PatternRewriter rewriter(&getContext());
    for (Operation *op : ops) {
      if (!byRoot.contains(op->getName())) {
        reportUnlowered(op);
        return signalPassFailure();
      }
      rewriter.setInsertionPoint(op);
      if (failed(applicator.matchAndRewrite(op, rewriter)))
        return signalPassFailure();
    }
  }

  FrozenRewritePatternSet patterns;
};

} // namespace
