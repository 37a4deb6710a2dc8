//===- Pipeline.cpp - the stages of compiling a model ---------------------===//

#include "compiler/Driver/Pipeline.h"

#include "compiler/CodeGen/CPU/Pipeline.h"
#include "compiler/CodeGen/Common/Pipeline.h"
#include "compiler/CodeGen/GPU/Pipeline.h"

#include "mlir/IR/Verifier.h"
#include "mlir/Pass/PassManager.h"
#include "llvm/Support/Path.h"

#include <cstdlib>

using namespace mlir;
using namespace mlc;

void mlc::buildPipeline(OpPassManager &pm, Stage from, Stage to,
                        const TargetOptions &target) {
  // Whether the step from `stage - 1` to `stage` is wanted.
  auto step = [&](Stage stage) { return from < stage && stage <= to; };
  if (step(Stage::Graph))
    buildMaterializePipeline(pm);
  if (step(Stage::Linalg))
    buildGraphToLinalgPipeline(pm);
  if (!target.isGPU()) {
    if (step(Stage::LLVM))
      buildLinalgToLLVMPipeline(pm, {target.threads, vectorBitsFor(target),
                                     inlineMathFor(target),
                                     columnsOuterBytesFor(target),
                                     bf16MatmulsFor(target), target.tileTable,
                                     /*shareKernels=*/!target.debugInfo});
    return;
  }
  if (step(Stage::GPU))
    buildLinalgToGPUPipeline(pm);
  if (!step(Stage::LLVM))
    return;
  GPUTarget gpu;
  gpu.chip = target.gpuChip;
  gpu.features = ptxFeatureFor(target.gpuChip);
  // gpu-module-to-binary looks for ptxas in a few places only; point it
  // at the toolkit mlc found.
  std::string ptxas = findPtxas();
  if (!ptxas.empty())
    gpu.toolkit =
        llvm::sys::path::parent_path(llvm::sys::path::parent_path(ptxas)).str();
  gpu.format = !target.gpuFormat.empty() ? target.gpuFormat
               : ptxas.empty()           ? "isa"
                                         : "fatbin";
  buildGPUToNVVMPipeline(pm, gpu);
}

char DiagnosedError::ID = 0;

void DiagnosedError::log(llvm::raw_ostream &os) const {
  os << "the model could not be compiled";
  if (!diagnostics.empty())
    os << ":\n" << diagnostics;
}

static bool usePassManagerCLOptions = false;

void mlc::registerPassManagerOptions() {
  registerPassManagerCLOptions();
  usePassManagerCLOptions = true;
}

LogicalResult mlc::lowerModule(ModuleOp module, Stage from, Stage to,
                               const TargetOptions &target) {
  PassManager pm = PassManager::on<ModuleOp>(module.getContext());
  // Verifying the module after each of the ~50 passes took a quarter of the
  // seed model's MLIR time (~100 of 390 ms). A pass that breaks the IR is a
  // compiler bug, which the tests look for with MLC_VERIFY_EACH=1; users
  // get one verification of the result.
  const char *each = std::getenv("MLC_VERIFY_EACH");
  bool verifyEach = each && *each && llvm::StringRef(each) != "0";
  pm.enableVerifier(verifyEach);
  if (usePassManagerCLOptions && failed(applyPassManagerCLOptions(pm)))
    return failure();
  buildPipeline(pm, from, to, target);
  if (failed(pm.run(module)))
    return failure();
  return verifyEach ? success() : verify(module);
}
