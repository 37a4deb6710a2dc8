//===- mlc.cpp - the mlc command-line driver ------------------------------===//
//
//   mlc compile MODEL.mlir [--emit=...] [-o FILE]
//   mlc train   MODEL.mlir ...
//   mlc eval    MODEL.mlir ...
//
//===----------------------------------------------------------------------===//

#include "Version.h"
#include "compiler/Registration/Registration.h"
#include "dialects/MLC/IR/MLCDialect.h"
#include "dialects/MLC/Transforms/Passes.h"

#include "mlir/IR/AsmState.h"
#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/Diagnostics.h"
#include "mlir/IR/DialectRegistry.h"
#include "mlir/IR/MLIRContext.h"
#include "mlir/Parser/Parser.h"
#include "mlir/Pass/PassManager.h"
#include "llvm/Support/CommandLine.h"
#include "llvm/Support/Error.h"
#include "llvm/Support/InitLLVM.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/SourceMgr.h"
#include "llvm/Support/WithColor.h"
#include "llvm/Support/raw_ostream.h"

using namespace llvm;

namespace {

cl::OptionCategory mlcCategory("mlc options");

cl::SubCommand compileCmd("compile",
                          "Compile a model (prints the model graph for now)");
cl::SubCommand trainCmd("train", "Train a model");
cl::SubCommand evalCmd("eval", "Evaluate a trained checkpoint");

cl::opt<std::string> modelFile(cl::Positional, cl::desc("<model.mlir>"),
                               cl::Required, cl::sub(compileCmd),
                               cl::sub(trainCmd), cl::sub(evalCmd),
                               cl::cat(mlcCategory));

enum class Emit { Mlir, MlirGraph };
cl::opt<Emit> emit(
    "emit", cl::desc("What to write"), cl::init(Emit::MlirGraph),
    cl::values(clEnumValN(Emit::Mlir, "mlir", "the model as parsed"),
               clEnumValN(Emit::MlirGraph, "mlir-graph",
                          "the core-op graph after mlc-materialize-params")),
    cl::sub(compileCmd), cl::cat(mlcCategory));

cl::opt<std::string> outputFile("o", cl::desc("Output file ('-' = stdout)"),
                                cl::value_desc("file"), cl::init("-"),
                                cl::sub(compileCmd), cl::cat(mlcCategory));

int error(const Twine &message) {
  WithColor::error(errs(), "mlc") << message << "\n";
  return 1;
}

/// Parses and verifies the model file. Diagnostics go to stderr as
/// file:line:col.
mlir::OwningOpRef<mlir::ModuleOp> loadModel(mlir::MLIRContext &context,
                                            SourceMgr &sourceMgr) {
  auto buffer = MemoryBuffer::getFileOrSTDIN(modelFile, /*IsText=*/true);
  if (std::error_code ec = buffer.getError()) {
    error("cannot read model file '" + modelFile + "': " + ec.message());
    return nullptr;
  }
  sourceMgr.AddNewSourceBuffer(std::move(*buffer), SMLoc());
  mlir::ParserConfig config(&context);
  mlir::OwningOpRef<mlir::ModuleOp> module =
      mlir::parseSourceFile<mlir::ModuleOp>(sourceMgr, config);
  if (!module)
    return nullptr;
  if (module->getOps<mlc::ModelOp>().empty()) {
    error("'" + modelFile + "' contains no mlc.model");
    return nullptr;
  }
  return module;
}

int runCompile(mlir::MLIRContext &context, SourceMgr &sourceMgr) {
  mlir::OwningOpRef<mlir::ModuleOp> module = loadModel(context, sourceMgr);
  if (!module)
    return 1;
  if (emit == Emit::MlirGraph) {
    mlir::PassManager pm(&context);
    pm.addPass(mlc::createMaterializeParams());
    if (failed(pm.run(*module)))
      return 1;
  }
  Error written = writeToOutput(outputFile, [&](raw_ostream &os) {
    module->print(os);
    return Error::success();
  });
  if (written)
    return error("cannot write '" + outputFile +
                 "': " + llvm::toString(std::move(written)));
  return 0;
}

int runNotYetAvailable(mlir::MLIRContext &context, SourceMgr &sourceMgr,
                       StringRef command) {
  if (!loadModel(context, sourceMgr))
    return 1;
  return error("'mlc " + command +
               "' needs code generation, which this build does not have yet");
}

void printVersion(raw_ostream &os) {
  os << "mlc " << MLC_VERSION_STRING << " (LLVM/MLIR "
     << MLC_LLVM_VERSION_STRING << ")\n";
}

} // namespace

int main(int argc, char **argv) {
  InitLLVM init(argc, argv);
  cl::SetVersionPrinter(printVersion);
  // libLLVM registers hundreds of options; show only mlc's.
  cl::HideUnrelatedOptions(mlcCategory);
  cl::ParseCommandLineOptions(
      argc, argv,
      "mlc: a training compiler for neural networks\n\n"
      "  mlc compile MODEL.mlir [--emit=mlir|mlir-graph] [-o FILE]\n"
      "  mlc train   MODEL.mlir ...\n"
      "  mlc eval    MODEL.mlir ...\n");

  mlir::DialectRegistry registry;
  mlc::registerDialects(registry);
  mlir::MLIRContext context(registry);
  context.loadAllAvailableDialects();
  SourceMgr sourceMgr;
  mlir::SourceMgrDiagnosticHandler diagnostics(sourceMgr, &context);

  if (compileCmd)
    return runCompile(context, sourceMgr);
  if (trainCmd)
    return runNotYetAvailable(context, sourceMgr, "train");
  if (evalCmd)
    return runNotYetAvailable(context, sourceMgr, "eval");
  error("no command given; run 'mlc --help'");
  return 1;
}
