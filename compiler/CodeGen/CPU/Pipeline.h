//===- Pipeline.h - the CPU compilation pipeline ----------------*- C++ -*-===//
//
// The pass pipelines that take an mlc model to the LLVM dialect for the host
// CPU. Each is also registered by name, so `mlc-opt` runs exactly what the
// driver runs (`mlc compile --print-pipeline` prints it).
//
//===----------------------------------------------------------------------===//

#ifndef MLC_COMPILER_CODEGEN_CPU_PIPELINE_H
#define MLC_COMPILER_CODEGEN_CPU_PIPELINE_H

namespace mlir {
class OpPassManager;
} // namespace mlir

namespace mlc {

/// mlc.model -> entry-point functions on linalg tensors:
/// mlc-materialize-params (unless `materialize` is false: a caller that
/// already ran it), mlc-build-entry-points, mlc-to-linalg, fusion.
void buildGraphToLinalgPipeline(mlir::OpPassManager &pm,
                                bool materialize = true);

/// linalg on tensors -> LLVM dialect: the CPU schedule (tiling, fusion,
/// vectorization, bufferization), loops, and the conversions to LLVM.
/// `threads` != 1 runs row tiles on OpenMP threads (0: as many as the
/// OpenMP runtime chooses, normally one per core).
/// `vectorBits` is the target's vector register width (512, 256 or 128).
/// `approximateMath` inlines f32 exp and log (mlc-approximate-math).
void buildLinalgToLLVMPipeline(mlir::OpPassManager &pm, unsigned threads = 1,
                               unsigned vectorBits = 512,
                               bool approximateMath = true);

/// Registers `mlc-graph-to-linalg`, `mlc-linalg-to-llvm` and `mlc-cpu`.
void registerCPUPipelines();

} // namespace mlc

#endif // MLC_COMPILER_CODEGEN_CPU_PIPELINE_H
