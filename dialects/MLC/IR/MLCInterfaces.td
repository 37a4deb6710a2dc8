//===- MLCInterfaces.td - mlc op interfaces ----------------*- tablegen -*-===//

#ifndef MLC_INTERFACES_TD
#define MLC_INTERFACES_TD

include "mlir/IR/OpBase.td"

def MLC_DifferentiableOpInterface : OpInterface<"DifferentiableOpInterface"> {
  let cppNamespace = "::mlc";
  let description = [{
    An op that knows its vector-Jacobian product: given the gradient of the
    loss with respect to its result, it builds (with mlc ops, at the
    builder's insertion point) the gradient with respect to its operands.
    `mlc-autodiff` calls it on every op between the values differentiated
    against and the loss, in reverse order. Gradients of broadcasting
    operands are summed over the broadcast axes.

    A rule reports `(value, gradient)` pairs. The value is normally one of
    the op's operands; a fused rule may instead name a value further up,
    and the ops it skips then receive no gradient from it.
    Operands that are not differentiable (integer labels) get no pair.
  }];
  let methods = [
    InterfaceMethod<
      "Builds the gradients of the operands from `resultGrad`, the gradient "
      "of the op's result, and appends (value, gradient) pairs.",
      "::llvm::LogicalResult", "buildVJP",
      (ins "::mlir::OpBuilder &":$builder, "::mlir::Value":$resultGrad,
           "::llvm::SmallVectorImpl<std::pair<::mlir::Value, ::mlir::Value>> &":$grads)>,
    InterfaceMethod<
      "Like buildVJP for an op with several results: `resultGrads` has one "
      "gradient per result, null for a result the loss does not depend on "
      "(at least one is set).",
      "::llvm::LogicalResult", "buildVJPs",
      (ins "::mlir::OpBuilder &":$builder, "::mlir::ValueRange":$resultGrads,
           "::llvm::SmallVectorImpl<std::pair<::mlir::Value, ::mlir::Value>> &":$grads),
      [{}], [{ return $_op.buildVJP(builder, resultGrads[0], grads); }]>
  ];
}

def MLC_TrainingModeOpInterface : OpInterface<"TrainingModeOpInterface"> {
  let cppNamespace = "::mlc";
  let description = [{
    An op that computes something else in training than in inference
    (dropout, batch normalization). `mlc-build-entry-points` expands it
    with core ops when it copies the model graph into an entry point:
    the training form into `train_step`, the inference form into
    `predict` and `eval_step`.
  }];
  let methods = [
    InterfaceMethod<
      "Builds the op's training (`training`) or inference form from "
      "`operands` (the op's operands as the entry point sees them) at the "
      "builder's insertion point; returns one value per result.",
      "::llvm::SmallVector<::mlir::Value>", "expand",
      (ins "::mlir::OpBuilder &":$builder, "::mlir::ValueRange":$operands,
           "bool":$training)>
  ];
}

#endif // MLC_INTERFACES_TD
