//===- MLCOps.cpp - mlc op verifiers and builders -------------------------===//
//
// The ops of the model structure, layers and training; the core tensor
// ops are in MLCTensorOps.cpp.
//
// Every verifier error names the op (emitOpError does), the operand, and
// the expected vs actual type, at the op's location.
//
//===----------------------------------------------------------------------===//

#include "dialects/MLC/IR/MLCDialect.h"
#include "dialects/MLC/IR/OpVerification.h"

#include "mlir/IR/Builders.h"
#include "mlir/IR/OpImplementation.h"
#include "mlir/IR/TypeUtilities.h"
#include "llvm/ADT/STLExtras.h"
#include "llvm/ADT/SmallSet.h"
#include "llvm/ADT/StringSet.h"

using namespace mlir;
using namespace mlc;
using namespace mlc::detail;

#include "dialects/MLC/IR/MLCOpInterfaces.cpp.inc"

#define GET_OP_CLASSES
#include "dialects/MLC/IR/MLCOps.cpp.inc"

//===----------------------------------------------------------------------===//
// Shape helpers
//===----------------------------------------------------------------------===//

RankedTensorType mlc::tensorTypeOf(Value v) {
  return llvm::cast<RankedTensorType>(v.getType());
}

FailureOr<SmallVector<int64_t>>
mlc::detail::broadcastShapes(ArrayRef<int64_t> a, ArrayRef<int64_t> b,
                             int64_t *badDim) {
  size_t rank = std::max(a.size(), b.size());
  SmallVector<int64_t> result(rank);
  for (size_t i = 0; i < rank; ++i) {
    int64_t da = i < a.size() ? a[a.size() - 1 - i] : 1;
    int64_t db = i < b.size() ? b[b.size() - 1 - i] : 1;
    int64_t d;
    if (da == db || db == 1)
      d = da;
    else if (da == 1)
      d = db;
    else if (ShapedType::isDynamic(da))
      d = db;
    else if (ShapedType::isDynamic(db))
      d = da;
    else {
      if (badDim)
        *badDim = int64_t(i) + 1;
      return failure();
    }
    result[rank - 1 - i] = d;
  }
  return result;
}

LogicalResult
mlc::detail::checkResult(Operation *op, Type expected,
                         function_ref<void(InFlightDiagnostic &)> from) {
  Type actual = op->getResult(0).getType();
  if (actual == expected)
    return success();
  InFlightDiagnostic diag = op->emitOpError();
  diag << "result has type " << actual << ", but ";
  from(diag);
  diag << " gives " << expected;
  return diag;
}

std::string mlc::detail::dimStr(int64_t d) {
  return ShapedType::isDynamic(d) ? "?" : std::to_string(d);
}

//===----------------------------------------------------------------------===//
// Model structure
//===----------------------------------------------------------------------===//

OutputOp ModelOp::getOutputOp() {
  return llvm::cast<OutputOp>(getBody().front().getTerminator());
}

SmallVector<InputOp, 4> ModelOp::getInputOps() {
  return llvm::to_vector(getBody().front().getOps<InputOp>());
}

SmallVector<ParamOp, 8> ModelOp::getParamOps() {
  return llvm::to_vector(getBody().front().getOps<ParamOp>());
}

int64_t ModelOp::getNumParamElements() {
  int64_t n = 0;
  for (ParamOp p : getParamOps())
    n += p.getTensorType().getNumElements();
  return n;
}

LogicalResult ModelOp::verify() {
  if (getBody().empty())
    return emitOpError() << "needs a body ending in mlc.output";
  if (getLrScheduleAttr() && !getOptimizerAttr())
    return emitOpError() << "has an lr_schedule but no optimizer to apply it";
  if (std::optional<StringRef> p = getPrecision();
      p && *p != "f32" && *p != "bf16")
    return emitOpError() << "precision must be \"f32\" or \"bf16\", not \""
                         << *p << "\"";
  return success();
}

LogicalResult ModelOp::verifyRegions() {
  // A zero-sized dimension leaves nothing to compute and loops that tile
  // nothing; reject it where it is written.
  WalkResult empty = getBody().walk([](Operation *op) {
    for (auto [i, result] : llvm::enumerate(op->getResults())) {
      auto type = llvm::dyn_cast<RankedTensorType>(result.getType());
      if (type && llvm::is_contained(type.getShape(), 0)) {
        op->emitOpError() << "result #" << i << " has type " << type
                          << ", with a dimension of size 0: every dimension "
                             "must be at least 1";
        return WalkResult::interrupt();
      }
    }
    return WalkResult::advance();
  });
  if (empty.wasInterrupted())
    return failure();
  llvm::StringMap<InputOp> names;
  for (InputOp input : getInputOps()) {
    auto [it, inserted] = names.try_emplace(input.getName(), input);
    if (!inserted)
      return input.emitOpError()
             << "input name \"" << input.getName()
             << "\" is already used by the input at " << it->second.getLoc();
  }

  std::optional<LossAttr> loss = getLoss();
  if (!loss)
    return success();
  OutputOp output = getOutputOp();
  Value prediction = output.getOutputs().front();
  auto type = tensorTypeOf(prediction);
  switch (loss->getKind()) {
  case LossKind::categorical_crossentropy:
  case LossKind::sparse_categorical_crossentropy:
    if (type.getRank() < 2 || !llvm::isa<FloatType>(type.getElementType()))
      return emitOpError() << "loss " << stringifyLossKind(loss->getKind())
                           << " needs a float (batch, classes) output, but "
                              "output #0 has type "
                           << type;
    break;
  case LossKind::mse:
    if (loss->getFromLogits())
      return emitOpError() << "loss mse does not take from_logits";
    [[fallthrough]];
  case LossKind::binary_crossentropy:
    if (!llvm::isa<FloatType>(type.getElementType()))
      return emitOpError() << "loss " << stringifyLossKind(loss->getKind())
                           << " needs a float output, but output #0 has type "
                           << type;
    break;
  }
  if (loss->getFromLogits())
    if (Operation *activation =
            getProbabilityActivation(loss->getKind(), prediction)) {
      // from_logits would apply the softmax (sigmoid) a second time.
      bool binary = loss->getKind() == LossKind::binary_crossentropy;
      InFlightDiagnostic diag =
          emitOpError() << "loss " << stringifyLossKind(loss->getKind())
                        << " has from_logits, but output #0 is a "
                        << (binary ? "sigmoid" : "softmax")
                        << ", not logits: the loss would apply it a second "
                           "time. Drop from_logits: the loss is computed "
                           "from the logits anyway";
      diag.attachNote(activation->getLoc())
          << "output #0 is the " << (binary ? "sigmoid" : "softmax")
          << " computed here";
      return diag;
    }
  return success();
}

LogicalResult InputOp::verify() {
  RankedTensorType type = getResult().getType();
  if (getName().empty())
    return emitOpError() << "needs a non-empty name";
  if (type.getRank() == 0)
    return emitOpError() << "input \"" << getName()
                         << "\" needs a leading batch dimension, got " << type;
  return success();
}

LogicalResult ParamOp::verify() {
  if (!getTensorType().hasStaticShape())
    return emitOpError() << "param @" << getSymName()
                         << " needs a static shape, got " << getType();
  if (llvm::is_contained(getTensorType().getShape(), 0))
    return emitOpError() << "param @" << getSymName() << " has type "
                         << getType()
                         << ", with a dimension of size 0: every dimension "
                            "must be at least 1";
  return success();
}

LogicalResult ParamRefOp::verifySymbolUses(SymbolTableCollection &tables) {
  Operation *symbol =
      tables.lookupNearestSymbolFrom(getOperation(), getParamAttr());
  auto param = llvm::dyn_cast_or_null<ParamOp>(symbol);
  if (!param)
    return emitOpError()
           << "references @" << getParam()
           << ", which is not an mlc.param of the enclosing model";
  if (param.getType() != getResult().getType())
    return emitOpError() << "result has type " << getResult().getType()
                         << ", but param @" << getParam() << " has type "
                         << param.getType();
  return success();
}

LogicalResult OutputOp::verify() {
  if (getOutputs().empty())
    return emitOpError() << "needs at least one output";
  return success();
}

//===----------------------------------------------------------------------===//
// Layers
//===----------------------------------------------------------------------===//

LogicalResult DenseOp::verify() {
  RankedTensorType in = getInput().getType();
  if (in.getRank() < 2)
    return emitOpError() << "input must be (batch, ..., features), got " << in;
  if (in.isDynamicDim(in.getRank() - 1))
    return emitOpError() << "input features must be static, got " << in;
  SmallVector<int64_t> shape(in.getShape());
  shape.back() = getUnits();
  auto expected = RankedTensorType::get(shape, in.getElementType());
  return checkResult(*this, expected, [&](InFlightDiagnostic &d) {
    d << "input " << in << " with units = " << getUnits();
  });
}

static RankedTensorType flattenType(RankedTensorType in) {
  int64_t rest = 1;
  for (int64_t d : in.getShape().drop_front())
    rest = ShapedType::isDynamic(d) || ShapedType::isDynamic(rest)
               ? ShapedType::kDynamic
               : rest * d;
  return RankedTensorType::get({in.getDimSize(0), rest}, in.getElementType());
}

void FlattenOp::build(OpBuilder &b, OperationState &state, Value input) {
  build(b, state, flattenType(tensorTypeOf(input)), input);
}

LogicalResult FlattenOp::verify() {
  RankedTensorType in = getInput().getType();
  if (in.getRank() == 0)
    return emitOpError() << "input needs a batch dimension, got " << in;
  return checkResult(*this, flattenType(in), [&](InFlightDiagnostic &d) {
    d << "flattening input " << in;
  });
}

//===----------------------------------------------------------------------===//
// Training
//===----------------------------------------------------------------------===//

LogicalResult OptimizerUpdateOp::inferReturnTypes(
    MLIRContext *, std::optional<Location>, ValueRange operands, DictionaryAttr,
    OpaqueProperties, RegionRange, SmallVectorImpl<Type> &inferredReturnTypes) {
  // param, grad, states..., lr, step: the results are param and states.
  inferredReturnTypes.push_back(operands[0].getType());
  for (Value s : operands.drop_front(2).drop_back(2))
    inferredReturnTypes.push_back(s.getType());
  return success();
}

LogicalResult OptimizerUpdateOp::verify() {
  Type type = getParam().getType();
  if (getGrad().getType() != type)
    return emitOpError() << "gradient has type " << getGrad().getType()
                         << ", but the parameter has type " << type;
  size_t expected = getOptimizer().getStateNames().size();
  if (getStates().size() != expected)
    return emitOpError() << getOptimizer() << " keeps " << expected
                         << " state tensor(s) per parameter, got "
                         << getStates().size();
  for (Value s : getStates())
    if (s.getType() != type)
      return emitOpError() << "state has type " << s.getType()
                           << ", but the parameter has type " << type;
  return success();
}

RankedTensorType mlc::getLabelType(LossAttr loss, RankedTensorType prediction) {
  if (loss.getKind() == LossKind::sparse_categorical_crossentropy)
    return RankedTensorType::get(prediction.getShape().drop_back(),
                                 IntegerType::get(prediction.getContext(), 32));
  return prediction;
}
