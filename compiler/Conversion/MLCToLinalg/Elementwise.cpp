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

/// a[1] where a[0] (an integer or float mask) is nonzero, else a[2].
Value where(OpBuilder &b, Location loc, ValueRange a) {
  Value c = a[0];
  Value nonzero;
  if (llvm::isa<FloatType>(c.getType()))
    nonzero = arith::CmpFOp::create(b, loc, arith::CmpFPredicate::UNE, c,
                                    floatConst(b, loc, c.getType(), 0.0));
  else
    nonzero = arith::CmpIOp::create(
        b, loc, arith::CmpIPredicate::ne, c,
        arith::ConstantOp::create(b, loc, b.getIntegerAttr(c.getType(), 0)));
  return arith::SelectOp::create(b, loc, nonzero, a[1], a[2]);
}

constexpr double kSqrtHalf = 0.70710678118654752440;
constexpr double kSqrtTwoOverPi = 0.79788456080286535588;
constexpr double kInvSqrtTwoPi = 0.39894228040143267794;
constexpr double kGeluCubic = 0.044715;

/// For the tanh form of gelu at x: t = tanh(sqrt(2/pi) (x + 0.044715 x^3)).
Value geluTanh(OpBuilder &b, Location loc, Value x) {
  Type t = x.getType();
  Value x3 =
      arith::MulFOp::create(b, loc, x, arith::MulFOp::create(b, loc, x, x));
  Value inner = arith::AddFOp::create(
      b, loc, x,
      arith::MulFOp::create(b, loc, floatConst(b, loc, t, kGeluCubic), x3));
  return math::TanhOp::create(
      b, loc,
      arith::MulFOp::create(b, loc, floatConst(b, loc, t, kSqrtTwoOverPi),
                            inner));
}

/// Phi(x) = 0.5 (1 + erf(x / sqrt(2))).
Value normalCdf(OpBuilder &b, Location loc, Value x) {
  Type t = x.getType();
  Value erf = math::ErfOp::create(
      b, loc,
      arith::MulFOp::create(b, loc, x, floatConst(b, loc, t, kSqrtHalf)));
  Value one = floatConst(b, loc, t, 1.0);
  return arith::MulFOp::create(b, loc, floatConst(b, loc, t, 0.5),
                               arith::AddFOp::create(b, loc, one, erf));
}

Value gelu(OpBuilder &b, Location loc, Value x, bool approximate) {
  Type t = x.getType();
  if (!approximate)
    return arith::MulFOp::create(b, loc, x, normalCdf(b, loc, x));
  Value onePlus = arith::AddFOp::create(b, loc, floatConst(b, loc, t, 1.0),
                                        geluTanh(b, loc, x));
  return arith::MulFOp::create(
      b, loc, arith::MulFOp::create(b, loc, floatConst(b, loc, t, 0.5), x),
      onePlus);
}

/// gelu'(x).
Value geluDerivative(OpBuilder &b, Location loc, Value x, bool approximate) {
  Type t = x.getType();
  auto c = [&](double v) { return floatConst(b, loc, t, v); };
  auto mul = [&](Value l, Value r) -> Value {
    return arith::MulFOp::create(b, loc, l, r);
  };
  auto add = [&](Value l, Value r) -> Value {
    return arith::AddFOp::create(b, loc, l, r);
  };
  if (!approximate) {
    // Phi(x) + x phi(x), phi(x) = exp(-x^2 / 2) / sqrt(2 pi).
    Value density = mul(c(kInvSqrtTwoPi),
                        math::ExpOp::create(b, loc, mul(c(-0.5), mul(x, x))));
    return add(normalCdf(b, loc, x), mul(x, density));
  }
  // 0.5 (1 + t) + 0.5 x (1 - t^2) sqrt(2/pi) (1 + 3 * 0.044715 x^2).
  Value th = geluTanh(b, loc, x);
  Value left = mul(c(0.5), add(c(1.0), th));
  Value sech2 = arith::SubFOp::create(b, loc, c(1.0), mul(th, th));
  Value slope =
      mul(c(kSqrtTwoOverPi), add(c(1.0), mul(c(3 * kGeluCubic), mul(x, x))));
  return add(left, mul(mul(c(0.5), x), mul(sech2, slope)));
}

struct GeluLowering : LoweringPattern<GeluOp> {
  using LoweringPattern::LoweringPattern;
  FailureOr<Value> lower(GeluOp op, OpBuilder &b, Location loc) const override {
    bool approximate = op.getApproximate();
    return buildElementwise(b, loc, op.getType(), op.getInput(),
                            [&](OpBuilder &nb, Location nl, ValueRange a) {
                              return gelu(nb, nl, a[0], approximate);
                            });
  }
};

struct GeluGradLowering : LoweringPattern<GeluGradOp> {
  using LoweringPattern::LoweringPattern;
  FailureOr<Value> lower(GeluGradOp op, OpBuilder &b,
                         Location loc) const override {
    bool approximate = op.getApproximate();
    return buildElementwise(
        b, loc, op.getType(), op->getOperands(),
        [&](OpBuilder &nb, Location nl, ValueRange a) -> Value {
          return arith::MulFOp::create(
              nb, nl, a[0], geluDerivative(nb, nl, a[1], approximate));
        });
  }
};

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
  patterns.add<ElementwiseLowering<AddOp, binary<arith::AddFOp>>,
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
               ElementwiseLowering<EqualOp, equal>,
               ElementwiseLowering<WhereOp, where>, ConstantLowering,
               ClipLowering, GeluLowering, GeluGradLowering>(
      patterns.getContext());
}
