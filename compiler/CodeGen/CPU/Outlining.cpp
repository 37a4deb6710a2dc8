//===- Outlining.cpp - moving ops into shared functions -------------------===//

#include "compiler/CodeGen/CPU/Outlining.h"

#include "mlir/IR/IRMapping.h"
#include "mlir/IR/OperationSupport.h"
#include "mlir/Transforms/RegionUtils.h"
#include "llvm/ADT/SetVector.h"

using namespace mlir;

static bool isConstant(Value v) {
  Operation *def = v.getDefiningOp();
  return def && def->hasTrait<OpTrait::ConstantLike>() &&
         def->getNumResults() == 1 && def->getNumRegions() == 0;
}

func::FuncOp mlc::outlineOps(ArrayRef<Operation *> ops, StringRef name,
                             Operation *after, SymbolTable &symbols,
                             SmallVectorImpl<Value> &args) {
  llvm::SmallPtrSet<Operation *, 8> inside(ops.begin(), ops.end());
  llvm::SetVector<Value> used;
  for (Operation *op : ops) {
    for (Value v : op->getOperands())
      if (!inside.contains(v.getDefiningOp()))
        used.insert(v);
    getUsedValuesDefinedAbove(op->getRegions(), used);
  }
  SmallVector<Type> argTypes;
  for (Value v : used)
    if (!isConstant(v)) {
      args.push_back(v);
      argTypes.push_back(v.getType());
    }
  Operation *last = ops.back();
  OpBuilder b(after);
  b.setInsertionPointAfter(after);
  auto fn =
      func::FuncOp::create(b, last->getLoc(), name,
                           b.getFunctionType(argTypes, last->getResultTypes()));
  fn.setPrivate();
  symbols.insert(fn);
  Block *entry = fn.addEntryBlock();
  OpBuilder fb = OpBuilder::atBlockBegin(entry);
  IRMapping map;
  unsigned arg = 0;
  for (Value v : used) {
    if (isConstant(v))
      map.map(v, fb.clone(*v.getDefiningOp())->getResult(0));
    else
      map.map(v, entry->getArgument(arg++));
  }
  for (Operation *op : ops)
    fb.clone(*op, map);
  func::ReturnOp::create(fb, last->getLoc(),
                         llvm::map_to_vector(last->getResults(), [&](Value r) {
                           return map.lookup(r);
                         }));
  return fn;
}

/// A hash of the function's type, ops, attributes and types, blind to
/// which values the ops use (isRegionEquivalentTo compares those).
static llvm::hash_code hashBody(func::FuncOp f) {
  llvm::hash_code h = hash_value(f.getFunctionType());
  f.getBody().walk([&](Operation *op) {
    h = llvm::hash_combine(h, OperationEquivalence::computeHash(
                                  op, OperationEquivalence::ignoreHashValue,
                                  OperationEquivalence::ignoreHashValue,
                                  OperationEquivalence::IgnoreLocations));
  });
  return h;
}

func::FuncOp mlc::FunctionSet::findOrInsert(func::FuncOp f) {
  SmallVector<func::FuncOp, 1> &same = byHash[hashBody(f)];
  for (func::FuncOp other : same)
    if (other.getFunctionType() == f.getFunctionType() &&
        OperationEquivalence::isRegionEquivalentTo(
            &other.getBody(), &f.getBody(),
            OperationEquivalence::IgnoreLocations))
      return other;
  same.push_back(f);
  return f;
}
