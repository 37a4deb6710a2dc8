//===- Target.cpp - target machines and code emission ---------------------===//

#include "compiler/Driver/Target.h"

#include "compiler/CodeGen/GPU/Pipeline.h"

#include "mlir/Dialect/GPU/IR/GPUDialect.h"
#include "mlir/Dialect/LLVMIR/Transforms/Passes.h"
#include "mlir/ExecutionEngine/OptUtils.h"
#include "mlir/Pass/PassManager.h"
#include "mlir/Target/LLVMIR/Export.h"
#include "llvm/IR/LLVMContext.h"
#include "llvm/IR/LegacyPassManager.h"
#include "llvm/IR/Module.h"
#include "llvm/MC/MCSubtargetInfo.h"
#include "llvm/MC/TargetRegistry.h"
#include "llvm/Passes/PassBuilder.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/Program.h"
#include "llvm/Support/TargetSelect.h"
#include "llvm/Target/TargetMachine.h"
#include "llvm/TargetParser/Host.h"
#include "llvm/Transforms/IPO/DeadArgumentElimination.h"
#include "llvm/Transforms/Utils/Cloning.h"

#include <cstdlib>
#include <mutex>

using namespace mlir;
using namespace mlc;

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

llvm::Expected<std::unique_ptr<llvm::TargetMachine>>
mlc::createTargetMachine(const TargetOptions &target) {
  initializeTargets();
  llvm::Triple triple = tripleOf(target);
  std::string error;
  const llvm::Target *llvmTarget =
      llvm::TargetRegistry::lookupTarget(triple, error);
  if (!llvmTarget)
    return llvm::createStringError("unknown target triple '" + triple.str() +
                                   "': " + error);
  bool host =
      target.triple.empty() && (target.cpu.empty() || target.cpu == "host");
  std::string cpu = host ? llvm::sys::getHostCPUName().str() : target.cpu;
  std::string features;
  if (host) {
    llvm::SubtargetFeatures f;
    for (auto &feature : llvm::sys::getHostCPUFeatures())
      f.AddFeature(feature.first(), feature.second);
    features = f.getString();
  } else if (cpu == "host") {
    // The default --cpu, left in place when cross-compiling.
    return llvm::createStringError(
        "--cpu=host is this machine's CPU, not one for " + triple.str() +
        "; name one with --cpu (e.g. --cpu=generic)");
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
  bool host =
      target.triple.empty() && (target.cpu.empty() || target.cpu == "host");
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

bool mlc::bf16MatmulsFor(const TargetOptions &target) {
  return target.bf16 && !target.isGPU() && tripleOf(target).isX86() &&
         cpuHasFeature(target, "avx512bf16");
}

/// The host's L3 size as Linux describes CPU 0's caches (glibc's sysconf
/// reported a 320 MiB L3 for a 32 MiB one under KVM), read once; 0 where
/// it says nothing.
static long long hostL3Bytes() {
  static const long long bytes = [] {
    long long found = 0;
    for (int index = 0; index < 8; ++index) {
      std::string dir =
          "/sys/devices/system/cpu/cpu0/cache/index" + std::to_string(index);
      auto level = llvm::MemoryBuffer::getFile(dir + "/level");
      auto size = llvm::MemoryBuffer::getFile(dir + "/size");
      if (!level || !size)
        break;
      long long kib = 0;
      llvm::StringRef text = (*size)->getBuffer().trim();
      if ((*level)->getBuffer().trim() == "3" && text.consume_back("K") &&
          !text.getAsInteger(10, kib) && kib > 0)
        found = kib << 10;
    }
    return found;
  }();
  return bytes;
}

long long mlc::columnsOuterBytesFor(const TargetOptions &target) {
  bool host =
      target.triple.empty() && (target.cpu.empty() || target.cpu == "host");
  long long cache = host ? hostL3Bytes() : 0;
  return (cache ? cache : 32ll << 20) / 2;
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

void mlc::inlineEntryPoints(llvm::Module &module) {
  std::vector<std::pair<llvm::Function *, llvm::Function *>> entries;
  for (llvm::Function &wrapper : module) {
    llvm::StringRef name = wrapper.getName();
    if (wrapper.isDeclaration() || !name.consume_front("_mlir_ciface_"))
      continue;
    llvm::Function *entry = module.getFunction(name);
    if (entry && !entry->isDeclaration())
      entries.push_back({&wrapper, entry});
  }
  for (auto [wrapper, entry] : entries) {
    std::vector<llvm::CallBase *> calls;
    bool onlyWrapper = llvm::all_of(entry->users(), [&](llvm::User *user) {
      auto *call = llvm::dyn_cast<llvm::CallBase>(user);
      if (!call || call->getCalledFunction() != entry ||
          call->getFunction() != wrapper)
        return false;
      calls.push_back(call);
      return true;
    });
    if (!onlyWrapper)
      continue;
    // A call that cannot be inlined stays a call: correct, if slower to
    // compile.
    for (llvm::CallBase *call : calls) {
      llvm::InlineFunctionInfo info;
      (void)llvm::InlineFunction(*call, info);
    }
    if (entry->use_empty())
      entry->eraseFromParent();
  }
  // The kernels mlc-outline-kernels made are internal and take each memref
  // as a whole descriptor, most of whose fields (static sizes and strides,
  // the allocated pointer) they never read: dropping those arguments
  // halves the work of lowering each call.
  llvm::ModuleAnalysisManager mam;
  llvm::PassInstrumentationCallbacks callbacks;
  mam.registerPass(
      [&] { return llvm::PassInstrumentationAnalysis(&callbacks); });
  llvm::DeadArgumentEliminationPass().run(module, mam);
}

std::function<llvm::Error(llvm::Module *)>
mlc::makeLLVMOptimizer(const TargetOptions &target, llvm::TargetMachine *tm) {
  // For measuring LLVM pipelines against each other (bench/step-bench.cpp
  // --variant MLC_LLVM_PASSES=...): a textual new-PM pipeline instead.
  // mlc's loops arrive tiled and vectorized: of -O3's function passes only
  // these change their run time (measured with step-bench on the seed, the
  // wide MLP and tanh/sigmoid/softmax models: same step time, LLVM IR
  // optimization 8x and code generation 1.2x faster): clean-up, rotation
  // and induction variables for the vectorizer, which takes the few loops
  // left scalar (reductions over rows), and unrolling. InstCombine's
  // fixpoint check is off, as in -O3: it aborts where one round is not
  // enough.
  std::string passes =
      "function(sroa,early-cse,instcombine<no-verify-fixpoint>,simplifycfg,"
      "loop-mssa(licm),loop(loop-rotate,indvars),loop-vectorize,"
      "loop-unroll<O3>,instcombine<no-verify-fixpoint>,simplifycfg)";
  const char *experiment = std::getenv("MLC_LLVM_PASSES");
  if (experiment)
    passes = experiment;
  else if (target.fullLLVMOptimization || target.optLevel == 0)
    return makeOptimizingTransformer(target.optLevel, 0, tm);
  return [tm, passes](llvm::Module *module) -> llvm::Error {
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
    if (llvm::Error err = pb.parsePassPipeline(mpm, passes))
      return err;
    mpm.run(*module, mam);
    return llvm::Error::success();
  };
}

namespace {
/// An LLVM-dialect module translated to LLVM IR for a target machine and
/// optimized, with what owns it.
struct OptimizedModule {
  std::unique_ptr<llvm::TargetMachine> tm;
  std::unique_ptr<llvm::LLVMContext> context;
  std::unique_ptr<llvm::Module> module;
};
} // namespace

static llvm::Expected<OptimizedModule>
translateAndOptimize(ModuleOp module, const TargetOptions &target) {
  OptimizedModule out;
  auto tm = createTargetMachine(target);
  if (!tm)
    return tm.takeError();
  out.tm = std::move(*tm);
  out.context = std::make_unique<llvm::LLVMContext>();
  if (target.debugInfo) {
    // A compile unit per function, so translation keeps the ops' file
    // locations as line tables.
    PassManager pm(module.getContext());
    pm.addPass(LLVM::createDIScopeForLLVMFuncOpPass());
    if (failed(pm.run(module)))
      return llvm::createStringError("cannot add debug information");
  }
  out.module = translateModuleToLLVMIR(module, *out.context);
  if (!out.module)
    return llvm::createStringError(
        "cannot translate the module to LLVM IR (run the full pipeline, "
        "--emit=mlir-llvm, first)");
  inlineEntryPoints(*out.module);
  out.module->setDataLayout(out.tm->createDataLayout());
  out.module->setTargetTriple(out.tm->getTargetTriple());
  if (llvm::Error err =
          makeLLVMOptimizer(target, out.tm.get())(out.module.get()))
    return std::move(err);
  return out;
}

llvm::Expected<std::string> mlc::emitLLVMIR(ModuleOp module,
                                            const TargetOptions &target) {
  auto optimized = translateAndOptimize(module, target);
  if (!optimized)
    return optimized.takeError();
  std::string text;
  llvm::raw_string_ostream os(text);
  optimized->module->print(os, nullptr);
  return text;
}

llvm::Expected<std::string> mlc::emitMachineCode(
    ModuleOp module, const TargetOptions &target, bool assembly,
    llvm::function_ref<llvm::Error(llvm::Module &)> beforeCodegen) {
  auto optimized = translateAndOptimize(module, target);
  if (!optimized)
    return optimized.takeError();
  if (beforeCodegen)
    if (llvm::Error err = beforeCodegen(*optimized->module))
      return std::move(err);
  llvm::SmallVector<char, 0> code;
  if (llvm::Error err =
          generateCode(*optimized->module, *optimized->tm, assembly, code))
    return std::move(err);
  return std::string(code.data(), code.size());
}

llvm::Error mlc::generateCode(llvm::Module &module, llvm::TargetMachine &tm,
                              bool assembly, llvm::SmallVectorImpl<char> &out) {
  llvm::raw_svector_ostream os(out);
  llvm::legacy::PassManager codegen;
  if (tm.addPassesToEmitFile(codegen, os, nullptr,
                             assembly ? llvm::CodeGenFileType::AssemblyFile
                                      : llvm::CodeGenFileType::ObjectFile))
    return llvm::createStringError("the target cannot emit this file type");
  codegen.run(module);
  return llvm::Error::success();
}
