//===- Passes.td - mlc optimizer passes --------------------*- tablegen -*-===//

#ifndef MLC_OPTIMIZERS_PASSES_TD
#define MLC_OPTIMIZERS_PASSES_TD

include "mlir/Pass/PassBase.td"

def Optimizer : Pass<"mlc-optimizer", "::mlir::func::FuncOp"> {
  let summary = "Lower optimizer updates to in-place elementwise loops";
  let description = [{
    Replaces each `mlc.optimizer_update` by one `linalg.generic` that reads
    the gradient and writes the new parameter and optimizer state into the
    parameter's and states' own tensors (so bufferization updates them in
    place). SGD (plain, momentum, Nesterov), Adam, AdamW and RMSprop, with
    Keras's formulas (docs/optimizers.md).
  }];
  let dependentDialects = ["::mlir::linalg::LinalgDialect",
                           "::mlir::arith::ArithDialect",
                           "::mlir::math::MathDialect",
                           "::mlir::tensor::TensorDialect"];
}

#endif // MLC_OPTIMIZERS_PASSES_TD
