//===- BuildEntryPoints.cpp - mlc.model -> entry-point functions ----------===//

#include "dialects/MLC/Transforms/Passes.h"

#include "mlir/IR/Builders.h"
#include "mlir/IR/IRMapping.h"

namespace mlc {
#define GEN_PASS_DEF_BUILDENTRYPOINTS
#include "dialects/MLC/Transforms/Passes.h.inc"
} // namespace mlc

using namespace mlir;
using namespace mlc;

namespace {

MemRefType bufferTypeOf(Type tensorType) {
  auto tensor = llvm::cast<RankedTensorType>(tensorType);
  return MemRefType::get(tensor.getShape(), tensor.getElementType());
}

struct BuildEntryPointsPass
    : public mlc::impl::BuildEntryPointsBase<BuildEntryPointsPass> {
  void runOnOperation() override {
    for (ModelOp model :
         llvm::make_early_inc_range(getOperation().getOps<ModelOp>())) {
      if (failed(buildPredict(model)))
        return signalPassFailure();
      model.erase();
    }
  }

  LogicalResult buildPredict(ModelOp model) {
    Block &body = model.getBody().front();
    for (Operation &op : body)
      if (llvm::isa<DenseOp, FlattenOp>(op))
        return op.emitOpError()
               << "is a layer; run mlc-materialize-params before "
                  "mlc-build-entry-points";

    MLIRContext *ctx = model.getContext();
    SmallVector<Type> argTypes;
    SmallVector<NamedAttribute> argAttrs;
    SmallVector<ParamOp> params = model.getParamOps();
    SmallVector<InputOp> inputs = model.getInputOps();
    OutputOp output = model.getOutputOp();
    for (ParamOp p : params)
      argTypes.push_back(bufferTypeOf(p.getType()));
    for (InputOp in : inputs)
      argTypes.push_back(bufferTypeOf(in.getType()));
    for (Value out : output.getOutputs())
      argTypes.push_back(bufferTypeOf(out.getType()));

    OpBuilder b(model);
    std::string name = (model.getSymName() + "_predict").str();
    if (SymbolTable::lookupSymbolIn(getOperation(), name))
      return model.emitOpError() << "cannot create entry point @" << name
                                 << ": the name is taken";
    auto func = func::FuncOp::create(b, model.getLoc(), name,
                                     b.getFunctionType(argTypes, {}));
    func->setAttr("llvm.emit_c_interface", UnitAttr::get(ctx));
    func->setAttr("mlc.model", model.getSymNameAttr());
    func->setAttr("mlc.entry", b.getStringAttr("predict"));
    // The argument order, by name. Function-level (not argument) attributes,
    // so LLVM translation passes over them.
    SmallVector<Attribute> paramNames, inputNames;
    for (ParamOp p : params)
      paramNames.push_back(p.getSymNameAttr());
    for (InputOp in : inputs)
      inputNames.push_back(in.getNameAttr());
    func->setAttr("mlc.params", b.getArrayAttr(paramNames));
    func->setAttr("mlc.inputs", b.getArrayAttr(inputNames));
    func->setAttr("mlc.num_outputs",
                  b.getI64IntegerAttr(output.getNumOperands()));

    Block *entry = func.addEntryBlock();
    b.setInsertionPointToStart(entry);
    // Params and inputs are read-only and never alias each other.
    auto readArg = [&](unsigned index, Type tensorType, Location loc) {
      return bufferization::ToTensorOp::create(b, loc, tensorType,
                                               entry->getArgument(index),
                                               /*restrict=*/true,
                                               /*writable=*/false)
          .getResult();
    };
    llvm::StringMap<Value> paramValues;
    unsigned arg = 0;
    for (ParamOp p : params)
      paramValues[p.getSymName()] = readArg(arg++, p.getType(), p.getLoc());
    IRMapping mapping;
    for (InputOp in : inputs)
      mapping.map(in.getResult(), readArg(arg++, in.getType(), in.getLoc()));

    for (Operation &op : body) {
      if (llvm::isa<InputOp, ParamOp, OutputOp>(op))
        continue;
      if (auto ref = llvm::dyn_cast<ParamRefOp>(op)) {
        mapping.map(ref.getResult(), paramValues.lookup(ref.getParam()));
        continue;
      }
      b.clone(op, mapping);
    }
    for (Value out : output.getOutputs())
      bufferization::MaterializeInDestinationOp::create(
          b, output.getLoc(), Type(), mapping.lookup(out),
          entry->getArgument(arg++), /*restrict=*/true, /*writable=*/true);
    func::ReturnOp::create(b, output.getLoc());
    return success();
  }
};

} // namespace
