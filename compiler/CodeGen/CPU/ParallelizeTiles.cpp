//===- ParallelizeTiles.cpp - full-tile loops -> scf.parallel -------------===//

#include "compiler/CodeGen/CPU/Passes.h"

#include "mlir/IR/PatternMatch.h"

namespace mlc {
#define GEN_PASS_DEF_PARALLELIZETILES
#include "compiler/CodeGen/CPU/Passes.h.inc"
} // namespace mlc

using namespace mlir;

namespace {

struct ParallelizeTilesPass
    : public mlc::impl::ParallelizeTilesBase<ParallelizeTilesPass> {
  void runOnOperation() override {
    // Right after mlc-cpu-schedule, the only loops directly in a function
    // body are its row-tile loops (everything else is still linalg or
    // nested inside them). Bufferization rebuilt them without attributes,
    // so they are recognized by that position and by the register-tile
    // reduction loop (carrying vectors) inside.
    SmallVector<scf::ForOp> loops;
    for (Operation &op : getOperation().getBody().front()) {
      auto loop = llvm::dyn_cast<scf::ForOp>(op);
      // Loops over time steps (mlc-expand-recurrences) stay serial.
      if (!loop || loop->hasAttr("mlc.sequential"))
        continue;
      // The schedule marks loops it creates after bufferization (the
      // copies into packed panels, one panel per iteration).
      if (loop->hasAttr("mlc.parallel")) {
        loops.push_back(loop);
        continue;
      }
      bool hasRegisterTile = false;
      loop.getBody()->walk([&](scf::ForOp inner) {
        hasRegisterTile |= llvm::any_of(inner.getResultTypes(), [](Type t) {
          return llvm::isa<VectorType>(t);
        });
      });
      if (hasRegisterTile)
        loops.push_back(loop);
    }
    IRRewriter rewriter(&getContext());
    for (scf::ForOp loop : loops) {
      // After bufferization a tile loop carries no values; one that still
      // does is not the loop the schedule marked, so leave it serial.
      if (loop.getNumResults() != 0)
        continue;
      rewriter.setInsertionPoint(loop);
      auto parallel = scf::ParallelOp::create(
          rewriter, loop.getLoc(), ValueRange{loop.getLowerBound()},
          ValueRange{loop.getUpperBound()}, ValueRange{loop.getStep()});
      Block *body = parallel.getBody();
      rewriter.eraseOp(body->getTerminator());
      rewriter.inlineBlockBefore(loop.getBody(), body, body->end(),
                                 parallel.getInductionVars());
      // The inlined scf.yield becomes the parallel loop's terminator.
      auto yield = llvm::cast<scf::YieldOp>(body->getTerminator());
      rewriter.setInsertionPoint(yield);
      rewriter.replaceOpWithNewOp<scf::ReduceOp>(yield);
      rewriter.eraseOp(loop);
    }
  }
};

} // namespace
