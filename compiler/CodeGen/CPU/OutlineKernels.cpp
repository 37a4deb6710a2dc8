//===- OutlineKernels.cpp - loop nests -> shared functions ----------------===//

#include "compiler/CodeGen/CPU/Outlining.h"
#include "compiler/CodeGen/CPU/Passes.h"

#include "mlir/Dialect/LLVMIR/LLVMDialect.h"
#include "mlir/IR/SymbolTable.h"

namespace mlc {
#define GEN_PASS_DEF_OUTLINEKERNELS
#include "compiler/CodeGen/CPU/Passes.h.inc"
} // namespace mlc

using namespace mlir;

namespace {

struct OutlineKernelsPass
    : public mlc::impl::OutlineKernelsBase<OutlineKernelsPass> {
  using OutlineKernelsBase::OutlineKernelsBase;

  void runOnOperation() override {
    ModuleOp module = getOperation();
    SymbolTable symbols(module);
    SmallVector<func::FuncOp> funcs;
    for (auto f : module.getOps<func::FuncOp>())
      if (!f.isExternal())
        funcs.push_back(f);

    mlc::FunctionSet kernels;
    for (func::FuncOp f : funcs) {
      unsigned count = 0;
      // Kernels follow their function, in the order of their loops.
      Operation *last = f;
      for (Block &block : f.getBody())
        for (Operation &op : llvm::make_early_inc_range(block)) {
          if (!llvm::isa<scf::ForOp, scf::ParallelOp>(op) ||
              op.getNumResults() != 0 || !isLargeEnough(&op))
            continue;
          auto [kernel, call] = outline(
              &op, f.getSymName().str() + "_k" + std::to_string(count++), last,
              symbols);
          if (!share) {
            last = kernel;
            continue;
          }
          func::FuncOp existing = kernels.findOrInsert(kernel);
          if (existing == kernel) {
            last = kernel;
            continue;
          }
          call.setCallee(existing.getSymName());
          symbols.erase(kernel);
        }
    }
  }

  bool isLargeEnough(Operation *root) {
    unsigned ops = 0;
    root->walk([&](Operation *) { ++ops; });
    return ops >= minOps;
  }

  /// Moves `op` into a new private function and calls it in its place.
  std::pair<func::FuncOp, func::CallOp> outline(Operation *op,
                                                const std::string &name,
                                                Operation *after,
                                                SymbolTable &symbols) {
    SmallVector<Value> args;
    func::FuncOp kernel = mlc::outlineOps(op, name, after, symbols, args);
    // Internal to the object: a library exports only its entry points.
    kernel->setAttr(
        "llvm.linkage",
        LLVM::LinkageAttr::get(op->getContext(), LLVM::Linkage::Internal));
    OpBuilder cb(op);
    auto call = func::CallOp::create(cb, op->getLoc(), kernel, args);
    op->erase();
    return {kernel, call};
  }
};

} // namespace
