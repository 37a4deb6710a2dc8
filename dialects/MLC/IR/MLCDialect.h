//===- MLCDialect.h - The mlc dialect ---------------------------*- C++ -*-===//
//
// Dialect, attributes and ops of mlc. Include this one header.
//
//===----------------------------------------------------------------------===//

#ifndef MLC_DIALECT_MLC_IR_MLCDIALECT_H
#define MLC_DIALECT_MLC_IR_MLCDIALECT_H

#include "mlir/Bytecode/BytecodeOpInterface.h"
#include "mlir/IR/BuiltinAttributes.h"
#include "mlir/IR/BuiltinTypes.h"
#include "mlir/IR/Dialect.h"
#include "mlir/IR/DialectImplementation.h"
#include "mlir/IR/OpDefinition.h"
#include "mlir/IR/SymbolTable.h"
#include "mlir/Interfaces/ControlFlowInterfaces.h"
#include "mlir/Interfaces/InferTypeOpInterface.h"
#include "mlir/Interfaces/SideEffectInterfaces.h"

namespace mlir {
// The ODS attribute formats use `double` and `bool` parameters; MLIR only
// ships field parsers for integers, strings and attributes.
template <> struct FieldParser<double> {
  static FailureOr<double> parse(AsmParser &parser) {
    // An integer is a float too (`alpha = 0`, `decay_rate = 2`).
    Attribute number;
    if (parser.parseAttribute(number))
      return failure();
    if (auto f = llvm::dyn_cast<FloatAttr>(number))
      return f.getValueAsDouble();
    if (auto i = llvm::dyn_cast<IntegerAttr>(number))
      return double(i.getValue().getSExtValue());
    return parser.emitError(parser.getCurrentLocation(), "expected a number");
  }
};
template <> struct FieldParser<bool> {
  static FailureOr<bool> parse(AsmParser &parser) {
    if (succeeded(parser.parseOptionalKeyword("true")))
      return true;
    if (succeeded(parser.parseOptionalKeyword("false")))
      return false;
    return parser.emitError(parser.getCurrentLocation(),
                            "expected 'true' or 'false'");
  }
};
} // namespace mlir

namespace mlc {

/// The distribution an initializer draws from, for one parameter shape.
struct InitSpec {
  enum class Kind {
    Constant,        ///< every element is `a`
    Uniform,         ///< uniform in [a, b)
    Normal,          ///< normal with mean `a`, standard deviation `b`
    TruncatedNormal, ///< normal(a, b) redrawn outside a ± 2b (Keras)
    Orthogonal,      ///< gain a; orthonormal columns of a b-row matrix
    UnitForgetBias   ///< zeros with ones in the second quarter (LSTM bias)
  };
  Kind kind;
  double a = 0.0;
  double b = 0.0;
};

/// The formula and constants of a learning-rate schedule (Keras's); the
/// runtime evaluates it (runtime/LearningRate.h).
struct LRScheduleSpec {
  enum class Kind { Constant, ExponentialDecay, CosineDecay };
  Kind kind = Kind::Constant;
  int64_t decaySteps = 1;
  double decayRate = 1.0;
  bool staircase = false;
  double alpha = 0.0;
  int64_t warmupSteps = 0;
  double warmupTarget = 0.0;
};

/// Fan-in and fan-out of a kernel shape, as Keras computes them: a dense
/// kernel is (in, out); a conv kernel (..., in, out) multiplies both by the
/// receptive field (the product of the leading dimensions).
std::pair<double, double> computeFans(llvm::ArrayRef<int64_t> shape);

/// Formats a finite double in the shortest form that parses back to the
/// same value, always with a '.' so the MLIR lexer reads it as a float.
std::string formatDouble(double value);

/// Normalizes an axis in [-rank, rank) to [0, rank); fails when out of range.
mlir::FailureOr<int64_t> normalizeAxis(int64_t axis, int64_t rank);

/// The type of `v`, which must be a ranked tensor (every mlc op's operands
/// and results are).
mlir::RankedTensorType tensorTypeOf(mlir::Value v);

/// The sizes of `shape` other than static 1s, in order. Two shapes with the
/// same such sizes differ only by inserted or removed size-1 dimensions,
/// the only reshape of several dynamic sizes mlc.reshape allows.
llvm::SmallVector<int64_t> nonUnitDims(llvm::ArrayRef<int64_t> shape);

/// Rows (or columns) a window op produces from `in` rows: windows of
/// `window` rows dilated by `dilation`, moved by `stride`, over the input
/// padded with `padLo` and `padHi` rows. Below 1 when no window fits.
int64_t windowOutputSize(int64_t in, int64_t window, int64_t stride,
                         int64_t dilation, int64_t padLo, int64_t padHi);

/// The explicit pads `[top, bottom, left, right]` of Keras's `padding`
/// ("valid": none; "same": TensorFlow's, the extra row at the bottom and
/// the extra column at the right) for an input of `inHW` rows and columns.
/// Fails on any other padding name.
mlir::FailureOr<llvm::SmallVector<int64_t, 4>>
kerasPads(llvm::StringRef padding, llvm::ArrayRef<int64_t> inHW,
          llvm::ArrayRef<int64_t> window, llvm::ArrayRef<int64_t> strides,
          llvm::ArrayRef<int64_t> dilations);

/// Whether `op` is layer sugar that mlc-materialize-params expands.
bool isLayer(mlir::Operation *op);

/// Whether an mlc.reshape from `in` to `out` verifies.
bool reshapeAllowed(mlir::RankedTensorType in, mlir::RankedTensorType out);

/// Whether a reshape from `in` to `out` merges leading dims, a dynamic one
/// among them, into the first (valid, but without a gradient).
bool reshapeMergesDynamicDims(mlir::RankedTensorType in,
                              mlir::RankedTensorType out);

} // namespace mlc

#include "dialects/MLC/IR/MLCAttrInterfaces.h.inc"
#include "dialects/MLC/IR/MLCDialect.h.inc"
#include "dialects/MLC/IR/MLCEnums.h.inc"

#define GET_ATTRDEF_CLASSES
#include "dialects/MLC/IR/MLCAttrs.h.inc"

#include "dialects/MLC/IR/MLCOpInterfaces.h.inc"

#define GET_OP_CLASSES
#include "dialects/MLC/IR/MLCOps.h.inc"

namespace mlc {

/// The names of mlc's optimizers (the attributes that implement
/// OptimizerAttrInterface), as `--optimizer` takes them.
llvm::SmallVector<llvm::StringRef> getOptimizerNames();

/// The optimizer `name` with its defaults (Keras's), or null if mlc has
/// none of that name.
OptimizerAttrInterface getDefaultOptimizer(mlir::MLIRContext *context,
                                           llvm::StringRef name);

} // namespace mlc

namespace mlc {
/// The type of the labels `loss` compares a prediction of type `prediction`
/// with: integer class indices (i32, one per row) for sparse cross-entropy,
/// the prediction's own type otherwise.
mlir::RankedTensorType getLabelType(LossAttr loss,
                                    mlir::RankedTensorType prediction);

/// The op whose probabilities `prediction` is, when a loss of `kind`
/// would compute them from logits itself: a softmax over the last axis
/// (`mlc.softmax`, or `mlc.dense` with that activation) for categorical
/// cross-entropies, a sigmoid for binary cross-entropy. Null otherwise.
mlir::Operation *getProbabilityActivation(LossKind kind,
                                          mlir::Value prediction);

/// Adds the rewrites of a cross-entropy of an `mlc.softmax` or
/// `mlc.sigmoid` into the cross-entropy of its input with from_logits,
/// as Keras computes it (exact at any logit, and one loss formula for the
/// value and its gradient). They are the loss ops' canonicalizations.
void populateLossFromLogitsPatterns(mlir::RewritePatternSet &patterns);
} // namespace mlc

#endif // MLC_DIALECT_MLC_IR_MLCDIALECT_H
