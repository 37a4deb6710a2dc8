//===- LoweringUtils.cpp - Builders shared by the mlc lowerings -----------===//
//
// Tensors, broadcasting linalg.generic ops, reductions and means that the
// op families of MLCToLinalg/ build alike.
//
//===----------------------------------------------------------------------===//

#include "compiler/Conversion/MLCToLinalg/LoweringUtils.h"

#include <limits>

using namespace mlir;
using namespace mlc;

namespace mlc::linalg_lowering {

using utils::IteratorType;

Value floatConst(OpBuilder &b, Location loc, Type type, double value) {
  return arith::ConstantOp::create(b, loc, b.getFloatAttr(type, value));
}

Value emptyTensor(OpBuilder &b, Location loc, RankedTensorType type,
                  ValueRange dynSizes) {
  return tensor::EmptyOp::create(b, loc, type, dynSizes);
}

Value filledTensor(OpBuilder &b, Location loc, RankedTensorType type,
                   ValueRange dynSizes, double value) {
  Value init = emptyTensor(b, loc, type, dynSizes);
  Value cst = floatConst(b, loc, type.getElementType(), value);
  return linalg::FillOp::create(b, loc, cst, init).getResult(0);
}

Value dimOf(OpBuilder &b, Location loc, Value v, int64_t dim) {
  return tensor::DimOp::create(b, loc, v, dim);
}

SmallVector<Value> dynamicSizesOf(OpBuilder &b, Location loc, Value v) {
  SmallVector<Value> sizes;
  RankedTensorType type = tensorTypeOf(v);
  for (int64_t i = 0; i < type.getRank(); ++i)
    if (type.isDynamicDim(i))
      sizes.push_back(dimOf(b, loc, v, i));
  return sizes;
}

/// Marks `axis` alone among `rank` dims, for a reduction along one axis.
static SmallVector<bool> axisMask(int64_t rank, int64_t axis) {
  SmallVector<bool> reduced(rank, false);
  reduced[axis] = true;
  return reduced;
}

static SmallVector<IteratorType> iteratorsFor(ArrayRef<bool> reduced) {
  SmallVector<IteratorType> iterators;
  for (bool r : reduced)
    iterators.push_back(r ? IteratorType::reduction : IteratorType::parallel);
  return iterators;
}

AffineMap keptDimsMap(MLIRContext *ctx, ArrayRef<bool> reduced) {
  SmallVector<AffineExpr> exprs;
  for (auto [d, r] : llvm::enumerate(reduced))
    if (!r)
      exprs.push_back(getAffineDimExpr(d, ctx));
  return AffineMap::get(reduced.size(), 0, exprs, ctx);
}

AffineMap rowStatMap(MLIRContext *ctx, int64_t rank, int64_t axis) {
  return keptDimsMap(ctx, axisMask(rank, axis));
}

/// Number of elements of `v` in the dimensions `dims`, as a float of `type`.
static Value countAsFloat(OpBuilder &b, Location loc, Value v,
                          ArrayRef<int64_t> dims, Type type) {
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

Value buildBroadcasting(OpBuilder &b, Location loc, RankedTensorType resultType,
                        ValueRange inputs, Value init, BodyFn fn) {
  int64_t rank = resultType.getRank();
  MLIRContext *ctx = b.getContext();
  SmallVector<AffineMap> maps;
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
  maps.push_back(b.getMultiDimIdentityMap(rank));
  SmallVector<IteratorType> iterators(rank, IteratorType::parallel);
  auto generic = linalg::GenericOp::create(
      b, loc, TypeRange{resultType}, inputs, ValueRange{init}, maps, iterators,
      [&](OpBuilder &nb, Location nloc, ValueRange args) {
        Value result = fn(nb, nloc, args.drop_back());
        linalg::YieldOp::create(nb, nloc, result);
      });
  return generic.getResult(0);
}

Value buildElementwise(OpBuilder &b, Location loc, RankedTensorType resultType,
                       ValueRange inputs, BodyFn fn) {
  int64_t rank = resultType.getRank();
  SmallVector<Value> dynSizes;
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
  Value init = emptyTensor(b, loc, resultType, dynSizes);
  return buildBroadcasting(b, loc, resultType, inputs, init, fn);
}

RankedTensorType keptType(OpBuilder &b, Location loc, Value x,
                          ArrayRef<bool> reduced,
                          SmallVectorImpl<Value> &dynSizes) {
  RankedTensorType t = tensorTypeOf(x);
  SmallVector<int64_t> shape;
  for (int64_t d = 0; d < t.getRank(); ++d) {
    if (reduced[d])
      continue;
    shape.push_back(t.getDimSize(d));
    if (t.isDynamicDim(d))
      dynSizes.push_back(dimOf(b, loc, x, d));
  }
  return RankedTensorType::get(shape, t.getElementType());
}

Value buildReduction(OpBuilder &b, Location loc, Value x,
                     ArrayRef<bool> reduced, Value init, CombineFn combine) {
  int64_t rank = reduced.size();
  return linalg::GenericOp::create(
             b, loc, TypeRange{init.getType()}, ValueRange{x}, ValueRange{init},
             {b.getMultiDimIdentityMap(rank),
              keptDimsMap(b.getContext(), reduced)},
             iteratorsFor(reduced),
             [&](OpBuilder &nb, Location nl, ValueRange args) {
               linalg::YieldOp::create(nb, nl,
                                       combine(nb, nl, args[1], args[0]));
             })
      .getResult(0);
}

static Value addF(OpBuilder &b, Location loc, Value acc, Value x) {
  return arith::AddFOp::create(b, loc, acc, x);
}

Value buildRowSum(OpBuilder &b, Location loc, Value x, int64_t axis,
                  ElementFn map) {
  SmallVector<bool> reduced = axisMask(tensorTypeOf(x).getRank(), axis);
  SmallVector<Value> dynSizes;
  RankedTensorType rowType = keptType(b, loc, x, reduced, dynSizes);
  Value init = filledTensor(b, loc, rowType, dynSizes, 0.0);
  if (!map)
    return buildReduction(b, loc, x, reduced, init, addF);
  return buildReduction(
      b, loc, x, reduced, init,
      [&](OpBuilder &nb, Location nl, Value acc, Value e) -> Value {
        return addF(nb, nl, acc, map(nb, nl, e));
      });
}

// Two passes over x with one exp per element; a single pass with a running
// maximum reads x once less but needs a second exp per element to rescale
// s, and exp dominates.
std::pair<Value, Value> buildMaxAndSumExp(OpBuilder &b, Location loc, Value x,
                                          int64_t axis) {
  int64_t rank = tensorTypeOf(x).getRank();
  SmallVector<bool> reduced = axisMask(rank, axis);
  SmallVector<Value> dynSizes;
  RankedTensorType rowType = keptType(b, loc, x, reduced, dynSizes);
  Value maxInit = filledTensor(b, loc, rowType, dynSizes,
                               -std::numeric_limits<double>::infinity());
  Value sumInit = filledTensor(b, loc, rowType, dynSizes, 0.0);
  Value max = buildReduction(
      b, loc, x, reduced, maxInit,
      [](OpBuilder &nb, Location nl, Value acc, Value e) -> Value {
        return arith::MaximumFOp::create(nb, nl, acc, e);
      });
  AffineMap outMap = keptDimsMap(b.getContext(), reduced);
  Value sum =
      linalg::GenericOp::create(
          b, loc, TypeRange{rowType}, ValueRange{x, max}, ValueRange{sumInit},
          {b.getMultiDimIdentityMap(rank), outMap, outMap},
          iteratorsFor(reduced),
          [&](OpBuilder &nb, Location nl, ValueRange args) {
            Value term = math::ExpOp::create(
                nb, nl, arith::SubFOp::create(nb, nl, args[0], args[1]));
            linalg::YieldOp::create(nb, nl, addF(nb, nl, args[2], term));
          })
          .getResult(0);
  return {max, sum};
}

Value meanOf(OpBuilder &b, Location loc, Value sum, Value x,
             ArrayRef<int64_t> dims) {
  Type elt = tensorTypeOf(sum).getElementType();
  Value count = countAsFloat(b, loc, x, dims, elt);
  Value factor =
      arith::DivFOp::create(b, loc, floatConst(b, loc, elt, 1.0), count);
  return buildElementwise(
      b, loc, tensorTypeOf(sum), sum,
      [&](OpBuilder &nb, Location nl, ValueRange args) -> Value {
        return arith::MulFOp::create(nb, nl, args[0], factor);
      });
}

std::pair<Value, Value> clampedIndex(OpBuilder &b, Location loc, Value id,
                                     Value limit) {
  Value i = arith::IndexCastOp::create(b, loc, b.getIndexType(), id);
  Value zero = arith::ConstantIndexOp::create(b, loc, 0);
  Value aboveZero =
      arith::CmpIOp::create(b, loc, arith::CmpIPredicate::sge, i, zero);
  Value belowLimit =
      arith::CmpIOp::create(b, loc, arith::CmpIPredicate::slt, i, limit);
  Value inside = arith::AndIOp::create(b, loc, aboveZero, belowLimit);
  return {arith::SelectOp::create(b, loc, inside, i, zero), inside};
}

} // namespace mlc::linalg_lowering
