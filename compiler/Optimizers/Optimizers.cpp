//===- Optimizers.cpp - optimizer updates as in-place elementwise loops ---===//

#include "compiler/Optimizers/Passes.h"
#include "dialects/MLC/IR/MLCDialect.h"

#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/IR/PatternMatch.h"

namespace mlc {
#define GEN_PASS_DEF_OPTIMIZER
#include "compiler/Optimizers/Passes.h.inc"
} // namespace mlc

using namespace mlir;
using namespace mlc;

namespace {

/// Builds the scalar update inside the loop body.
class Update {
public:
  Update(OpBuilder &b, Location loc, Type elt) : b(b), loc(loc), elt(elt) {}

  Value c(double v) {
    return arith::ConstantOp::create(b, loc, b.getFloatAttr(elt, v));
  }
  Value add(Value x, Value y) { return arith::AddFOp::create(b, loc, x, y); }
  Value sub(Value x, Value y) { return arith::SubFOp::create(b, loc, x, y); }
  Value mul(Value x, Value y) { return arith::MulFOp::create(b, loc, x, y); }
  Value div(Value x, Value y) { return arith::DivFOp::create(b, loc, x, y); }
  Value sqrt(Value x) { return math::SqrtOp::create(b, loc, x); }

  /// Returns the new parameter and states, in the op's order.
  SmallVector<Value> build(Attribute opt, Value g, Value lr, Value alpha,
                           Value p, ValueRange s) {
    if (auto sgd = llvm::dyn_cast<SGDAttr>(opt)) {
      Value step = mul(g, lr);
      if (sgd.getMomentum() == 0)
        return {sub(p, step)};
      // m = m * momentum - g lr; p += nesterov ? m * momentum - g lr : m
      Value momentum = c(sgd.getMomentum());
      Value m = sub(mul(s[0], momentum), step);
      Value delta = sgd.getNesterov() ? sub(mul(m, momentum), step) : m;
      return {add(p, delta), m};
    }
    if (auto adamw = llvm::dyn_cast<AdamWAttr>(opt)) {
      // Decoupled decay first, with the (scheduled) learning rate.
      Value decayed = sub(p, mul(p, mul(c(adamw.getWeightDecay()), lr)));
      return adam(adamw.getBeta_1(), adamw.getBeta_2(), adamw.getEpsilon(), g,
                  alpha, decayed, s);
    }
    if (auto a = llvm::dyn_cast<AdamAttr>(opt))
      return adam(a.getBeta_1(), a.getBeta_2(), a.getEpsilon(), g, alpha, p, s);
    auto rms = llvm::cast<RMSpropAttr>(opt);
    // v = rho v + (1 - rho) g^2; centered: a = rho a + (1 - rho) g and the
    // denominator subtracts a^2; step = lr g / sqrt(denominator + eps).
    Value rho = c(rms.getRho()), oneMinusRho = c(1.0 - rms.getRho());
    SmallVector<Value> out = {Value()};
    Value v = add(mul(rho, s[0]), mul(oneMinusRho, mul(g, g)));
    out.push_back(v);
    Value denominator = v;
    unsigned next = 1;
    if (rms.getCentered()) {
      Value avg = add(mul(rho, s[next++]), mul(oneMinusRho, g));
      out.push_back(avg);
      denominator = sub(denominator, mul(avg, avg));
    }
    denominator = add(denominator, c(rms.getEpsilon()));
    Value increment = div(mul(lr, g), sqrt(denominator));
    if (rms.getMomentum() > 0) {
      Value m = add(mul(c(rms.getMomentum()), s[next]), increment);
      out.push_back(m);
      increment = m;
    }
    out[0] = sub(p, increment);
    return out;
  }

private:
  /// m += (g - m)(1 - b1); v += (g^2 - v)(1 - b2); p -= m alpha / (sqrt v + eps)
  SmallVector<Value> adam(double beta1, double beta2, double eps, Value g,
                          Value alpha, Value p, ValueRange s) {
    Value m = add(s[0], mul(sub(g, s[0]), c(1.0 - beta1)));
    Value v = add(s[1], mul(sub(mul(g, g), s[1]), c(1.0 - beta2)));
    Value newP = sub(p, div(mul(m, alpha), add(sqrt(v), c(eps))));
    return {newP, m, v};
  }

  OpBuilder &b;
  Location loc;
  Type elt;
};

struct OptimizerPass : public mlc::impl::OptimizerBase<OptimizerPass> {
  void runOnOperation() override {
    SmallVector<OptimizerUpdateOp> updates;
    getOperation().walk([&](OptimizerUpdateOp op) { updates.push_back(op); });
    IRRewriter rewriter(&getContext());
    for (OptimizerUpdateOp op : updates) {
      rewriter.setInsertionPoint(op);
      auto type = llvm::cast<RankedTensorType>(op.getParam().getType());
      int64_t rank = type.getRank();
      MLIRContext *ctx = &getContext();
      AffineMap id = AffineMap::getMultiDimIdentityMap(rank, ctx);
      SmallVector<Value> outs = {op.getParam()};
      llvm::append_range(outs, op.getStates());
      // The two step sizes enter as scalars captured by the loop body, so
      // the loop reads only tensors of the parameter's shape and can be
      // fused into the tiles of the weight-gradient matmul.
      Value lr = tensor::ExtractOp::create(rewriter, op.getLoc(),
                                           op.getLearningRate(), ValueRange{});
      Value step = tensor::ExtractOp::create(rewriter, op.getLoc(),
                                             op.getStepSize(), ValueRange{});
      SmallVector<AffineMap> maps = {id};
      maps.append(outs.size(), id);
      SmallVector<utils::IteratorType> iterators(rank,
                                                 utils::IteratorType::parallel);
      Attribute optimizer = op.getOptimizer();
      auto generic = linalg::GenericOp::create(
          rewriter, op.getLoc(), op->getResultTypes(), ValueRange{op.getGrad()},
          outs, maps, iterators,
          [&](OpBuilder &b, Location loc, ValueRange a) {
            Update u(b, loc, type.getElementType());
            SmallVector<Value> results =
                u.build(optimizer, a[0], lr, step, a[1], a.drop_front(2));
            linalg::YieldOp::create(b, loc, results);
          });
      rewriter.replaceOp(op, generic.getResults());
    }
  }
};

} // namespace
