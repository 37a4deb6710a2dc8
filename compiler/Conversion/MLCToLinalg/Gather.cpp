//===- Gather.cpp - mlc.gather and its gradient -> linalg and scf ---------===//
//
// gather is an all-parallel linalg.generic over the result whose body reads
// the table at the element's id (tensor.extract); gather_grad is a loop
// over the gathered rows that adds each into the table row its id picked,
// so its cost is the rows gathered, not the table. iota (each element's
// index along an axis) gives the ids of positions.
//
//===----------------------------------------------------------------------===//

#include "compiler/Conversion/MLCToLinalg/LoweringUtils.h"
#include "compiler/Conversion/MLCToLinalg/Patterns.h"

#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Utils/ReshapeOpsUtils.h"

using namespace mlir;
using namespace mlc;
using namespace mlc::linalg_lowering;

namespace {

using utils::IteratorType;

/// `id` clamped into the table's `rows` (clampedIndex).
std::pair<Value, Value> clampedRow(OpBuilder &b, Location loc, Value id,
                                   int64_t rows) {
  return clampedIndex(b, loc, id, arith::ConstantIndexOp::create(b, loc, rows));
}

/// `v` (rank >= 1) as a rank-`keep` tensor whose first dim merges the
/// leading dims: ids to [N], gradients to [N, width].
Value mergeLeading(OpBuilder &b, Location loc, Value v, int64_t keep) {
  RankedTensorType t = tensorTypeOf(v);
  int64_t rank = t.getRank();
  int64_t merged = rank - keep + 1;
  if (merged == 1)
    return v;
  SmallVector<ReassociationIndices> groups;
  groups.emplace_back(llvm::to_vector(llvm::seq<int64_t>(0, merged)));
  for (int64_t d = merged; d < rank; ++d)
    groups.push_back({d});
  int64_t rows = 1;
  for (int64_t d : t.getShape().take_front(merged))
    rows = ShapedType::isDynamic(d) || ShapedType::isDynamic(rows)
               ? ShapedType::kDynamic
               : rows * d;
  SmallVector<int64_t> shape = {rows};
  llvm::append_range(shape, t.getShape().drop_front(merged));
  return tensor::CollapseShapeOp::create(
      b, loc, RankedTensorType::get(shape, t.getElementType()), v, groups);
}

struct GatherLowering : LoweringPattern<GatherOp> {
  using LoweringPattern::LoweringPattern;
  FailureOr<Value> lower(GatherOp op, OpBuilder &b,
                         Location loc) const override {
    RankedTensorType out = op.getType();
    Value table = op.getTable();
    int64_t rows = op.getTable().getType().getDimSize(0);
    int64_t rank = out.getRank();
    Value init =
        emptyTensor(b, loc, out, dynamicSizesOf(b, loc, op.getIndices()));
    MLIRContext *ctx = b.getContext();
    SmallVector<AffineMap> maps = {
        AffineMap::getMultiDimIdentityMap(rank, ctx).getMajorSubMap(rank - 1),
        AffineMap::getMultiDimIdentityMap(rank, ctx)};
    SmallVector<IteratorType> iterators(rank, IteratorType::parallel);
    Type elt = out.getElementType();
    return linalg::GenericOp::create(
               b, loc, TypeRange{out}, ValueRange{op.getIndices()},
               ValueRange{init}, maps, iterators,
               [&](OpBuilder &nb, Location nl, ValueRange a) {
                 auto [row, inside] = clampedRow(nb, nl, a[0], rows);
                 Value col = linalg::IndexOp::create(nb, nl, rank - 1);
                 Value v = tensor::ExtractOp::create(nb, nl, table,
                                                     ValueRange{row, col});
                 Value zero = floatConst(nb, nl, elt, 0.0);
                 linalg::YieldOp::create(nb, nl,
                                         ValueRange{arith::SelectOp::create(
                                             nb, nl, inside, v, zero)});
               })
        .getResult(0);
  }
};

struct GatherGradLowering : LoweringPattern<GatherGradOp> {
  using LoweringPattern::LoweringPattern;
  FailureOr<Value> lower(GatherGradOp op, OpBuilder &b,
                         Location loc) const override {
    RankedTensorType table = op.getType();
    int64_t rows = table.getDimSize(0), width = table.getDimSize(1);
    Type elt = table.getElementType();
    Value ids = mergeLeading(b, loc, op.getIndices(), 1);
    Value g = mergeLeading(b, loc, op.getGrad(), 2);
    Value acc = filledTensor(b, loc, table, {}, 0.0);
    Value zero = arith::ConstantIndexOp::create(b, loc, 0);
    Value one = arith::ConstantIndexOp::create(b, loc, 1);
    Value count = dimOf(b, loc, ids, 0);
    auto rowType = RankedTensorType::get({1, width}, elt);
    MLIRContext *ctx = b.getContext();
    auto loop = scf::ForOp::create(
        b, loc, zero, count, one, ValueRange{acc},
        [&](OpBuilder &nb, Location nl, Value n, ValueRange args) {
          Value id = tensor::ExtractOp::create(nb, nl, ids, ValueRange{n});
          auto [row, inside] = clampedRow(nb, nl, id, rows);
          // An id outside the table adds zeros (into row 0).
          Value scale = arith::SelectOp::create(nb, nl, inside,
                                                floatConst(nb, nl, elt, 1),
                                                floatConst(nb, nl, elt, 0));
          SmallVector<OpFoldResult> sizes = {nb.getIndexAttr(1),
                                             nb.getIndexAttr(width)};
          SmallVector<OpFoldResult> strides(2, nb.getIndexAttr(1));
          Value target = tensor::ExtractSliceOp::create(
              nb, nl, rowType, args[0],
              SmallVector<OpFoldResult>{row, nb.getIndexAttr(0)}, sizes,
              strides);
          Value source = tensor::ExtractSliceOp::create(
              nb, nl, rowType, g,
              SmallVector<OpFoldResult>{n, nb.getIndexAttr(0)}, sizes, strides);
          auto id2 = AffineMap::getMultiDimIdentityMap(2, ctx);
          Value sum =
              linalg::GenericOp::create(
                  nb, nl, TypeRange{rowType}, ValueRange{source},
                  ValueRange{target}, SmallVector<AffineMap>{id2, id2},
                  SmallVector<IteratorType>(2, IteratorType::parallel),
                  [&](OpBuilder &bb, Location bl, ValueRange a) {
                    Value scaled = arith::MulFOp::create(bb, bl, a[0], scale);
                    linalg::YieldOp::create(bb, bl,
                                            ValueRange{arith::AddFOp::create(
                                                bb, bl, a[1], scaled)});
                  })
                  .getResult(0);
          Value next = tensor::InsertSliceOp::create(
              nb, nl, sum, args[0],
              SmallVector<OpFoldResult>{row, nb.getIndexAttr(0)}, sizes,
              strides);
          scf::YieldOp::create(nb, nl, ValueRange{next});
        });
    return loop.getResult(0);
  }
};

/// iota: an all-parallel linalg.generic writing each element's index
/// along the axis (the ids a position embedding gathers by).
struct IotaLowering : LoweringPattern<IotaOp> {
  using LoweringPattern::LoweringPattern;
  FailureOr<Value> lower(IotaOp op, OpBuilder &b, Location loc) const override {
    RankedTensorType type = op.getType();
    SmallVector<Value> dyn;
    for (int64_t d = 0; d < type.getRank(); ++d)
      if (type.isDynamicDim(d))
        dyn.push_back(dimOf(b, loc, op.getLike(), d));
    Value init = emptyTensor(b, loc, type, dyn);
    int64_t axis = op.getAxis();
    return linalg::GenericOp::create(
               b, loc, TypeRange{type}, ValueRange{}, ValueRange{init},
               SmallVector<AffineMap>{b.getMultiDimIdentityMap(type.getRank())},
               SmallVector<IteratorType>(type.getRank(),
                                         IteratorType::parallel),
               [&](OpBuilder &nb, Location nl, ValueRange) {
                 Value i = linalg::IndexOp::create(nb, nl, axis);
                 linalg::YieldOp::create(
                     nb, nl,
                     ValueRange{arith::IndexCastOp::create(
                         nb, nl, type.getElementType(), i)});
               })
        .getResult(0);
  }
};

} // namespace

void mlc::populateMLCGatherToLinalgPatterns(RewritePatternSet &patterns) {
  patterns.add<GatherLowering, GatherGradLowering, IotaLowering>(
      patterns.getContext());
}
