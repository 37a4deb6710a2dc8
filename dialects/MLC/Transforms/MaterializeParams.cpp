//===- MaterializeParams.cpp - expand layer sugar into core ops -----------===//

#include "dialects/MLC/Transforms/Passes.h"

#include "mlir/IR/Builders.h"
#include "llvm/ADT/StringSet.h"

#include <cmath>

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

/// The layer's name: its `name` attribute, else the next free one of
/// `prefix`. Fails, at the layer, when one of the params name + `suffixes`
/// that it would declare is already declared.
FailureOr<std::string> layerName(Operation *layer, StringRef prefix,
                                 ArrayRef<StringRef> suffixes,
                                 LayerNamer &namer, SymbolTable &symbols) {
  auto given = layer->getAttrOfType<StringAttr>("name");
  std::string name = given ? given.str() : namer.next(prefix);
  for (StringRef suffix : suffixes)
    if (Operation *existing = symbols.lookup((name + suffix).str()))
      return layer->emitOpError()
             << "layer \"" << name << "\" would define param @" << name
             << suffix << ", which is already declared at "
             << existing->getLoc();
  return name;
}

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
  case Activation::gelu:
    return GeluOp::create(b, loc, value);
  }
  llvm_unreachable("unknown activation");
}

/// A pooling layer as mlc.max_pool or mlc.avg_pool with explicit pads.
template <typename LayerTy, typename CoreTy>
Value expandPoolAs(OpBuilder &b, LayerTy layer) {
  RankedTensorType in = layer.getInput().getType();
  SmallVector<int64_t> strides = layer.getStrides()
                                     ? llvm::to_vector(*layer.getStrides())
                                     : llvm::to_vector(layer.getPoolSize());
  int64_t ones[] = {1, 1};
  SmallVector<int64_t, 4> pads =
      *kerasPads(layer.getPadding(), in.getShape().slice(1, 2),
                 layer.getPoolSize(), strides, ones);
  return CoreTy::create(b, layer.getLoc(), layer.getType(), layer.getInput(),
                        layer.getPoolSize(), strides, pads);
}

void expandPool(OpBuilder &b, Operation &op) {
  Value pooled =
      llvm::isa<MaxPool2DOp>(op)
          ? expandPoolAs<MaxPool2DOp, MaxPoolOp>(b, llvm::cast<MaxPool2DOp>(op))
          : expandPoolAs<AvgPool2DOp, AvgPoolOp>(b,
                                                 llvm::cast<AvgPool2DOp>(op));
  op.getResult(0).replaceAllUsesWith(pooled);
  op.erase();
}

/// Declares a param (name, type, initializer) where the pass keeps them.
using DeclareParamFn = llvm::function_ref<ParamOp(
    Location, const std::string &, RankedTensorType, Attribute, bool)>;

/// Layer normalization as Keras computes it: the row's mean and biased
/// variance over the last axis, then (x - mean) / sqrt(var + epsilon),
/// scaled by gamma and shifted by beta.
LogicalResult expandLayerNorm(OpBuilder &b, LayerNormOp norm, LayerNamer &namer,
                              SymbolTable &symbols,
                              DeclareParamFn declareParam) {
  Location loc = norm.getLoc();
  MLIRContext *ctx = norm.getContext();
  FailureOr<std::string> named = layerName(norm, "layer_normalization",
                                           {".gamma", ".beta"}, namer, symbols);
  if (failed(named))
    return failure();
  std::string name = *named;

  Value x = norm.getInput();
  RankedTensorType in = norm.getInput().getType();
  int64_t last = in.getRank() - 1;
  Type elt = in.getElementType();
  auto scalar = [&](double v) -> Value {
    auto type = RankedTensorType::get({}, elt);
    return ConstantOp::create(
        b, loc, type, DenseElementsAttr::get(type, b.getFloatAttr(elt, v)));
  };
  Value mean = ReduceMeanOp::create(b, loc, x, ArrayRef<int64_t>{last},
                                    /*keepdims=*/true);
  Value centered = SubOp::create(b, loc, x, mean);
  Value squares = MulOp::create(b, loc, centered, centered);
  Value var = ReduceMeanOp::create(b, loc, squares, ArrayRef<int64_t>{last},
                                   /*keepdims=*/true);
  Value eps = scalar(norm.getEpsilon().convertToDouble());
  Value stddev = SqrtOp::create(b, loc, AddOp::create(b, loc, var, eps));
  Value y = DivOp::create(b, loc, centered, stddev);
  auto type = RankedTensorType::get({in.getDimSize(last)}, elt);
  auto param = [&](StringRef suffix, Attribute init) -> Value {
    ParamOp p = declareParam(loc, name + suffix.str(), type, init,
                             /*trainable=*/true);
    return ParamRefOp::create(b, loc, p.getType(), p.getSymName());
  };
  if (norm.getScale())
    y = MulOp::create(b, loc, y, param(".gamma", OnesAttr::get(ctx)));
  if (norm.getCenter())
    y = AddOp::create(b, loc, y, param(".beta", ZerosAttr::get(ctx)));
  norm.replaceAllUsesWith(y);
  norm.erase();
  return success();
}

/// Every step's h, or the last one, as a recurrent layer returns it (the
/// last as (batch, units)).
Value lastStep(OpBuilder &b, Location loc, Value sequence) {
  RankedTensorType seq = tensorTypeOf(sequence);
  int64_t batch = seq.getDimSize(0), units = seq.getDimSize(2);
  Type elt = seq.getElementType();
  Value slice = SliceOp::create(
      b, loc, RankedTensorType::get({batch, 1, units}, elt), sequence,
      b.getI64IntegerAttr(1), b.getI64IntegerAttr(-1));
  return ReshapeOp::create(b, loc, RankedTensorType::get({batch, units}, elt),
                           slice);
}

/// Declares a layer's params `<name><suffix>` of element type `elt` (the
/// layer's initializer, or Keras's default) and reads them.
struct LayerParams {
  OpBuilder &b;
  Location loc;
  std::string name;
  Type elt;
  DeclareParamFn declare;

  Value operator()(StringRef suffix, ArrayRef<int64_t> shape, Attribute init,
                   Attribute defaultInit) const {
    ParamOp p =
        declare(loc, name + suffix.str(), RankedTensorType::get(shape, elt),
                init ? init : defaultInit, /*trainable=*/true);
    return ParamRefOp::create(b, loc, p.getType(), p.getSymName());
  }
};

/// The input projection of every step, `x · <name>.kernel` (features x
/// `gates` units, Glorot uniform), and `<name>.recurrent_kernel` (units x
/// `gates` units, orthogonal) of a recurrent layer.
template <typename LayerTy>
std::pair<Value, Value>
recurrentKernels(LayerTy layer, const LayerParams &param, int64_t gates) {
  MLIRContext *ctx = layer.getContext();
  RankedTensorType in = layer.getInput().getType();
  int64_t units = layer.getUnits();
  Value kernel =
      param(".kernel", {in.getDimSize(2), gates * units},
            layer.getKernelInitializerAttr(), GlorotUniformAttr::get(ctx));
  Value recurrent =
      param(".recurrent_kernel", {units, gates * units},
            layer.getRecurrentInitializerAttr(), OrthogonalAttr::get(ctx, 1.0));
  Value projection =
      MatmulOp::create(param.b, param.loc, layer.getInput(), kernel);
  return {projection, recurrent};
}

/// An LSTM layer as the input projection of all steps (one matmul and the
/// bias), mlc.lstm_scan, and the last step's slice.
LogicalResult expandLSTM(OpBuilder &b, LSTMOp lstm, LayerNamer &namer,
                         SymbolTable &symbols, DeclareParamFn declareParam) {
  Location loc = lstm.getLoc();
  MLIRContext *ctx = lstm.getContext();
  FailureOr<std::string> named = layerName(
      lstm, "lstm", {".kernel", ".recurrent_kernel", ".bias"}, namer, symbols);
  if (failed(named))
    return failure();
  std::string name = *named;

  int64_t units = lstm.getUnits();
  LayerParams param{b, loc, name, lstm.getInput().getType().getElementType(),
                    declareParam};
  auto [z, recurrent] = recurrentKernels(lstm, param, 4);
  if (lstm.getUseBias()) {
    Attribute biasDefault = lstm.getUnitForgetBias()
                                ? Attribute(UnitForgetBiasAttr::get(ctx))
                                : Attribute(ZerosAttr::get(ctx));
    Value bias =
        param(".bias", {4 * units}, lstm.getBiasInitializerAttr(), biasDefault);
    z = AddOp::create(b, loc, z, bias);
  }
  auto scan = LSTMScanOp::create(b, loc, z, recurrent, lstm.getActivation(),
                                 lstm.getRecurrentActivation());
  Value last;
  if (!lstm.getReturnSequences() || lstm.getReturnState())
    last = lastStep(b, loc, scan.getSequence());
  SmallVector<Value> results;
  results.push_back(lstm.getReturnSequences() ? scan.getSequence() : last);
  if (lstm.getReturnState()) {
    results.push_back(last);
    results.push_back(scan.getCell());
  }
  lstm->replaceAllUsesWith(results);
  lstm.erase();
  return success();
}

/// A GRU layer as the input projection of all steps plus the input bias,
/// mlc.gru_scan with the recurrent bias, and the last step's slice.
LogicalResult expandGRU(OpBuilder &b, GRUOp gru, LayerNamer &namer,
                        SymbolTable &symbols, DeclareParamFn declareParam) {
  Location loc = gru.getLoc();
  MLIRContext *ctx = gru.getContext();
  FailureOr<std::string> named = layerName(
      gru, "gru", {".kernel", ".recurrent_kernel", ".bias"}, namer, symbols);
  if (failed(named))
    return failure();
  std::string name = *named;

  Type elt = gru.getInput().getType().getElementType();
  int64_t units = gru.getUnits();
  LayerParams param{b, loc, name, elt, declareParam};
  auto [zx, recurrent] = recurrentKernels(gru, param, 3);
  auto biasType = RankedTensorType::get({3 * units}, elt);
  Value recurrentBias;
  if (gru.getUseBias()) {
    // Keras's (2, 3 units) bias: the input bias, then the recurrent one.
    Value bias = param(".bias", {2, 3 * units}, gru.getBiasInitializerAttr(),
                       ZerosAttr::get(ctx));
    auto row = [&](int64_t i) -> Value {
      Value slice =
          SliceOp::create(b, loc, RankedTensorType::get({1, 3 * units}, elt),
                          bias, b.getI64IntegerAttr(0), b.getI64IntegerAttr(i));
      return ReshapeOp::create(b, loc, biasType, slice);
    };
    zx = AddOp::create(b, loc, zx, row(0));
    recurrentBias = row(1);
  } else {
    recurrentBias = ConstantOp::create(
        b, loc, biasType,
        DenseElementsAttr::get(biasType, b.getFloatAttr(elt, 0.0)));
  }
  auto scanType = tensorTypeOf(zx);
  auto seqType = RankedTensorType::get(
      {scanType.getDimSize(0), scanType.getDimSize(1), units}, elt);
  auto scan = GRUScanOp::create(
      b, loc, TypeRange{seqType, scanType, seqType}, zx, recurrent,
      recurrentBias, ActivationAttr::get(ctx, gru.getActivation()),
      ActivationAttr::get(ctx, gru.getRecurrentActivation()));
  SmallVector<Value> results;
  Value last;
  if (!gru.getReturnSequences() || gru.getReturnState())
    last = lastStep(b, loc, scan.getSequence());
  results.push_back(gru.getReturnSequences() ? scan.getSequence() : last);
  if (gru.getReturnState())
    results.push_back(last);
  gru->replaceAllUsesWith(results);
  gru.erase();
  return success();
}

/// Keras `MultiHeadAttention`: the query, key and value projections (each
/// a `features x heads x dim` kernel, read as one matrix, and a `heads x
/// dim` bias) over all rows, mlc.attention, and the output projection.
LogicalResult expandAttention(OpBuilder &b, MultiHeadAttentionOp mha,
                              LayerNamer &namer, SymbolTable &symbols,
                              DeclareParamFn declareParam) {
  Location loc = mha.getLoc();
  MLIRContext *ctx = mha.getContext();
  FailureOr<std::string> named =
      layerName(mha, "multi_head_attention",
                {".query.kernel", ".query.bias", ".key.kernel", ".key.bias",
                 ".value.kernel", ".value.bias", ".attention_output.kernel",
                 ".attention_output.bias"},
                namer, symbols);
  if (failed(named))
    return failure();
  std::string name = *named;

  RankedTensorType qType = mha.getQuery().getType();
  Type elt = qType.getElementType();
  LayerParams param{b, loc, name, elt, declareParam};
  int64_t heads = mha.getNumHeads(), keyDim = mha.getKeyDim();
  int64_t valueDim = mha.getValueDim().value_or(keyDim);
  Attribute kernelInit = mha.getKernelInitializerAttr();
  Attribute biasInit = mha.getBiasInitializerAttr();
  // x (batch, time, features) times a (features, heads, dim) kernel: the
  // kernel as a (features, heads x dim) matrix, head-major as Keras's
  // einsum lays out its result.
  auto project = [&](Value x, StringRef part, int64_t dim) -> Value {
    int64_t features = tensorTypeOf(x).getDimSize(2);
    Value kernel = param(("." + part + ".kernel").str(), {features, heads, dim},
                         kernelInit, GlorotUniformAttr::get(ctx));
    Value matrix = ReshapeOp::create(
        b, loc, RankedTensorType::get({features, heads * dim}, elt), kernel);
    Value y = MatmulOp::create(b, loc, x, matrix);
    if (!mha.getUseBias())
      return y;
    Value bias = param(("." + part + ".bias").str(), {heads, dim}, biasInit,
                       ZerosAttr::get(ctx));
    Value row = ReshapeOp::create(
        b, loc, RankedTensorType::get({heads * dim}, elt), bias);
    return AddOp::create(b, loc, y, row);
  };
  Value value = mha.getValue();
  Value key = mha.getKey() ? mha.getKey() : value;
  Value q = project(mha.getQuery(), "query", keyDim);
  Value k = project(key, "key", keyDim);
  Value v = project(value, "value", valueDim);
  RankedTensorType qp = tensorTypeOf(q), vp = tensorTypeOf(v);
  auto attendedType = RankedTensorType::get(
      {mha.getType().getDimSize(0), qp.getDimSize(1), vp.getDimSize(2)}, elt);
  Value attended = AttentionOp::create(
      b, loc, attendedType, q, k, v, b.getI64IntegerAttr(heads),
      b.getF64FloatAttr(1.0 / std::sqrt(double(keyDim))),
      mha.getUseCausalMask() ? b.getUnitAttr() : UnitAttr());
  int64_t features = qType.getDimSize(2);
  Value outKernel =
      param(".attention_output.kernel", {heads, valueDim, features}, kernelInit,
            GlorotUniformAttr::get(ctx));
  Value outMatrix = ReshapeOp::create(
      b, loc, RankedTensorType::get({heads * valueDim, features}, elt),
      outKernel);
  Value y = MatmulOp::create(b, loc, attended, outMatrix);
  if (mha.getUseBias())
    y = AddOp::create(b, loc, y,
                      param(".attention_output.bias", {features}, biasInit,
                            ZerosAttr::get(ctx)));
  mha.replaceAllUsesWith(y);
  mha.erase();
  return success();
}

/// KerasHub `PositionEmbedding`: the table's row of each position, gathered
/// by the positions' indices along time.
LogicalResult expandPositionEmbedding(OpBuilder &b, PositionEmbeddingOp pe,
                                      LayerNamer &namer, SymbolTable &symbols,
                                      DeclareParamFn declareParam) {
  Location loc = pe.getLoc();
  MLIRContext *ctx = pe.getContext();
  FailureOr<std::string> named =
      layerName(pe, "position_embedding", {".embeddings"}, namer, symbols);
  if (failed(named))
    return failure();
  std::string name = *named;

  RankedTensorType in = pe.getInput().getType();
  LayerParams param{b, loc, name, in.getElementType(), declareParam};
  Value table =
      param(".embeddings", {int64_t(pe.getSequenceLength()), in.getDimSize(2)},
            pe.getEmbeddingsInitializerAttr(), GlorotUniformAttr::get(ctx));
  auto idsType =
      RankedTensorType::get(in.getShape().take_front(2), b.getIntegerType(32));
  Value ids =
      IotaOp::create(b, loc, idsType, pe.getInput(), b.getI64IntegerAttr(1));
  Value rows = GatherOp::create(b, loc, in, table, ids);
  pe.replaceAllUsesWith(rows);
  pe.erase();
  return success();
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
    for (Operation &op : body) {
      auto name = op.getAttrOfType<StringAttr>("name");
      if (!name || !llvm::isa<DenseOp, Conv2DOp, DepthwiseConv2DOp, BatchNormOp,
                              LSTMOp, GRUOp, EmbeddingOp, LayerNormOp,
                              MultiHeadAttentionOp, PositionEmbeddingOp>(op))
        continue;
      auto [it, inserted] =
          explicitNames.try_emplace(name.getValue(), op.getLoc());
      if (!inserted)
        return op.emitOpError()
               << "layer name \"" << name.getValue()
               << "\" is already used by the layer at " << it->second;
      taken.insert(name.getValue());
    }
    for (ParamOp param : body.getOps<ParamOp>())
      taken.insert(param.getSymName().split('.').first);

    LayerNamer namer(taken);
    ParamOp seedState;
    int64_t streams = 0;
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
                            RankedTensorType type, Attribute init,
                            bool trainable = true) {
      if (lastDecl)
        paramBuilder.setInsertionPointAfter(lastDecl);
      else
        paramBuilder.setInsertionPointToStart(&body);
      auto param = ParamOp::create(paramBuilder, loc, name, type,
                                   llvm::cast<InitializerAttrInterface>(init),
                                   trainable);
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
      if (auto pool = llvm::dyn_cast<GlobalAvgPool2DOp>(op)) {
        Value mean = ReduceMeanOp::create(
            b, pool.getLoc(), pool.getType(), pool.getInput(),
            b.getDenseI64ArrayAttr({1, 2}), pool.getKeepdims());
        pool.replaceAllUsesWith(mean);
        pool.erase();
        continue;
      }
      if (llvm::isa<MaxPool2DOp, AvgPool2DOp>(op)) {
        expandPool(b, op);
        continue;
      }
      MLIRContext *ctx = model.getContext();
      Block::iterator terminator = body.getTerminator()->getIterator();
      if (auto dropout = llvm::dyn_cast<DropoutOp>(op)) {
        Location loc = dropout.getLoc();
        // One random state per model, advanced once per step: (random
        // bits from --seed, step counter).
        if (!seedState) {
          const char *stateName = "seed_generator.state";
          if (Operation *existing = symbols.lookup(stateName))
            return dropout.emitOpError()
                   << "needs the model's random state @" << stateName
                   << ", which is already declared at " << existing->getLoc();
          auto type = RankedTensorType::get({2}, b.getF32Type());
          seedState = declareParam(loc, stateName, type,
                                   UniformAttr::get(ctx, 0.0, 1.0),
                                   /*trainable=*/false);
          OpBuilder end(&body, terminator);
          Value current = ParamRefOp::create(end, loc, type, stateName);
          Value step = ConstantOp::create(
              end, loc, type,
              DenseElementsAttr::get(type, ArrayRef<float>{0.0f, 1.0f}));
          Value next = AddOp::create(end, loc, current, step);
          AssignOp::create(end, loc, stateName, next);
        }
        Value state = ParamRefOp::create(b, loc, seedState.getType(),
                                         seedState.getSymName());
        Value y = ApplyDropoutOp::create(b, loc, dropout.getInput(), state,
                                         dropout.getRateAttr(),
                                         b.getI64IntegerAttr(streams++));
        dropout.replaceAllUsesWith(y);
        dropout.erase();
        continue;
      }
      if (auto bn = llvm::dyn_cast<BatchNormOp>(op)) {
        Location loc = bn.getLoc();
        FailureOr<std::string> named =
            layerName(bn, "batch_normalization",
                      {".gamma", ".beta", ".moving_mean", ".moving_variance"},
                      namer, symbols);
        if (failed(named))
          return failure();
        std::string name = *named;

        RankedTensorType in = bn.getInput().getType();
        auto type = RankedTensorType::get({in.getDimSize(in.getRank() - 1)},
                                          in.getElementType());
        auto ref = [&](ParamOp p) -> Value {
          return ParamRefOp::create(b, loc, p.getType(), p.getSymName());
        };
        auto constant = [&](double v) -> Value {
          return ConstantOp::create(
              b, loc, type,
              DenseElementsAttr::get(type,
                                     b.getFloatAttr(type.getElementType(), v)));
        };
        Value gamma = bn.getScale()
                          ? ref(declareParam(loc, name + ".gamma", type,
                                             OnesAttr::get(ctx)))
                          : constant(1.0);
        Value beta = bn.getCenter()
                         ? ref(declareParam(loc, name + ".beta", type,
                                            ZerosAttr::get(ctx)))
                         : constant(0.0);
        ParamOp mean = declareParam(loc, name + ".moving_mean", type,
                                    ZerosAttr::get(ctx), /*trainable=*/false);
        ParamOp var = declareParam(loc, name + ".moving_variance", type,
                                   OnesAttr::get(ctx), /*trainable=*/false);
        auto apply = ApplyBatchNormOp::create(
            b, loc, bn.getInput(), gamma, beta, ref(mean), ref(var),
            bn.getMomentumAttr(), bn.getEpsilonAttr());
        OpBuilder end(&body, terminator);
        AssignOp::create(end, loc, mean.getSymName(), apply.getNewMean());
        AssignOp::create(end, loc, var.getSymName(), apply.getNewVariance());
        bn.replaceAllUsesWith(apply.getResult());
        bn.erase();
        continue;
      }
      if (auto split = llvm::dyn_cast<SplitOp>(op)) {
        RankedTensorType in = split.getInput().getType();
        int64_t axis = *normalizeAxis(int64_t(split.getAxis()), in.getRank());
        int64_t offset = 0;
        for (Value part : split.getParts()) {
          auto type = llvm::cast<RankedTensorType>(part.getType());
          Value slice = SliceOp::create(
              b, split.getLoc(), type, split.getInput(),
              b.getI64IntegerAttr(axis), b.getI64IntegerAttr(offset));
          part.replaceAllUsesWith(slice);
          offset += type.getDimSize(axis);
        }
        split.erase();
        continue;
      }
      if (auto norm = llvm::dyn_cast<LayerNormOp>(op)) {
        if (failed(expandLayerNorm(b, norm, namer, symbols, declareParam)))
          return failure();
        continue;
      }
      if (auto embedding = llvm::dyn_cast<EmbeddingOp>(op)) {
        Location loc = embedding.getLoc();
        FailureOr<std::string> named =
            layerName(embedding, "embedding", {".embeddings"}, namer, symbols);
        if (failed(named))
          return failure();
        std::string name = *named;
        std::string param = name + ".embeddings";

        auto type = RankedTensorType::get({int64_t(embedding.getInputDim()),
                                           int64_t(embedding.getOutputDim())},
                                          embedding.getType().getElementType());
        Attribute init = embedding.getEmbeddingsInitializerAttr();
        ParamOp table = declareParam(
            loc, param, type, init ? init : UniformAttr::get(ctx, -0.05, 0.05),
            /*trainable=*/true);
        Value ref = ParamRefOp::create(b, loc, type, table.getSymName());
        Value rows = GatherOp::create(b, loc, embedding.getType(), ref,
                                      embedding.getInput());
        embedding.replaceAllUsesWith(rows);
        embedding.erase();
        continue;
      }
      if (auto mha = llvm::dyn_cast<MultiHeadAttentionOp>(op)) {
        if (failed(expandAttention(b, mha, namer, symbols, declareParam)))
          return failure();
        continue;
      }
      if (auto pe = llvm::dyn_cast<PositionEmbeddingOp>(op)) {
        if (failed(
                expandPositionEmbedding(b, pe, namer, symbols, declareParam)))
          return failure();
        continue;
      }
      if (auto gru = llvm::dyn_cast<GRUOp>(op)) {
        if (failed(expandGRU(b, gru, namer, symbols, declareParam)))
          return failure();
        continue;
      }
      if (auto lstm = llvm::dyn_cast<LSTMOp>(op)) {
        if (failed(expandLSTM(b, lstm, namer, symbols, declareParam)))
          return failure();
        continue;
      }
      // The layers with params.
      std::string prefix;
      if (llvm::isa<DenseOp>(op))
        prefix = "dense";
      else if (llvm::isa<Conv2DOp>(op))
        prefix = "conv2d";
      else if (llvm::isa<DepthwiseConv2DOp>(op))
        prefix = "depthwise_conv2d";
      else
        continue;
      FailureOr<std::string> named =
          layerName(&op, prefix, {".kernel", ".depthwise_kernel", ".bias"},
                    namer, symbols);
      if (failed(named))
        return failure();
      std::string name = *named;
      Location loc = op.getLoc();
      auto makeParam = [&](StringRef suffix, RankedTensorType type,
                           Attribute init, Attribute defaultInit) -> Value {
        ParamOp param = declareParam(loc, name + suffix.str(), type,
                                     init ? init : defaultInit);
        return ParamRefOp::create(b, loc, param.getType(), param.getSymName());
      };
      Value result;
      Activation activation;
      bool useBias;
      Attribute biasInit;
      int64_t units;
      if (auto dense = llvm::dyn_cast<DenseOp>(op)) {
        RankedTensorType in = dense.getInput().getType();
        units = dense.getUnits();
        Value w = makeParam(".kernel",
                            RankedTensorType::get({in.getShape().back(), units},
                                                  in.getElementType()),
                            dense.getKernelInitializerAttr(),
                            GlorotUniformAttr::get(ctx));
        result = MatmulOp::create(b, loc, dense.getInput(), w);
        activation = dense.getActivation();
        useBias = dense.getUseBias();
        biasInit = dense.getBiasInitializerAttr();
      } else if (auto dw = llvm::dyn_cast<DepthwiseConv2DOp>(op)) {
        RankedTensorType in = dw.getInput().getType();
        units = in.getDimSize(3) * int64_t(dw.getDepthMultiplier());
        ArrayRef<int64_t> k = dw.getKernelSize();
        Value w = makeParam(
            ".depthwise_kernel",
            RankedTensorType::get({k[0], k[1], in.getDimSize(3),
                                   int64_t(dw.getDepthMultiplier())},
                                  in.getElementType()),
            dw.getDepthwiseInitializerAttr(), GlorotUniformAttr::get(ctx));
        SmallVector<int64_t, 4> pads =
            *kerasPads(dw.getPadding(), in.getShape().slice(1, 2), k,
                       dw.getStrides(), dw.getDilationRate());
        result = DepthwiseConvOp::create(b, loc, dw.getType(), dw.getInput(), w,
                                         dw.getStrides(), dw.getDilationRate(),
                                         pads);
        activation = dw.getActivation();
        useBias = dw.getUseBias();
        biasInit = dw.getBiasInitializerAttr();
      } else {
        auto conv = llvm::cast<Conv2DOp>(op);
        RankedTensorType in = conv.getInput().getType();
        units = conv.getFilters();
        ArrayRef<int64_t> k = conv.getKernelSize();
        Value w = makeParam(
            ".kernel",
            RankedTensorType::get({k[0], k[1], in.getDimSize(3), units},
                                  in.getElementType()),
            conv.getKernelInitializerAttr(), GlorotUniformAttr::get(ctx));
        // The verifier checked the padding name.
        SmallVector<int64_t, 4> pads =
            *kerasPads(conv.getPadding(), in.getShape().slice(1, 2), k,
                       conv.getStrides(), conv.getDilationRate());
        result =
            ConvOp::create(b, loc, conv.getType(), conv.getInput(), w,
                           conv.getStrides(), conv.getDilationRate(), pads);
        activation = conv.getActivation();
        useBias = conv.getUseBias();
        biasInit = conv.getBiasInitializerAttr();
      }
      if (useBias) {
        Value bias =
            makeParam(".bias",
                      RankedTensorType::get(
                          {units}, tensorTypeOf(result).getElementType()),
                      biasInit, ZerosAttr::get(ctx));
        result = AddOp::create(b, loc, result, bias);
      }
      result = applyActivation(b, loc, activation, result);
      op.getResult(0).replaceAllUsesWith(result);
      op.erase();
    }
    return success();
  }
};

} // namespace
