//===- Reference.h - a plain evaluator of mlc graphs ------------*- C++ -*-===//
//
// The differential tester's oracle: evaluates an mlc.model's core ops with
// naive loops in double precision, written from the op definitions
// (docs/generated/MLCDialect.md, docs/losses.md), sharing no code with the
// compiler's lowering. It also reports how close the evaluation came to a
// point where the function is not differentiable (relu at 0, tied maxima,
// clip bounds), where finite differences mean nothing.
//
//===----------------------------------------------------------------------===//

#ifndef MLC_TOOLS_DIFFTEST_REFERENCE_H
#define MLC_TOOLS_DIFFTEST_REFERENCE_H

#include "mlir/IR/BuiltinOps.h"

#include <map>
#include <string>
#include <vector>

namespace mlc::difftest {

struct HostTensor {
  std::vector<int64_t> shape;
  std::vector<double> data;
};

struct Evaluation {
  /// One per mlc.output operand; empty for results of mlc.gradient, which
  /// the oracle leaves to finite differences.
  std::vector<HostTensor> outputs;
  /// The smallest distance of any argument to a kink.
  double kink = 1e300;
  std::string error; ///< an op the evaluator does not know, or bad shapes
};

/// Evaluates the one mlc.model in `module`. `leaves` holds every input (by
/// its name) and param (by its symbol).
Evaluation evaluate(mlir::ModuleOp module,
                    const std::map<std::string, HostTensor> &leaves);

} // namespace mlc::difftest

#endif // MLC_TOOLS_DIFFTEST_REFERENCE_H
