//===- Conv.cpp - mlc convolution and pooling -> linalg on tensors --------===//
//
// NHWC window ops. A convolution and both of its gradients are one
// linalg.generic each over the padded operand, with the channel loop
// innermost so the loops vectorize along contiguous channels:
//   conv:         y[n,i,j,o]  += xp[n, i*sh + a*dh, j*sw + b*dw, c] *
//   k[a,b,c,o] filter grad:  dk[a,b,c,o] += xp[n, i*sh + a*dh, j*sw + b*dw, c]
//   * g[n,i,j,o] input grad:   dx[n,y,x,c] += gp[n, y + a*dh, x + b*dw, o] *
//   kf[a,b,o,c]
// where xp is the input inside its zero pads, gp the result gradient
// spread `stride` apart inside pads of the dilated kernel's extent (a
// strided insert, no loop), and kf the kernel flipped in space with its
// channels swapped (a small copy), so the input gradient is again a
// convolution with stride 1.
//
// Pooling windows are small: a pooling op is one op over the pooled shape
// reading a strided slice of the padded input per window offset (max or
// sum), marked mlc.outer_loops so the CPU schedule runs it a window position at
// a time with the channels as vectors. Gradients add each offset's share
// into strided slices of a padded gradient; max pooling's goes to the first
// maximum of each window, as TensorFlow's. Windows that tile the input
// (stride = window, no pads, the common case) take their gradient in one
// op over (window, offset, channel) instead, which reads each window once
// and writes its block of the gradient.
//
//===----------------------------------------------------------------------===//

#include "compiler/Conversion/MLCToLinalg/LoweringUtils.h"
#include "compiler/Conversion/MLCToLinalg/Patterns.h"

#include "mlir/Dialect/Arith/Utils/Utils.h"

#include <limits>

using namespace mlir;
using namespace mlc;
using namespace mlc::linalg_lowering;

namespace {

using utils::IteratorType;

/// `x` (rows and columns at dims 1 and 2, any rank) placed into a tensor of
/// `rows` x `cols` filled with `fill`, at (`top`, `left`), its rows `sh`
/// and columns `sw` apart.
Value placeInto(OpBuilder &b, Location loc, Value x, int64_t rows, int64_t cols,
                int64_t top, int64_t left, int64_t sh, int64_t sw,
                double fill) {
  RankedTensorType t = tensorTypeOf(x);
  if (rows == t.getDimSize(1) && cols == t.getDimSize(2) && sh == 1 && sw == 1)
    return x;
  SmallVector<int64_t> shape(t.getShape());
  shape[1] = rows;
  shape[2] = cols;
  auto type = RankedTensorType::get(shape, t.getElementType());
  SmallVector<Value> dyn;
  if (t.isDynamicDim(0))
    dyn.push_back(dimOf(b, loc, x, 0));
  Value dest = filledTensor(b, loc, type, dyn, fill);
  int64_t rank = t.getRank();
  SmallVector<OpFoldResult> offsets(rank, b.getIndexAttr(0));
  offsets[1] = b.getIndexAttr(top);
  offsets[2] = b.getIndexAttr(left);
  SmallVector<OpFoldResult> sizes = tensor::getMixedSizes(b, loc, x);
  SmallVector<OpFoldResult> strides(rank, b.getIndexAttr(1));
  strides[1] = b.getIndexAttr(sh);
  strides[2] = b.getIndexAttr(sw);
  return tensor::InsertSliceOp::create(b, loc, x, dest, offsets, sizes,
                                       strides);
}

/// `x` inside its pads [top, bottom, left, right] of `fill`.
Value padded(OpBuilder &b, Location loc, Value x, ArrayRef<int64_t> pads,
             double fill) {
  RankedTensorType t = tensorTypeOf(x);
  return placeInto(b, loc, x, t.getDimSize(1) + pads[0] + pads[1],
                   t.getDimSize(2) + pads[2] + pads[3], pads[0], pads[2], 1, 1,
                   fill);
}

/// A zero-initialized NHWC tensor of `type` whose batch is `batchOf`'s.
Value zerosLike(OpBuilder &b, Location loc, RankedTensorType type,
                Value batchOf) {
  SmallVector<Value> dyn;
  if (type.isDynamicDim(0))
    dyn.push_back(dimOf(b, loc, batchOf, 0));
  return filledTensor(b, loc, type, dyn, 0.0);
}

/// A multiply-accumulate linalg.generic over 7 loops, marked for the CPU
/// schedule (mlc-cpu-schedule) with its loop order: "nhwc" for (n, i, j,
/// a, b, c, o) (a convolution, or the input gradient as one), "filter" for
/// the kernel gradient's (a, b, n, i, j, c, o); "depthwise" ones the
/// schedule leaves to plain loops (and elementwise fusion leaves alone).
Value buildMacGeneric(OpBuilder &b, Location loc, Value lhs, Value rhs,
                      Value init, ArrayRef<AffineMap> maps,
                      ArrayRef<IteratorType> iterators, StringRef kind) {
  auto op = linalg::GenericOp::create(
      b, loc, TypeRange{init.getType()}, ValueRange{lhs, rhs}, ValueRange{init},
      maps, iterators, [](OpBuilder &nb, Location nl, ValueRange a) {
        Value prod = arith::MulFOp::create(nb, nl, a[0], a[1]);
        linalg::YieldOp::create(
            nb, nl, ValueRange{arith::AddFOp::create(nb, nl, a[2], prod)});
      });
  op->setAttr("mlc.conv", b.getStringAttr(kind));
  return op.getResult(0);
}

/// A map from the 7 loops of a convolution generic.
AffineMap loopMap(MLIRContext *ctx, ArrayRef<AffineExpr> results) {
  return AffineMap::get(7, 0, results, ctx);
}

/// Iterator types from a string of 'p' (parallel) and 'r' (reduction).
SmallVector<IteratorType> iteratorsOf(StringRef kinds) {
  SmallVector<IteratorType> iterators;
  for (char k : kinds)
    iterators.push_back(k == 'r' ? IteratorType::reduction
                                 : IteratorType::parallel);
  return iterators;
}

struct ConvLowering : LoweringPattern<ConvOp> {
  using LoweringPattern::LoweringPattern;
  FailureOr<Value> lower(ConvOp op, OpBuilder &b, Location loc) const override {
    ArrayRef<int64_t> s = op.getStrides(), d = op.getDilations();
    Value xp = padded(b, loc, op.getInput(), op.getPads(), 0.0);
    Value init = zerosLike(b, loc, op.getType(), op.getInput());
    // Loops (n, i, j, a, b, c, o).
    MLIRContext *ctx = b.getContext();
    AffineExpr n, i, j, a, bb, c, o;
    bindDims(ctx, n, i, j, a, bb, c, o);
    auto map = [&](ArrayRef<AffineExpr> e) { return loopMap(ctx, e); };
    SmallVector<AffineMap> maps = {
        map({n, i * s[0] + a * d[0], j * s[1] + bb * d[1], c}),
        map({a, bb, c, o}), map({n, i, j, o})};
    return buildMacGeneric(b, loc, xp, op.getKernel(), init, maps,
                           iteratorsOf("ppprrrp"), "nhwc");
  }
};

struct ConvFilterGradLowering : LoweringPattern<ConvFilterGradOp> {
  using LoweringPattern::LoweringPattern;
  FailureOr<Value> lower(ConvFilterGradOp op, OpBuilder &b,
                         Location loc) const override {
    ArrayRef<int64_t> s = op.getStrides(), d = op.getDilations();
    Value xp = padded(b, loc, op.getInput(), op.getPads(), 0.0);
    Value init = filledTensor(b, loc, op.getType(), {}, 0.0);
    // Loops (a, b, n, i, j, c, o).
    MLIRContext *ctx = b.getContext();
    AffineExpr a, bb, n, i, j, c, o;
    bindDims(ctx, a, bb, n, i, j, c, o);
    auto map = [&](ArrayRef<AffineExpr> e) { return loopMap(ctx, e); };
    SmallVector<AffineMap> maps = {
        map({n, i * s[0] + a * d[0], j * s[1] + bb * d[1], c}),
        map({n, i, j, o}), map({a, bb, c, o})};
    return buildMacGeneric(b, loc, xp, op.getGrad(), init, maps,
                           iteratorsOf("pprrrpp"), "filter");
  }
};

struct ConvInputGradLowering : LoweringPattern<ConvInputGradOp> {
  using LoweringPattern::LoweringPattern;
  FailureOr<Value> lower(ConvInputGradOp op, OpBuilder &b,
                         Location loc) const override {
    ArrayRef<int64_t> s = op.getStrides(), d = op.getDilations(),
                      pads = op.getPads();
    RankedTensorType in = op.getType();
    RankedTensorType kernel = op.getKernel().getType();
    int64_t kh = kernel.getDimSize(0), kw = kernel.getDimSize(1);
    int64_t extentH = (kh - 1) * d[0], extentW = (kw - 1) * d[1];
    // The verifier bounds pads by the extents, so every offset is >= 0 and
    // the spread gradient fits.
    Value gp = placeInto(b, loc, op.getGrad(), in.getDimSize(1) + extentH,
                         in.getDimSize(2) + extentW, extentH - pads[0],
                         extentW - pads[2], s[0], s[1], 0.0);
    // kf[a, b, o, c] = k[kh - 1 - a, kw - 1 - b, c, o].
    MLIRContext *ctx = b.getContext();
    auto flippedType = RankedTensorType::get(
        {kh, kw, kernel.getDimSize(3), kernel.getDimSize(2)},
        kernel.getElementType());
    AffineExpr fa, fb, fo, fc;
    bindDims(ctx, fa, fb, fo, fc);
    Value flipped =
        linalg::GenericOp::create(
            b, loc, TypeRange{flippedType}, ValueRange{op.getKernel()},
            ValueRange{emptyTensor(b, loc, flippedType, {})},
            SmallVector<AffineMap>{
                AffineMap::get(4, 0, {kh - 1 - fa, kw - 1 - fb, fc, fo}, ctx),
                AffineMap::getMultiDimIdentityMap(4, ctx)},
            SmallVector<IteratorType>(4, IteratorType::parallel),
            [](OpBuilder &nb, Location nl, ValueRange a) {
              linalg::YieldOp::create(nb, nl, a[0]);
            })
            .getResult(0);
    Value init = zerosLike(b, loc, in, op.getGrad());
    // Loops (n, y, x, a, b, o, c).
    AffineExpr n, y, x, a, bb, o, c;
    bindDims(ctx, n, y, x, a, bb, o, c);
    auto map = [&](ArrayRef<AffineExpr> e) { return loopMap(ctx, e); };
    SmallVector<AffineMap> maps = {map({n, y + a * d[0], x + bb * d[1], o}),
                                   map({a, bb, o, c}), map({n, y, x, c})};
    return buildMacGeneric(b, loc, gp, flipped, init, maps,
                           iteratorsOf("ppprrrp"), "nhwc");
  }
};

//===----------------------------------------------------------------------===//
// Depthwise convolution: channel c's M filters give channels c * M + m. The
// ops run on a [..., C, M] view of the channels (a free reshape), with the
// channel loop innermost; marked "depthwise" so that elementwise fusion
// leaves them alone (the CPU schedule does not tile them yet).
//===----------------------------------------------------------------------===//

/// `v` [..., C * M] as [..., C, M].
Value splitChannels(OpBuilder &b, Location loc, Value v, int64_t c, int64_t m) {
  RankedTensorType t = tensorTypeOf(v);
  auto type = RankedTensorType::get(
      {t.getDimSize(0), t.getDimSize(1), t.getDimSize(2), c, m},
      t.getElementType());
  SmallVector<OpFoldResult> shape = tensor::getMixedSizes(b, loc, v);
  shape.back() = b.getIndexAttr(c);
  shape.push_back(b.getIndexAttr(m));
  return tensor::ExpandShapeOp::create(
      b, loc, type, v, SmallVector<ReassociationIndices>{{0}, {1}, {2}, {3, 4}},
      shape);
}

struct DepthwiseConvLowering : LoweringPattern<DepthwiseConvOp> {
  using LoweringPattern::LoweringPattern;
  FailureOr<Value> lower(DepthwiseConvOp op, OpBuilder &b,
                         Location loc) const override {
    ArrayRef<int64_t> s = op.getStrides(), d = op.getDilations();
    RankedTensorType kernel = op.getKernel().getType(), out = op.getType();
    int64_t c = kernel.getDimSize(2), m = kernel.getDimSize(3);
    Value xp = padded(b, loc, op.getInput(), op.getPads(), 0.0);
    auto type5 = RankedTensorType::get(
        {out.getDimSize(0), out.getDimSize(1), out.getDimSize(2), c, m},
        out.getElementType());
    SmallVector<Value> dyn;
    if (out.isDynamicDim(0))
      dyn.push_back(dimOf(b, loc, op.getInput(), 0));
    Value init = filledTensor(b, loc, type5, dyn, 0.0);
    // Loops (n, i, j, a, b, m, c).
    MLIRContext *ctx = b.getContext();
    AffineExpr n, i, j, a, bb, mm, cc;
    bindDims(ctx, n, i, j, a, bb, mm, cc);
    auto map = [&](ArrayRef<AffineExpr> e) { return loopMap(ctx, e); };
    Value y = buildMacGeneric(
        b, loc, xp, op.getKernel(), init,
        {map({n, i * s[0] + a * d[0], j * s[1] + bb * d[1], cc}),
         map({a, bb, cc, mm}), map({n, i, j, cc, mm})},
        iteratorsOf("ppprrpp"), "depthwise");
    return tensor::CollapseShapeOp::create(
               b, loc, out, y,
               SmallVector<ReassociationIndices>{{0}, {1}, {2}, {3, 4}})
        .getResult();
  }
};

struct DepthwiseConvInputGradLowering
    : LoweringPattern<DepthwiseConvInputGradOp> {
  using LoweringPattern::LoweringPattern;
  FailureOr<Value> lower(DepthwiseConvInputGradOp op, OpBuilder &b,
                         Location loc) const override {
    ArrayRef<int64_t> s = op.getStrides(), d = op.getDilations(),
                      pads = op.getPads();
    RankedTensorType in = op.getType(), kernel = op.getKernel().getType();
    int64_t kh = kernel.getDimSize(0), kw = kernel.getDimSize(1);
    int64_t extentH = (kh - 1) * d[0], extentW = (kw - 1) * d[1];
    Value g5 = splitChannels(b, loc, op.getGrad(), kernel.getDimSize(2),
                             kernel.getDimSize(3));
    Value gp = placeInto(b, loc, g5, in.getDimSize(1) + extentH,
                         in.getDimSize(2) + extentW, extentH - pads[0],
                         extentW - pads[2], s[0], s[1], 0.0);
    Value init = zerosLike(b, loc, in, op.getGrad());
    // Loops (n, y, x, a, b, m, c), the kernel read flipped in space.
    MLIRContext *ctx = b.getContext();
    AffineExpr n, y, x, a, bb, mm, cc;
    bindDims(ctx, n, y, x, a, bb, mm, cc);
    auto map = [&](ArrayRef<AffineExpr> e) { return loopMap(ctx, e); };
    // The kernel flipped in space (a small copy): its loops (a, b) then
    // appear plainly in an operand, which linalg needs to size them.
    AffineExpr fa, fb, fc, fm;
    bindDims(ctx, fa, fb, fc, fm);
    Value flipped =
        linalg::GenericOp::create(
            b, loc, TypeRange{kernel}, ValueRange{op.getKernel()},
            ValueRange{emptyTensor(b, loc, kernel, {})},
            SmallVector<AffineMap>{
                AffineMap::get(4, 0, {kh - 1 - fa, kw - 1 - fb, fc, fm}, ctx),
                AffineMap::getMultiDimIdentityMap(4, ctx)},
            SmallVector<IteratorType>(4, IteratorType::parallel),
            [](OpBuilder &nb, Location nl, ValueRange args) {
              linalg::YieldOp::create(nb, nl, args[0]);
            })
            .getResult(0);
    return buildMacGeneric(b, loc, gp, flipped, init,
                           {map({n, y + a * d[0], x + bb * d[1], cc, mm}),
                            map({a, bb, cc, mm}), map({n, y, x, cc})},
                           iteratorsOf("ppprrrp"), "depthwise");
  }
};

struct DepthwiseConvFilterGradLowering
    : LoweringPattern<DepthwiseConvFilterGradOp> {
  using LoweringPattern::LoweringPattern;
  FailureOr<Value> lower(DepthwiseConvFilterGradOp op, OpBuilder &b,
                         Location loc) const override {
    ArrayRef<int64_t> s = op.getStrides(), d = op.getDilations();
    RankedTensorType kernel = op.getType();
    Value xp = padded(b, loc, op.getInput(), op.getPads(), 0.0);
    Value g5 = splitChannels(b, loc, op.getGrad(), kernel.getDimSize(2),
                             kernel.getDimSize(3));
    Value init = filledTensor(b, loc, kernel, {}, 0.0);
    // Loops (a, b, n, i, j, m, c).
    MLIRContext *ctx = b.getContext();
    AffineExpr a, bb, n, i, j, mm, cc;
    bindDims(ctx, a, bb, n, i, j, mm, cc);
    auto map = [&](ArrayRef<AffineExpr> e) { return loopMap(ctx, e); };
    return buildMacGeneric(
        b, loc, xp, g5, init,
        {map({n, i * s[0] + a * d[0], j * s[1] + bb * d[1], cc}),
         map({n, i, j, cc, mm}), map({a, bb, cc, mm})},
        iteratorsOf("pprrrpp"), "depthwise");
  }
};

//===----------------------------------------------------------------------===//
// Pooling
//===----------------------------------------------------------------------===//

/// The window offsets of a pooling op, and its slices.
struct Windows {
  Windows(OpBuilder &b, Location loc, ArrayRef<int64_t> window,
          ArrayRef<int64_t> strides, RankedTensorType pooled, Value batchOf)
      : b(b), loc(loc), window(window), strides(strides), pooled(pooled),
        batchOf(batchOf) {}

  int64_t count() const { return window[0] * window[1]; }
  ArrayRef<int64_t> size() const { return window; }

  /// The slice of the padded `xp` that offset `k` (row-major in the
  /// window) of every window reads.
  Value slice(Value xp, int64_t k) {
    auto [offsets, sizes, steps] = sliceParams(k);
    return tensor::ExtractSliceOp::create(b, loc, pooled, xp, offsets, sizes,
                                          steps);
  }

  /// Adds `share` into the slice of `acc` at offset `k`, in place.
  Value accumulate(Value acc, Value share, int64_t k) {
    auto [offsets, sizes, steps] = sliceParams(k);
    Value part = tensor::ExtractSliceOp::create(b, loc, pooled, acc, offsets,
                                                sizes, steps);
    MLIRContext *ctx = b.getContext();
    AffineMap id = AffineMap::getMultiDimIdentityMap(4, ctx);
    Value sum =
        linalg::GenericOp::create(
            b, loc, TypeRange{pooled}, ValueRange{share}, ValueRange{part},
            SmallVector<AffineMap>{id, id},
            SmallVector<IteratorType>(4, IteratorType::parallel),
            [](OpBuilder &nb, Location nl, ValueRange a) {
              linalg::YieldOp::create(
                  nb, nl,
                  ValueRange{arith::AddFOp::create(nb, nl, a[1], a[0])});
            })
            .getResult(0);
    return tensor::InsertSliceOp::create(b, loc, sum, acc, offsets, sizes,
                                         steps);
  }

  SmallVector<OpFoldResult> batchSize() {
    if (pooled.isDynamicDim(0))
      return {dimOf(b, loc, batchOf, 0)};
    return {b.getIndexAttr(pooled.getDimSize(0))};
  }

private:
  std::tuple<SmallVector<OpFoldResult>, SmallVector<OpFoldResult>,
             SmallVector<OpFoldResult>>
  sliceParams(int64_t k) {
    SmallVector<OpFoldResult> offsets = {
        b.getIndexAttr(0), b.getIndexAttr(k / window[1]),
        b.getIndexAttr(k % window[1]), b.getIndexAttr(0)};
    SmallVector<OpFoldResult> sizes = batchSize();
    for (int d = 1; d < 4; ++d)
      sizes.push_back(b.getIndexAttr(pooled.getDimSize(d)));
    SmallVector<OpFoldResult> steps = {
        b.getIndexAttr(1), b.getIndexAttr(strides[0]),
        b.getIndexAttr(strides[1]), b.getIndexAttr(1)};
    return {offsets, sizes, steps};
  }

  OpBuilder &b;
  Location loc;
  ArrayRef<int64_t> window, strides;
  RankedTensorType pooled;
  Value batchOf;
};

/// Number of input elements (padding left out) in each window, as a
/// constant [rows, cols] tensor (read with `countsMap`).
Value windowCounts(OpBuilder &b, Location loc, RankedTensorType input,
                   RankedTensorType pooled, ArrayRef<int64_t> window,
                   ArrayRef<int64_t> strides, ArrayRef<int64_t> pads) {
  int64_t rows = pooled.getDimSize(1), cols = pooled.getDimSize(2);
  auto covered = [](int64_t start, int64_t size, int64_t limit) {
    return std::min(start + size, limit) - std::max<int64_t>(start, 0);
  };
  Type elt = input.getElementType();
  SmallVector<Attribute> counts;
  for (int64_t i = 0; i < rows; ++i)
    for (int64_t j = 0; j < cols; ++j)
      counts.push_back(
          b.getFloatAttr(elt, double(covered(i * strides[0] - pads[0],
                                             window[0], input.getDimSize(1)) *
                                     covered(j * strides[1] - pads[2],
                                             window[1], input.getDimSize(2)))));
  auto type = RankedTensorType::get({rows, cols}, elt);
  return arith::ConstantOp::create(b, loc, type,
                                   DenseElementsAttr::get(type, counts));
}

/// (n, i, j, c) -> (i, j): the window counts in an op over the pooled shape.
AffineMap countsMap(MLIRContext *ctx) {
  AffineExpr i = getAffineDimExpr(1, ctx), j = getAffineDimExpr(2, ctx);
  return AffineMap::get(4, 0, {i, j}, ctx);
}

/// A linalg.generic over the pooled shape (all loops parallel, every
/// operand at the identity but the window counts) marked `mlc.outer_loops`: the
/// CPU schedule runs it a window position at a time with the channels as
/// one vector, and elementwise fusion leaves it whole.
linalg::GenericOp
windowGeneric(OpBuilder &b, Location loc, ValueRange inputs, Value counts,
              ValueRange inits,
              function_ref<void(OpBuilder &, Location, ValueRange)> body) {
  MLIRContext *ctx = b.getContext();
  AffineMap id = AffineMap::getMultiDimIdentityMap(4, ctx);
  SmallVector<Value> ins(inputs);
  SmallVector<AffineMap> maps(inputs.size(), id);
  if (counts) {
    ins.push_back(counts);
    maps.push_back(countsMap(ctx));
  }
  maps.append(inits.size(), id);
  SmallVector<Type> types;
  for (Value init : inits)
    types.push_back(init.getType());
  auto op = linalg::GenericOp::create(
      b, loc, types, ins, inits, maps,
      SmallVector<IteratorType>(4, IteratorType::parallel), body);
  // Scheduled a window position (n, i, j) at a time.
  op->setAttr("mlc.outer_loops", b.getI64IntegerAttr(3));
  return op;
}

using Fold2 = Value (*)(OpBuilder &, Location, Value, Value);

/// The fold of the window slices of `xp` (max or sum) in one op, divided
/// by `counts` when given.
Value foldWindows(OpBuilder &b, Location loc, Windows &w, Value xp,
                  RankedTensorType pooled, Fold2 fold, Value counts = {}) {
  SmallVector<Value> slices;
  for (int64_t k = 0; k < w.count(); ++k)
    slices.push_back(w.slice(xp, k));
  Value init = emptyTensor(b, loc, pooled, dynamicSizesOf(b, loc, slices[0]));
  int64_t n = w.count();
  return windowGeneric(b, loc, slices, counts, init,
                       [&](OpBuilder &nb, Location nl, ValueRange a) {
                         Value acc = a[0];
                         for (int64_t k = 1; k < n; ++k)
                           acc = fold(nb, nl, acc, a[k]);
                         if (counts)
                           acc = arith::DivFOp::create(nb, nl, acc, a[n]);
                         linalg::YieldOp::create(nb, nl, acc);
                       })
      .getResult(0);
}

/// std::max's `acc < next ? next : acc` (as TensorFlow's CPU kernels): one
/// vmaxps, where arith.maximumf's NaN rule takes three instructions.
Value maxOf(OpBuilder &b, Location loc, Value acc, Value next) {
  Value less =
      arith::CmpFOp::create(b, loc, arith::CmpFPredicate::OLT, acc, next);
  return arith::SelectOp::create(b, loc, less, next, acc);
}
Value sumOf(OpBuilder &b, Location loc, Value x, Value y) {
  return arith::AddFOp::create(b, loc, x, y);
}

constexpr double kMinusInf = -std::numeric_limits<double>::infinity();

struct MaxPoolLowering : LoweringPattern<MaxPoolOp> {
  using LoweringPattern::LoweringPattern;
  FailureOr<Value> lower(MaxPoolOp op, OpBuilder &b,
                         Location loc) const override {
    Windows w(b, loc, op.getWindow(), op.getStrides(), op.getType(),
              op.getInput());
    Value xp = padded(b, loc, op.getInput(), op.getPads(), kMinusInf);
    return foldWindows(b, loc, w, xp, op.getType(), maxOf);
  }
};

struct AvgPoolLowering : LoweringPattern<AvgPoolOp> {
  using LoweringPattern::LoweringPattern;
  FailureOr<Value> lower(AvgPoolOp op, OpBuilder &b,
                         Location loc) const override {
    RankedTensorType pooled = op.getType();
    Windows w(b, loc, op.getWindow(), op.getStrides(), pooled, op.getInput());
    Value xp = padded(b, loc, op.getInput(), op.getPads(), 0.0);
    Value counts = windowCounts(b, loc, op.getInput().getType(), pooled,
                                op.getWindow(), op.getStrides(), op.getPads());
    return foldWindows(b, loc, w, xp, pooled, sumOf, counts);
  }
};

/// The gradient of the input, padded, from each window offset's share.
Value spreadShares(OpBuilder &b, Location loc, Windows &w,
                   RankedTensorType input, ArrayRef<int64_t> pads,
                   function_ref<Value(int64_t)> share) {
  auto paddedType = RankedTensorType::get(
      {input.getDimSize(0), input.getDimSize(1) + pads[0] + pads[1],
       input.getDimSize(2) + pads[2] + pads[3], input.getDimSize(3)},
      input.getElementType());
  SmallVector<Value> dyn;
  if (input.isDynamicDim(0))
    dyn.push_back(getValueOrCreateConstantIndexOp(b, loc, w.batchSize()[0]));
  Value acc = filledTensor(b, loc, paddedType, dyn, 0.0);
  for (int64_t k = 0; k < w.count(); ++k)
    acc = w.accumulate(acc, share(k), k);
  if (paddedType == input)
    return acc;
  SmallVector<OpFoldResult> offsets = {
      b.getIndexAttr(0), b.getIndexAttr(pads[0]), b.getIndexAttr(pads[2]),
      b.getIndexAttr(0)};
  SmallVector<OpFoldResult> sizes = w.batchSize();
  for (int d = 1; d < 4; ++d)
    sizes.push_back(b.getIndexAttr(input.getDimSize(d)));
  SmallVector<OpFoldResult> ones(4, b.getIndexAttr(1));
  return tensor::ExtractSliceOp::create(b, loc, input, acc, offsets, sizes,
                                        ones);
}

/// Whether the windows tile the input without overlap or padding (stride
/// = window, no pads): every input element then lies in at most one
/// window, and the gradient is one gather instead of a sum of shares.
bool tilesExactly(ArrayRef<int64_t> window, ArrayRef<int64_t> strides,
                  ArrayRef<int64_t> pads) {
  return window == strides &&
         llvm::all_of(pads, [](int64_t p) { return p == 0; });
}

/// The input gradient of windows that tile the input (each input element
/// in at most one window), in one op over (n, i, j, a, b, c): window (i, j)
/// and offset (a, b) in it, writing the gradient viewed as [n, rows, a,
/// cols, b, c]. `fn` gets the op's inputs (`inputs` on the pooled shape,
/// then `counts` if given) and returns each offset's gradient, row-major
/// (the element takes its own offset's), or one for all. Scheduled a window at
/// a time, the offsets are constants in the vector code. Rows and columns past
/// the last window get 0.
Value tilingGradient(OpBuilder &b, Location loc, Windows &w,
                     RankedTensorType input, ValueRange inputs, Value counts,
                     function_ref<void(OpBuilder &, Location, ValueRange,
                                       SmallVectorImpl<Value> &)>
                         fn) {
  RankedTensorType pooled = tensorTypeOf(inputs[0]);
  int64_t kh = w.size()[0], kw = w.size()[1];
  int64_t rows = pooled.getDimSize(1), cols = pooled.getDimSize(2);
  SmallVector<Value> dyn;
  if (input.isDynamicDim(0))
    dyn.push_back(dimOf(b, loc, inputs[0], 0));
  bool covered =
      rows * kh == input.getDimSize(1) && cols * kw == input.getDimSize(2);
  Value dest = covered ? emptyTensor(b, loc, input, dyn)
                       : filledTensor(b, loc, input, dyn, 0.0);
  // The windows' part of the gradient, [n, rows*kh, cols*kw, c], and its
  // 6-D view.
  SmallVector<OpFoldResult> zeros(4, b.getIndexAttr(0)),
      ones(4, b.getIndexAttr(1));
  SmallVector<OpFoldResult> sizes = {
      tensor::getMixedSize(b, loc, inputs[0], 0), b.getIndexAttr(rows * kh),
      b.getIndexAttr(cols * kw), b.getIndexAttr(input.getDimSize(3))};
  Value part =
      covered ? dest
              : tensor::ExtractSliceOp::create(b, loc, dest, zeros, sizes, ones)
                    .getResult();
  SmallVector<int64_t> shape6 = {input.getDimSize(0), rows, kh, cols, kw,
                                 input.getDimSize(3)};
  auto type6 = RankedTensorType::get(shape6, input.getElementType());
  SmallVector<ReassociationIndices> groups = {{0}, {1, 2}, {3, 4}, {5}};
  SmallVector<OpFoldResult> outShape = {
      sizes[0],           b.getIndexAttr(rows),
      b.getIndexAttr(kh), b.getIndexAttr(cols),
      b.getIndexAttr(kw), sizes[3]};
  Value part6 =
      tensor::ExpandShapeOp::create(b, loc, type6, part, groups, outShape);

  MLIRContext *ctx = b.getContext();
  AffineExpr n, i, j, a, bb, c;
  bindDims(ctx, n, i, j, a, bb, c);
  SmallVector<Value> ins(inputs);
  SmallVector<AffineMap> maps(inputs.size(),
                              AffineMap::get(6, 0, {n, i, j, c}, ctx));
  if (counts) {
    ins.push_back(counts);
    maps.push_back(AffineMap::get(6, 0, {i, j}, ctx));
  }
  maps.push_back(AffineMap::get(6, 0, {n, i, a, j, bb, c}, ctx));
  auto op = linalg::GenericOp::create(
      b, loc, TypeRange{type6}, ins, ValueRange{part6}, maps,
      SmallVector<IteratorType>(6, IteratorType::parallel),
      [&](OpBuilder &nb, Location nl, ValueRange args) {
        SmallVector<Value> grads;
        fn(nb, nl, args.drop_back(), grads);
        Value grad = grads.back();
        if (grads.size() > 1) {
          // This element's offset in its window, row-major (one statement
          // per op: argument order would differ between compilers).
          Value row = linalg::IndexOp::create(nb, nl, 3);
          Value col = linalg::IndexOp::create(nb, nl, 4);
          Value width = arith::ConstantIndexOp::create(nb, nl, kw);
          Value offset = arith::AddIOp::create(
              nb, nl, arith::MulIOp::create(nb, nl, row, width), col);
          for (int64_t k = int64_t(grads.size()) - 2; k >= 0; --k) {
            Value here = arith::CmpIOp::create(
                nb, nl, arith::CmpIPredicate::eq, offset,
                arith::ConstantIndexOp::create(nb, nl, k));
            grad = arith::SelectOp::create(nb, nl, here, grads[k], grad);
          }
        }
        linalg::YieldOp::create(nb, nl, grad);
      });
  // Scheduled a window (i, j) at a time: the 3 loops before (a, b, c).
  op->setAttr("mlc.outer_loops", b.getI64IntegerAttr(3));
  Value result = tensor::CollapseShapeOp::create(b, loc, tensorTypeOf(part),
                                                 op.getResult(0), groups);
  if (covered)
    return result;
  return tensor::InsertSliceOp::create(b, loc, result, dest, zeros, sizes,
                                       ones);
}

struct MaxPoolGradLowering : LoweringPattern<MaxPoolGradOp> {
  using LoweringPattern::LoweringPattern;
  FailureOr<Value> lower(MaxPoolGradOp op, OpBuilder &b,
                         Location loc) const override {
    RankedTensorType pooled = op.getGrad().getType();
    Windows w(b, loc, op.getWindow(), op.getStrides(), pooled, op.getGrad());
    Value xp = padded(b, loc, op.getInput(), op.getPads(), kMinusInf);
    Type elt = pooled.getElementType();
    int64_t count = w.count();
    if (tilesExactly(op.getWindow(), op.getStrides(), op.getPads())) {
      // Each window: its maximum, then the gradient to the first offset
      // equal to it, 0 to the others.
      SmallVector<Value> inputs = {op.getGrad()};
      for (int64_t k = 0; k < count; ++k)
        inputs.push_back(w.slice(xp, k));
      return tilingGradient(
          b, loc, w, op.getType(), inputs, Value(),
          [&](OpBuilder &nb, Location nl, ValueRange a,
              SmallVectorImpl<Value> &grads) {
            Value max = a[1];
            for (int64_t k = 1; k < count; ++k)
              max = maxOf(nb, nl, max, a[1 + k]);
            Value zero = floatConst(nb, nl, elt, 0.0);
            Value found;
            for (int64_t k = 0; k < count; ++k) {
              Value equal = arith::CmpFOp::create(
                  nb, nl, arith::CmpFPredicate::OEQ, a[1 + k], max);
              Value mine = equal;
              if (found) {
                Value notYet = arith::XOrIOp::create(
                    nb, nl, found,
                    arith::ConstantIntOp::create(nb, nl, 1, /*width=*/1));
                mine = arith::AndIOp::create(nb, nl, equal, notYet);
                found = arith::OrIOp::create(nb, nl, found, equal);
              } else {
                found = equal;
              }
              grads.push_back(
                  arith::SelectOp::create(nb, nl, mine, a[0], zero));
            }
          });
    }
    Value max = foldWindows(b, loc, w, xp, pooled, maxOf);
    // The offset of each window's first maximum: scanning the offsets
    // backwards, each equal one overwrites the later ones.
    SmallVector<Value> dyn;
    if (pooled.isDynamicDim(0))
      dyn.push_back(dimOf(b, loc, op.getGrad(), 0));
    Value first = filledTensor(b, loc, pooled, dyn, double(count));
    for (int64_t k = count - 1; k >= 0; --k) {
      Value x = w.slice(xp, k);
      first = buildElementwise(
          b, loc, pooled, ValueRange{x, max, first},
          [k, elt](OpBuilder &nb, Location nl, ValueRange a) {
            Value equal = arith::CmpFOp::create(
                nb, nl, arith::CmpFPredicate::OEQ, a[0], a[1]);
            return arith::SelectOp::create(
                       nb, nl, equal, floatConst(nb, nl, elt, double(k)), a[2])
                .getResult();
          });
    }
    return spreadShares(b, loc, w, op.getType(), op.getPads(), [&](int64_t k) {
      return buildElementwise(
          b, loc, pooled, ValueRange{op.getGrad(), first},
          [k, elt](OpBuilder &nb, Location nl, ValueRange a) {
            Value mine =
                arith::CmpFOp::create(nb, nl, arith::CmpFPredicate::OEQ, a[1],
                                      floatConst(nb, nl, elt, double(k)));
            return arith::SelectOp::create(nb, nl, mine, a[0],
                                           floatConst(nb, nl, elt, 0.0))
                .getResult();
          });
    });
  }
};

struct AvgPoolGradLowering : LoweringPattern<AvgPoolGradOp> {
  using LoweringPattern::LoweringPattern;
  FailureOr<Value> lower(AvgPoolGradOp op, OpBuilder &b,
                         Location loc) const override {
    RankedTensorType pooled = op.getGrad().getType();
    Windows w(b, loc, op.getWindow(), op.getStrides(), pooled, op.getGrad());
    Value counts = windowCounts(b, loc, op.getType(), pooled, op.getWindow(),
                                op.getStrides(), op.getPads());
    if (tilesExactly(op.getWindow(), op.getStrides(), op.getPads()))
      return tilingGradient(b, loc, w, op.getType(), op.getGrad(), counts,
                            [&](OpBuilder &nb, Location nl, ValueRange a,
                                SmallVectorImpl<Value> &grads) {
                              Value share =
                                  arith::DivFOp::create(nb, nl, a[0], a[1]);
                              grads.push_back(share);
                            });
    Value share =
        windowGeneric(
            b, loc, op.getGrad(), counts,
            emptyTensor(b, loc, pooled, dynamicSizesOf(b, loc, op.getGrad())),
            [](OpBuilder &nb, Location nl, ValueRange a) {
              linalg::YieldOp::create(
                  nb, nl,
                  ValueRange{arith::DivFOp::create(nb, nl, a[0], a[1])});
            })
            .getResult(0);
    return spreadShares(b, loc, w, op.getType(), op.getPads(),
                        [&](int64_t) { return share; });
  }
};

} // namespace

void mlc::populateMLCConvToLinalgPatterns(RewritePatternSet &patterns) {
  patterns.add<ConvLowering, ConvFilterGradLowering, ConvInputGradLowering,
               DepthwiseConvLowering, DepthwiseConvInputGradLowering,
               DepthwiseConvFilterGradLowering, MaxPoolLowering,
               MaxPoolGradLowering, AvgPoolLowering, AvgPoolGradLowering>(
      patterns.getContext());
}
