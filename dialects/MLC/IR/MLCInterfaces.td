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
           "::llvm::SmallVectorImpl<std::pair<::mlir::Value, ::mlir::Value>> &":$grads)>
  ];
}

#endif // MLC_INTERFACES_TD
