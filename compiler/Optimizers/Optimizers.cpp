//===- Optimizers.cpp - optimizer updates as in-place elementwise loops ---===//
//
// Each mlc.optimizer_update becomes one linalg.generic over the parameter
// whose body is the optimizer's own scalar update
// (OptimizerAttrInterface::buildUpdate, dialects/MLC/IR/MLCOptimizers.cpp).
//
//===----------------------------------------------------------------------===//

#include "compiler/Optimizers/Passes.h"
#include "dialects/MLC/IR/MLCDialect.h"

#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/IR/PatternMatch.h"

namespace mlc {
#define GEN_PASS_DEF_OPTIMIZER
#include "compiler/Optimizers/Passes.h.inc"
} // namespace mlc

using namespace mlir;
using namespace mlc;

namespace {

struct OptimizerPass : public mlc::impl::OptimizerBase<OptimizerPass> {
  void runOnOperation() override {
    SmallVector<OptimizerUpdateOp> updates;
    getOperation().walk([&](OptimizerUpdateOp op) { updates.push_back(op); });
    IRRewriter rewriter(&getContext());
    for (OptimizerUpdateOp op : updates) {
      rewriter.setInsertionPoint(op);
      auto type = llvm::cast<RankedTensorType>(op.getParam().getType());
      int64_t rank = type.getRank();
      MLIRContext *ctx = &getContext();
      AffineMap id = AffineMap::getMultiDimIdentityMap(rank, ctx);
      SmallVector<Value> outs = {op.getParam()};
      llvm::append_range(outs, op.getStates());
      // The two step sizes enter as scalars captured by the loop body, so
      // the loop reads only tensors of the parameter's shape and can be
      // fused into the tiles of the weight-gradient matmul.
      Value lr = tensor::ExtractOp::create(rewriter, op.getLoc(),
                                           op.getLearningRate(), ValueRange{});
      Value step = tensor::ExtractOp::create(rewriter, op.getLoc(),
                                             op.getStepSize(), ValueRange{});
      SmallVector<AffineMap> maps = {id};
      maps.append(outs.size(), id);
      SmallVector<utils::IteratorType> iterators(rank,
                                                 utils::IteratorType::parallel);
      OptimizerAttrInterface optimizer = op.getOptimizer();
      auto generic = linalg::GenericOp::create(
          rewriter, op.getLoc(), op->getResultTypes(), ValueRange{op.getGrad()},
          outs, maps, iterators, [&](OpBuilder &b, Location loc, ValueRange a) {
            SmallVector<Value> results = optimizer.buildUpdate(
                b, loc, a[0], lr, step, a[1], a.drop_front(2));
            linalg::YieldOp::create(b, loc, results);
          });
      rewriter.replaceOp(op, generic.getResults());
    }
  }
};

} // namespace
