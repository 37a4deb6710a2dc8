//===- LoweringUtils.h - Builders shared by the mlc lowerings ---*- C++ -*-===//
//
// What more than one op family needs to build linalg on tensors, and the
// pattern base every lowering derives from. Internal to MLCToLinalg/.
//
//===----------------------------------------------------------------------===//

#ifndef MLC_COMPILER_CONVERSION_MLCTOLINALG_LOWERINGUTILS_H
#define MLC_COMPILER_CONVERSION_MLCTOLINALG_LOWERINGUTILS_H

#include "compiler/Conversion/Passes.h"
#include "dialects/MLC/IR/MLCDialect.h"

#include "mlir/IR/PatternMatch.h"

#include <utility>

namespace mlc::linalg_lowering {

/// Builds the value a linalg.generic body yields from its input elements.
using BodyFn = llvm::function_ref<mlir::Value(mlir::OpBuilder &, mlir::Location,
                                              mlir::ValueRange)>;

/// Folds one element into an accumulator: `fn(b, loc, acc, element)`.
using CombineFn = llvm::function_ref<mlir::Value(
    mlir::OpBuilder &, mlir::Location, mlir::Value, mlir::Value)>;

/// Replaces an `OpTy` by the value `lower` builds in front of it. `lower`
/// fails only after reporting why at the op's location: the pass counts on
/// that to stop with the user's line rather than "failed to legalize".
template <typename OpTy>
class LoweringPattern : public mlir::OpRewritePattern<OpTy> {
public:
  using mlir::OpRewritePattern<OpTy>::OpRewritePattern;

  mlir::LogicalResult
  matchAndRewrite(OpTy op, mlir::PatternRewriter &rewriter) const final {
    mlir::FailureOr<mlir::Value> result = lower(op, rewriter, op.getLoc());
    if (mlir::failed(result))
      return mlir::failure();
    rewriter.replaceOp(op, *result);
    return mlir::success();
  }

protected:
  virtual mlir::FailureOr<mlir::Value> lower(OpTy op, mlir::OpBuilder &b,
                                             mlir::Location loc) const = 0;
};

mlir::Value floatConst(mlir::OpBuilder &b, mlir::Location loc, mlir::Type type,
                       double value);

/// An empty tensor of `type` whose dynamic sizes are `dynSizes` in order.
mlir::Value emptyTensor(mlir::OpBuilder &b, mlir::Location loc,
                        mlir::RankedTensorType type, mlir::ValueRange dynSizes);

/// An empty tensor filled with `value`.
mlir::Value filledTensor(mlir::OpBuilder &b, mlir::Location loc,
                         mlir::RankedTensorType type, mlir::ValueRange dynSizes,
                         double value);

/// Runtime size of dimension `dim` of `v`.
mlir::Value dimOf(mlir::OpBuilder &b, mlir::Location loc, mlir::Value v,
                  int64_t dim);

/// Dynamic sizes of `v` itself, for an empty tensor like it.
llvm::SmallVector<mlir::Value>
dynamicSizesOf(mlir::OpBuilder &b, mlir::Location loc, mlir::Value v);

/// Map from a `reduced.size()`-dim iteration space to the dims it keeps
/// (those `reduced` does not mark).
mlir::AffineMap keptDimsMap(mlir::MLIRContext *ctx,
                            llvm::ArrayRef<bool> reduced);

/// Broadcast map for a row statistic (rank - 1 dims) used in an op over
/// all of `rank` dims: every dim but `axis`.
mlir::AffineMap rowStatMap(mlir::MLIRContext *ctx, int64_t rank, int64_t axis);

/// A linalg.generic over `resultType`'s iteration space that reads `inputs`
/// with NumPy broadcasting and writes `fn(elements...)` into `init`.
mlir::Value buildBroadcasting(mlir::OpBuilder &b, mlir::Location loc,
                              mlir::RankedTensorType resultType,
                              mlir::ValueRange inputs, mlir::Value init,
                              BodyFn fn);

/// buildBroadcasting into a new tensor whose dynamic sizes come from the
/// inputs.
mlir::Value buildElementwise(mlir::OpBuilder &b, mlir::Location loc,
                             mlir::RankedTensorType resultType,
                             mlir::ValueRange inputs, BodyFn fn);

/// The type of `x` without the dims `reduced` marks; appends the runtime
/// sizes of its dynamic dims to `dynSizes`.
mlir::RankedTensorType keptType(mlir::OpBuilder &b, mlir::Location loc,
                                mlir::Value x, llvm::ArrayRef<bool> reduced,
                                llvm::SmallVectorImpl<mlir::Value> &dynSizes);

/// Folds `x` over the dims `reduced` marks into `init` (of keptType) with
/// `combine(acc, element)`.
mlir::Value buildReduction(mlir::OpBuilder &b, mlir::Location loc,
                           mlir::Value x, llvm::ArrayRef<bool> reduced,
                           mlir::Value init, CombineFn combine);

/// Maps one element to another in a linalg.generic body.
using ElementFn = llvm::function_ref<mlir::Value(mlir::OpBuilder &,
                                                 mlir::Location, mlir::Value)>;

/// Sum of `x` along `axis`; with `map`, the sum of `map(x)`.
mlir::Value buildRowSum(mlir::OpBuilder &b, mlir::Location loc, mlir::Value x,
                        int64_t axis, ElementFn map = {});

/// Row statistics along `axis` for softmax-like ops: the maximum m, then
/// s = sum(exp(x - m)).
std::pair<mlir::Value, mlir::Value> buildMaxAndSumExp(mlir::OpBuilder &b,
                                                      mlir::Location loc,
                                                      mlir::Value x,
                                                      int64_t axis);

/// `id` (an integer element) as an index clamped into [0, limit), and
/// whether it was inside: a gathered table row, a labelled class.
std::pair<mlir::Value, mlir::Value> clampedIndex(mlir::OpBuilder &b,
                                                 mlir::Location loc,
                                                 mlir::Value id,
                                                 mlir::Value limit);

/// `sum` / (number of elements of `x` in `dims`).
mlir::Value meanOf(mlir::OpBuilder &b, mlir::Location loc, mlir::Value sum,
                   mlir::Value x, llvm::ArrayRef<int64_t> dims);

} // namespace mlc::linalg_lowering

#endif // MLC_COMPILER_CONVERSION_MLCTOLINALG_LOWERINGUTILS_H
