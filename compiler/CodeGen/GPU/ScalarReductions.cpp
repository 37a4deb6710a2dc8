//===- ScalarReductions.cpp - sums to a scalar on one GPU block -----------===//

#include "compiler/CodeGen/GPU/Passes.h"

#include "mlir/Dialect/Arith/Utils/Utils.h"
#include "mlir/IR/IRMapping.h"

namespace mlc {
#define GEN_PASS_DEF_GPUSCALARREDUCTIONS
#include "compiler/CodeGen/GPU/Passes.h.inc"
} // namespace mlc

using namespace mlir;

namespace {

constexpr int64_t kThreads = 256;

/// The addf that folds the element into the output, if `op` is a sum of
/// every dimension into a rank-0 f32 buffer.
arith::AddFOp matchScalarSum(linalg::LinalgOp op) {
  if (!op.hasPureBufferSemantics() || op.getNumDpsInits() != 1 ||
      op.getNumLoops() == 0 ||
      op.getNumReductionLoops() != op.getNumLoops())
    return nullptr;
  auto out = llvm::dyn_cast<MemRefType>(op.getDpsInits()[0].getType());
  if (!out || out.getRank() != 0 || !out.getElementType().isF32())
    return nullptr;
  for (OpOperand *in : op.getDpsInputOperands())
    if (!llvm::isa<MemRefType>(in->get().getType()) ||
        !op.getMatchingIndexingMap(in).isProjectedPermutation())
      return nullptr;
  Block *body = op.getBlock();
  auto yield = llvm::dyn_cast<linalg::YieldOp>(body->getTerminator());
  if (!yield || yield.getNumOperands() != 1)
    return nullptr;
  auto add = yield.getOperand(0).getDefiningOp<arith::AddFOp>();
  BlockArgument acc = body->getArguments().back();
  if (!add || !acc.hasOneUse() ||
      (add.getLhs() != acc && add.getRhs() != acc))
    return nullptr;
  return add;
}

struct GPUScalarReductionsPass
    : public mlc::impl::GPUScalarReductionsBase<GPUScalarReductionsPass> {
  void runOnOperation() override {
    SmallVector<std::pair<linalg::LinalgOp, arith::AddFOp>> sums;
    getOperation().walk([&](linalg::LinalgOp op) {
      if (arith::AddFOp add = matchScalarSum(op))
        sums.push_back({op, add});
    });
    for (auto &[op, add] : sums) {
      rewrite(op, add);
      op->erase();
    }
  }

  void rewrite(linalg::LinalgOp op, arith::AddFOp fold) {
    Location loc = op.getLoc();
    OpBuilder b(op);
    SmallVector<Value> sizes;
    for (Range range : op.createLoopRanges(b, loc))
      sizes.push_back(getValueOrCreateConstantIndexOp(b, loc, range.size));
    Value one = arith::ConstantIndexOp::create(b, loc, 1);
    Value threads = arith::ConstantIndexOp::create(b, loc, kThreads);
    auto launch = gpu::LaunchOp::create(b, loc, one, one, one, threads, one,
                                        one);
    b.setInsertionPointToStart(&launch.getBody().front());
    Value tx = launch.getThreadIds().x;
    Value step = arith::ConstantIndexOp::create(b, loc, kThreads);
    Value zero = arith::ConstantIndexOp::create(b, loc, 0);
    Value fzero = arith::ConstantOp::create(b, loc, b.getF32FloatAttr(0.0f));
    Value total = sizes.front();
    for (Value s : llvm::drop_begin(sizes))
      total = arith::MulIOp::create(b, loc, total, s);
    auto loop = scf::ForOp::create(b, loc, tx, total, step, ValueRange{fzero});
    {
      OpBuilder::InsertionGuard guard(b);
      b.setInsertionPointToStart(loop.getBody());
      // The loop indices of flat index f, innermost fastest.
      SmallVector<Value> ivs(sizes.size());
      Value rest = loop.getInductionVar();
      for (size_t d = sizes.size(); d-- > 0;) {
        ivs[d] = d == 0 ? rest : arith::RemUIOp::create(b, loc, rest, sizes[d]);
        if (d)
          rest = arith::DivUIOp::create(b, loc, rest, sizes[d]);
      }
      // The body's element value, from the inputs loaded at those indices.
      Block *body = op.getBlock();
      IRMapping map;
      for (OpOperand *in : op.getDpsInputOperands()) {
        SmallVector<Value> indices;
        for (AffineExpr e : op.getMatchingIndexingMap(in).getResults())
          indices.push_back(ivs[llvm::cast<AffineDimExpr>(e).getPosition()]);
        Value v = memref::LoadOp::create(b, loc, in->get(), indices);
        map.map(body->getArgument(in->getOperandNumber()), v);
      }
      for (Operation &inner : body->without_terminator()) {
        if (&inner == fold.getOperation())
          continue;
        if (auto index = llvm::dyn_cast<linalg::IndexOp>(inner))
          map.map(index.getResult(), ivs[index.getDim()]);
        else
          b.clone(inner, map);
      }
      BlockArgument acc = body->getArguments().back();
      Value element = map.lookupOrDefault(fold.getLhs() == acc ? fold.getRhs()
                                                               : fold.getLhs());
      Value sum =
          arith::AddFOp::create(b, loc, loop.getRegionIterArgs()[0], element);
      scf::YieldOp::create(b, loc, sum);
    }
    auto reduced = gpu::AllReduceOp::create(
        b, loc, loop.getResult(0),
        gpu::AllReduceOperationAttr::get(b.getContext(),
                                         gpu::AllReduceOperation::ADD),
        /*uniform=*/true);
    Value first = arith::CmpIOp::create(b, loc, arith::CmpIPredicate::eq, tx,
                                        zero);
    auto store = scf::IfOp::create(b, loc, first, /*withElseRegion=*/false);
    {
      OpBuilder::InsertionGuard guard(b);
      b.setInsertionPointToStart(store.thenBlock());
      Value out = op.getDpsInits()[0];
      Value old = memref::LoadOp::create(b, loc, out, ValueRange{});
      Value sum = arith::AddFOp::create(b, loc, old, reduced.getResult());
      memref::StoreOp::create(b, loc, sum, out, ValueRange{});
    }
    gpu::TerminatorOp::create(b, loc);
  }
};

} // namespace
