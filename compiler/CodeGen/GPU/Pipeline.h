//===- Pipeline.h - the GPU compilation pipeline ----------------*- C++ -*-===//
//
// From entry points on linalg tensors (mlc-graph-to-linalg) to gpu kernels
// and host code calling them, then to NVVM and a device binary embedded in
// the host module. Registered by name for `mlc-opt`, like the CPU's.
//
//===----------------------------------------------------------------------===//

#ifndef MLC_COMPILER_CODEGEN_GPU_PIPELINE_H
#define MLC_COMPILER_CODEGEN_GPU_PIPELINE_H

#include <string>

namespace mlir {
class OpPassManager;
} // namespace mlir

namespace mlc {

/// An NVIDIA GPU to compile for.
struct GPUTarget {
  std::string chip = "sm_90a"; ///< sm_80, sm_89, sm_90, sm_90a, ...
  /// PTX ISA version feature; LLVM rejects a chip with a PTX version that
  /// predates it, so this follows the chip (see ptxFeatureFor).
  std::string features = "+ptx80";
  /// "isa" (PTX, loaded through the driver's JIT), "bin" (cubin) or
  /// "fatbin" (cubin + PTX); the last two need ptxas from the CUDA toolkit.
  std::string format = "isa";
  /// The CUDA toolkit whose ptxas builds cubins (its root, holding
  /// bin/ptxas); empty: where gpu-module-to-binary looks by itself.
  std::string toolkit;
};

/// The PTX feature a chip needs: "+ptx80" up to sm_90a, newer for
/// Blackwell; empty if the chip is not one mlc knows.
std::string ptxFeatureFor(const std::string &chip);

/// linalg on tensors -> gpu.launch_func of outlined kernels, all in one
/// gpu.module: bufferization, one workspace, parallel loops tiled into
/// 16 x 16 thread blocks, mapped, outlined.
void buildLinalgToGPUPipeline(mlir::OpPassManager &pm);

/// gpu kernels + host code -> LLVM dialect with the device binary embedded.
void buildGPUToNVVMPipeline(mlir::OpPassManager &pm, const GPUTarget &target);

/// Registers the GPU passes, `mlc-linalg-to-gpu`, `mlc-gpu-to-nvvm` and
/// `mlc-gpu` (a model as written to the LLVM dialect).
void registerGPUPipelines();

} // namespace mlc

#endif // MLC_COMPILER_CODEGEN_GPU_PIPELINE_H
