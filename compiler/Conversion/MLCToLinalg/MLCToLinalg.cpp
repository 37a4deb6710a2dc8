//===- MLCToLinalg.cpp - mlc core ops -> linalg on tensors ----------------===//
//
// Each mlc op is rewritten in place, in program order, by one lowering
// function. A lowering that cannot handle an op says why at the op's
// location, so a user sees their own line, not "failed to legalize".
//
//===----------------------------------------------------------------------===//

#include "compiler/Conversion/Passes.h"
#include "dialects/MLC/IR/MLCDialect.h"

#include "mlir/Dialect/Arith/Utils/Utils.h"
#include "mlir/Dialect/Utils/ReshapeOpsUtils.h"
#include "mlir/IR/PatternMatch.h"
#include "llvm/ADT/TypeSwitch.h"

#include <limits>

namespace mlc {
#define GEN_PASS_DEF_CONVERTMLCTOLINALG
#include "compiler/Conversion/Passes.h.inc"
} // namespace mlc

using namespace mlir;
using namespace mlc;

namespace {

using utils::IteratorType;
using BodyFn = function_ref<Value(OpBuilder &, Location, ValueRange)>;

/// Keras's fuzz factor for clipping probabilities.
constexpr double kEpsilon = 1e-7;

Value floatConst(OpBuilder &b, Location loc, Type type, double value) {
  return arith::ConstantOp::create(b, loc, b.getFloatAttr(type, value));
}

/// An empty tensor of `type` whose dynamic sizes are `dynSizes` in order.
Value emptyTensor(OpBuilder &b, Location loc, RankedTensorType type,
                  ValueRange dynSizes) {
  return tensor::EmptyOp::create(b, loc, type, dynSizes);
}

/// An empty tensor filled with `value`.
Value filledTensor(OpBuilder &b, Location loc, RankedTensorType type,
                   ValueRange dynSizes, double value) {
  Value init = emptyTensor(b, loc, type, dynSizes);
  Value cst = floatConst(b, loc, type.getElementType(), value);
  return linalg::FillOp::create(b, loc, cst, init).getResult(0);
}

/// Runtime size of dimension `dim` of `v`.
Value dimOf(OpBuilder &b, Location loc, Value v, int64_t dim) {
  return tensor::DimOp::create(b, loc, v, dim);
}

/// Dynamic sizes of `v` itself, for an empty tensor like it.
SmallVector<Value> dynamicSizesOf(OpBuilder &b, Location loc, Value v) {
  SmallVector<Value> sizes;
  RankedTensorType type = tensorTypeOf(v);
  for (int64_t i = 0; i < type.getRank(); ++i)
    if (type.isDynamicDim(i))
      sizes.push_back(dimOf(b, loc, v, i));
  return sizes;
}

/// Number of elements of `v` in the dimensions `dims`, as a float of `type`.
Value countAsFloat(OpBuilder &b, Location loc, Value v, ArrayRef<int64_t> dims,
                   Type type) {
  RankedTensorType t = tensorTypeOf(v);
  int64_t staticCount = 1;
  Value dynamicCount;
  for (int64_t d : dims) {
    if (!t.isDynamicDim(d)) {
      staticCount *= t.getDimSize(d);
      continue;
    }
    Value size = dimOf(b, loc, v, d);
    dynamicCount =
        dynamicCount ? arith::MulIOp::create(b, loc, dynamicCount, size) : size;
  }
  Value count = arith::ConstantIndexOp::create(b, loc, staticCount);
  if (dynamicCount)
    count = arith::MulIOp::create(b, loc, count, dynamicCount);
  Value asInt = arith::IndexCastOp::create(b, loc, b.getI64Type(), count);
  return arith::SIToFPOp::create(b, loc, type, asInt);
}

/// A linalg.generic over `resultType`'s iteration space that reads `inputs`
/// with NumPy broadcasting and writes `fn(elements...)`.
Value buildElementwise(OpBuilder &b, Location loc, RankedTensorType resultType,
                       ValueRange inputs, BodyFn fn) {
  int64_t rank = resultType.getRank();
  MLIRContext *ctx = b.getContext();
  SmallVector<AffineMap> maps;
  SmallVector<Value> dynSizes;
  for (Value in : inputs) {
    RankedTensorType t = tensorTypeOf(in);
    int64_t offset = rank - t.getRank();
    SmallVector<AffineExpr> exprs;
    for (int64_t k = 0; k < t.getRank(); ++k) {
      int64_t resultSize = resultType.getDimSize(offset + k);
      bool broadcast = t.getDimSize(k) == 1 && resultSize != 1;
      exprs.push_back(broadcast ? getAffineConstantExpr(0, ctx)
                                : getAffineDimExpr(offset + k, ctx));
    }
    maps.push_back(AffineMap::get(rank, 0, exprs, ctx));
  }
  // Each dynamic result size comes from an input that has it.
  for (int64_t d = 0; d < rank; ++d) {
    if (!resultType.isDynamicDim(d))
      continue;
    for (Value in : inputs) {
      RankedTensorType t = tensorTypeOf(in);
      int64_t k = d - (rank - t.getRank());
      if (k >= 0 && t.isDynamicDim(k)) {
        dynSizes.push_back(dimOf(b, loc, in, k));
        break;
      }
    }
  }
  maps.push_back(b.getMultiDimIdentityMap(rank));
  Value init = emptyTensor(b, loc, resultType, dynSizes);
  SmallVector<IteratorType> iterators(rank, IteratorType::parallel);
  auto generic = linalg::GenericOp::create(
      b, loc, TypeRange{resultType}, inputs, ValueRange{init}, maps, iterators,
      [&](OpBuilder &nb, Location nloc, ValueRange args) {
        Value result = fn(nb, nloc, args.drop_back());
        linalg::YieldOp::create(nb, nloc, result);
      });
  return generic.getResult(0);
}

/// Row statistics along `axis` for softmax-like ops: the maximum m, then
/// s = sum(exp(x - m)). Two passes over x with one exp per element; a
/// single pass with a running maximum reads x once less but needs a second
/// exp per element to rescale s, and exp dominates.
std::pair<Value, Value> buildMaxAndSumExp(OpBuilder &b, Location loc, Value x,
                                          int64_t axis) {
  RankedTensorType t = tensorTypeOf(x);
  int64_t rank = t.getRank();
  MLIRContext *ctx = b.getContext();
  SmallVector<int64_t> shape;
  SmallVector<AffineExpr> outExprs;
  SmallVector<Value> dynSizes;
  for (int64_t d = 0; d < rank; ++d) {
    if (d == axis)
      continue;
    shape.push_back(t.getDimSize(d));
    outExprs.push_back(getAffineDimExpr(d, ctx));
    if (t.isDynamicDim(d))
      dynSizes.push_back(dimOf(b, loc, x, d));
  }
  Type elt = t.getElementType();
  auto rowType = RankedTensorType::get(shape, elt);
  Value maxInit = filledTensor(b, loc, rowType, dynSizes,
                               -std::numeric_limits<double>::infinity());
  Value sumInit = filledTensor(b, loc, rowType, dynSizes, 0.0);
  AffineMap outMap = AffineMap::get(rank, 0, outExprs, ctx);
  AffineMap identity = b.getMultiDimIdentityMap(rank);
  SmallVector<IteratorType> iterators(rank, IteratorType::parallel);
  iterators[axis] = IteratorType::reduction;
  Value max =
      linalg::GenericOp::create(
          b, loc, TypeRange{rowType}, ValueRange{x}, ValueRange{maxInit},
          {identity, outMap}, iterators,
          [&](OpBuilder &nb, Location nl, ValueRange args) {
            linalg::YieldOp::create(
                nb, nl, arith::MaximumFOp::create(nb, nl, args[1], args[0])
                            .getResult());
          })
          .getResult(0);
  Value sum =
      linalg::GenericOp::create(
          b, loc, TypeRange{rowType}, ValueRange{x, max}, ValueRange{sumInit},
          {identity, outMap, outMap}, iterators,
          [&](OpBuilder &nb, Location nl, ValueRange args) {
            Value term = math::ExpOp::create(
                nb, nl, arith::SubFOp::create(nb, nl, args[0], args[1]));
            linalg::YieldOp::create(
                nb, nl, arith::AddFOp::create(nb, nl, args[2], term).getResult());
          })
          .getResult(0);
  return {max, sum};
}

/// Broadcast map for a row statistic (rank - 1 dims) used in an op over
/// all of `rank` dims: every dim but `axis`.
AffineMap rowStatMap(MLIRContext *ctx, int64_t rank, int64_t axis) {
  SmallVector<AffineExpr> exprs;
  for (int64_t d = 0; d < rank; ++d)
    if (d != axis)
      exprs.push_back(getAffineDimExpr(d, ctx));
  return AffineMap::get(rank, 0, exprs, ctx);
}

/// Reduces `inputs` (all of one shape) over every dim into a rank-0 tensor
/// with `fn(acc, elements..., indices...)`.
Value buildFullReduction(OpBuilder &b, Location loc, Type elt,
                         ValueRange inputs, ArrayRef<AffineMap> inputMaps,
                         int64_t rank,
                         function_ref<Value(OpBuilder &, Location, Value,
                                            ValueRange)>
                             fn) {
  auto scalarType = RankedTensorType::get({}, elt);
  Value init = filledTensor(b, loc, scalarType, {}, 0.0);
  SmallVector<AffineMap> maps(inputMaps);
  maps.push_back(AffineMap::get(rank, 0, {}, b.getContext()));
  SmallVector<IteratorType> iterators(rank, IteratorType::reduction);
  auto generic = linalg::GenericOp::create(
      b, loc, TypeRange{scalarType}, inputs, ValueRange{init}, maps, iterators,
      [&](OpBuilder &nb, Location nl, ValueRange args) {
        linalg::YieldOp::create(
            nb, nl, fn(nb, nl, args.back(), args.drop_back()));
      });
  return generic.getResult(0);
}

/// Multiplies a rank-0 tensor by a scalar.
Value scaleScalar(OpBuilder &b, Location loc, Value scalarTensor, Value factor) {
  return buildElementwise(
      b, loc, tensorTypeOf(scalarTensor), scalarTensor,
      [&](OpBuilder &nb, Location nl, ValueRange args) -> Value {
        return arith::MulFOp::create(nb, nl, args[0], factor);
      });
}

Value clipProbability(OpBuilder &b, Location loc, Value p) {
  Type t = p.getType();
  Value lo = floatConst(b, loc, t, kEpsilon);
  Value hi = floatConst(b, loc, t, 1.0 - kEpsilon);
  return arith::MinimumFOp::create(b, loc,
                                   arith::MaximumFOp::create(b, loc, p, lo), hi);
}

//===----------------------------------------------------------------------===//
// Lowerings, one per op kind
//===----------------------------------------------------------------------===//

class Lowering {
public:
  explicit Lowering(OpBuilder &b) : b(b) {}

  /// Returns the value replacing `op`'s result, or failure after reporting.
  FailureOr<Value> lower(Operation *op) {
    b.setInsertionPoint(op);
    loc = op->getLoc();
    return llvm::TypeSwitch<Operation *, FailureOr<Value>>(op)
        .Case<AddOp>([&](auto o) { return binary<arith::AddFOp>(o); })
        .Case<SubOp>([&](auto o) { return binary<arith::SubFOp>(o); })
        .Case<MulOp>([&](auto o) { return binary<arith::MulFOp>(o); })
        .Case<DivOp>([&](auto o) { return binary<arith::DivFOp>(o); })
        .Case<NegOp>([&](auto o) { return unary<arith::NegFOp>(o); })
        .Case<ExpOp>([&](auto o) { return unary<math::ExpOp>(o); })
        .Case<LogOp>([&](auto o) { return unary<math::LogOp>(o); })
        .Case<SqrtOp>([&](auto o) { return unary<math::SqrtOp>(o); })
        .Case<TanhOp>([&](auto o) { return unary<math::TanhOp>(o); })
        .Case<ReluOp, SigmoidOp, ConstantOp, MatmulOp, SoftmaxOp,
              LogSoftmaxOp, ReduceSumOp, ReduceMeanOp, ReduceMaxOp, ReshapeOp,
              TransposeOp, BroadcastToOp, MSEOp, CategoricalCrossentropyOp,
              SparseCategoricalCrossentropyOp, BinaryCrossentropyOp, OneHotOp,
              ReluGradOp, BroadcastLikeOp, EqualOp, ClipOp>(
            [&](auto o) { return lowerOp(o); })
        .Case<GradientOp>([&](Operation *o) -> FailureOr<Value> {
          return o->emitOpError()
                 << "must be expanded by mlc-autodiff before lowering";
        })
        .Case<OptimizerUpdateOp>([&](Operation *o) -> FailureOr<Value> {
          return o->emitOpError()
                 << "must be lowered by mlc-optimizer before mlc-to-linalg";
        })
        .Case<DenseOp, FlattenOp>([&](Operation *o) -> FailureOr<Value> {
          return o->emitOpError()
                 << "is a layer and cannot be lowered directly; run "
                    "mlc-materialize-params first";
        })
        .Case<InputOp, ParamOp, ParamRefOp, OutputOp, ModelOp>(
            [&](Operation *o) -> FailureOr<Value> {
              return o->emitOpError()
                     << "belongs to an mlc.model; run mlc-build-entry-points "
                        "to turn the model into functions first";
            })
        .Default([&](Operation *o) -> FailureOr<Value> {
          return o->emitOpError() << "has no lowering to linalg";
        });
  }

private:
  template <typename ArithOp, typename OpTy>
  FailureOr<Value> binary(OpTy op) {
    return buildElementwise(
        b, loc, op.getType(), ValueRange{op.getLhs(), op.getRhs()},
        [](OpBuilder &nb, Location nl, ValueRange a) -> Value {
          return ArithOp::create(nb, nl, a[0], a[1]);
        });
  }

  template <typename MathOp, typename OpTy>
  FailureOr<Value> unary(OpTy op) {
    return buildElementwise(
        b, loc, op.getType(), op.getInput(),
        [](OpBuilder &nb, Location nl, ValueRange a) -> Value {
          return MathOp::create(nb, nl, a[0]);
        });
  }

  FailureOr<Value> lowerOp(ReluOp op) {
    return buildElementwise(
        b, loc, op.getType(), op.getInput(),
        [](OpBuilder &nb, Location nl, ValueRange a) -> Value {
          Value zero = floatConst(nb, nl, a[0].getType(), 0.0);
          return arith::MaximumFOp::create(nb, nl, a[0], zero);
        });
  }

  FailureOr<Value> lowerOp(SigmoidOp op) {
    return buildElementwise(
        b, loc, op.getType(), op.getInput(),
        [](OpBuilder &nb, Location nl, ValueRange a) -> Value {
          Type t = a[0].getType();
          Value one = floatConst(nb, nl, t, 1.0);
          Value e = math::ExpOp::create(nb, nl,
                                        arith::NegFOp::create(nb, nl, a[0]));
          return arith::DivFOp::create(nb, nl, one,
                                       arith::AddFOp::create(nb, nl, one, e));
        });
  }

  FailureOr<Value> lowerOp(ConstantOp op) {
    auto value = llvm::dyn_cast<TypedAttr>(op.getValue());
    if (!value)
      return op.emitOpError() << "has a value that arith.constant cannot hold";
    return arith::ConstantOp::create(b, loc, value).getResult();
  }

  FailureOr<Value> lowerOp(MatmulOp op) {
    RankedTensorType result = op.getType();
    RankedTensorType lhs = op.getLhs().getType(), rhs = op.getRhs().getType();
    int64_t rank = result.getRank();
    // Dynamic sizes of the result: batch dims from whichever operand has
    // them, M from lhs, N from rhs.
    SmallVector<Value> dynSizes;
    for (int64_t d = 0; d < rank; ++d) {
      if (!result.isDynamicDim(d))
        continue;
      if (d == rank - 2) {
        int64_t k = lhs.getRank() - (op.getTransposeLhs() ? 1 : 2);
        dynSizes.push_back(dimOf(b, loc, op.getLhs(), k));
      } else if (d == rank - 1) {
        int64_t k = rhs.getRank() - (op.getTransposeRhs() ? 2 : 1);
        dynSizes.push_back(dimOf(b, loc, op.getRhs(), k));
      } else {
        int64_t kl = d - (rank - lhs.getRank());
        Value from = kl >= 0 && lhs.isDynamicDim(kl) ? op.getLhs() : op.getRhs();
        int64_t k = d - (rank - tensorTypeOf(from).getRank());
        dynSizes.push_back(dimOf(b, loc, from, k));
      }
    }
    Value init = filledTensor(b, loc, result, dynSizes, 0.0);

    // Iteration space: batch dims..., m, n, k.
    MLIRContext *ctx = b.getContext();
    int64_t numLoops = rank + 1;
    AffineExpr m = getAffineDimExpr(rank - 2, ctx);
    AffineExpr n = getAffineDimExpr(rank - 1, ctx);
    AffineExpr k = getAffineDimExpr(rank, ctx);
    auto operandMap = [&](RankedTensorType t, AffineExpr rows, AffineExpr cols,
                          bool transposed) {
      SmallVector<AffineExpr> exprs;
      int64_t offset = (rank - 2) - (t.getRank() - 2);
      for (int64_t i = 0; i < t.getRank() - 2; ++i)
        exprs.push_back(t.getDimSize(i) == 1 && result.getDimSize(offset + i) != 1
                            ? getAffineConstantExpr(0, ctx)
                            : getAffineDimExpr(offset + i, ctx));
      exprs.push_back(transposed ? cols : rows);
      exprs.push_back(transposed ? rows : cols);
      return AffineMap::get(numLoops, 0, exprs, ctx);
    };
    SmallVector<AffineMap> maps = {
        operandMap(lhs, m, k, op.getTransposeLhs()),
        operandMap(rhs, k, n, op.getTransposeRhs()),
        AffineMap::getMultiDimIdentityMap(numLoops, ctx).getMajorSubMap(rank)};
    SmallVector<Value> inputs = {op.getLhs(), op.getRhs()};
    if (rank == 2) {
      // linalg.matmul (with explicit maps when transposed) is what the CPU
      // schedules match on.
      SmallVector<NamedAttribute> attrs;
      if (op.getTransposeLhs() || op.getTransposeRhs())
        attrs.push_back(b.getNamedAttr(
            "indexing_maps", b.getAffineMapArrayAttr(maps)));
      return linalg::MatmulOp::create(b, loc, TypeRange{result}, inputs,
                                      ValueRange{init}, attrs)
          .getResult(0);
    }
    SmallVector<IteratorType> iterators(numLoops, IteratorType::parallel);
    iterators.back() = IteratorType::reduction;
    return linalg::GenericOp::create(
               b, loc, TypeRange{result}, inputs, ValueRange{init}, maps,
               iterators,
               [](OpBuilder &nb, Location nl, ValueRange a) {
                 Value prod = arith::MulFOp::create(nb, nl, a[0], a[1]);
                 linalg::YieldOp::create(
                     nb, nl, ValueRange{arith::AddFOp::create(nb, nl, a[2], prod)});
               })
        .getResult(0);
  }

  template <typename OpTy>
  FailureOr<Value> softmaxLike(OpTy op, bool logarithm) {
    Value x = op.getInput();
    int64_t rank = op.getType().getRank();
    int64_t axis = *normalizeAxis(op.getAxis(), rank);
    auto [maxRow, sumRow] = buildMaxAndSumExp(b, loc, x, axis);
    MLIRContext *ctx = b.getContext();
    AffineMap id = b.getMultiDimIdentityMap(rank);
    AffineMap row = rowStatMap(ctx, rank, axis);
    Value init = emptyTensor(b, loc, op.getType(), dynamicSizesOf(b, loc, x));
    SmallVector<IteratorType> iterators(rank, IteratorType::parallel);
    return linalg::GenericOp::create(
               b, loc, TypeRange{op.getType()}, ValueRange{x, maxRow, sumRow},
               ValueRange{init}, {id, row, row, id}, iterators,
               [&](OpBuilder &nb, Location nl, ValueRange a) {
                 Value shifted = arith::SubFOp::create(nb, nl, a[0], a[1]);
                 Value r =
                     logarithm
                         ? arith::SubFOp::create(
                               nb, nl, shifted, math::LogOp::create(nb, nl, a[2]))
                               .getResult()
                         : arith::DivFOp::create(
                               nb, nl, math::ExpOp::create(nb, nl, shifted), a[2])
                               .getResult();
                 linalg::YieldOp::create(nb, nl, r);
               })
        .getResult(0);
  }
  FailureOr<Value> lowerOp(SoftmaxOp op) { return softmaxLike(op, false); }
  FailureOr<Value> lowerOp(LogSoftmaxOp op) { return softmaxLike(op, true); }

  enum class ReduceKind { Sum, Mean, Max };
  template <typename OpTy>
  FailureOr<Value> reduce(OpTy op, ReduceKind kind) {
    Value x = op.getInput();
    RankedTensorType in = op.getInput().getType();
    int64_t rank = in.getRank();
    SmallVector<bool> reduced(rank, op.getAxes().empty());
    for (int64_t a : op.getAxes())
      reduced[*normalizeAxis(a, rank)] = true;
    SmallVector<int64_t> keptShape, reducedDims;
    SmallVector<AffineExpr> outExprs;
    SmallVector<Value> dynSizes;
    for (int64_t d = 0; d < rank; ++d) {
      if (reduced[d]) {
        reducedDims.push_back(d);
        continue;
      }
      keptShape.push_back(in.getDimSize(d));
      outExprs.push_back(b.getAffineDimExpr(d));
      if (in.isDynamicDim(d))
        dynSizes.push_back(dimOf(b, loc, x, d));
    }
    Type elt = in.getElementType();
    auto keptType = RankedTensorType::get(keptShape, elt);
    double initValue = kind == ReduceKind::Max
                           ? -std::numeric_limits<double>::infinity()
                           : 0.0;
    Value init = filledTensor(b, loc, keptType, dynSizes, initValue);
    SmallVector<IteratorType> iterators;
    for (bool r : reduced)
      iterators.push_back(r ? IteratorType::reduction : IteratorType::parallel);
    Value result =
        linalg::GenericOp::create(
            b, loc, TypeRange{keptType}, ValueRange{x}, ValueRange{init},
            {b.getMultiDimIdentityMap(rank),
             AffineMap::get(rank, 0, outExprs, b.getContext())},
            iterators,
            [&](OpBuilder &nb, Location nl, ValueRange a) {
              Value r = kind == ReduceKind::Max
                            ? arith::MaximumFOp::create(nb, nl, a[1], a[0])
                                  .getResult()
                            : arith::AddFOp::create(nb, nl, a[1], a[0]).getResult();
              linalg::YieldOp::create(nb, nl, r);
            })
            .getResult(0);
    if (kind == ReduceKind::Mean) {
      Value count = countAsFloat(b, loc, x, reducedDims, elt);
      Value invCount =
          arith::DivFOp::create(b, loc, floatConst(b, loc, elt, 1.0), count);
      result = buildElementwise(
          b, loc, keptType, result,
          [&](OpBuilder &nb, Location nl, ValueRange a) -> Value {
            return arith::MulFOp::create(nb, nl, a[0], invCount);
          });
    }
    if (!op.getKeepdims())
      return result;
    // Put the reduced dims back as size 1: each kept dim's group takes the
    // reduced dims after it; leading reduced dims join the first group.
    SmallVector<ReassociationIndices> groups;
    SmallVector<int64_t> leading;
    SmallVector<OpFoldResult> outputShape;
    for (int64_t d = 0; d < rank; ++d) {
      outputShape.push_back(reduced[d] ? b.getIndexAttr(1)
                                       : tensor::getMixedSize(b, loc, x, d));
      if (!reduced[d])
        groups.push_back({d});
      else if (groups.empty())
        leading.push_back(d);
      else
        groups.back().push_back(d);
    }
    if (!groups.empty())
      groups.front().insert(groups.front().begin(), leading.begin(),
                            leading.end());
    return tensor::ExpandShapeOp::create(b, loc, op.getType(), result, groups,
                                         outputShape)
        .getResult();
  }
  FailureOr<Value> lowerOp(ReduceSumOp op) { return reduce(op, ReduceKind::Sum); }
  FailureOr<Value> lowerOp(ReduceMeanOp op) {
    return reduce(op, ReduceKind::Mean);
  }
  FailureOr<Value> lowerOp(ReduceMaxOp op) { return reduce(op, ReduceKind::Max); }

  FailureOr<Value> lowerOp(ReshapeOp op) {
    Value x = op.getInput();
    RankedTensorType in = op.getInput().getType(), out = op.getType();
    // Collapse to 1-D, then expand to the result shape.
    Value flat = x;
    if (in.getRank() != 1) {
      SmallVector<ReassociationIndices> all;
      if (in.getRank() > 0)
        all.emplace_back(llvm::to_vector(llvm::seq<int64_t>(0, in.getRank())));
      else {
        // A rank-0 tensor expands straight to the all-ones result.
        SmallVector<OpFoldResult> ones(out.getRank(), b.getIndexAttr(1));
        return tensor::ExpandShapeOp::create(b, loc, out, x,
                                             ArrayRef<ReassociationIndices>{},
                                             ones)
            .getResult();
      }
      flat = tensor::CollapseShapeOp::create(b, loc, x, all);
    }
    if (out.getRank() == 1)
      return out == tensorTypeOf(flat)
                 ? flat
                 : tensor::CastOp::create(b, loc, out, flat).getResult();
    if (out.getRank() == 0)
      return tensor::CollapseShapeOp::create(b, loc, out, flat,
                                             ArrayRef<ReassociationIndices>{})
          .getResult();
    SmallVector<OpFoldResult> shape;
    int64_t staticProduct = 1;
    for (int64_t d : out.getShape())
      if (!ShapedType::isDynamic(d))
        staticProduct *= d;
    for (int64_t d : out.getShape()) {
      if (!ShapedType::isDynamic(d)) {
        shape.push_back(b.getIndexAttr(d));
        continue;
      }
      Value total = dimOf(b, loc, flat, 0);
      shape.push_back(
          arith::DivUIOp::create(
              b, loc, total, arith::ConstantIndexOp::create(b, loc, staticProduct))
              .getResult());
    }
    SmallVector<ReassociationIndices> all = {
        llvm::to_vector(llvm::seq<int64_t>(0, out.getRank()))};
    return tensor::ExpandShapeOp::create(b, loc, out, flat, all, shape)
        .getResult();
  }

  FailureOr<Value> lowerOp(TransposeOp op) {
    SmallVector<Value> dynSizes;
    RankedTensorType out = op.getType();
    for (auto [i, p] : llvm::enumerate(op.getPerm()))
      if (out.isDynamicDim(i))
        dynSizes.push_back(dimOf(b, loc, op.getInput(), p));
    Value init = emptyTensor(b, loc, out, dynSizes);
    return linalg::TransposeOp::create(b, loc, op.getInput(), init,
                                       op.getPerm())
        .getResult()
        .front();
  }

  FailureOr<Value> lowerOp(BroadcastToOp op) {
    RankedTensorType out = op.getType();
    if (!out.hasStaticShape() &&
        out.getNumDynamicDims() !=
            tensorTypeOf(op.getInput()).getNumDynamicDims())
      return op.emitOpError()
             << "cannot be lowered: result " << out
             << " has dynamic dimensions the input does not give";
    return buildElementwise(b, loc, out, op.getInput(),
                            [](OpBuilder &, Location, ValueRange a) -> Value {
                              return a[0];
                            });
  }

  FailureOr<Value> lowerOp(OneHotOp op) {
    // 1.0 where the column index equals the row's label.
    RankedTensorType out = op.getType();
    int64_t rank = out.getRank();
    SmallVector<Value> dynSizes = dynamicSizesOf(b, loc, op.getLabels());
    Value init = emptyTensor(b, loc, out, dynSizes);
    SmallVector<IteratorType> iterators(rank, IteratorType::parallel);
    return linalg::GenericOp::create(
               b, loc, TypeRange{out}, ValueRange{op.getLabels()},
               ValueRange{init},
               {rowStatMap(b.getContext(), rank, rank - 1),
                b.getMultiDimIdentityMap(rank)},
               iterators,
               [&](OpBuilder &nb, Location nl, ValueRange a) {
                 Value c = linalg::IndexOp::create(nb, nl, rank - 1);
                 Value label = arith::IndexCastOp::create(
                     nb, nl, nb.getIndexType(), a[0]);
                 Value hit = arith::CmpIOp::create(
                     nb, nl, arith::CmpIPredicate::eq, c, label);
                 Type elt = out.getElementType();
                 linalg::YieldOp::create(
                     nb, nl,
                     ValueRange{arith::SelectOp::create(
                         nb, nl, hit, floatConst(nb, nl, elt, 1.0),
                         floatConst(nb, nl, elt, 0.0))});
               })
        .getResult(0);
  }

  FailureOr<Value> lowerOp(ReluGradOp op) {
    return buildElementwise(
        b, loc, op.getType(), ValueRange{op.getGrad(), op.getOutput()},
        [](OpBuilder &nb, Location nl, ValueRange a) -> Value {
          Value zero = floatConst(nb, nl, a[0].getType(), 0.0);
          Value positive = arith::CmpFOp::create(
              nb, nl, arith::CmpFPredicate::OGT, a[1], zero);
          return arith::SelectOp::create(nb, nl, positive, a[0], zero);
        });
  }

  FailureOr<Value> lowerOp(BroadcastLikeOp op) {
    // The result's dynamic sizes are those of `like`.
    RankedTensorType out = op.getType();
    SmallVector<AffineMap> maps;
    RankedTensorType in = op.getInput().getType();
    int64_t rank = out.getRank(), offset = rank - in.getRank();
    SmallVector<AffineExpr> exprs;
    for (int64_t k = 0; k < in.getRank(); ++k)
      exprs.push_back(in.getDimSize(k) == 1 && out.getDimSize(offset + k) != 1
                          ? b.getAffineConstantExpr(0)
                          : b.getAffineDimExpr(offset + k));
    Value init =
        emptyTensor(b, loc, out, dynamicSizesOf(b, loc, op.getLike()));
    SmallVector<IteratorType> iterators(rank, IteratorType::parallel);
    return linalg::GenericOp::create(
               b, loc, TypeRange{out}, ValueRange{op.getInput()},
               ValueRange{init},
               {AffineMap::get(rank, 0, exprs, b.getContext()),
                b.getMultiDimIdentityMap(rank)},
               iterators,
               [](OpBuilder &nb, Location nl, ValueRange a) {
                 linalg::YieldOp::create(nb, nl, ValueRange{a[0]});
               })
        .getResult(0);
  }

  FailureOr<Value> lowerOp(EqualOp op) {
    return buildElementwise(
        b, loc, op.getType(), ValueRange{op.getLhs(), op.getRhs()},
        [](OpBuilder &nb, Location nl, ValueRange a) -> Value {
          Type t = a[0].getType();
          Value eq = arith::CmpFOp::create(nb, nl, arith::CmpFPredicate::OEQ,
                                           a[0], a[1]);
          return arith::SelectOp::create(nb, nl, eq, floatConst(nb, nl, t, 1.0),
                                         floatConst(nb, nl, t, 0.0));
        });
  }

  FailureOr<Value> lowerOp(ClipOp op) {
    double lo = op.getMin().convertToDouble(),
           hi = op.getMax().convertToDouble();
    return buildElementwise(
        b, loc, op.getType(), op.getInput(),
        [&](OpBuilder &nb, Location nl, ValueRange a) -> Value {
          Type t = a[0].getType();
          Value low = arith::MaximumFOp::create(nb, nl, a[0],
                                                floatConst(nb, nl, t, lo));
          return arith::MinimumFOp::create(nb, nl, low,
                                           floatConst(nb, nl, t, hi));
        });
  }

  // Losses: a full reduction to a scalar, then the mean's scale.
  FailureOr<Value> lowerOp(MSEOp op) {
    Value p = op.getPrediction(), t = op.getTarget();
    int64_t rank = tensorTypeOf(p).getRank();
    Type elt = op.getType().getElementType();
    AffineMap id = b.getMultiDimIdentityMap(rank);
    Value sum = buildFullReduction(
        b, loc, elt, ValueRange{p, t}, {id, id}, rank,
        [](OpBuilder &nb, Location nl, Value acc, ValueRange a) -> Value {
          Value d = arith::SubFOp::create(nb, nl, a[0], a[1]);
          return arith::AddFOp::create(nb, nl, acc,
                                       arith::MulFOp::create(nb, nl, d, d));
        });
    return meanOf(sum, p, llvm::to_vector(llvm::seq<int64_t>(0, rank)), 1.0);
  }

  FailureOr<Value> lowerOp(BinaryCrossentropyOp op) {
    Value p = op.getPrediction(), t = op.getTarget();
    int64_t rank = tensorTypeOf(p).getRank();
    Type elt = op.getType().getElementType();
    AffineMap id = b.getMultiDimIdentityMap(rank);
    bool logits = op.getFromLogits();
    Value sum = buildFullReduction(
        b, loc, elt, ValueRange{p, t}, {id, id}, rank,
        [&](OpBuilder &nb, Location nl, Value acc, ValueRange a) -> Value {
          Value z = a[0], y = a[1];
          Value term;
          if (logits) {
            // max(z, 0) - z * y + log1p(exp(-|z|))
            Value zero = floatConst(nb, nl, elt, 0.0);
            Value relu = arith::MaximumFOp::create(nb, nl, z, zero);
            Value zy = arith::MulFOp::create(nb, nl, z, y);
            Value negAbs = arith::NegFOp::create(
                nb, nl, math::AbsFOp::create(nb, nl, z));
            Value softplus = math::Log1pOp::create(
                nb, nl, math::ExpOp::create(nb, nl, negAbs));
            term = arith::AddFOp::create(
                nb, nl, arith::SubFOp::create(nb, nl, relu, zy), softplus);
          } else {
            // -(y log p + (1 - y) log(1 - p)), p clipped
            Value one = floatConst(nb, nl, elt, 1.0);
            Value pc = clipProbability(nb, nl, z);
            Value a1 = arith::MulFOp::create(nb, nl, y,
                                             math::LogOp::create(nb, nl, pc));
            Value a2 = arith::MulFOp::create(
                nb, nl, arith::SubFOp::create(nb, nl, one, y),
                math::LogOp::create(nb, nl,
                                    arith::SubFOp::create(nb, nl, one, pc)));
            term = arith::NegFOp::create(nb, nl,
                                         arith::AddFOp::create(nb, nl, a1, a2));
          }
          return arith::AddFOp::create(nb, nl, acc, term);
        });
    return meanOf(sum, p, llvm::to_vector(llvm::seq<int64_t>(0, rank)), 1.0);
  }

  FailureOr<Value> lowerOp(CategoricalCrossentropyOp op) {
    Value p = op.getPrediction(), t = op.getTarget();
    int64_t rank = tensorTypeOf(p).getRank();
    int64_t axis = rank - 1;
    Type elt = op.getType().getElementType();
    MLIRContext *ctx = b.getContext();
    AffineMap id = b.getMultiDimIdentityMap(rank);
    AffineMap row = rowStatMap(ctx, rank, axis);
    Value sum;
    if (op.getFromLogits()) {
      // -sum(t * (z - m - log s))
      auto [m, s] = buildMaxAndSumExp(b, loc, p, axis);
      sum = buildFullReduction(
          b, loc, elt, ValueRange{p, t, m, s}, {id, id, row, row}, rank,
          [](OpBuilder &nb, Location nl, Value acc, ValueRange a) -> Value {
            Value logp = arith::SubFOp::create(
                nb, nl, arith::SubFOp::create(nb, nl, a[0], a[2]),
                math::LogOp::create(nb, nl, a[3]));
            return arith::SubFOp::create(
                nb, nl, acc, arith::MulFOp::create(nb, nl, a[1], logp));
          });
    } else {
      // Keras renormalizes the probabilities per row, then clips.
      Value rowSum = reduceRows(p, axis);
      sum = buildFullReduction(
          b, loc, elt, ValueRange{p, t, rowSum}, {id, id, row}, rank,
          [](OpBuilder &nb, Location nl, Value acc, ValueRange a) -> Value {
            Value pn = clipProbability(
                nb, nl, arith::DivFOp::create(nb, nl, a[0], a[2]));
            return arith::SubFOp::create(
                nb, nl, acc,
                arith::MulFOp::create(nb, nl, a[1],
                                      math::LogOp::create(nb, nl, pn)));
          });
    }
    return meanOf(sum, p, llvm::to_vector(llvm::seq<int64_t>(0, axis)), 1.0);
  }

  FailureOr<Value> lowerOp(SparseCategoricalCrossentropyOp op) {
    Value p = op.getPrediction(), labels = op.getTarget();
    int64_t rank = tensorTypeOf(p).getRank();
    int64_t axis = rank - 1;
    Type elt = op.getType().getElementType();
    MLIRContext *ctx = b.getContext();
    AffineMap id = b.getMultiDimIdentityMap(rank);
    AffineMap row = rowStatMap(ctx, rank, axis);
    bool logits = op.getFromLogits();
    SmallVector<Value> inputs = {p, labels};
    SmallVector<AffineMap> maps = {id, row};
    if (logits) {
      auto [m, s] = buildMaxAndSumExp(b, loc, p, axis);
      inputs.append({m, s});
      maps.append({row, row});
    }
    // Picks the labelled class of each row: -log p[y] or lse(z) - z[y].
    Value sum = buildFullReduction(
        b, loc, elt, inputs, maps, rank,
        [&](OpBuilder &nb, Location nl, Value acc, ValueRange a) -> Value {
          Value c = linalg::IndexOp::create(nb, nl, axis);
          Value label =
              arith::IndexCastOp::create(nb, nl, nb.getIndexType(), a[1]);
          Value isLabel = arith::CmpIOp::create(
              nb, nl, arith::CmpIPredicate::eq, c, label);
          Value term =
              logits ? arith::SubFOp::create(
                           nb, nl,
                           arith::AddFOp::create(
                               nb, nl, a[2], math::LogOp::create(nb, nl, a[3])),
                           a[0])
                           .getResult()
                     : arith::NegFOp::create(
                           nb, nl,
                           math::LogOp::create(nb, nl,
                                               clipProbability(nb, nl, a[0])))
                           .getResult();
          Value zero = floatConst(nb, nl, elt, 0.0);
          return arith::AddFOp::create(
              nb, nl, acc,
              arith::SelectOp::create(nb, nl, isLabel, term, zero));
        });
    return meanOf(sum, p, llvm::to_vector(llvm::seq<int64_t>(0, axis)), 1.0);
  }

  /// Sum of `x` along `axis`.
  Value reduceRows(Value x, int64_t axis) {
    RankedTensorType t = tensorTypeOf(x);
    int64_t rank = t.getRank();
    SmallVector<int64_t> shape;
    SmallVector<Value> dynSizes;
    for (int64_t d = 0; d < rank; ++d) {
      if (d == axis)
        continue;
      shape.push_back(t.getDimSize(d));
      if (t.isDynamicDim(d))
        dynSizes.push_back(dimOf(b, loc, x, d));
    }
    auto rowType = RankedTensorType::get(shape, t.getElementType());
    Value init = filledTensor(b, loc, rowType, dynSizes, 0.0);
    SmallVector<IteratorType> iterators(rank, IteratorType::parallel);
    iterators[axis] = IteratorType::reduction;
    return linalg::GenericOp::create(
               b, loc, TypeRange{rowType}, ValueRange{x}, ValueRange{init},
               {b.getMultiDimIdentityMap(rank),
                rowStatMap(b.getContext(), rank, axis)},
               iterators,
               [](OpBuilder &nb, Location nl, ValueRange a) {
                 linalg::YieldOp::create(
                     nb, nl, ValueRange{arith::AddFOp::create(nb, nl, a[1], a[0])});
               })
        .getResult(0);
  }

  /// sum * sign / (number of elements of `x` in `dims`).
  Value meanOf(Value sum, Value x, ArrayRef<int64_t> dims, double sign) {
    Type elt = tensorTypeOf(sum).getElementType();
    Value count = countAsFloat(b, loc, x, dims, elt);
    Value factor =
        arith::DivFOp::create(b, loc, floatConst(b, loc, elt, sign), count);
    return scaleScalar(b, loc, sum, factor);
  }

  OpBuilder &b;
  Location loc = UnknownLoc::get(b.getContext());
};

struct ConvertMLCToLinalgPass
    : public mlc::impl::ConvertMLCToLinalgBase<ConvertMLCToLinalgPass> {
  void runOnOperation() override {
    SmallVector<Operation *> ops;
    getOperation().walk([&](Operation *op) {
      if (llvm::isa<MLCDialect>(op->getDialect()))
        ops.push_back(op);
    });
    IRRewriter rewriter(&getContext());
    Lowering lowering(rewriter);
    for (Operation *op : ops) {
      FailureOr<Value> replacement = lowering.lower(op);
      if (failed(replacement))
        return signalPassFailure();
      rewriter.replaceOp(op, *replacement);
    }
  }
};

} // namespace
