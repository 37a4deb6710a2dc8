//===- Workspace.cpp - temporaries from one caller-provided buffer --------===//

#include "compiler/CodeGen/Common/Passes.h"

#include "mlir/Analysis/SliceAnalysis.h"
#include "mlir/Dialect/Affine/IR/AffineOps.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/IR/IRMapping.h"
#include "mlir/Interfaces/SideEffectInterfaces.h"
#include "llvm/ADT/SmallBitVector.h"

namespace mlc {
#define GEN_PASS_DEF_WORKSPACE
#include "compiler/CodeGen/Common/Passes.h.inc"
} // namespace mlc

using namespace mlir;

namespace {

constexpr int64_t kAlignment = 64;

/// `bytes` rounded up to the alignment.
Value alignUp(OpBuilder &b, Location loc, Value bytes) {
  Value mask = arith::ConstantIndexOp::create(b, loc, kAlignment - 1);
  Value sum = arith::AddIOp::create(b, loc, bytes, mask);
  Value notMask = arith::ConstantIndexOp::create(b, loc, ~(kAlignment - 1));
  return arith::AndIOp::create(b, loc, sum, notMask);
}

/// Bytes of an allocation of `type` with the given dynamic sizes, aligned.
Value allocBytes(OpBuilder &b, Location loc, MemRefType type,
                 ValueRange dynSizes) {
  int64_t eltBytes = llvm::divideCeil(type.getElementTypeBitWidth(), 8);
  int64_t staticPart = eltBytes;
  for (int64_t d : type.getShape())
    if (!ShapedType::isDynamic(d))
      staticPart *= d;
  Value bytes = arith::ConstantIndexOp::create(b, loc, staticPart);
  for (Value size : dynSizes)
    bytes = arith::MulIOp::create(b, loc, bytes, size);
  return alignUp(b, loc, bytes);
}

/// The size of dimension `i` of `source` in terms of the values it was built
/// from: an allocation's or view's size operands, a constant, or a
/// `memref.dim` one step closer to the arguments. Null when unknown.
Value sizeOf(OpBuilder &b, Location loc, Value source, int64_t i) {
  auto type = llvm::cast<MemRefType>(source.getType());
  if (!type.isDynamicDim(i))
    return arith::ConstantIndexOp::create(b, loc, type.getDimSize(i));
  // A buffer a loop carries (a recurrence's state, mlc-expand-recurrences)
  // keeps its shape from one iteration to the next: its size is its
  // initial value's.
  if (auto arg = llvm::dyn_cast<BlockArgument>(source)) {
    auto loop = llvm::dyn_cast<scf::ForOp>(arg.getOwner()->getParentOp());
    if (!loop || arg.getArgNumber() == 0)
      return {};
    return memref::DimOp::create(b, loc,
                                 loop.getInitArgs()[arg.getArgNumber() - 1], i);
  }
  Operation *def = source.getDefiningOp();
  if (!def)
    return {};
  if (auto loop = llvm::dyn_cast<scf::ForOp>(def))
    return memref::DimOp::create(
        b, loc,
        loop.getInitArgs()[llvm::cast<OpResult>(source).getResultNumber()], i);
  unsigned dynIndex = type.getDynamicDimIndex(i);
  if (auto alloc = llvm::dyn_cast<memref::AllocOp>(def))
    return alloc.getDynamicSizes()[dynIndex];
  if (auto alloca = llvm::dyn_cast<memref::AllocaOp>(def))
    return alloca.getDynamicSizes()[dynIndex];
  if (auto view = llvm::dyn_cast<memref::ViewOp>(def))
    return view.getSizes()[dynIndex];
  auto materialize = [&](OpFoldResult size) -> Value {
    if (auto value = llvm::dyn_cast<Value>(size))
      return value;
    return arith::ConstantIndexOp::create(
        b, loc, llvm::cast<IntegerAttr>(llvm::cast<Attribute>(size)).getInt());
  };
  if (auto cast = llvm::dyn_cast<memref::CastOp>(def))
    return memref::DimOp::create(b, loc, cast.getSource(), i);
  if (auto cast = llvm::dyn_cast<memref::ReinterpretCastOp>(def))
    return materialize(cast.getMixedSizes()[i]);
  if (auto expand = llvm::dyn_cast<memref::ExpandShapeOp>(def))
    return materialize(expand.getMixedOutputShape()[i]);
  if (auto collapse = llvm::dyn_cast<memref::CollapseShapeOp>(def)) {
    Value product;
    SmallVector<ReassociationIndices> groups =
        collapse.getReassociationIndices();
    for (int64_t j : groups[i]) {
      Value size = sizeOf(b, loc, collapse.getSrc(), j);
      if (!size)
        size = memref::DimOp::create(b, loc, collapse.getSrc(), j);
      product = product ? arith::MulIOp::create(b, loc, product, size) : size;
    }
    return product;
  }
  if (auto subview = llvm::dyn_cast<memref::SubViewOp>(def)) {
    // Rank-reducing subviews drop unit dimensions; skip them.
    llvm::SmallBitVector dropped = subview.getDroppedDims();
    SmallVector<OpFoldResult> sizes = subview.getMixedSizes();
    int64_t resultDim = -1;
    for (auto [j, size] : llvm::enumerate(sizes))
      if (!dropped.test(j) && ++resultDim == i)
        return materialize(size);
  }
  return {};
}

/// Replaces every `memref.dim` of a value the function computes (a
/// temporary or a view of one) by the sizes that value was built from, until
/// each remaining `memref.dim` reads an argument. Reshapes of temporaries
/// otherwise hide the batch size behind a buffer the workspace replaces.
void resolveDims(func::FuncOp func) {
  bool changed = true;
  while (changed) {
    changed = false;
    SmallVector<memref::DimOp> dims;
    func.walk([&](memref::DimOp dim) { dims.push_back(dim); });
    for (memref::DimOp dim : dims) {
      std::optional<int64_t> index = dim.getConstantIndex();
      auto arg = llvm::dyn_cast<BlockArgument>(dim.getSource());
      if (!index ||
          (arg && llvm::isa<func::FuncOp>(arg.getOwner()->getParentOp())))
        continue;
      OpBuilder b(dim);
      Value size = sizeOf(b, dim.getLoc(), dim.getSource(), *index);
      if (!size)
        continue;
      dim.replaceAllUsesWith(size);
      dim.erase();
      changed = true;
    }
  }
}

/// The constant bound of `size` when it is the extent of the last, partial
/// tile of a loop that tiling peeled: `ub - iv` in `for iv = (ub floordiv
/// k) * k to ub step k`, which is below k.
std::optional<int64_t> peeledTileBound(Value size) {
  auto apply = size.getDefiningOp<affine::AffineApplyOp>();
  if (!apply || apply.getMapOperands().size() != 2)
    return std::nullopt;
  MLIRContext *ctx = apply.getContext();
  AffineExpr d0 = getAffineDimExpr(0, ctx), s0 = getAffineSymbolExpr(0, ctx);
  if (apply.getAffineMap() != AffineMap::get(1, 1, s0 - d0))
    return std::nullopt;
  auto iv = llvm::dyn_cast<BlockArgument>(apply.getMapOperands()[0]);
  auto loop = iv ? llvm::dyn_cast<scf::ForOp>(iv.getOwner()->getParentOp())
                 : scf::ForOp();
  if (!loop || loop.getInductionVar() != iv ||
      loop.getUpperBound() != apply.getMapOperands()[1])
    return std::nullopt;
  std::optional<int64_t> step = getConstantIntValue(loop.getStep());
  auto lower = loop.getLowerBound().getDefiningOp<affine::AffineApplyOp>();
  if (!step || *step <= 0 || !lower || lower.getMapOperands().size() != 1 ||
      lower.getMapOperands()[0] != loop.getUpperBound() ||
      lower.getAffineMap() != AffineMap::get(0, 1, s0.floorDiv(*step) * *step))
    return std::nullopt;
  return *step;
}

/// Moves each allocation made inside serial loops out of them: as it is
/// when its sizes are known before the loops, else, when they have a
/// constant upper bound there, to the function's top as a buffer of that
/// bound that the iteration views its part of. The partial last tile of a tiled
/// loop (a peeled loop over fewer rows than a register tile) is such an
/// allocation when bufferization copies the tile out of place; as a
/// per-iteration allocation it would be a malloc on every call. Loops that
/// threads share keep theirs (one buffer would be shared), as do
/// allocations a loop yields (each iteration's must outlive the next).
void hoistBoundedAllocations(func::FuncOp func) {
  Block &body = func.getBody().front();
  SmallVector<memref::AllocOp> nested;
  func.walk([&](memref::AllocOp alloc) {
    if (alloc->getBlock() != &body && !alloc.getDynamicSizes().empty() &&
        alloc.getSymbolOperands().empty())
      nested.push_back(alloc);
  });
  for (memref::AllocOp alloc : nested) {
    Operation *parent = alloc->getParentOp();
    bool serial = true;
    for (Operation *p = parent; p && p != func; p = p->getParentOp())
      serial &= llvm::isa<scf::ForOp>(p) && !p->hasAttr("mlc.parallel");
    if (!serial)
      continue;
    bool escapes = llvm::any_of(alloc->getUsers(), [](Operation *user) {
      return llvm::isa<scf::YieldOp>(user);
    });
    if (escapes)
      continue;
    // Sizes computed before the loops (a batch size in a loop over time
    // steps): the same allocation once, in front of the outermost loop.
    // Upstream's loop hoisting leaves it in a loop that may run zero times.
    Operation *outermost = alloc;
    while (outermost->getBlock() != &body)
      outermost = outermost->getParentOp();
    if (llvm::all_of(alloc.getDynamicSizes(), [&](Value size) {
          if (auto arg = llvm::dyn_cast<BlockArgument>(size))
            return arg.getOwner() == &body;
          Operation *def = size.getDefiningOp();
          return def->getBlock() == &body && def->isBeforeInBlock(outermost);
        })) {
      alloc->moveBefore(outermost);
      continue;
    }
    MemRefType type = alloc.getType();
    SmallVector<int64_t> bound;
    unsigned dyn = 0;
    bool bounded = true;
    for (int64_t d : type.getShape()) {
      if (!ShapedType::isDynamic(d)) {
        bound.push_back(d);
        continue;
      }
      std::optional<int64_t> ub =
          peeledTileBound(alloc.getDynamicSizes()[dyn++]);
      if (!ub) {
        bounded = false;
        break;
      }
      bound.push_back(*ub);
    }
    if (!bounded)
      continue;
    OpBuilder b(&body, body.begin());
    auto staticType = MemRefType::get(bound, type.getElementType());
    auto top = memref::AllocOp::create(b, alloc.getLoc(), staticType,
                                       alloc.getAlignmentAttr());
    b.setInsertionPoint(alloc);
    SmallVector<OpFoldResult> offsets(type.getRank(), b.getIndexAttr(0));
    SmallVector<OpFoldResult> strides(type.getRank(), b.getIndexAttr(1));
    SmallVector<OpFoldResult> sizes;
    dyn = 0;
    for (int64_t d : type.getShape())
      sizes.push_back(ShapedType::isDynamic(d)
                          ? OpFoldResult(alloc.getDynamicSizes()[dyn++])
                          : OpFoldResult(b.getIndexAttr(d)));
    Value view = memref::SubViewOp::create(b, alloc.getLoc(), top, offsets,
                                           sizes, strides);
    // The rows of the view are as far apart as the bound's: a strided
    // layout where the allocation had the identity.
    auto viewType = llvm::cast<MemRefType>(view.getType());
    if (viewType != type) {
      if (!memref::CastOp::areCastCompatible(viewType, type)) {
        view.getDefiningOp()->erase();
        top.erase();
        continue;
      }
      view = memref::CastOp::create(b, alloc.getLoc(), type, view);
    }
    alloc.replaceAllUsesWith(view);
    alloc.erase();
  }
}

/// Rewrites each expand_shape of a contiguous buffer that splits one size
/// into several dynamic ones (the rows of a dense layer over a batch of
/// sequences back into batch and time) as a reinterpret_cast with the
/// sizes and their suffix products as strides: upstream's
/// expand-strided-metadata crashes on such an expand_shape.
void castSeveralDynamicExpands(Operation *root) {
  SmallVector<memref::ExpandShapeOp> expands;
  root->walk([&](memref::ExpandShapeOp op) {
    MemRefType src = op.getSrcType(), result = op.getResultType();
    if (!src.getLayout().isIdentity() || !result.getLayout().isIdentity())
      return;
    if (llvm::any_of(op.getReassociationIndices(),
                     [&](const ReassociationIndices &group) {
                       return llvm::count_if(group, [&](int64_t d) {
                                return result.isDynamicDim(d);
                              }) > 1;
                     }))
      expands.push_back(op);
  });
  IRRewriter rewriter(root->getContext());
  for (memref::ExpandShapeOp op : expands) {
    rewriter.setInsertionPoint(op);
    Location loc = op.getLoc();
    MemRefType result = op.getResultType();
    SmallVector<OpFoldResult> sizes = op.getMixedOutputShape();
    SmallVector<OpFoldResult> strides(sizes.size());
    Value stride = arith::ConstantIndexOp::create(rewriter, loc, 1);
    int64_t staticStride = 1; // 0 once a dynamic size is passed
    for (int64_t d = int64_t(sizes.size()) - 1; d >= 0; --d) {
      strides[d] = staticStride > 0
                       ? OpFoldResult(rewriter.getIndexAttr(staticStride))
                       : OpFoldResult(stride);
      Value size = getValueOrCreateConstantIndexOp(rewriter, loc, sizes[d]);
      stride = arith::MulIOp::create(rewriter, loc, stride, size);
      staticStride = result.isDynamicDim(d) || staticStride <= 0
                         ? 0
                         : staticStride * result.getDimSize(d);
    }
    rewriter.replaceOpWithNewOp<memref::ReinterpretCastOp>(
        op, result, op.getSrc(), rewriter.getIndexAttr(0), sizes, strides);
  }
}

struct WorkspacePass : public mlc::impl::WorkspaceBase<WorkspacePass> {
  void runOnOperation() override {
    castSeveralDynamicExpands(getOperation());
    for (auto func : llvm::to_vector(getOperation().getOps<func::FuncOp>()))
      if (func->hasAttr("mlc.entry") && failed(carve(func)))
        return signalPassFailure();
  }

  LogicalResult carve(func::FuncOp func) {
    resolveDims(func);
    hoistBoundedAllocations(func);
    Block &body = func.getBody().front();
    SmallVector<memref::AllocOp> allocs;
    for (Operation &op : body)
      if (auto alloc = llvm::dyn_cast<memref::AllocOp>(op))
        allocs.push_back(alloc);

    // Every size must be computable from the arguments' shapes alone.
    SetVector<Operation *> slice;
    for (memref::AllocOp alloc : allocs) {
      if (!alloc.getSymbolOperands().empty())
        return alloc.emitOpError("has symbol operands; mlc-workspace cannot "
                                 "place it");
      for (Value size : alloc.getDynamicSizes()) {
        BackwardSliceOptions options;
        options.inclusive = true;
        if (failed(getBackwardSlice(size, &slice, options)))
          return alloc.emitOpError("has a size mlc-workspace cannot trace");
      }
    }
    for (Operation *op : slice)
      if (!isPure(op) && !llvm::isa<memref::DimOp>(op))
        return op->emitOpError()
               << "feeds a temporary buffer's size but is not a pure "
                  "function of argument shapes; mlc-workspace cannot size "
                  "the workspace before the call";

    MLIRContext *ctx = &getContext();
    auto workspaceType =
        MemRefType::get({ShapedType::kDynamic}, IntegerType::get(ctx, 8));
    unsigned numOriginalArgs = func.getNumArguments();
    if (failed(func.insertArgument(numOriginalArgs, workspaceType,
                                   DictionaryAttr::get(ctx), func.getLoc())))
      return failure();
    Value workspace = body.getArgument(numOriginalArgs);

    // Carve: allocation k starts where k-1 ended.
    OpBuilder b(ctx);
    Value offset;
    for (memref::AllocOp alloc : allocs) {
      b.setInsertionPoint(alloc);
      Location loc = alloc.getLoc();
      if (!offset)
        offset = arith::ConstantIndexOp::create(b, loc, 0);
      Value view = memref::ViewOp::create(b, loc, alloc.getType(), workspace,
                                          offset, alloc.getDynamicSizes());
      Value bytes =
          allocBytes(b, loc, alloc.getType(), alloc.getDynamicSizes());
      offset = arith::AddIOp::create(b, loc, offset, bytes);
      for (Operation *user : llvm::make_early_inc_range(alloc->getUsers()))
        if (llvm::isa<memref::DeallocOp>(user))
          user->erase();
      alloc.replaceAllUsesWith(view);
      alloc.erase();
    }

    // @<entry>_workspace_bytes(args) -> index: the same size arithmetic,
    // on the same arguments.
    b.setInsertionPointAfter(func);
    SmallVector<Type> argTypes(
        func.getArgumentTypes().take_front(numOriginalArgs));
    auto sizeFn = func::FuncOp::create(
        b, func.getLoc(), (func.getName() + "_workspace_bytes").str(),
        b.getFunctionType(argTypes, {b.getIndexType()}));
    sizeFn->setAttr("llvm.emit_c_interface", UnitAttr::get(ctx));
    Block *entry = sizeFn.addEntryBlock();
    b.setInsertionPointToStart(entry);
    IRMapping mapping;
    for (unsigned i = 0; i < numOriginalArgs; ++i)
      mapping.map(body.getArgument(i), entry->getArgument(i));
    for (Operation &op : body)
      if (slice.contains(&op))
        b.clone(op, mapping);
    Value total = arith::ConstantIndexOp::create(b, func.getLoc(), 0);
    for (Operation &op : body) {
      auto view = llvm::dyn_cast<memref::ViewOp>(op);
      if (!view || view.getSource() != workspace)
        continue;
      SmallVector<Value> dyn;
      for (Value size : view.getSizes())
        dyn.push_back(mapping.lookupOrDefault(size));
      total = arith::AddIOp::create(
          b, func.getLoc(), total,
          allocBytes(b, func.getLoc(), view.getType(), dyn));
    }
    func::ReturnOp::create(b, func.getLoc(), total);
    return success();
  }
};

} // namespace
