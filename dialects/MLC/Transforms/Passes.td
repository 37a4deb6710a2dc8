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

def BuildEntryPoints : Pass<"mlc-build-entry-points", "::mlir::ModuleOp"> {
  let summary = "Turn each mlc.model into entry-point functions";
  let description = [{
    For every `mlc.model @m`, creates `func.func @m_predict` with the
    destination-passing kernel ABI that code generation and the JIT use:

    ```
    func.func @m_predict(<params in declaration order>, <inputs in order>,
                         <one buffer per output>)
        attributes {llvm.emit_c_interface}
    ```

    Every argument is a memref with the identity layout. The function's
    `mlc.params` and `mlc.inputs` attributes list the argument names in order
    and `mlc.num_outputs` counts the output buffers.
    Params and inputs are read-only; results are written into the output
    buffers, which the caller allocates (no buffer is returned). The body is
    the model's graph on tensors, bracketed by `bufferization.to_tensor` and
    `bufferization.materialize_in_destination`. The model op is erased.

    Layer ops must have been expanded (`mlc-materialize-params`) first.
  }];
  let dependentDialects = ["::mlir::func::FuncDialect",
                           "::mlir::bufferization::BufferizationDialect",
                           "::mlir::memref::MemRefDialect"];
}

def ExpandAttention : Pass<"mlc-expand-attention", "::mlir::func::FuncOp"> {
  let summary = "Turn attention into a loop over batch rows and heads";
  let description = [{
    Rewrites `mlc.attention` into two nested `scf.for` loops, over the batch
    rows and the heads, whose body takes one head's `(time, width)` columns
    of q, k and v, computes the scores `q k^T` (one 2-D matmul), scales and
    masks them (causal: -1e9 above the diagonal) in one elementwise op,
    takes their softmax and multiplies by v, and writes the head's columns
    of the result.

    `mlc.attention_grad` becomes the same loops recomputing the head's
    probabilities, then `dv = P^T g`, `dP = g v^T`, `dS = P (dP -
    rowsum(dP P))` scaled, `dq = dS k`, `dk = dS^T q`: one head's scores
    live at a time, in the forward and in the backward.
  }];
  let dependentDialects = ["::mlir::scf::SCFDialect",
                           "::mlir::tensor::TensorDialect",
                           "::mlir::arith::ArithDialect",
                           "::mlir::linalg::LinalgDialect"];
}

def ExpandRecurrences : Pass<"mlc-expand-recurrences", "::mlir::func::FuncOp"> {
  let summary = "Turn recurrences into loops over the time steps";
  let description = [{
    Rewrites `mlc.lstm_scan` into an `scf.for` over the sequence's runtime
    length whose body is one step in mlc ops: the recurrent matmul added to
    the step's slice of the input projection, the gate activations, and
    the new cell and hidden state, written into the sequence results. The
    saved cells and gates are written only when something reads them (the
    gradient in `train_step`).

    `mlc.lstm_scan_grad` becomes a loop from the last step to the second
    and the first step after it (peeled: its previous state is zero). A
    step adds the sequence gradient to the gradient flowing back from the
    next step, forms the gates' gradients, writes them into the input
    projection's gradient, sends `dz · recurrent_kernel^T` to the previous
    step and adds `h_prev^T · dz` to the recurrent kernel's gradient.
  }];
  let dependentDialects = ["::mlir::scf::SCFDialect",
                           "::mlir::tensor::TensorDialect",
                           "::mlir::arith::ArithDialect",
                           "::mlir::linalg::LinalgDialect",
                           "::mlir::bufferization::BufferizationDialect"];
}

#endif // MLC_TRANSFORMS_PASSES_TD
