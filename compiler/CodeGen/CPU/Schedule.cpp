//===- Schedule.cpp - tile, fuse and vectorize for the host CPU -----------===//
//
// Writes a transform-dialect script for the module's linalg ops and runs
// it. Every matmul becomes a register-tiled loop nest: the output is tiled
// (rows x cols), the zero fill and the matmul are fused into the tile, the
// reduction runs one step at a time on a vector accumulator that stays in
// registers, and an elementwise consumer (bias + activation) is computed on
// the tile before it is stored. Row tiles that can be partial (the dynamic
// batch) are peeled: full tiles vectorize without masks, the last one with
// masks. Then the module is bufferized and vectors are lowered.
//
// The script is kept as text so `--mlc-print-schedule` shows exactly what
// ran; it can be replayed with mlc-opt --transform-interpreter.
//
//===----------------------------------------------------------------------===//

#include "compiler/CodeGen/CPU/Passes.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/Dialect/Transform/IR/TransformOps.h"
#include "mlir/Dialect/Transform/Transforms/TransformInterpreterUtils.h"
#include "mlir/Parser/Parser.h"
#include "llvm/Support/FormatVariadic.h"

#include <functional>

namespace mlc {
#define GEN_PASS_DEF_CPUSCHEDULE
#include "compiler/CodeGen/CPU/Passes.h.inc"
} // namespace mlc

using namespace mlir;

namespace {

constexpr const char *kTagAttr = "mlc_sched";

/// A matmul, its zero fill, and optionally the elementwise op that consumes
/// its result (the layer's bias and activation).
struct MatmulGroup {
  linalg::MatmulOp matmul;
  linalg::FillOp fill;
  linalg::GenericOp epilogue; // may be null
};

/// An all-parallel generic over the matmul's output space that reads the
/// matmul result once with the identity map. Its other operands are tensors
/// of the same shape (identity maps) or scalars: the bias add and
/// activation of a dense layer, or an optimizer update that writes the
/// parameter and its state (several outputs) from a weight gradient.
bool isElementwiseEpilogue(linalg::GenericOp op, Value matmulResult) {
  auto type = llvm::cast<RankedTensorType>(matmulResult.getType());
  if (!op || op.getNumParallelLoops() != op.getNumLoops() ||
      op.getNumLoops() != unsigned(type.getRank()))
    return false;
  bool readsResult = false;
  for (OpOperand &operand : op->getOpOperands()) {
    AffineMap map = op.getMatchingIndexingMap(&operand);
    auto t = llvm::dyn_cast<RankedTensorType>(operand.get().getType());
    if (!t)
      return false;
    if (operand.get() == matmulResult) {
      if (readsResult || op.isDpsInit(&operand) || !map.isIdentity())
        return false;
      readsResult = true;
      continue;
    }
    bool scalar = t.getRank() == 0 && op.isDpsInput(&operand);
    bool sameShape = map.isIdentity() && t.getShape() == type.getShape();
    // A row vector broadcast over the rows (a bias) is fine too.
    bool row = op.isDpsInput(&operand) && t.getRank() == 1 &&
               map.getNumResults() == 1 &&
               map.getResult(0) ==
                   getAffineDimExpr(type.getRank() - 1, op.getContext());
    if (!scalar && !sameShape && !row)
      return false;
  }
  return readsResult;
}

SmallVector<MatmulGroup> findGroups(func::FuncOp func) {
  SmallVector<MatmulGroup> groups;
  // An epilogue fed by two matmuls (a + b of two products) is tiled once,
  // with the first; the second stays a plain group.
  llvm::SmallPtrSet<Operation *, 8> claimed;
  func.walk([&](linalg::MatmulOp mm) {
    if (!mm.hasPureTensorSemantics())
      return;
    auto fill = mm.getDpsInits()[0].getDefiningOp<linalg::FillOp>();
    if (!fill || !fill->hasOneUse())
      return;
    MatmulGroup g{mm, fill, nullptr};
    Value result = mm->getResult(0);
    // With a dynamic column count the tiles are masked, and masked
    // vectorization takes only single-op epilogue bodies; such an epilogue
    // stays a loop of its own.
    bool staticCols =
        !llvm::cast<RankedTensorType>(result.getType()).isDynamicDim(1);
    if (result.hasOneUse() && staticCols)
      if (auto user = llvm::dyn_cast<linalg::GenericOp>(*result.user_begin()))
        if (isElementwiseEpilogue(user, result) && claimed.insert(user).second)
          g.epilogue = user;
    groups.push_back(g);
  });
  return groups;
}

/// Largest divisor of `n` in [lo, hi], or 0.
int64_t divisorIn(int64_t n, int64_t lo, int64_t hi) {
  for (int64_t d = hi; d >= lo; --d)
    if (n % d == 0)
      return d;
  return 0;
}

/// Register tile for an output of `rows` x `cols` (dynamic: negative) with
/// `lanes` floats per vector register: 8 rows x 2 vectors is 16
/// accumulator registers. Static sizes get tiles that divide them, so every
/// tile is full and static; a dynamic row count (the batch) gets 8 and a
/// peeled remainder.
std::pair<int64_t, int64_t> registerTile(int64_t rows, int64_t cols,
                                         int64_t lanes) {
  int64_t tm = rows < 0 ? 8 : divisorIn(rows, 1, std::min<int64_t>(8, rows));
  int64_t width = 2 * lanes;
  int64_t tn = width;
  if (cols >= 0) {
    if (cols <= width + width / 2)
      tn = cols;
    else if (!(tn = divisorIn(cols, width / 2, width)))
      tn = divisorIn(cols, 1, width);
  }
  return {tm, tn};
}

class ScriptWriter {
public:
  explicit ScriptWriter(int64_t lanes) : lanes(lanes) {}
  int64_t lanes;
  std::string script;
  llvm::raw_string_ostream os{script};

  /// Phase 1 for one group: tiling, fusion, peeling. Ops are re-found by
  /// their tags in phase 2, so no loop handle has to survive the
  /// canonicalizations of later groups (which may fold one-trip loops).
  void group(unsigned id, const MatmulGroup &g) {
    auto type = llvm::cast<RankedTensorType>(g.matmul->getResult(0).getType());
    int64_t rows = type.isDynamicDim(0) ? -1 : type.getDimSize(0);
    int64_t cols = type.isDynamicDim(1) ? -1 : type.getDimSize(1);
    // Plain variables: lambdas below capture them (C++17 can't capture
    // structured bindings).
    int64_t tm, tn;
    std::tie(tm, tn) = registerTile(rows, cols, lanes);
    // An optimizer update keeps the tile's parameter and state rows live
    // next to the accumulators; 4 rows instead of 8 keeps that set in
    // registers (measured: -7% epoch time at batch 32, same at 128).
    if (g.epilogue && g.epilogue->getNumResults() > 1 && rows > 0)
      tm = divisorIn(rows, 1, std::min<int64_t>(tm, 4));
    bool partialRows = rows < 0;
    bool epilogue = g.epilogue != nullptr;
    std::string p = "g" + std::to_string(id);
    os << llvm::formatv(R"(
  // group {0}: matmul {1}x{2}{3}, register tile {4}x{5}
  %{0}_mm = transform.structured.match attributes {{{6} = "{0}.mm"} in %root : (!transform.any_op) -> !transform.any_op
  %{0}_fill = transform.structured.match attributes {{{6} = "{0}.fill"} in %root : (!transform.any_op) -> !transform.any_op
)",
                        p, rows < 0 ? std::string("?") : std::to_string(rows),
                        cols < 0 ? std::string("?") : std::to_string(cols),
                        epilogue ? " + elementwise epilogue" : "", tm, tn,
                        kTagAttr);
    tileAndFuse(p, "%root", epilogue, tm, tn, "%" + p + "_mm",
                "%" + p + "_fill", p + ".ew");
    // Fusion leaves the original matmul and fill behind when the anchor
    // had several results; they are dead once the loop is built.
    canonicalize(p + "_c0");
    if (partialRows) {
      // Full 8-row tiles first; the last, partial tile is redone one row
      // at a time so its shapes are static too (no masks, accumulator in
      // registers). Its ops get their own tags.
      os << llvm::formatv(
          R"(  %{0}_lic = transform.cast %{0}_li : !transform.any_op to !transform.op<"scf.for">
  %{0}_main, %{0}_rest = transform.loop.peel %{0}_lic : (!transform.op<"scf.for">) -> (!transform.any_op, !transform.any_op)
)",
          p);
      retag(p, "linalg.matmul", p + ".rmm");
      retag(p, "linalg.fill", p + ".rfill");
      if (epilogue)
        retag(p, "linalg.generic", p + ".rew");
      canonicalize(p + "_c1");
      std::string r = p + "_r";
      os << llvm::formatv(
          R"(  %{0}mm = transform.structured.match attributes {{{1} = "{2}.rmm"} in %root : (!transform.any_op) -> !transform.any_op
  %{0}fill = transform.structured.match attributes {{{1} = "{2}.rfill"} in %root : (!transform.any_op) -> !transform.any_op
)",
          r, kTagAttr, p);
      tileAndFuse(r, "%root", epilogue, 1, 0, "%" + r + "mm",
                  epilogue ? "%" + r + "fill" : "", p + ".rew");
      // Fusing the fill also clones it whole for a size query; this
      // removes the dead clone.
      canonicalize(p + "_c2");
      deferred.push_back([=] {
        reduceAndVectorize(p + "_vr", p + ".rmm", p + ".rew",
                           epilogue ? p + ".rfill" : "", 1, tn);
      });
    }
    bool vectorizeFill = epilogue && cols >= 0;
    deferred.push_back([=] {
      reduceAndVectorize(p + "_vm", p + ".mm", p + ".ew",
                         vectorizeFill ? p + ".fill" : "", tm, tn);
    });
  }

  /// Vectorization runs after every group is tiled: the canonicalizations
  /// between tilings would otherwise rewrite already vectorized code into
  /// forms the contraction patterns no longer recognize.
  void vectorizeAll() {
    for (auto &step : deferred)
      step();
    deferred.clear();
  }

  std::vector<std::function<void()>> deferred;

private:
  void canonicalize(const std::string &name) {
    os << llvm::formatv(
        R"(  %{0} = transform.structured.match ops{{["func.func"]} in %root : (!transform.any_op) -> !transform.any_op
  transform.apply_patterns to %{0} {{ transform.apply_patterns.canonicalization } : !transform.any_op
)",
        name);
  }

  /// Gives the `opName` ops of the peeled remainder loop the tag `tag`.
  void retag(const std::string &p, const std::string &opName,
             const std::string &tag) {
    std::string h = p + "_rt" + std::to_string(retagCount++);
    os << llvm::formatv(
        R"(  %{0} = transform.structured.match ops{{["{1}"]} in %{2}_rest : (!transform.any_op) -> !transform.any_op
  %{0}_p = transform.param.constant "{3}" -> !transform.any_param
  transform.annotate %{0} "{4}" = %{0}_p : !transform.any_op, !transform.any_param
)",
        h, opName, p, tag, kTagAttr);
  }
  unsigned retagCount = 0;

  /// Tiles the group's anchor (the epilogue tagged `ewTag`, else the
  /// matmul `mm`) into [tm, tn] tiles with loops %<p>_li (and %<p>_lj when
  /// tn != 0), and fuses the matmul (and its fill, unless `fill` is empty)
  /// into the innermost loop.
  void tileAndFuse(const std::string &p, const std::string &where,
                   bool epilogue, int64_t tm, int64_t tn, const std::string &mm,
                   const std::string &fill, const std::string &ewTag) {
    bool twoLoops = tn != 0;
    std::string loops = twoLoops ? llvm::formatv("%{0}_li, %{0}_lj", p).str()
                                 : llvm::formatv("%{0}_li", p).str();
    std::string loopTypes =
        twoLoops ? "!transform.any_op, !transform.any_op" : "!transform.any_op";
    std::string inner = twoLoops ? "%" + p + "_lj" : "%" + p + "_li";
    if (epilogue) {
      os << llvm::formatv(
          R"(  %{0}_ew = transform.structured.match attributes {{{1} = "{2}"} in {3} : (!transform.any_op) -> !transform.any_op
  %{0}_t, {4} = transform.structured.tile_using_for %{0}_ew tile_sizes [{5}, {6}] : (!transform.any_op) -> (!transform.any_op, {7})
  %{0}_mmf, %{0}_l1 = transform.structured.fuse_into_containing_op {8} into {9} : (!transform.any_op, !transform.any_op) -> (!transform.any_op, !transform.any_op)
)",
          p, kTagAttr, ewTag, where, loops, tm, tn, loopTypes, mm, inner);
      if (!fill.empty())
        os << llvm::formatv(
            R"(  %{0}_fillf, %{0}_l2 = transform.structured.fuse_into_containing_op {1} into %{0}_l1 : (!transform.any_op, !transform.any_op) -> (!transform.any_op, !transform.any_op)
)",
            p, fill);
    } else {
      // The fill is the tile loop's initial value, not a sliced operand,
      // so it cannot fuse; it stays one cheap pass that zeroes the output,
      // and each tile reads its accumulator once.
      os << llvm::formatv(
          R"(  %{0}_mmf, {1} = transform.structured.tile_using_for {2} tile_sizes [{3}, {4}] : (!transform.any_op) -> (!transform.any_op, {5})
)",
          p, loops, mm, tm, tn, loopTypes);
    }
  }

  /// Tiles the tagged matmuls' reduction by one and vectorizes them and
  /// their tagged epilogues and fills with [tm, tn] vectors.
  void reduceAndVectorize(const std::string &p, const std::string &mmTag,
                          const std::string &ewTag, const std::string &fillTag,
                          int64_t tm, int64_t tn) {
    os << llvm::formatv(
        R"(  %{0}_vmm = transform.structured.match ops{{["linalg.matmul"]} attributes {{{1} = "{2}"} in %root : (!transform.any_op) -> !transform.any_op
  %{0}_tk, %{0}_lk = transform.structured.tile_using_for %{0}_vmm tile_sizes [0, 0, 1] : (!transform.any_op) -> (!transform.any_op, !transform.any_op)
  transform.structured.vectorize %{0}_tk vector_sizes [{3}, {4}, 1] : !transform.any_op
  %{0}_vew = transform.structured.match ops{{["linalg.generic"]} attributes {{{1} = "{5}"} in %root : (!transform.any_op) -> !transform.any_op
  transform.structured.vectorize %{0}_vew vector_sizes [{3}, {4}] : !transform.any_op
)",
        p, kTagAttr, mmTag, tm, tn, ewTag);
    if (!fillTag.empty())
      os << llvm::formatv(
          R"(  %{0}_vfill = transform.structured.match ops{{["linalg.fill"]} attributes {{{1} = "{2}"} in %root : (!transform.any_op) -> !transform.any_op
  transform.structured.vectorize %{0}_vfill vector_sizes [{3}, {4}] : !transform.any_op
)",
          p, kTagAttr, fillTag, tm, tn);
  }

public:
  /// Vector cleanups, accumulator hoisting, bufferization, vector lowering.
  void tail() {
    os << R"(
  %f = transform.structured.match ops{["func.func"]} in %root : (!transform.any_op) -> !transform.any_op
  transform.apply_patterns to %f {
    transform.apply_patterns.vector.reduction_to_contract
    transform.apply_patterns.vector.transfer_permutation_patterns
    transform.apply_patterns.vector.fold_arith_extension
    transform.apply_patterns.canonicalization
    transform.apply_patterns.tensor.fold_tensor_subset_ops_into_vector_transfers
  } : !transform.any_op
  transform.apply_cse to %f : !transform.any_op
  %f2 = transform.apply_registered_pass "loop-invariant-subset-hoisting" to %f : (!transform.any_op) -> !transform.any_op
  transform.apply_patterns to %f2 {
    transform.apply_patterns.canonicalization
    transform.apply_patterns.tensor.fold_tensor_subset_ops_into_vector_transfers
  } : !transform.any_op
  transform.apply_cse to %f2 : !transform.any_op
)";
  }

  /// Bufferization and vector lowering: a second script, run after
  /// unshareInitTensors (the first script's CSE merges init tensors again).
  void bufferizeAndLower() {
    os << R"(
  // Results computed straight into the caller's output buffers.
  transform.bufferization.eliminate_empty_tensors %root : !transform.any_op
  %b = transform.bufferization.one_shot_bufferize %root {memcpy_op = "linalg.copy"} : (!transform.any_op) -> !transform.any_op
  %bf = transform.structured.match ops{["func.func"]} in %b : (!transform.any_op) -> !transform.any_op
  transform.apply_patterns to %bf { transform.apply_patterns.canonicalization } : !transform.any_op
  transform.apply_cse to %bf : !transform.any_op
  %bf2 = transform.structured.hoist_redundant_vector_transfers %bf : (!transform.any_op) -> !transform.any_op
  transform.apply_patterns to %bf2 {
    transform.apply_patterns.vector.lower_masked_transfers
    transform.apply_patterns.vector.lower_masks
    transform.apply_patterns.vector.lower_contraction lowering_strategy = "outerproduct"
    transform.apply_patterns.vector.transfer_permutation_patterns
    transform.apply_patterns.vector.lower_multi_reduction lowering_strategy = "innerparallel"
    transform.apply_patterns.vector.split_transfer_full_partial split_transfer_strategy = "linalg-copy"
    transform.apply_patterns.vector.transfer_to_scf max_transfer_rank = 1 full_unroll = true
    transform.apply_patterns.vector.lower_transfer max_transfer_rank = 1
    transform.apply_patterns.vector.lower_shape_cast
    transform.apply_patterns.vector.lower_transpose lowering_strategy = "shuffle_1d"
    transform.apply_patterns.vector.lower_outerproduct
    transform.apply_patterns.vector.lower_broadcast
  } : !transform.any_op
  // Separately: with the lowering patterns it can cycle (see the notes).
  transform.apply_patterns to %bf2 { transform.apply_patterns.canonicalization } : !transform.any_op
)";
  }
};

/// Gives every user of a shared `tensor.empty` or zero fill its own copy.
/// CSE merges identical ones, but each names a distinct buffer to be: a
/// shared fill would make empty-tensor elimination place two results in one
/// buffer, and a matmul's fill must be its own to fuse into its tile.
void unshareInitTensors(func::FuncOp func) {
  SmallVector<Operation *> shared;
  func.walk([&](Operation *op) {
    if (llvm::isa<tensor::EmptyOp, linalg::FillOp>(op) &&
        op->getNumResults() == 1 && !op->getResult(0).hasOneUse())
      shared.push_back(op);
  });
  OpBuilder b(func.getContext());
  // Fills first (their clones get their own empties below), then empties.
  llvm::stable_sort(shared, [](Operation *a, Operation *c) {
    return llvm::isa<linalg::FillOp>(a) && !llvm::isa<linalg::FillOp>(c);
  });
  for (Operation *op : shared) {
    SmallVector<OpOperand *> uses;
    for (OpOperand &use : op->getResult(0).getUses())
      uses.push_back(&use);
    for (OpOperand *use : llvm::drop_begin(uses)) {
      b.setInsertionPoint(use->getOwner());
      Operation *clone = b.clone(*op);
      if (auto fill = llvm::dyn_cast<linalg::FillOp>(clone))
        if (auto empty =
                fill.getDpsInits()[0].getDefiningOp<tensor::EmptyOp>()) {
          b.setInsertionPoint(clone);
          fill.getDpsInitsMutable()[0].set(b.clone(*empty)->getResult(0));
        }
      use->set(clone->getResult(0));
    }
  }
}

struct CPUSchedulePass : public mlc::impl::CPUScheduleBase<CPUSchedulePass> {
  using CPUScheduleBase::CPUScheduleBase;

  void runOnOperation() override {
    ModuleOp module = getOperation();
    for (auto func : module.getOps<func::FuncOp>())
      unshareInitTensors(func);
    if (vectorBits != 128 && vectorBits != 256 && vectorBits != 512) {
      module.emitError() << "mlc-cpu-schedule: vector-bits must be 128, 256 "
                            "or 512, got "
                         << vectorBits;
      return signalPassFailure();
    }
    // One script per function, run on that function: its matches and
    // canonicalizations then cost the function's size, not the module's
    // (a file of many models compiled in quadratic time).
    unsigned id = 0;
    for (auto func : module.getOps<func::FuncOp>()) {
      ScriptWriter writer(vectorBits / 32);
      for (const MatmulGroup &g : findGroups(func)) {
        std::string tag = "g" + std::to_string(id);
        Builder b(&getContext());
        g.matmul->setAttr(kTagAttr, b.getStringAttr(tag + ".mm"));
        g.fill->setAttr(kTagAttr, b.getStringAttr(tag + ".fill"));
        if (g.epilogue)
          g.epilogue->setAttr(kTagAttr, b.getStringAttr(tag + ".ew"));
        writer.group(id++, g);
      }
      writer.vectorizeAll();
      writer.tail();
      if (failed(run(writer.script,
                     "tile, fuse and vectorize " + func.getSymName().str(),
                     /*consumesRoot=*/false, func)))
        return signalPassFailure();
    }

    for (auto func : module.getOps<func::FuncOp>())
      unshareInitTensors(func);
    ScriptWriter lower(vectorBits / 32);
    lower.bufferizeAndLower();
    if (failed(run(lower.script, "bufferize and lower vectors",
                   /*consumesRoot=*/true, module)))
      return signalPassFailure();
  }

  LogicalResult run(const std::string &body, const Twine &what,
                    bool consumesRoot, Operation *payload) {
    std::string script = "module attributes {transform.with_named_sequence} {\n"
                         "transform.named_sequence @__transform_main(%root: "
                         "!transform.any_op {transform." +
                         std::string(consumesRoot ? "consumed" : "readonly") +
                         "}) {\n" + body + "  transform.yield\n}\n}\n";
    if (printSchedule)
      llvm::errs() << "// mlc-cpu-schedule: " << what << "\n" << script;
    OwningOpRef<ModuleOp> parsed =
        parseSourceString<ModuleOp>(script, &getContext());
    if (!parsed)
      return getOperation().emitError()
             << "mlc-cpu-schedule produced an invalid transform script (a bug "
                "in mlc)";
    auto entry =
        parsed->lookupSymbol<transform::NamedSequenceOp>("__transform_main");
    return transform::applyTransformNamedSequence(
        payload, entry, *parsed, transform::TransformOptions());
  }
};

} // namespace
