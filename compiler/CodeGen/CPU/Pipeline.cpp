//===- Pipeline.cpp - the CPU compilation pipeline ------------------------===//

#include "compiler/CodeGen/CPU/Pipeline.h"

#include "compiler/CodeGen/CPU/Passes.h"
#include "compiler/Conversion/Passes.h"
#include "dialects/MLC/Transforms/Passes.h"

#include "mlir/Pass/PassManager.h"
#include "mlir/Pass/PassRegistry.h"
#include "llvm/Support/FormatVariadic.h"

using namespace mlir;

// Pipelines are kept as textual pass lists: that is the form a user can copy
// into `mlc-opt --pass-pipeline=...` to reproduce any stage.
// canonicalize,cse after autodiff simplify the gradient graph while it is
// still mlc ops.
static constexpr const char *kMaterialize = "mlc-materialize-params,";
static constexpr const char *kGraphToLinalg =
    "mlc-build-entry-points,func.func(mlc-autodiff),"
    "canonicalize,cse,func.func(mlc-optimizer,mlc-to-linalg),canonicalize,cse,"
    "func.func(linalg-fuse-elementwise-ops),canonicalize,cse";

/// The schedule and lowering, with the OpenMP passes ({0}, {1}, {2}), the
/// vector width ({3}) and the math approximation ({4}) filled in.
static constexpr const char *kLinalgToLLVM =
    // Tile, fuse, vectorize and bufferize (params and inputs arrive as
    // memrefs, so function boundaries are already buffers).
    "mlc-cpu-schedule{{vector-bits={3}},{0}"
    "func.func(buffer-hoisting,buffer-loop-hoisting),mlc-workspace,"
    "ownership-based-buffer-deallocation,canonicalize,"
    "buffer-deallocation-simplification,bufferization-lower-deallocations,"
    "cse,canonicalize,"
    // Loops.
    "func.func(convert-linalg-to-loops),{1}fold-memref-alias-ops,"
    "lower-affine,math-expand-ops{{ops=tanh},{4}"
    // LLVM.
    "convert-vector-to-scf,convert-scf-to-cf,expand-strided-metadata,"
    "lower-affine,convert-vector-to-llvm,finalize-memref-to-llvm,"
    "convert-math-to-llvm,convert-math-to-libm,convert-arith-to-llvm,"
    "convert-cf-to-llvm,convert-func-to-llvm,convert-index-to-llvm,"
    "convert-ub-to-llvm,{2}canonicalize,cse,reconcile-unrealized-casts";

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
};
} // namespace

static void addPipeline(OpPassManager &pm, const char *pipeline) {
  // The strings are fixed and their passes registered by mlc; a failure
  // here is a programming error, reported loudly.
  if (failed(parsePassPipeline(pipeline, pm, llvm::errs())))
    llvm::report_fatal_error("mlc: invalid built-in pass pipeline");
}

void mlc::buildGraphToLinalgPipeline(OpPassManager &pm, bool materialize) {
  addPipeline(pm, (std::string(materialize ? kMaterialize : "") +
                   kGraphToLinalg)
                      .c_str());
}

void mlc::buildLinalgToLLVMPipeline(OpPassManager &pm, unsigned threads,
                                    unsigned vectorBits, bool approximateMath) {
  std::string pipeline;
  const char *math = approximateMath ? "mlc-approximate-math," : "";
  if (threads == 1) {
    pipeline =
        llvm::formatv(kLinalgToLLVM, "", "", "", vectorBits, math).str();
  } else {
    // Canonicalize right after the OpenMP conversion: it inlines the
    // alloca scopes that convert-scf-to-cf cannot handle.
    pipeline = llvm::formatv(
                   kLinalgToLLVM, "func.func(mlc-parallelize-tiles),",
                   llvm::formatv("convert-scf-to-openmp{{num-threads={0}},"
                                 "canonicalize,",
                                 threads)
                       .str(),
                   "convert-openmp-to-llvm,", vectorBits, math)
                   .str();
  }
  addPipeline(pm, pipeline.c_str());
}

void mlc::registerCPUPipelines() {
  registerMLCCodeGenCPUPasses();
  PassPipelineRegistration<>(
      "mlc-graph-to-linalg",
      "mlc.model -> entry-point functions on linalg tensors",
      [](OpPassManager &pm) { buildGraphToLinalgPipeline(pm); });
  PassPipelineRegistration<CPUPipelineOptions>(
      "mlc-linalg-to-llvm", "linalg on tensors -> LLVM dialect for the CPU",
      [](OpPassManager &pm, const CPUPipelineOptions &options) {
        buildLinalgToLLVMPipeline(pm, options.threads, options.vectorBits,
                                  options.approximateMath);
      });
  PassPipelineRegistration<CPUPipelineOptions>(
      "mlc-cpu", "mlc.model -> LLVM dialect for the CPU (both pipelines)",
      [](OpPassManager &pm, const CPUPipelineOptions &options) {
        buildGraphToLinalgPipeline(pm);
        buildLinalgToLLVMPipeline(pm, options.threads, options.vectorBits,
                                  options.approximateMath);
      });
}
