//===- Softmax.cpp - mlc softmax and log_softmax -> linalg.generic --------===//
//
// Numerically stable: the row maximum m and s = sum(exp(x - m)) first
// (buildMaxAndSumExp), then one pass that writes exp(x - m) / s or
// x - m - log(s).
//
//===----------------------------------------------------------------------===//

#include "compiler/Conversion/MLCToLinalg/LoweringUtils.h"
#include "compiler/Conversion/MLCToLinalg/Patterns.h"

using namespace mlir;
using namespace mlc;
using namespace mlc::linalg_lowering;

namespace {

using utils::IteratorType;

template <typename OpTy, bool Logarithm>
struct SoftmaxLowering : LoweringPattern<OpTy> {
  using LoweringPattern<OpTy>::LoweringPattern;
  FailureOr<Value> lower(OpTy op, OpBuilder &b, Location loc) const override {
    Value x = op.getInput();
    int64_t rank = op.getType().getRank();
    int64_t axis = *normalizeAxis(op.getAxis(), rank);
    auto [maxRow, sumRow] = buildMaxAndSumExp(b, loc, x, axis);
    AffineMap id = b.getMultiDimIdentityMap(rank);
    AffineMap row = rowStatMap(b.getContext(), rank, axis);
    Value init = emptyTensor(b, loc, op.getType(), dynamicSizesOf(b, loc, x));
    SmallVector<IteratorType> iterators(rank, IteratorType::parallel);
    return linalg::GenericOp::create(
               b, loc, TypeRange{op.getType()}, ValueRange{x, maxRow, sumRow},
               ValueRange{init}, {id, row, row, id}, iterators,
               [&](OpBuilder &nb, Location nl, ValueRange a) {
                 Value shifted = arith::SubFOp::create(nb, nl, a[0], a[1]);
                 Value r = Logarithm
                               ? arith::SubFOp::create(
                                     nb, nl, shifted,
                                     math::LogOp::create(nb, nl, a[2]))
                                     .getResult()
                               : arith::DivFOp::create(
                                     nb, nl,
                                     math::ExpOp::create(nb, nl, shifted), a[2])
                                     .getResult();
                 linalg::YieldOp::create(nb, nl, r);
               })
        .getResult(0);
  }
};

} // namespace

void mlc::populateMLCSoftmaxToLinalgPatterns(RewritePatternSet &patterns) {
  patterns.add<SoftmaxLowering<SoftmaxOp, /*Logarithm=*/false>,
               SoftmaxLowering<LogSoftmaxOp, /*Logarithm=*/true>>(
      patterns.getContext());
}
