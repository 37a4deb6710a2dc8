//===- ExpandRecurrences.cpp - recurrences as loops over time -------------===//
//
// mlc.lstm_scan and its gradient become scf.for loops over the time steps
// whose bodies are mlc ops on one step's (batch, units) slices: the
// sequence length stays a runtime value, and mlc-to-linalg lowers, fuses
// and schedules the step like any graph (the recurrent matmul with the
// gate arithmetic after it).
//
//===----------------------------------------------------------------------===//

#include "dialects/MLC/Transforms/Passes.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Bufferization/IR/Bufferization.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/IR/Builders.h"

namespace mlc {
#define GEN_PASS_DEF_EXPANDRECURRENCES
#include "dialects/MLC/Transforms/Passes.h.inc"
} // namespace mlc

using namespace mlir;
using namespace mlc;

namespace {

/// Builds the ops of one recurrence at an insertion point: slices of time
/// steps, constants, activations.
class StepBuilder {
public:
  /// `batch`: the runtime batch size; `staticBatch`: the types' batch
  /// size (dynamic or not).
  StepBuilder(OpBuilder &b, Location loc, Value batch, int64_t staticBatch,
              int64_t units, Type elt)
      : StepBuilder(b, loc, batch,
                    ShapedType::isDynamic(staticBatch)
                        ? OpFoldResult(batch)
                        : OpFoldResult(b.getIndexAttr(staticBatch)),
                    units, elt) {}
  StepBuilder(OpBuilder &b, Location loc, Value batch, OpFoldResult batchSize,
              int64_t units, Type elt)
      : b(b), loc(loc), batch(batch), batchSize(batchSize), units(units),
        elt(elt) {}

  OpBuilder &b;
  Location loc;
  Value batch;
  OpFoldResult batchSize; ///< as slice sizes take it
  int64_t units;
  Type elt;

  /// (batch, width) of element type elt, batch dynamic or not as `like`.
  RankedTensorType stepType(Value seq, int64_t width) const {
    auto t = llvm::cast<RankedTensorType>(seq.getType());
    return RankedTensorType::get({t.getDimSize(0), width}, elt);
  }

  void bounds(Value t, int64_t col, int64_t width,
              SmallVectorImpl<OpFoldResult> &offsets,
              SmallVectorImpl<OpFoldResult> &sizes,
              SmallVectorImpl<OpFoldResult> &strides) const {
    offsets.assign({b.getIndexAttr(0), t, b.getIndexAttr(col)});
    sizes.assign({batchSize, b.getIndexAttr(1), b.getIndexAttr(width)});
    strides.assign(3, b.getIndexAttr(1));
  }

  /// seq[:, t, col : col + width] as (batch, width).
  Value step(Value seq, Value t, int64_t col, int64_t width) const {
    SmallVector<OpFoldResult> offsets, sizes, strides;
    bounds(t, col, width, offsets, sizes, strides);
    return tensor::ExtractSliceOp::create(b, loc, stepType(seq, width), seq,
                                          offsets, sizes, strides);
  }

  /// `value` (batch, width) written into seq[:, t, col : col + width].
  Value put(Value value, Value seq, Value t, int64_t col) const {
    int64_t width = llvm::cast<RankedTensorType>(value.getType()).getDimSize(1);
    SmallVector<OpFoldResult> offsets, sizes, strides;
    bounds(t, col, width, offsets, sizes, strides);
    return tensor::InsertSliceOp::create(b, loc, value, seq, offsets, sizes,
                                         strides);
  }

  /// Columns [col, col + width) of a (batch, n) step value.
  Value columns(Value x, int64_t col, int64_t width) const {
    SmallVector<OpFoldResult> offsets = {b.getIndexAttr(0),
                                         b.getIndexAttr(col)};
    SmallVector<OpFoldResult> sizes = {batchSize, b.getIndexAttr(width)};
    SmallVector<OpFoldResult> strides(2, b.getIndexAttr(1));
    return tensor::ExtractSliceOp::create(b, loc, stepType(x, width), x,
                                          offsets, sizes, strides);
  }

  /// A tensor of `type` (dynamic dims: the batch) filled with `value`.
  /// Its own buffer (bufferization.alloc_tensor, which CSE does not merge):
  /// loops write their carried state into it in place, so two initial
  /// states must not share one.
  Value filled(RankedTensorType type, double value) const {
    SmallVector<Value> dyn;
    for (int64_t d = 0; d < type.getRank(); ++d)
      if (type.isDynamicDim(d))
        dyn.push_back(batch);
    Value empty = bufferization::AllocTensorOp::create(b, loc, type, dyn);
    Value cst = arith::ConstantOp::create(b, loc, b.getFloatAttr(elt, value));
    return linalg::FillOp::create(b, loc, cst, empty).getResult(0);
  }

  /// An uninitialized (batch, time, n) tensor of `type` (every element
  /// gets written).
  Value emptySequence(Type type, Value time) const {
    auto t = llvm::cast<RankedTensorType>(type);
    SmallVector<Value> dyn;
    if (t.isDynamicDim(0))
      dyn.push_back(batch);
    if (t.isDynamicDim(1))
      dyn.push_back(time);
    return tensor::EmptyOp::create(b, loc, t, dyn);
  }

  /// Every step's predecessor in `seq` (batch, time, n): zeros at step 0,
  /// then steps 0 .. time - 2.
  Value previousSteps(Value seq, Value time) const {
    auto type = llvm::cast<RankedTensorType>(seq.getType());
    int64_t n = type.getDimSize(2);
    Value out = emptySequence(type, time);
    Value zero = arith::ConstantIndexOp::create(b, loc, 0);
    out = put(filled(stepType(seq, n), 0.0), out, zero, 0);
    // One step has no predecessor but the zero state (and a slice at
    // offset 1 of a static length 1 would not verify).
    if (type.getDimSize(1) == 1)
      return out;
    Value one = arith::ConstantIndexOp::create(b, loc, 1);
    Value count = arith::SubIOp::create(b, loc, time, one);
    SmallVector<OpFoldResult> sizes = {batchSize, count, b.getIndexAttr(n)};
    SmallVector<OpFoldResult> strides(3, b.getIndexAttr(1));
    auto sliceType = RankedTensorType::get(
        {type.getDimSize(0), ShapedType::kDynamic, n}, elt);
    Value head = tensor::ExtractSliceOp::create(
        b, loc, sliceType, seq, SmallVector<OpFoldResult>(3, b.getIndexAttr(0)),
        sizes, strides);
    return tensor::InsertSliceOp::create(
        b, loc, head, out,
        SmallVector<OpFoldResult>{b.getIndexAttr(0), b.getIndexAttr(1),
                                  b.getIndexAttr(0)},
        sizes, strides);
  }

  /// `seq` (batch, time, n) as the (batch * time, n) matrix of its rows.
  Value rows(Value seq) const {
    auto type = llvm::cast<RankedTensorType>(seq.getType());
    int64_t count = type.getDimSize(0), time = type.getDimSize(1);
    int64_t merged = ShapedType::isDynamic(count) || ShapedType::isDynamic(time)
                         ? ShapedType::kDynamic
                         : count * time;
    return ReshapeOp::create(
        b, loc, RankedTensorType::get({merged, type.getDimSize(2)}, elt), seq);
  }

  /// The recurrent kernel's gradient, sum over steps of h_{t-1}^T dz_t, as
  /// one matmul of all rows (a batch of steps' K, not one per step).
  Value recurrentKernelGrad(Value hs, Value dz, Value time) const {
    Value prev = rows(previousSteps(hs, time));
    Value grads = rows(dz);
    return MatmulOp::create(b, loc, prev, grads, true, false);
  }

  Value scalar(double value) const {
    auto type = RankedTensorType::get({}, elt);
    return ConstantOp::create(
        b, loc, type, DenseElementsAttr::get(type, b.getFloatAttr(elt, value)));
  }

  Value add(Value x, Value y) const { return AddOp::create(b, loc, x, y); }
  Value mul(Value x, Value y) const { return MulOp::create(b, loc, x, y); }

  Value activate(Activation act, Value x) const {
    switch (act) {
    case Activation::sigmoid:
      return SigmoidOp::create(b, loc, x);
    case Activation::tanh:
      return TanhOp::create(b, loc, x);
    case Activation::relu:
      return ReluOp::create(b, loc, x);
    default: // linear; the verifiers allow no others
      return x;
    }
  }

  /// g * act'(x), from y = act(x).
  Value backward(Activation act, Value g, Value y) const {
    switch (act) {
    case Activation::sigmoid:
      return mul(g, mul(y, SubOp::create(b, loc, scalar(1.0), y)));
    case Activation::tanh: {
      // One op per statement: compilers order call arguments differently,
      // and the IR (and its tests) should not depend on which built mlc.
      Value one = scalar(1.0);
      Value square = mul(y, y);
      return mul(g, SubOp::create(b, loc, one, square));
    }
    case Activation::relu:
      return ReluGradOp::create(b, loc, g.getType(), g, y);
    default:
      return g;
    }
  }
};

/// Marks a loop over time steps: each step needs the one before, so
/// mlc-parallelize-tiles must not split it among threads (after
/// bufferization it carries no values, as a tile loop does not).
void markSequential(scf::ForOp loop) {
  loop->setAttr("mlc.sequential", UnitAttr::get(loop.getContext()));
}

/// Yields `next` from a loop body whose iteration arguments are `args`:
/// each value is written into its argument's buffer
/// (bufferization.materialize_in_destination), so the loop carries the same
/// buffers from one step to the next instead of a new allocation per step
/// (a malloc on the CPU, host memory a GPU kernel cannot read).
void yieldInPlace(OpBuilder &b, Location loc, ValueRange next,
                  ValueRange args) {
  // Values inserted into the argument itself (the sequences) already are.
  auto writtenInto = [](Value value, Value arg) {
    while (value != arg) {
      auto insert = value.getDefiningOp<tensor::InsertSliceOp>();
      if (!insert)
        return false;
      value = insert.getDest();
    }
    return true;
  };
  SmallVector<Value> written;
  for (auto [value, arg] : llvm::zip_equal(next, args))
    written.push_back(writtenInto(value, arg)
                          ? value
                          : bufferization::MaterializeInDestinationOp::create(
                                b, loc, value, arg)
                                .getResult());
  scf::YieldOp::create(b, loc, written);
}

/// The length of a sequence whose `time` is the dimension of a static
/// size, else nullopt.
std::optional<int64_t> staticLength(Value time) {
  auto dim = time.getDefiningOp<tensor::DimOp>();
  if (!dim)
    return std::nullopt;
  std::optional<int64_t> index = getConstantIntValue(dim.getDimension());
  auto type = llvm::cast<RankedTensorType>(dim.getSource().getType());
  if (!index || type.isDynamicDim(*index))
    return std::nullopt;
  return type.getDimSize(*index);
}

/// One step of a recurrence's backward pass at step `t`: the values carried
/// from step t + 1 in, those for step t - 1 out; `prevT` is t - 1, or none
/// at t = 0 (the zero state).
using BackwardStepFn = llvm::function_ref<SmallVector<Value>(
    StepBuilder &, Value t, ValueRange carried, std::optional<Value> prevT)>;

/// Runs `step` from the last step to the first: steps last .. 1 in a loop
/// (iteration j is step last - j), then step 0 peeled off, so no step
/// branches on whether it has a predecessor. Returns step 0's values.
SmallVector<Value> backwardThroughTime(StepBuilder &s, Value time,
                                       ValueRange init, BackwardStepFn step) {
  OpBuilder &b = s.b;
  Location loc = s.loc;
  Value zero = arith::ConstantIndexOp::create(b, loc, 0);
  Value one = arith::ConstantIndexOp::create(b, loc, 1);
  Value last = arith::SubIOp::create(b, loc, time, one);
  // Two steps: the loop would run once and be folded away, leaving its
  // in-place writes into values that are no loop's state (one-shot
  // bufferization may then find no placement); written straight.
  if (staticLength(time) == 2) {
    SmallVector<Value> carried = step(s, one, init, zero);
    return step(s, zero, carried, std::nullopt);
  }
  auto loop = scf::ForOp::create(
      b, loc, zero, last, one, init,
      [&](OpBuilder &nb, Location nl, Value j, ValueRange args) {
        StepBuilder n(nb, nl, s.batch, s.batchSize, s.units, s.elt);
        Value t = arith::SubIOp::create(nb, nl, last, j);
        Value prevT = arith::SubIOp::create(nb, nl, t, one);
        yieldInPlace(nb, nl, step(n, t, args, prevT), args);
      });
  markSequential(loop);
  return step(s, zero, loop.getResults(), std::nullopt);
}

/// One step of a recurrence's forward pass at step `t`: the carried
/// values in, the next ones out.
using ForwardStepFn = llvm::function_ref<SmallVector<Value>(
    StepBuilder &, Value t, ValueRange carried)>;

/// Runs `step` for steps 0 .. time - 1 in a loop kept serial, the carried
/// state written back into its buffers. Returns the loop's results.
SmallVector<Value> forwardThroughTime(StepBuilder &s, Value time,
                                      ValueRange init, ForwardStepFn step) {
  Value zero = arith::ConstantIndexOp::create(s.b, s.loc, 0);
  if (staticLength(time) == 1) // As for two steps backward.
    return step(s, zero, init);
  Value one = arith::ConstantIndexOp::create(s.b, s.loc, 1);
  auto loop = scf::ForOp::create(
      s.b, s.loc, zero, time, one, init,
      [&](OpBuilder &nb, Location nl, Value t, ValueRange args) {
        StepBuilder n(nb, nl, s.batch, s.batchSize, s.units, s.elt);
        yieldInPlace(nb, nl, step(n, t, args), args);
      });
  markSequential(loop);
  return SmallVector<Value>(loop.getResults());
}

/// The forward recurrence: one loop iteration per step.
void expandScan(LSTMScanOp op) {
  OpBuilder b(op);
  Location loc = op.getLoc();
  Value z = op.getInputs(), rk = op.getRecurrentKernel();
  auto zType = llvm::cast<RankedTensorType>(z.getType());
  int64_t units = zType.getDimSize(2) / 4;
  Value batch = tensor::DimOp::create(b, loc, z, 0);
  Value time = tensor::DimOp::create(b, loc, z, 1);
  StepBuilder s(b, loc, batch, zType.getDimSize(0), units,
                zType.getElementType());
  Activation act = op.getActivation(), gateAct = op.getRecurrentActivation();
  // What predict does not read (the saved cells and gates) is not written.
  bool keepSequence = !op.getSequence().use_empty();
  bool keepSaved = !op.getCells().use_empty() || !op.getGates().use_empty();

  SmallVector<Value> init = {s.filled(op.getCell().getType(), 0.0),
                             s.filled(op.getCell().getType(), 0.0)};
  if (keepSequence)
    init.push_back(s.emptySequence(op.getSequence().getType(), time));
  if (keepSaved) {
    init.push_back(s.emptySequence(op.getCells().getType(), time));
    init.push_back(s.emptySequence(op.getGates().getType(), time));
  }
  SmallVector<Value> results = forwardThroughTime(
      s, time, init,
      [&](StepBuilder &n, Value t, ValueRange args) -> SmallVector<Value> {
        OpBuilder &nb = n.b;
        Location nl = n.loc;
        Value h = args[0], c = args[1];
        Value zt = n.step(z, t, 0, 4 * units);
        Value pre = n.add(MatmulOp::create(nb, nl, h, rk), zt);
        Value i = n.activate(gateAct, n.columns(pre, 0, units));
        Value f = n.activate(gateAct, n.columns(pre, units, units));
        Value g = n.activate(act, n.columns(pre, 2 * units, units));
        Value o = n.activate(gateAct, n.columns(pre, 3 * units, units));
        Value kept = n.mul(f, c);
        Value added = n.mul(i, g);
        Value c2 = n.add(kept, added);
        Value h2 = n.mul(o, n.activate(act, c2));
        SmallVector<Value> next = {h2, c2};
        unsigned k = 2;
        if (keepSequence)
          next.push_back(n.put(h2, args[k++], t, 0));
        if (keepSaved) {
          next.push_back(n.put(c2, args[k++], t, 0));
          Value gates = args[k++];
          Value each[] = {i, f, g, o};
          for (auto [j, gate] : llvm::enumerate(each))
            gates = n.put(gate, gates, t, int64_t(j) * units);
          next.push_back(gates);
        }
        return next;
      });
  unsigned k = 2;
  if (keepSequence)
    op.getSequence().replaceAllUsesWith(results[k++]);
  op.getCell().replaceAllUsesWith(results[1]);
  if (keepSaved) {
    op.getCells().replaceAllUsesWith(results[k++]);
    op.getGates().replaceAllUsesWith(results[k++]);
  }
  op.erase();
}

/// Backpropagation through time of the LSTM.
void expandScanGrad(LSTMScanGradOp op) {
  OpBuilder b(op);
  Location loc = op.getLoc();
  Value gates = op.getGates(), rk = op.getRecurrentKernel();
  Value cells = op.getCells(), hs = op.getSequence(),
        dhs = op.getSequenceGrad();
  auto gatesType = llvm::cast<RankedTensorType>(gates.getType());
  int64_t units = gatesType.getDimSize(2) / 4;
  Value batch = tensor::DimOp::create(b, loc, gates, 0);
  Value time = tensor::DimOp::create(b, loc, gates, 1);
  StepBuilder s(b, loc, batch, gatesType.getDimSize(0), units,
                gatesType.getElementType());
  Activation act = op.getActivation(), gateAct = op.getRecurrentActivation();

  // One step at t: the gradients flowing into step t - 1's h and c, and
  // dz with step t's row written. `prevT` is t - 1, or none at t = 0 (the
  // zero state). The recurrent kernel's gradient is one matmul afterwards.
  auto step = [&](StepBuilder &n, Value t, ValueRange carried,
                  std::optional<Value> prevT) {
    Value dhNext = carried[0], dcNext = carried[1], dz = carried[2];
    Value dh = n.add(n.step(dhs, t, 0, units), dhNext);
    Value i = n.step(gates, t, 0, units);
    Value f = n.step(gates, t, units, units);
    Value g = n.step(gates, t, 2 * units, units);
    Value o = n.step(gates, t, 3 * units, units);
    Value tc = n.activate(act, n.step(cells, t, 0, units));
    Value dc = n.add(dcNext, n.backward(act, n.mul(dh, o), tc));
    Value dzi = n.backward(gateAct, n.mul(dc, g), i);
    Value dzg = n.backward(act, n.mul(dc, i), g);
    Value dzo = n.backward(gateAct, n.mul(dh, tc), o);
    dz = n.put(dzi, dz, t, 0);
    if (prevT) {
      Value dzf =
          n.backward(gateAct, n.mul(dc, n.step(cells, *prevT, 0, units)), f);
      dz = n.put(dzf, dz, t, units);
    } else {
      dz = n.put(n.filled(n.stepType(gates, units), 0.0), dz, t, units);
    }
    dz = n.put(dzg, dz, t, 2 * units);
    dz = n.put(dzo, dz, t, 3 * units);
    Value dzt = n.step(dz, t, 0, 4 * units);
    Value dhPrev = MatmulOp::create(n.b, n.loc, dzt, rk, false, true);
    Value dcPrev = n.mul(dc, f);
    return SmallVector<Value>{dhPrev, dcPrev, dz};
  };

  // The cell's gradient starts in a buffer of its own (the loop writes
  // the carried state in place).
  Value dc0 =
      s.add(s.filled(op.getCellGrad().getType(), 0.0), op.getCellGrad());
  SmallVector<Value> init = {s.filled(op.getCellGrad().getType(), 0.0), dc0,
                             s.emptySequence(gates.getType(), time)};
  SmallVector<Value> first = backwardThroughTime(s, time, init, step);
  op.getInputsGrad().replaceAllUsesWith(first[2]);
  op.getRecurrentKernelGrad().replaceAllUsesWith(
      s.recurrentKernelGrad(hs, first[2], time));
  op.erase();
}

/// The GRU's forward recurrence (Keras's reset_after form).
void expandGRUScan(GRUScanOp op) {
  OpBuilder b(op);
  Location loc = op.getLoc();
  Value zx = op.getInputs(), rk = op.getRecurrentKernel();
  Value rb = op.getRecurrentBias();
  auto zType = llvm::cast<RankedTensorType>(zx.getType());
  int64_t units = zType.getDimSize(2) / 3;
  Value batch = tensor::DimOp::create(b, loc, zx, 0);
  Value time = tensor::DimOp::create(b, loc, zx, 1);
  StepBuilder s(b, loc, batch, zType.getDimSize(0), units,
                zType.getElementType());
  Activation act = op.getActivation(), gateAct = op.getRecurrentActivation();
  bool keepSaved =
      !op.getGates().use_empty() || !op.getRecurrentCandidate().use_empty();
  auto stateType = RankedTensorType::get({zType.getDimSize(0), units},
                                         zType.getElementType());
  SmallVector<Value> init = {s.filled(stateType, 0.0),
                             s.emptySequence(op.getSequence().getType(), time)};
  if (keepSaved) {
    init.push_back(s.emptySequence(op.getGates().getType(), time));
    init.push_back(s.emptySequence(op.getRecurrentCandidate().getType(), time));
  }
  SmallVector<Value> results = forwardThroughTime(
      s, time, init,
      [&](StepBuilder &n, Value t, ValueRange args) -> SmallVector<Value> {
        OpBuilder &nb = n.b;
        Location nl = n.loc;
        Value h = args[0];
        Value g = n.add(MatmulOp::create(nb, nl, h, rk), rb);
        Value x = n.step(zx, t, 0, 3 * units);
        Value xz = n.columns(x, 0, units), gz = n.columns(g, 0, units);
        Value z = n.activate(gateAct, n.add(xz, gz));
        Value xr = n.columns(x, units, units), gr = n.columns(g, units, units);
        Value r = n.activate(gateAct, n.add(xr, gr));
        Value xh = n.columns(x, 2 * units, units);
        Value gh = n.columns(g, 2 * units, units);
        Value hh = n.activate(act, n.add(xh, n.mul(r, gh)));
        // h' = z h + (1 - z) hh = hh + z (h - hh).
        Value h2 = n.add(hh, n.mul(z, SubOp::create(nb, nl, h, hh)));
        SmallVector<Value> next = {h2, n.put(h2, args[1], t, 0)};
        if (keepSaved) {
          Value gates = args[2];
          Value each[] = {z, r, hh};
          for (auto [j, gate] : llvm::enumerate(each))
            gates = n.put(gate, gates, t, int64_t(j) * units);
          next.push_back(gates);
          next.push_back(n.put(gh, args[3], t, 0));
        }
        return next;
      });
  op.getSequence().replaceAllUsesWith(results[1]);
  if (keepSaved) {
    op.getGates().replaceAllUsesWith(results[2]);
    op.getRecurrentCandidate().replaceAllUsesWith(results[3]);
  }
  op.erase();
}

/// Backpropagation through time of the GRU.
void expandGRUScanGrad(GRUScanGradOp op) {
  OpBuilder b(op);
  Location loc = op.getLoc();
  Value gates = op.getGates(), rk = op.getRecurrentKernel();
  Value hs = op.getSequence(), dhs = op.getSequenceGrad();
  Value rh = op.getRecurrentCandidate();
  auto gatesType = llvm::cast<RankedTensorType>(gates.getType());
  int64_t units = gatesType.getDimSize(2) / 3;
  Value batch = tensor::DimOp::create(b, loc, gates, 0);
  Value time = tensor::DimOp::create(b, loc, gates, 1);
  StepBuilder s(b, loc, batch, gatesType.getDimSize(0), units,
                gatesType.getElementType());
  Activation act = op.getActivation(), gateAct = op.getRecurrentActivation();
  auto stateType = RankedTensorType::get({gatesType.getDimSize(0), units},
                                         gatesType.getElementType());

  // Step t with the gradient dhNext flowing in from step t + 1; `prevT`
  // is t - 1, or none at t = 0 (the zero state).
  auto step = [&](StepBuilder &n, Value t, ValueRange carried,
                  std::optional<Value> prevT) {
    Value dhNext = carried[0], dzx = carried[1], dgs = carried[2];
    Value dh = n.add(n.step(dhs, t, 0, units), dhNext);
    Value z = n.step(gates, t, 0, units);
    Value r = n.step(gates, t, units, units);
    Value hh = n.step(gates, t, 2 * units, units);
    Value gh = n.step(rh, t, 0, units);
    Value hPrev =
        prevT ? n.step(hs, *prevT, 0, units) : n.filled(stateType, 0.0);
    // h' = hh + z (h - hh).
    Value dzPre =
        n.backward(gateAct, n.mul(dh, SubOp::create(n.b, n.loc, hPrev, hh)), z);
    Value oneMinusZ = SubOp::create(n.b, n.loc, n.scalar(1.0), z);
    Value dhhPre = n.backward(act, n.mul(dh, oneMinusZ), hh);
    Value drPre = n.backward(gateAct, n.mul(dhhPre, gh), r);
    Value dgh = n.mul(dhhPre, r);
    dzx = n.put(dzPre, dzx, t, 0);
    dzx = n.put(drPre, dzx, t, units);
    dzx = n.put(dhhPre, dzx, t, 2 * units);
    // The recurrent matmul's gradient: dg = [dz, dr, r * dhh].
    Value dg = ConcatOp::create(n.b, n.loc, n.stepType(gates, 3 * units),
                                ValueRange{dzPre, drPre, dgh},
                                n.b.getI64IntegerAttr(1));
    Value direct = n.mul(dh, z);
    Value dhPrev =
        n.add(direct, MatmulOp::create(n.b, n.loc, dg, rk, false, true));
    dgs = n.put(dg, dgs, t, 0);
    return SmallVector<Value>{dhPrev, dzx, dgs};
  };

  SmallVector<Value> init = {s.filled(stateType, 0.0),
                             s.emptySequence(gates.getType(), time),
                             s.emptySequence(gates.getType(), time)};
  SmallVector<Value> first = backwardThroughTime(s, time, init, step);
  op.getInputsGrad().replaceAllUsesWith(first[1]);
  // The recurrent matmul's gradient of every step, dg: the kernel's is one
  // matmul of all rows, the bias's their sum.
  op.getRecurrentKernelGrad().replaceAllUsesWith(
      s.recurrentKernelGrad(hs, first[2], time));
  op.getRecurrentBiasGrad().replaceAllUsesWith(
      ReduceSumOp::create(b, loc, first[2], ArrayRef<int64_t>{0, 1},
                          /*keepdims=*/false));
  op.erase();
}

struct ExpandRecurrencesPass
    : public mlc::impl::ExpandRecurrencesBase<ExpandRecurrencesPass> {
  void runOnOperation() override {
    SmallVector<Operation *> ops;
    getOperation().walk([&](Operation *op) {
      if (llvm::isa<LSTMScanOp, LSTMScanGradOp, GRUScanOp, GRUScanGradOp>(op))
        ops.push_back(op);
    });
    for (Operation *op : ops) {
      if (auto scan = llvm::dyn_cast<LSTMScanOp>(op))
        expandScan(scan);
      else if (auto grad = llvm::dyn_cast<LSTMScanGradOp>(op))
        expandScanGrad(grad);
      else if (auto gru = llvm::dyn_cast<GRUScanOp>(op))
        expandGRUScan(gru);
      else
        expandGRUScanGrad(llvm::cast<GRUScanGradOp>(op));
    }
  }
};

} // namespace
