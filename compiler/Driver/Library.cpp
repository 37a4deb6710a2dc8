//===- Library.cpp - standalone model libraries (AOT) ---------------------===//
//
// The library is two objects: the model's entry points as mlc compiles
// them (symbols renamed under the model's prefix and hidden), and the C
// wrapper (LibraryFiles.cpp). The system C compiler builds the wrapper and
// links the .so; the .a is written with LLVM's archive writer.
//
//===----------------------------------------------------------------------===//

#include "compiler/Driver/Library.h"

#include "compiler/Driver/LibraryFiles.h"
#include "compiler/Driver/Pipeline.h"
#include "compiler/Driver/Timing.h"

#include "runtime/core/files.h"

#include "llvm/ADT/StringExtras.h"
#include "llvm/IR/Module.h"
#include "llvm/Object/ArchiveWriter.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/Process.h"
#include "llvm/Support/Program.h"
#include "llvm/TargetParser/Host.h"
#include "llvm/TargetParser/Triple.h"

#include <chrono>

using namespace mlir;
using namespace mlc;

namespace {

bool isCIdentifier(llvm::StringRef name) {
  if (name.empty() || llvm::isDigit(name.front()))
    return false;
  return llvm::all_of(name,
                      [](char c) { return llvm::isAlnum(c) || c == '_'; });
}

/// Renames the entry points' C-interface wrappers and anything else
/// global under the prefix, and hides them: the library exports only its
/// C API.
llvm::Error prefixSymbols(llvm::Module &module, const std::string &prefix) {
  std::string ciface = "_mlir_ciface_" + prefix + "_";
  for (llvm::GlobalValue &g : module.global_values()) {
    // GPU code calls the CUDA shim, which the library carries under the
    // prefix too.
    if (g.isDeclaration() && g.getName().starts_with("mgpu")) {
      g.setName(prefix + "__" + g.getName().str());
      continue;
    }
    // llvm.global_ctors (the GPU kernels' loader) keeps its name.
    if (g.isDeclaration() || g.hasLocalLinkage() || g.hasAppendingLinkage() ||
        g.getName().starts_with("llvm."))
      continue;
    llvm::StringRef name = g.getName();
    if (name.starts_with(ciface))
      g.setName(prefix + "__ciface_" + name.drop_front(ciface.size()).str());
    else // the raw entry points would clash with the C API's names
      g.setName(prefix + "__" + name.str());
    g.setVisibility(llvm::GlobalValue::HiddenVisibility);
  }
  return llvm::Error::success();
}

/// A program started in the background, with its output captured.
struct Process {
  std::vector<std::string> argv;
  std::string log;
  llvm::sys::ProcessInfo info;
  bool waited = true;

  /// Waits for it; the error quotes the command line and the output.
  llvm::Error finish() {
    if (waited)
      return llvm::Error::success();
    waited = true;
    std::string message;
    llvm::sys::ProcessInfo done = llvm::sys::Wait(info, std::nullopt, &message);
    if (done.ReturnCode == 0)
      return llvm::Error::success();
    std::string command;
    for (const std::string &a : argv)
      command += (command.empty() ? "" : " ") + a;
    std::string output;
    if (auto text = llvm::MemoryBuffer::getFile(log))
      output = (*text)->getBuffer().str();
    return llvm::createStringError(
        "'" + command + "' failed" +
        (done.ReturnCode < 0
             ? ": " + message
             : " with exit code " + std::to_string(done.ReturnCode)) +
        (output.empty() ? "" : ":\n" + output));
  }
  ~Process() { llvm::consumeError(finish()); }
};

llvm::Error startProcess(Process &process, std::vector<std::string> argv,
                         std::string log) {
  std::string program = argv[0];
  if (!llvm::StringRef(program).contains('/')) {
    auto found = llvm::sys::findProgramByName(program);
    if (!found)
      return llvm::createStringError(
          "cannot find the C compiler '" + program +
          "' that builds model libraries: install one (Debian: gcc) or name "
          "it with --cc or $CC");
    program = *found;
  }
  process.argv = std::move(argv);
  process.log = std::move(log);
  llvm::SmallVector<llvm::StringRef> args(process.argv.begin(),
                                          process.argv.end());
  std::optional<llvm::StringRef> redirects[] = {llvm::StringRef(""),
                                                llvm::StringRef(process.log),
                                                llvm::StringRef(process.log)};
  std::string message;
  bool failed = false;
  process.info = llvm::sys::ExecuteNoWait(program, args, std::nullopt,
                                          redirects, 0, &message, &failed);
  if (failed)
    return llvm::createStringError("cannot run '" + program + "': " + message);
  process.waited = false;
  return llvm::Error::success();
}

llvm::Error run(std::vector<std::string> argv, std::string log) {
  Process process;
  if (llvm::Error err = startProcess(process, std::move(argv), std::move(log)))
    return err;
  return process.finish();
}

llvm::Error writeFile(llvm::StringRef path, llvm::StringRef text) {
  std::error_code ec;
  llvm::raw_fd_ostream os(path, ec);
  if (ec)
    return llvm::createStringError("cannot write '" + path +
                                   "': " + ec.message());
  os << text;
  os.close();
  if (os.has_error())
    return llvm::createStringError("cannot write '" + path +
                                   "': " + os.error().message());
  return llvm::Error::success();
}

} // namespace

/// Whether `name` can prefix the library's symbols.
static llvm::Error checkLibraryName(llvm::StringRef name) {
  if (!isCIdentifier(name))
    return llvm::createStringError(
        "'" + name +
        "' is not a C identifier, so it cannot prefix the "
        "library's symbols; choose one with --name");
  // The library's own C code uses mlc_ and MLC_ names (MLC_CORE_OK, ...).
  if (name.equals_insensitive("mlc") || name.starts_with_insensitive("mlc_"))
    return llvm::createStringError(
        "'" + name +
        "' is reserved for mlc's own names in the library (mlc and mlc_*); "
        "choose another with --name");
  return llvm::Error::success();
}

llvm::Error mlc::checkLibraryOptions(const TargetOptions &target,
                                     const LibraryOptions &options) {
  if (!target.triple.empty() &&
      llvm::Triple(target.triple).normalize() !=
          llvm::Triple(llvm::sys::getDefaultTargetTriple()).normalize())
    return llvm::createStringError(
        "libraries are built for the host only (they are linked with the "
        "host's C compiler); use --emit=obj to cross-compile");
  if (options.maxBatch < 1)
    return llvm::createStringError("--max-batch must be at least 1");
  if (!options.name.empty())
    return checkLibraryName(options.name);
  return llvm::Error::success();
}

llvm::Expected<LibraryResult> mlc::buildLibrary(ModuleOp module,
                                                const TargetOptions &target,
                                                const LibraryOptions &options) {
  if (llvm::Error err = checkLibraryOptions(target, options))
    return std::move(err);
  auto models = llvm::to_vector(module.getOps<ModelOp>());
  if (models.size() != 1)
    return llvm::createStringError(
        "a library holds one mlc.model; the file has " +
        std::to_string(models.size()));
  ModelOp model = models.front();
  LibraryModel m;
  m.model = model.getSymName().str();
  m.name = options.name.empty() ? m.model : options.name;
  if (llvm::Error err = checkLibraryName(m.name))
    return std::move(err);
  // The symbol prefix comes from the model's name: rename the model, so
  // the entry points are <name>_predict and so on.
  if (m.name != m.model)
    model.setSymName(m.name);
  m.maxBatch = options.maxBatch;
  m.generator = options.generator;
  m.gpuChip = target.gpuChip;
  m.threads = target.threads;
  m.flushDenormals = target.flushDenormals;
  describeModel(model, m);

  LibraryResult result;
  result.name = m.name;
  auto start = Clock::now();
  auto sig = materializeSignature(module);
  if (!sig)
    return sig.takeError();
  m.sig = std::move(*sig);
  if (llvm::Error err = checkSupported(m))
    return std::move(err);
  if (m.sparseLabels)
    m.classes = m.sig.outputs[0].shape.back();
  m.tokenInput = m.sig.inputs[0].element == ElementKind::I32;
  double signatureMs = msSince(start);

  // Build in a scratch directory inside the output directory, then rename
  // each finished file into place: nothing is half-written.
  std::string outputDir = options.outputDir;
  while (outputDir.size() > 1 && outputDir.back() == '/')
    outputDir.pop_back();
  if (std::error_code ec = llvm::sys::fs::create_directories(outputDir))
    return llvm::createStringError("cannot create the output directory '" +
                                   outputDir + "': " + ec.message());
  // createUniqueDirectory puts a relative prefix under $TMPDIR.
  llvm::SmallString<128> scratch, prefix(outputDir + "/.mlc-build");
  if (std::error_code ec = llvm::sys::fs::make_absolute(prefix))
    return llvm::createStringError("cannot write to '" + outputDir +
                                   "': " + ec.message());
  if (std::error_code ec =
          llvm::sys::fs::createUniqueDirectory(prefix, scratch))
    return llvm::createStringError("cannot write to '" + outputDir +
                                   "': " + ec.message());
  struct Cleanup {
    llvm::SmallString<128> dir;
    ~Cleanup() { llvm::sys::fs::remove_directories(dir); }
  } cleanup{scratch};
  auto inScratch = [&](llvm::StringRef file) {
    return (scratch + "/" + file).str();
  };
  std::string header = m.name + ".h", so = "lib" + m.name + ".so",
              archive = "lib" + m.name + ".a", config = m.name + "Config.cmake";
  // Each file is renamed into place, which would replace a link or device
  // of the same name: refused before anything is built.
  for (const std::string &file : {so, archive, header, config}) {
    std::string to = outputDir + "/" + file;
    char why[256];
    if (mlcCheckReplaceable(to.c_str(), why, sizeof why) != MLC_CORE_OK)
      return llvm::createStringError("cannot write '" + to + "': " + why);
  }
  std::string modelObj = inScratch(m.name + "_model.o"),
              apiSrc = inScratch(m.name + "_api.c"),
              apiObj = inScratch(m.name + "_api.o");
  if (llvm::Error err = writeFile(inScratch(header), generateHeader(m)))
    return std::move(err);
  if (llvm::Error err = writeFile(apiSrc, generateWrapperSource(m)))
    return std::move(err);
  if (llvm::Error err =
          writeFile(inScratch(config), generateCMakeConfig(m, MLC_LIBOMP_PATH)))
    return std::move(err);

  // The C wrapper compiles on another core while the model does.
  std::vector<std::string> cc;
  std::string ccText = options.cc;
  if (ccText.empty())
    if (std::optional<std::string> env = llvm::sys::Process::GetEnv("CC"))
      ccText = *env;
  if (ccText.empty())
    ccText = "cc";
  for (llvm::StringRef word : llvm::split(ccText, ' '))
    if (!word.empty())
      cc.push_back(word.str());
  auto command = [&](std::initializer_list<std::string> args) {
    std::vector<std::string> argv = cc;
    argv.insert(argv.end(), args);
    return argv;
  };
  Process wrapper;
  if (llvm::Error err = startProcess(
          wrapper,
          command({"-std=c11", "-O1", "-fPIC", "-ffp-contract=off",
                   "-I" + scratch.str().str(), "-c", apiSrc, "-o", apiObj}),
          inScratch("cc.log")))
    return std::move(err);

  start = Clock::now();
  if (failed(lowerModule(module, Stage::Graph, Stage::LLVM, target)))
    return llvm::make_error<DiagnosedError>();
  result.mlirMs = signatureMs + msSince(start);
  start = Clock::now();
  auto object = emitMachineCode(module, target, /*assembly=*/false,
                                [&](llvm::Module &llvmModule) {
                                  return prefixSymbols(llvmModule, m.name);
                                });
  if (!object)
    return object.takeError();
  result.llvmMs = msSince(start);
  if (llvm::Error err = writeFile(modelObj, *object))
    return std::move(err);

  start = Clock::now();
  if (llvm::Error err = wrapper.finish())
    return std::move(err);
  std::vector<std::string> link = command(
      {"-shared", "-o", inScratch(so), "-Wl,-soname," + so, "-Wl,-z,defs",
       "-Wl,-z,noexecstack", "-Wl,--as-needed", modelObj, apiObj, "-lm"});
  // The CUDA shim uses dlopen and pthread_once: in libc since glibc 2.34,
  // in libdl and libpthread before (--as-needed drops them when unused).
  if (target.isGPU()) {
    link.push_back("-ldl");
    link.push_back("-pthread");
  }
  if (target.threads != 1) {
    llvm::StringRef libomp = MLC_LIBOMP_PATH;
    link.push_back(libomp.str());
    link.push_back("-Wl,-rpath," + llvm::sys::path::parent_path(libomp).str());
  }
  if (llvm::Error err = run(link, inScratch("link.log")))
    return std::move(err);
  {
    std::vector<llvm::NewArchiveMember> members;
    // The member names point into these strings.
    const std::string objects[] = {modelObj, apiObj};
    for (const std::string &obj : objects) {
      auto member =
          llvm::NewArchiveMember::getFile(obj, /*Deterministic=*/true);
      if (!member)
        return member.takeError();
      // Members are named by file name, not by the scratch path.
      member->MemberName = llvm::sys::path::filename(obj);
      members.push_back(std::move(*member));
    }
    if (llvm::Error err = llvm::writeArchive(
            inScratch(archive), members, llvm::SymtabWritingMode::NormalSymtab,
            llvm::object::Archive::K_GNU, /*Deterministic=*/true,
            /*Thin=*/false))
      return std::move(err);
  }
  result.linkMs = msSince(start);
  for (const std::string &file : {so, archive, header, config}) {
    std::string to = outputDir + "/" + file;
    if (std::error_code ec = llvm::sys::fs::rename(inScratch(file), to))
      return llvm::createStringError("cannot write '" + to +
                                     "': " + ec.message());
    result.files.push_back(to);
  }
  return result;
}
