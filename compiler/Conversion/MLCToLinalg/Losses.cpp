//===- Losses.cpp - mlc losses and one_hot -> linalg.generic --------------===//
//
// A loss is one full reduction to a rank-0 tensor, then the mean's scale.
// From logits, cross-entropy uses log-sum-exp with the row maximum
// subtracted and binary cross-entropy the softplus form, exact at any
// logit; from probabilities, they are clipped to [1e-7, 1 - 1e-7] and
// normalized in Keras's order. docs/losses.md has the formulas.
//
//===----------------------------------------------------------------------===//

#include "compiler/Conversion/MLCToLinalg/LoweringUtils.h"
#include "compiler/Conversion/MLCToLinalg/Patterns.h"

using namespace mlir;
using namespace mlc;
using namespace mlc::linalg_lowering;

namespace {

using utils::IteratorType;

/// Keras's fuzz factor for clipping probabilities.
constexpr double kEpsilon = 1e-7;

/// Folds an accumulator with the elements of a reduction's inputs.
using ReduceFn = function_ref<Value(OpBuilder &, Location, Value, ValueRange)>;

Value clipProbability(OpBuilder &b, Location loc, Value p) {
  Type t = p.getType();
  Value lo = floatConst(b, loc, t, kEpsilon);
  Value hi = floatConst(b, loc, t, 1.0 - kEpsilon);
  return arith::MinimumFOp::create(
      b, loc, arith::MaximumFOp::create(b, loc, p, lo), hi);
}

/// Whether the class index along `axis` of the current element is `label`.
Value isLabelledClass(OpBuilder &b, Location loc, int64_t axis, Value label) {
  Value c = linalg::IndexOp::create(b, loc, axis);
  Value index = arith::IndexCastOp::create(b, loc, b.getIndexType(), label);
  return arith::CmpIOp::create(b, loc, arith::CmpIPredicate::eq, c, index);
}

/// Reduces `inputs` (all of one shape) over every dim into a rank-0 tensor
/// with `fn(acc, elements...)`.
Value buildFullReduction(OpBuilder &b, Location loc, Type elt,
                         ValueRange inputs, ArrayRef<AffineMap> inputMaps,
                         int64_t rank, ReduceFn fn) {
  auto scalarType = RankedTensorType::get({}, elt);
  Value init = filledTensor(b, loc, scalarType, {}, 0.0);
  SmallVector<AffineMap> maps(inputMaps);
  maps.push_back(AffineMap::get(rank, 0, {}, b.getContext()));
  SmallVector<IteratorType> iterators(rank, IteratorType::reduction);
  auto generic = linalg::GenericOp::create(
      b, loc, TypeRange{scalarType}, inputs, ValueRange{init}, maps, iterators,
      [&](OpBuilder &nb, Location nl, ValueRange args) {
        linalg::YieldOp::create(nb, nl,
                                fn(nb, nl, args.back(), args.drop_back()));
      });
  return generic.getResult(0);
}

/// What a loss lowering builds before the mean: the sum of its terms over
/// every element of the prediction, and how many leading dims of the
/// prediction the mean divides by.
struct LossSum {
  Value sum;
  int64_t meanRank;
};

/// Lowers a loss to `Sum`'s sum divided by the number of its terms.
template <typename OpTy, LossSum (*Sum)(OpTy, OpBuilder &, Location)>
struct LossLowering : LoweringPattern<OpTy> {
  using LoweringPattern<OpTy>::LoweringPattern;
  FailureOr<Value> lower(OpTy op, OpBuilder &b, Location loc) const override {
    LossSum s = Sum(op, b, loc);
    return meanOf(b, loc, s.sum, op.getPrediction(),
                  llvm::to_vector(llvm::seq<int64_t>(0, s.meanRank)));
  }
};

/// The loss's term for one element of the prediction and of the target.
using TermFn = function_ref<Value(OpBuilder &, Location, Value, Value)>;

/// The sum of `term(p, t)` over every element of a loss whose prediction
/// and target have one shape; the mean is over all of them.
template <typename OpTy>
LossSum sumOfTerms(OpBuilder &b, Location loc, OpTy op, TermFn term) {
  Value p = op.getPrediction();
  int64_t rank = tensorTypeOf(p).getRank();
  AffineMap id = b.getMultiDimIdentityMap(rank);
  Value sum = buildFullReduction(
      b, loc, tensorTypeOf(p).getElementType(), ValueRange{p, op.getTarget()},
      {id, id}, rank,
      [&](OpBuilder &nb, Location nl, Value acc, ValueRange a) -> Value {
        return arith::AddFOp::create(nb, nl, acc, term(nb, nl, a[0], a[1]));
      });
  return {sum, rank};
}

LossSum mseSum(MSEOp op, OpBuilder &b, Location loc) {
  return sumOfTerms(b, loc, op,
                    [](OpBuilder &nb, Location nl, Value p, Value t) -> Value {
                      Value d = arith::SubFOp::create(nb, nl, p, t);
                      return arith::MulFOp::create(nb, nl, d, d);
                    });
}

LossSum binaryCrossentropySum(BinaryCrossentropyOp op, OpBuilder &b,
                              Location loc) {
  Type elt = op.getType().getElementType();
  bool logits = op.getFromLogits();
  return sumOfTerms(
      b, loc, op, [&](OpBuilder &nb, Location nl, Value z, Value y) -> Value {
        if (logits) {
          // max(z, 0) - z * y + log1p(exp(-|z|))
          Value zero = floatConst(nb, nl, elt, 0.0);
          Value relu = arith::MaximumFOp::create(nb, nl, z, zero);
          Value zy = arith::MulFOp::create(nb, nl, z, y);
          Value negAbs =
              arith::NegFOp::create(nb, nl, math::AbsFOp::create(nb, nl, z));
          Value softplus = math::Log1pOp::create(
              nb, nl, math::ExpOp::create(nb, nl, negAbs));
          return arith::AddFOp::create(
              nb, nl, arith::SubFOp::create(nb, nl, relu, zy), softplus);
        }
        // -(y log p + (1 - y) log(1 - p)), p clipped
        Value one = floatConst(nb, nl, elt, 1.0);
        Value pc = clipProbability(nb, nl, z);
        Value a1 =
            arith::MulFOp::create(nb, nl, y, math::LogOp::create(nb, nl, pc));
        // One op per statement: argument evaluation order is unspecified.
        Value notY = arith::SubFOp::create(nb, nl, one, y);
        Value notP = arith::SubFOp::create(nb, nl, one, pc);
        Value a2 = arith::MulFOp::create(nb, nl, notY,
                                         math::LogOp::create(nb, nl, notP));
        return arith::NegFOp::create(nb, nl,
                                     arith::AddFOp::create(nb, nl, a1, a2));
      });
}

/// A prediction p of rows of classes (the last axis), with the maps that
/// read a per-element input (`id`) and a per-row one (`row`).
struct ClassRows {
  ClassRows(OpBuilder &b, Value p)
      : p(p), elt(tensorTypeOf(p).getElementType()),
        rank(tensorTypeOf(p).getRank()), axis(rank - 1),
        id(b.getMultiDimIdentityMap(rank)),
        row(rowStatMap(b.getContext(), rank, axis)) {}

  /// The sum of `fn` over every element; the mean is over the rows.
  LossSum sum(OpBuilder &b, Location loc, ValueRange inputs,
              ArrayRef<AffineMap> maps, ReduceFn fn) const {
    return {buildFullReduction(b, loc, elt, inputs, maps, rank, fn), axis};
  }

  Value p;
  Type elt;
  int64_t rank, axis;
  AffineMap id, row;
};

LossSum categoricalCrossentropySum(CategoricalCrossentropyOp op, OpBuilder &b,
                                   Location loc) {
  ClassRows rows(b, op.getPrediction());
  Value p = rows.p, t = op.getTarget();
  if (op.getFromLogits()) {
    // -sum(t * (z - m - log s))
    auto [m, s] = buildMaxAndSumExp(b, loc, p, rows.axis);
    return rows.sum(
        b, loc, ValueRange{p, t, m, s}, {rows.id, rows.id, rows.row, rows.row},
        [](OpBuilder &nb, Location nl, Value acc, ValueRange a) -> Value {
          Value shifted = arith::SubFOp::create(nb, nl, a[0], a[2]);
          Value logS = math::LogOp::create(nb, nl, a[3]);
          Value logp = arith::SubFOp::create(nb, nl, shifted, logS);
          return arith::SubFOp::create(
              nb, nl, acc, arith::MulFOp::create(nb, nl, a[1], logp));
        });
  }
  // Keras renormalizes the probabilities per row, then clips.
  Value rowSum = buildRowSum(b, loc, p, rows.axis);
  return rows.sum(
      b, loc, ValueRange{p, t, rowSum}, {rows.id, rows.id, rows.row},
      [](OpBuilder &nb, Location nl, Value acc, ValueRange a) -> Value {
        Value pn =
            clipProbability(nb, nl, arith::DivFOp::create(nb, nl, a[0], a[2]));
        return arith::SubFOp::create(
            nb, nl, acc,
            arith::MulFOp::create(nb, nl, a[1],
                                  math::LogOp::create(nb, nl, pn)));
      });
}

LossSum sparseCategoricalCrossentropySum(SparseCategoricalCrossentropyOp op,
                                         OpBuilder &b, Location loc) {
  bool logits = op.getFromLogits();
  ClassRows rows(b, op.getPrediction());
  Value label = op.getTarget();
  SmallVector<Value> inputs = {label};
  if (logits) {
    auto [m, s] = buildMaxAndSumExp(b, loc, rows.p, rows.axis);
    inputs.append({m, s});
  } else {
    // Keras clips, then normalizes by the row sum of the clipped values.
    inputs.push_back(buildRowSum(b, loc, rows.p, rows.axis, clipProbability));
  }
  // One term per row, its labelled class read directly (not a pass over
  // every class comparing with the label): lse(z) - z[y], or log(S) -
  // log(clip(p[y])) = -log(clip(p[y]) / S). A label outside the classes
  // adds nothing.
  int64_t rowRank = rows.rank - 1;
  SmallVector<AffineMap> maps(inputs.size(), b.getMultiDimIdentityMap(rowRank));
  Value classes = tensor::DimOp::create(b, loc, rows.p, rows.axis);
  Value sum = buildFullReduction(
      b, loc, rows.elt, inputs, maps, rowRank,
      [&](OpBuilder &nb, Location nl, Value acc, ValueRange a) -> Value {
        auto [y, inRange] = clampedIndex(nb, nl, a[0], classes);
        SmallVector<Value> at;
        for (int64_t d = 0; d < rowRank; ++d)
          at.push_back(linalg::IndexOp::create(nb, nl, d));
        at.push_back(y);
        Value picked = tensor::ExtractOp::create(nb, nl, rows.p, at);
        Value term;
        if (logits) {
          Value lse = arith::AddFOp::create(nb, nl, a[1],
                                            math::LogOp::create(nb, nl, a[2]));
          term = arith::SubFOp::create(nb, nl, lse, picked);
        } else {
          // Sequenced: argument evaluation order is the compiler's choice.
          Value logP =
              math::LogOp::create(nb, nl, clipProbability(nb, nl, picked));
          Value logS = math::LogOp::create(nb, nl, a[1]);
          term = arith::SubFOp::create(nb, nl, logS, logP);
        }
        Value zero = floatConst(nb, nl, rows.elt, 0.0);
        return arith::AddFOp::create(
            nb, nl, acc, arith::SelectOp::create(nb, nl, inRange, term, zero));
      });
  return {sum, rows.axis};
}

/// one_hot turns sparse labels into the dense targets of the losses'
/// gradients: 1.0 where the class index equals the row's label.
struct OneHotLowering : LoweringPattern<OneHotOp> {
  using LoweringPattern::LoweringPattern;
  FailureOr<Value> lower(OneHotOp op, OpBuilder &b,
                         Location loc) const override {
    RankedTensorType out = op.getType();
    int64_t rank = out.getRank();
    SmallVector<Value> dynSizes = dynamicSizesOf(b, loc, op.getLabels());
    Value init = emptyTensor(b, loc, out, dynSizes);
    SmallVector<IteratorType> iterators(rank, IteratorType::parallel);
    return linalg::GenericOp::create(
               b, loc, TypeRange{out}, ValueRange{op.getLabels()},
               ValueRange{init},
               {rowStatMap(b.getContext(), rank, rank - 1),
                b.getMultiDimIdentityMap(rank)},
               iterators,
               [&](OpBuilder &nb, Location nl, ValueRange a) {
                 Value hit = isLabelledClass(nb, nl, rank - 1, a[0]);
                 Type elt = out.getElementType();
                 linalg::YieldOp::create(
                     nb, nl,
                     ValueRange{arith::SelectOp::create(
                         nb, nl, hit, floatConst(nb, nl, elt, 1.0),
                         floatConst(nb, nl, elt, 0.0))});
               })
        .getResult(0);
  }
};

} // namespace

void mlc::populateMLCLossesToLinalgPatterns(RewritePatternSet &patterns) {
  patterns
      .add<LossLowering<MSEOp, mseSum>,
           LossLowering<BinaryCrossentropyOp, binaryCrossentropySum>,
           LossLowering<CategoricalCrossentropyOp, categoricalCrossentropySum>,
           LossLowering<SparseCategoricalCrossentropyOp,
                        sparseCategoricalCrossentropySum>,
           OneHotLowering>(patterns.getContext());
}
