//===- Elementwise.cpp - mlc elementwise ops -> linalg.generic ------------===//
//
// Arithmetic, activations, comparisons and clipping become one broadcasting
// linalg.generic each; constants become arith.constant.
//
//===----------------------------------------------------------------------===//

#include "compiler/Conversion/MLCToLinalg/LoweringUtils.h"
#include "compiler/Conversion/MLCToLinalg/Patterns.h"

using namespace mlir;
using namespace mlc;
using namespace mlc::linalg_lowering;

namespace {

/// The scalar body of an elementwise op: its result from its operands'
/// elements.
using ElementFn = Value (*)(OpBuilder &, Location, ValueRange);

/// Lowers an OpTy to a broadcasting linalg.generic over all its operands
/// that computes `Fn(elements...)`.
template <typename OpTy, ElementFn Fn>
struct ElementwiseLowering : LoweringPattern<OpTy> {
  using LoweringPattern<OpTy>::LoweringPattern;
  FailureOr<Value> lower(OpTy op, OpBuilder &b, Location loc) const override {
    return buildElementwise(b, loc, op.getType(), op->getOperands(), Fn);
  }
};

template <typename ArithOp>
Value binary(OpBuilder &b, Location loc, ValueRange a) {
  return ArithOp::create(b, loc, a[0], a[1]);
}

template <typename MathOp>
Value unary(OpBuilder &b, Location loc, ValueRange a) {
  return MathOp::create(b, loc, a[0]);
}

Value relu(OpBuilder &b, Location loc, ValueRange a) {
  Value zero = floatConst(b, loc, a[0].getType(), 0.0);
  return arith::MaximumFOp::create(b, loc, a[0], zero);
}

/// 1 / (1 + exp(-x)) saturates to 0 or 1 without overflow.
Value sigmoid(OpBuilder &b, Location loc, ValueRange a) {
  Type t = a[0].getType();
  Value one = floatConst(b, loc, t, 1.0);
  Value e = math::ExpOp::create(b, loc, arith::NegFOp::create(b, loc, a[0]));
  return arith::DivFOp::create(b, loc, one,
                               arith::AddFOp::create(b, loc, one, e));
}

/// The gradient (a[0]) passes where the forward output (a[1]) was positive.
Value reluGrad(OpBuilder &b, Location loc, ValueRange a) {
  Value zero = floatConst(b, loc, a[0].getType(), 0.0);
  Value positive =
      arith::CmpFOp::create(b, loc, arith::CmpFPredicate::OGT, a[1], zero);
  return arith::SelectOp::create(b, loc, positive, a[0], zero);
}

/// 1.0 where equal, 0.0 elsewhere.
Value equal(OpBuilder &b, Location loc, ValueRange a) {
  Type t = a[0].getType();
  Value eq =
      arith::CmpFOp::create(b, loc, arith::CmpFPredicate::OEQ, a[0], a[1]);
  return arith::SelectOp::create(b, loc, eq, floatConst(b, loc, t, 1.0),
                                 floatConst(b, loc, t, 0.0));
}

struct ConstantLowering : LoweringPattern<ConstantOp> {
  using LoweringPattern::LoweringPattern;
  FailureOr<Value> lower(ConstantOp op, OpBuilder &b,
                         Location loc) const override {
    auto value = llvm::dyn_cast<TypedAttr>(op.getValue());
    if (!value)
      return op.emitOpError() << "has a value that arith.constant cannot hold";
    return arith::ConstantOp::create(b, loc, value).getResult();
  }
};

struct ClipLowering : LoweringPattern<ClipOp> {
  using LoweringPattern::LoweringPattern;
  FailureOr<Value> lower(ClipOp op, OpBuilder &b, Location loc) const override {
    double lo = op.getMin().convertToDouble(),
           hi = op.getMax().convertToDouble();
    return buildElementwise(
        b, loc, op.getType(), op.getInput(),
        [&](OpBuilder &nb, Location nl, ValueRange a) -> Value {
          Type t = a[0].getType();
          Value low = arith::MaximumFOp::create(nb, nl, a[0],
                                                floatConst(nb, nl, t, lo));
          return arith::MinimumFOp::create(nb, nl, low,
                                           floatConst(nb, nl, t, hi));
        });
  }
};

} // namespace

void mlc::populateMLCElementwiseToLinalgPatterns(RewritePatternSet &patterns) {
  patterns
      .add<ElementwiseLowering<AddOp, binary<arith::AddFOp>>,
           ElementwiseLowering<SubOp, binary<arith::SubFOp>>,
           ElementwiseLowering<MulOp, binary<arith::MulFOp>>,
           ElementwiseLowering<DivOp, binary<arith::DivFOp>>,
           ElementwiseLowering<NegOp, unary<arith::NegFOp>>,
           ElementwiseLowering<ExpOp, unary<math::ExpOp>>,
           ElementwiseLowering<LogOp, unary<math::LogOp>>,
           ElementwiseLowering<SqrtOp, unary<math::SqrtOp>>,
           ElementwiseLowering<TanhOp, unary<math::TanhOp>>,
           ElementwiseLowering<ReluOp, relu>,
           ElementwiseLowering<SigmoidOp, sigmoid>,
           ElementwiseLowering<ReluGradOp, reluGrad>,
           ElementwiseLowering<EqualOp, equal>, ConstantLowering, ClipLowering>(
          patterns.getContext());
}
