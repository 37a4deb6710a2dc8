//===- Pipeline.cpp - the CPU compilation pipeline ------------------------===//

#include "compiler/CodeGen/CPU/Pipeline.h"

#include "compiler/CodeGen/CPU/Passes.h"
#include "compiler/CodeGen/Common/Passes.h"
#include "compiler/CodeGen/Common/Pipeline.h"

#include "mlir/Conversion/Passes.h"
#include "mlir/Dialect/Bufferization/Transforms/Passes.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/LLVMIR/LLVMDialect.h"
#include "mlir/Dialect/Linalg/Passes.h"
#include "mlir/Dialect/Math/Transforms/Passes.h"
#include "mlir/Dialect/MemRef/Transforms/Passes.h"
#include "mlir/Pass/PassManager.h"
#include "mlir/Pass/PassRegistry.h"
#include "mlir/Transforms/Passes.h"
#include "llvm/Support/ErrorHandling.h"

#include <cstdlib>

using namespace mlir;

/// For measuring variants against each other (bench/step-bench.cpp
/// --variant): `prefix` and the value of environment variable `name`, when
/// set, are options of `pass`. Part of the compile cache's key
/// (Driver/CompileCache.cpp).
static void optionsFromEnvironment(Pass &pass, const char *name,
                                   StringRef prefix = "") {
  const char *value = std::getenv(name);
  if (!value)
    return;
  std::string text = (prefix + value).str();
  if (failed(pass.initializeOptions(text, [&](const Twine &msg) {
        llvm::errs() << name << ": " << msg << "\n";
        return failure();
      })))
    llvm::report_fatal_error(llvm::Twine(name) + " does not give options of " +
                             pass.getArgument());
}

void mlc::buildLinalgToLLVMPipeline(OpPassManager &pm,
                                    const CPUPipelineConfig &config) {
  bool threaded = config.threads != 1;
  // Tile, fuse, vectorize and bufferize (params and inputs arrive as
  // memrefs, so function boundaries are already buffers).
  CPUScheduleOptions schedule;
  schedule.vectorBits = config.vectorBits;
  schedule.columnsOuterBytes = config.columnsOuterBytes;
  schedule.bf16Matmuls = config.bf16Matmuls;
  schedule.tileTable = config.tileTable;
  // Under --debug-info each layer keeps its own lines (a shared schedule
  // would carry the first layer's locations into the others).
  schedule.shareGroups = config.shareKernels;
  WidenChannelsOptions widen;
  widen.vectorBits = config.vectorBits;
  pm.addNestedPass<func::FuncOp>(createWidenChannels(widen));
  std::unique_ptr<Pass> schedulePass = createCPUSchedule(schedule);
  // Extra mlc-cpu-schedule options, e.g.
  // MLC_SCHEDULE_OPTIONS="pack-operands=false vector-registers=32".
  optionsFromEnvironment(*schedulePass, "MLC_SCHEDULE_OPTIONS");
  pm.addPass(std::move(schedulePass));
  // Everything that does not add symbols to the module runs nested on the
  // functions, which the pass manager then lowers in parallel (the entry
  // points of a model are independent).
  OpPassManager *f = &pm.nest<func::FuncOp>();
  if (threaded)
    f->addPass(createParallelizeTiles());
  addPasses(*f, bufferization::createBufferHoistingPass(),
            bufferization::createBufferLoopHoistingPass());
  pm.addPass(createWorkspace());
  pm.addPass(createBufferDeallocation());
  f = &pm.nest<func::FuncOp>();
  addPasses(*f, createCSEPass(), createCanonicalizerPass());

  // Loops.
  f->addPass(createConvertLinalgToLoopsPass());
  // Each loop nest a function, the same loop nests one function: what
  // follows then lowers and compiles each distinct one once.
  if (!std::getenv("MLC_NO_OUTLINE")) {
    OutlineKernelsOptions outline;
    outline.share = config.shareKernels;
    pm.addPass(createOutlineKernels(outline));
  }
  if (threaded) {
    ConvertSCFToOpenMPPassOptions openmp;
    openmp.numThreads = config.threads;
    pm.addPass(createConvertSCFToOpenMPPass(openmp));
    ParallelMinWorkOptions minWork;
    minWork.threads = config.threads;
    std::unique_ptr<Pass> minWorkPass = createParallelMinWork(minWork);
    optionsFromEnvironment(*minWorkPass, "MLC_PARALLEL_MIN_WORK", "min-work=");
    pm.addPass(std::move(minWorkPass));
  }
  f = &pm.nest<func::FuncOp>();
  // Inlines the alloca scopes that convert-scf-to-cf cannot handle.
  if (threaded)
    f->addPass(createCanonicalizerPass());
  addPasses(*f, createFoldMemRefAliases(), createLowerAffinePass());
  math::MathExpandOpsPassOptions expand;
  expand.opMnemonics = {"tanh"};
  f->addPass(math::createMathExpandOpsPass(expand));
  if (config.approximateMath)
    f->addPass(createApproximateMath());

  // LLVM: control flow and memref metadata in core dialects first, then
  // each dialect's conversion; those that declare functions (memref's
  // malloc, libm) or convert signatures run on the module.
  addPasses(*f, createConvertVectorToSCFPass(), createSCFToControlFlowPass(),
            memref::createExpandStridedMetadataPass(), createLowerAffinePass());
  // x86vector: the bf16 dot products of bf16-matmuls.
  ConvertVectorToLLVMPassOptions vectorToLLVM;
  vectorToLLVM.x86Vector = true;
  addPasses(*f, createConvertVectorToLLVMPass(vectorToLLVM),
            createConvertMathToLLVMPass());
  addPasses(pm, createFinalizeMemRefToLLVMConversionPass(),
            createConvertMathToLibmPass());
  pm.addNestedPass<func::FuncOp>(createArithToLLVMConversionPass());
  addPasses(pm, createConvertControlFlowToLLVMPass(),
            createConvertFuncToLLVMPass());
  OpPassManager &llvmFunc = pm.nest<LLVM::LLVMFuncOp>();
  addPasses(llvmFunc, createConvertIndexToLLVMPass(),
            createUBToLLVMConversionPass());
  if (threaded)
    pm.addPass(createConvertOpenMPToLLVMPass());
  // No block merging: on LLVM-dialect functions with OpenMP regions it is
  // super-linear (15 s of a 16 s compile for a chain of 10 tanh ops).
  GreedyRewriteConfig cleanup;
  cleanup.setRegionSimplificationLevel(GreedySimplifyRegionLevel::Normal);
  addPasses(pm.nest<LLVM::LLVMFuncOp>(), createCanonicalizerPass(cleanup),
            createCSEPass());
  pm.addPass(createReconcileUnrealizedCastsPass());
}

namespace {
struct CPUPipelineOptions : public PassPipelineOptions<CPUPipelineOptions> {
  Option<unsigned> threads{*this, "threads",
                           llvm::cl::desc("OpenMP threads for row tiles (1: "
                                          "none; 0: the runtime's default)"),
                           llvm::cl::init(1)};
  Option<unsigned> vectorBits{*this, "vector-bits",
                              llvm::cl::desc("Vector register width: 512, "
                                             "256 or 128"),
                              llvm::cl::init(512)};
  Option<bool> approximateMath{
      *this, "approximate-math",
      llvm::cl::desc("Inline f32 exp and log as polynomials "
                     "(mlc-approximate-math)"),
      llvm::cl::init(true)};
  Option<long long> columnsOuterBytes{
      *this, "columns-outer-bytes",
      llvm::cl::desc("Loop over column tiles outside row tiles for matmuls "
                     "whose B is larger than this (0: never)"),
      llvm::cl::init(0)};
  Option<bool> bf16Matmuls{
      *this, "bf16-matmuls",
      llvm::cl::desc("bf16 matmuls with f32 accumulation on AVX512-BF16 dot "
                     "products"),
      llvm::cl::init(false)};

  mlc::CPUPipelineConfig config() const {
    return {threads, vectorBits, approximateMath, columnsOuterBytes,
            bf16Matmuls};
  }
};
} // namespace

static void buildLinalgToLLVM(OpPassManager &pm,
                              const CPUPipelineOptions &options) {
  mlc::buildLinalgToLLVMPipeline(pm, options.config());
}

void mlc::registerCPUPipelines() {
  registerMLCCodeGenCPUPasses();
  PassPipelineRegistration<CPUPipelineOptions>(
      "mlc-linalg-to-llvm", "linalg on tensors -> LLVM dialect for the CPU",
      buildLinalgToLLVM);
  registerModelPipeline<CPUPipelineOptions>(
      "mlc-cpu", "mlc.model -> LLVM dialect for the CPU (all stages)",
      buildLinalgToLLVM);
}
