//===- Reductions.cpp - mlc reduce_* ops -> linalg.generic reductions -----===//
//
// reduce_sum, reduce_mean and reduce_max fold the listed axes (all when
// none are listed) in one linalg.generic; a mean then scales by the count,
// and keepdims expands the reduced dims back as size 1.
//
//===----------------------------------------------------------------------===//

#include "compiler/Conversion/MLCToLinalg/LoweringUtils.h"
#include "compiler/Conversion/MLCToLinalg/Patterns.h"

#include "mlir/Dialect/Utils/ReshapeOpsUtils.h"

#include <limits>

using namespace mlir;
using namespace mlc;
using namespace mlc::linalg_lowering;

namespace {

enum class ReduceKind { Sum, Mean, Max };

template <typename OpTy, ReduceKind Kind>
struct ReduceLowering : LoweringPattern<OpTy> {
  using LoweringPattern<OpTy>::LoweringPattern;
  FailureOr<Value> lower(OpTy op, OpBuilder &b, Location loc) const override {
    Value x = op.getInput();
    int64_t rank = op.getInput().getType().getRank();
    SmallVector<bool> reduced(rank, op.getAxes().empty());
    for (int64_t a : op.getAxes())
      reduced[*normalizeAxis(a, rank)] = true;
    SmallVector<Value> dynSizes;
    RankedTensorType kept = keptType(b, loc, x, reduced, dynSizes);
    double initValue = Kind == ReduceKind::Max
                           ? -std::numeric_limits<double>::infinity()
                           : 0.0;
    Value init = filledTensor(b, loc, kept, dynSizes, initValue);
    Value result = buildReduction(
        b, loc, x, reduced, init,
        [](OpBuilder &nb, Location nl, Value acc, Value e) -> Value {
          if (Kind == ReduceKind::Max)
            return arith::MaximumFOp::create(nb, nl, acc, e);
          return arith::AddFOp::create(nb, nl, acc, e);
        });
    if (Kind == ReduceKind::Mean) {
      SmallVector<int64_t> reducedDims;
      for (int64_t d = 0; d < rank; ++d)
        if (reduced[d])
          reducedDims.push_back(d);
      result = meanOf(b, loc, result, x, reducedDims);
    }
    if (!op.getKeepdims())
      return result;
    return expandReducedDims(op, b, loc, result, reduced);
  }

  /// Puts the reduced dims of `result` back as size 1: each kept dim's group
  /// takes the reduced dims after it; leading reduced dims join the first
  /// group.
  static Value expandReducedDims(OpTy op, OpBuilder &b, Location loc,
                                 Value result, ArrayRef<bool> reduced) {
    Value x = op.getInput();
    SmallVector<ReassociationIndices> groups;
    SmallVector<int64_t> leading;
    SmallVector<OpFoldResult> outputShape;
    for (int64_t d = 0; d < static_cast<int64_t>(reduced.size()); ++d) {
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
};

} // namespace

void mlc::populateMLCReductionsToLinalgPatterns(RewritePatternSet &patterns) {
  patterns.add<ReduceLowering<ReduceSumOp, ReduceKind::Sum>,
               ReduceLowering<ReduceMeanOp, ReduceKind::Mean>,
               ReduceLowering<ReduceMaxOp, ReduceKind::Max>>(
      patterns.getContext());
}
