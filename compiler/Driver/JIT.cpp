//===- JIT.cpp - models compiled in-process -------------------------------===//

#include "compiler/Driver/JIT.h"

#include "compiler/Driver/CompileCache.h"
#include "compiler/Driver/ObjectCode.h"
#include "compiler/Driver/Pipeline.h"
#include "compiler/Driver/Timing.h"
#include "dialects/MLC/IR/MLCDialect.h"
#include "runtime/FloatMode.h"
#include "runtime/cuda/CudaRuntime.h"

#include "mlir/ExecutionEngine/ExecutionEngine.h"
#include "llvm/ExecutionEngine/Orc/ExecutionUtils.h"
#include "llvm/ExecutionEngine/Orc/LLJIT.h"
#include "llvm/ExecutionEngine/Orc/RTDyldObjectLinkingLayer.h"
#include "llvm/Support/MathExtras.h"
#include "llvm/Support/Process.h"
#include "llvm/Target/TargetMachine.h"

#include <sys/mman.h>

#include <chrono>
#include <cstring>

using namespace mlir;
using namespace mlc;

namespace {
/// Maps all sections of one JIT-compiled model inside one reserved range.
/// The compiled code reaches its constants with 32-bit PC-relative
/// references; SectionMemoryManager maps code and data wherever the kernel
/// puts them, which under AddressSanitizer (terabyte-sized reservations)
/// can be more than 2 GiB apart: the difftest then read through an
/// unmapped address now and then, as a truncated relocation would. Outside the
/// range (a model of more than 256 MiB of code), sections get the default
/// mapping near the last one.
class ContiguousMapper : public llvm::SectionMemoryManager::MemoryMapper {
public:
  ContiguousMapper() {
    void *p = ::mmap(nullptr, kReserve, PROT_NONE,
                     MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
    if (p != MAP_FAILED)
      base = static_cast<char *>(p);
  }
  ~ContiguousMapper() override {
    if (base)
      ::munmap(base, kReserve);
  }

  llvm::sys::MemoryBlock
  allocateMappedMemory(llvm::SectionMemoryManager::AllocationPurpose purpose,
                       size_t numBytes, const llvm::sys::MemoryBlock *near,
                       unsigned flags, std::error_code &ec) override {
    size_t page = llvm::sys::Process::getPageSizeEstimate();
    size_t bytes = llvm::alignTo(numBytes, page);
    if (!base || bytes > kReserve - used)
      return llvm::sys::Memory::allocateMappedMemory(numBytes, near, flags, ec);
    char *p = base + used;
    if (std::error_code err = llvm::sys::Memory::protectMappedMemory(
            llvm::sys::MemoryBlock(p, bytes), flags)) {
      ec = err;
      return llvm::sys::MemoryBlock();
    }
    used += bytes;
    ec = std::error_code();
    return llvm::sys::MemoryBlock(p, bytes);
  }

  std::error_code protectMappedMemory(const llvm::sys::MemoryBlock &block,
                                      unsigned flags) override {
    return llvm::sys::Memory::protectMappedMemory(block, flags);
  }

  std::error_code releaseMappedMemory(llvm::sys::MemoryBlock &block) override {
    char *p = static_cast<char *>(block.base());
    if (base && p >= base && p < base + kReserve) {
      // The range is returned whole when the mapper goes.
      ::mprotect(p, block.allocatedSize(), PROT_NONE);
      block = llvm::sys::MemoryBlock();
      return std::error_code();
    }
    return llvm::sys::Memory::releaseMappedMemory(block);
  }

private:
  static constexpr size_t kReserve = size_t(256) << 20;
  char *base = nullptr;
  size_t used = 0;
};
} // namespace

JITModel::~JITModel() {
  for (auto &[pointer, bytes] : mirrors)
    cuda::freeShared(pointer);
}

llvm::Expected<std::unique_ptr<JITModel>>
JITModel::compile(std::unique_ptr<MLIRContext> &context,
                  OwningOpRef<ModuleOp> moduleArg, const TargetOptions &target,
                  std::optional<ModelSignature> signature) {
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
    return llvm::make_error<DiagnosedError>(diagnostics);
  };
  size_t models = llvm::range_size(module->getOps<ModelOp>());
  if (models != 1)
    return llvm::createStringError(
        "the JIT compiles one mlc.model at a time; the module has " +
        std::to_string(models));
  llvm::Expected<ModelSignature> sig =
      signature ? std::move(*signature) : materializeSignature(*module);
  if (!sig) {
    if (diagnostics.empty())
      return sig.takeError();
    llvm::consumeError(sig.takeError());
    return compileError();
  }

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
  auto tm = createTargetMachine(target);
  if (!tm)
    return tm.takeError();
  std::string cacheKey;
  bool cached = !target.cacheDir.empty() && !jit->gpu;
  if (cached) {
    cacheKey = compileCacheKey(*module, target, **tm);
    if (auto blob = readCachedObject(target.cacheDir, cacheKey)) {
      auto objects = splitObjectFiles(blob->getBuffer());
      llvm::Error err = objects ? jit->loadObjects(std::move(*objects), target)
                                : objects.takeError();
      if (err) {
        // A stale or foreign entry: compile instead (and replace it).
        jit->cacheWarning = "ignored a compile cache entry that does not "
                            "load (" +
                            llvm::toString(std::move(err)) + ")";
        jit->loaded.reset();
      } else {
        jit->fromCache = true;
      }
    }
  }
  if (!jit->fromCache) {
    if (failed(lowerModule(*module, Stage::Graph, Stage::LLVM, target)))
      return compileError();
    jit->pipelineMs = msSince(start);
    start = Clock::now();
    if (llvm::Error err = jit->compileLLVM(*module, target, std::move(*tm),
                                           cached ? cacheKey : ""))
      return std::move(err);
  }
  if (llvm::Error err = jit->lookupEntries())
    return std::move(err);
  jit->llvmMs = msSince(start);
  jit->context = std::move(context);
  return jit;
}

llvm::Error JITModel::loadObjects(ObjectFiles objects,
                                  const TargetOptions &target) {
  mapper = std::make_unique<ContiguousMapper>();
  llvm::orc::LLJITBuilder builder;
  auto *sectionMapper = mapper.get();
  builder.setObjectLinkingLayerCreator(
      [sectionMapper](llvm::orc::ExecutionSession &session)
          -> llvm::Expected<std::unique_ptr<llvm::orc::ObjectLayer>> {
        return std::make_unique<llvm::orc::RTDyldObjectLinkingLayer>(
            session, [sectionMapper](const llvm::MemoryBuffer &) {
              return std::make_unique<llvm::SectionMemoryManager>(
                  sectionMapper);
            });
      });
  auto created = builder.create();
  if (!created)
    return created.takeError();
  loaded = std::move(*created);
  char prefix = loaded->getDataLayout().getGlobalPrefix();
  // libm and the rest of the process; libomp for threaded code, as the
  // ExecutionEngine resolves them when it compiles.
  auto process =
      llvm::orc::DynamicLibrarySearchGenerator::GetForCurrentProcess(prefix);
  if (!process)
    return process.takeError();
  loaded->getMainJITDylib().addGenerator(std::move(*process));
  if (target.threads != 1) {
    auto omp =
        llvm::orc::DynamicLibrarySearchGenerator::Load(MLC_LIBOMP_PATH, prefix);
    if (!omp)
      return omp.takeError();
    loaded->getMainJITDylib().addGenerator(std::move(*omp));
  }
  for (auto &object : objects)
    if (llvm::Error err = loaded->addObjectFile(std::move(object)))
      return err;
  // Resolve now: a missing symbol is an error here, not a crash later.
  std::string probe = "_mlir__mlir_ciface_" + sig.model + "_predict";
  if (auto fn = loaded->lookup(probe); !fn)
    return fn.takeError();
  return loaded->initialize(loaded->getMainJITDylib());
}

llvm::Error JITModel::compileLLVM(ModuleOp module, const TargetOptions &target,
                                  std::unique_ptr<llvm::TargetMachine> tm,
                                  llvm::StringRef cacheKey) {
  if (!gpu) {
    // CPU code: object files compiled in parallel (ObjectCode.h), linked
    // by an LLJIT as cached code is.
    ObjectCodeTimes times;
    auto objects = compileObjectFiles(module, target, objectParts(), &times);
    if (!objects)
      return objects.takeError();
    llvmIRMs = times.irMs;
    if (!cacheKey.empty())
      if (llvm::Error err = writeCachedObject(target.cacheDir, cacheKey,
                                              joinObjectFiles(*objects)))
        cacheWarning = llvm::toString(std::move(err));
    return loadObjects(std::move(*objects), target);
  }
  // ExecutionEngineOptions holds a function_ref: keep the callable alive.
  std::function<llvm::Error(llvm::Module *)> transform =
      makeLLVMOptimizer(target, tm.get());
  double irMs = 0;
  std::function<llvm::Error(llvm::Module *)> optimize = [&](llvm::Module *m) {
    inlineEntryPoints(*m);
    auto t0 = Clock::now();
    llvm::Error e = transform(m);
    irMs = msSince(t0);
    return e;
  };
  // Host code with GPU kernels: MLIR's ExecutionEngine (not cached).
  ExecutionEngineOptions options;
  options.transformer = optimize;
  mapper = std::make_unique<ContiguousMapper>();
  options.sectionMemoryMapper = mapper.get();
  // Threaded code calls the OpenMP runtime (__kmpc_*), which the JIT
  // resolves from LLVM's libomp.
  llvm::SmallVector<llvm::StringRef, 1> libs;
  if (target.threads != 1)
    libs.push_back(MLC_LIBOMP_PATH);
  options.sharedLibPaths = libs;
  options.jitCodeGenOptLevel = target.optLevel >= 3
                                   ? llvm::CodeGenOptLevel::Aggressive
                                   : llvm::CodeGenOptLevel::Default;
  auto created = ExecutionEngine::create(module, options, std::move(tm));
  if (!created)
    return created.takeError();
  engine = std::move(*created);
  llvmIRMs = irMs;
  // The host code calls mlc's mgpu* shim; its constructors load the
  // kernels, so the symbols must be there before initialization.
  engine->registerSymbols([](llvm::orc::MangleAndInterner interner) {
    llvm::orc::SymbolMap symbols;
    for (auto [name, address] : cuda::runtimeSymbols())
      symbols[interner(name)] = {llvm::orc::ExecutorAddr::fromPtr(address),
                                 llvm::JITSymbolFlags::Exported};
    return symbols;
  });
  engine->initialize();
  std::string error = cuda::takeError();
  if (!error.empty())
    return llvm::createStringError("loading the kernels on " +
                                   cuda::deviceDescription() +
                                   " failed: " + error);
  return llvm::Error::success();
}

llvm::Error JITModel::lookupEntries() {
  JITModel *jit = this;
  // Buffer order of the entry points (see mlc-build-entry-points): params,
  // [optimizer states, learning rate, step size,] inputs, [labels, loss,]
  // outputs.
  const ModelSignature &s = jit->sig;
  const TensorSpec *output = &s.outputs[0];
  jit->learningRateSpec = {"learning rate", {}, output->element, {}};
  jit->stepSizeSpec = {"step size", {}, output->element, {}};
  jit->lossSpec = {"loss", {}, output->element, {}};
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
    return err;
  if (s.canEvaluate()) {
    jit->evalEntry.specs = specsOf(true, false);
    if (llvm::Error err = jit->lookupEntry("eval_step", jit->evalEntry))
      return err;
  }
  if (s.canTrain()) {
    jit->trainEntry.specs = specsOf(true, true);
    if (llvm::Error err = jit->lookupEntry("train_step", jit->trainEntry))
      return err;
  }
  return llvm::Error::success();
}

llvm::Error JITModel::lookupEntry(llvm::StringRef kind, EntryPoint &entry) {
  std::string name = "_mlir_ciface_" + sig.model + "_" + kind.str();
  // The packed wrappers (void (**)) the ExecutionEngine adds to the module.
  auto lookup =
      [&](const std::string &symbol) -> llvm::Expected<void (*)(void **)> {
    if (engine)
      return engine->lookupPacked(symbol);
    auto address = loaded->lookup("_mlir_" + symbol);
    if (!address)
      return address.takeError();
    return address->toPtr<void (*)(void **)>();
  };
  auto fn = lookup(name);
  if (!fn)
    return fn.takeError();
  auto bytes = lookup(name + "_workspace_bytes");
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
    return llvm::createStringError(
        entry.kind + " takes " + std::to_string(specs.size()) + " buffers (" +
        names + "), got " + std::to_string(buffers.size()));
  }
  std::vector<int64_t> dynamicSizes;
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
      if (spec.shape[k] >= 0 ? buf.shape[k] != spec.shape[k] : buf.shape[k] < 1)
        return mismatch();
      if (spec.shape[k] < 0) {
        // Dynamic dimensions at the same position are one size: the batch
        // first, then (for sequences) the length.
        if (dynamicSizes.size() <= k)
          dynamicSizes.resize(k + 1, -1);
        int64_t &size = dynamicSizes[k];
        if (size >= 0 && buf.shape[k] != size)
          return llvm::createStringError(
              "'" + spec.name + "' has " +
              (k == 0 ? "batch size " + std::to_string(buf.shape[k])
                      : std::to_string(buf.shape[k]) +
                            " in dynamic dimension " + std::to_string(k)) +
              ", but an earlier buffer has " + std::to_string(size));
        size = buf.shape[k];
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
          return llvm::createStringError(
              "cannot allocate " + std::to_string(bytes) +
              " bytes on the GPU: " + cuda::takeError());
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
    return llvm::createStringError(entry.kind + " on the GPU failed: " + error);
  // Outputs and in-place updates (params, optimizer state) come back.
  for (size_t i = 0; i < n; ++i)
    if (copiedBytes[i])
      std::memcpy(buffers[i].data, mirrors[i].first, copiedBytes[i]);
  return llvm::Error::success();
}
