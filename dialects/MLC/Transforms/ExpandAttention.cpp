//===- ExpandAttention.cpp - attention as a loop over batch and heads -----===//
//
// mlc.attention and its gradient become two nested scf.for loops, over the
// batch rows and the heads, whose body is one head's 2-D matmuls with the
// scaled, masked softmax between them, in mlc ops that mlc-to-linalg lowers,
// fuses and schedules like any graph. One head's (tq, tk) scores live in the
// loop body, the backward recomputes them: no (batch, heads, tq, tk) tensor
// is ever stored.
//
//===----------------------------------------------------------------------===//

#include "dialects/MLC/Transforms/Passes.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/IR/Builders.h"

namespace mlc {
#define GEN_PASS_DEF_EXPANDATTENTION
#include "dialects/MLC/Transforms/Passes.h.inc"
} // namespace mlc

using namespace mlir;
using namespace mlc;

namespace {

/// Keras's large negative number for masked scores (float32 and wider).
constexpr double kMasked = -1e9;

/// Builds one head's ops at an insertion point inside the loops.
struct HeadBuilder {
  OpBuilder &b;
  Location loc;
  Value row;  ///< the batch row
  Value head; ///< the head
  Type elt;

  /// Columns of head `head` of `seq` (batch, time, heads x width) at `row`,
  /// as a (time, width) matrix.
  Value take(Value seq, int64_t width) const {
    auto type = llvm::cast<RankedTensorType>(seq.getType());
    SmallVector<OpFoldResult> offsets, sizes, strides;
    bounds(seq, width, offsets, sizes, strides);
    auto sliceType = RankedTensorType::get({type.getDimSize(1), width}, elt);
    return tensor::ExtractSliceOp::create(b, loc, sliceType, seq, offsets,
                                          sizes, strides);
  }

  /// `value` (time, width) written where take() reads it.
  Value put(Value value, Value seq) const {
    int64_t width = llvm::cast<RankedTensorType>(value.getType()).getDimSize(1);
    SmallVector<OpFoldResult> offsets, sizes, strides;
    bounds(seq, width, offsets, sizes, strides);
    return tensor::InsertSliceOp::create(b, loc, value, seq, offsets, sizes,
                                         strides);
  }

  void bounds(Value seq, int64_t width, SmallVectorImpl<OpFoldResult> &offsets,
              SmallVectorImpl<OpFoldResult> &sizes,
              SmallVectorImpl<OpFoldResult> &strides) const {
    auto type = llvm::cast<RankedTensorType>(seq.getType());
    Value w = arith::ConstantIndexOp::create(b, loc, width);
    Value col = arith::MulIOp::create(b, loc, head, w);
    OpFoldResult time =
        type.isDynamicDim(1)
            ? OpFoldResult(tensor::DimOp::create(b, loc, seq, 1).getResult())
            : OpFoldResult(b.getIndexAttr(type.getDimSize(1)));
    offsets.assign({row, b.getIndexAttr(0), col});
    sizes.assign({b.getIndexAttr(1), time, b.getIndexAttr(width)});
    strides.assign(3, b.getIndexAttr(1));
  }

  Value scalar(double value) const {
    auto type = RankedTensorType::get({}, elt);
    return ConstantOp::create(
        b, loc, type, DenseElementsAttr::get(type, b.getFloatAttr(elt, value)));
  }

  /// softmax(scale q k^T) over the keys, the keys after the query's own
  /// position masked when `causal` (Keras: query i sees keys j <= i).
  Value probabilities(Value q, Value k, double scale, bool causal) const {
    Value scores = MatmulOp::create(b, loc, q, k, false, true);
    if (!causal) {
      Value s = scalar(scale);
      return SoftmaxOp::create(b, loc, MulOp::create(b, loc, scores, s),
                               int64_t(-1));
    }
    auto type = llvm::cast<RankedTensorType>(scores.getType());
    SmallVector<Value> dyn;
    for (int64_t d = 0; d < 2; ++d)
      if (type.isDynamicDim(d))
        dyn.push_back(tensor::DimOp::create(b, loc, scores, d));
    Value init = tensor::EmptyOp::create(b, loc, type, dyn);
    AffineMap id = b.getMultiDimIdentityMap(2);
    Value masked =
        linalg::GenericOp::create(
            b, loc, TypeRange{type}, ValueRange{scores}, ValueRange{init},
            SmallVector<AffineMap>{id, id},
            SmallVector<utils::IteratorType>(2, utils::IteratorType::parallel),
            [&](OpBuilder &nb, Location nl, ValueRange a) {
              Value i = linalg::IndexOp::create(nb, nl, 0);
              Value j = linalg::IndexOp::create(nb, nl, 1);
              Value after = arith::CmpIOp::create(
                  nb, nl, arith::CmpIPredicate::ugt, j, i);
              Value factor = arith::ConstantOp::create(
                  nb, nl, nb.getFloatAttr(elt, scale));
              Value scaled = arith::MulFOp::create(nb, nl, a[0], factor);
              Value low = arith::ConstantOp::create(
                  nb, nl, nb.getFloatAttr(elt, kMasked));
              linalg::YieldOp::create(nb, nl,
                                      ValueRange{arith::SelectOp::create(
                                          nb, nl, after, low, scaled)});
            })
            .getResult(0);
    return SoftmaxOp::create(b, loc, masked, int64_t(-1));
  }
};

/// One head's work: the values carried by the loops in, the next ones out.
using HeadFn = llvm::function_ref<SmallVector<Value>(const HeadBuilder &,
                                                     ValueRange carried)>;

/// Runs `body` for every batch row and head, carrying `init` (the results
/// each iteration writes its slices of). Returns the final values.
SmallVector<Value> forEachHead(OpBuilder &b, Location loc, Value batch,
                               int64_t heads, Type elt, ValueRange init,
                               HeadFn body) {
  Value zero = arith::ConstantIndexOp::create(b, loc, 0);
  Value one = arith::ConstantIndexOp::create(b, loc, 1);
  Value headCount = arith::ConstantIndexOp::create(b, loc, heads);
  auto rows = scf::ForOp::create(
      b, loc, zero, batch, one, init,
      [&](OpBuilder &rb, Location rl, Value row, ValueRange rowArgs) {
        auto perHead = scf::ForOp::create(
            rb, rl, zero, headCount, one, rowArgs,
            [&](OpBuilder &hb, Location hl, Value head, ValueRange args) {
              HeadBuilder h{hb, hl, row, head, elt};
              scf::YieldOp::create(hb, hl, body(h, args));
            });
        scf::YieldOp::create(rb, rl, perHead.getResults());
      });
  return SmallVector<Value>(rows.getResults());
}

/// An uninitialized tensor of `like`'s type and runtime shape (every
/// element gets written).
Value emptyLike(OpBuilder &b, Location loc, Value like) {
  auto type = llvm::cast<RankedTensorType>(like.getType());
  SmallVector<Value> dyn;
  for (int64_t d = 0; d < type.getRank(); ++d)
    if (type.isDynamicDim(d))
      dyn.push_back(tensor::DimOp::create(b, loc, like, d));
  return tensor::EmptyOp::create(b, loc, type, dyn);
}

/// What attention and its gradient share: heads, their widths, the scale
/// and the mask.
struct Heads {
  int64_t count, dk, dv;
  double scale;
  bool causal;

  template <typename OpTy> static Heads of(OpTy op) {
    int64_t n = op.getNumHeads();
    auto width = [&](Value seq) {
      return llvm::cast<RankedTensorType>(seq.getType()).getDimSize(2) / n;
    };
    return {n, width(op.getQuery()), width(op.getValue()),
            op.getScale().convertToDouble(), op.getCausal()};
  }
};

void expandAttention(AttentionOp op) {
  OpBuilder b(op);
  Location loc = op.getLoc();
  Heads heads = Heads::of(op);
  Type elt = op.getType().getElementType();
  SmallVector<Value> dyn;
  RankedTensorType type = op.getType();
  if (type.isDynamicDim(0))
    dyn.push_back(tensor::DimOp::create(b, loc, op.getQuery(), 0));
  if (type.isDynamicDim(1))
    dyn.push_back(tensor::DimOp::create(b, loc, op.getQuery(), 1));
  Value out = tensor::EmptyOp::create(b, loc, type, dyn);
  Value batch = tensor::DimOp::create(b, loc, op.getQuery(), 0);
  SmallVector<Value> results = forEachHead(
      b, loc, batch, heads.count, elt, out,
      [&](const HeadBuilder &h, ValueRange args) -> SmallVector<Value> {
        Value q = h.take(op.getQuery(), heads.dk);
        Value k = h.take(op.getKey(), heads.dk);
        Value v = h.take(op.getValue(), heads.dv);
        Value p = h.probabilities(q, k, heads.scale, heads.causal);
        Value o = MatmulOp::create(h.b, h.loc, p, v);
        return {h.put(o, args[0])};
      });
  op.replaceAllUsesWith(results[0]);
  op.erase();
}

void expandAttentionGrad(AttentionGradOp op) {
  OpBuilder b(op);
  Location loc = op.getLoc();
  Heads heads = Heads::of(op);
  Type elt = op.getGrad().getType().getElementType();
  SmallVector<Value> init = {emptyLike(b, loc, op.getQuery()),
                             emptyLike(b, loc, op.getKey()),
                             emptyLike(b, loc, op.getValue())};
  Value batch = tensor::DimOp::create(b, loc, op.getQuery(), 0);
  SmallVector<Value> results = forEachHead(
      b, loc, batch, heads.count, elt, init,
      [&](const HeadBuilder &h, ValueRange args) -> SmallVector<Value> {
        OpBuilder &nb = h.b;
        Location nl = h.loc;
        Value q = h.take(op.getQuery(), heads.dk);
        Value k = h.take(op.getKey(), heads.dk);
        Value v = h.take(op.getValue(), heads.dv);
        Value g = h.take(op.getGrad(), heads.dv);
        Value p = h.probabilities(q, k, heads.scale, heads.causal);
        Value dvh = MatmulOp::create(nb, nl, p, g, true, false);
        Value dp = MatmulOp::create(nb, nl, g, v, false, true);
        // The softmax's backward: dS = P (dP - rowsum(dP P)), then the
        // scale (masked scores have P = 0 and get none).
        Value weighted = MulOp::create(nb, nl, dp, p);
        Value rowSum =
            ReduceSumOp::create(nb, nl, weighted, ArrayRef<int64_t>{1},
                                /*keepdims=*/true);
        Value centered = SubOp::create(nb, nl, dp, rowSum);
        Value ds = MulOp::create(nb, nl, p, centered);
        ds = MulOp::create(nb, nl, ds, h.scalar(heads.scale));
        Value dqh = MatmulOp::create(nb, nl, ds, k);
        Value dkh = MatmulOp::create(nb, nl, ds, q, true, false);
        Value dq = h.put(dqh, args[0]);
        Value dkNext = h.put(dkh, args[1]);
        Value dvNext = h.put(dvh, args[2]);
        return {dq, dkNext, dvNext};
      });
  op.getQueryGrad().replaceAllUsesWith(results[0]);
  op.getKeyGrad().replaceAllUsesWith(results[1]);
  op.getValueGrad().replaceAllUsesWith(results[2]);
  op.erase();
}

struct ExpandAttentionPass
    : public mlc::impl::ExpandAttentionBase<ExpandAttentionPass> {
  void runOnOperation() override {
    SmallVector<Operation *> ops;
    getOperation().walk([&](Operation *op) {
      if (llvm::isa<AttentionOp, AttentionGradOp>(op))
        ops.push_back(op);
    });
    for (Operation *op : ops) {
      if (auto attention = llvm::dyn_cast<AttentionOp>(op))
        expandAttention(attention);
      else
        expandAttentionGrad(llvm::cast<AttentionGradOp>(op));
    }
  }
};

} // namespace
