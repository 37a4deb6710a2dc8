//===- ObjectCode.cpp - LLVM dialect -> object files, in parallel ---------===//

#include "compiler/Driver/ObjectCode.h"
#include "compiler/Driver/Timing.h"

#include "mlir/IR/BuiltinOps.h"
#include "mlir/Target/LLVMIR/Export.h"
#include "llvm/Bitcode/BitcodeReader.h"
#include "llvm/Bitcode/BitcodeWriter.h"
#include "llvm/IR/IRBuilder.h"
#include "llvm/IR/LLVMContext.h"
#include "llvm/IR/Module.h"
#include "llvm/Support/Endian.h"
#include "llvm/Support/SmallVectorMemoryBuffer.h"
#include "llvm/Target/TargetMachine.h"
#include "llvm/Transforms/Utils/Cloning.h"

#include <algorithm>
#include <thread>

using namespace mlc;

namespace {

/// `_mlir_<f>(void **args)` for every `_mlir_ciface_` function f: the
/// calling convention of JITModel's entry points (and of MLIR's
/// ExecutionEngine::lookupPacked).
void addPackedWrappers(llvm::Module &module) {
  llvm::LLVMContext &ctx = module.getContext();
  llvm::PointerType *ptr = llvm::PointerType::getUnqual(ctx);
  std::vector<llvm::Function *> functions;
  for (llvm::Function &f : module)
    if (!f.isDeclaration() && f.getName().starts_with("_mlir_ciface_"))
      functions.push_back(&f);
  for (llvm::Function *f : functions) {
    auto *type =
        llvm::FunctionType::get(llvm::Type::getVoidTy(ctx), {ptr}, false);
    auto *wrapper =
        llvm::Function::Create(type, llvm::GlobalValue::ExternalLinkage,
                               "_mlir_" + f->getName(), module);
    llvm::IRBuilder<> b(llvm::BasicBlock::Create(ctx, "entry", wrapper));
    llvm::Value *args = wrapper->getArg(0);
    std::vector<llvm::Value *> values;
    for (llvm::Argument &arg : f->args()) {
      llvm::Value *slot = b.CreateConstGEP1_64(ptr, args, arg.getArgNo());
      values.push_back(b.CreateLoad(arg.getType(), b.CreateLoad(ptr, slot)));
    }
    llvm::Value *result = b.CreateCall(f, values);
    if (!f->getReturnType()->isVoidTy()) {
      llvm::Value *slot = b.CreateConstGEP1_64(ptr, args, f->arg_size());
      b.CreateStore(result, b.CreateLoad(ptr, slot));
    }
    b.CreateRetVoid();
  }
}

/// Optimizes and compiles one module into an object file.
llvm::Expected<std::unique_ptr<llvm::MemoryBuffer>>
compilePart(llvm::Module &module, const TargetOptions &target,
            ObjectCodeTimes &times) {
  auto tm = createTargetMachine(target);
  if (!tm)
    return tm.takeError();
  module.setDataLayout((*tm)->createDataLayout());
  module.setTargetTriple((*tm)->getTargetTriple());
  auto start = Clock::now();
  if (llvm::Error err = makeLLVMOptimizer(target, tm->get())(&module))
    return std::move(err);
  times.irMs = msSince(start);
  start = Clock::now();
  llvm::SmallVector<char, 0> code;
  if (llvm::Error err = generateCode(module, **tm, /*assembly=*/false, code))
    return std::move(err);
  times.codegenMs = msSince(start);
  return std::make_unique<llvm::SmallVectorMemoryBuffer>(
      std::move(code), module.getModuleIdentifier(),
      /*RequiresNullTerminator=*/false);
}

/// Splits `module` into up to `parts` modules of about equal size, as
/// bitcode: function definitions go, largest first, to the part with the
/// least code so far; global variables to part 0. Every symbol becomes
/// external, so the parts link with each other.
std::vector<llvm::SmallVector<char, 0>> splitIntoBitcode(llvm::Module &module,
                                                         unsigned parts) {
  std::vector<std::pair<size_t, llvm::Function *>> functions;
  unsigned unnamed = 0;
  for (llvm::GlobalValue &gv : module.global_values()) {
    if (gv.isDeclaration())
      continue;
    if (gv.hasLocalLinkage()) {
      gv.setLinkage(llvm::GlobalValue::ExternalLinkage);
      gv.setVisibility(llvm::GlobalValue::DefaultVisibility);
    }
    if (!gv.hasName())
      gv.setName("__mlc_unnamed_" + std::to_string(unnamed++));
    gv.setUnnamedAddr(llvm::GlobalValue::UnnamedAddr::None);
    if (auto *f = llvm::dyn_cast<llvm::Function>(&gv))
      functions.push_back({f->getInstructionCount(), f});
  }
  parts = std::min<unsigned>(parts, functions.size());
  if (parts <= 1)
    return {};
  llvm::stable_sort(functions, [](const auto &a, const auto &b) {
    return a.first > b.first;
  });
  std::vector<size_t> load(parts, 0);
  llvm::DenseMap<const llvm::GlobalValue *, unsigned> partOf;
  for (auto [size, f] : functions) {
    unsigned p = std::min_element(load.begin(), load.end()) - load.begin();
    load[p] += size + 1;
    partOf[f] = p;
  }
  std::vector<llvm::SmallVector<char, 0>> bitcode(parts);
  for (unsigned p = 0; p < parts; ++p) {
    llvm::ValueToValueMapTy map;
    std::unique_ptr<llvm::Module> part =
        llvm::CloneModule(module, map, [&](const llvm::GlobalValue *gv) {
          auto it = partOf.find(gv);
          return it == partOf.end() ? p == 0 : it->second == p;
        });
    llvm::raw_svector_ostream os(bitcode[p]);
    llvm::WriteBitcodeToFile(*part, os);
  }
  return bitcode;
}
} // namespace

unsigned mlc::objectParts() {
  return std::clamp(std::thread::hardware_concurrency(), 1u, 8u);
}

llvm::Expected<ObjectFiles> mlc::compileObjectFiles(mlir::ModuleOp module,
                                                    const TargetOptions &target,
                                                    unsigned parts,
                                                    ObjectCodeTimes *times) {
  auto context = std::make_unique<llvm::LLVMContext>();
  std::unique_ptr<llvm::Module> whole =
      mlir::translateModuleToLLVMIR(module, *context);
  if (!whole)
    return llvm::createStringError("cannot translate the module to LLVM IR");
  inlineEntryPoints(*whole);
  addPackedWrappers(*whole);

  // One part: compile in place. Otherwise split by function, largest
  // first round robin, and move each part to a context of its own through
  // bitcode (an LLVMContext is used by one thread at a time).
  std::vector<llvm::SmallVector<char, 0>> bitcode;
  if (parts > 1)
    bitcode = splitIntoBitcode(*whole, parts);
  if (bitcode.size() <= 1) {
    ObjectCodeTimes partTimes;
    auto object = compilePart(*whole, target, partTimes);
    if (!object)
      return object.takeError();
    if (times)
      *times = partTimes;
    ObjectFiles objects;
    objects.push_back(std::move(*object));
    return objects;
  }
  whole.reset();

  size_t n = bitcode.size();
  std::vector<llvm::Expected<std::unique_ptr<llvm::MemoryBuffer>>> results;
  for (size_t i = 0; i < n; ++i)
    results.emplace_back(std::unique_ptr<llvm::MemoryBuffer>());
  std::vector<ObjectCodeTimes> partTimes(n);
  auto work = [&](size_t i) {
    llvm::LLVMContext partContext;
    llvm::MemoryBufferRef ref(
        llvm::StringRef(bitcode[i].data(), bitcode[i].size()), "part");
    auto part = llvm::parseBitcodeFile(ref, partContext);
    if (!part) {
      results[i] = part.takeError();
      return;
    }
    (*part)->setModuleIdentifier("mlc-part-" + std::to_string(i));
    results[i] = compilePart(**part, target, partTimes[i]);
  };
  std::vector<std::thread> threads;
  for (size_t i = 1; i < n; ++i)
    threads.emplace_back(work, i);
  work(0);
  for (std::thread &t : threads)
    t.join();

  ObjectFiles objects;
  llvm::Error errors = llvm::Error::success();
  for (auto &result : results) {
    if (!result)
      errors = llvm::joinErrors(std::move(errors), result.takeError());
    else
      objects.push_back(std::move(*result));
  }
  if (errors)
    return std::move(errors);
  if (times) {
    *times = {};
    for (const ObjectCodeTimes &t : partTimes) {
      times->irMs = std::max(times->irMs, t.irMs);
      times->codegenMs = std::max(times->codegenMs, t.codegenMs);
    }
  }
  return objects;
}

// A blob: "MLCOBJS\n", the count, then each object's size and bytes
// (little-endian 64-bit integers).
static constexpr llvm::StringLiteral kObjectsMagic = "MLCOBJS\n";

std::string mlc::joinObjectFiles(const ObjectFiles &objects) {
  std::string blob(kObjectsMagic);
  auto put = [&](uint64_t v) {
    char bytes[8];
    llvm::support::endian::write64le(bytes, v);
    blob.append(bytes, 8);
  };
  put(objects.size());
  for (const auto &object : objects) {
    put(object->getBufferSize());
    blob.append(object->getBufferStart(), object->getBufferSize());
  }
  return blob;
}

llvm::Expected<ObjectFiles> mlc::splitObjectFiles(llvm::StringRef blob) {
  auto bad = [](const char *why) {
    return llvm::createStringError(std::string("not a set of object files: ") +
                                   why);
  };
  if (!blob.consume_front(kObjectsMagic))
    return bad("no header");
  auto get = [&](uint64_t &v) {
    if (blob.size() < 8)
      return false;
    v = llvm::support::endian::read64le(blob.data());
    blob = blob.drop_front(8);
    return true;
  };
  uint64_t count = 0;
  if (!get(count) || count == 0 || count > 64)
    return bad("bad count");
  ObjectFiles objects;
  for (uint64_t i = 0; i < count; ++i) {
    uint64_t size = 0;
    if (!get(size) || size > blob.size())
      return bad("truncated");
    objects.push_back(llvm::MemoryBuffer::getMemBufferCopy(
        blob.take_front(size), "cached-object-" + std::to_string(i)));
    blob = blob.drop_front(size);
  }
  if (!blob.empty())
    return bad("trailing bytes");
  return objects;
}
