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

#endif // MLC_CODEGEN_COMMON_PASSES_TD
