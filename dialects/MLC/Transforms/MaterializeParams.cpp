//===- MaterializeParams.cpp - expand layer sugar into core ops -----------===//

#include "dialects/MLC/Transforms/Passes.h"

#include "mlir/IR/Builders.h"
#include "llvm/ADT/StringSet.h"

namespace mlc {
#define GEN_PASS_DEF_MATERIALIZEPARAMS
#include "dialects/MLC/Transforms/Passes.h.inc"
} // namespace mlc

using namespace mlir;
using namespace mlc;

namespace {

/// Names layers like Keras: the first unnamed dense layer is `dense`, then
/// `dense_1`, `dense_2`, ..., skipping names already taken.
class LayerNamer {
public:
  explicit LayerNamer(llvm::StringSet<> &taken) : taken(taken) {}

  std::string next(StringRef prefix) {
    unsigned &counter = counters[prefix];
    while (true) {
      std::string name =
          counter == 0 ? prefix.str() : (prefix + "_" + Twine(counter)).str();
      ++counter;
      if (!taken.contains(name))
        return name;
    }
  }

private:
  llvm::StringSet<> &taken;
  llvm::StringMap<unsigned> counters;
};

/// Applies a layer's activation to `value`.
Value applyActivation(OpBuilder &b, Location loc, Activation act, Value value) {
  switch (act) {
  case Activation::linear:
    return value;
  case Activation::relu:
    return ReluOp::create(b, loc, value);
  case Activation::sigmoid:
    return SigmoidOp::create(b, loc, value);
  case Activation::tanh:
    return TanhOp::create(b, loc, value);
  case Activation::softmax:
    return SoftmaxOp::create(b, loc, value, int64_t(-1));
  case Activation::log_softmax:
    return LogSoftmaxOp::create(b, loc, value, int64_t(-1));
  }
  llvm_unreachable("unknown activation");
}

struct MaterializeParamsPass
    : public mlc::impl::MaterializeParamsBase<MaterializeParamsPass> {
  void runOnOperation() override {
    for (ModelOp model : getOperation().getOps<ModelOp>())
      if (failed(materialize(model)))
        return signalPassFailure();
  }

  LogicalResult materialize(ModelOp model) {
    Block &body = model.getBody().front();
    SymbolTable symbols(model);

    // Explicit layer names and existing params are taken.
    llvm::StringSet<> taken;
    llvm::StringMap<Location> explicitNames;
    for (DenseOp dense : body.getOps<DenseOp>()) {
      if (std::optional<StringRef> name = dense.getName()) {
        auto [it, inserted] = explicitNames.try_emplace(*name, dense.getLoc());
        if (!inserted)
          return dense.emitOpError()
                 << "layer name \"" << *name
                 << "\" is already used by the layer at " << it->second;
        taken.insert(*name);
      }
    }
    for (ParamOp param : body.getOps<ParamOp>())
      taken.insert(param.getSymName().split('.').first);

    LayerNamer namer(taken);
    // New params go after the leading inputs and params, in layer order.
    // Track the last declaration, not an insertion iterator: the graph op
    // after it may be a layer this pass erases.
    OpBuilder paramBuilder(model.getContext());
    Operation *lastDecl = nullptr;
    for (Operation &op : body) {
      if (!llvm::isa<InputOp, ParamOp>(op))
        break;
      lastDecl = &op;
    }
    auto declareParam = [&](Location loc, const std::string &name,
                            RankedTensorType type, Attribute init) {
      if (lastDecl)
        paramBuilder.setInsertionPointAfter(lastDecl);
      else
        paramBuilder.setInsertionPointToStart(&body);
      auto param = ParamOp::create(paramBuilder, loc, name, type,
                                   llvm::cast<InitializerAttrInterface>(init));
      symbols.insert(param);
      lastDecl = param;
      return param;
    };

    for (Operation &op : llvm::make_early_inc_range(body)) {
      OpBuilder b(&op);
      if (auto flatten = llvm::dyn_cast<FlattenOp>(op)) {
        Value reshaped = ReshapeOp::create(
            b, flatten.getLoc(), flatten.getType(), flatten.getInput());
        flatten.replaceAllUsesWith(reshaped);
        flatten.erase();
        continue;
      }
      auto dense = llvm::dyn_cast<DenseOp>(op);
      if (!dense)
        continue;
      Location loc = dense.getLoc();
      std::string name =
          dense.getName() ? dense.getName()->str() : namer.next("dense");
      for (StringRef suffix : {".kernel", ".bias"})
        if (Operation *existing = symbols.lookup((name + suffix).str()))
          return dense.emitOpError()
                 << "layer \"" << name << "\" would define param @" << name
                 << suffix << ", which is already declared at "
                 << existing->getLoc();
      RankedTensorType in = dense.getInput().getType();
      Type elt = in.getElementType();
      int64_t units = dense.getUnits();

      Attribute kernelInit = dense.getKernelInitializerAttr();
      if (!kernelInit)
        kernelInit = GlorotUniformAttr::get(model.getContext());
      ParamOp kernel = declareParam(
          loc, name + ".kernel",
          RankedTensorType::get({in.getDimSize(1), units}, elt), kernelInit);
      Value w =
          ParamRefOp::create(b, loc, kernel.getType(), kernel.getSymName());
      Value result = MatmulOp::create(b, loc, dense.getInput(), w);
      if (dense.getUseBias()) {
        Attribute biasInit = dense.getBiasInitializerAttr();
        if (!biasInit)
          biasInit = ZerosAttr::get(model.getContext());
        ParamOp bias = declareParam(
            loc, name + ".bias", RankedTensorType::get({units}, elt), biasInit);
        Value bv =
            ParamRefOp::create(b, loc, bias.getType(), bias.getSymName());
        result = AddOp::create(b, loc, result, bv);
      }
      result = applyActivation(b, loc, dense.getActivation(), result);
      dense.replaceAllUsesWith(result);
      dense.erase();
    }
    return success();
  }
};

} // namespace
