//===- WidenChannels.cpp - short channel rows as rows of whole vectors ----===//
//
// A convnet's per-pixel ops over [batch, h, w, c] with few channels (6, 3)
// run with c as their innermost loop: LLVM does not vectorize a loop of 6,
// and a batch norm's channel sums stay scalar through memory (in LeNet,
// ops like these were about a third of the train step). Here such an op
// runs over [batch, h*w/k, k*c] instead: k pixels make one row of whole
// vectors, the per-channel operands are repeated k times, and a sum over
// the pixels keeps k*c partial sums, added up per channel after it.
//
//===----------------------------------------------------------------------===//

#include "compiler/CodeGen/CPU/Passes.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/IR/IRMapping.h"
#include "mlir/Interfaces/SideEffectInterfaces.h"
#include "llvm/ADT/SetVector.h"

#include <numeric>

namespace mlc {
#define GEN_PASS_DEF_WIDENCHANNELS
#include "compiler/CodeGen/CPU/Passes.h.inc"
} // namespace mlc

using namespace mlir;

namespace {

/// How an operand is indexed: by every loop in order (a whole tensor), by
/// the channel loop alone (after unit dims: a per-channel vector), or by
/// none (a scalar).
enum class Access { Full, Channel, Scalar };

struct Plan {
  SmallVector<Access> access;
  bool reduction = false;
  int64_t pixels = 1, channels = 0, k = 0;
};

/// The op's loops are (n, pixel dims..., c): the first any size, the rest
/// static; c is the innermost and parallel, and either every loop is
/// parallel (the outputs whole tensors) or every other loop is a
/// reduction (the outputs per channel, each a sum: out + f(ins)).
std::optional<Plan> analyze(linalg::GenericOp op, int64_t lanes) {
  if (llvm::any_of(op->getAttrs(), [](NamedAttribute a) {
        return a.getName().getValue().starts_with("mlc.");
      }))
    return std::nullopt;
  if (!op.hasPureTensorSemantics() || op.getNumLoops() < 3)
    return std::nullopt;
  SmallVector<int64_t> ranges = op.getStaticLoopRanges();
  int64_t n = ranges.size();
  Plan plan;
  plan.channels = ranges.back();
  if (ShapedType::isDynamic(plan.channels) || plan.channels % lanes == 0)
    return std::nullopt;
  for (int64_t d = 1; d + 1 < n; ++d) {
    if (ShapedType::isDynamic(ranges[d]))
      return std::nullopt;
    plan.pixels *= ranges[d];
  }
  SmallVector<utils::IteratorType> iterators = op.getIteratorTypesArray();
  if (iterators.back() != utils::IteratorType::parallel)
    return std::nullopt;
  // Loops of one iteration may be of either kind.
  plan.reduction = iterators.front() == utils::IteratorType::reduction;
  for (int64_t d = 0; d + 1 < n; ++d)
    if ((iterators[d] == utils::IteratorType::reduction) != plan.reduction &&
        ranges[d] != 1)
      return std::nullopt;
  for (OpOperand &operand : op->getOpOperands()) {
    AffineMap map = op.getMatchingIndexingMap(&operand);
    auto type = llvm::dyn_cast<RankedTensorType>(operand.get().getType());
    if (!type)
      return std::nullopt;
    Access access;
    if (map.isIdentity())
      access = Access::Full;
    else if (map.getNumResults() == 0)
      access = Access::Scalar;
    else if (map.getResults().back() ==
                 getAffineDimExpr(n - 1, op.getContext()) &&
             llvm::all_of(type.getShape().drop_back(),
                          [](int64_t d) { return d == 1; }) &&
             llvm::all_of(map.getResults().drop_back(), [](AffineExpr e) {
               return llvm::isa<AffineDimExpr, AffineConstantExpr>(e);
             }))
      access = Access::Channel;
    else
      return std::nullopt;
    bool init = op.isDpsInit(&operand);
    if (init && access != (plan.reduction ? Access::Channel : Access::Full))
      return std::nullopt;
    plan.access.push_back(access);
  }
  // Each per-channel output a sum: yield(addf(x, out)) or (out, x), with
  // out used nowhere else.
  if (plan.reduction) {
    Block *body = op.getBody();
    auto yield = llvm::cast<linalg::YieldOp>(body->getTerminator());
    for (auto [i, value] : llvm::enumerate(yield.getValues())) {
      BlockArgument out = op.getMatchingBlockArgument(op.getDpsInitOperand(i));
      auto add = value.getDefiningOp<arith::AddFOp>();
      if (!add || !out.hasOneUse() ||
          (add.getLhs() != out && add.getRhs() != out))
        return std::nullopt;
    }
  }
  for (Operation &inner : op.getBody()->without_terminator())
    if (llvm::isa<linalg::IndexOp>(inner))
      return std::nullopt;
  // k pixels to a row. Without per-channel operands or results, every
  // pixel: one loop over the whole image. Else k * c whole vectors, k
  // dividing the pixels, the most such pixels up to 512 floats (the
  // repeated per-channel operands and partial sums stay small).
  if (!plan.reduction && !llvm::is_contained(plan.access, Access::Channel)) {
    plan.k = plan.pixels;
    return plan.k > 1 ? std::optional<Plan>(plan) : std::nullopt;
  }
  int64_t unit = lanes / std::gcd(plan.channels, lanes);
  for (int64_t k = unit; k <= plan.pixels; k += unit)
    if (plan.pixels % k == 0 && k * plan.channels <= 512)
      plan.k = k;
  if (!plan.k)
    return std::nullopt;
  return plan;
}

/// A convolution's result with no other use: the op is its epilogue,
/// which the schedule fuses into the convolution's register tiles.
bool isConvEpilogue(linalg::GenericOp op) {
  return llvm::any_of(op->getOperands(), [](Value v) {
    auto producer = v.getDefiningOp<linalg::GenericOp>();
    return producer && producer->hasAttr("mlc.conv") && v.hasOneUse();
  });
}

Value collapseAll(OpBuilder &b, Location loc, Value v) {
  auto type = llvm::cast<RankedTensorType>(v.getType());
  if (type.getRank() == 1)
    return v;
  return tensor::CollapseShapeOp::create(
      b, loc, v,
      ArrayRef<ReassociationIndices>{
          llvm::to_vector(llvm::seq<int64_t>(0, type.getRank()))});
}

/// [n, pixel dims..., c] as [n, pixels / k, k * c].
Value toRows(OpBuilder &b, Location loc, Value v, const Plan &plan) {
  auto type = llvm::cast<RankedTensorType>(v.getType());
  ReassociationIndices rest;
  for (int64_t d = 1; d < type.getRank(); ++d)
    rest.push_back(d);
  Value flat = tensor::CollapseShapeOp::create(
      b, loc, v, ArrayRef<ReassociationIndices>{{0}, rest});
  int64_t width = plan.k * plan.channels;
  SmallVector<int64_t> shape = {type.getDimSize(0), plan.pixels / plan.k,
                                width};
  auto rows = RankedTensorType::get(shape, type.getElementType());
  return tensor::ExpandShapeOp::create(
      b, loc, rows, flat, ArrayRef<ReassociationIndices>{{0}, {1, 2}});
}

/// The inverse of toRows, back to `type`.
Value fromRows(OpBuilder &b, Location loc, Value v, RankedTensorType type) {
  ReassociationIndices rest;
  for (int64_t d = 1; d < type.getRank(); ++d)
    rest.push_back(d);
  Value flat = tensor::CollapseShapeOp::create(
      b, loc, v, ArrayRef<ReassociationIndices>{{0}, {1, 2}});
  return tensor::ExpandShapeOp::create(
      b, loc, type, flat, ArrayRef<ReassociationIndices>{{0}, rest});
}

/// What the op computes from its per-channel operands alone (a batch
/// norm's scale over its standard deviation): computed once per channel,
/// before the op, instead of once per element. `hoisted` are those ops of
/// the body (constants aside, which are cloned where used); `frontier` the
/// values of them, or per-channel arguments, that the rest of the body
/// uses.
struct ChannelPart {
  llvm::SetVector<Operation *> hoisted;
  llvm::SetVector<Value> frontier;
};

ChannelPart channelPart(linalg::GenericOp op, const Plan &plan) {
  ChannelPart part;
  llvm::SmallPtrSet<Value, 8> channelValues;
  for (auto [operand, access] : llvm::zip(op->getOpOperands(), plan.access))
    if (access == Access::Channel && !op.isDpsInit(&operand))
      channelValues.insert(op.getMatchingBlockArgument(&operand));
  auto perChannel = [&](Value v) {
    if (channelValues.contains(v))
      return true;
    Operation *def = v.getDefiningOp();
    return def && llvm::isa<arith::ConstantOp>(def);
  };
  Block *body = op.getBody();
  for (Operation &inner : body->without_terminator()) {
    if (llvm::isa<arith::ConstantOp>(inner) || !isPure(&inner) ||
        inner.getNumRegions() ||
        !llvm::all_of(inner.getOperands(), perChannel) ||
        !llvm::any_of(inner.getOperands(),
                      [&](Value v) { return channelValues.contains(v); }))
      continue;
    part.hoisted.insert(&inner);
    channelValues.insert(inner.result_begin(), inner.result_end());
  }
  for (Operation &inner : body->getOperations()) {
    if (part.hoisted.contains(&inner) || llvm::isa<arith::ConstantOp>(inner))
      continue;
    for (Value v : inner.getOperands())
      if (channelValues.contains(v))
        part.frontier.insert(v);
  }
  return part;
}

/// The frontier of `part`, each value computed per channel from the op's
/// per-channel operands and repeated for k pixels: [k * c] each.
SmallVector<Value> repeat(OpBuilder &b, Location loc, linalg::GenericOp op,
                          const Plan &plan, const ChannelPart &part) {
  SmallVector<Value> channels;
  SmallVector<BlockArgument> args;
  for (auto [operand, access] : llvm::zip(op->getOpOperands(), plan.access))
    if (access == Access::Channel && !op.isDpsInit(&operand)) {
      channels.push_back(collapseAll(b, loc, operand.get()));
      args.push_back(op.getMatchingBlockArgument(&operand));
    }
  SmallVector<Value> empties;
  for (Value v : part.frontier)
    empties.push_back(tensor::EmptyOp::create(
        b, loc, ArrayRef<int64_t>{plan.k, plan.channels}, v.getType()));
  MLIRContext *ctx = b.getContext();
  SmallVector<AffineMap> maps(
      channels.size(), AffineMap::get(2, 0, {getAffineDimExpr(1, ctx)}, ctx));
  maps.append(empties.size(), AffineMap::getMultiDimIdentityMap(2, ctx));
  auto copy = linalg::GenericOp::create(
      b, loc, ValueRange(empties).getTypes(), channels, empties, maps,
      SmallVector<utils::IteratorType>(2, utils::IteratorType::parallel),
      [&](OpBuilder &nb, Location l, ValueRange blockArgs) {
        IRMapping mapping;
        for (auto [from, to] : llvm::zip(args, blockArgs))
          mapping.map(from, to);
        for (Operation &inner : op.getBody()->without_terminator())
          if (llvm::isa<arith::ConstantOp>(inner) ||
              part.hoisted.contains(&inner))
            nb.clone(inner, mapping);
        linalg::YieldOp::create(
            nb, l, llvm::map_to_vector(part.frontier, [&](Value v) {
              return mapping.lookup(v);
            }));
      });
  return llvm::map_to_vector(copy->getResults(),
                             [&](Value r) { return collapseAll(b, loc, r); });
}

void widen(linalg::GenericOp op, const Plan &plan) {
  OpBuilder b(op);
  Location loc = op.getLoc();
  MLIRContext *ctx = op.getContext();
  int64_t width = plan.k * plan.channels;
  AffineMap full = AffineMap::getMultiDimIdentityMap(3, ctx);
  AffineMap channel = AffineMap::get(3, 0, {getAffineDimExpr(2, ctx)}, ctx);
  AffineMap scalar = AffineMap::get(3, 0, {}, ctx);
  SmallVector<Value> inputs, inits;
  SmallVector<BlockArgument> inputArgs;
  SmallVector<AffineMap> inputMaps, initMaps;
  for (auto [operand, access] : llvm::zip(op->getOpOperands(), plan.access)) {
    Value v = operand.get();
    if (!op.isDpsInit(&operand)) {
      // Per-channel inputs come in below, as what the body computes from
      // them.
      if (access == Access::Channel)
        continue;
      bool whole = access == Access::Full;
      inputs.push_back(whole ? toRows(b, loc, v, plan) : v);
      inputMaps.push_back(whole ? full : scalar);
      inputArgs.push_back(op.getMatchingBlockArgument(&operand));
      continue;
    }
    if (access == Access::Full) {
      inits.push_back(toRows(b, loc, v, plan));
      initMaps.push_back(full);
      continue;
    }
    // Partial sums of each of the k pixels' channels, from zero.
    Type element = getElementTypeOrSelf(v.getType());
    Value empty =
        tensor::EmptyOp::create(b, loc, ArrayRef<int64_t>{width}, element);
    Value zero = arith::ConstantOp::create(b, loc, b.getZeroAttr(element));
    inits.push_back(linalg::FillOp::create(b, loc, zero, empty).getResult(0));
    initMaps.push_back(channel);
  }
  ChannelPart part = channelPart(op, plan);
  if (!part.frontier.empty())
    for (Value v : repeat(b, loc, op, plan, part)) {
      inputs.push_back(v);
      inputMaps.push_back(channel);
    }
  SmallVector<AffineMap> maps = inputMaps;
  llvm::append_range(maps, initMaps);
  SmallVector<utils::IteratorType> iterators(
      2, plan.reduction ? utils::IteratorType::reduction
                        : utils::IteratorType::parallel);
  iterators.push_back(utils::IteratorType::parallel);
  SmallVector<Type> types =
      llvm::map_to_vector(inits, [](Value v) -> Type { return v.getType(); });
  auto wide = linalg::GenericOp::create(
      b, loc, types, inputs, inits, maps, iterators,
      [&](OpBuilder &nb, Location l, ValueRange args) {
        // The body less what was computed per channel.
        IRMapping mapping;
        unsigned next = 0;
        for (BlockArgument arg : inputArgs)
          mapping.map(arg, args[next++]);
        for (Value v : part.frontier)
          mapping.map(v, args[next++]);
        for (OpOperand &init : op.getDpsInitsMutable())
          mapping.map(op.getMatchingBlockArgument(&init), args[next++]);
        for (Operation &inner : op.getBody()->getOperations())
          if (!part.hoisted.contains(&inner))
            nb.clone(inner, mapping);
      });
  SmallVector<Value> results;
  for (auto [i, result] : llvm::enumerate(wide->getResults())) {
    Value init = op.getDpsInits()[i];
    auto type = llvm::cast<RankedTensorType>(init.getType());
    if (!plan.reduction) {
      results.push_back(fromRows(b, loc, result, type));
      continue;
    }
    // The channel sums: the original output plus each pixel's partials.
    Value partial = tensor::ExpandShapeOp::create(
        b, loc,
        RankedTensorType::get({plan.k, plan.channels}, type.getElementType()),
        result, ArrayRef<ReassociationIndices>{{0, 1}});
    Value out = collapseAll(b, loc, init);
    AffineMap in2 = AffineMap::getMultiDimIdentityMap(2, ctx);
    AffineMap out2 = AffineMap::get(2, 0, {getAffineDimExpr(1, ctx)}, ctx);
    auto sum = linalg::GenericOp::create(
        b, loc, out.getType(), partial, out, ArrayRef<AffineMap>{in2, out2},
        ArrayRef<utils::IteratorType>{utils::IteratorType::reduction,
                                      utils::IteratorType::parallel},
        [](OpBuilder &nb, Location l, ValueRange args) {
          Value s = arith::AddFOp::create(nb, l, args[0], args[1]);
          linalg::YieldOp::create(nb, l, s);
        });
    Value total = sum->getResult(0);
    if (type.getRank() != 1)
      total = tensor::ExpandShapeOp::create(
          b, loc, type, total,
          ArrayRef<ReassociationIndices>{
              llvm::to_vector(llvm::seq<int64_t>(0, type.getRank()))});
    results.push_back(total);
  }
  op->replaceAllUsesWith(results);
  op->erase();
}

struct WidenChannelsPass
    : public mlc::impl::WidenChannelsBase<WidenChannelsPass> {
  using WidenChannelsBase::WidenChannelsBase;

  void runOnOperation() override {
    int64_t lanes = vectorBits / 32;
    if (lanes < 2)
      return;
    SmallVector<std::pair<linalg::GenericOp, Plan>> work;
    getOperation()->walk([&](linalg::GenericOp op) {
      if (isConvEpilogue(op))
        return;
      if (std::optional<Plan> plan = analyze(op, lanes))
        work.push_back({op, *plan});
    });
    for (auto &[op, plan] : work)
      widen(op, plan);
  }
};

} // namespace
