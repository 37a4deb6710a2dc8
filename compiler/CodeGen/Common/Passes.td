//===- Passes.td - code generation passes every target uses -*- tablegen -*-===//

#ifndef MLC_CODEGEN_COMMON_PASSES_TD
#define MLC_CODEGEN_COMMON_PASSES_TD

include "mlir/Pass/PassBase.td"

def Workspace : Pass<"mlc-workspace", "::mlir::ModuleOp"> {
  let summary = "Carve every temporary buffer out of one caller workspace";
  let description = [{
    For each entry point (`mlc.entry`), replaces the `memref.alloc`s in the
    function body by `memref.view`s into a new last argument
    `%workspace: memref<?xi8>` (64-byte aligned, 64-byte aligned offsets),
    and adds `@<entry>_workspace_bytes`, which takes the entry point's other
    arguments and returns the number of bytes the workspace needs for their
    shapes (the batch size). The caller allocates the workspace once and
    reuses it, so a call allocates nothing: page faults cost more than a
    small training step here.

    Run after bufferization, before buffer deallocation. An allocation
    whose size depends on data rather than on argument shapes is reported.
  }];
  let dependentDialects = ["::mlir::memref::MemRefDialect",
                           "::mlir::arith::ArithDialect"];
}

def FuseElementwise : Pass<"mlc-fuse-elementwise", "::mlir::func::FuncOp"> {
  let summary = "Fuse elementwise linalg ops into bounded multi-result loops";
  let description = [{
    Fuses producer `linalg.generic`s into their consumers, as upstream's
    `linalg-fuse-elementwise-ops` does, with two differences that keep
    code size and compile time linear in the graph:

    - A producer whose result is also used later (a forward activation
      that the backward pass reads again) still fuses: the fused op yields
      that result too, so nothing is computed twice. Only when every other
      user comes after the consumer, so that the fused op dominates them,
      and only into an all-parallel consumer of the same iteration space.
    - A fused body is capped at `max-body-cost` (transcendental ops count
      as 16, others as 1). An unbounded chain of tanh ops would otherwise
      become one loop body of thousands of polynomial expansions, whose
      register allocation is super-linear in LLVM.

    Reshapes are folded by expansion, and constants folded, as upstream.
  }];
  let options = [
    Option<"maxBodyCost", "max-body-cost", "unsigned", /*default=*/"256",
           "Largest fused body: ops, with transcendental ones as 16">,
  ];
  let dependentDialects = ["::mlir::linalg::LinalgDialect",
                           "::mlir::tensor::TensorDialect"];
}

#endif // MLC_CODEGEN_COMMON_PASSES_TD
