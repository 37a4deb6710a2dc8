//===- TransformOps.cpp - mlc's transform ops for the CPU schedule --------===//

#include "compiler/CodeGen/CPU/TransformOps.h"

#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/SCF/Transforms/TileUsingInterface.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/Interfaces/TilingInterface.h"

using namespace mlir;

#define GET_OP_CLASSES
#include "compiler/CodeGen/CPU/TransformOps.cpp.inc"

namespace {

/// The first slice of one of `producer`'s results inside `loop`, or null.
tensor::ExtractSliceOp sliceInside(Operation *producer, Operation *loop) {
  for (Operation *user : producer->getUsers())
    if (auto slice = llvm::dyn_cast<tensor::ExtractSliceOp>(user))
      if (loop->isProperAncestor(slice))
        return slice;
  return {};
}

/// A slice inside `loop` of the tile loops' accumulated value when
/// `producer` (say a zero fill) is that value's initial value: the loops
/// from the one it enters to the slice's own, outermost first, get `nest`.
/// Null when there is none.
tensor::ExtractSliceOp
sliceOfIterArg(Operation *producer, Operation *loop,
               SmallVectorImpl<LoopLikeOpInterface> &nest) {
  for (OpOperand &use : producer->getUses()) {
    nest.clear();
    Value value;
    auto outer = llvm::dyn_cast<scf::ForOp>(use.getOwner());
    if (!outer || !outer->isAncestor(loop) ||
        !(value = outer.getTiedLoopRegionIterArg(&use)))
      continue;
    nest.push_back(outer);
    // Down the nest, one loop's iteration value to the next's init.
    while (true) {
      tensor::ExtractSliceOp slice;
      scf::ForOp next;
      OpOperand *nextInit = nullptr;
      for (OpOperand &u : value.getUses()) {
        if (auto s = llvm::dyn_cast<tensor::ExtractSliceOp>(u.getOwner());
            s && loop->isAncestor(s) && s.getSource() == value)
          slice = s;
        if (auto f = llvm::dyn_cast<scf::ForOp>(u.getOwner());
            f && f->isAncestor(loop)) {
          next = f;
          nextInit = &u;
        }
      }
      if (slice)
        return slice;
      if (!next)
        break;
      nest.push_back(next);
      value = next.getTiedLoopRegionIterArg(nextInit);
    }
  }
  nest.clear();
  return {};
}

} // namespace

DiagnosedSilenceableFailure
mlc::FuseIntoLoopOp::apply(transform::TransformRewriter &rewriter,
                           transform::TransformResults &results,
                           transform::TransformState &state) {
  auto loops = state.getPayloadOps(getLoop());
  if (!llvm::hasSingleElement(loops))
    return emitDefiniteFailure()
           << "expects one loop, got " << llvm::range_size(loops);
  Operation *loop = *loops.begin();
  SmallVector<Operation *> fused;
  for (Operation *producer : state.getPayloadOps(getProducer())) {
    auto tileable = llvm::dyn_cast<TilingInterface>(producer);
    if (!tileable)
      return emitSilenceableError()
             << "a producer without the TilingInterface: "
             << producer->getName();
    tensor::ExtractSliceOp slice = sliceInside(producer, loop);
    if (!slice) {
      // The initial value of the loops' accumulated result: tiled into
      // the slice that the loops' tile takes of it, and the loops start
      // from the producer's own destination instead.
      SmallVector<LoopLikeOpInterface> nest;
      slice = sliceOfIterArg(producer, loop, nest);
      std::optional<scf::SCFFuseProducerOfSliceResult> tiled;
      if (slice)
        tiled = scf::tileAndFuseProducerOfSlice(rewriter, slice, nest);
      if (!tiled)
        return emitSilenceableError() << "a producer (" << producer->getName()
                                      << ") has no slice in the loop";
      if (slice->use_empty())
        rewriter.eraseOp(slice);
      llvm::append_range(fused, tiled->tiledOps);
      continue;
    }
    for (; slice; slice = sliceInside(producer, loop)) {
      OpBuilder::InsertionGuard guard(rewriter);
      rewriter.setInsertionPoint(slice);
      unsigned result =
          llvm::cast<OpResult>(slice.getSource()).getResultNumber();
      FailureOr<TilingResult> tiled = tileable.generateResultTileValue(
          rewriter, result, slice.getMixedOffsets(), slice.getMixedSizes());
      if (failed(tiled))
        return emitSilenceableError() << "a producer (" << producer->getName()
                                      << ") could not be tiled to its slice";
      FailureOr<Value> value = tensor::ExtractSliceOp::rankReduceIfNeeded(
          rewriter, slice.getLoc(), tiled->tiledValues[0],
          slice.getType().getShape());
      if (failed(value))
        return emitSilenceableError()
               << "a tiled producer's shape differs from its slice's";
      rewriter.replaceOp(slice, *value);
      llvm::append_range(fused, tiled->tiledOps);
    }
  }
  results.set(llvm::cast<OpResult>(getFused()), fused);
  results.set(llvm::cast<OpResult>(getNewLoop()), {loop});
  return DiagnosedSilenceableFailure::success();
}

void mlc::FuseIntoLoopOp::getEffects(
    SmallVectorImpl<MemoryEffects::EffectInstance> &effects) {
  transform::consumesHandle(getProducerMutable(), effects);
  transform::onlyReadsHandle(getLoopMutable(), effects);
  transform::producesHandle(getOperation()->getOpResults(), effects);
  transform::modifiesPayload(effects);
}

namespace {
class CPUTransformExtension
    : public transform::TransformDialectExtension<CPUTransformExtension> {
public:
  MLIR_DEFINE_EXPLICIT_INTERNAL_INLINE_TYPE_ID(CPUTransformExtension)
  using Base::Base;

  void init() {
    declareGeneratedDialect<tensor::TensorDialect>();
    registerTransformOps<
#define GET_OP_LIST
#include "compiler/CodeGen/CPU/TransformOps.cpp.inc"
        >();
  }
};
} // namespace

void mlc::registerCPUTransformOps(DialectRegistry &registry) {
  registry.addExtensions<CPUTransformExtension>();
}
