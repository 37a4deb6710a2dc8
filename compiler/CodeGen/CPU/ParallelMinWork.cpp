//===- ParallelMinWork.cpp - OpenMP regions only where they pay -----------===//

#include "compiler/CodeGen/CPU/Passes.h"

#include "mlir/Dialect/OpenMP/OpenMPDialect.h"
#include "mlir/Dialect/Utils/StaticValueUtils.h"
#include "mlir/IR/IRMapping.h"
#include "mlir/Interfaces/SideEffectInterfaces.h"

#include <cfenv>

namespace mlc {
#define GEN_PASS_DEF_PARALLELMINWORK
#include "compiler/CodeGen/CPU/Passes.h.inc"
} // namespace mlc

using namespace mlir;

namespace {

/// Builds, in front of a region, the estimate of its work as index
/// arithmetic. Constants fold as they are built, so a region whose loops
/// all have static bounds costs one constant.
class WorkEstimate {
public:
  WorkEstimate(OpBuilder &b, Location loc, Region &region)
      : b(b), loc(loc), region(region) {}

  /// Work of one execution of `block`.
  Value ofBlock(Block &block) {
    int64_t units = 0;
    Value total = constant(0);
    for (Operation &op : block) {
      if (auto loop = llvm::dyn_cast<scf::ForOp>(op)) {
        total = add(total, mul(tripCount(loop.getLowerBound(),
                                         loop.getUpperBound(), loop.getStep()),
                               ofBlock(*loop.getBody())));
      } else if (op.getNumRegions()) {
        // Both branches of an scf.if count: an upper bound is enough.
        for (Region &r : op.getRegions())
          total = add(total, ofRegion(r));
      } else {
        units += unitsOf(op);
      }
    }
    return add(total, constant(units));
  }

  Value ofRegion(Region &r) {
    Value total = constant(0);
    for (Block &block : r)
      total = add(total, ofBlock(block));
    return total;
  }

  /// Iterations of a loop nest, all its dimensions together.
  Value trips(omp::LoopNestOp nest) {
    Value count = constant(1);
    for (auto [lb, ub, step] :
         llvm::zip(nest.getLoopLowerBounds(), nest.getLoopUpperBounds(),
                   nest.getLoopSteps()))
      count = mul(count, tripCount(lb, ub, step));
    return count;
  }

  Value constant(int64_t v) {
    return arith::ConstantIndexOp::create(b, loc, v);
  }
  Value add(Value x, Value y) {
    return b.createOrFold<arith::AddIOp>(loc, x, y);
  }
  Value sub(Value x, Value y) {
    return b.createOrFold<arith::SubIOp>(loc, x, y);
  }
  Value mul(Value x, Value y) {
    return b.createOrFold<arith::MulIOp>(loc, x, y);
  }
  Value ceilDiv(Value x, Value y) {
    return b.createOrFold<arith::CeilDivSIOp>(loc, x, y);
  }

private:
  /// About one vector instruction per 8 lanes (a 256-bit f32 vector); a
  /// load or store four, since data a region copies or streams (a weight
  /// copied into panels) comes from the L2 or further, at several cycles
  /// per cache line.
  static int64_t unitsOf(Operation &op) {
    if (op.hasTrait<OpTrait::ConstantLike>() ||
        op.hasTrait<OpTrait::IsTerminator>())
      return 0;
    int64_t lanes = 1;
    auto widen = [&](Type t) {
      if (auto v = llvm::dyn_cast<VectorType>(t))
        lanes = std::max(lanes, v.getNumElements());
    };
    llvm::for_each(op.getOperandTypes(), widen);
    llvm::for_each(op.getResultTypes(), widen);
    auto effects = llvm::dyn_cast<MemoryEffectOpInterface>(op);
    bool memory = effects && (effects.hasEffect<MemoryEffects::Read>() ||
                              effects.hasEffect<MemoryEffects::Write>());
    return llvm::divideCeil(lanes, 8) * (memory ? 4 : 1);
  }

  Value tripCount(Value lb, Value ub, Value step) {
    std::optional<int64_t> l = getConstantIntValue(lb),
                           u = getConstantIntValue(ub),
                           s = getConstantIntValue(step);
    if (l && u && s && *s > 0)
      return constant(std::max<int64_t>(0, llvm::divideCeil(*u - *l, *s)));
    // Bounds computed inside the region (a remainder loop's start) cannot
    // be evaluated before it.
    for (Value v : {lb, ub, step})
      if (region.isAncestor(v.getParentRegion()))
        return constant(16);
    return b.createOrFold<arith::MaxSIOp>(loc, ceilDiv(sub(ub, lb), step),
                                          constant(0));
  }

  OpBuilder &b;
  Location loc;
  Region &region;
};

/// Turns `omp.parallel { omp.wsloop { omp.loop_nest } }` into plain loops
/// in its place. False where the region is not that shape or its bounds
/// are computed inside it.
static bool serialize(omp::ParallelOp op, omp::LoopNestOp nest) {
  Block &body = op.getRegion().front();
  auto wsloop = llvm::dyn_cast<omp::WsloopOp>(body.front());
  if (body.getOperations().size() != 2 || !wsloop ||
      nest->getParentOp() != wsloop || !nest.getRegion().hasOneBlock())
    return false;
  for (Value v : nest->getOperands())
    if (op.getRegion().isAncestor(v.getParentRegion()))
      return false;
  OpBuilder b(op);
  IRMapping map;
  Block &loopBody = nest.getRegion().front();
  for (auto [iv, lb, ub, step] :
       llvm::zip(loopBody.getArguments(), nest.getLoopLowerBounds(),
                 nest.getLoopUpperBounds(), nest.getLoopSteps())) {
    auto loop = scf::ForOp::create(b, op.getLoc(), lb, ub, step);
    map.map(iv, loop.getInductionVar());
    b.setInsertionPoint(loop.getBody()->getTerminator());
  }
  for (Operation &inner : loopBody.without_terminator())
    b.clone(inner, map);
  op.erase();
  return true;
}

static func::FuncOp declare(ModuleOp module, StringRef name) {
  if (auto f = module.lookupSymbol<func::FuncOp>(name))
    return f;
  auto b = OpBuilder::atBlockEnd(module.getBody());
  Type i32 = b.getI32Type();
  auto f = func::FuncOp::create(b, module.getLoc(), name,
                                b.getFunctionType({i32}, {i32}));
  f.setPrivate();
  return f;
}

/// When a region runs serialized, libomp ends it by loading the floating-
/// point control it saved at the start with the exception flags cleared
/// (x86, KMP_INHERIT_FP_CONTROL): the flags raised before and inside it
/// would be lost. So every thread of the region adds its flags to a word
/// at the region's end, and the calling thread raises them after it (the
/// flags of the threads a fork woke are kept so too).
static void keepExceptionFlags(omp::ParallelOp op) {
  auto module = op->getParentOfType<ModuleOp>();
  func::FuncOp test = declare(module, "fetestexcept");
  func::FuncOp raise = declare(module, "feraiseexcept");
  OpBuilder b(op);
  Location loc = op.getLoc();
  Type i32 = b.getI32Type();
  Value flags = memref::AllocaOp::create(b, loc, MemRefType::get({}, i32));
  Value zero = arith::ConstantOp::create(b, loc, b.getI32IntegerAttr(0));
  memref::StoreOp::create(b, loc, zero, flags, ValueRange{});
  b.setInsertionPoint(op.getRegion().front().getTerminator());
  Value all =
      arith::ConstantOp::create(b, loc, b.getI32IntegerAttr(FE_ALL_EXCEPT));
  Value raised = func::CallOp::create(b, loc, test, all).getResult(0);
  memref::AtomicRMWOp::create(b, loc, arith::AtomicRMWKind::ori, raised, flags,
                              ValueRange{});
  b.setInsertionPointAfter(op);
  Value any = memref::LoadOp::create(b, loc, flags);
  auto ifAny = scf::IfOp::create(
      b, loc,
      arith::CmpIOp::create(b, loc, arith::CmpIPredicate::ne, any, zero),
      /*withElseRegion=*/false);
  b.setInsertionPoint(ifAny.thenBlock()->getTerminator());
  func::CallOp::create(b, loc, raise, any);
}

static int64_t countOps(Operation *op) {
  int64_t count = 0;
  op->walk([&](Operation *) { ++count; });
  return count;
}

struct ParallelMinWorkPass
    : public mlc::impl::ParallelMinWorkBase<ParallelMinWorkPass> {
  using ParallelMinWorkBase::ParallelMinWorkBase;

  void runOnOperation() override {
    if (minWork <= 0)
      return;
    SmallVector<omp::ParallelOp> regions;
    getOperation().walk([&](omp::ParallelOp op) {
      if (!op.getIfExpr() && !op->getParentOfType<omp::ParallelOp>())
        regions.push_back(op);
    });
    // With static scheduling the calling thread runs ceil(n / threads) of
    // a loop's n iterations; the others' share is what forking saves.
    int64_t team = threads ? int64_t(threads) : 2;
    // The estimate's arithmetic folds as it is built; what folded away is
    // left dead, and erased at the end.
    struct Created : public OpBuilder::Listener {
      void notifyOperationInserted(Operation *op,
                                   OpBuilder::InsertPoint) override {
        ops.push_back(op);
      }
      SmallVector<Operation *> ops;
    } created;
    for (omp::ParallelOp op : regions) {
      SmallVector<omp::LoopNestOp> nests;
      op.walk([&](omp::LoopNestOp nest) { nests.push_back(nest); });
      if (nests.size() != 1)
        continue;
      OpBuilder b(op, &created);
      Location loc = op.getLoc();
      WorkEstimate estimate(b, loc, op.getRegion());
      Value trips = estimate.trips(nests.front());
      Value others =
          estimate.sub(trips, estimate.ceilDiv(trips, estimate.constant(team)));
      Value saved =
          estimate.mul(others, estimate.ofRegion(nests.front().getRegion()));
      Value enough = b.createOrFold<arith::CmpIOp>(
          loc, arith::CmpIPredicate::sge, saved, estimate.constant(minWork));
      std::optional<int64_t> known = getConstantIntValue(enough);
      // Known to be enough: no clause, no test at run time. Known not to
      // be: plain loops (a serialized region costs about a microsecond).
      if (known && (*known || serialize(op, nests.front())))
        continue;
      // A small body is cheap to compile twice: the test picks the region
      // or a serial copy of its loops, and libomp is not called when it
      // fails. A large one (a matmul's tiles) runs serialized through the
      // clause instead.
      if (!known && countOps(op) <= maxCopiedOps) {
        // Not through `b`: the listener's list is for the estimate only.
        OpBuilder plain(op);
        auto choice =
            scf::IfOp::create(plain, loc, enough, /*withElseRegion=*/true);
        op->moveBefore(choice.thenBlock()->getTerminator());
        plain.setInsertionPoint(choice.elseBlock()->getTerminator());
        auto copy = llvm::cast<omp::ParallelOp>(plain.clone(*op));
        omp::LoopNestOp copyNest;
        copy.walk([&](omp::LoopNestOp nest) { copyNest = nest; });
        if (serialize(copy, copyNest))
          continue;
        // Not that shape: undo.
        copy.erase();
        op->moveBefore(choice);
        choice.erase();
      }
      op.getIfExprMutable().assign(enough);
      keepExceptionFlags(op);
    }
    for (Operation *op : llvm::reverse(created.ops))
      if (isOpTriviallyDead(op))
        op->erase();
  }
};

} // namespace
