//===- MLCGradients.cpp - vector-Jacobian products of mlc ops -------------===//
//
// One buildVJP per op (DifferentiableOpInterface). Each builds mlc ops, so
// gradients are lowered, fused and scheduled like the forward pass.
// `g` is the gradient of the loss with respect to the op's result.
//
//===----------------------------------------------------------------------===//

#include "dialects/MLC/IR/MLCDialect.h"

#include "mlir/IR/Builders.h"

using namespace mlir;
using namespace mlc;

using Grads = SmallVectorImpl<std::pair<Value, Value>>;

namespace {

/// A rank-0 constant of `like`'s element type.
Value scalar(OpBuilder &b, Location loc, Value like, double value) {
  auto type = RankedTensorType::get({}, tensorTypeOf(like).getElementType());
  return ConstantOp::create(
      b, loc, type,
      DenseElementsAttr::get(type,
                             b.getFloatAttr(type.getElementType(), value)));
}

/// Sums `g` over the axes along which a value of `target`'s type was
/// broadcast to `g`'s shape, giving a gradient of `target`'s type.
Value sumToShape(OpBuilder &b, Location loc, Value g, RankedTensorType target) {
  RankedTensorType gt = tensorTypeOf(g);
  if (gt.getShape() == target.getShape())
    return g;
  int64_t offset = gt.getRank() - target.getRank();
  SmallVector<int64_t> axes;
  for (int64_t d = 0; d < gt.getRank(); ++d)
    if (d < offset ||
        (target.getDimSize(d - offset) == 1 && gt.getDimSize(d) != 1))
      axes.push_back(d);
  Value sum = ReduceSumOp::create(b, loc, g, axes, /*keepdims=*/false);
  if (tensorTypeOf(sum).getShape() == target.getShape())
    return sum;
  return ReshapeOp::create(b, loc, target, sum);
}

/// Number of elements of `like` along `axes` (all when empty), as a float
/// tensor shaped like the reduction with `keepdims`.
Value countAlong(OpBuilder &b, Location loc, Value like, ArrayRef<int64_t> axes,
                 bool keepdims) {
  Value ones = BroadcastLikeOp::create(b, loc, scalar(b, loc, like, 1.0), like);
  return ReduceSumOp::create(b, loc, ones, axes, keepdims);
}

/// The gradient of a per-element or per-row quantity averaged over the
/// rows of `prediction` (every dim but the last): (g / rows) * term.
Value meanOverRows(OpBuilder &b, Location loc, Value prediction, Value term,
                   Value g) {
  int64_t rank = tensorTypeOf(prediction).getRank();
  SmallVector<int64_t> rows;
  for (int64_t d = 0; d + 1 < rank; ++d)
    rows.push_back(d);
  // A rank-1 prediction is one row (and an empty axis list would count
  // every element).
  if (rows.empty())
    return MulOp::create(b, loc, term, g);
  // Shape (classes): every entry is the row count.
  Value count = countAlong(b, loc, prediction, rows, /*keepdims=*/false);
  return MulOp::create(b, loc, DivOp::create(b, loc, term, count), g);
}

/// The gradient of a mean over all elements of `like`.
Value meanOverAll(OpBuilder &b, Location loc, Value like, Value term, Value g) {
  Value count = countAlong(b, loc, like, {}, /*keepdims=*/false);
  return MulOp::create(b, loc, DivOp::create(b, loc, term, count), g);
}

/// `g` of a reduction result reshaped to the keepdims shape.
Value keepDims(OpBuilder &b, Location loc, Value g, Value input,
               ArrayRef<int64_t> axes, bool keepdims) {
  if (keepdims)
    return g;
  RankedTensorType in = tensorTypeOf(input);
  int64_t rank = in.getRank();
  SmallVector<bool> reduced(rank, axes.empty());
  for (int64_t a : axes)
    reduced[*normalizeAxis(a, rank)] = true;
  SmallVector<int64_t> shape;
  for (int64_t d = 0; d < rank; ++d)
    shape.push_back(reduced[d] ? 1 : in.getDimSize(d));
  auto type = RankedTensorType::get(shape, tensorTypeOf(g).getElementType());
  if (type == tensorTypeOf(g))
    return g;
  return ReshapeOp::create(b, loc, type, g);
}

/// p clipped to [1e-7, 1 - 1e-7] as the losses clip probabilities.
Value clipped(OpBuilder &b, Location loc, Value p) {
  return ClipOp::create(b, loc, p.getType(), p, b.getF64FloatAttr(1e-7),
                        b.getF64FloatAttr(1.0 - 1e-7));
}

/// 1 where `clip` (a clip of `x`) let `x` through, 0 where it clamped it:
/// the clip's derivative (see ClipOp::buildVJP).
Value passedClip(OpBuilder &b, Location loc, Value clip, Value x) {
  return EqualOp::create(b, loc, clip, x);
}

/// Per-row sum along the last axis, keeping it.
Value rowSum(OpBuilder &b, Location loc, Value x) {
  return ReduceSumOp::create(b, loc, x, ArrayRef<int64_t>{-1},
                             /*keepdims=*/true);
}

} // namespace

//===----------------------------------------------------------------------===//
// Elementwise
//===----------------------------------------------------------------------===//

LogicalResult AddOp::buildVJP(OpBuilder &b, Value g, Grads &grads) {
  grads.push_back({getLhs(), sumToShape(b, getLoc(), g, getLhs().getType())});
  grads.push_back({getRhs(), sumToShape(b, getLoc(), g, getRhs().getType())});
  return success();
}

LogicalResult SubOp::buildVJP(OpBuilder &b, Value g, Grads &grads) {
  Location loc = getLoc();
  grads.push_back({getLhs(), sumToShape(b, loc, g, getLhs().getType())});
  grads.push_back({getRhs(), sumToShape(b, loc, NegOp::create(b, loc, g),
                                        getRhs().getType())});
  return success();
}

LogicalResult MulOp::buildVJP(OpBuilder &b, Value g, Grads &grads) {
  Location loc = getLoc();
  grads.push_back(
      {getLhs(), sumToShape(b, loc, MulOp::create(b, loc, g, getRhs()),
                            getLhs().getType())});
  grads.push_back(
      {getRhs(), sumToShape(b, loc, MulOp::create(b, loc, g, getLhs()),
                            getRhs().getType())});
  return success();
}

LogicalResult DivOp::buildVJP(OpBuilder &b, Value g, Grads &grads) {
  // d(a/b)/da = 1/b; d(a/b)/db = -(a/b)/b.
  Location loc = getLoc();
  Value ga = DivOp::create(b, loc, g, getRhs());
  grads.push_back({getLhs(), sumToShape(b, loc, ga, getLhs().getType())});
  Value gb = NegOp::create(
      b, loc,
      DivOp::create(b, loc, MulOp::create(b, loc, g, getResult()), getRhs()));
  grads.push_back({getRhs(), sumToShape(b, loc, gb, getRhs().getType())});
  return success();
}

LogicalResult NegOp::buildVJP(OpBuilder &b, Value g, Grads &grads) {
  grads.push_back({getInput(), NegOp::create(b, getLoc(), g)});
  return success();
}

LogicalResult ExpOp::buildVJP(OpBuilder &b, Value g, Grads &grads) {
  grads.push_back({getInput(), MulOp::create(b, getLoc(), g, getResult())});
  return success();
}

LogicalResult LogOp::buildVJP(OpBuilder &b, Value g, Grads &grads) {
  grads.push_back({getInput(), DivOp::create(b, getLoc(), g, getInput())});
  return success();
}

LogicalResult SqrtOp::buildVJP(OpBuilder &b, Value g, Grads &grads) {
  Location loc = getLoc();
  Value twiceY = MulOp::create(b, loc, getResult(), scalar(b, loc, g, 2.0));
  grads.push_back({getInput(), DivOp::create(b, loc, g, twiceY)});
  return success();
}

LogicalResult ReluOp::buildVJP(OpBuilder &b, Value g, Grads &grads) {
  // A select on the forward output: no recomputation, no comparison of x.
  grads.push_back({getInput(), ReluGradOp::create(b, getLoc(), g.getType(), g,
                                                  getResult())});
  return success();
}

LogicalResult SigmoidOp::buildVJP(OpBuilder &b, Value g, Grads &grads) {
  Location loc = getLoc();
  Value y = getResult();
  Value oneMinusY = SubOp::create(b, loc, scalar(b, loc, y, 1.0), y);
  grads.push_back(
      {getInput(),
       MulOp::create(b, loc, g, MulOp::create(b, loc, y, oneMinusY))});
  return success();
}

LogicalResult TanhOp::buildVJP(OpBuilder &b, Value g, Grads &grads) {
  Location loc = getLoc();
  Value y = getResult();
  Value dy = SubOp::create(b, loc, scalar(b, loc, y, 1.0),
                           MulOp::create(b, loc, y, y));
  grads.push_back({getInput(), MulOp::create(b, loc, g, dy)});
  return success();
}

//===----------------------------------------------------------------------===//
// Softmax and reductions
//===----------------------------------------------------------------------===//

LogicalResult SoftmaxOp::buildVJP(OpBuilder &b, Value g, Grads &grads) {
  // y * (g - sum(g * y))
  Location loc = getLoc();
  Value y = getResult();
  Value dot = ReduceSumOp::create(b, loc, MulOp::create(b, loc, g, y),
                                  ArrayRef<int64_t>{int64_t(getAxis())}, true);
  grads.push_back(
      {getInput(), MulOp::create(b, loc, y, SubOp::create(b, loc, g, dot))});
  return success();
}

LogicalResult LogSoftmaxOp::buildVJP(OpBuilder &b, Value g, Grads &grads) {
  // g - softmax * sum(g)
  Location loc = getLoc();
  Value sum = ReduceSumOp::create(b, loc, g,
                                  ArrayRef<int64_t>{int64_t(getAxis())}, true);
  Value softmax = ExpOp::create(b, loc, getResult());
  grads.push_back(
      {getInput(),
       SubOp::create(b, loc, g, MulOp::create(b, loc, softmax, sum))});
  return success();
}

LogicalResult ReduceSumOp::buildVJP(OpBuilder &b, Value g, Grads &grads) {
  Location loc = getLoc();
  Value gk = keepDims(b, loc, g, getInput(), getAxes(), getKeepdims());
  grads.push_back(
      {getInput(), BroadcastLikeOp::create(b, loc, gk, getInput())});
  return success();
}

LogicalResult ReduceMeanOp::buildVJP(OpBuilder &b, Value g, Grads &grads) {
  Location loc = getLoc();
  Value gk = keepDims(b, loc, g, getInput(), getAxes(), getKeepdims());
  Value count = countAlong(b, loc, getInput(), getAxes(), /*keepdims=*/true);
  Value spread = BroadcastLikeOp::create(b, loc, gk, getInput());
  grads.push_back({getInput(), DivOp::create(b, loc, spread, count)});
  return success();
}

LogicalResult ReduceMaxOp::buildVJP(OpBuilder &b, Value g, Grads &grads) {
  // The elements equal to their slice's maximum share its gradient evenly,
  // as in TensorFlow and PyTorch: the sum over a slice is what it gets.
  Location loc = getLoc();
  Value gk = keepDims(b, loc, g, getInput(), getAxes(), getKeepdims());
  Value yk =
      keepDims(b, loc, getResult(), getInput(), getAxes(), getKeepdims());
  Value mask = EqualOp::create(b, loc, getInput(), yk);
  Value ties = ReduceSumOp::create(b, loc, mask, getAxes(), /*keepdims=*/true);
  grads.push_back({getInput(), MulOp::create(b, loc, mask,
                                             DivOp::create(b, loc, gk, ties))});
  return success();
}

LogicalResult ClipOp::buildVJP(OpBuilder &b, Value g, Grads &grads) {
  // Identity where min <= x <= max, zero outside. At a bound the gradient
  // passes, as TensorFlow's clip_by_value has it (zero only where x < min
  // or x > max).
  Location loc = getLoc();
  Value mask = passedClip(b, loc, getResult(), getInput());
  grads.push_back({getInput(), MulOp::create(b, loc, g, mask)});
  return success();
}

//===----------------------------------------------------------------------===//
// Matmul and shape ops
//===----------------------------------------------------------------------===//

LogicalResult MatmulOp::buildVJP(OpBuilder &b, Value g, Grads &grads) {
  // C = op(A) op(B) with op = identity or transpose. For A:
  //   A:  g op(B)^T = matmul(g, B, tB ? none : transpose_rhs), or
  //   A^T: op(B) g^T = matmul(B, g, tB ? both : transpose_rhs);
  // and symmetrically for B.
  Location loc = getLoc();
  Value a = getLhs(), bm = getRhs();
  bool ta = getTransposeLhs(), tb = getTransposeRhs();
  Value ga = ta ? MatmulOp::create(b, loc, bm, g, tb, true).getResult()
                : MatmulOp::create(b, loc, g, bm, false, !tb).getResult();
  RankedTensorType at = tensorTypeOf(a), bt = tensorTypeOf(bm);
  Value gb;
  if (at.getRank() > 2 && bt.getRank() == 2 && !ta) {
    // A dense layer over a sequence: the kernel's gradient sums over every
    // leading dim, so it is one matmul of the rows of a and g (not one per
    // batch element, summed afterwards).
    auto rows = [&](Value v) -> Value {
      RankedTensorType t = tensorTypeOf(v);
      int64_t n = 1;
      for (int64_t d : t.getShape().drop_back())
        n = ShapedType::isDynamic(d) || ShapedType::isDynamic(n)
                ? ShapedType::kDynamic
                : n * d;
      auto type =
          RankedTensorType::get({n, t.getShape().back()}, t.getElementType());
      return ReshapeOp::create(b, loc, type, v);
    };
    Value ar = rows(a);
    Value gr = rows(g);
    gb = tb ? MatmulOp::create(b, loc, gr, ar, true, false).getResult()
            : MatmulOp::create(b, loc, ar, gr, true, false).getResult();
  } else {
    gb = tb ? MatmulOp::create(b, loc, g, a, true, ta).getResult()
            : MatmulOp::create(b, loc, a, g, !ta, false).getResult();
  }
  grads.push_back({a, sumToShape(b, loc, ga, tensorTypeOf(a))});
  grads.push_back({bm, sumToShape(b, loc, gb, tensorTypeOf(bm))});
  return success();
}

LogicalResult ReshapeOp::buildVJP(OpBuilder &b, Value g, Grads &grads) {
  if (mergesDynamicDims())
    return emitOpError() << "merges dynamic dimensions, whose sizes its "
                            "gradient could not split again";
  grads.push_back(
      {getInput(), ReshapeOp::create(b, getLoc(), getInput().getType(), g)});
  return success();
}

LogicalResult TransposeOp::buildVJP(OpBuilder &b, Value g, Grads &grads) {
  SmallVector<int64_t> inverse(getPerm().size());
  for (auto [i, p] : llvm::enumerate(getPerm()))
    inverse[p] = i;
  grads.push_back({getInput(), TransposeOp::create(b, getLoc(), g, inverse)});
  return success();
}

LogicalResult BroadcastToOp::buildVJP(OpBuilder &b, Value g, Grads &grads) {
  grads.push_back(
      {getInput(), sumToShape(b, getLoc(), g, getInput().getType())});
  return success();
}

//===----------------------------------------------------------------------===//
// Losses
//===----------------------------------------------------------------------===//

LogicalResult MSEOp::buildVJP(OpBuilder &b, Value g, Grads &grads) {
  Location loc = getLoc();
  Value p = getPrediction();
  Value diff = SubOp::create(b, loc, p, getTarget());
  Value twice = MulOp::create(b, loc, diff, scalar(b, loc, p, 2.0));
  Value gp = meanOverAll(b, loc, p, twice, g);
  grads.push_back({p, gp});
  grads.push_back({getTarget(), NegOp::create(b, loc, gp)});
  return success();
}

LogicalResult BinaryCrossentropyOp::buildVJP(OpBuilder &b, Value g,
                                             Grads &grads) {
  Location loc = getLoc();
  Value p = getPrediction(), t = getTarget();
  if (getFromLogits()) {
    // d/dz = sigmoid(z) - t; d/dt = -z.
    Value dz = SubOp::create(b, loc, SigmoidOp::create(b, loc, p), t);
    grads.push_back({p, meanOverAll(b, loc, p, dz, g)});
    grads.push_back({t, meanOverAll(b, loc, p, NegOp::create(b, loc, p), g)});
    return success();
  }
  // d/dp = (p - t) / (p (1 - p)) on the clipped p where the clip lets p
  // through, zero where it clamps p.
  Value pc = clipped(b, loc, p);
  Value one = scalar(b, loc, p, 1.0);
  Value oneMinusP = SubOp::create(b, loc, one, pc);
  Value variance = MulOp::create(b, loc, pc, oneMinusP);
  Value ratio = DivOp::create(b, loc, SubOp::create(b, loc, pc, t), variance);
  Value dp = MulOp::create(b, loc, passedClip(b, loc, pc, p), ratio);
  grads.push_back({p, meanOverAll(b, loc, p, dp, g)});
  // d/dt = log(1 - p) - log(p)
  Value logP = LogOp::create(b, loc, pc);
  Value dt = SubOp::create(b, loc, LogOp::create(b, loc, oneMinusP), logP);
  grads.push_back({t, meanOverAll(b, loc, p, dt, g)});
  return success();
}

LogicalResult CategoricalCrossentropyOp::buildVJP(OpBuilder &b, Value g,
                                                  Grads &grads) {
  Location loc = getLoc();
  Value p = getPrediction(), t = getTarget();
  if (getFromLogits()) {
    // d/dz = softmax(z) sum(t) - t; d/dt = -log_softmax(z).
    // One op per statement here and below: the order of evaluating call
    // arguments is unspecified, and the IR must not depend on the compiler.
    Value targetSum = rowSum(b, loc, t);
    Value softmax = SoftmaxOp::create(b, loc, p, int64_t(-1));
    Value dz =
        SubOp::create(b, loc, MulOp::create(b, loc, softmax, targetSum), t);
    grads.push_back({p, meanOverRows(b, loc, p, dz, g)});
    Value dt =
        NegOp::create(b, loc, LogSoftmaxOp::create(b, loc, p, int64_t(-1)));
    grads.push_back({t, meanOverRows(b, loc, p, dt, g)});
    return success();
  }
  // The loss is -sum(t log q) with q = clip(p / S), S the row sum. With
  // c = 1 where the clip lets p / S through and u = c t:
  // d/dp = (sum(u) - u / q) / S (u / q rather than u S / p: finite at 0).
  Value s = rowSum(b, loc, p);
  Value pn = DivOp::create(b, loc, p, s);
  Value q = clipped(b, loc, pn);
  Value u = MulOp::create(b, loc, passedClip(b, loc, q, pn), t);
  Value uOverQ = DivOp::create(b, loc, u, q);
  Value uSum = rowSum(b, loc, u);
  Value dp = DivOp::create(b, loc, SubOp::create(b, loc, uSum, uOverQ), s);
  grads.push_back({p, meanOverRows(b, loc, p, dp, g)});
  Value dt = NegOp::create(b, loc, LogOp::create(b, loc, q));
  grads.push_back({t, meanOverRows(b, loc, p, dt, g)});
  return success();
}

LogicalResult SparseCategoricalCrossentropyOp::buildVJP(OpBuilder &b, Value g,
                                                        Grads &grads) {
  Location loc = getLoc();
  Value p = getPrediction();
  Value oneHot = OneHotOp::create(b, loc, p.getType(), getTarget());
  if (getFromLogits()) {
    Value dz = SubOp::create(b, loc, SoftmaxOp::create(b, loc, p, int64_t(-1)),
                             oneHot);
    grads.push_back({p, meanOverRows(b, loc, p, dz, g)});
    return success();
  }
  // Keras clips, then normalizes: the loss is -log(pc[y] / S), S the row
  // sum of pc = clip(p). Where the clip lets p through:
  // d/dp = n / S - onehot / pc, n = sum(onehot) (0 for a label out of
  // range, whose row adds nothing to the loss).
  Value pc = clipped(b, loc, p);
  Value n = rowSum(b, loc, oneHot);
  Value oneHotOverP = DivOp::create(b, loc, oneHot, pc);
  Value nOverS = DivOp::create(b, loc, n, rowSum(b, loc, pc));
  Value difference = SubOp::create(b, loc, nOverS, oneHotOverP);
  Value dp = MulOp::create(b, loc, passedClip(b, loc, pc, p), difference);
  grads.push_back({p, meanOverRows(b, loc, p, dp, g)});
  return success();
}

//===----------------------------------------------------------------------===//
// Sequences
//===----------------------------------------------------------------------===//

LogicalResult GeluOp::buildVJP(OpBuilder &b, Value g, Grads &grads) {
  grads.push_back(
      {getInput(), GeluGradOp::create(b, getLoc(), g.getType(), g, getInput(),
                                      getApproximateAttr())});
  return success();
}

LogicalResult WhereOp::buildVJP(OpBuilder &b, Value g, Grads &grads) {
  Location loc = getLoc();
  Value zero = scalar(b, loc, g, 0.0);
  Value c = getCondition();
  Value ga = WhereOp::create(b, loc, g.getType(), c, g, zero);
  Value gb = WhereOp::create(b, loc, g.getType(), c, zero, g);
  grads.push_back({getLhs(), sumToShape(b, loc, ga, getLhs().getType())});
  grads.push_back({getRhs(), sumToShape(b, loc, gb, getRhs().getType())});
  return success();
}

LogicalResult ConcatOp::buildVJP(OpBuilder &b, Value g, Grads &grads) {
  Location loc = getLoc();
  int64_t rank = getType().getRank();
  int64_t axis = *normalizeAxis(int64_t(getAxis()), rank);
  int64_t offset = 0;
  for (Value v : getInputs()) {
    RankedTensorType t = tensorTypeOf(v);
    if (llvm::isa<FloatType>(t.getElementType()))
      grads.push_back(
          {v, SliceOp::create(b, loc, t, g, b.getI64IntegerAttr(axis),
                              b.getI64IntegerAttr(offset))});
    offset += t.getDimSize(axis);
  }
  return success();
}

LogicalResult GatherOp::buildVJP(OpBuilder &b, Value g, Grads &grads) {
  grads.push_back(
      {getTable(), GatherGradOp::create(b, getLoc(), getTable().getType(), g,
                                        getIndices())});
  return success();
}

LogicalResult SliceOp::buildVJP(OpBuilder &b, Value g, Grads &grads) {
  grads.push_back({getInput(), SliceGradOp::create(
                                   b, getLoc(), getInput().getType(), g,
                                   getInput(), getAxisAttr(), getStartAttr())});
  return success();
}

LogicalResult LSTMScanOp::buildVJP(OpBuilder &, Value, Grads &) {
  return emitOpError() << "has several results: use buildVJPs";
}

LogicalResult LSTMScanOp::buildVJPs(OpBuilder &b, ValueRange resultGrads,
                                    Grads &grads) {
  Location loc = getLoc();
  if (resultGrads[2] || resultGrads[3])
    return emitOpError() << "cannot be differentiated through its saved "
                            "cells or gates (results 2 and 3)";
  auto zerosLike = [&](Value like) -> Value {
    return BroadcastLikeOp::create(b, loc, scalar(b, loc, like, 0.0), like);
  };
  Value dhs = resultGrads[0] ? resultGrads[0] : zerosLike(getSequence());
  Value dc = resultGrads[1] ? resultGrads[1] : zerosLike(getCell());
  auto grad = LSTMScanGradOp::create(
      b, loc, TypeRange{getInputs().getType(), getRecurrentKernel().getType()},
      dhs, dc, getRecurrentKernel(), getSequence(), getCells(), getGates(),
      getActivationAttr(), getRecurrentActivationAttr());
  grads.push_back({getInputs(), grad.getInputsGrad()});
  grads.push_back({getRecurrentKernel(), grad.getRecurrentKernelGrad()});
  return success();
}

LogicalResult GRUScanOp::buildVJP(OpBuilder &, Value, Grads &) {
  return emitOpError() << "has several results: use buildVJPs";
}

LogicalResult GRUScanOp::buildVJPs(OpBuilder &b, ValueRange resultGrads,
                                   Grads &grads) {
  if (resultGrads[1] || resultGrads[2])
    return emitOpError() << "cannot be differentiated through its saved "
                            "gates or recurrent candidate (results 1 and 2)";
  auto grad = GRUScanGradOp::create(
      b, getLoc(),
      TypeRange{getInputs().getType(), getRecurrentKernel().getType(),
                getRecurrentBias().getType()},
      resultGrads[0], getRecurrentKernel(), getSequence(), getGates(),
      getRecurrentCandidate(), getActivationAttr(),
      getRecurrentActivationAttr());
  grads.push_back({getInputs(), grad.getInputsGrad()});
  grads.push_back({getRecurrentKernel(), grad.getRecurrentKernelGrad()});
  grads.push_back({getRecurrentBias(), grad.getRecurrentBiasGrad()});
  return success();
}

//===----------------------------------------------------------------------===//
// Convolution and pooling
//===----------------------------------------------------------------------===//

LogicalResult ConvOp::buildVJP(OpBuilder &b, Value g, Grads &grads) {
  Location loc = getLoc();
  Value gx = ConvInputGradOp::create(b, loc, getInput().getType(), g,
                                     getKernel(), getStridesAttr(),
                                     getDilationsAttr(), getPadsAttr());
  Value gk = ConvFilterGradOp::create(b, loc, getKernel().getType(), getInput(),
                                      g, getStridesAttr(), getDilationsAttr(),
                                      getPadsAttr());
  grads.push_back({getInput(), gx});
  grads.push_back({getKernel(), gk});
  return success();
}

LogicalResult DepthwiseConvOp::buildVJP(OpBuilder &b, Value g, Grads &grads) {
  Location loc = getLoc();
  Value gx = DepthwiseConvInputGradOp::create(
      b, loc, getInput().getType(), g, getKernel(), getStridesAttr(),
      getDilationsAttr(), getPadsAttr());
  Value gk = DepthwiseConvFilterGradOp::create(
      b, loc, getKernel().getType(), getInput(), g, getStridesAttr(),
      getDilationsAttr(), getPadsAttr());
  grads.push_back({getInput(), gx});
  grads.push_back({getKernel(), gk});
  return success();
}

LogicalResult MaxPoolOp::buildVJP(OpBuilder &b, Value g, Grads &grads) {
  grads.push_back(
      {getInput(), MaxPoolGradOp::create(b, getLoc(), getInput().getType(), g,
                                         getInput(), getWindowAttr(),
                                         getStridesAttr(), getPadsAttr())});
  return success();
}

LogicalResult AvgPoolOp::buildVJP(OpBuilder &b, Value g, Grads &grads) {
  grads.push_back(
      {getInput(), AvgPoolGradOp::create(b, getLoc(), getInput().getType(), g,
                                         getWindowAttr(), getStridesAttr(),
                                         getPadsAttr())});
  return success();
}

LogicalResult AttentionOp::buildVJP(OpBuilder &b, Value g, Grads &grads) {
  auto grad = AttentionGradOp::create(
      b, getLoc(),
      TypeRange{getQuery().getType(), getKey().getType(), getValue().getType()},
      getQuery(), getKey(), getValue(), g, getNumHeadsAttr(), getScaleAttr(),
      getCausalAttr());
  // Self-attention passes one value as q, k and v: Grads sums repeats.
  grads.push_back({getQuery(), grad.getQueryGrad()});
  grads.push_back({getKey(), grad.getKeyGrad()});
  grads.push_back({getValue(), grad.getValueGrad()});
  return success();
}
