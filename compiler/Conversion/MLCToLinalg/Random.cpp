//===- Random.cpp - mlc.dropout_mask -> linalg.generic --------------------===//
//
// A counter-based generator: element i's number is a function of the state
// bits, the stream and i only, computed where it is used (no generator
// state walks through the loop), so masks do not depend on the schedule,
// the thread count or the target.
//
//   key = mix(bits(state[0]) << 32 | bits(state[1]) + (stream + 1) * G)
//   u_i = (mix(key + (i + 1) * G) >> 40) * 2^-24        in [0, 1)
//
// with G = 0x9E3779B97F4A7C15 and mix splitmix64's finalizer, i the
// element's row-major index.
//
//===----------------------------------------------------------------------===//

#include "compiler/Conversion/MLCToLinalg/LoweringUtils.h"
#include "compiler/Conversion/MLCToLinalg/Patterns.h"

using namespace mlir;
using namespace mlc;
using namespace mlc::linalg_lowering;

namespace {

constexpr uint64_t kGamma = 0x9E3779B97F4A7C15ull;

Value i64Const(OpBuilder &b, Location loc, uint64_t v) {
  return arith::ConstantOp::create(b, loc, b.getI64IntegerAttr(int64_t(v)));
}

/// splitmix64's finalizer.
Value mix(OpBuilder &b, Location loc, Value z) {
  auto step = [&](Value x, uint64_t shift, uint64_t mul) {
    Value s = arith::ShRUIOp::create(b, loc, x, i64Const(b, loc, shift));
    Value y = arith::XOrIOp::create(b, loc, x, s);
    return mul ? arith::MulIOp::create(b, loc, y, i64Const(b, loc, mul))
                     .getResult()
               : y;
  };
  z = step(z, 30, 0xBF58476D1CE4E5B9ull);
  z = step(z, 27, 0x94D049BB133111EBull);
  return step(z, 31, 0);
}

struct DropoutMaskLowering : LoweringPattern<DropoutMaskOp> {
  using LoweringPattern::LoweringPattern;
  FailureOr<Value> lower(DropoutMaskOp op, OpBuilder &b,
                         Location loc) const override {
    RankedTensorType type = op.getType();
    Type elt = type.getElementType();
    Type i64 = b.getI64Type(), i32 = b.getI32Type();
    // The key, once per call.
    auto bitsOf = [&](int64_t k) -> Value {
      Value idx = arith::ConstantIndexOp::create(b, loc, k);
      Value f =
          tensor::ExtractOp::create(b, loc, op.getState(), ValueRange{idx});
      Value bits = arith::BitcastOp::create(b, loc, i32, f);
      return arith::ExtUIOp::create(b, loc, i64, bits);
    };
    Value high = arith::ShLIOp::create(b, loc, bitsOf(0), i64Const(b, loc, 32));
    Value key = arith::OrIOp::create(b, loc, high, bitsOf(1));
    key = arith::AddIOp::create(
        b, loc, key, i64Const(b, loc, uint64_t(op.getStream() + 1) * kGamma));
    key = mix(b, loc, key);

    SmallVector<Value> sizes;
    for (int64_t d = 0; d < type.getRank(); ++d)
      sizes.push_back(dimOf(b, loc, op.getLike(), d));
    Value init =
        emptyTensor(b, loc, type, dynamicSizesOf(b, loc, op.getLike()));
    double rate = op.getRate().convertToDouble();
    MLIRContext *ctx = b.getContext();
    AffineMap id = AffineMap::getMultiDimIdentityMap(type.getRank(), ctx);
    auto generic = linalg::GenericOp::create(
        b, loc, TypeRange{type}, ValueRange{}, ValueRange{init},
        SmallVector<AffineMap>{id},
        SmallVector<utils::IteratorType>(type.getRank(),
                                         utils::IteratorType::parallel),
        [&](OpBuilder &nb, Location nl, ValueRange) {
          // Row-major index of the element.
          Value index = i64Const(nb, nl, 0);
          for (int64_t d = 0; d < type.getRank(); ++d) {
            Value size = arith::IndexCastOp::create(nb, nl, i64, sizes[d]);
            Value at = arith::IndexCastOp::create(
                nb, nl, i64, linalg::IndexOp::create(nb, nl, d));
            index = arith::AddIOp::create(
                nb, nl, arith::MulIOp::create(nb, nl, index, size), at);
          }
          Value counter = arith::MulIOp::create(
              nb, nl, arith::AddIOp::create(nb, nl, index, i64Const(nb, nl, 1)),
              i64Const(nb, nl, kGamma));
          Value bits = mix(nb, nl, arith::AddIOp::create(nb, nl, key, counter));
          Value top =
              arith::ShRUIOp::create(nb, nl, bits, i64Const(nb, nl, 40));
          // 24 bits: exact as a 32-bit integer and as a float.
          Value top32 = arith::TruncIOp::create(nb, nl, i32, top);
          Value u = arith::MulFOp::create(
              nb, nl, arith::SIToFPOp::create(nb, nl, elt, top32),
              floatConst(nb, nl, elt, 1.0 / 16777216.0));
          Value keep = arith::CmpFOp::create(nb, nl, arith::CmpFPredicate::OGE,
                                             u, floatConst(nb, nl, elt, rate));
          Value mask = arith::SelectOp::create(
              nb, nl, keep, floatConst(nb, nl, elt, 1.0 / (1.0 - rate)),
              floatConst(nb, nl, elt, 0.0));
          linalg::YieldOp::create(nb, nl, mask);
        });
    // The CPU schedule vectorizes each row (the 64-bit multiplies too),
    // rows in parallel.
    if (type.getRank() > 1)
      generic->setAttr("mlc.outer_loops",
                       b.getI64IntegerAttr(type.getRank() - 1));
    return generic.getResult(0);
  }
};

} // namespace

void mlc::populateMLCRandomToLinalgPatterns(RewritePatternSet &patterns) {
  patterns.add<DropoutMaskLowering>(patterns.getContext());
}
