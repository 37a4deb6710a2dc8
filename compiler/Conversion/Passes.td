//===- Passes.td - mlc conversion passes -------------------*- tablegen -*-===//

#ifndef MLC_CONVERSION_PASSES_TD
#define MLC_CONVERSION_PASSES_TD

include "mlir/Pass/PassBase.td"

def ConvertMLCToLinalg : Pass<"mlc-to-linalg", "::mlir::func::FuncOp"> {
  let summary = "Lower mlc core ops and losses to linalg on tensors";
  let description = [{
    Rewrites every mlc core op and loss in a function into `linalg`
    structured ops (named ops where one exists, `linalg.generic` otherwise)
    plus `tensor`, `arith` and `math`, on tensors.

    Numerically stable forms:

    * `softmax` / `log_softmax` make one pass over a row for its maximum,
      one for the sum of `exp(x - max)`, and a third for the result: one
      `exp` per element in the sum and one in the softmax result.
    * Cross-entropy from logits uses log-sum-exp the same way; from
      probabilities, probabilities are clipped to `[1e-7, 1 - 1e-7]` like
      Keras.
    * `sigmoid` is `1 / (1 + exp(-x))`, which saturates to 0 or 1 without
      overflow; `binary_crossentropy` from logits is
      `max(z, 0) - z * t + log1p(exp(-|z|))`.

    Broadcasting follows the op semantics; a dynamic dimension is assumed to
    match the other operand's size at run time. An op that cannot be lowered
    is reported at its location with the reason.
  }];
  let dependentDialects = ["::mlir::linalg::LinalgDialect",
                           "::mlir::tensor::TensorDialect",
                           "::mlir::arith::ArithDialect",
                           "::mlir::math::MathDialect",
                           "::mlir::scf::SCFDialect"];
}

#endif // MLC_CONVERSION_PASSES_TD
