//===- MLCSequenceOps.cpp - verifiers of the sequence ops -----------------===//
//
// Slices along an axis and the LSTM layer, its recurrence and the
// recurrence's gradient.
//
//===----------------------------------------------------------------------===//

#include "dialects/MLC/IR/MLCDialect.h"
#include "dialects/MLC/IR/OpVerification.h"

#include "mlir/IR/Builders.h"

using namespace mlir;
using namespace mlc;
using namespace mlc::detail;

//===----------------------------------------------------------------------===//
// Embeddings
//===----------------------------------------------------------------------===//

/// The type of rows of `width` gathered by `indices`.
static RankedTensorType gatheredType(RankedTensorType indices, int64_t width,
                                     Type elt) {
  SmallVector<int64_t> shape(indices.getShape());
  shape.push_back(width);
  return RankedTensorType::get(shape, elt);
}

LogicalResult EmbeddingOp::verify() {
  RankedTensorType in = getInput().getType();
  if (in.getRank() < 1)
    return emitOpError() << "input must be token ids (batch, ...), got " << in;
  if (getInputDim() > (int64_t(1) << 31) || getOutputDim() > (int64_t(1) << 24))
    return emitOpError() << "input_dim must be at most 2^31 and output_dim "
                            "at most 2^24";
  Type elt = getType().getElementType();
  return checkResult(
      *this, gatheredType(in, getOutputDim(), elt), [&](InFlightDiagnostic &d) {
        d << "input " << in << " with output_dim = " << getOutputDim();
      });
}

LogicalResult GatherOp::verify() {
  RankedTensorType table = getTable().getType();
  if (getIndices().getType().getRank() < 1)
    return emitOpError() << "indices need rank >= 1, got "
                         << getIndices().getType();
  if (table.getRank() != 2 || !table.hasStaticShape())
    return emitOpError() << "table must be a static (rows, width) matrix, got "
                         << table;
  return checkResult(*this,
                     gatheredType(getIndices().getType(), table.getDimSize(1),
                                  table.getElementType()),
                     [&](InFlightDiagnostic &d) {
                       d << "table " << table << " and indices "
                         << getIndices().getType();
                     });
}

LogicalResult GatherGradOp::verify() {
  RankedTensorType table = getType(), g = getGrad().getType();
  if (getIndices().getType().getRank() < 1)
    return emitOpError() << "indices need rank >= 1, got "
                         << getIndices().getType();
  if (table.getRank() != 2 || !table.hasStaticShape())
    return emitOpError() << "result must be a static (rows, width) matrix, got "
                         << table;
  RankedTensorType expected = gatheredType(
      getIndices().getType(), table.getDimSize(1), table.getElementType());
  if (g != expected)
    return emitOpError() << "gradient must be " << expected << " for indices "
                         << getIndices().getType() << " and table " << table
                         << ", got " << g;
  return success();
}

//===----------------------------------------------------------------------===//
// Slices
//===----------------------------------------------------------------------===//

/// Checks a slice of `sliced` (the slice's type) out of `whole` along
/// `axis` from `start`.
static LogicalResult verifySlice(Operation *op, RankedTensorType whole,
                                 RankedTensorType sliced, int64_t axis,
                                 int64_t start) {
  if (whole.getElementType() != sliced.getElementType())
    return op->emitOpError()
           << "slice and whole must have one element type, got " << sliced
           << " and " << whole;
  if (whole.getRank() != sliced.getRank())
    return op->emitOpError() << "slice " << sliced << " and whole " << whole
                             << " must have the same rank";
  FailureOr<int64_t> a = normalizeAxis(axis, whole.getRank());
  if (failed(a))
    return op->emitOpError()
           << "axis " << axis << " is out of range for " << whole;
  for (int64_t d = 0; d < whole.getRank(); ++d) {
    if (d == *a)
      continue;
    if (whole.getDimSize(d) != sliced.getDimSize(d))
      return op->emitOpError()
             << "slice " << sliced << " must keep dimension " << d << " of "
             << whole << " (only axis " << *a << " is sliced)";
  }
  int64_t n = sliced.getDimSize(*a);
  if (ShapedType::isDynamic(n) || n < 1)
    return op->emitOpError() << "the slice's size along axis " << *a
                             << " must be static and positive, got " << sliced;
  int64_t size = whole.getDimSize(*a);
  if (start < -(int64_t(1) << 40) || start > (int64_t(1) << 40))
    return op->emitOpError() << "start " << start << " is out of range";
  if (!ShapedType::isDynamic(size)) {
    int64_t first = start < 0 ? size + start : start;
    if (first < 0 || first + n > size)
      return op->emitOpError()
             << "elements " << start << " .. " << start << " + " << n
             << " are outside axis " << *a << " of " << whole;
  } else if (start < 0 && n > -start) {
    return op->emitOpError() << "a slice of " << n << " from " << start
                             << " would run past the end of axis " << *a;
  }
  return success();
}

LogicalResult SliceOp::verify() {
  return verifySlice(*this, getInput().getType(), getType(), getAxis(),
                     getStart());
}

LogicalResult SliceGradOp::verify() {
  if (getType() != getLike().getType())
    return emitOpError() << "result must have the type of 'like' "
                         << getLike().getType() << ", got " << getType();
  return verifySlice(*this, getLike().getType(), getGrad().getType(), getAxis(),
                     getStart());
}

LogicalResult SplitOp::verify() {
  RankedTensorType in = getInput().getType();
  FailureOr<int64_t> axis = normalizeAxis(int64_t(getAxis()), in.getRank());
  if (failed(axis))
    return emitOpError() << "axis " << int64_t(getAxis())
                         << " is out of range for " << in;
  if (getParts().empty())
    return emitOpError() << "needs at least one part";
  int64_t total = 0;
  for (Type t : getParts().getTypes()) {
    auto part = llvm::cast<RankedTensorType>(t);
    if (failed(verifySlice(*this, in, part, *axis, total)))
      return failure();
    total += part.getDimSize(*axis);
  }
  if (!in.isDynamicDim(*axis) && total != in.getDimSize(*axis))
    return emitOpError() << "parts add up to " << total << " along axis "
                         << *axis << ", but the input " << in << " has "
                         << in.getDimSize(*axis);
  return success();
}

LogicalResult ConcatOp::verify() {
  if (getInputs().empty())
    return emitOpError() << "needs at least one input";
  RankedTensorType first = tensorTypeOf(getInputs().front());
  FailureOr<int64_t> axis = normalizeAxis(int64_t(getAxis()), first.getRank());
  if (failed(axis))
    return emitOpError() << "axis " << int64_t(getAxis())
                         << " is out of range for " << first;
  SmallVector<int64_t> shape(first.getShape());
  shape[*axis] = 0;
  for (Value v : getInputs()) {
    RankedTensorType t = tensorTypeOf(v);
    if (t.getElementType() != first.getElementType() ||
        t.getRank() != first.getRank())
      return emitOpError() << "inputs must have one element type and rank, "
                              "got "
                           << first << " and " << t;
    if (t.isDynamicDim(*axis))
      return emitOpError() << "input " << t << " must have a static size "
                           << "along axis " << *axis;
    for (int64_t d = 0; d < t.getRank(); ++d)
      if (d != *axis && t.getDimSize(d) != first.getDimSize(d))
        return emitOpError()
               << "inputs " << first << " and " << t << " differ in dimension "
               << d << ", which is not the axis " << *axis;
    shape[*axis] += t.getDimSize(*axis);
  }
  return checkResult(*this,
                     RankedTensorType::get(shape, first.getElementType()),
                     [&](InFlightDiagnostic &d) {
                       d << "joining the inputs along axis " << *axis;
                     });
}

LogicalResult WhereOp::verify() {
  RankedTensorType c = getCondition().getType(), a = getLhs().getType(),
                   b = getRhs().getType();
  if (a.getElementType() != b.getElementType())
    return emitOpError() << "lhs " << a << " and rhs " << b
                         << " must have one element type";
  auto ab = broadcastShapes(a.getShape(), b.getShape());
  FailureOr<SmallVector<int64_t>> all = failure();
  if (succeeded(ab))
    all = broadcastShapes(c.getShape(), *ab);
  if (failed(all))
    return emitOpError() << "condition " << c << ", lhs " << a << " and rhs "
                         << b << " do not broadcast together";
  return checkResult(*this, RankedTensorType::get(*all, a.getElementType()),
                     [&](InFlightDiagnostic &d) {
                       d << "broadcasting condition " << c << ", lhs " << a
                         << " and rhs " << b;
                     });
}

LogicalResult LayerNormOp::verify() {
  RankedTensorType in = getInput().getType();
  if (in.getRank() < 1 || in.isDynamicDim(in.getRank() - 1))
    return emitOpError() << "input needs a static last axis, got " << in;
  if (!(getEpsilon().convertToDouble() > 0))
    return emitOpError() << "epsilon must be positive, got "
                         << getEpsilon().convertToDouble();
  return success();
}

//===----------------------------------------------------------------------===//
// LSTM
//===----------------------------------------------------------------------===//

/// Fails unless `v` has type `t`, naming it `what`.
static LogicalResult expectType(Operation *op, Value v, RankedTensorType t,
                                StringRef what) {
  if (v.getType() != t)
    return op->emitOpError()
           << what << " must be " << t << ", got " << v.getType();
  return success();
}

/// Activations a recurrence can take: their derivative follows from their
/// output.
static LogicalResult checkRecurrentActivation(Operation *op, StringRef what,
                                              Activation act) {
  if (act != Activation::tanh && act != Activation::sigmoid &&
      act != Activation::relu && act != Activation::linear)
    return op->emitOpError() << what << " must be tanh, sigmoid, relu or "
                             << "linear, got " << stringifyActivation(act);
  return success();
}

/// Checks a recurrent layer's input and activations and its results: the
/// last h or every step's, then `states` more (batch, units) values with
/// `return_state`.
static LogicalResult verifyRecurrentLayer(Operation *op, Value input,
                                          int64_t units, Activation act,
                                          Activation gateAct,
                                          bool returnSequences,
                                          bool returnState, int64_t states) {
  auto in = llvm::cast<RankedTensorType>(input.getType());
  if (in.getRank() != 3)
    return op->emitOpError()
           << "input must be (batch, time, features), got " << in;
  if (in.isDynamicDim(2))
    return op->emitOpError() << "input features must be static, got " << in;
  if (failed(checkRecurrentActivation(op, "activation", act)) ||
      failed(checkRecurrentActivation(op, "recurrent_activation", gateAct)))
    return failure();
  if (units > (int64_t(1) << 24))
    return op->emitOpError() << "units must be at most 16777216, got " << units;
  Type elt = in.getElementType();
  auto state = RankedTensorType::get({in.getDimSize(0), units}, elt);
  SmallVector<Type> expected;
  expected.push_back(returnSequences
                         ? RankedTensorType::get(
                               {in.getDimSize(0), in.getDimSize(1), units}, elt)
                         : state);
  if (returnState)
    for (int64_t i = 0; i < states; ++i)
      expected.push_back(state);
  if (TypeRange(op->getResultTypes()) != TypeRange(expected)) {
    InFlightDiagnostic d = op->emitOpError();
    d << "with input " << in << ", units = " << units
      << (returnSequences ? ", return_sequences" : "")
      << (returnState ? ", return_state" : "") << " the results must be (";
    llvm::interleaveComma(expected, d);
    d << "), got (";
    llvm::interleaveComma(op->getResultTypes(), d);
    return d << ")";
  }
  return success();
}

LogicalResult GRUOp::verify() {
  return verifyRecurrentLayer(*this, getInput(), getUnits(), getActivation(),
                              getRecurrentActivation(), getReturnSequences(),
                              getReturnState(), 1);
}

/// The units of a recurrence whose per-step inputs are (batch, time,
/// `gates` units) and whose recurrent kernel `rk` is (units, `gates`
/// units), or failure after saying which is wrong.
static FailureOr<int64_t> recurrenceUnits(Operation *op,
                                          RankedTensorType inputs,
                                          RankedTensorType rk, int64_t gates) {
  if (inputs.getRank() != 3 || inputs.isDynamicDim(2) ||
      inputs.getDimSize(2) % gates != 0)
    return op->emitOpError() << "inputs must be (batch, time, " << gates
                             << " * units) with static units, got " << inputs;
  int64_t units = inputs.getDimSize(2) / gates;
  auto rkType =
      RankedTensorType::get({units, gates * units}, inputs.getElementType());
  if (rk != rkType)
    return op->emitOpError() << "recurrent kernel must be " << rkType
                             << " for inputs " << inputs << ", got " << rk;
  return units;
}

/// The types a gru_scan of `inputs` (batch, time, 3 units) has: sequence,
/// gates, recurrent candidate.
static FailureOr<SmallVector<RankedTensorType, 3>>
gruScanTypes(Operation *op, RankedTensorType inputs, RankedTensorType rk,
             RankedTensorType rb) {
  FailureOr<int64_t> n = recurrenceUnits(op, inputs, rk, 3);
  if (failed(n))
    return failure();
  int64_t units = *n;
  Type elt = inputs.getElementType();
  auto rbType = RankedTensorType::get({3 * units}, elt);
  if (rb != rbType)
    return op->emitOpError() << "recurrent bias must be " << rbType
                             << " for inputs " << inputs << ", got " << rb;
  int64_t batch = inputs.getDimSize(0), time = inputs.getDimSize(1);
  auto seq = RankedTensorType::get({batch, time, units}, elt);
  return SmallVector<RankedTensorType, 3>{seq, inputs, seq};
}

LogicalResult GRUScanOp::verify() {
  auto types =
      gruScanTypes(*this, getInputs().getType(), getRecurrentKernel().getType(),
                   getRecurrentBias().getType());
  if (failed(types))
    return failure();
  if (!llvm::equal(getResultTypes(), *types,
                   [](Type a, RankedTensorType b) { return a == b; }))
    return emitOpError() << "results must be (" << (*types)[0] << ", "
                         << (*types)[1] << ", " << (*types)[2]
                         << ") for inputs " << getInputs().getType();
  if (failed(checkRecurrentActivation(*this, "activation", getActivation())) ||
      failed(checkRecurrentActivation(*this, "recurrent_activation",
                                      getRecurrentActivation())))
    return failure();
  return success();
}

LogicalResult GRUScanGradOp::verify() {
  RankedTensorType rk = getRecurrentKernel().getType();
  auto rb = RankedTensorType::get({rk.getShape().back()}, rk.getElementType());
  auto types = gruScanTypes(*this, getGates().getType(), rk, rb);
  if (failed(types))
    return failure();
  auto expect = [&](Value v, RankedTensorType t, StringRef what) {
    return expectType(*this, v, t, what);
  };
  if (failed(expect(getSequenceGrad(), (*types)[0], "sequence gradient")) ||
      failed(expect(getSequence(), (*types)[0], "sequence")) ||
      failed(expect(getRecurrentCandidate(), (*types)[2],
                    "recurrent candidate")) ||
      failed(expect(getInputsGrad(), (*types)[1], "inputs gradient")) ||
      failed(
          expect(getRecurrentKernelGrad(), rk, "recurrent kernel gradient")) ||
      failed(expect(getRecurrentBiasGrad(), rb, "recurrent bias gradient")))
    return failure();
  if (failed(checkRecurrentActivation(*this, "activation", getActivation())) ||
      failed(checkRecurrentActivation(*this, "recurrent_activation",
                                      getRecurrentActivation())))
    return failure();
  return success();
}

LogicalResult LSTMOp::verify() {
  if (getUseBias() && getUnitForgetBias() && getBiasInitializer() &&
      !llvm::isa<ZerosAttr>(*getBiasInitializer()))
    return emitOpError() << "unit_forget_bias sets the bias to zeros with "
                            "ones for the forget gate; with bias_initializer "
                         << *getBiasInitializer()
                         << " set unit_forget_bias = false";
  return verifyRecurrentLayer(*this, getInput(), getUnits(), getActivation(),
                              getRecurrentActivation(), getReturnSequences(),
                              getReturnState(), 2);
}

/// The types an lstm_scan of `inputs` (batch, time, 4 units) has:
/// sequence, cell, cells, gates.
static FailureOr<SmallVector<RankedTensorType, 4>>
lstmScanTypes(Operation *op, RankedTensorType inputs, RankedTensorType rk) {
  FailureOr<int64_t> n = recurrenceUnits(op, inputs, rk, 4);
  if (failed(n))
    return failure();
  int64_t units = *n;
  Type elt = inputs.getElementType();
  int64_t batch = inputs.getDimSize(0), time = inputs.getDimSize(1);
  return SmallVector<RankedTensorType, 4>{
      RankedTensorType::get({batch, time, units}, elt),
      RankedTensorType::get({batch, units}, elt),
      RankedTensorType::get({batch, time, units}, elt), inputs};
}

void LSTMScanOp::build(OpBuilder &b, OperationState &state, Value inputs,
                       Value recurrentKernel, Activation activation,
                       Activation recurrentActivation) {
  RankedTensorType in = tensorTypeOf(inputs);
  int64_t units = in.getDimSize(2) / 4;
  Type elt = in.getElementType();
  int64_t batch = in.getDimSize(0), time = in.getDimSize(1);
  auto seq = RankedTensorType::get({batch, time, units}, elt);
  auto cell = RankedTensorType::get({batch, units}, elt);
  build(b, state, TypeRange{seq, cell, seq, in}, inputs, recurrentKernel,
        ActivationAttr::get(b.getContext(), activation),
        ActivationAttr::get(b.getContext(), recurrentActivation));
}

LogicalResult LSTMScanOp::verify() {
  auto types = lstmScanTypes(*this, getInputs().getType(),
                             getRecurrentKernel().getType());
  if (failed(types))
    return failure();
  if (!llvm::equal(getResultTypes(), *types,
                   [](Type a, RankedTensorType b) { return a == b; }))
    return emitOpError() << "results must be (" << (*types)[0] << ", "
                         << (*types)[1] << ", " << (*types)[2] << ", "
                         << (*types)[3] << ") for inputs "
                         << getInputs().getType();
  if (failed(checkRecurrentActivation(*this, "activation", getActivation())) ||
      failed(checkRecurrentActivation(*this, "recurrent_activation",
                                      getRecurrentActivation())))
    return failure();
  return success();
}

LogicalResult LSTMScanGradOp::verify() {
  auto types = lstmScanTypes(*this, getGates().getType(),
                             getRecurrentKernel().getType());
  if (failed(types))
    return failure();
  auto expect = [&](Value v, RankedTensorType t, StringRef what) {
    return expectType(*this, v, t, what);
  };
  if (failed(expect(getSequenceGrad(), (*types)[0], "sequence gradient")) ||
      failed(expect(getCellGrad(), (*types)[1], "cell gradient")) ||
      failed(expect(getSequence(), (*types)[0], "sequence")) ||
      failed(expect(getCells(), (*types)[2], "cells")) ||
      failed(expect(getInputsGrad(), (*types)[3], "inputs gradient")) ||
      failed(expect(getRecurrentKernelGrad(), getRecurrentKernel().getType(),
                    "recurrent kernel gradient")))
    return failure();
  if (failed(checkRecurrentActivation(*this, "activation", getActivation())) ||
      failed(checkRecurrentActivation(*this, "recurrent_activation",
                                      getRecurrentActivation())))
    return failure();
  return success();
}

//===----------------------------------------------------------------------===//
// Attention
//===----------------------------------------------------------------------===//

/// Compatible sizes: equal, or one of them dynamic.
static bool sameSize(int64_t a, int64_t b) {
  return ShapedType::isDynamic(a) || ShapedType::isDynamic(b) || a == b;
}

/// The static one of two compatible sizes, if either is.
static int64_t joinSize(int64_t a, int64_t b) {
  return ShapedType::isDynamic(a) ? b : a;
}

/// Checks a `(batch, time, features)` sequence operand `what` of `op`.
static LogicalResult checkSequence(Operation *op, RankedTensorType t,
                                   StringRef what) {
  if (t.getRank() != 3 || t.isDynamicDim(2))
    return op->emitOpError()
           << what << " must be (batch, time, features) with static features, "
           << "got " << t;
  return success();
}

LogicalResult MultiHeadAttentionOp::verify() {
  RankedTensorType q = getQuery().getType(), v = getValue().getType();
  RankedTensorType k = getKey() ? getKey().getType() : v;
  if (failed(checkSequence(*this, q, "query")) ||
      failed(checkSequence(*this, v, "value")) ||
      failed(checkSequence(*this, k, "key")))
    return failure();
  if (q.getElementType() != v.getElementType() ||
      k.getElementType() != v.getElementType())
    return emitOpError() << "query, key and value must have one element type";
  if (!sameSize(q.getDimSize(0), v.getDimSize(0)) ||
      !sameSize(k.getDimSize(0), v.getDimSize(0)))
    return emitOpError() << "query " << q << ", key " << k << " and value " << v
                         << " must have one batch size";
  if (!sameSize(k.getDimSize(1), v.getDimSize(1)))
    return emitOpError() << "key " << k << " and value " << v
                         << " must have one length";
  int64_t heads = getNumHeads(),
          dims[] = {int64_t(getKeyDim()),
                    int64_t(getValueDim().value_or(getKeyDim()))};
  for (int64_t d : dims)
    if (heads * d > (int64_t(1) << 24))
      return emitOpError() << "num_heads x key_dim and num_heads x value_dim "
                              "must be at most 2^24";
  return checkResult(
      *this,
      RankedTensorType::get({joinSize(q.getDimSize(0), v.getDimSize(0)),
                             q.getDimSize(1), q.getDimSize(2)},
                            q.getElementType()),
      [&](InFlightDiagnostic &d) { d << "query " << q; });
}

LogicalResult PositionEmbeddingOp::verify() {
  if (failed(checkSequence(*this, getInput().getType(), "input")))
    return failure();
  if (getSequenceLength() > (int64_t(1) << 31))
    return emitOpError() << "sequence_length must be at most 2^31";
  return success();
}

LogicalResult IotaOp::verify() {
  RankedTensorType like = getLike().getType(), out = getType();
  int64_t axis = getAxis();
  if (out.getRank() < 1 || out.getRank() > like.getRank())
    return emitOpError() << "result rank must be between 1 and the rank of "
                         << like << ", got " << out;
  if (axis < 0 || axis >= out.getRank())
    return emitOpError() << "axis " << axis << " is out of range for " << out;
  for (int64_t d = 0; d < out.getRank(); ++d)
    if (out.getDimSize(d) != like.getDimSize(d))
      return emitOpError() << "result " << out << " must have the leading "
                           << "dimensions of " << like;
  return success();
}

/// Checks attention's q, k, v (and names their problem at `op`); returns
/// the result's type.
static FailureOr<RankedTensorType>
attentionType(Operation *op, RankedTensorType q, RankedTensorType k,
              RankedTensorType v, int64_t heads) {
  if (failed(checkSequence(op, q, "query")) ||
      failed(checkSequence(op, k, "key")) ||
      failed(checkSequence(op, v, "value")))
    return failure();
  if (q.getElementType() != k.getElementType() ||
      q.getElementType() != v.getElementType())
    return op->emitOpError()
           << "query, key and value must have one element type";
  if (q.getDimSize(2) != k.getDimSize(2) || q.getDimSize(2) % heads ||
      v.getDimSize(2) % heads)
    return op->emitOpError() << "query " << q << " and key " << k
                             << " need one width and, like value " << v
                             << ", a multiple of num_heads = " << heads;
  if (!sameSize(q.getDimSize(0), k.getDimSize(0)) ||
      !sameSize(k.getDimSize(0), v.getDimSize(0)) ||
      !sameSize(k.getDimSize(1), v.getDimSize(1)))
    return op->emitOpError() << "query " << q << ", key " << k << " and value "
                             << v << " need one batch size, and key and "
                             << "value one length";
  int64_t batch =
      joinSize(q.getDimSize(0), joinSize(k.getDimSize(0), v.getDimSize(0)));
  return RankedTensorType::get({batch, q.getDimSize(1), v.getDimSize(2)},
                               q.getElementType());
}

LogicalResult AttentionOp::verify() {
  FailureOr<RankedTensorType> type =
      attentionType(*this, getQuery().getType(), getKey().getType(),
                    getValue().getType(), getNumHeads());
  if (failed(type))
    return failure();
  return checkResult(*this, *type, [&](InFlightDiagnostic &d) {
    d << "query " << getQuery().getType() << " and value "
      << getValue().getType();
  });
}

LogicalResult AttentionGradOp::verify() {
  FailureOr<RankedTensorType> type =
      attentionType(*this, getQuery().getType(), getKey().getType(),
                    getValue().getType(), getNumHeads());
  if (failed(type) ||
      failed(expectType(*this, getGrad(), *type, "the result's gradient")) ||
      failed(expectType(*this, getQueryGrad(), getQuery().getType(),
                        "the query's gradient")) ||
      failed(expectType(*this, getKeyGrad(), getKey().getType(),
                        "the key's gradient")) ||
      failed(expectType(*this, getValueGrad(), getValue().getType(),
                        "the value's gradient")))
    return failure();
  return success();
}
