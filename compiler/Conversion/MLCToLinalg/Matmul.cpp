//===- Matmul.cpp - mlc.matmul -> linalg.matmul or linalg.generic ---------===//
//
// A 2-D matmul becomes linalg.matmul, which the CPU schedules match on; a
// batched one becomes a linalg.generic over (batch..., m, n, k) that
// broadcasts size-1 batch dims.
//
//===----------------------------------------------------------------------===//

#include "compiler/Conversion/MLCToLinalg/LoweringUtils.h"
#include "compiler/Conversion/MLCToLinalg/Patterns.h"

using namespace mlir;
using namespace mlc;
using namespace mlc::linalg_lowering;

namespace {

using utils::IteratorType;

/// A linalg.matmul of 2-D `lhs` and `rhs` (either transposed) added into
/// `init` (zeros).
Value buildMatmul2D(OpBuilder &b, Location loc, Value lhs, Value rhs,
                    bool transposeLhs, bool transposeRhs, Value init) {
  auto result = llvm::cast<RankedTensorType>(init.getType());
  SmallVector<NamedAttribute> attrs;
  if (transposeLhs || transposeRhs) {
    MLIRContext *ctx = b.getContext();
    AffineExpr m = getAffineDimExpr(0, ctx), n = getAffineDimExpr(1, ctx),
               k = getAffineDimExpr(2, ctx);
    auto map = [&](AffineExpr r, AffineExpr c) {
      return AffineMap::get(3, 0, {r, c}, ctx);
    };
    SmallVector<AffineMap> maps = {transposeLhs ? map(k, m) : map(m, k),
                                   transposeRhs ? map(n, k) : map(k, n),
                                   map(m, n)};
    attrs.push_back(
        b.getNamedAttr("indexing_maps", b.getAffineMapArrayAttr(maps)));
  }
  return linalg::MatmulOp::create(b, loc, TypeRange{result},
                                  ValueRange{lhs, rhs}, ValueRange{init}, attrs)
      .getResult(0);
}

struct MatmulLowering : LoweringPattern<MatmulOp> {
  using LoweringPattern::LoweringPattern;
  FailureOr<Value> lower(MatmulOp op, OpBuilder &b,
                         Location loc) const override {
    RankedTensorType result = op.getType();
    RankedTensorType lhs = op.getLhs().getType(), rhs = op.getRhs().getType();
    int64_t rank = result.getRank();
    if (rank > 2 && rhs.getRank() == 2 && !op.getTransposeLhs())
      return lowerRowsTimesMatrix(op, b, loc);
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
        Value from =
            kl >= 0 && lhs.isDynamicDim(kl) ? op.getLhs() : op.getRhs();
        int64_t k = d - (rank - tensorTypeOf(from).getRank());
        dynSizes.push_back(dimOf(b, loc, from, k));
      }
    }
    Value init = filledTensor(b, loc, result, dynSizes, 0.0);
    if (rank == 2)
      return buildMatmul2D(b, loc, op.getLhs(), op.getRhs(),
                           op.getTransposeLhs(), op.getTransposeRhs(), init);

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
        exprs.push_back(t.getDimSize(i) == 1 &&
                                result.getDimSize(offset + i) != 1
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
    SmallVector<IteratorType> iterators(numLoops, IteratorType::parallel);
    iterators.back() = IteratorType::reduction;
    return linalg::GenericOp::create(
               b, loc, TypeRange{result}, inputs, ValueRange{init}, maps,
               iterators,
               [](OpBuilder &nb, Location nl, ValueRange a) {
                 Value prod = arith::MulFOp::create(nb, nl, a[0], a[1]);
                 linalg::YieldOp::create(
                     nb, nl,
                     ValueRange{arith::AddFOp::create(nb, nl, a[2], prod)});
               })
        .getResult(0);
  }

  /// [..., M, K] x [K, N] (a dense layer over a sequence): every row of
  /// the leading dims times one matrix, as one 2-D linalg.matmul of the
  /// merged rows, which the CPU schedules tile and pack.
  static Value lowerRowsTimesMatrix(MatmulOp op, OpBuilder &b, Location loc) {
    Value lhs = op.getLhs();
    RankedTensorType lt = op.getLhs().getType(), result = op.getType();
    int64_t rank = lt.getRank();
    SmallVector<ReassociationIndices> groups;
    groups.emplace_back(llvm::to_vector(llvm::seq<int64_t>(0, rank - 1)));
    groups.push_back({rank - 1});
    int64_t rows = 1;
    for (int64_t d : lt.getShape().drop_back())
      rows = ShapedType::isDynamic(d) || ShapedType::isDynamic(rows)
                 ? ShapedType::kDynamic
                 : rows * d;
    auto flatType = RankedTensorType::get({rows, lt.getShape().back()},
                                          lt.getElementType());
    Value flat = tensor::CollapseShapeOp::create(b, loc, flatType, lhs, groups);
    auto outType = RankedTensorType::get({rows, result.getShape().back()},
                                         result.getElementType());
    SmallVector<Value> dynSizes;
    if (ShapedType::isDynamic(rows))
      dynSizes.push_back(dimOf(b, loc, flat, 0));
    Value init = filledTensor(b, loc, outType, dynSizes, 0.0);
    Value product = buildMatmul2D(b, loc, flat, op.getRhs(), false,
                                  op.getTransposeRhs(), init);
    SmallVector<OpFoldResult> shape;
    for (int64_t d = 0; d < rank; ++d) {
      int64_t size = result.getDimSize(d);
      shape.push_back(ShapedType::isDynamic(size)
                          ? OpFoldResult(dimOf(b, loc, lhs, d))
                          : OpFoldResult(b.getIndexAttr(size)));
    }
    return tensor::ExpandShapeOp::create(b, loc, result, product, groups, shape)
        .getResult();
  }
};

} // namespace

void mlc::populateMLCMatmulToLinalgPatterns(RewritePatternSet &patterns) {
  patterns.add<MatmulLowering>(patterns.getContext());
}
