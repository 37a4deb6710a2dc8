//===- Reductions.cpp - reductions as one GPU block per output ------------===//

#include "compiler/CodeGen/GPU/Passes.h"

#include "mlir/Dialect/Arith/Utils/Utils.h"
#include "mlir/IR/IRMapping.h"

#include <limits>

namespace mlc {
#define GEN_PASS_DEF_GPUREDUCTIONS
#include "compiler/CodeGen/GPU/Passes.h.inc"
} // namespace mlc

using namespace mlir;

namespace {

constexpr int64_t kMaxThreads = 256, kWarp = 32;

/// How a reduction folds: the combining op in its body, and which kind.
struct Fold {
  Operation *op = nullptr;
  gpu::AllReduceOperation kind = gpu::AllReduceOperation::ADD;
};

/// Matches a reduction mlc-gpu-reductions handles (see Passes.td).
std::optional<Fold> matchReduction(linalg::LinalgOp op) {
  if (!op.hasPureBufferSemantics() || op.getNumDpsInits() != 1 ||
      op.getNumReductionLoops() == 0)
    return std::nullopt;
  OpOperand *init = op.getDpsInitOperand(0);
  auto out = llvm::dyn_cast<MemRefType>(init->get().getType());
  if (!out || !out.getElementType().isF32())
    return std::nullopt;
  // The output is indexed by exactly the parallel dimensions.
  AffineMap outMap = op.getMatchingIndexingMap(init);
  if (!outMap.isProjectedPermutation() ||
      outMap.getNumResults() != op.getNumParallelLoops())
    return std::nullopt;
  auto iterators = op.getIteratorTypesArray();
  for (AffineExpr e : outMap.getResults())
    if (iterators[llvm::cast<AffineDimExpr>(e).getPosition()] !=
        utils::IteratorType::parallel)
      return std::nullopt;
  for (OpOperand *in : op.getDpsInputOperands())
    if (!llvm::isa<MemRefType>(in->get().getType()) ||
        !op.getMatchingIndexingMap(in).isProjectedPermutation())
      return std::nullopt;
  Block *body = op.getBlock();
  auto yield = llvm::dyn_cast<linalg::YieldOp>(body->getTerminator());
  if (!yield || yield.getNumOperands() != 1)
    return std::nullopt;
  Operation *combine = yield.getOperand(0).getDefiningOp();
  BlockArgument acc = body->getArguments().back();
  if (!combine || combine->getNumOperands() != 2 || !acc.hasOneUse() ||
      acc.getUses().begin()->getOwner() != combine)
    return std::nullopt;
  if (llvm::isa<arith::AddFOp>(combine))
    return Fold{combine, gpu::AllReduceOperation::ADD};
  if (llvm::isa<arith::MaximumFOp>(combine))
    return Fold{combine, gpu::AllReduceOperation::MAXIMUMF};
  return std::nullopt;
}

/// `x` combined with `y` as the fold does.
Value combine(OpBuilder &b, Location loc, const Fold &fold, Value x, Value y) {
  if (fold.kind == gpu::AllReduceOperation::ADD)
    return arith::AddFOp::create(b, loc, x, y);
  return arith::MaximumFOp::create(b, loc, x, y);
}

/// The indices of `flat` over `sizes`, innermost fastest.
SmallVector<Value> delinearize(OpBuilder &b, Location loc, Value flat,
                               ArrayRef<Value> sizes) {
  SmallVector<Value> ivs(sizes.size());
  for (size_t d = sizes.size(); d-- > 0;) {
    ivs[d] = d == 0 ? flat : arith::RemUIOp::create(b, loc, flat, sizes[d]);
    if (d)
      flat = arith::DivUIOp::create(b, loc, flat, sizes[d]);
  }
  return ivs;
}

/// One block per output: a warp-shuffle all-reduce of its slice.
void rewriteReduction(linalg::LinalgOp op, const Fold &fold) {
  Location loc = op.getLoc();
  OpBuilder b(op);
  auto iterators = op.getIteratorTypesArray();
  SmallVector<Value> parallelSizes, reductionSizes;
  std::optional<int64_t> staticReduction = 1;
  for (auto [range, iterator] :
       llvm::zip(op.createLoopRanges(b, loc), iterators)) {
    Value size = getValueOrCreateConstantIndexOp(b, loc, range.size);
    if (iterator == utils::IteratorType::parallel) {
      parallelSizes.push_back(size);
      continue;
    }
    reductionSizes.push_back(size);
    std::optional<int64_t> s = getConstantIntValue(range.size);
    staticReduction = s && staticReduction
                          ? std::optional<int64_t>(*staticReduction * *s)
                          : std::nullopt;
  }
  // Short static reductions get whole warps, not idle threads.
  int64_t threads = kMaxThreads;
  if (staticReduction)
    threads = std::min(kMaxThreads,
                       std::max<int64_t>(kWarp, (*staticReduction + kWarp - 1) /
                                                    kWarp * kWarp));
  auto product = [&](ArrayRef<Value> sizes) {
    Value p = arith::ConstantIndexOp::create(b, loc, 1);
    for (Value s : sizes)
      p = arith::MulIOp::create(b, loc, p, s);
    return p;
  };
  Value blocks = product(parallelSizes);
  Value one = arith::ConstantIndexOp::create(b, loc, 1);
  Value blockSize = arith::ConstantIndexOp::create(b, loc, threads);
  auto launch =
      gpu::LaunchOp::create(b, loc, blocks, one, one, blockSize, one, one);
  b.setInsertionPointToStart(&launch.getBody().front());
  Value tx = launch.getThreadIds().x;
  Value step = arith::ConstantIndexOp::create(b, loc, threads);
  Value zero = arith::ConstantIndexOp::create(b, loc, 0);
  float identityValue = fold.kind == gpu::AllReduceOperation::ADD
                            ? 0.0f
                            : -std::numeric_limits<float>::infinity();
  Value identity =
      arith::ConstantOp::create(b, loc, b.getF32FloatAttr(identityValue));
  SmallVector<Value> parallelIvs =
      delinearize(b, loc, launch.getBlockIds().x, parallelSizes);
  Value total = product(reductionSizes);
  auto loop = scf::ForOp::create(b, loc, tx, total, step, ValueRange{identity});
  {
    OpBuilder::InsertionGuard guard(b);
    b.setInsertionPointToStart(loop.getBody());
    SmallVector<Value> reductionIvs =
        delinearize(b, loc, loop.getInductionVar(), reductionSizes);
    // Every loop index, in the op's order.
    SmallVector<Value> ivs;
    size_t p = 0, r = 0;
    for (auto iterator : iterators)
      ivs.push_back(iterator == utils::IteratorType::parallel
                        ? parallelIvs[p++]
                        : reductionIvs[r++]);
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
      if (&inner == fold.op)
        continue;
      if (auto index = llvm::dyn_cast<linalg::IndexOp>(inner))
        map.map(index.getResult(), ivs[index.getDim()]);
      else
        b.clone(inner, map);
    }
    BlockArgument acc = body->getArguments().back();
    Value lhs = fold.op->getOperand(0), rhs = fold.op->getOperand(1);
    Value element = map.lookupOrDefault(lhs == acc ? rhs : lhs);
    scf::YieldOp::create(
        b, loc, combine(b, loc, fold, loop.getRegionIterArgs()[0], element));
  }
  auto reduced = gpu::AllReduceOp::create(
      b, loc, loop.getResult(0),
      gpu::AllReduceOperationAttr::get(b.getContext(), fold.kind),
      /*uniform=*/true);
  Value first =
      arith::CmpIOp::create(b, loc, arith::CmpIPredicate::eq, tx, zero);
  auto store = scf::IfOp::create(b, loc, first, /*withElseRegion=*/false);
  {
    OpBuilder::InsertionGuard guard(b);
    b.setInsertionPointToStart(store.thenBlock());
    OpOperand *init = op.getDpsInitOperand(0);
    SmallVector<Value> indices;
    for (AffineExpr e : op.getMatchingIndexingMap(init).getResults()) {
      unsigned dim = llvm::cast<AffineDimExpr>(e).getPosition();
      // The parallel index of loop dimension `dim`.
      size_t k = 0;
      for (unsigned i = 0; i < dim; ++i)
        k += iterators[i] == utils::IteratorType::parallel;
      indices.push_back(parallelIvs[k]);
    }
    Value old = memref::LoadOp::create(b, loc, init->get(), indices);
    memref::StoreOp::create(b, loc,
                            combine(b, loc, fold, old, reduced.getResult()),
                            init->get(), indices);
  }
  gpu::TerminatorOp::create(b, loc);
}

struct GPUReductionsPass
    : public mlc::impl::GPUReductionsBase<GPUReductionsPass> {
  void runOnOperation() override {
    mlc::rewriteMatchedLinalgOps<Fold>(getOperation(), matchReduction,
                                       rewriteReduction);
  }
};

} // namespace
