//===- Signature.cpp - the calling convention of a model ------------------===//

#include "compiler/Driver/Signature.h"

#include "compiler/Driver/Pipeline.h"
#include "dialects/MLC/IR/MLCDialect.h"

#include "mlir/Pass/PassManager.h"

using namespace mlir;
using namespace mlc;

int64_t mlc::elementBytes(ElementKind kind) {
  switch (kind) {
  case ElementKind::F16:
  case ElementKind::BF16:
    return 2;
  case ElementKind::F32:
  case ElementKind::I32:
    return 4;
  case ElementKind::F64:
  case ElementKind::I64:
    return 8;
  }
  return 4;
}

int64_t TensorSpec::numElements(int64_t batch) const {
  int64_t n = 1;
  for (int64_t d : shape)
    n *= d < 0 ? batch : d;
  return n;
}

std::string TensorSpec::shapeString() const {
  std::string s = "[";
  for (size_t i = 0; i < shape.size(); ++i)
    s += (i ? ", " : "") +
         (shape[i] < 0 ? std::string("?") : std::to_string(shape[i]));
  return s + "]";
}

static llvm::Expected<TensorSpec> specOf(llvm::StringRef name, Type type) {
  auto tensor = llvm::cast<RankedTensorType>(type);
  TensorSpec spec;
  spec.name = name.str();
  // Sizes come from the model file: one whose bytes don't fit 2^48 (256
  // TiB) can't be allocated anywhere, and its size arithmetic would wrap.
  uint64_t elements = 1;
  bool overflow = false;
  for (int64_t d : tensor.getShape()) {
    spec.shape.push_back(ShapedType::isDynamic(d) ? -1 : d);
    if (!ShapedType::isDynamic(d))
      overflow |= __builtin_mul_overflow(elements, uint64_t(d), &elements);
  }
  if (overflow || elements > (uint64_t(1) << 45))
    return llvm::createStringError("'" + name.str() + "' is " +
                                   spec.shapeString() +
                                   ": too many elements to allocate");
  Type elt = tensor.getElementType();
  if (elt.isF32())
    spec.element = ElementKind::F32;
  else if (elt.isF64())
    spec.element = ElementKind::F64;
  else if (elt.isF16())
    spec.element = ElementKind::F16;
  else if (elt.isBF16())
    spec.element = ElementKind::BF16;
  else if (elt.isInteger(32))
    spec.element = ElementKind::I32;
  else if (elt.isInteger(64))
    spec.element = ElementKind::I64;
  else
    return llvm::createStringError("'" + name.str() +
                                   "' has an element type the JIT cannot "
                                   "pass");
  return spec;
}

static runtime::LearningRateSchedule scheduleOf(LRScheduleAttrInterface attr,
                                                double learningRate) {
  runtime::LearningRateSchedule schedule;
  schedule.initial = learningRate;
  if (!attr)
    return schedule;
  LRScheduleSpec spec = attr.getSpec();
  using Kind = runtime::LearningRateSchedule::Kind;
  schedule.kind = spec.kind == LRScheduleSpec::Kind::ExponentialDecay
                      ? Kind::ExponentialDecay
                  : spec.kind == LRScheduleSpec::Kind::CosineDecay
                      ? Kind::CosineDecay
                      : Kind::Constant;
  schedule.decaySteps = spec.decaySteps;
  schedule.decayRate = spec.decayRate;
  schedule.staircase = spec.staircase;
  schedule.alpha = spec.alpha;
  schedule.warmupSteps = spec.warmupSteps;
  schedule.warmupTarget = spec.warmupTarget;
  return schedule;
}

static llvm::Expected<ModelSignature> readSignature(ModelOp model) {
  ModelSignature sig;
  sig.model = model.getSymName().str();
  for (ParamOp p : model.getParamOps()) {
    auto spec = specOf(p.getSymName(), p.getType());
    if (!spec)
      return spec.takeError();
    InitSpec init = p.getInit().getSpec(p.getTensorType().getShape());
    using Kind = runtime::InitDistribution::Kind;
    // The two enums number the kinds alike (runtime/core/random.h).
    auto kind = Kind(int(init.kind));
    spec->init = {kind, init.a, init.b};
    sig.params.push_back(*spec);
  }
  for (InputOp in : model.getInputOps()) {
    auto spec = specOf(in.getName(), in.getType());
    if (!spec)
      return spec.takeError();
    sig.inputs.push_back(*spec);
  }
  for (auto [i, out] : llvm::enumerate(model.getOutputOp().getOutputs())) {
    auto spec = specOf("output " + std::to_string(i), out.getType());
    if (!spec)
      return spec.takeError();
    sig.outputs.push_back(*spec);
  }
  std::optional<LossAttr> loss = model.getLoss();
  if (!loss)
    return sig;
  auto prediction = llvm::cast<RankedTensorType>(
      model.getOutputOp().getOutputs().front().getType());
  auto labels = specOf("labels", getLabelType(*loss, prediction));
  if (!labels)
    return labels.takeError();
  sig.labels = *labels;
  sig.loss = stringifyLossKind(loss->getKind()).str();
  sig.fromLogits = loss->getFromLogits();
  if (OptimizerAttrInterface optimizer = model.getOptimizerAttr()) {
    sig.hasOptimizer = true;
    sig.learningRate = optimizer.getLearningRate();
    sig.schedule = scheduleOf(model.getLrScheduleAttr(), sig.learningRate);
    if (auto betas = optimizer.getBiasCorrection()) {
      sig.biasCorrected = true;
      std::tie(sig.beta1, sig.beta2) = *betas;
    }
    SmallVector<StringRef> slots = optimizer.getStateNames();
    for (ParamOp p : model.getParamOps())
      for (StringRef slot : slots) {
        auto spec = specOf((p.getSymName() + "." + slot).str(), p.getType());
        if (!spec)
          return spec.takeError();
        sig.states.push_back(*spec);
      }
  }
  return sig;
}

llvm::Expected<ModelSignature> mlc::materializeSignature(ModuleOp module) {
  auto models = llvm::to_vector(module.getOps<ModelOp>());
  if (models.size() != 1)
    return llvm::createStringError(
        "expected one mlc.model in the module, found " +
        std::to_string(models.size()));
  if (failed(lowerModule(module, Stage::Model, Stage::Graph, {})))
    return llvm::make_error<DiagnosedError>();
  return readSignature(models.front());
}

llvm::Error mlc::initializeParams(const ModelSignature &sig, uint64_t seed,
                                  llvm::ArrayRef<float *> params) {
  if (params.size() != sig.params.size())
    return llvm::createStringError(
        "init takes " + std::to_string(sig.params.size()) + " params, got " +
        std::to_string(params.size()));
  for (auto [spec, data] : llvm::zip(sig.params, params)) {
    if (spec.element != ElementKind::F32)
      return llvm::createStringError("init: param '" + spec.name +
                                     "' is not float32");
    runtime::initialize(data, spec.numElements(0), spec.init, seed, spec.name);
  }
  return llvm::Error::success();
}

std::vector<BufferRef> mlc::stepArguments(const ModelSignature &sig,
                                          const StepBuffers &buffers,
                                          int64_t batch, bool training) {
  auto batched = [&](const TensorSpec &spec) {
    std::vector<int64_t> shape = spec.shape;
    for (int64_t &d : shape)
      if (d < 0)
        d = batch;
    return shape;
  };
  std::vector<BufferRef> args;
  for (auto [spec, data] : llvm::zip(sig.params, buffers.params))
    args.push_back({data, spec.shape});
  if (training) {
    for (auto [spec, data] : llvm::zip(sig.states, buffers.states))
      args.push_back({data, spec.shape});
    args.push_back({buffers.learningRate, {}});
    args.push_back({buffers.stepSize, {}});
  }
  args.push_back({const_cast<void *>(buffers.input), batched(sig.inputs[0])});
  if (sig.labels)
    args.push_back({const_cast<void *>(buffers.labels), batched(*sig.labels)});
  args.push_back({buffers.loss, {}});
  args.push_back({buffers.predictions, batched(sig.outputs[0])});
  return args;
}
