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

//===----------------------------------------------------------------------===//
// LSTM
//===----------------------------------------------------------------------===//

/// Activations a recurrence can take: their derivative follows from their
/// output.
static LogicalResult checkRecurrentActivation(Operation *op, StringRef what,
                                              Activation act) {
  if (act == Activation::softmax || act == Activation::log_softmax)
    return op->emitOpError() << what << " must be tanh, sigmoid, relu or "
                             << "linear, got " << stringifyActivation(act);
  return success();
}

LogicalResult LSTMOp::verify() {
  RankedTensorType in = getInput().getType();
  if (in.getRank() != 3)
    return emitOpError() << "input must be (batch, time, features), got " << in;
  if (in.isDynamicDim(2))
    return emitOpError() << "input features must be static, got " << in;
  if (failed(checkRecurrentActivation(*this, "activation", getActivation())) ||
      failed(checkRecurrentActivation(*this, "recurrent_activation",
                                      getRecurrentActivation())))
    return failure();
  if (getUseBias() && getUnitForgetBias() && getBiasInitializer() &&
      !llvm::isa<ZerosAttr>(*getBiasInitializer()))
    return emitOpError() << "unit_forget_bias sets the bias to zeros with "
                            "ones for the forget gate; with bias_initializer "
                         << *getBiasInitializer()
                         << " set unit_forget_bias = false";
  int64_t units = getUnits();
  if (units > (int64_t(1) << 24))
    return emitOpError() << "units must be at most 16777216, got " << units;
  Type elt = in.getElementType();
  auto state = RankedTensorType::get({in.getDimSize(0), units}, elt);
  SmallVector<Type> expected;
  expected.push_back(getReturnSequences()
                         ? RankedTensorType::get(
                               {in.getDimSize(0), in.getDimSize(1), units}, elt)
                         : state);
  if (getReturnState()) {
    expected.push_back(state);
    expected.push_back(state);
  }
  if (TypeRange(getResults()) != TypeRange(expected)) {
    InFlightDiagnostic d = emitOpError();
    d << "with input " << in << ", units = " << units
      << (getReturnSequences() ? ", return_sequences" : "")
      << (getReturnState() ? ", return_state" : "") << " the results must be (";
    llvm::interleaveComma(expected, d);
    d << "), got (";
    llvm::interleaveComma(getResults().getTypes(), d);
    return d << ")";
  }
  return success();
}

/// The types an lstm_scan of `inputs` (batch, time, 4 units) has:
/// sequence, cell, cells, gates.
static FailureOr<SmallVector<RankedTensorType, 4>>
lstmScanTypes(Operation *op, RankedTensorType inputs, RankedTensorType rk) {
  if (inputs.getRank() != 3 || inputs.isDynamicDim(2) ||
      inputs.getDimSize(2) % 4 != 0)
    return op->emitOpError() << "inputs must be (batch, time, 4 * units) with "
                                "static units, got "
                             << inputs;
  int64_t units = inputs.getDimSize(2) / 4;
  Type elt = inputs.getElementType();
  auto rkType = RankedTensorType::get({units, 4 * units}, elt);
  if (rk != rkType)
    return op->emitOpError() << "recurrent kernel must be " << rkType
                             << " for inputs " << inputs << ", got " << rk;
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
  auto expect = [&](Value v, RankedTensorType t,
                    StringRef what) -> LogicalResult {
    if (v.getType() != t)
      return emitOpError() << what << " must be " << t << ", got "
                           << v.getType();
    return success();
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
