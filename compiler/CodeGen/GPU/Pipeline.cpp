//===- Pipeline.cpp - the GPU compilation pipeline ------------------------===//

#include "compiler/CodeGen/GPU/Pipeline.h"

#include "compiler/CodeGen/CPU/Pipeline.h"
#include "compiler/CodeGen/GPU/Passes.h"

#include "mlir/Dialect/GPU/Pipelines/Passes.h"
#include "mlir/Pass/PassManager.h"
#include "mlir/Pass/PassRegistry.h"
#include "llvm/ADT/StringRef.h"
#include "llvm/Support/FormatVariadic.h"

using namespace mlir;

// Temporaries come from one caller-provided workspace (mlc-workspace), as
// on the CPU, so a step allocates nothing. Matrix products become shared-
// memory tiled kernels, reductions one block per output with warp
// shuffles; every other parallel loop nest is tiled into blocks of 16 x 16
// threads (16 for 1-D nests), with bounds guarded inside the block rather
// than clamped, so the launch sizes stay static.
static constexpr const char *kLinalgToGPU =
    "one-shot-bufferize,canonicalize,cse,func.func(buffer-hoisting),"
    "mlc-workspace,canonicalize,cse,"
    "func.func(mlc-gpu-prepare-loops,mlc-gpu-tile-matmuls,"
    "mlc-gpu-reductions,convert-linalg-to-parallel-loops),"
    "canonicalize,"
    "func.func(scf-parallel-loop-tiling{parallel-loop-tile-sizes=16,16 "
    "no-min-max-bounds=true},gpu-map-parallel-loops,"
    "convert-parallel-loops-to-gpu,gpu-launch-sink-index-computations),"
    "gpu-kernel-outlining,mlc-gpu-merge-kernels,canonicalize,cse";

/// Upstream's NVVM pipeline: kernels to NVVM and a binary, host to LLVM.
static constexpr const char *kGPUToNVVM =
    "gpu-lower-to-nvvm-pipeline{{cubin-chip={0} cubin-features={1} "
    "cubin-format={2} opt-level=3}";

namespace {
struct GPUPipelineOptions : public PassPipelineOptions<GPUPipelineOptions> {
  Option<std::string> chip{*this, "chip",
                           llvm::cl::desc("NVIDIA chip: sm_80, sm_90a, ..."),
                           llvm::cl::init("sm_90a")};
  Option<std::string> format{
      *this, "format",
      llvm::cl::desc("Device code: isa (PTX), bin (cubin), fatbin"),
      llvm::cl::init("isa")};
};

mlc::GPUTarget targetFrom(const GPUPipelineOptions &options) {
  mlc::GPUTarget target;
  target.chip = options.chip;
  target.features = mlc::ptxFeatureFor(target.chip);
  if (target.features.empty())
    target.features = "+ptx80";
  target.format = options.format;
  return target;
}
} // namespace

static void addPipeline(OpPassManager &pm, llvm::StringRef pipeline) {
  if (failed(parsePassPipeline(pipeline, pm, llvm::errs())))
    llvm::report_fatal_error("mlc: invalid built-in GPU pass pipeline");
}

std::string mlc::ptxFeatureFor(const std::string &chip) {
  llvm::StringRef name = chip;
  if (!name.consume_front("sm_"))
    return "";
  unsigned number = 0;
  llvm::StringRef digits = name.take_while(llvm::isDigit);
  llvm::StringRef suffix = name.drop_front(digits.size());
  if (digits.getAsInteger(10, number) || !(suffix.empty() || suffix == "a" ||
                                           suffix == "f"))
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

void mlc::buildLinalgToGPUPipeline(OpPassManager &pm) {
  addPipeline(pm, kLinalgToGPU);
}

void mlc::buildGPUToNVVMPipeline(OpPassManager &pm, const GPUTarget &target) {
  addPipeline(pm, llvm::formatv(kGPUToNVVM, target.chip, target.features,
                                target.format)
                      .str());
}

void mlc::registerGPUPipelines() {
  registerMLCCodeGenGPUPasses();
  gpu::registerGPUToNVVMPipeline();
  PassPipelineRegistration<>(
      "mlc-linalg-to-gpu",
      "linalg on tensors -> gpu kernels launched from host code",
      [](OpPassManager &pm) { buildLinalgToGPUPipeline(pm); });
  PassPipelineRegistration<GPUPipelineOptions>(
      "mlc-gpu-to-nvvm",
      "gpu kernels + host code -> LLVM dialect with an embedded NVVM binary",
      [](OpPassManager &pm, const GPUPipelineOptions &options) {
        buildGPUToNVVMPipeline(pm, targetFrom(options));
      });
  PassPipelineRegistration<GPUPipelineOptions>(
      "mlc-gpu", "mlc.model -> LLVM dialect with NVVM kernels (all stages)",
      [](OpPassManager &pm, const GPUPipelineOptions &options) {
        buildGraphToLinalgPipeline(pm);
        buildLinalgToGPUPipeline(pm);
        buildGPUToNVVMPipeline(pm, targetFrom(options));
      });
}
