//===- OutlineKernels.cpp - loop nests -> shared functions ----------------===//

#include "compiler/CodeGen/CPU/Passes.h"

#include "mlir/Dialect/LLVMIR/LLVMDialect.h"
#include "mlir/IR/IRMapping.h"
#include "mlir/IR/SymbolTable.h"
#include "mlir/Transforms/RegionUtils.h"
#include "llvm/ADT/SetVector.h"

namespace mlc {
#define GEN_PASS_DEF_OUTLINEKERNELS
#include "compiler/CodeGen/CPU/Passes.h.inc"
} // namespace mlc

using namespace mlir;

namespace {

bool isConstant(Value v) {
  Operation *def = v.getDefiningOp();
  return def && def->hasTrait<OpTrait::ConstantLike>() &&
         def->getNumResults() == 1 && def->getNumRegions() == 0;
}

/// A hash of the function's ops, their attributes and types, blind to
/// which values they use (isRegionEquivalentTo compares those).
llvm::hash_code hashBody(func::FuncOp f) {
  llvm::hash_code h = hash_value(f.getFunctionType());
  f.getBody().walk([&](Operation *op) {
    h = llvm::hash_combine(h, OperationEquivalence::computeHash(
                                  op, OperationEquivalence::ignoreHashValue,
                                  OperationEquivalence::ignoreHashValue,
                                  OperationEquivalence::IgnoreLocations));
  });
  return h;
}

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

    // Kernels by their body's hash; each list holds distinct kernels.
    llvm::DenseMap<llvm::hash_code, SmallVector<func::FuncOp, 1>> kernels;
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
          SmallVector<func::FuncOp, 1> &same = kernels[hashBody(kernel)];
          auto existing = llvm::find_if(same, [&](func::FuncOp k) {
            return OperationEquivalence::isRegionEquivalentTo(
                &k.getBody(), &kernel.getBody(),
                OperationEquivalence::IgnoreLocations);
          });
          if (existing == same.end()) {
            same.push_back(kernel);
            last = kernel;
            continue;
          }
          call.setCallee(existing->getSymName());
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
    llvm::SetVector<Value> used(op->getOperands().begin(),
                                op->getOperands().end());
    getUsedValuesDefinedAbove(op->getRegions(), used);
    SmallVector<Value> args;
    SmallVector<Type> argTypes;
    for (Value v : used)
      if (!isConstant(v)) {
        args.push_back(v);
        argTypes.push_back(v.getType());
      }
    OpBuilder b(after);
    b.setInsertionPointAfter(after);
    auto kernel = func::FuncOp::create(b, op->getLoc(), name,
                                       b.getFunctionType(argTypes, {}));
    // Internal to the object: a library exports only its entry points.
    kernel.setPrivate();
    kernel->setAttr(
        "llvm.linkage",
        LLVM::LinkageAttr::get(b.getContext(), LLVM::Linkage::Internal));
    symbols.insert(kernel);
    Block *entry = kernel.addEntryBlock();
    OpBuilder kb = OpBuilder::atBlockBegin(entry);
    IRMapping map;
    unsigned arg = 0;
    for (Value v : used) {
      if (isConstant(v))
        map.map(v, kb.clone(*v.getDefiningOp())->getResult(0));
      else
        map.map(v, entry->getArgument(arg++));
    }
    kb.clone(*op, map);
    func::ReturnOp::create(kb, op->getLoc());
    OpBuilder cb(op);
    auto call = func::CallOp::create(cb, op->getLoc(), kernel, args);
    op->erase();
    return {kernel, call};
  }
};

} // namespace
