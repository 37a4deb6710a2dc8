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

/// Builds one entry point: a function whose arguments are buffers, in
/// groups (params, states, ...), each read as a tensor in the body.
class EntryBuilder {
public:
  EntryBuilder(ModelOp model, StringRef entry)
      : model(model), b(model), entry(entry.str()) {}

  /// Adds a group of arguments; returns the index of its first one.
  unsigned addArgs(StringRef group, ArrayRef<Type> tensorTypes,
                   ArrayRef<Attribute> names) {
    unsigned first = types.size();
    for (Type t : tensorTypes) {
      tensorTypesOf.push_back(t);
      types.push_back(bufferTypeOf(t));
    }
    if (!names.empty())
      groups.push_back(
          b.getNamedAttr(("mlc." + group).str(), b.getArrayAttr(names)));
    return first;
  }

  /// Creates the function and the tensors of the arguments. Arguments in
  /// `writable` are updated in place (params and optimizer state).
  FailureOr<func::FuncOp> create(ModuleOp module,
                                 llvm::function_ref<bool(unsigned)> writable) {
    std::string name = (model.getSymName() + "_" + entry).str();
    if (SymbolTable::lookupSymbolIn(module, name))
      return model.emitOpError()
             << "cannot create entry point @" << name << ": the name is taken";
    func = func::FuncOp::create(b, model.getLoc(), name,
                                b.getFunctionType(types, {}));
    MLIRContext *ctx = model.getContext();
    func->setAttr("llvm.emit_c_interface", UnitAttr::get(ctx));
    func->setAttr("mlc.model", model.getSymNameAttr());
    func->setAttr("mlc.entry", b.getStringAttr(entry));
    for (NamedAttribute group : groups)
      func->setAttr(group.getName(), group.getValue());
    Block *block = func.addEntryBlock();
    b.setInsertionPointToStart(block);
    for (unsigned i = 0; i < types.size(); ++i)
      tensors.push_back(bufferization::ToTensorOp::create(
          b, model.getLoc(), tensorTypesOf[i], block->getArgument(i),
          /*restrict=*/true, writable(i)));
    return func;
  }

  /// Clones the model graph; param_refs and inputs map to the tensors of
  /// the arguments starting at `firstParam` and `firstInput`. Ops that
  /// differ between training and inference are expanded for `training`;
  /// assigns are left to the caller (train_step writes them).
  void cloneGraph(unsigned firstParam, unsigned firstInput, bool training) {
    llvm::StringMap<Value> params;
    for (auto [i, p] : llvm::enumerate(model.getParamOps()))
      params[p.getSymName()] = tensors[firstParam + i];
    for (auto [i, in] : llvm::enumerate(model.getInputOps()))
      mapping.map(in.getResult(), tensors[firstInput + i]);
    for (Operation &op : model.getBody().front()) {
      if (llvm::isa<InputOp, ParamOp, OutputOp, AssignOp>(op))
        continue;
      if (auto ref = llvm::dyn_cast<ParamRefOp>(op)) {
        mapping.map(ref.getResult(), params.lookup(ref.getParam()));
        continue;
      }
      if (auto modal = llvm::dyn_cast<TrainingModeOpInterface>(op)) {
        SmallVector<Value> operands;
        for (Value v : op.getOperands())
          operands.push_back(mapping.lookup(v));
        SmallVector<Value> results = modal.expand(b, operands, training);
        for (auto [from, to] : llvm::zip_equal(op.getResults(), results))
          mapping.map(from, to);
        continue;
      }
      b.clone(op, mapping);
    }
  }

  Value graphValue(Value modelValue) { return mapping.lookup(modelValue); }

  /// Writes `value` into argument `arg` and ends the function.
  void write(Value value, unsigned arg) {
    bufferization::MaterializeInDestinationOp::create(
        b, model.getLoc(), Type(), value, func.getArgument(arg),
        /*restrict=*/true, /*writable=*/true);
  }
  void finish() { func::ReturnOp::create(b, model.getLoc()); }

  ModelOp model;
  OpBuilder b;
  std::string entry;
  func::FuncOp func;
  SmallVector<Type> types, tensorTypesOf;
  SmallVector<NamedAttribute> groups;
  SmallVector<Value> tensors;
  IRMapping mapping;
};

SmallVector<Type> typesOf(ArrayRef<ParamOp> params) {
  SmallVector<Type> types;
  for (ParamOp p : params)
    types.push_back(p.getType());
  return types;
}

Value buildLoss(OpBuilder &b, Location loc, LossAttr loss, Value prediction,
                Value labels) {
  bool logits = loss.getFromLogits();
  switch (loss.getKind()) {
  case LossKind::mse:
    return MSEOp::create(b, loc, prediction, labels, false);
  case LossKind::categorical_crossentropy:
    return CategoricalCrossentropyOp::create(b, loc, prediction, labels,
                                             logits);
  case LossKind::sparse_categorical_crossentropy:
    return SparseCategoricalCrossentropyOp::create(b, loc, prediction, labels,
                                                   logits);
  case LossKind::binary_crossentropy:
    return BinaryCrossentropyOp::create(b, loc, prediction, labels, logits);
  }
  llvm_unreachable("unknown loss");
}

struct BuildEntryPointsPass
    : public mlc::impl::BuildEntryPointsBase<BuildEntryPointsPass> {
  void runOnOperation() override {
    for (ModelOp model :
         llvm::make_early_inc_range(getOperation().getOps<ModelOp>())) {
      for (Operation &op : model.getBody().front())
        if (isLayer(&op)) {
          op.emitOpError() << "is a layer; run mlc-materialize-params before "
                              "mlc-build-entry-points";
          return signalPassFailure();
        }
      if (failed(buildPredict(model)) || failed(buildTraining(model)))
        return signalPassFailure();
      model.erase();
    }
  }

  SmallVector<Attribute> names(ModelOp model, bool params) {
    SmallVector<Attribute> result;
    if (params)
      for (ParamOp p : model.getParamOps())
        result.push_back(p.getSymNameAttr());
    else
      for (InputOp in : model.getInputOps())
        result.push_back(in.getNameAttr());
    return result;
  }

  SmallVector<Type> inputTypes(ModelOp model) {
    SmallVector<Type> types;
    for (InputOp in : model.getInputOps())
      types.push_back(in.getType());
    return types;
  }

  /// predict(params, inputs, outputs)
  LogicalResult buildPredict(ModelOp model) {
    EntryBuilder e(model, "predict");
    OutputOp output = model.getOutputOp();
    unsigned p =
        e.addArgs("params", typesOf(model.getParamOps()), names(model, true));
    unsigned in = e.addArgs("inputs", inputTypes(model), names(model, false));
    unsigned out =
        e.addArgs("", llvm::to_vector(output.getOutputs().getTypes()), {});
    if (failed(e.create(getOperation(), [](unsigned) { return false; })))
      return failure();
    e.func->setAttr("mlc.num_outputs",
                    e.b.getI64IntegerAttr(output.getNumOperands()));
    e.cloneGraph(p, in, /*training=*/false);
    for (auto [i, v] : llvm::enumerate(output.getOutputs()))
      e.write(e.graphValue(v), out + i);
    e.finish();
    return success();
  }

  /// With a loss: eval_step(params, inputs, labels, loss, prediction), and
  /// with an optimizer too: train_step(params, states, lr, step, inputs,
  /// labels, loss, prediction), which updates params and states in place.
  LogicalResult buildTraining(ModelOp model) {
    std::optional<LossAttr> loss = model.getLoss();
    if (!loss)
      return success();
    OutputOp output = model.getOutputOp();
    Value prediction = output.getOutputs().front();
    auto predType = llvm::cast<RankedTensorType>(prediction.getType());
    Type labelType = getLabelType(*loss, predType);
    auto scalarType = RankedTensorType::get({}, predType.getElementType());
    SmallVector<ParamOp> params = model.getParamOps();

    {
      EntryBuilder e(model, "eval_step");
      unsigned p = e.addArgs("params", typesOf(params), names(model, true));
      unsigned in = e.addArgs("inputs", inputTypes(model), names(model, false));
      unsigned label = e.addArgs("", labelType, {});
      unsigned out = e.addArgs("", {scalarType, predType}, {});
      if (failed(e.create(getOperation(), [](unsigned) { return false; })))
        return failure();
      e.cloneGraph(p, in, /*training=*/false);
      Value pred = e.graphValue(prediction);
      e.write(buildLoss(e.b, output.getLoc(), *loss, pred, e.tensors[label]),
              out);
      e.write(pred, out + 1);
      e.finish();
    }

    auto optimizer = model.getOptimizerAttr();
    if (!optimizer)
      return success();
    EntryBuilder e(model, "train_step");
    unsigned p = e.addArgs("params", typesOf(params), names(model, true));
    SmallVector<StringRef> slots =
        llvm::cast<OptimizerAttrInterface>(optimizer).getStateNames();
    SmallVector<Type> stateTypes;
    SmallVector<Attribute> stateNames;
    for (ParamOp param : params)
      for (StringRef slot : slots) {
        stateTypes.push_back(param.getType());
        stateNames.push_back(
            e.b.getStringAttr(param.getSymName() + "." + slot));
      }
    unsigned s = e.addArgs("states", stateTypes, stateNames);
    unsigned lr = e.addArgs("", {scalarType, scalarType}, {});
    unsigned in = e.addArgs("inputs", inputTypes(model), names(model, false));
    unsigned label = e.addArgs("", labelType, {});
    unsigned out = e.addArgs("", {scalarType, predType}, {});
    // Params and states are updated in place.
    if (failed(e.create(getOperation(), [&](unsigned i) { return i < lr; })))
      return failure();
    e.cloneGraph(p, in, /*training=*/true);
    Location loc = output.getLoc();
    Value predValue = e.graphValue(prediction);
    Value lossValue = buildLoss(e.b, loc, *loss, predValue, e.tensors[label]);
    // Gradients and optimizer updates for the trainable params; the others
    // take the values the graph assigns them (their optimizer slots exist,
    // so every model has the same argument layout, and stay untouched).
    SmallVector<unsigned> trainable;
    SmallVector<Value> trainableTensors;
    for (unsigned i = 0; i < params.size(); ++i)
      if (params[i].getTrainable()) {
        trainable.push_back(i);
        trainableTensors.push_back(e.tensors[p + i]);
      }
    auto grads = GradientOp::create(e.b, loc, lossValue, trainableTensors);
    for (auto [k, i] : llvm::enumerate(trainable)) {
      SmallVector<Value> states(e.tensors.begin() + s + i * slots.size(),
                                e.tensors.begin() + s + (i + 1) * slots.size());
      auto update = OptimizerUpdateOp::create(
          e.b, params[i].getLoc(), optimizer, trainableTensors[k],
          grads.getResult(k), states, e.tensors[lr], e.tensors[lr + 1]);
      e.write(update.getNewParam(), p + i);
      for (auto [slot, state] : llvm::enumerate(update.getNewStates()))
        e.write(state, s + i * slots.size() + slot);
    }
    for (AssignOp assign : model.getBody().front().getOps<AssignOp>()) {
      auto it = llvm::find_if(params, [&](ParamOp param) {
        return param.getSymName() == assign.getParam();
      });
      e.write(e.graphValue(assign.getValue()), p + (it - params.begin()));
    }
    e.write(lossValue, out);
    // The batch's predictions, for metrics, at no extra cost.
    e.write(predValue, out + 1);
    e.finish();
    return success();
  }
};

} // namespace

void mlc::expandTrainingModeOps(Operation *root, bool training) {
  SmallVector<TrainingModeOpInterface> modal;
  root->walk([&](TrainingModeOpInterface op) { modal.push_back(op); });
  for (TrainingModeOpInterface op : modal) {
    OpBuilder b(op);
    SmallVector<Value> operands(op->getOperands());
    op->replaceAllUsesWith(op.expand(b, operands, training));
    op->erase();
  }
}
