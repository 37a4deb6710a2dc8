//===- Pipeline.h - target-neutral compilation stages -----------*- C++ -*-===//
//
// The stages every target starts with: layers to core ops and params, then
// entry points with gradients and optimizer updates on linalg tensors. The
// CPU and GPU backends continue from there (CodeGen/CPU, CodeGen/GPU).
// Each stage is registered by name, so `mlc-opt` runs exactly what the
// driver runs (`mlc compile --print-pipeline` prints it).
//
//===----------------------------------------------------------------------===//

#ifndef MLC_COMPILER_CODEGEN_COMMON_PIPELINE_H
#define MLC_COMPILER_CODEGEN_COMMON_PIPELINE_H

#include "mlir/Pass/PassManager.h"
#include "mlir/Pass/PassRegistry.h"
#include "llvm/ADT/StringRef.h"

namespace mlir {
class OpPassManager;
} // namespace mlir

namespace mlc {

/// Adds `passes` to `pm`, in order.
template <typename... Passes>
void addPasses(mlir::OpPassManager &pm, Passes &&...passes) {
  (pm.addPass(std::forward<Passes>(passes)), ...);
}

/// mlc.model as written -> core ops and named params
/// (mlc-materialize-params).
void buildMaterializePipeline(mlir::OpPassManager &pm);

/// mlc.model of core ops and params -> entry-point functions on linalg
/// tensors: mlc-build-entry-points, mlc-autodiff, mlc-optimizer,
/// mlc-to-linalg, elementwise fusion.
void buildGraphToLinalgPipeline(mlir::OpPassManager &pm);

/// Both stages: a model as written -> entry points on linalg tensors.
void buildModelToLinalgPipeline(mlir::OpPassManager &pm);

/// Registers `name`: a model as written to the end of a target's stages,
/// which `build` adds after the common ones for the pipeline's options.
template <typename Options>
void registerModelPipeline(llvm::StringRef name, llvm::StringRef description,
                           void (*build)(mlir::OpPassManager &,
                                         const Options &)) {
  mlir::PassPipelineRegistration<Options>(
      name, description,
      [build](mlir::OpPassManager &pm, const Options &options) {
        buildModelToLinalgPipeline(pm);
        build(pm, options);
      });
}

/// Registers the common passes and `mlc-graph-to-linalg` (both stages
/// above, from a model as written).
void registerCommonPipelines();

} // namespace mlc

#endif // MLC_COMPILER_CODEGEN_COMMON_PIPELINE_H
