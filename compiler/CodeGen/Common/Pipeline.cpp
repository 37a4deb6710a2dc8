//===- Pipeline.cpp - target-neutral compilation stages -------------------===//

#include "compiler/CodeGen/Common/Pipeline.h"

#include "compiler/Autodiff/Passes.h"
#include "compiler/CodeGen/Common/Passes.h"
#include "compiler/Conversion/Passes.h"
#include "compiler/Optimizers/Passes.h"
#include "dialects/MLC/Transforms/Passes.h"

#include "mlir/Pass/PassManager.h"
#include "mlir/Pass/PassRegistry.h"
#include "mlir/Transforms/Passes.h"

using namespace mlir;

// Per function, so the entry points are simplified in parallel.
static void simplify(OpPassManager &pm) {
  OpPassManager &f = pm.nest<func::FuncOp>();
  f.addPass(createCanonicalizerPass());
  f.addPass(createCSEPass());
}

void mlc::buildMaterializePipeline(OpPassManager &pm) {
  pm.addPass(createMaterializeParams());
}

void mlc::buildGraphToLinalgPipeline(OpPassManager &pm) {
  pm.addPass(createBuildEntryPoints());
  pm.addNestedPass<func::FuncOp>(createAutodiff());
  // Simplify the gradient graph while it is still mlc ops.
  simplify(pm);
  OpPassManager &entry = pm.nest<func::FuncOp>();
  entry.addPass(createOptimizer());
  entry.addPass(createExpandRecurrences());
  entry.addPass(createExpandAttention());
  entry.addPass(createConvertMLCToLinalg());
  simplify(pm);
  pm.addNestedPass<func::FuncOp>(createFuseElementwise());
  simplify(pm);
}

void mlc::buildModelToLinalgPipeline(OpPassManager &pm) {
  buildMaterializePipeline(pm);
  buildGraphToLinalgPipeline(pm);
}

void mlc::registerCommonPipelines() {
  registerMLCCodeGenCommonPasses();
  PassPipelineRegistration<>(
      "mlc-graph-to-linalg",
      "mlc.model -> entry-point functions on linalg tensors",
      buildModelToLinalgPipeline);
}
