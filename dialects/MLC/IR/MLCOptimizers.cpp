//===- MLCOptimizers.cpp - what each optimizer knows about itself ---------===//
//
// The OptimizerAttrInterface implementations: state slots, the scalar
// update (Keras's formulas; docs/optimizers.md), and the learning-rate
// copy. The hyperparameters and their defaults are the attributes'
// parameters (MLCAttrs.td).
//
//===----------------------------------------------------------------------===//

#include "dialects/MLC/IR/MLCDialect.h"

#include "mlir/AsmParser/AsmParser.h"
#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Math/IR/Math.h"

using namespace mlir;
using namespace mlc;

namespace {

/// Builds scalar arithmetic of one element type.
class Scalar {
public:
  Scalar(OpBuilder &b, Location loc, Type type) : b(b), loc(loc), type(type) {}

  Value c(double v) {
    return arith::ConstantOp::create(b, loc, b.getFloatAttr(type, v));
  }
  Value add(Value x, Value y) { return arith::AddFOp::create(b, loc, x, y); }
  Value sub(Value x, Value y) { return arith::SubFOp::create(b, loc, x, y); }
  Value mul(Value x, Value y) { return arith::MulFOp::create(b, loc, x, y); }
  Value div(Value x, Value y) { return arith::DivFOp::create(b, loc, x, y); }
  Value sqrt(Value x) { return math::SqrtOp::create(b, loc, x); }

  /// Adam's moments and step: m += (g - m)(1 - b1); v += (g^2 - v)(1 - b2);
  /// p -= m alpha / (sqrt v + eps). Returns {p, m, v}.
  SmallVector<Value> adam(double beta1, double beta2, double eps, Value g,
                          Value alpha, Value p, ValueRange s) {
    // One op per statement: the order of evaluating call arguments is
    // unspecified, and the IR must not depend on the compiler.
    Value oneMinusBeta1 = c(1.0 - beta1);
    Value m = add(s[0], mul(sub(g, s[0]), oneMinusBeta1));
    Value oneMinusBeta2 = c(1.0 - beta2);
    Value g2 = mul(g, g);
    Value v = add(s[1], mul(sub(g2, s[1]), oneMinusBeta2));
    Value epsilon = c(eps);
    Value denominator = add(sqrt(v), epsilon);
    Value numerator = mul(m, alpha);
    Value newP = sub(p, div(numerator, denominator));
    return {newP, m, v};
  }

private:
  OpBuilder &b;
  Location loc;
  Type type;
};

} // namespace

//===----------------------------------------------------------------------===//
// SGD
//===----------------------------------------------------------------------===//

Attribute SGDAttr::withLearningRate(double lr) const {
  return SGDAttr::get(getContext(), lr, getMomentum(), getNesterov());
}

SmallVector<StringRef> SGDAttr::getStateNames() const {
  if (getMomentum() > 0)
    return {"momentum"};
  return {};
}

SmallVector<Value> SGDAttr::buildUpdate(OpBuilder &b, Location loc, Value g,
                                        Value lr, Value, Value p,
                                        ValueRange s) const {
  Scalar x(b, loc, p.getType());
  Value step = x.mul(g, lr);
  if (getMomentum() == 0)
    return {x.sub(p, step)};
  // m = m * momentum - g lr; p += nesterov ? m * momentum - g lr : m
  Value momentum = x.c(getMomentum());
  Value m = x.sub(x.mul(s[0], momentum), step);
  Value delta = getNesterov() ? x.sub(x.mul(m, momentum), step) : m;
  return {x.add(p, delta), m};
}

//===----------------------------------------------------------------------===//
// Adam and AdamW
//===----------------------------------------------------------------------===//

Attribute AdamAttr::withLearningRate(double lr) const {
  return AdamAttr::get(getContext(), lr, getBeta_1(), getBeta_2(),
                       getEpsilon());
}

SmallVector<StringRef> AdamAttr::getStateNames() const { return {"m", "v"}; }

SmallVector<Value> AdamAttr::buildUpdate(OpBuilder &b, Location loc, Value g,
                                         Value, Value alpha, Value p,
                                         ValueRange s) const {
  return Scalar(b, loc, p.getType())
      .adam(getBeta_1(), getBeta_2(), getEpsilon(), g, alpha, p, s);
}

Attribute AdamWAttr::withLearningRate(double lr) const {
  return AdamWAttr::get(getContext(), lr, getWeightDecay(), getBeta_1(),
                        getBeta_2(), getEpsilon());
}

SmallVector<StringRef> AdamWAttr::getStateNames() const { return {"m", "v"}; }

SmallVector<Value> AdamWAttr::buildUpdate(OpBuilder &b, Location loc, Value g,
                                          Value lr, Value alpha, Value p,
                                          ValueRange s) const {
  Scalar x(b, loc, p.getType());
  // Decoupled decay first, with the (scheduled) learning rate.
  Value decay = x.mul(x.c(getWeightDecay()), lr);
  Value decayed = x.sub(p, x.mul(p, decay));
  return x.adam(getBeta_1(), getBeta_2(), getEpsilon(), g, alpha, decayed, s);
}

//===----------------------------------------------------------------------===//
// RMSprop
//===----------------------------------------------------------------------===//

Attribute RMSpropAttr::withLearningRate(double lr) const {
  return RMSpropAttr::get(getContext(), lr, getRho(), getMomentum(),
                          getEpsilon(), getCentered());
}

SmallVector<StringRef> RMSpropAttr::getStateNames() const {
  SmallVector<StringRef> names = {"velocity"};
  if (getCentered())
    names.push_back("average_gradient");
  if (getMomentum() > 0)
    names.push_back("momentum");
  return names;
}

SmallVector<Value> RMSpropAttr::buildUpdate(OpBuilder &b, Location loc, Value g,
                                            Value lr, Value, Value p,
                                            ValueRange s) const {
  Scalar x(b, loc, p.getType());
  // v = rho v + (1 - rho) g^2; centered: a = rho a + (1 - rho) g and the
  // denominator subtracts a^2; step = lr g / sqrt(denominator + eps).
  Value rho = x.c(getRho()), oneMinusRho = x.c(1.0 - getRho());
  SmallVector<Value> out = {Value()};
  Value newPart = x.mul(oneMinusRho, x.mul(g, g));
  Value v = x.add(x.mul(rho, s[0]), newPart);
  out.push_back(v);
  Value denominator = v;
  unsigned next = 1;
  if (getCentered()) {
    Value newAvg = x.mul(oneMinusRho, g);
    Value avg = x.add(x.mul(rho, s[next++]), newAvg);
    out.push_back(avg);
    denominator = x.sub(denominator, x.mul(avg, avg));
  }
  denominator = x.add(denominator, x.c(getEpsilon()));
  Value root = x.sqrt(denominator);
  Value increment = x.div(x.mul(lr, g), root);
  if (getMomentum() > 0) {
    Value m = x.add(x.mul(x.c(getMomentum()), s[next]), increment);
    out.push_back(m);
    increment = m;
  }
  out[0] = x.sub(p, increment);
  return out;
}

//===----------------------------------------------------------------------===//
// Lookup by name
//===----------------------------------------------------------------------===//

template <typename... Attrs>
static SmallVector<StringRef> mnemonicsOfOptimizers() {
  SmallVector<StringRef> names;
  (
      [&] {
        if constexpr (std::is_base_of_v<OptimizerAttrInterface::Trait<Attrs>,
                                        Attrs>)
          names.push_back(Attrs::getMnemonic());
      }(),
      ...);
  return names;
}

SmallVector<StringRef> mlc::getOptimizerNames() {
  return mnemonicsOfOptimizers<
#define GET_ATTRDEF_LIST
#include "dialects/MLC/IR/MLCAttrs.cpp.inc"
      >();
}

OptimizerAttrInterface mlc::getDefaultOptimizer(MLIRContext *context,
                                                StringRef name) {
  if (!llvm::is_contained(getOptimizerNames(), name))
    return {};
  // The attribute without parameters: ODS fills in the defaults.
  context->getOrLoadDialect<MLCDialect>();
  return llvm::dyn_cast_or_null<OptimizerAttrInterface>(
      parseAttribute(("#mlc." + name).str(), context));
}
