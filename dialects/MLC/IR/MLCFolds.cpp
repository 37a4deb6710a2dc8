//===- MLCFolds.cpp - mlc folders and canonicalizations -------------------===//
//
// Only folds that are obviously right: identities, op-of-same-op chains and
// constant reshapes; and cross-entropies of probabilities computed from
// the logits they came from.
//
//===----------------------------------------------------------------------===//

#include "dialects/MLC/IR/MLCDialect.h"

#include "mlir/IR/Matchers.h"
#include "mlir/IR/PatternMatch.h"

using namespace mlir;
using namespace mlc;

OpFoldResult ConstantOp::fold(FoldAdaptor) { return getValue(); }

// neg(neg(x)) -> x
OpFoldResult NegOp::fold(FoldAdaptor) {
  if (auto inner = getInput().getDefiningOp<NegOp>())
    return inner.getInput();
  return {};
}

/// Reshapes a dense constant to a new static type.
static Attribute reshapeConstant(Attribute value, Type type) {
  auto dense = llvm::dyn_cast_or_null<DenseElementsAttr>(value);
  auto shaped = llvm::cast<ShapedType>(type);
  if (!dense || !shaped.hasStaticShape())
    return {};
  return dense.reshape(shaped);
}

OpFoldResult FlattenOp::fold(FoldAdaptor adaptor) {
  if (getInput().getType() == getType())
    return getInput();
  return reshapeConstant(adaptor.getInput(), getType());
}

// reshape(x) to x's type -> x; reshape(reshape(x)) -> reshape(x).
OpFoldResult ReshapeOp::fold(FoldAdaptor adaptor) {
  if (getInput().getType() == getType())
    return getInput();
  // reshape(reshape(x)) -> one reshape, where that one is allowed (and is
  // differentiable unless one of the two was not).
  if (Operation *producer = getInput().getDefiningOp();
      producer && llvm::isa<ReshapeOp, FlattenOp>(producer)) {
    auto source = tensorTypeOf(producer->getOperand(0));
    auto middle = tensorTypeOf(getInput());
    bool merged = reshapeMergesDynamicDims(source, middle) ||
                  reshapeMergesDynamicDims(middle, getType());
    if (reshapeAllowed(source, getType()) &&
        (merged || !reshapeMergesDynamicDims(source, getType()))) {
      getInputMutable().assign(producer->getOperand(0));
      return getResult();
    }
  }
  return reshapeConstant(adaptor.getInput(), getType());
}

// Identity permutation -> x; transpose(transpose(x)) -> one transpose.
OpFoldResult TransposeOp::fold(FoldAdaptor) {
  ArrayRef<int64_t> perm = getPerm();
  bool identity = true;
  for (auto [i, p] : llvm::enumerate(perm))
    identity &= int64_t(i) == p;
  if (identity)
    return getInput();
  if (auto inner = getInput().getDefiningOp<TransposeOp>()) {
    // result[i] = inner[perm[i]] = x[innerPerm[perm[i]]]
    SmallVector<int64_t> composed;
    for (int64_t p : perm)
      composed.push_back(inner.getPerm()[p]);
    setPerm(composed);
    getInputMutable().assign(inner.getInput());
    return getResult();
  }
  return {};
}

OpFoldResult BroadcastToOp::fold(FoldAdaptor adaptor) {
  if (getInput().getType() == getType())
    return getInput();
  // A splat constant broadcasts to a splat of the result type.
  auto dense = llvm::dyn_cast_or_null<DenseElementsAttr>(adaptor.getInput());
  if (dense && dense.isSplat() && getType().hasStaticShape())
    return DenseElementsAttr::get(getType(), dense.getSplatValue<Attribute>());
  return {};
}

//===----------------------------------------------------------------------===//
// Cross-entropy from logits
//===----------------------------------------------------------------------===//

Operation *mlc::getProbabilityActivation(LossKind kind, Value prediction) {
  Operation *producer = prediction.getDefiningOp();
  if (!producer || kind == LossKind::mse)
    return nullptr;
  bool binary = kind == LossKind::binary_crossentropy;
  if (auto dense = llvm::dyn_cast<DenseOp>(producer))
    return dense.getActivation() ==
                   (binary ? Activation::sigmoid : Activation::softmax)
               ? producer
               : nullptr;
  if (binary)
    return llvm::isa<SigmoidOp>(producer) ? producer : nullptr;
  // The losses' from_logits form normalizes over the last axis only.
  auto softmax = llvm::dyn_cast<SoftmaxOp>(producer);
  int64_t rank = tensorTypeOf(prediction).getRank();
  if (!softmax)
    return nullptr;
  FailureOr<int64_t> axis = normalizeAxis(softmax.getAxis(), rank);
  return succeeded(axis) && *axis == rank - 1 ? producer : nullptr;
}

namespace {

/// loss(softmax(z)) -> loss(z) {from_logits}, and loss(sigmoid(z)) alike.
/// The activation stays for its other users (the model's output).
template <typename LossOp> struct LossFromLogits : OpRewritePattern<LossOp> {
  LossFromLogits(MLIRContext *ctx, LossKind kind)
      : OpRewritePattern<LossOp>(ctx), kind(kind) {}

  LogicalResult matchAndRewrite(LossOp op,
                                PatternRewriter &rewriter) const override {
    if (op.getFromLogits())
      return failure();
    Operation *activation = getProbabilityActivation(kind, op.getPrediction());
    // A dense layer has no logits value yet; materializing it makes one.
    if (!activation || !llvm::isa<SoftmaxOp, SigmoidOp>(activation))
      return failure();
    rewriter.modifyOpInPlace(op, [&] {
      op.getPredictionMutable().assign(activation->getOperand(0));
      op.setFromLogits(true);
    });
    return success();
  }

  LossKind kind;
};

/// relu_grad(max_pool_grad(g, x), x) -> max_pool_grad(relu_grad(g, p), x)
/// with p = max_pool(x) (the forward's, after CSE): the pool's gradient
/// reaches only each window's maximum, where x is the window's pooled
/// value, so the mask applies to the pooled gradient, a kh*kw-th of the
/// elements, and the big tensor is read once less.
struct ReluGradThroughMaxPool : OpRewritePattern<ReluGradOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(ReluGradOp op,
                                PatternRewriter &rewriter) const override {
    auto pool = op.getGrad().getDefiningOp<MaxPoolGradOp>();
    if (!pool || pool.getInput() != op.getOutput() || !pool->hasOneUse())
      return failure();
    Location loc = op.getLoc();
    Value pooled = MaxPoolOp::create(rewriter, loc, pool.getGrad().getType(),
                                     pool.getInput(), pool.getWindowAttr(),
                                     pool.getStridesAttr(), pool.getPadsAttr());
    Value masked = ReluGradOp::create(rewriter, loc, pool.getGrad().getType(),
                                      pool.getGrad(), pooled);
    rewriter.replaceOpWithNewOp<MaxPoolGradOp>(
        op, op.getType(), masked, pool.getInput(), pool.getWindowAttr(),
        pool.getStridesAttr(), pool.getPadsAttr());
    return success();
  }
};

/// reduce_sum(max_pool_grad(g, x)) over axes that include height and width
/// -> reduce_sum(g) over the same axes, when the windows have no padding:
/// each window's gradient then goes whole to one element of x (a bias's
/// gradient after pooling reads the pooled gradient, not the input-sized
/// one).
struct SumOfMaxPoolGrad : OpRewritePattern<ReduceSumOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(ReduceSumOp op,
                                PatternRewriter &rewriter) const override {
    auto pool = op.getInput().getDefiningOp<MaxPoolGradOp>();
    if (!pool || llvm::any_of(pool.getPads(), [](int64_t p) { return p; }))
      return failure();
    int64_t rank = 4;
    bool height = op.getAxes().empty(), width = op.getAxes().empty();
    for (int64_t axis : op.getAxes()) {
      int64_t a = axis < 0 ? axis + rank : axis;
      height |= a == 1;
      width |= a == 2;
    }
    if (!height || !width)
      return failure();
    rewriter.replaceOpWithNewOp<ReduceSumOp>(op, op.getType(), pool.getGrad(),
                                             op.getAxesAttr(),
                                             op.getKeepdimsAttr());
    return success();
  }
};

} // namespace

void ReduceSumOp::getCanonicalizationPatterns(RewritePatternSet &patterns,
                                              MLIRContext *ctx) {
  patterns.add<SumOfMaxPoolGrad>(ctx);
}

void ReluGradOp::getCanonicalizationPatterns(RewritePatternSet &patterns,
                                             MLIRContext *ctx) {
  patterns.add<ReluGradThroughMaxPool>(ctx);
}

void CategoricalCrossentropyOp::getCanonicalizationPatterns(
    RewritePatternSet &patterns, MLIRContext *ctx) {
  patterns.add<LossFromLogits<CategoricalCrossentropyOp>>(
      ctx, LossKind::categorical_crossentropy);
}

void SparseCategoricalCrossentropyOp::getCanonicalizationPatterns(
    RewritePatternSet &patterns, MLIRContext *ctx) {
  patterns.add<LossFromLogits<SparseCategoricalCrossentropyOp>>(
      ctx, LossKind::sparse_categorical_crossentropy);
}

void BinaryCrossentropyOp::getCanonicalizationPatterns(
    RewritePatternSet &patterns, MLIRContext *ctx) {
  patterns.add<LossFromLogits<BinaryCrossentropyOp>>(
      ctx, LossKind::binary_crossentropy);
}

void mlc::populateLossFromLogitsPatterns(RewritePatternSet &patterns) {
  MLIRContext *ctx = patterns.getContext();
  CategoricalCrossentropyOp::getCanonicalizationPatterns(patterns, ctx);
  SparseCategoricalCrossentropyOp::getCanonicalizationPatterns(patterns, ctx);
  BinaryCrossentropyOp::getCanonicalizationPatterns(patterns, ctx);
}
