//===- MLCTensorOps.cpp - verifiers of the core tensor ops ----------------===//
//
// Matmul, elementwise, softmax and reductions, shape ops, losses and the
// differentiation helpers. Every verifier error names the op (emitOpError
// does), the operand, and the expected vs actual type, at the op's
// location.
//
//===----------------------------------------------------------------------===//

#include "dialects/MLC/IR/MLCDialect.h"
#include "dialects/MLC/IR/OpVerification.h"

#include "mlir/IR/Builders.h"
#include "mlir/IR/TypeUtilities.h"
#include "llvm/ADT/STLExtras.h"
#include "llvm/ADT/SmallSet.h"

using namespace mlir;
using namespace mlc;
using namespace mlc::detail;

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

bool mlc::reshapeMergesDynamicDims(RankedTensorType in, RankedTensorType out) {
  int64_t merged = in.getRank() - out.getRank() + 1;
  if (out.getRank() < 1 || merged < 2 || !out.isDynamicDim(0))
    return false;
  if (in.getShape().drop_front(merged) != out.getShape().drop_front())
    return false;
  if (llvm::any_of(out.getShape().drop_front(), ShapedType::isDynamic))
    return false;
  // A dynamic size merged with others (not just with size-1 dims, which a
  // plain reshape drops).
  int64_t numDynamic = 0, product = 1;
  for (int64_t d : in.getShape().take_front(merged)) {
    if (ShapedType::isDynamic(d))
      ++numDynamic;
    else
      product *= d;
  }
  return numDynamic > 1 || (numDynamic == 1 && product != 1);
}

bool ReshapeOp::mergesDynamicDims() {
  return reshapeMergesDynamicDims(getInput().getType(), getType());
}

/// Why `in` cannot be reshaped to `out` (the verifier's rules), or an
/// empty string when it can.
static std::string reshapeProblem(RankedTensorType in, RankedTensorType out) {
  std::string why;
  llvm::raw_string_ostream os(why);
  if (in.getElementType() != out.getElementType()) {
    os << "result element type must match the input: input " << in
       << ", result " << out;
    return why;
  }
  if (reshapeMergesDynamicDims(in, out))
    return why;
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
  if (inDyn > 1 || outDyn > 1) {
    // Several dynamic sizes can't be split or merged statically; inserting
    // or removing size-1 dimensions (keepdims) is fine.
    if (nonUnitDims(in.getShape()) != nonUnitDims(out.getShape()))
      os << "with more than one dynamic dimension, a reshape may only insert "
            "or remove size-1 dimensions, got input '"
         << in << "' and result '" << out << "'";
    return why;
  }
  if (inDyn != outDyn)
    os << "input '" << in << "' and result '" << out
       << "' must both have a dynamic dimension or neither";
  else if (inProduct != outProduct)
    os << "input '" << in << "' and result '" << out
       << "' hold different numbers of elements (" << inProduct
       << (inDyn ? " x ?" : "") << " vs " << outProduct
       << (outDyn ? " x ?" : "") << ")";
  return why;
}

bool mlc::reshapeAllowed(RankedTensorType in, RankedTensorType out) {
  return reshapeProblem(in, out).empty();
}

LogicalResult ReshapeOp::verify() {
  std::string why = reshapeProblem(getInput().getType(), getType());
  if (!why.empty())
    return emitOpError() << why;
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
