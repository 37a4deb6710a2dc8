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
    Functions the kernels call (outlining copies them into each module)
    keep their names, with a suffix where another copy took it, and their
    calls follow. One module is one PTX file and one load when the program
    starts.
  }];
  let dependentDialects = ["::mlir::gpu::GPUDialect"];
}

def GPUTileMatmuls : Pass<"mlc-gpu-tile-matmuls", "::mlir::func::FuncOp"> {
  let summary = "Matmuls as shared-memory tiled GPU kernels";
  let description = [{
    Rewrites every matrix product on buffers, a `linalg.matmul` or a
    generic of the same shape (two parallel dimensions, then one reduction,
    `c += a * b`, operands read in either orientation, as autodiff writes
    `x^T dz` and `dz w^T`), into a `gpu.launch` over 16 x 16 output tiles.

    Each block walks K in steps of 16. Its 256 threads first load a 16 x 16
    tile of each operand into workgroup (shared) memory, reading zeros past
    the edges. After a barrier, each thread accumulates its output element
    from the two tiles in a register, and a second barrier ends the step.
    Threads along x take consecutive columns, so loads of row-major
    operands are coalesced. The result is added to the output, as linalg
    defines it (the zero fill before it is a kernel of its own).

    Run after bufferization and mlc-gpu-prepare-loops, before the remaining
    linalg ops become parallel loops.
  }];
  let options = [
    Option<"tile", "tile", "int64_t", "16",
           "Output tile edge and K step (threads per block: tile x tile)">,
  ];
  let dependentDialects = ["::mlir::gpu::GPUDialect", "::mlir::scf::SCFDialect",
                           "::mlir::arith::ArithDialect",
                           "::mlir::memref::MemRefDialect"];
}

def GPUReductions : Pass<"mlc-gpu-reductions", "::mlir::func::FuncOp"> {
  let summary = "Reductions as one block per output with warp shuffles";
  let description = [{
    Rewrites a linalg op on buffers that reduces into an f32 output with
    `out + f(inputs)` or `max(out, f(inputs))`. Examples: the loss of a
    batch (every dimension reduced, a scalar), softmax row statistics, bias
    gradients (a sum over the batch).

    The result is a `gpu.launch` with one block per output element. The
    block has 256 threads, or fewer when the reduction is short and static
    (rounded up to whole warps of 32). Each thread folds a strided share
    of the block's flattened reduction space, computing `f` from its
    loads. Then `gpu.all_reduce` combines the threads' values; upstream
    lowers it to warp shuffles plus shared memory. Thread 0 folds the
    total into the output.

    Matrix products are left to mlc-gpu-tile-matmuls, which runs first.
    Inputs need projected-permutation indexing maps, and the output map
    must use every parallel dimension and only those.
  }];
  let dependentDialects = ["::mlir::gpu::GPUDialect", "::mlir::scf::SCFDialect",
                           "::mlir::arith::ArithDialect",
                           "::mlir::memref::MemRefDialect"];
}

#endif // MLC_CODEGEN_GPU_PASSES_TD
