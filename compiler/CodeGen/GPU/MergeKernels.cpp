//===- MergeKernels.cpp - one gpu.module for every kernel -----------------===//

#include "compiler/CodeGen/GPU/Passes.h"

#include "mlir/IR/SymbolTable.h"

namespace mlc {
#define GEN_PASS_DEF_GPUMERGEKERNELS
#include "compiler/CodeGen/GPU/Passes.h.inc"
} // namespace mlc

using namespace mlir;

namespace {

struct GPUMergeKernelsPass
    : public mlc::impl::GPUMergeKernelsBase<GPUMergeKernelsPass> {
  void runOnOperation() override {
    ModuleOp module = getOperation();
    auto gpuModules = llvm::to_vector(module.getOps<gpu::GPUModuleOp>());
    if (gpuModules.empty())
      return;
    // At the end of the module, after the host code that launches it.
    auto builder = OpBuilder::atBlockEnd(module.getBody());
    auto merged =
        gpu::GPUModuleOp::create(builder, module.getLoc(), "mlc_kernels");
    SymbolTable mergedSymbols(merged);
    // Old (module, kernel) -> new kernel name.
    llvm::DenseMap<SymbolRefAttr, StringAttr> renamed;
    for (gpu::GPUModuleOp old : gpuModules) {
      // Kernels are named after their (unique) outlined module; other
      // symbols (functions a kernel calls) keep their names. Names taken
      // in the merged module get a suffix. Renaming through the old
      // module's table updates the uses inside it (calls); launches follow
      // below.
      SymbolTable oldSymbols(old);
      for (Operation &op : *old.getBody()) {
        auto symbol = llvm::dyn_cast<SymbolOpInterface>(op);
        if (!symbol) {
          op.emitOpError("in an outlined gpu.module is not a symbol; "
                         "mlc-gpu-merge-kernels cannot move it");
          return signalPassFailure();
        }
        auto from = SymbolRefAttr::get(
            old.getNameAttr(), {FlatSymbolRefAttr::get(symbol.getNameAttr())});
        auto kernel = llvm::dyn_cast<gpu::GPUFuncOp>(op);
        std::string base = kernel && kernel.isKernel() ? old.getName().str()
                                                       : symbol.getName().str();
        std::string name = base;
        for (unsigned i = 0;
             mergedSymbols.lookup(name) ||
             (oldSymbols.lookup(name) && oldSymbols.lookup(name) != &op);
             ++i)
          name = base + "_" + std::to_string(i);
        auto to = StringAttr::get(&getContext(), name);
        if (to != symbol.getNameAttr() && failed(oldSymbols.rename(&op, to)))
          return signalPassFailure();
        renamed[from] = to;
      }
      for (Operation &op : llvm::make_early_inc_range(*old.getBody())) {
        op.remove();
        mergedSymbols.insert(&op);
      }
      old.erase();
    }
    module.walk([&](gpu::LaunchFuncOp launch) {
      auto it = renamed.find(launch.getKernel());
      if (it != renamed.end())
        launch.setKernelAttr(SymbolRefAttr::get(
            merged.getNameAttr(), {FlatSymbolRefAttr::get(it->second)}));
    });
  }
};

} // namespace
