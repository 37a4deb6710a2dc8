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

struct MatmulLowering : LoweringPattern<MatmulOp> {
  using LoweringPattern::LoweringPattern;
  FailureOr<Value> lower(MatmulOp op, OpBuilder &b,
                         Location loc) const override {
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
        Value from =
            kl >= 0 && lhs.isDynamicDim(kl) ? op.getLhs() : op.getRhs();
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
    if (rank == 2) {
      // linalg.matmul (with explicit maps when transposed) is what the CPU
      // schedules match on.
      SmallVector<NamedAttribute> attrs;
      if (op.getTransposeLhs() || op.getTransposeRhs())
        attrs.push_back(
            b.getNamedAttr("indexing_maps", b.getAffineMapArrayAttr(maps)));
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
                     nb, nl,
                     ValueRange{arith::AddFOp::create(nb, nl, a[2], prod)});
               })
        .getResult(0);
  }
};

} // namespace

void mlc::populateMLCMatmulToLinalgPatterns(RewritePatternSet &patterns) {
  patterns.add<MatmulLowering>(patterns.getContext());
}
