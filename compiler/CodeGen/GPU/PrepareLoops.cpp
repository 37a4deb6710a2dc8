//===- PrepareLoops.cpp - linalg on buffers, ready for GPU mapping --------===//

#include "compiler/CodeGen/GPU/Passes.h"

#include "mlir/Dialect/Linalg/Transforms/Transforms.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/IR/PatternMatch.h"

namespace mlc {
#define GEN_PASS_DEF_GPUPREPARELOOPS
#include "compiler/CodeGen/GPU/Passes.h.inc"
} // namespace mlc

using namespace mlir;

namespace {

/// The loop order with every parallel dimension first, or empty if the
/// op's order is already that.
SmallVector<unsigned> parallelFirst(linalg::LinalgOp op) {
  SmallVector<unsigned> order;
  auto iterators = op.getIteratorTypesArray();
  for (unsigned i = 0; i < iterators.size(); ++i)
    if (iterators[i] == utils::IteratorType::parallel)
      order.push_back(i);
  for (unsigned i = 0; i < iterators.size(); ++i)
    if (iterators[i] != utils::IteratorType::parallel)
      order.push_back(i);
  for (unsigned i = 0; i < order.size(); ++i)
    if (order[i] != i)
      return order;
  return {};
}

struct GPUPrepareLoopsPass
    : public mlc::impl::GPUPrepareLoopsBase<GPUPrepareLoopsPass> {
  void runOnOperation() override {
    IRRewriter rewriter(&getContext());
    SmallVector<memref::CopyOp> copies;
    getOperation().walk([&](memref::CopyOp copy) { copies.push_back(copy); });
    for (memref::CopyOp copy : copies) {
      rewriter.setInsertionPoint(copy);
      linalg::CopyOp::create(rewriter, copy.getLoc(), copy.getSource(),
                             copy.getTarget());
      rewriter.eraseOp(copy);
    }

    SmallVector<linalg::LinalgOp> reordered;
    getOperation().walk([&](linalg::LinalgOp op) {
      if (!parallelFirst(op).empty())
        reordered.push_back(op);
    });
    for (linalg::LinalgOp op : reordered) {
      rewriter.setInsertionPoint(op);
      auto generic = llvm::dyn_cast<linalg::GenericOp>(op.getOperation());
      if (!generic) {
        FailureOr<linalg::GenericOp> g =
            linalg::generalizeNamedOp(rewriter, op);
        if (failed(g)) {
          op->emitOpError("cannot be generalized to put its parallel "
                          "dimensions first for the GPU");
          return signalPassFailure();
        }
        generic = *g;
      }
      if (failed(linalg::interchangeGenericOp(rewriter, generic,
                                              parallelFirst(generic)))) {
        generic->emitOpError("cannot be interchanged to put its parallel "
                             "dimensions first for the GPU");
        return signalPassFailure();
      }
    }
  }
};

} // namespace
