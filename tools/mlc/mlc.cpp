//===- mlc.cpp - the mlc command-line driver ------------------------------===//
//
//   mlc compile MODEL.mlir [--emit=...] [--cpu=...] [-o FILE]
//   mlc train   MODEL.mlir ...
//   mlc eval    MODEL.mlir ...
//
//===----------------------------------------------------------------------===//

#include "OutputChecks.h"
#include "Sample.h"
#include "ThreadCheck.h"
#include "Train.h"
#include "Version.h"
#include "compiler/Driver/CompileCache.h"
#include "compiler/Driver/Driver.h"
#include "compiler/Driver/Library.h"
#include "compiler/Driver/Tuning.h"
#include "compiler/Registration/Registration.h"
#include "frontends/Import/ImportModel.h"
#include "runtime/cuda/CudaRuntime.h"

#include "mlir/IR/Diagnostics.h"
#include "mlir/Pass/PassManager.h"
#include "llvm/Support/CommandLine.h"
#include "llvm/Support/Error.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/FormatVariadic.h"
#include "llvm/Support/InitLLVM.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/SourceMgr.h"
#include "llvm/Support/WithColor.h"
#include "llvm/Support/raw_ostream.h"
#include "llvm/Target/TargetMachine.h"
#include "llvm/TargetParser/Host.h"

#include <thread>

using namespace llvm;

namespace {

cl::OptionCategory mlcCategory("mlc options");

cl::SubCommand compileCmd("compile", "Compile a model");
cl::SubCommand trainCmd("train", "Train a model");
cl::SubCommand evalCmd("eval", "Evaluate a trained checkpoint");
cl::SubCommand predictCmd("predict",
                          "Write a trained checkpoint's predictions");
cl::SubCommand sampleCmd("sample",
                         "Generate text from a trained character-level "
                         "language model");
cl::SubCommand tuneCmd("tune",
                       "Time candidate register tiles for each matmul shape "
                       "of a model's train step on this CPU and keep the "
                       "fastest for later compiles");
cl::SubCommand importCmd("import",
                         "Translate a Keras (.keras, .h5) or ONNX (.onnx) "
                         "model into an mlc model and a checkpoint of its "
                         "weights");

cl::opt<std::string> modelFile(cl::Positional, cl::desc("<model.mlir>"),
                               cl::sub(compileCmd), cl::sub(trainCmd),
                               cl::sub(importCmd), cl::sub(evalCmd),
                               cl::sub(predictCmd), cl::sub(sampleCmd),
                               cl::sub(tuneCmd), cl::cat(mlcCategory));

enum class Emit {
  Mlir,
  MlirGraph,
  MlirLinalg,
  MlirGPU,
  MlirLLVM,
  LLVM,
  Asm,
  Obj,
  Lib,
  PTX,
  Cubin,
  Fatbin
};
cl::opt<Emit> emit(
    "emit", cl::desc("What to write"), cl::init(Emit::Obj),
    cl::values(
        clEnumValN(Emit::Mlir, "mlir", "the model as parsed and verified"),
        clEnumValN(Emit::MlirGraph, "mlir-graph",
                   "core ops and params (after mlc-materialize-params)"),
        clEnumValN(Emit::MlirLinalg, "mlir-linalg",
                   "entry-point functions on linalg tensors"),
        clEnumValN(Emit::MlirGPU, "mlir-gpu",
                   "--target=cuda: outlined GPU kernels and their launches"),
        clEnumValN(Emit::MlirLLVM, "mlir-llvm", "the LLVM dialect"),
        clEnumValN(Emit::LLVM, "llvm", "LLVM IR, optimized"),
        clEnumValN(Emit::Asm, "asm", "assembly"),
        clEnumValN(Emit::Obj, "obj", "an object file"),
        clEnumValN(Emit::Lib, "lib",
                   "a model library in the -o directory: lib<name>.so, "
                   "lib<name>.a, <name>.h, <name>Config.cmake (the default "
                   "when -o names a directory)"),
        clEnumValN(Emit::PTX, "ptx", "--target=cuda: the kernels' PTX"),
        clEnumValN(Emit::Cubin, "cubin",
                   "--target=cuda: the kernels as a cubin (needs ptxas)"),
        clEnumValN(Emit::Fatbin, "fatbin",
                   "--target=cuda: cubin + PTX in a fatbin (needs ptxas)")),
    cl::sub(compileCmd), cl::cat(mlcCategory));

cl::opt<std::string> outputFile("o",
                                cl::desc("Output file ('-' = stdout; predict: "
                                         "a .csv or .npy file)"),
                                cl::value_desc("file"), cl::sub(compileCmd),
                                cl::sub(predictCmd), cl::sub(importCmd),
                                cl::cat(mlcCategory));

cl::opt<std::string>
    targetName("target",
               cl::desc("Where the code runs: cpu (default), cuda (sm_90a) or "
                        "cuda:sm_XX (e.g. cuda:sm_80, cuda:sm_89)"),
               cl::init("cpu"), cl::sub(compileCmd), cl::sub(trainCmd),
               cl::sub(evalCmd), cl::sub(predictCmd), cl::cat(mlcCategory));

cl::opt<std::string> libraryName(
    "name",
    cl::desc("With --emit=lib: the prefix of the library's symbols and files "
             "(default: the model's name)"),
    cl::sub(compileCmd), cl::cat(mlcCategory));
cl::opt<int64_t>
    maxBatch("max-batch",
             cl::desc("With --emit=lib: the largest batch a call accepts (the "
                      "workspace is allocated for it)"),
             cl::init(1024), cl::sub(compileCmd), cl::cat(mlcCategory));
cl::opt<std::string> cCompiler(
    "cc",
    cl::desc("With --emit=lib: the C compiler that builds and links the "
             "library (default: $CC, else cc)"),
    cl::sub(compileCmd), cl::cat(mlcCategory));

cl::opt<std::string> cpu("cpu",
                         cl::desc("Target CPU: host (default), x86-64, "
                                  "znver4, skylake-avx512, ..."),
                         cl::init("host"), cl::sub(compileCmd),
                         cl::cat(mlcCategory));

cl::opt<std::string> triple("target-triple",
                            cl::desc("Target triple for cross-compiling "
                                     "(default: the host), e.g. "
                                     "aarch64-linux-gnu"),
                            cl::sub(compileCmd), cl::cat(mlcCategory));

cl::opt<unsigned> threads(
    "threads",
    cl::desc("Threads for the generated code: 1 = none, 0 = one per core "
             "(the default, except for libraries: 1, so they need no "
             "OpenMP runtime)"),
    cl::init(0), cl::sub(compileCmd), cl::sub(trainCmd), cl::sub(evalCmd),
    cl::sub(predictCmd), cl::sub(sampleCmd), cl::sub(tuneCmd),
    cl::cat(mlcCategory));

enum class Denormals { Flush, Keep };
cl::opt<Denormals> denormals(
    "denormals", cl::desc("Denormal floats while the compiled code runs (CPU)"),
    cl::values(clEnumValN(Denormals::Flush, "flush",
                          "flush them to zero, as TensorFlow and XLA do "
                          "(default; arithmetic on them is slow on x86)"),
               clEnumValN(Denormals::Keep, "keep",
                          "IEEE gradual underflow (and libm's exp and log)")),
    cl::init(Denormals::Flush), cl::sub(compileCmd), cl::sub(trainCmd),
    cl::sub(evalCmd), cl::sub(predictCmd), cl::cat(mlcCategory));

enum class Precision { F32, BF16 };
cl::opt<Precision>
    precision("precision", cl::desc("Arithmetic of the matmuls (CPU)"),
              cl::values(clEnumValN(Precision::F32, "f32", "f32 (default)"),
                         clEnumValN(Precision::BF16, "bf16",
                                    "bf16 operands, f32 accumulation and f32 "
                                    "parameters, on CPUs with AVX512-BF16 dot "
                                    "products; f32 elsewhere, with a note")),
              cl::init(Precision::F32), cl::sub(compileCmd), cl::sub(trainCmd),
              cl::sub(evalCmd), cl::sub(predictCmd), cl::cat(mlcCategory));

cl::opt<std::string> lossOverride(
    "loss",
    cl::desc("Loss to train with, replacing the model's: mse, "
             "categorical_crossentropy, sparse_categorical_crossentropy, "
             "binary_crossentropy"),
    cl::sub(compileCmd), cl::sub(trainCmd), cl::sub(evalCmd),
    cl::sub(predictCmd), cl::cat(mlcCategory));
cl::opt<bool> noCache(
    "no-cache",
    cl::desc("Compile the model even if the compile cache ($MLC_CACHE_DIR, "
             "else $XDG_CACHE_HOME/mlc or ~/.cache/mlc) holds its code, and "
             "do not cache it"),
    cl::sub(trainCmd), cl::sub(evalCmd), cl::sub(predictCmd),
    cl::cat(mlcCategory));
cl::opt<bool> fromLogits("from-logits",
                         cl::desc("With --loss: the model outputs logits"),
                         cl::sub(compileCmd), cl::sub(trainCmd),
                         cl::sub(evalCmd), cl::sub(predictCmd),
                         cl::cat(mlcCategory));
cl::opt<std::string> optimizerOverride(
    "optimizer",
    cl::desc("Optimizer, replacing the model's (Keras defaults): sgd, adam, "
             "adamw, rmsprop"),
    cl::sub(compileCmd), cl::sub(trainCmd), cl::cat(mlcCategory));
cl::opt<double> learningRate("learning-rate",
                             cl::desc("Learning rate of the optimizer"),
                             cl::sub(compileCmd), cl::sub(trainCmd),
                             cl::cat(mlcCategory));

cl::opt<std::string> lrSchedule(
    "lr-schedule",
    cl::desc("Learning-rate schedule, replacing the model's (Keras's "
             "formulas, from the optimizer's rate): constant, "
             "exponential_decay:decay_steps=N,decay_rate=R[,staircase=true], "
             "cosine_decay:decay_steps=N[,alpha=A][,warmup_steps=W,"
             "warmup_target=T]"),
    cl::sub(compileCmd), cl::sub(trainCmd), cl::cat(mlcCategory));

cl::opt<std::string>
    data("data",
         cl::desc("The data: mnist (shipped), fashion-mnist, a directory of "
                  "IDX files, a CSV table (FILE.csv, with a header), a .npz "
                  "of x and y (or x_train, y_train, x_test, y_test), a "
                  ".npy of inputs (with --labels), or text:FILE (UTF-8 "
                  "characters as token ids, for models of int32 token ids); "
                  "csv:, npz:, npy:, idx: or text: before a path names the "
                  "format"),
         cl::init("mnist"), cl::sub(trainCmd), cl::sub(evalCmd),
         cl::sub(predictCmd), cl::cat(mlcCategory));
cl::list<std::string> labelColumns(
    "label-column",
    cl::desc("CSV: the column(s) holding the labels (default: the last; "
             "eval and predict: the checkpoint's)"),
    cl::CommaSeparated, cl::value_desc("name"), cl::sub(trainCmd),
    cl::sub(evalCmd), cl::sub(predictCmd), cl::cat(mlcCategory));
cl::opt<std::string>
    labelsFile("labels",
               cl::desc("With --data x.npy: the .npy array of its labels"),
               cl::value_desc("file"), cl::sub(trainCmd), cl::sub(evalCmd),
               cl::cat(mlcCategory));
cl::opt<std::string> testData(
    "test-data",
    cl::desc("A table's test set (.csv or .npz), or a text's (text:FILE; "
             "else every tenth piece of the text), evaluated after training "
             "and by --validate-on-test"),
    cl::value_desc("file"), cl::sub(trainCmd), cl::cat(mlcCategory));
cl::opt<int64_t> epochs("epochs", cl::desc("Epochs to train"), cl::init(5),
                        cl::sub(trainCmd), cl::cat(mlcCategory));
cl::opt<int64_t> batchSize("batch-size", cl::desc("Samples per step"),
                           cl::init(32), cl::sub(trainCmd), cl::sub(evalCmd),
                           cl::sub(predictCmd), cl::sub(tuneCmd),
                           cl::cat(mlcCategory));
cl::opt<std::string> tilesFile(
    "tiles",
    cl::desc("Register tiles per matmul shape: a file `mlc tune` writes "
             "(default: the one it keeps for this CPU in the cache "
             "directory, if any), or 'none' for the tiles the compiler "
             "derives from the CPU's vector registers"),
    cl::value_desc("file"), cl::sub(compileCmd), cl::sub(trainCmd),
    cl::sub(evalCmd), cl::sub(predictCmd), cl::sub(sampleCmd), cl::sub(tuneCmd),
    cl::cat(mlcCategory));
cl::opt<int> tuneRounds(
    "rounds",
    cl::desc("Timing rounds per matmul shape (the candidates' steps run in "
             "turn; a tile wins by the median over rounds of its time over "
             "the tile in use's)"),
    cl::init(7), cl::sub(tuneCmd), cl::cat(mlcCategory));
cl::opt<uint64_t> seed("seed",
                       cl::desc("Seed of the initial parameters and of the "
                                "shuffling (sample: of the draws)"),
                       cl::init(0), cl::sub(trainCmd), cl::sub(sampleCmd),
                       cl::cat(mlcCategory));
cl::opt<std::string> prompt("prompt", cl::desc("The text generation continues"),
                            cl::init("\n"), cl::sub(sampleCmd),
                            cl::cat(mlcCategory));
cl::opt<int64_t> sampleLength("length", cl::desc("Characters to generate"),
                              cl::init(200), cl::sub(sampleCmd),
                              cl::cat(mlcCategory));
cl::opt<double> temperature(
    "temperature",
    cl::desc("Divides the scores before the softmax a character is drawn "
             "from: below 1 more likely characters, above 1 more varied; 0 "
             "always takes the most likely"),
    cl::init(1.0), cl::sub(sampleCmd), cl::cat(mlcCategory));
cl::opt<double> validationSplit(
    "validation-split",
    cl::desc("Fraction of the training set (its end) held out for "
             "validation"),
    cl::init(0.0), cl::sub(trainCmd), cl::cat(mlcCategory));
cl::opt<std::string> augment(
    "augment",
    cl::desc("Random augmentation of the training images, as Keras's "
             "preprocessing layers do it, prepared on a prefetch thread: "
             "translate=F (fraction of the size), rotate=DEGREES, zoom=F, "
             "flip (left-right), fill=reflect|constant|nearest; e.g. "
             "--augment translate=0.1,rotate=10"),
    cl::init(""), cl::sub(trainCmd), cl::cat(mlcCategory));
cl::opt<bool> validateOnTest(
    "validate-on-test",
    cl::desc("Report the test set's loss and accuracy after every epoch, as "
             "Keras's fit(validation_data=(x_test, y_test)) does (instead of "
             "--validation-split)"),
    cl::init(false), cl::sub(trainCmd), cl::cat(mlcCategory));

cl::opt<std::string> checkpoint(
    "checkpoint",
    cl::desc("train: write params and optimizer state here (safetensors) "
             "after every epoch; eval and predict: the checkpoint to use; "
             "import: where the weights go (default: the -o file as "
             ".safetensors)"),
    cl::value_desc("file"), cl::sub(trainCmd), cl::sub(evalCmd),
    cl::sub(predictCmd), cl::sub(importCmd), cl::sub(sampleCmd),
    cl::cat(mlcCategory));
cl::opt<std::string> resume("resume",
                            cl::desc("Continue training from a checkpoint"),
                            cl::value_desc("file"), cl::sub(trainCmd),
                            cl::cat(mlcCategory));
cl::opt<std::string> report("report", cl::desc("Write metrics as JSON"),
                            cl::value_desc("file"), cl::sub(trainCmd),
                            cl::sub(evalCmd), cl::cat(mlcCategory));
cl::opt<std::string> plot("plot",
                          cl::desc("Write the loss and accuracy curves as SVG"),
                          cl::value_desc("file"), cl::sub(trainCmd),
                          cl::cat(mlcCategory));

cl::opt<std::string> normalize(
    "normalize",
    cl::desc("Input scaling: scale (pixel / 255, the default for images), "
             "standardize (zero mean and unit variance over the training "
             "set; per feature for tables, as Keras's Normalization "
             "layer), or none (the default for tables); --resume, eval and "
             "predict use the checkpoint's"),
    cl::init("scale"), cl::sub(trainCmd), cl::sub(evalCmd),
    cl::cat(mlcCategory));

cl::opt<bool> debugInfo(
    "debug-info",
    cl::desc("Line tables in the emitted code (obj, asm, llvm, lib): each "
             "loop maps to the model file's line of its layer, so `perf "
             "report --sort srcline` shows where a step's time goes"),
    cl::sub(compileCmd), cl::cat(mlcCategory));

cl::opt<bool> printPipeline(
    "print-pipeline",
    cl::desc("Print the mlc-opt pipeline that --emit runs, and exit"),
    cl::sub(compileCmd), cl::cat(mlcCategory));

/// Failures travel as llvm::Error up to main(), which prints them and
/// turns them into the exit code (exitCode()).
Error error(const Twine &message) { return createStringError(message); }

/// A failure whose diagnostics MLIR printed already, at their ops (as the
/// driver's mlc::DiagnosedError).
class ReportedError : public ErrorInfo<ReportedError> {
public:
  static char ID;
  void log(raw_ostream &os) const override { os << "errors were reported"; }
  std::error_code convertToErrorCode() const override {
    return inconvertibleErrorCode();
  }
};
char ReportedError::ID = 0;

Error reported() { return make_error<ReportedError>(); }

/// Prints `err` (unless reported already): 0 without an error, else 1.
int exitCode(Error err) {
  if (!err)
    return 0;
  err = handleErrors(
      std::move(err), [](const ReportedError &) {},
      [](const mlc::DiagnosedError &) {});
  if (err)
    WithColor::error(errs(), "mlc") << toString(std::move(err)) << "\n";
  return 1;
}

std::optional<mlc::Stage> stageFor(Emit e) {
  switch (e) {
  case Emit::Mlir:
    return std::nullopt;
  case Emit::MlirGraph:
    return mlc::Stage::Graph;
  case Emit::MlirLinalg:
    return mlc::Stage::Linalg;
  case Emit::MlirGPU:
    return mlc::Stage::GPU;
  default:
    return mlc::Stage::LLVM;
  }
}

/// Whether the output goes to stdout.
bool toStdout() { return outputFile.empty() || outputFile == "-"; }

/// The largest --threads: more is a typo, and the OpenMP runtime aborts
/// when it cannot start them.
constexpr unsigned maxThreads = 1024;

/// --precision, else the model's `precision` attribute, for `target` (after
/// --cpu and --target): bf16 matmuls where the CPU has bf16 dot products,
/// else f32 and a note saying so.
void applyPrecision(mlc::TargetOptions &target, mlir::ModuleOp module) {
  bool fromFlag = precision.getNumOccurrences() > 0;
  if (fromFlag) {
    target.bf16 = precision == Precision::BF16;
  } else {
    target.bf16 = mlc::modelWantsBF16(module);
  }
  if (!target.bf16 || mlc::bf16MatmulsFor(target))
    return;
  errs() << "mlc: note: "
         << (fromFlag ? "--precision=bf16" : "the model's precision = \"bf16\"")
         << ": "
         << (target.isGPU() ? "GPU kernels have no bf16 matmuls yet"
                            : "the target CPU has no AVX512-BF16 dot products")
         << "; the matmuls run in f32\n";
}

Error checkThreads() {
  if (threads > maxThreads)
    return error("--threads must be at most " + Twine(maxThreads) + ", got " +
                 Twine(threads) + " (0 = one per core)");
  return Error::success();
}

/// Checks that `emit`'s output can be written, before the compile.
Error checkOutput() {
  if (emit == Emit::Lib) {
    bool missing = false;
    // Named as buildLibrary names it: "out/" is 'out'.
    StringRef dir = outputFile;
    while (dir.size() > 1 && dir.ends_with("/"))
      dir = dir.drop_back();
    if (std::error_code ec = mlc::checkWritableDirectory(dir, missing))
      return error((missing ? "cannot create the output directory '"
                            : "cannot write to '") +
                   dir + "': " + ec.message());
    return Error::success();
  }
  if (toStdout()) {
    // A terminal shows binary output as garbage, and may take it as
    // escape sequences; clang and llc refuse it too.
    StringRef binary = emit == Emit::Obj      ? "an object file"
                       : emit == Emit::Cubin  ? "a cubin"
                       : emit == Emit::Fatbin ? "a fatbin"
                                              : "";
    if (!binary.empty() && outs().is_displayed())
      return error("not writing " + binary +
                   " to a terminal; name a file with -o FILE, or print "
                   "text with --emit=mlir-graph, llvm or asm");
    return Error::success();
  }
  if (std::string why = mlc::whyNotWritable(outputFile); !why.empty())
    return error("cannot write '" + outputFile + "': " + why);
  return Error::success();
}

Error writeOutput(StringRef text) {
  std::string path = toStdout() ? "-" : outputFile.getValue();
  // writeToOutput writes a temporary file and renames it: an existing
  // output is replaced whole or not at all.
  Error written = writeToOutput(path, [&](raw_ostream &os) {
    os << text;
    return Error::success();
  });
  if (written)
    return error("cannot write '" + path +
                 "': " + llvm::toString(std::move(written)));
  return Error::success();
}

/// The tile file --tiles names, else `mlc tune`'s for the target's CPU in
/// the cache directory (empty when there is none).
std::string tilePath(const mlc::TargetOptions &target) {
  if (tilesFile.getNumOccurrences())
    return tilesFile == "none" ? "" : tilesFile.getValue();
  return mlc::tileFilePath(mlc::defaultCacheDirectory(), target);
}

/// Reads the tile file into `target` (CPU targets): the one --tiles names
/// must exist and read; the cache directory's is used when it does, and
/// ignored with a warning when it does not read (as a damaged compile
/// cache entry is).
Error applyTiles(mlc::TargetOptions &target, std::string &used) {
  std::string path = tilePath(target);
  if (path.empty() || target.isGPU())
    return Error::success();
  bool named = tilesFile.getNumOccurrences();
  if (!named && !sys::fs::exists(path))
    return Error::success();
  Expected<mlc::TileTable> table = mlc::readTileFile(path);
  if (!table && named)
    return table.takeError();
  if (!table) {
    WithColor::warning(errs(), "mlc")
        << toString(table.takeError())
        << "; compiling with the derived register tiles (mlc tune "
           "rewrites the file)\n";
    return Error::success();
  }
  target.tileTable = mlc::formatTileTable(*table);
  if (!table->empty())
    used = path;
  return Error::success();
}

/// Loads a model with the command-line overrides applied.
Expected<mlir::OwningOpRef<mlir::ModuleOp>>
loadModel(mlir::MLIRContext &context, SourceMgr &sourceMgr) {
  // An error points at the user's line; a dump of the op in MLIR's generic
  // form after it says nothing more to them.
  context.printOpOnDiagnostic(false);
  mlir::OwningOpRef<mlir::ModuleOp> module =
      mlc::loadModelFile(context, sourceMgr, modelFile);
  if (!module)
    return reported();
  mlc::TrainingOverrides overrides;
  overrides.loss = lossOverride;
  overrides.fromLogits = fromLogits;
  overrides.optimizer = optimizerOverride;
  if (learningRate.getNumOccurrences())
    overrides.learningRate = learningRate;
  overrides.lrSchedule = lrSchedule;
  if (Error err = mlc::applyOverrides(*module, overrides))
    return std::move(err);
  return std::move(module);
}

mlc::LibraryOptions libraryOptions() {
  mlc::LibraryOptions options;
  options.outputDir = outputFile;
  options.name = libraryName;
  options.maxBatch = maxBatch;
  options.cc = cCompiler;
  options.generator = std::string("mlc ") + MLC_VERSION_STRING;
  return options;
}

/// `mlc compile --emit=lib`: a library directory.
Error runCompileLibrary(mlir::ModuleOp module,
                        const mlc::TargetOptions &target) {
  mlc::LibraryOptions options = libraryOptions();
  Expected<mlc::LibraryResult> result =
      mlc::buildLibrary(module, target, options);
  if (!result)
    return result.takeError();
  for (const std::string &file : result->files) {
    uint64_t size = 0;
    sys::fs::file_size(file, size);
    outs() << formatv("wrote {0} ({1} bytes)\n", file, size);
  }
  outs() << formatv("compiled @{0} in {1:f0} ms (MLIR {2:f0}, LLVM {3:f0}, "
                    "link {4:f0}; the C wrapper compiled alongside)\n",
                    result->name,
                    result->mlirMs + result->llvmMs + result->linkMs,
                    result->mlirMs, result->llvmMs, result->linkMs);
  return Error::success();
}

Error runCompile() {
  // -o DIR/ (or an existing directory) means a library.
  if (!emit.getNumOccurrences() && !outputFile.empty() &&
      (StringRef(outputFile).ends_with("/") ||
       sys::fs::is_directory(outputFile)))
    emit = Emit::Lib;
  std::optional<mlc::Stage> stage = stageFor(emit);
  mlc::TargetOptions target;
  target.cpu = cpu;
  target.triple = triple;
  target.threads = threads;
  target.flushDenormals = denormals == Denormals::Flush;
  target.debugInfo = debugInfo;
  if (emit == Emit::Lib && !threads.getNumOccurrences())
    target.threads = 1;
  if (emit == Emit::Lib && toStdout())
    return error("--emit=lib writes a directory; name it with -o DIR");
  if (Error err = checkThreads())
    return err;
  if (Error err = mlc::parseTarget(targetName, target))
    return err;
  std::string tilesUsed;
  if (Error err = applyTiles(target, tilesUsed))
    return err;
  bool deviceCode =
      emit == Emit::PTX || emit == Emit::Cubin || emit == Emit::Fatbin;
  if (!target.isGPU() && (deviceCode || emit == Emit::MlirGPU))
    return error("--emit=mlir-gpu, ptx, cubin and fatbin are for GPU "
                 "targets; add --target=cuda (or cuda:sm_XX)");
  if (target.isGPU()) {
    bool ptxas = !mlc::findPtxas().empty();
    if ((emit == Emit::Cubin || emit == Emit::Fatbin) && !ptxas)
      return error(
          "--emit=" + std::string(emit == Emit::Cubin ? "cubin" : "fatbin") +
          " needs ptxas from the CUDA toolkit (looked in "
          "$CUDA_ROOT/bin, /usr/local/cuda/bin and PATH); "
          "--emit=ptx works without it");
    // Otherwise the best there is (fatbin, or PTX without ptxas).
    target.gpuFormat = emit == Emit::Cubin    ? "bin"
                       : emit == Emit::Fatbin ? "fatbin"
                       : emit == Emit::PTX    ? "isa"
                                              : "";
    if (!ptxas && !deviceCode && stage == mlc::Stage::LLVM)
      WithColor::note(errs(), "mlc")
          << "no ptxas found: the kernels are embedded as PTX only, which "
             "the CUDA driver compiles when the program loads them\n";
  }
  if (printPipeline) {
    auto context = mlc::createContext();
    mlir::PassManager pm = mlir::PassManager::on<mlir::ModuleOp>(context.get());
    if (stage)
      mlc::buildPipeline(pm, mlc::Stage::Model, *stage, target);
    outs() << "mlc-opt --pass-pipeline='";
    pm.printAsTextualPipeline(outs());
    outs() << "'\n";
    return Error::success();
  }
  if (modelFile.empty())
    return error("no model file given; usage: mlc compile MODEL.mlir");
  if (Error err = checkOutput())
    return err;
  if (emit == Emit::Lib)
    if (Error err = mlc::checkLibraryOptions(target, libraryOptions()))
      return err;
  // An unknown --cpu or --target-triple fails now, not after the lowering
  // that needs the target machine.
  if (emit != Emit::Mlir)
    if (Error err = mlc::createTargetMachine(target).takeError())
      return err;

  auto context = mlc::createContext();
  SourceMgr sourceMgr;
  mlir::SourceMgrDiagnosticHandler diagnostics(sourceMgr, context.get());
  mlir::OwningOpRef<mlir::ModuleOp> module;
  if (Error err = loadModel(*context, sourceMgr).moveInto(module))
    return err;
  applyPrecision(target, *module);
  if (emit == Emit::Lib)
    return runCompileLibrary(*module, target);
  if (stage &&
      failed(mlc::lowerModule(*module, mlc::Stage::Model, *stage, target)))
    return reported();

  std::string text;
  if (deviceCode) {
    Expected<std::string> code = mlc::extractDeviceCode(*module);
    if (!code)
      return code.takeError();
    return writeOutput(*code);
  }
  if (emit == Emit::LLVM || emit == Emit::Asm || emit == Emit::Obj) {
    Expected<std::string> code =
        emit == Emit::LLVM
            ? mlc::emitLLVMIR(*module, target)
            : mlc::emitMachineCode(*module, target, emit == Emit::Asm);
    if (!code)
      return code.takeError();
    text = std::move(*code);
  } else {
    raw_string_ostream os(text);
    module->print(os);
  }
  return writeOutput(text);
}

Error runTrain(mlc::RunKind kind) {
  bool train = kind == mlc::RunKind::Train;
  const char *command = train                        ? "train"
                        : kind == mlc::RunKind::Eval ? "eval"
                                                     : "predict";
  if (modelFile.empty())
    return error(std::string("no model file given; usage: mlc ") + command +
                 " MODEL.mlir");
  // What the run can get wrong is checked before the compile: the target,
  // the model as written, the other flags and the output paths, then the
  // data and the checkpoint against the model's signature.
  if (Error err = checkThreads())
    return err;
  mlc::TargetOptions target;
  target.threads = threads;
  target.flushDenormals = denormals == Denormals::Flush;
  if (!noCache)
    target.cacheDir = mlc::defaultCacheDirectory();
  if (Error err = mlc::parseTarget(targetName, target))
    return err;
  std::string tilesUsed;
  if (Error err = applyTiles(target, tilesUsed))
    return err;
  if (std::string why; target.isGPU() && !mlc::cuda::available(why))
    return error("CUDA cannot run here: " + why);
  mlc::TrainOptions options;
  options.data = data;
  options.labelColumns.assign(labelColumns.begin(), labelColumns.end());
  options.labels = labelsFile;
  options.testData = testData;
  if (kind == mlc::RunKind::Predict)
    options.output = outputFile;
  options.epochs = epochs;
  options.batchSize = batchSize;
  options.seed = seed;
  options.validationSplit = validationSplit;
  options.validateOnTest = validateOnTest;
  options.augment = augment;
  // Unless given, the checkpoint's normalization applies.
  options.normalize = normalize.getNumOccurrences() ? normalize.getValue() : "";
  options.checkpoint = train ? std::string(checkpoint) : "";
  options.resume = train ? std::string(resume) : std::string(checkpoint);
  options.report = report;
  options.plot = plot;

  // The model owns the context once compiled (declared first, it outlives
  // the diagnostic handler); a failed compile leaves it to this block.
  std::unique_ptr<mlc::JITModel> jit;
  std::unique_ptr<mlc::TrainingRun> run;
  {
    auto context = mlc::createContext();
    SourceMgr sourceMgr;
    mlir::SourceMgrDiagnosticHandler diagnostics(sourceMgr, context.get());
    mlir::OwningOpRef<mlir::ModuleOp> module;
    if (Error err = loadModel(*context, sourceMgr).moveInto(module))
      return err;
    applyPrecision(target, *module);
    if (Error err = mlc::checkTrainOptions(options, kind))
      return err;
    // Materializing the params is cheap and gives their names and shapes.
    Expected<mlc::ModelSignature> sig = mlc::materializeSignature(*module);
    if (!sig)
      return sig.takeError();
    if (Error err =
            mlc::TrainingRun::prepare(*sig, options, kind).moveInto(run))
      return err;
    auto compiled = mlc::JITModel::compile(context, std::move(module), target,
                                           std::move(*sig));
    // Diagnostics were printed with their locations already
    // (DiagnosedError); other errors (loading GPU kernels, ...) are not.
    if (!compiled)
      return compiled.takeError();
    jit = std::move(*compiled);
  }
  // The compiled code starts its OpenMP threads at the first step; libomp
  // aborts the process if it cannot.
  if (!target.isGPU())
    if (Error err = mlc::checkThreadsCanStart(
            threads ? unsigned(threads) : std::thread::hardware_concurrency()))
      return err;
  if (target.isGPU())
    outs() << "GPU: " << mlc::cuda::deviceDescription() << "\n";
  if (!jit->cacheWarning.empty())
    errs() << "warning: compile cache: " << jit->cacheWarning << "\n";
  if (jit->fromCache)
    outs() << "Loaded @" << jit->signature().model
           << " from the compile cache in " << formatv("{0:f0}", jit->llvmMs)
           << " ms\n";
  else
    outs() << "Compiled @" << jit->signature().model << " in "
           << formatv("{0:f0}", jit->pipelineMs + jit->llvmMs) << " ms"
           << (tilesUsed.empty() ? ""
                                 : " (register tiles from " + tilesUsed + ")")
           << "\n";
  return run->run(*jit);
}

/// `mlc sample MODEL.mlir --checkpoint FILE --prompt TEXT`.
Error runSample() {
  if (modelFile.empty())
    return error("no model file given; usage: mlc sample MODEL.mlir "
                 "--checkpoint FILE --prompt TEXT");
  if (Error err = checkThreads())
    return err;
  mlc::SampleOptions options;
  options.checkpoint = checkpoint;
  options.prompt = prompt;
  options.length = sampleLength;
  options.temperature = temperature;
  options.seed = seed;
  if (Error err = mlc::checkSampleOptions(options))
    return err;
  mlc::TargetOptions target;
  target.threads = threads;
  target.flushDenormals = true;
  target.cacheDir = mlc::defaultCacheDirectory();
  std::string tilesUsed;
  if (Error err = applyTiles(target, tilesUsed))
    return err;
  std::unique_ptr<mlc::JITModel> jit;
  {
    auto context = mlc::createContext();
    SourceMgr sourceMgr;
    mlir::SourceMgrDiagnosticHandler diagnostics(sourceMgr, context.get());
    mlir::OwningOpRef<mlir::ModuleOp> module;
    if (Error err = loadModel(*context, sourceMgr).moveInto(module))
      return err;
    Expected<mlc::ModelSignature> sig = mlc::materializeSignature(*module);
    if (!sig)
      return sig.takeError();
    if (Error err = mlc::checkSampleModel(*sig))
      return err;
    auto compiled = mlc::JITModel::compile(context, std::move(module), target,
                                           std::move(*sig));
    if (!compiled)
      return compiled.takeError();
    jit = std::move(*compiled);
  }
  return mlc::sample(*jit, options, outs());
}

/// `mlc tune MODEL.mlir [--batch-size N] [--threads N] [--tiles FILE]`.
Error runTune() {
  if (modelFile.empty())
    return error("no model file given; usage: mlc tune MODEL.mlir "
                 "[--batch-size N] [--threads N] [--tiles FILE]");
  if (Error err = checkThreads())
    return err;
  if (batchSize < 1)
    return error("--batch-size must be at least 1");
  if (tuneRounds < 1)
    return error("--rounds must be at least 1");
  mlc::TargetOptions target;
  target.threads = threads;
  target.flushDenormals = denormals == Denormals::Flush;
  std::string path = tilePath(target);
  if (path.empty())
    return error(
        tilesFile == "none"
            ? "--tiles=none: name the file to write"
            : "no cache directory to keep the tiles in ($MLC_CACHE_DIR, "
              "$XDG_CACHE_HOME or $HOME); name a file with --tiles "
              "FILE");
  if (!tilesFile.getNumOccurrences())
    if (std::error_code ec =
            sys::fs::create_directories(sys::path::parent_path(path)))
      return error("cannot create '" + sys::path::parent_path(path) +
                   "': " + ec.message());
  if (std::string why = mlc::whyNotWritable(path); !why.empty())
    return error("cannot write '" + path + "': " + why);
  mlc::TileTable start;
  if (sys::fs::exists(path))
    if (Error err = mlc::readTileFile(path).moveInto(start))
      return err;
  std::string text, name;
  {
    auto context = mlc::createContext();
    SourceMgr sourceMgr;
    mlir::SourceMgrDiagnosticHandler diagnostics(sourceMgr, context.get());
    mlir::OwningOpRef<mlir::ModuleOp> module;
    if (Error err = loadModel(*context, sourceMgr).moveInto(module))
      return err;
    // The model as loaded (overrides applied), compiled once per tile.
    raw_string_ostream os(text);
    module->print(os);
    Expected<mlc::ModelSignature> sig = mlc::materializeSignature(*module);
    if (!sig)
      return sig.takeError();
    if (!sig->canTrain())
      return error("@" + sig->model +
                   " has no loss and optimizer: mlc tune times train steps");
    name = sig->model;
  }
  std::string cpuName = sys::getHostCPUName().str();
  unsigned bits = mlc::vectorBitsFor(target);
  unsigned threadCount =
      threads ? unsigned(threads) : std::thread::hardware_concurrency();
  if (Error err = mlc::checkThreadsCanStart(threadCount))
    return err;
  outs() << formatv("Tuning @{0}'s register tiles for {1} ({2}-bit vectors) "
                    "at batch {3}, {4} thread{5}\n",
                    name, cpuName, bits, batchSize.getValue(), threadCount,
                    threadCount == 1 ? "" : "s");
  outs().flush();
  mlc::TuneOptions options;
  options.batch = batchSize;
  options.rounds = tuneRounds;
  options.progress = [](StringRef line) {
    outs() << "  " << line << "\n";
    outs().flush();
  };
  Expected<mlc::TuneResult> result =
      mlc::tuneTiles(text, target, start, options);
  if (!result)
    return result.takeError();
  std::map<std::string, std::string> notes;
  for (const mlc::TunedMatmul &m : result->matmuls) {
    size_t i =
        llvm::find_if(m.tried,
                      [&](const auto &t) { return t.first == m.chosen; }) -
        m.tried.begin();
    std::string how = i ? formatv("x{0:f3} the step time of {1}", m.ratios[i],
                                  mlc::formatTileChoice(m.tried[0].first))
                              .str()
                        : std::string("no other tile was 2 % faster");
    notes[m.key] =
        formatv("@{0}, batch {1}: {2}", name, batchSize.getValue(), how).str();
  }
  std::string header =
      formatv("mlc tile table for {0} ({1}-bit vectors): register tiles "
              "per matmul shape\n(compiler/CodeGen/CPU/Tiles.h), written "
              "by `mlc tune` {2}, {3} thread{4}",
              cpuName, bits, MLC_VERSION_STRING, threadCount,
              threadCount == 1 ? "" : "s")
          .str();
  if (Error err = mlc::writeTileFile(path, result->table, header, notes))
    return err;
  outs() << formatv("train step: {0:f1} us with the tiles before, {1:f1} us "
                    "tuned (median ratio x{2:f3})\nwrote {3} ({4} shape{5} "
                    "with tiles of their own)\n",
                    result->startStep * 1e6, result->tunedStep * 1e6,
                    result->ratio, path, result->table.size(),
                    result->table.size() == 1 ? "" : "s");
  return Error::success();
}

/// `mlc import MODEL.keras -o MODEL.mlir`.
Error runImport() {
  if (modelFile.empty())
    return error("no model file given; usage: mlc import MODEL.keras|MODEL.h5|"
                 "MODEL.onnx -o MODEL.mlir");
  if (outputFile.empty() || outputFile == "-")
    return error("mlc import writes a model and its weights: name the model "
                 "with -o MODEL.mlir");
  std::string weights = checkpoint;
  if (weights.empty()) {
    SmallString<128> path(outputFile.getValue());
    sys::path::replace_extension(path, "safetensors");
    weights = std::string(path);
  }
  if (weights == outputFile)
    return error("-o and --checkpoint name the same file");
  for (const std::string &path : {outputFile.getValue(), weights})
    if (std::string why = mlc::whyNotWritable(path); !why.empty())
      return error("cannot write '" + path + "': " + why);
  Expected<mlc::import::ImportSummary> summary =
      mlc::import::importModelFile(modelFile, outputFile, weights);
  if (!summary)
    return summary.takeError();
  for (const std::string &note : summary->notes)
    WithColor::note(errs(), "mlc") << note << "\n";
  outs() << "Imported @" << summary->model << " from " << summary->format
         << (summary->version.empty() ? std::string()
                                      : " (" + summary->version + ")")
         << "\nwrote " << outputFile << "\nwrote " << weights << " ("
         << summary->params << " weights";
  if (summary->states)
    outs() << ", " << summary->states << " optimizer slots, step "
           << summary->iterations;
  outs() << ")\n";
  return Error::success();
}

void printVersion(raw_ostream &os) {
  os << "mlc " << MLC_VERSION_STRING << " (LLVM/MLIR "
     << MLC_LLVM_VERSION_STRING << ")\n";
}

} // namespace

int main(int argc, char **argv) {
  InitLLVM init(argc, argv);
  cl::SetVersionPrinter(printVersion);
  // --mlir-print-ir-after-all and friends work on every pipeline mlc runs.
  mlc::registerPassManagerOptions();
  mlc::registerPasses();
  // libLLVM registers hundreds of options; show only mlc's and MLIR's.
  cl::HideUnrelatedOptions(mlcCategory);
  cl::ParseCommandLineOptions(
      argc, argv,
      "mlc: a training compiler for neural networks\n\n"
      "  mlc compile MODEL.mlir [--emit=...] [--cpu=...] [-o FILE]\n"
      "  mlc train   MODEL.mlir ...\n"
      "  mlc eval    MODEL.mlir --checkpoint FILE ...\n"
      "  mlc predict MODEL.mlir --checkpoint FILE --data FILE -o OUT.csv\n"
      "  mlc sample  MODEL.mlir --checkpoint FILE --prompt TEXT "
      "[--length N] [--temperature T]\n"
      "  mlc import  MODEL.keras|MODEL.h5|MODEL.onnx -o MODEL.mlir\n"
      "  mlc tune    MODEL.mlir [--batch-size N] [--threads N]\n");

  if (compileCmd)
    return exitCode(runCompile());
  if (trainCmd)
    return exitCode(runTrain(mlc::RunKind::Train));
  if (evalCmd)
    return exitCode(runTrain(mlc::RunKind::Eval));
  if (predictCmd)
    return exitCode(runTrain(mlc::RunKind::Predict));
  if (sampleCmd)
    return exitCode(runSample());
  if (importCmd)
    return exitCode(runImport());
  if (tuneCmd)
    return exitCode(runTune());
  return exitCode(error("no command given; run 'mlc --help'"));
}
