//===- Pipeline.cpp - the GPU compilation pipeline ------------------------===//

#include "compiler/CodeGen/GPU/Pipeline.h"

#include "compiler/CodeGen/Common/Passes.h"
#include "compiler/CodeGen/Common/Pipeline.h"
#include "compiler/CodeGen/GPU/Passes.h"

#include "mlir/Conversion/Passes.h"
#include "mlir/Dialect/Bufferization/Transforms/Passes.h"
#include "mlir/Dialect/GPU/Transforms/Passes.h"
#include "mlir/Dialect/Linalg/Passes.h"
#include "mlir/Dialect/MemRef/Transforms/Passes.h"
#include "mlir/Dialect/SCF/Transforms/Passes.h"
#include "mlir/Pass/PassManager.h"
#include "mlir/Pass/PassRegistry.h"
#include "mlir/Transforms/Passes.h"
#include "llvm/ADT/StringExtras.h"

using namespace mlir;

static void simplify(OpPassManager &pm) {
  pm.addPass(createCanonicalizerPass());
  pm.addPass(createCSEPass());
}

// Temporaries come from one caller-provided workspace (mlc-workspace), as
// on the CPU, so a step allocates nothing. Matrix products become shared-
// memory tiled kernels, reductions one block per output with warp
// shuffles; every other parallel loop nest is tiled into blocks of 16 x 16
// threads (16 for 1-D nests), with bounds guarded inside the block rather
// than clamped, so the launch sizes stay static.
void mlc::buildLinalgToGPUPipeline(OpPassManager &pm) {
  pm.addPass(bufferization::createOneShotBufferizePass());
  simplify(pm);
  pm.addNestedPass<func::FuncOp>(bufferization::createBufferHoistingPass());
  pm.addPass(createWorkspace());
  simplify(pm);
  OpPassManager &loops = pm.nest<func::FuncOp>();
  loops.addPass(createGPUPrepareLoops());
  loops.addPass(createGPUTileMatmuls());
  loops.addPass(createGPUReductions());
  loops.addPass(createConvertLinalgToParallelLoopsPass());
  pm.addPass(createCanonicalizerPass());
  OpPassManager &map = pm.nest<func::FuncOp>();
  map.addPass(createParallelLoopTilingPass({16, 16}, /*noMinMaxBounds=*/true));
  map.addPass(createGpuMapParallelLoopsPass());
  map.addPass(createConvertParallelLoopToGpuPass());
  map.addPass(createGpuLaunchSinkIndexComputationsPass());
  pm.addPass(createGpuKernelOutliningPass());
  pm.addPass(createGPUMergeKernels());
  simplify(pm);
}

// The stages of upstream's gpu-lower-to-nvvm-pipeline as LLVM 22 builds
// them, built here so the binary pass can be told where the toolkit is.
// Upstream's list changes between releases: compare on an upgrade.
void mlc::buildGPUToNVVMPipeline(OpPassManager &pm, const GPUTarget &target) {
  // Common to kernels and host.
  addPasses(pm, createConvertNVGPUToNVVMPass(), createGpuKernelOutliningPass(),
            createConvertVectorToSCFPass(), createSCFToControlFlowPass(),
            createConvertNVVMToLLVMPass(), createConvertFuncToLLVMPass(),
            memref::createExpandStridedMetadataPass());
  GpuNVVMAttachTargetOptions nvvm;
  nvvm.chip = target.chip;
  nvvm.features = target.features;
  nvvm.optLevel = 3;
  pm.addPass(createGpuNVVMAttachTarget(nvvm));
  pm.addPass(createLowerAffinePass());
  pm.addPass(createArithToLLVMConversionPass());
  ConvertIndexToLLVMPassOptions index;
  index.indexBitwidth = 64;
  pm.addPass(createConvertIndexToLLVMPass(index));
  simplify(pm);

  // Kernels.
  ConvertGpuOpsToNVVMOpsOptions kernels;
  kernels.indexBitwidth = 64;
  pm.addNestedPass<gpu::GPUModuleOp>(createConvertGpuOpsToNVVMOps(kernels));
  pm.addNestedPass<gpu::GPUModuleOp>(createCanonicalizerPass());
  pm.addNestedPass<gpu::GPUModuleOp>(createCSEPass());
  pm.addNestedPass<gpu::GPUModuleOp>(createReconcileUnrealizedCastsPass());

  // Host, with the kernels' binary.
  pm.addPass(createGpuToLLVMConversionPass());
  GpuModuleToBinaryPassOptions binary;
  binary.compilationTarget = target.format;
  binary.toolkitPath = target.toolkit;
  pm.addPass(createGpuModuleToBinaryPass(binary));
  pm.addPass(createConvertMathToLLVMPass());
  simplify(pm);
  pm.addPass(createReconcileUnrealizedCastsPass());
}

namespace {
struct GPUPipelineOptions : public PassPipelineOptions<GPUPipelineOptions> {
  Option<std::string> chip{*this, "chip",
                           llvm::cl::desc("NVIDIA chip: sm_80, sm_90a, ..."),
                           llvm::cl::init("sm_90a")};
  Option<std::string> format{
      *this, "format",
      llvm::cl::desc("Device code: isa (PTX), bin (cubin), fatbin"),
      llvm::cl::init("isa")};
  Option<std::string> toolkit{
      *this, "toolkit",
      llvm::cl::desc("CUDA toolkit root for ptxas (default: searched)"),
      llvm::cl::init("")};

  mlc::GPUTarget target() const {
    mlc::GPUTarget target;
    target.chip = chip;
    target.features = mlc::ptxFeatureFor(target.chip);
    if (target.features.empty())
      target.features = "+ptx80";
    target.format = format;
    target.toolkit = toolkit;
    return target;
  }
};
} // namespace

std::string mlc::ptxFeatureFor(const std::string &chip) {
  llvm::StringRef name = chip;
  if (!name.consume_front("sm_"))
    return "";
  unsigned number = 0;
  llvm::StringRef digits = name.take_while(llvm::isDigit);
  llvm::StringRef suffix = name.drop_front(digits.size());
  if (digits.getAsInteger(10, number) ||
      !(suffix.empty() || suffix == "a" || suffix == "f"))
    return "";
  // PTX 8.0 covers every chip up to Hopper (sm_90a needs it); Blackwell
  // needs 8.6 (sm_100, sm_101, sm_103) or 8.7 (sm_120, sm_121).
  if (number >= 50 && number <= 90)
    return "+ptx80";
  if (number >= 100 && number <= 103)
    return "+ptx86";
  if (number >= 120 && number <= 121)
    return "+ptx87";
  return "";
}

static void buildGPUToNVVM(OpPassManager &pm,
                           const GPUPipelineOptions &options) {
  mlc::buildGPUToNVVMPipeline(pm, options.target());
}

static void buildLinalgToNVVM(OpPassManager &pm,
                              const GPUPipelineOptions &options) {
  mlc::buildLinalgToGPUPipeline(pm);
  buildGPUToNVVM(pm, options);
}

void mlc::registerGPUPipelines() {
  registerMLCCodeGenGPUPasses();
  PassPipelineRegistration<>(
      "mlc-linalg-to-gpu",
      "linalg on tensors -> gpu kernels launched from host code",
      buildLinalgToGPUPipeline);
  PassPipelineRegistration<GPUPipelineOptions>(
      "mlc-gpu-to-nvvm",
      "gpu kernels + host code -> LLVM dialect with an embedded NVVM binary",
      buildGPUToNVVM);
  registerModelPipeline<GPUPipelineOptions>(
      "mlc-gpu", "mlc.model -> LLVM dialect with NVVM kernels (all stages)",
      buildLinalgToNVVM);
}
