//===- Driver.cpp - compile mlc models: JIT and code emission -------------===//

#include "compiler/Driver/Driver.h"

#include "compiler/CodeGen/CPU/Pipeline.h"
#include "compiler/CodeGen/GPU/Pipeline.h"
#include "compiler/Registration/Registration.h"
#include "runtime/FloatMode.h"
#include "runtime/cuda/CudaRuntime.h"
#include "dialects/MLC/IR/MLCDialect.h"
#include "dialects/MLC/Transforms/Passes.h"

#include "mlir/Dialect/GPU/IR/GPUDialect.h"
#include "mlir/ExecutionEngine/ExecutionEngine.h"
#include "mlir/ExecutionEngine/OptUtils.h"
#include "mlir/IR/DialectRegistry.h"
#include "mlir/Parser/Parser.h"
#include "mlir/Pass/PassManager.h"
#include "mlir/Target/LLVMIR/Export.h"
#include "llvm/IR/LLVMContext.h"
#include "llvm/IR/LegacyPassManager.h"
#include "llvm/IR/Module.h"
#include "llvm/Passes/PassBuilder.h"
#include "llvm/MC/MCSubtargetInfo.h"
#include "llvm/MC/TargetRegistry.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/Program.h"
#include "llvm/Support/SourceMgr.h"
#include "llvm/Support/TargetSelect.h"
#include "llvm/Support/WithColor.h"
#include "llvm/Target/TargetMachine.h"
#include "llvm/TargetParser/Host.h"

#include <chrono>
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <mutex>

using namespace mlir;
using namespace mlc;

std::unique_ptr<MLIRContext> mlc::createContext() {
  // The pipelines are built from registered pass names.
  registerPasses();
  DialectRegistry registry;
  registerDialects(registry);
  // Compiling one small model is faster on one thread than handing work
  // to a pool, and the results do not depend on scheduling.
  auto context = std::make_unique<MLIRContext>(
      registry, MLIRContext::Threading::DISABLED);
  context->loadAllAvailableDialects();
  return context;
}

OwningOpRef<ModuleOp> mlc::loadModelFile(MLIRContext &context,
                                         llvm::SourceMgr &sourceMgr,
                                         llvm::StringRef path) {
  auto buffer = llvm::MemoryBuffer::getFileOrSTDIN(path, /*IsText=*/true);
  if (std::error_code ec = buffer.getError()) {
    llvm::WithColor::error(llvm::errs(), "mlc")
        << "cannot read model file '" << path << "': " << ec.message() << "\n";
    return nullptr;
  }
  sourceMgr.AddNewSourceBuffer(std::move(*buffer), llvm::SMLoc());
  ParserConfig config(&context);
  OwningOpRef<ModuleOp> module = parseSourceFile<ModuleOp>(sourceMgr, config);
  if (!module)
    return nullptr;
  if (module->getOps<ModelOp>().empty()) {
    llvm::WithColor::error(llvm::errs(), "mlc")
        << "'" << path << "' contains no mlc.model\n";
    return nullptr;
  }
  return module;
}

llvm::Error mlc::applyOverrides(ModuleOp module,
                                const TrainingOverrides &overrides) {
  MLIRContext *ctx = module.getContext();
  for (ModelOp model : module.getOps<ModelOp>()) {
    if (!overrides.loss.empty()) {
      std::optional<LossKind> kind = symbolizeLossKind(overrides.loss);
      if (!kind)
        return llvm::createStringError(
            "unknown loss '" + overrides.loss +
            "' (expected mse, categorical_crossentropy, "
            "sparse_categorical_crossentropy or binary_crossentropy)");
      model.setLossAttr(LossAttr::get(ctx, *kind, overrides.fromLogits));
    }
    Attribute optimizer = model.getOptimizerAttr();
    if (!overrides.optimizer.empty()) {
      StringRef name = overrides.optimizer;
      optimizer = name == "sgd"       ? Attribute(SGDAttr::get(ctx, 0.01, 0.0, false))
                  : name == "adam"    ? Attribute(AdamAttr::get(ctx, 1e-3, 0.9, 0.999, 1e-7))
                  : name == "adamw"   ? Attribute(AdamWAttr::get(ctx, 1e-3, 0.004, 0.9, 0.999, 1e-7))
                  : name == "rmsprop" ? Attribute(RMSpropAttr::get(ctx, 1e-3, 0.9, 0.0, 1e-7, false))
                                      : Attribute();
      if (!optimizer)
        return llvm::createStringError("unknown optimizer '" + name.str() +
                                       "' (expected sgd, adam, adamw or "
                                       "rmsprop)");
    }
    if (overrides.learningRate) {
      if (!optimizer)
        return llvm::createStringError(
            "--learning-rate needs an optimizer: the model @" +
            model.getSymName().str() + " has none; add --optimizer");
      double lr = *overrides.learningRate;
      if (!(lr > 0) || !std::isfinite(lr))
        return llvm::createStringError("the learning rate must be positive, "
                                       "got " +
                                       std::to_string(lr));
      optimizer =
          llvm::cast<OptimizerAttrInterface>(optimizer).withLearningRate(lr);
    }
    if (optimizer)
      model.setOptimizerAttr(llvm::cast<OptimizerAttrInterface>(optimizer));
  }
  return llvm::Error::success();
}

void mlc::buildPipeline(PassManager &pm, Stage stage,
                        const TargetOptions &target, bool materialized) {
  if (stage == Stage::Graph) {
    if (!materialized)
      pm.addPass(createMaterializeParams());
    return;
  }
  buildGraphToLinalgPipeline(pm, !materialized);
  if (stage == Stage::Linalg)
    return;
  if (target.isGPU()) {
    buildLinalgToGPUPipeline(pm);
    if (stage == Stage::LLVM) {
      // gpu-module-to-binary looks for ptxas in $CUDA_ROOT (and a few
      // others) or on PATH only; point it at the toolkit mlc found.
      std::string ptxas = findPtxas();
      if (!ptxas.empty() && !std::getenv("CUDA_ROOT"))
        setenv("CUDA_ROOT",
               llvm::sys::path::parent_path(llvm::sys::path::parent_path(ptxas))
                   .str()
                   .c_str(),
               0);
      GPUTarget gpu;
      gpu.chip = target.gpuChip;
      gpu.features = ptxFeatureFor(target.gpuChip);
      gpu.format = !target.gpuFormat.empty() ? target.gpuFormat
                   : ptxas.empty()            ? "isa"
                                              : "fatbin";
      buildGPUToNVVMPipeline(pm, gpu);
    }
    return;
  }
  if (stage == Stage::LLVM)
    buildLinalgToLLVMPipeline(pm, target.threads, vectorBitsFor(target),
                              inlineMathFor(target));
}

llvm::Error mlc::parseTarget(llvm::StringRef text, TargetOptions &target) {
  target.gpuChip.clear();
  if (text.empty() || text == "cpu")
    return llvm::Error::success();
  llvm::StringRef chip;
  if (text == "cuda")
    chip = "sm_90a";
  else if (!text.consume_front("cuda:"))
    return llvm::createStringError("unknown target '" + text.str() +
                                   "' (expected cpu, cuda or cuda:sm_XX, "
                                   "e.g. cuda:sm_90a)");
  else
    chip = text;
  if (ptxFeatureFor(chip.str()).empty())
    return llvm::createStringError(
        "unknown CUDA chip '" + chip.str() +
        "' (expected sm_50 ... sm_90a, sm_100, sm_120, e.g. cuda:sm_90a)");
  target.gpuChip = chip.str();
  return llvm::Error::success();
}

std::string mlc::findPtxas() {
  for (const char *var : {"CUDA_ROOT", "CUDA_HOME", "CUDA_PATH"})
    if (const char *root = std::getenv(var)) {
      std::string path = std::string(root) + "/bin/ptxas";
      if (llvm::sys::fs::can_execute(path))
        return path;
    }
  if (llvm::sys::fs::can_execute("/usr/local/cuda/bin/ptxas"))
    return "/usr/local/cuda/bin/ptxas";
  if (auto found = llvm::sys::findProgramByName("ptxas"))
    return *found;
  return "";
}

llvm::Expected<std::string> mlc::extractDeviceCode(ModuleOp module) {
  std::string code;
  unsigned binaries = 0;
  for (auto binary : module.getOps<gpu::BinaryOp>()) {
    ++binaries;
    for (Attribute attr : binary.getObjects())
      if (auto object = llvm::dyn_cast<gpu::ObjectAttr>(attr))
        code += object.getObject().getValue();
  }
  if (binaries != 1)
    return llvm::createStringError(
        "expected one GPU binary in the lowered module, found " +
        std::to_string(binaries) + " (was it compiled for a GPU target?)");
  return code;
}

static bool usePassManagerCLOptions = false;

void mlc::registerPassManagerOptions() {
  registerPassManagerCLOptions();
  usePassManagerCLOptions = true;
}

LogicalResult mlc::lowerModule(ModuleOp module, Stage stage,
                               const TargetOptions &target,
                               bool materialized) {
  PassManager pm = PassManager::on<ModuleOp>(module.getContext());
  if (usePassManagerCLOptions && failed(applyPassManagerCLOptions(pm)))
    return failure();
  buildPipeline(pm, stage, target, materialized);
  return pm.run(module);
}

//===----------------------------------------------------------------------===//
// LLVM IR and machine code
//===----------------------------------------------------------------------===//

static void initializeTargets() {
  static std::once_flag once;
  std::call_once(once, [] {
    llvm::InitializeAllTargetInfos();
    llvm::InitializeAllTargets();
    llvm::InitializeAllTargetMCs();
    llvm::InitializeAllAsmPrinters();
  });
}

/// The target triple: --target-triple, else the host's.
static llvm::Triple tripleOf(const TargetOptions &target) {
  return llvm::Triple(target.triple.empty()
                          ? llvm::sys::getDefaultTargetTriple()
                          : target.triple);
}

static llvm::Expected<std::unique_ptr<llvm::TargetMachine>>
createTargetMachine(const TargetOptions &target) {
  initializeTargets();
  llvm::Triple triple = tripleOf(target);
  std::string error;
  const llvm::Target *llvmTarget =
      llvm::TargetRegistry::lookupTarget(triple, error);
  if (!llvmTarget)
    return llvm::createStringError("unknown target triple '" + triple.str() +
                                   "': " + error);
  bool host = target.triple.empty() &&
              (target.cpu.empty() || target.cpu == "host");
  std::string cpu = host ? llvm::sys::getHostCPUName().str() : target.cpu;
  std::string features;
  if (host) {
    llvm::SubtargetFeatures f;
    for (auto &feature : llvm::sys::getHostCPUFeatures())
      f.AddFeature(feature.first(), feature.second);
    features = f.getString();
  } else if (!cpu.empty()) {
    std::unique_ptr<llvm::MCSubtargetInfo> info(
        llvmTarget->createMCSubtargetInfo(triple, "", ""));
    if (!info || !info->isCPUStringValid(cpu))
      return llvm::createStringError("unknown CPU '" + cpu + "' for " +
                                     triple.str());
  }
  llvm::TargetOptions options;
  std::unique_ptr<llvm::TargetMachine> tm(llvmTarget->createTargetMachine(
      triple, cpu, features, options, llvm::Reloc::PIC_, std::nullopt,
      target.optLevel >= 3 ? llvm::CodeGenOptLevel::Aggressive
                           : llvm::CodeGenOptLevel::Default));
  if (!tm)
    return llvm::createStringError("cannot create a target machine for " +
                                   triple.str());
  return tm;
}

/// Whether the target CPU has an LLVM feature ("avx2", "fma"). Unknown
/// CPUs and non-x86 triples have none (callers decide what that means).
static bool cpuHasFeature(const TargetOptions &target, llvm::StringRef f) {
  bool host = target.triple.empty() &&
              (target.cpu.empty() || target.cpu == "host");
  if (host)
    return llvm::sys::getHostCPUFeatures().lookup(f);
  initializeTargets();
  llvm::Triple triple = tripleOf(target);
  std::string error;
  const llvm::Target *llvmTarget =
      llvm::TargetRegistry::lookupTarget(triple, error);
  // A bad triple is reported when the target machine is created.
  if (!llvmTarget || !triple.isX86())
    return false;
  std::unique_ptr<llvm::MCSubtargetInfo> info(
      llvmTarget->createMCSubtargetInfo(triple, "", ""));
  if (!info || !info->isCPUStringValid(target.cpu))
    return false;
  info.reset(llvmTarget->createMCSubtargetInfo(triple, target.cpu, ""));
  return info->checkFeatures(("+" + f).str());
}

unsigned mlc::vectorBitsFor(const TargetOptions &target) {
  if (target.vectorBits)
    return target.vectorBits;
  // Other architectures get 128-bit vectors (NEON).
  if (!tripleOf(target).isX86())
    return 128;
  if (cpuHasFeature(target, "avx512f"))
    return 512;
  if (cpuHasFeature(target, "avx2") || cpuHasFeature(target, "avx"))
    return 256;
  return 128; // SSE
}

bool mlc::inlineMathFor(const TargetOptions &target) {
  // The polynomials flush denormal results and read denormal inputs as the
  // smallest normal: with --denormals=keep, libm keeps IEEE semantics. They
  // are built from fused multiply-adds, which become a libm call per lane
  // on x86 CPUs without FMA.
  if (!target.flushDenormals)
    return false;
  llvm::Triple triple = tripleOf(target);
  if (triple.isAArch64())
    return true;
  return triple.isX86() && cpuHasFeature(target, "fma");
}

/// LLVM IR optimization as TargetOptions asks for it.
static std::function<llvm::Error(llvm::Module *)>
makeTransformer(const TargetOptions &target, llvm::TargetMachine *tm) {
  if (target.fullLLVMOptimization || target.optLevel == 0)
    return makeOptimizingTransformer(target.optLevel, 0, tm);
  return [tm](llvm::Module *module) -> llvm::Error {
    llvm::LoopAnalysisManager lam;
    llvm::FunctionAnalysisManager fam;
    llvm::CGSCCAnalysisManager cgam;
    llvm::ModuleAnalysisManager mam;
    llvm::PassBuilder pb(tm);
    pb.registerModuleAnalyses(mam);
    pb.registerCGSCCAnalyses(cgam);
    pb.registerFunctionAnalyses(fam);
    pb.registerLoopAnalyses(lam);
    pb.crossRegisterProxies(lam, fam, cgam, mam);
    llvm::ModulePassManager mpm;
    if (llvm::Error err = pb.parsePassPipeline(
            mpm, "function(sroa,early-cse,instcombine,simplifycfg,"
                 "loop-mssa(licm))"))
      return err;
    mpm.run(*module, mam);
    return llvm::Error::success();
  };
}

/// Translates to LLVM IR for `tm` and runs LLVM's optimizer on it.
static llvm::Expected<std::unique_ptr<llvm::Module>>
translateAndOptimize(ModuleOp module, llvm::LLVMContext &llvmContext,
                     llvm::TargetMachine &tm, const TargetOptions &target) {
  std::unique_ptr<llvm::Module> llvmModule =
      translateModuleToLLVMIR(module, llvmContext);
  if (!llvmModule)
    return llvm::createStringError(
        "cannot translate the module to LLVM IR (run the full pipeline, "
        "--emit=mlir-llvm, first)");
  llvmModule->setDataLayout(tm.createDataLayout());
  llvmModule->setTargetTriple(tm.getTargetTriple());
  if (llvm::Error err = makeTransformer(target, &tm)(llvmModule.get()))
    return std::move(err);
  return llvmModule;
}

llvm::Expected<std::string> mlc::emitLLVMIR(ModuleOp module,
                                            const TargetOptions &target) {
  auto tm = createTargetMachine(target);
  if (!tm)
    return tm.takeError();
  llvm::LLVMContext llvmContext;
  auto llvmModule =
      translateAndOptimize(module, llvmContext, **tm, target);
  if (!llvmModule)
    return llvmModule.takeError();
  std::string text;
  llvm::raw_string_ostream os(text);
  (*llvmModule)->print(os, nullptr);
  return text;
}

llvm::Expected<std::string> mlc::emitMachineCode(
    ModuleOp module, const TargetOptions &target, bool assembly,
    llvm::function_ref<llvm::Error(llvm::Module &)> beforeCodegen) {
  auto tm = createTargetMachine(target);
  if (!tm)
    return tm.takeError();
  llvm::LLVMContext llvmContext;
  auto llvmModule =
      translateAndOptimize(module, llvmContext, **tm, target);
  if (!llvmModule)
    return llvmModule.takeError();
  if (beforeCodegen)
    if (llvm::Error err = beforeCodegen(**llvmModule))
      return std::move(err);
  llvm::SmallString<0> code;
  llvm::raw_svector_ostream os(code);
  llvm::legacy::PassManager codegen;
  if ((*tm)->addPassesToEmitFile(codegen, os, nullptr,
                                 assembly ? llvm::CodeGenFileType::AssemblyFile
                                          : llvm::CodeGenFileType::ObjectFile))
    return llvm::createStringError("the target cannot emit this file type");
  codegen.run(**llvmModule);
  return std::string(code.str());
}

//===----------------------------------------------------------------------===//
// Signatures
//===----------------------------------------------------------------------===//

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
    s += (i ? ", " : "") + (shape[i] < 0 ? std::string("?")
                                         : std::to_string(shape[i]));
  return s + "]";
}

static llvm::Expected<TensorSpec> specOf(llvm::StringRef name, Type type) {
  auto tensor = llvm::cast<RankedTensorType>(type);
  TensorSpec spec;
  spec.name = name.str();
  for (int64_t d : tensor.getShape())
    spec.shape.push_back(ShapedType::isDynamic(d) ? -1 : d);
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

static llvm::Expected<ModelSignature> readSignature(ModelOp model) {
  ModelSignature sig;
  sig.model = model.getSymName().str();
  for (ParamOp p : model.getParamOps()) {
    auto spec = specOf(p.getSymName(), p.getType());
    if (!spec)
      return spec.takeError();
    InitSpec init = p.getInit().getSpec(p.getTensorType().getShape());
    using Kind = runtime::InitDistribution::Kind;
    Kind kind = init.kind == InitSpec::Kind::Constant  ? Kind::Constant
                : init.kind == InitSpec::Kind::Uniform ? Kind::Uniform
                : init.kind == InitSpec::Kind::Normal  ? Kind::Normal
                                                       : Kind::TruncatedNormal;
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
  if (Attribute optimizer = model.getOptimizerAttr()) {
    sig.hasOptimizer = true;
    sig.learningRate =
        llvm::cast<OptimizerAttrInterface>(optimizer).getLearningRate();
    sig.schedule.initial = sig.learningRate;
    if (auto adam = llvm::dyn_cast<AdamAttr>(optimizer))
      sig.beta1 = adam.getBeta_1(), sig.beta2 = adam.getBeta_2();
    if (auto adamw = llvm::dyn_cast<AdamWAttr>(optimizer))
      sig.beta1 = adamw.getBeta_1(), sig.beta2 = adamw.getBeta_2();
    sig.biasCorrected = llvm::isa<AdamAttr, AdamWAttr>(optimizer);
    SmallVector<StringRef> slots = OptimizerUpdateOp::getStateNames(optimizer);
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

llvm::Expected<ModelSignature> mlc::readModelSignature(ModuleOp module) {
  auto models = llvm::to_vector(module.getOps<ModelOp>());
  if (models.size() != 1)
    return llvm::createStringError(
        "expected one mlc.model in the module, found " +
        std::to_string(models.size()));
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

//===----------------------------------------------------------------------===//
// JIT
//===----------------------------------------------------------------------===//

JITModel::~JITModel() {
  for (auto &[pointer, bytes] : mirrors)
    cuda::freeShared(pointer);
}

using Clock = std::chrono::steady_clock;
static double msSince(Clock::time_point start) {
  return std::chrono::duration<double, std::milli>(Clock::now() - start)
      .count();
}

llvm::Expected<std::unique_ptr<JITModel>>
JITModel::compile(std::unique_ptr<MLIRContext> &context,
                  OwningOpRef<ModuleOp> moduleArg, const TargetOptions &target) {
  // A local, so the module dies here, before its context, on every path.
  OwningOpRef<ModuleOp> module = std::move(moduleArg);
  // Collect error text for the returned llvm::Error, and still let an
  // outer handler (the tool's file:line:col printer) see every diagnostic.
  std::string diagnostics;
  ScopedDiagnosticHandler collect(context.get(), [&](Diagnostic &diag) {
    if (diag.getSeverity() == DiagnosticSeverity::Error) {
      llvm::raw_string_ostream os(diagnostics);
      os << diag.getLocation() << ": " << diag << "\n";
    }
    return failure();
  });
  auto compileError = [&]() {
    return llvm::createStringError("the model could not be compiled:\n" +
                                   diagnostics);
  };
  auto models = llvm::to_vector(module->getOps<ModelOp>());
  if (models.size() != 1)
    return llvm::createStringError(
        "the JIT compiles one mlc.model at a time; the module has " +
        std::to_string(models.size()));
  // Materialize first so the signature lists the layers' params.
  {
    PassManager pm = PassManager::on<ModuleOp>(context.get());
    pm.addPass(createMaterializeParams());
    if (failed(pm.run(*module)))
      return compileError();
  }
  auto sig = readSignature(models.front());
  if (!sig)
    return sig.takeError();

  std::unique_ptr<JITModel> jit(new JITModel());
  jit->sig = std::move(*sig);
  jit->flushDenormals = target.flushDenormals;
  if (target.isGPU()) {
    // Fail in one line, before compiling, where CUDA cannot run.
    std::string why;
    if (!cuda::available(why))
      return llvm::createStringError("CUDA cannot run here: " + why);
    jit->gpu = true;
  }
  auto start = Clock::now();
  if (failed(lowerModule(*module, Stage::LLVM, target, /*materialized=*/true)))
    return compileError();
  jit->pipelineMs = msSince(start);

  start = Clock::now();
  auto tm = createTargetMachine(target);
  if (!tm)
    return tm.takeError();
  // ExecutionEngineOptions holds a function_ref: keep the callable alive.
  std::function<llvm::Error(llvm::Module *)> transform =
      makeTransformer(target, tm->get());
  double irMs = 0;
  std::function<llvm::Error(llvm::Module *)> optimize =
      [&](llvm::Module *m) {
        auto t0 = Clock::now();
        llvm::Error e = transform(m);
        irMs = msSince(t0);
        return e;
      };
  ExecutionEngineOptions options;
  options.transformer = optimize;
  // Threaded code calls the OpenMP runtime (__kmpc_*), which the JIT
  // resolves from LLVM's libomp.
  llvm::SmallVector<llvm::StringRef, 1> libs;
  if (target.threads != 1)
    libs.push_back(MLC_LIBOMP_PATH);
  options.sharedLibPaths = libs;
  options.jitCodeGenOptLevel = target.optLevel >= 3
                                   ? llvm::CodeGenOptLevel::Aggressive
                                   : llvm::CodeGenOptLevel::Default;
  auto engine = ExecutionEngine::create(*module, options, std::move(*tm));
  if (!engine)
    return engine.takeError();
  jit->engine = std::move(*engine);
  if (jit->gpu) {
    // The host code calls mlc's mgpu* shim; its constructors load the
    // kernels, so the symbols must be there before initialization.
    jit->engine->registerSymbols([](llvm::orc::MangleAndInterner interner) {
      llvm::orc::SymbolMap symbols;
      for (auto [name, address] : cuda::runtimeSymbols())
        symbols[interner(name)] = {llvm::orc::ExecutorAddr::fromPtr(address),
                                   llvm::JITSymbolFlags::Exported};
      return symbols;
    });
    jit->engine->initialize();
    std::string error = cuda::takeError();
    if (!error.empty())
      return llvm::createStringError("loading the kernels on " +
                                     cuda::deviceDescription() +
                                     " failed: " + error);
  }
  // Buffer order of the entry points (see mlc-build-entry-points): params,
  // [optimizer states, learning rate, step size,] inputs, [labels, loss,]
  // outputs.
  const ModelSignature &s = jit->sig;
  const TensorSpec *output = &s.outputs[0];
  jit->learningRateSpec = {"learning rate", {}, output->element};
  jit->stepSizeSpec = {"step size", {}, output->element};
  jit->lossSpec = {"loss", {}, output->element};
  auto specsOf = [&](bool eval, bool train) {
    std::vector<const TensorSpec *> specs;
    for (const TensorSpec &t : s.params)
      specs.push_back(&t);
    if (train) {
      for (const TensorSpec &t : s.states)
        specs.push_back(&t);
      specs.push_back(&jit->learningRateSpec);
      specs.push_back(&jit->stepSizeSpec);
    }
    for (const TensorSpec &t : s.inputs)
      specs.push_back(&t);
    if (!eval) {
      for (const TensorSpec &t : s.outputs)
        specs.push_back(&t);
      return specs;
    }
    specs.push_back(&*s.labels);
    specs.push_back(&jit->lossSpec);
    specs.push_back(output);
    return specs;
  };
  jit->predictEntry.specs = specsOf(false, false);
  if (llvm::Error err = jit->lookupEntry("predict", jit->predictEntry))
    return std::move(err);
  if (s.canEvaluate()) {
    jit->evalEntry.specs = specsOf(true, false);
    if (llvm::Error err = jit->lookupEntry("eval_step", jit->evalEntry))
      return std::move(err);
  }
  if (s.canTrain()) {
    jit->trainEntry.specs = specsOf(true, true);
    if (llvm::Error err = jit->lookupEntry("train_step", jit->trainEntry))
      return std::move(err);
  }
  jit->llvmMs = msSince(start);
  jit->llvmIRMs = irMs;
  jit->context = std::move(context);
  return jit;
}

llvm::Error JITModel::lookupEntry(llvm::StringRef kind, EntryPoint &entry) {
  std::string name = "_mlir_ciface_" + sig.model + "_" + kind.str();
  auto fn = engine->lookupPacked(name);
  if (!fn)
    return fn.takeError();
  auto bytes = engine->lookupPacked(name + "_workspace_bytes");
  if (!bytes)
    return bytes.takeError();
  entry.kind = kind.str();
  entry.fn = *fn;
  entry.workspaceBytes = *bytes;
  return llvm::Error::success();
}

llvm::Error JITModel::predict(llvm::ArrayRef<BufferRef> buffers) {
  return call(predictEntry, buffers);
}

llvm::Error JITModel::evalStep(llvm::ArrayRef<BufferRef> buffers) {
  if (!sig.canEvaluate())
    return llvm::createStringError("model @" + sig.model +
                                   " has no loss: eval_step needs one");
  return call(evalEntry, buffers);
}

llvm::Error JITModel::trainStep(llvm::ArrayRef<BufferRef> buffers) {
  if (!sig.canTrain())
    return llvm::createStringError("model @" + sig.model +
                                   " needs a loss and an optimizer to train");
  return call(trainEntry, buffers);
}

llvm::Error JITModel::call(const EntryPoint &entry,
                           llvm::ArrayRef<BufferRef> buffers) {
  llvm::ArrayRef<const TensorSpec *> specs = entry.specs;
  if (buffers.size() != specs.size()) {
    std::string names;
    for (const TensorSpec *spec : specs)
      names += (names.empty() ? "" : ", ") + spec->name;
    return llvm::createStringError(entry.kind + " takes " +
                                   std::to_string(specs.size()) +
                                   " buffers (" + names + "), got " +
                                   std::to_string(buffers.size()));
  }
  int64_t batch = -1;
  size_t n = buffers.size();
  descriptors.resize(n + 1);
  descriptorPtrs.resize(n + 1);
  args.resize(n + 1);
  for (size_t i = 0; i < buffers.size(); ++i) {
    const TensorSpec &spec = *specs[i];
    const BufferRef &buf = buffers[i];
    auto mismatch = [&]() {
      std::string got = "[";
      for (size_t k = 0; k < buf.shape.size(); ++k)
        got += (k ? ", " : "") + std::to_string(buf.shape[k]);
      return llvm::createStringError("'" + spec.name + "' has shape " + got +
                                     "], expected " + spec.shapeString());
    };
    if (!buf.data)
      return llvm::createStringError("'" + spec.name + "' has no data");
    if (buf.shape.size() != spec.shape.size())
      return mismatch();
    for (size_t k = 0; k < spec.shape.size(); ++k) {
      if (spec.shape[k] >= 0 ? buf.shape[k] != spec.shape[k]
                             : buf.shape[k] < 1)
        return mismatch();
      if (spec.shape[k] < 0) {
        if (batch >= 0 && buf.shape[k] != batch)
          return llvm::createStringError(
              "'" + spec.name + "' has batch size " +
              std::to_string(buf.shape[k]) + ", but an earlier buffer has " +
              std::to_string(batch));
        batch = buf.shape[k];
      }
    }
    // Memref descriptor: allocated, aligned, offset, sizes, strides.
    size_t rank = buf.shape.size();
    std::vector<int64_t> &d = descriptors[i];
    d.assign(3 + 2 * rank, 0);
    d[0] = d[1] = reinterpret_cast<int64_t>(buf.data);
    int64_t stride = 1;
    for (size_t k = rank; k-- > 0;) {
      d[3 + k] = buf.shape[k];
      d[3 + rank + k] = stride;
      stride *= buf.shape[k];
    }
    if (gpu) {
      // Kernels read and write memory both sides address: each buffer
      // goes through a shared mirror, allocated once and reused.
      size_t bytes = size_t(stride) * elementBytes(spec.element);
      if (mirrors.size() <= i) {
        mirrors.resize(i + 1, {nullptr, 0});
        copiedBytes.resize(i + 1, 0);
      }
      // Memory from cuda::allocateShared is used in place.
      copiedBytes[i] = cuda::isShared(buf.data, bytes) ? 0 : bytes;
      if (!copiedBytes[i]) {
        descriptorPtrs[i] = d.data();
        args[i] = &descriptorPtrs[i];
        continue;
      }
      if (mirrors[i].second < bytes) {
        cuda::freeShared(mirrors[i].first);
        mirrors[i] = {cuda::allocateShared(bytes), bytes};
        if (!mirrors[i].first)
          return llvm::createStringError("cannot allocate " +
                                         std::to_string(bytes) +
                                         " bytes on the GPU: " +
                                         cuda::takeError());
      }
      std::memcpy(mirrors[i].first, buf.data, bytes);
      d[0] = d[1] = reinterpret_cast<int64_t>(mirrors[i].first);
    }
    descriptorPtrs[i] = d.data();
    args[i] = &descriptorPtrs[i];
  }
  // The workspace size for these shapes; grow the buffer if needed.
  int64_t bytes = 0;
  args[n] = &bytes;
  entry.workspaceBytes(args.data());
  if (bytes > workspaceCapacity) {
    int64_t capacity = (bytes + 63) / 64 * 64;
    // On the GPU in memory both sides address.
    workspace = decltype(workspace)(
        static_cast<char *>(gpu ? cuda::allocateShared(size_t(capacity))
                                : std::aligned_alloc(64, capacity)),
        gpu ? cuda::freeShared : std::free);
    workspaceCapacity = workspace ? capacity : 0;
    if (!workspace)
      return llvm::createStringError(
          "cannot allocate a " + std::to_string(capacity) + "-byte workspace" +
          (gpu ? " on the GPU: " + cuda::takeError() : std::string()));
  }
  descriptors[n] = {reinterpret_cast<int64_t>(workspace.get()),
                    reinterpret_cast<int64_t>(workspace.get()), 0,
                    std::max<int64_t>(workspaceCapacity, 1), 1};
  descriptorPtrs[n] = descriptors[n].data();
  args[n] = &descriptorPtrs[n];
  {
    // OpenMP workers take the caller's floating-point mode at each fork.
    runtime::ScopedFlushDenormals mode(flushDenormals);
    entry.fn(args.data());
  }
  if (!gpu)
    return llvm::Error::success();
  cuda::synchronize();
  std::string error = cuda::takeError();
  if (!error.empty())
    return llvm::createStringError(entry.kind + " on the GPU failed: " +
                                   error);
  // Outputs and in-place updates (params, optimizer state) come back.
  for (size_t i = 0; i < n; ++i)
    if (copiedBytes[i])
      std::memcpy(buffers[i].data, mirrors[i].first, copiedBytes[i]);
  return llvm::Error::success();
}
