//===- BufferDeallocation.cpp - deallocation only where needed -----------===//

#include "compiler/CodeGen/CPU/Passes.h"

#include "mlir/Dialect/Bufferization/Transforms/Passes.h"
#include "mlir/Interfaces/SideEffectInterfaces.h"
#include "mlir/Pass/PassManager.h"
#include "mlir/Transforms/Passes.h"

namespace mlc {
#define GEN_PASS_DEF_BUFFERDEALLOCATION
#include "compiler/CodeGen/CPU/Passes.h.inc"
} // namespace mlc

using namespace mlir;

namespace {

/// Upstream's ownership-based deallocation and its clean-up.
OpPassManager deallocationPipeline() {
  OpPassManager pm(ModuleOp::getOperationName());
  pm.addPass(bufferization::createOwnershipBasedBufferDeallocationPass());
  OpPassManager &f = pm.nest<func::FuncOp>();
  f.addPass(createCanonicalizerPass());
  f.addPass(bufferization::createBufferDeallocationSimplificationPass());
  // Module level: it may add a helper function for deallocations.
  pm.addPass(bufferization::createLowerDeallocationsPass());
  return pm;
}

/// Whether `op` allocates memory that someone must free (not a stack
/// allocation, which its scope frees).
bool allocatesHeap(Operation *op) {
  auto effects = llvm::dyn_cast<MemoryEffectOpInterface>(op);
  if (!effects)
    return false;
  SmallVector<MemoryEffects::EffectInstance> instances;
  effects.getEffects(instances);
  return llvm::any_of(instances, [](const MemoryEffects::EffectInstance &e) {
    return llvm::isa<MemoryEffects::Allocate>(e.getEffect()) &&
           !llvm::isa<SideEffects::AutomaticAllocationScopeResource>(
               e.getResource());
  });
}

struct BufferDeallocationPass
    : public mlc::impl::BufferDeallocationBase<BufferDeallocationPass> {
  void getDependentDialects(DialectRegistry &registry) const override {
    deallocationPipeline().getDependentDialects(registry);
  }

  LogicalResult initialize(MLIRContext *) override {
    pipeline = deallocationPipeline();
    return success();
  }

  void runOnOperation() override {
    bool any = getOperation()
                   ->walk([](Operation *op) {
                     return allocatesHeap(op) ? WalkResult::interrupt()
                                              : WalkResult::advance();
                   })
                   .wasInterrupted();
    if (!any)
      return markAllAnalysesPreserved();
    if (failed(runPipeline(pipeline, getOperation())))
      signalPassFailure();
  }

  OpPassManager pipeline{ModuleOp::getOperationName()};
};

} // namespace
