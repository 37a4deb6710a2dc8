//===- TileMatmuls.cpp - shared-memory tiled matmul kernels ---------------===//

#include "compiler/CodeGen/GPU/Passes.h"

#include "mlir/IR/PatternMatch.h"

namespace mlc {
#define GEN_PASS_DEF_GPUTILEMATMULS
#include "compiler/CodeGen/GPU/Passes.h.inc"
} // namespace mlc

using namespace mlir;

namespace {

/// A matrix product c[i, j] += a[.] * b[.] on 2-D f32 buffers: which of
/// each operand's dimensions is the reduction.
struct Product {
  Value a, b, c;
  bool aTransposed; ///< a is read a[k, i]
  bool bTransposed; ///< b is read b[j, k]
};

/// Whether `map` reads (first, second) of the loop dimensions.
bool reads(AffineMap map, unsigned first, unsigned second) {
  return map.getNumResults() == 2 &&
         map.getResult(0) == getAffineDimExpr(first, map.getContext()) &&
         map.getResult(1) == getAffineDimExpr(second, map.getContext());
}

/// Matches linalg ops computing a matrix product, in the loop order
/// mlc-gpu-prepare-loops leaves: (i, j) parallel, then k.
std::optional<Product> matchProduct(linalg::LinalgOp op) {
  if (!op.hasPureBufferSemantics() || op.getNumDpsInputs() != 2 ||
      op.getNumDpsInits() != 1 || op.getNumLoops() != 3)
    return std::nullopt;
  auto iterators = op.getIteratorTypesArray();
  if (iterators[0] != utils::IteratorType::parallel ||
      iterators[1] != utils::IteratorType::parallel ||
      iterators[2] != utils::IteratorType::reduction)
    return std::nullopt;
  for (OpOperand &operand : op->getOpOperands()) {
    auto type = llvm::dyn_cast<MemRefType>(operand.get().getType());
    if (!type || type.getRank() != 2 || !type.getElementType().isF32() ||
        !type.getLayout().isIdentity())
      return std::nullopt;
  }
  // The body: yield c + a * b (either operand order).
  Block *body = op.getBlock();
  if (body->getOperations().size() != 3)
    return std::nullopt;
  auto mul = llvm::dyn_cast<arith::MulFOp>(&body->front());
  auto add =
      llvm::dyn_cast_or_null<arith::AddFOp>(mul ? mul->getNextNode() : nullptr);
  auto yield = llvm::dyn_cast<linalg::YieldOp>(body->getTerminator());
  if (!mul || !add || !yield || yield.getNumOperands() != 1 ||
      yield.getOperand(0) != add.getResult())
    return std::nullopt;
  Value inA = body->getArgument(0), inB = body->getArgument(1),
        acc = body->getArgument(2);
  bool mulOk = (mul.getLhs() == inA && mul.getRhs() == inB) ||
               (mul.getLhs() == inB && mul.getRhs() == inA);
  bool addOk = (add.getLhs() == acc && add.getRhs() == mul.getResult()) ||
               (add.getRhs() == acc && add.getLhs() == mul.getResult());
  if (!mulOk || !addOk)
    return std::nullopt;
  auto maps = op.getIndexingMapsArray();
  if (!reads(maps[2], 0, 1))
    return std::nullopt;
  Product p{op.getDpsInputs()[0], op.getDpsInputs()[1], op.getDpsInits()[0],
            false, false};
  if (reads(maps[0], 2, 0))
    p.aTransposed = true;
  else if (!reads(maps[0], 0, 2))
    return std::nullopt;
  if (reads(maps[1], 1, 2))
    p.bTransposed = true;
  else if (!reads(maps[1], 2, 1))
    return std::nullopt;
  return p;
}

struct GPUTileMatmulsPass
    : public mlc::impl::GPUTileMatmulsBase<GPUTileMatmulsPass> {
  using Base::Base;

  void runOnOperation() override {
    // tile x tile threads per block: CUDA allows at most 1024.
    if (tile < 1 || tile > 32) {
      getOperation().emitError("mlc-gpu-tile-matmuls: tile must be in "
                               "[1, 32], got ")
          << tile;
      return signalPassFailure();
    }
    mlc::rewriteMatchedLinalgOps<Product>(
        getOperation(), matchProduct,
        [&](linalg::LinalgOp op, const Product &p) { rewrite(op, p); });
  }

  void rewrite(linalg::LinalgOp op, const Product &p) {
    Location loc = op.getLoc();
    OpBuilder b(op);
    auto index = [&](int64_t v) {
      return arith::ConstantIndexOp::create(b, loc, v).getResult();
    };
    Value one = index(1), t = index(tile);
    Value m = memref::DimOp::create(b, loc, p.c, 0);
    Value n = memref::DimOp::create(b, loc, p.c, 1);
    Value k = memref::DimOp::create(b, loc, p.a, p.aTransposed ? 0 : 1);
    auto ceilDiv = [&](Value x) {
      Value sum = arith::AddIOp::create(b, loc, x, index(tile - 1));
      return arith::DivUIOp::create(b, loc, sum, t).getResult();
    };
    auto shared = MemRefType::get(
        {tile, tile}, b.getF32Type(), MemRefLayoutAttrInterface{},
        gpu::AddressSpaceAttr::get(b.getContext(),
                                   gpu::AddressSpace::Workgroup));
    // x walks columns (coalesced), y rows.
    auto launch = gpu::LaunchOp::create(
        b, loc, ceilDiv(n), ceilDiv(m), one, t, t, one,
        /*dynamicSharedMemorySize=*/nullptr, /*asyncTokenType=*/nullptr,
        /*asyncDependencies=*/{}, TypeRange{shared, shared});
    Block &body = launch.getBody().front();
    b.setInsertionPointToStart(&body);
    Value a = p.a, bm = p.b, c = p.c;
    Value aTile = launch.getWorkgroupAttributions()[0];
    Value bTile = launch.getWorkgroupAttributions()[1];
    Value tx = launch.getThreadIds().x, ty = launch.getThreadIds().y;
    // Constants again inside the body: it becomes a kernel of its own.
    Value zeroIn = index(0), oneIn = index(1), tIn = index(tile);
    Value fzero = arith::ConstantOp::create(b, loc, b.getF32FloatAttr(0.0f));
    Value row = arith::AddIOp::create(
        b, loc, arith::MulIOp::create(b, loc, launch.getBlockIds().y, tIn), ty);
    Value col = arith::AddIOp::create(
        b, loc, arith::MulIOp::create(b, loc, launch.getBlockIds().x, tIn), tx);
    auto less = [&](Value x, Value bound) {
      return arith::CmpIOp::create(b, loc, arith::CmpIPredicate::ult, x, bound)
          .getResult();
    };
    Value rowOk = less(row, m), colOk = less(col, n);
    // Loads `source` at (first, second) or 0 outside it.
    auto guardedLoad = [&](Value source, Value inside, Value first,
                           Value second) {
      auto ifOp = scf::IfOp::create(b, loc, b.getF32Type(), inside,
                                    /*withElseRegion=*/true);
      OpBuilder::InsertionGuard guard(b);
      b.setInsertionPointToStart(ifOp.thenBlock());
      Value v =
          memref::LoadOp::create(b, loc, source, ValueRange{first, second});
      scf::YieldOp::create(b, loc, v);
      b.setInsertionPointToStart(ifOp.elseBlock());
      scf::YieldOp::create(b, loc, fzero);
      return ifOp.getResult(0);
    };
    auto steps = scf::ForOp::create(b, loc, zeroIn, k, tIn, ValueRange{fzero});
    {
      OpBuilder::InsertionGuard guard(b);
      b.setInsertionPointToStart(steps.getBody());
      Value k0 = steps.getInductionVar();
      Value acc = steps.getRegionIterArgs()[0];
      // This step's tiles: a(row, k0 + tx) and b(k0 + ty, col).
      Value ka = arith::AddIOp::create(b, loc, k0, tx);
      Value kb = arith::AddIOp::create(b, loc, k0, ty);
      Value av =
          guardedLoad(a, arith::AndIOp::create(b, loc, rowOk, less(ka, k)),
                      p.aTransposed ? ka : row, p.aTransposed ? row : ka);
      memref::StoreOp::create(b, loc, av, aTile, ValueRange{ty, tx});
      Value bv =
          guardedLoad(bm, arith::AndIOp::create(b, loc, colOk, less(kb, k)),
                      p.bTransposed ? col : kb, p.bTransposed ? kb : col);
      memref::StoreOp::create(b, loc, bv, bTile, ValueRange{ty, tx});
      gpu::BarrierOp::create(b, loc);
      auto inner =
          scf::ForOp::create(b, loc, zeroIn, tIn, oneIn, ValueRange{acc});
      {
        OpBuilder::InsertionGuard innerGuard(b);
        b.setInsertionPointToStart(inner.getBody());
        Value kk = inner.getInductionVar();
        Value x = memref::LoadOp::create(b, loc, aTile, ValueRange{ty, kk});
        Value y = memref::LoadOp::create(b, loc, bTile, ValueRange{kk, tx});
        Value prod = arith::MulFOp::create(b, loc, x, y);
        Value sum =
            arith::AddFOp::create(b, loc, inner.getRegionIterArgs()[0], prod);
        scf::YieldOp::create(b, loc, sum);
      }
      gpu::BarrierOp::create(b, loc);
      scf::YieldOp::create(b, loc, inner.getResult(0));
    }
    // c += the product, inside the bounds.
    auto store =
        scf::IfOp::create(b, loc, arith::AndIOp::create(b, loc, rowOk, colOk),
                          /*withElseRegion=*/false);
    {
      OpBuilder::InsertionGuard guard(b);
      b.setInsertionPointToStart(store.thenBlock());
      Value old = memref::LoadOp::create(b, loc, c, ValueRange{row, col});
      Value sum = arith::AddFOp::create(b, loc, old, steps.getResult(0));
      memref::StoreOp::create(b, loc, sum, c, ValueRange{row, col});
    }
    gpu::TerminatorOp::create(b, loc);
  }
};

} // namespace
