//===- Passes.td - mlc dialect passes ----------------------*- tablegen -*-===//

#ifndef MLC_TRANSFORMS_PASSES_TD
#define MLC_TRANSFORMS_PASSES_TD

include "mlir/Pass/PassBase.td"

def MaterializeParams : Pass<"mlc-materialize-params", "::mlir::ModuleOp"> {
  let summary = "Expand layer ops into core ops and named mlc.param symbols";
  let description = [{
    Rewrites the layer sugar of every `mlc.model`:

    * `mlc.dense` becomes `mlc.param_ref` of `<layer>.kernel` (and
      `<layer>.bias` when `use_bias`), `mlc.matmul`, `mlc.add` and the
      activation op. The params are declared with the layer's initializers,
      by default Keras's: Glorot uniform for the kernel, zeros for the bias.
    * `mlc.flatten` becomes `mlc.reshape`.

    Layers without a `name` are named like Keras names them: `dense`,
    `dense_1`, `dense_2`, ... Two layers with the same name are an error.
  }];
  let dependentDialects = ["::mlc::MLCDialect"];
}

#endif // MLC_TRANSFORMS_PASSES_TD
