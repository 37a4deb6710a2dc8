//===- MLCTrainingOps.cpp - ops that differ in training and inference -----===//
//
// Dropout and batch normalization: their layers' verifiers, the assign of
// a non-trainable param, and the expansion of the mode-dependent core ops
// into core ops for one mode (TrainingModeOpInterface), which
// mlc-build-entry-points calls as it copies the graph into each entry
// point. The expansions use differentiable core ops only, so mlc-autodiff
// derives their gradients (batch statistics included).
//
//===----------------------------------------------------------------------===//

#include "dialects/MLC/IR/MLCDialect.h"
#include "dialects/MLC/IR/OpVerification.h"

#include "mlir/IR/Builders.h"

using namespace mlir;
using namespace mlc;
using namespace mlc::detail;

//===----------------------------------------------------------------------===//
// Verifiers
//===----------------------------------------------------------------------===//

LogicalResult AssignOp::verifySymbolUses(SymbolTableCollection &tables) {
  auto param = llvm::dyn_cast_or_null<ParamOp>(
      tables.lookupNearestSymbolFrom(getOperation(), getParamAttr()));
  if (!param)
    return emitOpError() << "assigns @" << getParam()
                         << ", which is not an mlc.param of the enclosing "
                            "model";
  if (param.getTrainable())
    return emitOpError() << "assigns @" << getParam()
                         << ", a trainable param (the optimizer updates "
                            "those); declare it with {trainable = false}";
  if (param.getType() != getValue().getType())
    return emitOpError() << "value has type " << getValue().getType()
                         << ", but param @" << getParam() << " has type "
                         << param.getType();
  for (AssignOp other : getOperation()->getBlock()->getOps<AssignOp>()) {
    if (other == *this)
      break;
    if (other.getParam() == getParam())
      return emitOpError() << "assigns @" << getParam()
                           << " a second time (first at " << other.getLoc()
                           << ")";
  }
  return success();
}

static LogicalResult checkRate(Operation *op, double rate) {
  if (!(rate >= 0.0 && rate < 1.0))
    return op->emitOpError() << "rate must be in [0, 1), got " << rate;
  return success();
}

LogicalResult DropoutOp::verify() {
  return checkRate(*this, getRate().convertToDouble());
}

LogicalResult BatchNormOp::verify() {
  RankedTensorType in = getInput().getType();
  if (in.getRank() < 2 || in.isDynamicDim(in.getRank() - 1))
    return emitOpError() << "input needs a batch dimension and a static last "
                            "(channel) dimension, got "
                         << in;
  double momentum = getMomentum().convertToDouble(),
         epsilon = getEpsilon().convertToDouble();
  if (!(momentum >= 0.0 && momentum <= 1.0))
    return emitOpError() << "momentum must be in [0, 1], got " << momentum;
  if (!(epsilon > 0.0))
    return emitOpError() << "epsilon must be positive, got " << epsilon;
  return success();
}

/// The generator's state: two floats whose bits key the masks.
static LogicalResult checkState(Operation *op, RankedTensorType state) {
  if (state.getRank() != 1 || state.getDimSize(0) != 2 ||
      !state.getElementType().isF32())
    return op->emitOpError() << "state must be tensor<2xf32>, got " << state;
  return success();
}

LogicalResult DropoutMaskOp::verify() {
  if (failed(checkState(*this, getState().getType())))
    return failure();
  if (getType() != getLike().getType())
    return emitOpError() << "result must have the type of `like` "
                         << getLike().getType() << ", got " << getType();
  return checkRate(*this, getRate().convertToDouble());
}

LogicalResult
DropoutMaskOp::buildVJP(OpBuilder &, Value,
                        SmallVectorImpl<std::pair<Value, Value>> &) {
  // Constant almost everywhere in `like`, and `state` is not trained.
  return success();
}

LogicalResult ApplyDropoutOp::verify() {
  if (failed(checkState(*this, getState().getType())))
    return failure();
  return checkRate(*this, getRate().convertToDouble());
}

LogicalResult ApplyBatchNormOp::verify() {
  RankedTensorType in = getInput().getType();
  if (in.getRank() < 2 || in.isDynamicDim(in.getRank() - 1))
    return emitOpError() << "input needs a batch dimension and a static last "
                            "(channel) dimension, got "
                         << in;
  auto expected = RankedTensorType::get({in.getDimSize(in.getRank() - 1)},
                                        in.getElementType());
  if (getGamma().getType() != expected)
    return emitOpError() << "statistics and scales must be " << expected
                         << " (one per channel of " << in << "), got "
                         << getGamma().getType();
  return success();
}

//===----------------------------------------------------------------------===//
// Expansions
//===----------------------------------------------------------------------===//

/// A rank-0 constant of `like`'s element type.
static Value scalarLike(OpBuilder &b, Location loc, Value like, double value) {
  auto type = RankedTensorType::get({}, tensorTypeOf(like).getElementType());
  return ConstantOp::create(
      b, loc, type,
      DenseElementsAttr::get(type,
                             b.getFloatAttr(type.getElementType(), value)));
}

SmallVector<Value> ApplyDropoutOp::expand(OpBuilder &b, ValueRange operands,
                                          bool training) {
  Value x = operands[0];
  double rate = getRate().convertToDouble();
  if (!training || rate == 0.0)
    return {x};
  Location loc = getLoc();
  Value mask = DropoutMaskOp::create(b, loc, x.getType(), operands[1], x,
                                     getRateAttr(), getStreamAttr());
  return {MulOp::create(b, loc, x, mask)};
}

SmallVector<Value> ApplyBatchNormOp::expand(OpBuilder &b, ValueRange operands,
                                            bool training) {
  Location loc = getLoc();
  Value x = operands[0], gamma = operands[1], beta = operands[2],
        movingMean = operands[3], movingVar = operands[4];
  int64_t rank = tensorTypeOf(x).getRank();
  SmallVector<int64_t> axes;
  for (int64_t d = 0; d + 1 < rank; ++d)
    axes.push_back(d);
  Value mean = movingMean, var = movingVar;
  if (training) {
    mean = ReduceMeanOp::create(b, loc, x, axes, /*keepdims=*/false);
    Value centered = SubOp::create(b, loc, x, mean);
    Value squares = MulOp::create(b, loc, centered, centered);
    var = ReduceMeanOp::create(b, loc, squares, axes, /*keepdims=*/false);
  }
  // inv = gamma / sqrt(var + epsilon); y = x * inv + (beta - mean * inv).
  Value eps = scalarLike(b, loc, x, getEpsilon().convertToDouble());
  Value root = SqrtOp::create(b, loc, AddOp::create(b, loc, var, eps));
  Value inv = DivOp::create(b, loc, gamma, root);
  Value shift = SubOp::create(b, loc, beta, MulOp::create(b, loc, mean, inv));
  Value y = AddOp::create(b, loc, MulOp::create(b, loc, x, inv), shift);
  if (!training)
    return {y, movingMean, movingVar};
  double momentum = getMomentum().convertToDouble();
  auto blend = [&](Value moving, Value batch) -> Value {
    Value kept = MulOp::create(b, loc, moving, scalarLike(b, loc, x, momentum));
    Value added =
        MulOp::create(b, loc, batch, scalarLike(b, loc, x, 1.0 - momentum));
    return AddOp::create(b, loc, kept, added);
  };
  Value newMean = blend(movingMean, mean);
  Value newVar = blend(movingVar, var);
  return {y, newMean, newVar};
}
