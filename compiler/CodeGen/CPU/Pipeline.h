//===- Pipeline.h - the CPU compilation pipeline ----------------*- C++ -*-===//
//
// The pass pipeline that takes entry points on linalg tensors (see
// CodeGen/Common/Pipeline.h) to the LLVM dialect for a CPU. It is also
// registered by name, so `mlc-opt` runs exactly what the driver runs
// (`mlc compile --print-pipeline` prints it).
//
//===----------------------------------------------------------------------===//

#ifndef MLC_COMPILER_CODEGEN_CPU_PIPELINE_H
#define MLC_COMPILER_CODEGEN_CPU_PIPELINE_H

#include <string>

namespace mlir {
class OpPassManager;
} // namespace mlir

namespace mlc {

/// What the CPU pipeline is built for.
struct CPUPipelineConfig {
  /// OpenMP threads for row tiles: 1 none, 0 as many as the OpenMP runtime
  /// chooses (normally one per core).
  unsigned threads = 1;
  /// The target's vector register width: 512, 256 or 128.
  unsigned vectorBits = 512;
  /// Inline f32 exp and log as polynomials (mlc-approximate-math).
  bool approximateMath = true;
  /// Matmuls whose B is larger than this many bytes loop over column tiles
  /// outside row tiles (mlc-cpu-schedule's columns-outer-bytes; 0: never).
  long long columnsOuterBytes = 0;
  /// bf16 matmuls on AVX512-BF16 dot products (mlc-cpu-schedule's
  /// bf16-matmuls).
  bool bf16Matmuls = false;
  /// Register tiles per matmul shape (mlc-cpu-schedule's tile-table).
  std::string tileTable;
  /// One function for the same loop nests (mlc-outline-kernels' share)
  /// and one schedule for the same matmul groups (mlc-cpu-schedule's
  /// share-groups): off with debug information, so each layer keeps its
  /// own lines.
  bool shareKernels = true;
};

/// linalg on tensors -> LLVM dialect: the CPU schedule (tiling, fusion,
/// vectorization, bufferization), one workspace, loops, and the
/// conversions to LLVM.
void buildLinalgToLLVMPipeline(mlir::OpPassManager &pm,
                               const CPUPipelineConfig &config);

/// Registers the CPU passes, `mlc-linalg-to-llvm` and `mlc-cpu` (a model
/// as written to the LLVM dialect).
void registerCPUPipelines();

} // namespace mlc

#endif // MLC_COMPILER_CODEGEN_CPU_PIPELINE_H
