//===- Passes.td - mlc autodiff passes ---------------------*- tablegen -*-===//

#ifndef MLC_AUTODIFF_PASSES_TD
#define MLC_AUTODIFF_PASSES_TD

include "mlir/Pass/PassBase.td"

def Autodiff : Pass<"mlc-autodiff"> {
  let summary = "Reverse-mode differentiation: expand every mlc.gradient";
  let description = [{
    Replaces each `mlc.gradient %loss wrt %v...` by the gradient computation,
    built from the ops' vector-Jacobian products (DifferentiableOpInterface,
    declared with each op). Only ops on a path from a differentiated value
    to the loss are differentiated; gradients of a value used several times
    are summed; a value the loss does not depend on gets zeros. Runs inside
    `mlc.model` bodies and functions alike.

    First, a cross-entropy of a softmax or sigmoid whose gradient is taken
    becomes the cross-entropy of the logits (the loss ops'
    canonicalization, as Keras computes it), so that the loss and its
    gradient come from the same exact formula.

    An op on such a path without a gradient rule is an error at that op.
  }];
}

#endif // MLC_AUTODIFF_PASSES_TD
