//===- MLCOps.cpp - mlc op verifiers and builders -------------------------===//
//
// Every verifier error names the op (emitOpError does), the operand, and
// the expected vs actual type, at the op's location.
//
//===----------------------------------------------------------------------===//

#include "dialects/MLC/IR/MLCDialect.h"

#include "mlir/IR/Builders.h"
#include "mlir/IR/OpImplementation.h"
#include "mlir/IR/TypeUtilities.h"
#include "llvm/ADT/STLExtras.h"
#include "llvm/ADT/SmallSet.h"
#include "llvm/ADT/StringSet.h"

using namespace mlir;
using namespace mlc;

#include "dialects/MLC/IR/MLCOpInterfaces.cpp.inc"

#define GET_OP_CLASSES
#include "dialects/MLC/IR/MLCOps.cpp.inc"

//===----------------------------------------------------------------------===//
// Shape helpers
//===----------------------------------------------------------------------===//

RankedTensorType mlc::tensorTypeOf(Value v) {
  return llvm::cast<RankedTensorType>(v.getType());
}

/// NumPy broadcasting of two shapes aligned on the right. A dynamic
/// dimension against a static one > 1 takes the static size (the runtime
/// size must then match). On failure, `badDim` is the mismatching result
/// dimension counted from the right (1 = last).
static FailureOr<SmallVector<int64_t>>
broadcastShapes(ArrayRef<int64_t> a, ArrayRef<int64_t> b,
                int64_t *badDim = nullptr) {
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

/// Reports a result whose type differs from the one the operands imply.
/// `from` describes the operands the expected type comes from.
static LogicalResult
checkResult(Operation *op, Type expected,
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

static std::string dimStr(int64_t d) {
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
  return success();
}

LogicalResult ModelOp::verifyRegions() {
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
  return success();
}

LogicalResult InputOp::verify() {
  RankedTensorType type = getResult().getType();
  if (getName().empty())
    return emitOpError() << "needs a non-empty name";
  if (type.getRank() == 0)
    return emitOpError() << "input \"" << getName()
                         << "\" needs a leading batch dimension, got " << type;
  for (int64_t i = 1; i < type.getRank(); ++i)
    if (type.isDynamicDim(i))
      return emitOpError() << "input \"" << getName() << "\" has type " << type
                           << ": dimension " << i
                           << " is dynamic, but only the leading (batch) "
                              "dimension may be";
  return success();
}

LogicalResult ParamOp::verify() {
  if (!getTensorType().hasStaticShape())
    return emitOpError() << "param @" << getSymName()
                         << " needs a static shape, got " << getType();
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
  if (in.getRank() != 2)
    return emitOpError() << "input must be (batch, features), got " << in;
  if (in.isDynamicDim(1))
    return emitOpError() << "input features must be static, got " << in;
  auto expected = RankedTensorType::get({in.getDimSize(0), int64_t(getUnits())},
                                        in.getElementType());
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
// Matmul
//===----------------------------------------------------------------------===//

/// Result type of a (batched) matmul, or failure with `error` explaining why.
static FailureOr<RankedTensorType>
inferMatmulType(RankedTensorType lhs, RankedTensorType rhs, bool transposeLhs,
                bool transposeRhs, InFlightDiagnostic *error) {
  auto fail = [&]() -> InFlightDiagnostic * { return error; };
  if (lhs.getRank() < 2 || rhs.getRank() < 2) {
    if (fail())
      *error << "operands need rank >= 2, got lhs " << lhs << " and rhs "
             << rhs;
    return failure();
  }
  ArrayRef<int64_t> ls = lhs.getShape(), rs = rhs.getShape();
  int64_t m = ls[ls.size() - 2], kl = ls.back();
  if (transposeLhs)
    std::swap(m, kl);
  int64_t kr = rs[rs.size() - 2], n = rs.back();
  if (transposeRhs)
    std::swap(kr, n);
  if (!ShapedType::isDynamic(kl) && !ShapedType::isDynamic(kr) && kl != kr) {
    if (fail())
      *error << "contracting dimensions differ: lhs " << lhs
             << (transposeLhs ? " (transposed)" : "") << " has K = " << kl
             << ", rhs " << rhs << (transposeRhs ? " (transposed)" : "")
             << " has K = " << kr;
    return failure();
  }
  if (lhs.getElementType() != rhs.getElementType()) {
    if (fail())
      *error << "operands must have the same element type, got lhs " << lhs
             << " and rhs " << rhs;
    return failure();
  }
  auto batch = broadcastShapes(ls.drop_back(2), rs.drop_back(2));
  if (failed(batch)) {
    if (fail())
      *error << "batch dimensions of lhs " << lhs << " and rhs " << rhs
             << " do not broadcast";
    return failure();
  }
  SmallVector<int64_t> shape = *batch;
  shape.push_back(m);
  shape.push_back(n);
  return RankedTensorType::get(shape, lhs.getElementType());
}

void MatmulOp::build(OpBuilder &b, OperationState &state, Value lhs, Value rhs,
                     bool transposeLhs, bool transposeRhs) {
  auto type = inferMatmulType(tensorTypeOf(lhs), tensorTypeOf(rhs),
                              transposeLhs, transposeRhs, nullptr);
  build(b, state, succeeded(type) ? *type : tensorTypeOf(lhs), lhs, rhs,
        transposeLhs, transposeRhs);
}

LogicalResult MatmulOp::verify() {
  RankedTensorType lhs = getLhs().getType(), rhs = getRhs().getType();
  // Build the diagnostic lazily: only a failure reports.
  auto type =
      inferMatmulType(lhs, rhs, getTransposeLhs(), getTransposeRhs(), nullptr);
  if (failed(type)) {
    InFlightDiagnostic diag = emitOpError();
    (void)inferMatmulType(lhs, rhs, getTransposeLhs(), getTransposeRhs(),
                          &diag);
    return diag;
  }
  return checkResult(*this, *type, [&](InFlightDiagnostic &d) {
    d << "lhs " << lhs << " times rhs " << rhs;
  });
}

//===----------------------------------------------------------------------===//
// Elementwise binary ops
//===----------------------------------------------------------------------===//

static RankedTensorType inferBroadcastType(Value lhs, Value rhs) {
  RankedTensorType l = tensorTypeOf(lhs), r = tensorTypeOf(rhs);
  auto shape = broadcastShapes(l.getShape(), r.getShape());
  return succeeded(shape) ? RankedTensorType::get(*shape, l.getElementType())
                          : l;
}

static LogicalResult verifyBinaryOp(Operation *op) {
  RankedTensorType lhs = tensorTypeOf(op->getOperand(0));
  RankedTensorType rhs = tensorTypeOf(op->getOperand(1));
  if (lhs.getElementType() != rhs.getElementType())
    return op->emitOpError()
           << "operands must have the same element type, got lhs " << lhs
           << " and rhs " << rhs;
  int64_t bad = 0;
  auto shape = broadcastShapes(lhs.getShape(), rhs.getShape(), &bad);
  if (failed(shape)) {
    auto dimFromRight = [&](RankedTensorType t) {
      int64_t i = t.getRank() - bad;
      return dimStr(t.getDimSize(i)) + " (dimension " + std::to_string(i) + ")";
    };
    return op->emitOpError() << "lhs " << lhs << " and rhs " << rhs
                             << " do not broadcast: " << dimFromRight(lhs)
                             << " vs " << dimFromRight(rhs);
  }
  return checkResult(op, RankedTensorType::get(*shape, lhs.getElementType()),
                     [&](InFlightDiagnostic &d) {
                       d << "broadcasting lhs " << lhs << " with rhs " << rhs;
                     });
}

#define MLC_BINARY_OP(OpTy)                                                    \
  void OpTy::build(OpBuilder &b, OperationState &state, Value lhs,             \
                   Value rhs) {                                                \
    build(b, state, inferBroadcastType(lhs, rhs), lhs, rhs);                   \
  }                                                                            \
  LogicalResult OpTy::verify() { return verifyBinaryOp(*this); }
MLC_BINARY_OP(AddOp)
MLC_BINARY_OP(SubOp)
MLC_BINARY_OP(MulOp)
MLC_BINARY_OP(DivOp)
#undef MLC_BINARY_OP

//===----------------------------------------------------------------------===//
// Softmax and reductions
//===----------------------------------------------------------------------===//

static LogicalResult verifyAxis(Operation *op, int64_t axis,
                                RankedTensorType type) {
  if (failed(normalizeAxis(axis, type.getRank())))
    return op->emitOpError() << "axis " << axis << " is out of range for input "
                             << type << " (rank " << type.getRank() << ")";
  return success();
}

LogicalResult SoftmaxOp::verify() {
  return verifyAxis(*this, getAxis(), getInput().getType());
}
LogicalResult LogSoftmaxOp::verify() {
  return verifyAxis(*this, getAxis(), getInput().getType());
}

/// Result type of reducing `in` over `axes` (all when empty), or failure
/// with the offending axis in `badAxis`.
static FailureOr<RankedTensorType>
inferReduceType(RankedTensorType in, ArrayRef<int64_t> axes, bool keepdims,
                int64_t *badAxis, bool *duplicate) {
  int64_t rank = in.getRank();
  llvm::SmallVector<bool> reduced(rank, axes.empty());
  for (int64_t axis : axes) {
    auto norm = normalizeAxis(axis, rank);
    if (failed(norm) || reduced[*norm]) {
      *badAxis = axis;
      *duplicate = succeeded(norm);
      return failure();
    }
    reduced[*norm] = true;
  }
  SmallVector<int64_t> shape;
  for (int64_t i = 0; i < rank; ++i) {
    if (!reduced[i])
      shape.push_back(in.getDimSize(i));
    else if (keepdims)
      shape.push_back(1);
  }
  return RankedTensorType::get(shape, in.getElementType());
}

static LogicalResult verifyReduceOp(Operation *op, RankedTensorType in,
                                    ArrayRef<int64_t> axes, bool keepdims) {
  int64_t bad = 0;
  bool duplicate = false;
  auto type = inferReduceType(in, axes, keepdims, &bad, &duplicate);
  if (failed(type)) {
    if (duplicate)
      return op->emitOpError() << "axis " << bad << " is listed twice";
    return op->emitOpError() << "axis " << bad << " is out of range for input "
                             << in << " (rank " << in.getRank() << ")";
  }
  return checkResult(op, *type, [&](InFlightDiagnostic &d) {
    d << "reducing input " << in << " over axes [";
    llvm::interleaveComma(axes, d);
    d << "]" << (keepdims ? " with keepdims" : "");
  });
}

#define MLC_REDUCE_OP(OpTy)                                                    \
  void OpTy::build(OpBuilder &b, OperationState &state, Value input,           \
                   ArrayRef<int64_t> axes, bool keepdims) {                    \
    int64_t bad;                                                               \
    bool dup;                                                                  \
    auto type =                                                                \
        inferReduceType(tensorTypeOf(input), axes, keepdims, &bad, &dup);      \
    build(b, state, succeeded(type) ? *type : tensorTypeOf(input), input,      \
          b.getDenseI64ArrayAttr(axes), keepdims);                             \
  }                                                                            \
  LogicalResult OpTy::verify() {                                               \
    return verifyReduceOp(*this, getInput().getType(), getAxes(),              \
                          getKeepdims());                                      \
  }
MLC_REDUCE_OP(ReduceSumOp)
MLC_REDUCE_OP(ReduceMeanOp)
MLC_REDUCE_OP(ReduceMaxOp)
#undef MLC_REDUCE_OP

//===----------------------------------------------------------------------===//
// Shape ops
//===----------------------------------------------------------------------===//

LogicalResult ReshapeOp::verify() {
  RankedTensorType in = getInput().getType(), out = getResult().getType();
  if (in.getElementType() != out.getElementType())
    return emitOpError() << "result element type must match the input: input "
                         << in << ", result " << out;
  auto staticProduct = [](RankedTensorType t, int64_t &numDynamic) {
    int64_t product = 1;
    numDynamic = 0;
    for (int64_t d : t.getShape()) {
      if (ShapedType::isDynamic(d))
        ++numDynamic;
      else
        product *= d;
    }
    return product;
  };
  int64_t inDyn, outDyn;
  int64_t inProduct = staticProduct(in, inDyn);
  int64_t outProduct = staticProduct(out, outDyn);
  if (inDyn > 1 || outDyn > 1)
    return emitOpError() << "at most one dimension may be dynamic on each "
                            "side, got input "
                         << in << " and result " << out;
  if (inDyn != outDyn)
    return emitOpError() << "input " << in << " and result " << out
                         << " must both have a dynamic dimension or neither";
  if (inProduct != outProduct)
    return emitOpError() << "input " << in << " and result " << out
                         << " hold different numbers of elements (" << inProduct
                         << (inDyn ? " x ?" : "") << " vs " << outProduct
                         << (outDyn ? " x ?" : "") << ")";
  return success();
}

static FailureOr<RankedTensorType> inferTransposeType(RankedTensorType in,
                                                      ArrayRef<int64_t> perm) {
  if (int64_t(perm.size()) != in.getRank())
    return failure();
  SmallVector<bool> seen(perm.size(), false);
  SmallVector<int64_t> shape;
  for (int64_t p : perm) {
    if (p < 0 || p >= in.getRank() || seen[p])
      return failure();
    seen[p] = true;
    shape.push_back(in.getDimSize(p));
  }
  return RankedTensorType::get(shape, in.getElementType());
}

void TransposeOp::build(OpBuilder &b, OperationState &state, Value input,
                        ArrayRef<int64_t> perm) {
  auto type = inferTransposeType(tensorTypeOf(input), perm);
  build(b, state, succeeded(type) ? *type : tensorTypeOf(input), input,
        b.getDenseI64ArrayAttr(perm));
}

LogicalResult TransposeOp::verify() {
  RankedTensorType in = getInput().getType();
  auto type = inferTransposeType(in, getPerm());
  if (failed(type)) {
    InFlightDiagnostic diag = emitOpError();
    diag << "perm [";
    llvm::interleaveComma(getPerm(), diag);
    return diag << "] is not a permutation of the " << in.getRank()
                << " dimensions of input " << in;
  }
  return checkResult(*this, *type, [&](InFlightDiagnostic &d) {
    d << "permuting input " << in;
  });
}

LogicalResult BroadcastToOp::verify() {
  RankedTensorType in = getInput().getType(), out = getResult().getType();
  if (in.getElementType() != out.getElementType())
    return emitOpError() << "result element type must match the input: input "
                         << in << ", result " << out;
  auto shape = broadcastShapes(in.getShape(), out.getShape());
  if (in.getRank() > out.getRank() || failed(shape) ||
      ArrayRef<int64_t>(*shape) != out.getShape())
    return emitOpError() << "input " << in << " does not broadcast to result "
                         << out;
  return success();
}

//===----------------------------------------------------------------------===//
// Losses
//===----------------------------------------------------------------------===//

static LogicalResult verifyLossResult(Operation *op, RankedTensorType pred) {
  return checkResult(op, RankedTensorType::get({}, pred.getElementType()),
                     [&](InFlightDiagnostic &d) {
                       d << "prediction " << pred << " (a scalar loss)";
                     });
}

/// Losses whose target has the prediction's type (up to dynamic dims).
static LogicalResult verifySameShapeLoss(Operation *op, RankedTensorType pred,
                                         RankedTensorType target,
                                         unsigned minRank) {
  if (pred.getRank() < minRank)
    return op->emitOpError()
           << "prediction must have rank >= " << minRank << ", got " << pred;
  if (target.getElementType() != pred.getElementType())
    return op->emitOpError() << "target must have the prediction's element "
                                "type: prediction "
                             << pred << ", target " << target;
  if (failed(verifyCompatibleShape(pred, target)))
    return op->emitOpError() << "target must have the prediction's shape: "
                                "prediction "
                             << pred << ", target " << target;
  return verifyLossResult(op, pred);
}

LogicalResult MSEOp::verify() {
  if (getFromLogits())
    return emitOpError() << "takes no from_logits: mse compares values";
  return verifySameShapeLoss(*this, getPrediction().getType(),
                             getTarget().getType(), 0);
}

LogicalResult CategoricalCrossentropyOp::verify() {
  return verifySameShapeLoss(*this, getPrediction().getType(),
                             getTarget().getType(), 1);
}

LogicalResult BinaryCrossentropyOp::verify() {
  return verifySameShapeLoss(*this, getPrediction().getType(),
                             getTarget().getType(), 0);
}

LogicalResult SparseCategoricalCrossentropyOp::verify() {
  RankedTensorType pred = getPrediction().getType();
  RankedTensorType target = getTarget().getType();
  if (pred.getRank() < 1)
    return emitOpError() << "prediction must be (..., classes), got " << pred;
  auto expected = RankedTensorType::get(pred.getShape().drop_back(),
                                        target.getElementType());
  if (failed(verifyCompatibleShape(expected, target)))
    return emitOpError() << "target must hold one integer class label per "
                            "prediction row: prediction "
                         << pred << " needs a target of shape " << expected
                         << ", got " << target;
  return verifyLossResult(*this, pred);
}

//===----------------------------------------------------------------------===//
// Differentiation helpers
//===----------------------------------------------------------------------===//

LogicalResult GradientOp::inferReturnTypes(
    MLIRContext *, std::optional<Location>, ValueRange operands, DictionaryAttr,
    OpaqueProperties, RegionRange, SmallVectorImpl<Type> &inferredReturnTypes) {
  // One gradient per value differentiated against, of its type.
  for (Value v : operands.drop_front())
    inferredReturnTypes.push_back(v.getType());
  return success();
}

LogicalResult OneHotOp::verify() {
  RankedTensorType labels = getLabels().getType(), out = getType();
  auto expected = out.getShape().drop_back();
  if (out.getRank() != labels.getRank() + 1 ||
      out.isDynamicDim(out.getRank() - 1) ||
      failed(verifyCompatibleShape(expected, labels.getShape())))
    return emitOpError() << "result must be the labels' shape plus a static "
                            "class dimension: labels "
                         << labels << ", result " << out;
  return success();
}

LogicalResult BroadcastLikeOp::verify() {
  RankedTensorType in = getInput().getType(), like = getLike().getType(),
                   out = getType();
  if (out.getShape() != like.getShape() ||
      out.getElementType() != in.getElementType())
    return emitOpError() << "result must have the shape of 'like' " << like
                         << " and the element type of the input " << in
                         << ", got " << out;
  auto shape = broadcastShapes(in.getShape(), like.getShape());
  if (in.getRank() > like.getRank() || failed(shape))
    return emitOpError() << "input " << in << " does not broadcast to " << like;
  return success();
}

void EqualOp::build(OpBuilder &b, OperationState &state, Value lhs, Value rhs) {
  build(b, state, inferBroadcastType(lhs, rhs), lhs, rhs);
}

LogicalResult EqualOp::verify() { return verifyBinaryOp(*this); }

LogicalResult ClipOp::verify() {
  if (!(getMin().convertToDouble() <= getMax().convertToDouble()))
    return emitOpError() << "needs min <= max, got min = "
                         << getMin().convertToDouble()
                         << ", max = " << getMax().convertToDouble();
  return success();
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
