//===- Passes.td - GPU code generation passes --------------*- tablegen -*-===//

#ifndef MLC_CODEGEN_GPU_PASSES_TD
#define MLC_CODEGEN_GPU_PASSES_TD

include "mlir/Pass/PassBase.td"

def GPUPrepareLoops : Pass<"mlc-gpu-prepare-loops", "::mlir::func::FuncOp"> {
  let summary = "Shape bufferized linalg so each op maps to one GPU kernel";
  let description = [{
    Run on linalg over buffers, before `convert-linalg-to-parallel-loops`:

    * `memref.copy` becomes `linalg.copy`, so copies run on the device too
      rather than through a host runtime call;
    * a linalg op whose reduction dimensions come before parallel ones
      (a column sum over the batch, the weight gradient `x^T dz` written as
      a generic) is generalized and interchanged so its parallel dimensions
      are outermost. `convert-linalg-to-parallel-loops` then gives one
      `scf.parallel` over every parallel dimension with the reduction as a
      loop inside each thread, which maps to a single kernel launch instead
      of one launch per reduction step.
  }];
  let dependentDialects = ["::mlir::linalg::LinalgDialect"];
}

def GPUMergeKernels : Pass<"mlc-gpu-merge-kernels", "::mlir::ModuleOp"> {
  let summary = "Gather every outlined kernel into one gpu.module";
  let description = [{
    `gpu-kernel-outlining` gives each kernel its own `gpu.module`. This
    pass moves them all into one module, `@mlc_kernels`, each kernel named
    after the module it came from, and retargets the `gpu.launch_func`s.
    One module is one PTX file and one load when the program starts.
  }];
  let dependentDialects = ["::mlir::gpu::GPUDialect"];
}

#endif // MLC_CODEGEN_GPU_PASSES_TD
