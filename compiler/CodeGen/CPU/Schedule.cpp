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

/// An all-parallel generic whose iteration space is the matmul's output and
/// that reads the matmul result exactly once, with the identity map.
bool isElementwiseEpilogue(linalg::GenericOp op, Value matmulResult) {
  if (!op || op.getNumDpsInits() != 1 ||
      op.getNumParallelLoops() != op.getNumLoops() ||
      op.getResult(0).getType() != matmulResult.getType())
    return false;
  for (OpOperand *in : op.getDpsInputOperands())
    if (in->get() == matmulResult)
      return op.getMatchingIndexingMap(in).isIdentity();
  return false;
}

SmallVector<MatmulGroup> findGroups(func::FuncOp func) {
  SmallVector<MatmulGroup> groups;
  func.walk([&](linalg::MatmulOp mm) {
    if (!mm.hasPureTensorSemantics())
      return;
    auto fill = mm.getDpsInits()[0].getDefiningOp<linalg::FillOp>();
    if (!fill || !fill->hasOneUse())
      return;
    MatmulGroup g{mm, fill, nullptr};
    Value result = mm->getResult(0);
    if (result.hasOneUse())
      if (auto user = llvm::dyn_cast<linalg::GenericOp>(*result.user_begin()))
        if (isElementwiseEpilogue(user, result))
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

  void group(unsigned id, const MatmulGroup &g) {
    auto type = llvm::cast<RankedTensorType>(g.matmul->getResult(0).getType());
    int64_t rows = type.isDynamicDim(0) ? -1 : type.getDimSize(0);
    int64_t cols = type.isDynamicDim(1) ? -1 : type.getDimSize(1);
    auto [tm, tn] = registerTile(rows, cols, lanes);
    bool partialRows = rows < 0;
    bool staticCols = cols >= 0;
    std::string p = "g" + std::to_string(id);
    os << llvm::formatv(R"(
  // group {0}: matmul {1}x{2}{3}, register tile {4}x{5}
  %{0}_mm = transform.structured.match attributes {{{6} = "{0}.mm"} in %root : (!transform.any_op) -> !transform.any_op
  %{0}_fill = transform.structured.match attributes {{{6} = "{0}.fill"} in %root : (!transform.any_op) -> !transform.any_op
)",
                        p, rows < 0 ? std::string("?") : std::to_string(rows),
                        cols < 0 ? std::string("?") : std::to_string(cols),
                        g.epilogue ? " + elementwise epilogue" : "", tm, tn,
                        kTagAttr);
    // Tile the last op of the group and fuse the rest into the tile.
    std::string anchor = tileAndFuse(p, p, g.epilogue != nullptr, tm, tn,
                                     "%" + p + "_mm", "%" + p + "_fill");
    std::string mainLoop = "%" + p + "_li";
    if (partialRows) {
      // Full 8-row tiles first; the last, partial tile is redone one row
      // at a time so its shapes are static too (no masks, accumulator in
      // registers).
      os << llvm::formatv(R"(  %{0}_lic = transform.cast %{0}_li : !transform.any_op to !transform.op<"scf.for">
  %{0}_main, %{0}_rest = transform.loop.peel %{0}_lic : (!transform.op<"scf.for">) -> (!transform.any_op, !transform.any_op)
  %{0}_pf = transform.structured.match ops{{["func.func"]} in %root : (!transform.any_op) -> !transform.any_op
  transform.apply_patterns to %{0}_pf {{ transform.apply_patterns.canonicalization } : !transform.any_op
  %{0}_rmm = transform.structured.match ops{{["linalg.matmul"]} in %{0}_rest : (!transform.any_op) -> !transform.any_op
  %{0}_rfill = transform.structured.match ops{{["linalg.fill"]} in %{0}_rest : (!transform.any_op) -> !transform.any_op
)",
                          p);
      mainLoop = "%" + p + "_main";
      // Fusing the fill also clones it whole for a size query; the
      // canonicalization removes that dead clone before vectorizing.
      std::string r = p + "_r";
      tileAndFuse(r, p + "_rest", g.epilogue != nullptr, 1, 0,
                  "%" + r + "mm", g.epilogue ? "%" + r + "fill" : "");
      os << llvm::formatv(R"(  %{0}_rf = transform.structured.match ops{{["func.func"]} in %root : (!transform.any_op) -> !transform.any_op
  transform.apply_patterns to %{0}_rf {{ transform.apply_patterns.canonicalization } : !transform.any_op
)",
                          p);
      deferred.push_back([=, this] {
        reduceAndVectorize(r, "%" + r + "_li", 1, tn,
                           /*vectorizeFill=*/staticCols && g.epilogue);
      });
    }
    deferred.push_back([=, this] {
      reduceAndVectorize(p, mainLoop, tm, tn,
                         /*vectorizeFill=*/staticCols && g.epilogue);
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

  /// Tiles the group's anchor (the epilogue, else the matmul) inside `in`
  /// (a loop handle name, or the group prefix for the whole function) into
  /// [tm, tn] tiles with loops %<p>_li (and %<p>_lj when tn != 0), and
  /// fuses the matmul (and its fill, unless `fill` is empty) into the
  /// innermost loop.
  std::string tileAndFuse(const std::string &p, const std::string &in,
                          bool epilogue, int64_t tm, int64_t tn,
                          const std::string &mm, const std::string &fill) {
    bool twoLoops = tn != 0;
    std::string loops = twoLoops ? llvm::formatv("%{0}_li, %{0}_lj", p).str()
                                 : llvm::formatv("%{0}_li", p).str();
    std::string loopTypes = twoLoops ? "!transform.any_op, !transform.any_op"
                                     : "!transform.any_op";
    std::string inner = twoLoops ? "%" + p + "_lj" : "%" + p + "_li";
    if (epilogue) {
      std::string where = in == p ? "%root" : "%" + in;
      os << llvm::formatv(R"(  %{0}_ew = transform.structured.match ops{{["linalg.generic"]} attributes {{{1} = "{2}.ew"} in {3} : (!transform.any_op) -> !transform.any_op
  %{0}_t, {4} = transform.structured.tile_using_for %{0}_ew tile_sizes [{5}, {6}] : (!transform.any_op) -> (!transform.any_op, {7})
  %{0}_mmf, %{0}_l1 = transform.structured.fuse_into_containing_op {8} into {9} : (!transform.any_op, !transform.any_op) -> (!transform.any_op, !transform.any_op)
)",
                          p, kTagAttr, llvm::StringRef(in).split('_').first,
                          where, loops, tm, tn, loopTypes, mm, inner);
      if (!fill.empty())
        os << llvm::formatv(R"(  %{0}_fillf, %{0}_l2 = transform.structured.fuse_into_containing_op {1} into %{0}_l1 : (!transform.any_op, !transform.any_op) -> (!transform.any_op, !transform.any_op)
)",
                            p, fill);
    } else {
      // The fill is the tile loop's initial value, not a sliced operand,
      // so it cannot fuse; it stays one cheap pass that zeroes the output,
      // and each tile reads its accumulator once.
      os << llvm::formatv(R"(  %{0}_mmf, {1} = transform.structured.tile_using_for {2} tile_sizes [{3}, {4}] : (!transform.any_op) -> (!transform.any_op, {5})
)",
                          p, loops, mm, tm, tn, loopTypes);
    }
    return inner;
  }

  /// Tiles the fused matmul's reduction by one and vectorizes the ops in
  /// `loop` with [tm, tn] vectors (masked only where a size is dynamic).
  void reduceAndVectorize(const std::string &p, const std::string &loop,
                          int64_t tm, int64_t tn, bool vectorizeFill) {
    os << llvm::formatv(R"(  %{0}_vmm = transform.structured.match ops{{["linalg.matmul"]} in {1} : (!transform.any_op) -> !transform.any_op
  %{0}_tk, %{0}_lk = transform.structured.tile_using_for %{0}_vmm tile_sizes [0, 0, 1] : (!transform.any_op) -> (!transform.any_op, !transform.any_op)
  transform.structured.vectorize %{0}_tk vector_sizes [{2}, {3}, 1] : !transform.any_op
  %{0}_vew = transform.structured.match ops{{["linalg.generic"]} in {1} : (!transform.any_op) -> !transform.any_op
  transform.structured.vectorize %{0}_vew vector_sizes [{2}, {3}] : !transform.any_op
)",
                        p, loop, tm, tn);
    if (vectorizeFill)
      os << llvm::formatv(R"(  %{0}_vfill = transform.structured.match ops{{["linalg.fill"]} in {1} : (!transform.any_op) -> !transform.any_op
  transform.structured.vectorize %{0}_vfill : !transform.any_op
)",
                          p, loop);
  }

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

struct CPUSchedulePass : public mlc::impl::CPUScheduleBase<CPUSchedulePass> {
  using CPUScheduleBase::CPUScheduleBase;

  void runOnOperation() override {
    ModuleOp module = getOperation();
    if (vectorBits != 128 && vectorBits != 256 && vectorBits != 512) {
      module.emitError() << "mlc-cpu-schedule: vector-bits must be 128, 256 "
                            "or 512, got "
                         << vectorBits;
      return signalPassFailure();
    }
    ScriptWriter writer(vectorBits / 32);
    writer.os << "module attributes {transform.with_named_sequence} {\n"
                 "transform.named_sequence @__transform_main(%root: "
                 "!transform.any_op {transform.consumed}) {\n";
    unsigned id = 0;
    for (auto func : module.getOps<func::FuncOp>()) {
      for (const MatmulGroup &g : findGroups(func)) {
        std::string tag = "g" + std::to_string(id);
        Builder b(&getContext());
        g.matmul->setAttr(kTagAttr, b.getStringAttr(tag + ".mm"));
        g.fill->setAttr(kTagAttr, b.getStringAttr(tag + ".fill"));
        if (g.epilogue)
          g.epilogue->setAttr(kTagAttr, b.getStringAttr(tag + ".ew"));
        writer.group(id++, g);
      }
    }
    writer.vectorizeAll();
    writer.tail();
    writer.os << "  transform.yield\n}\n}\n";

    if (printSchedule)
      llvm::errs() << "// mlc-cpu-schedule script\n" << writer.script;

    OwningOpRef<ModuleOp> script =
        parseSourceString<ModuleOp>(writer.script, &getContext());
    if (!script) {
      module.emitError() << "mlc-cpu-schedule produced an invalid transform "
                            "script (a bug in mlc)";
      return signalPassFailure();
    }
    auto entry = script->lookupSymbol<transform::NamedSequenceOp>(
        "__transform_main");
    if (failed(transform::applyTransformNamedSequence(
            module, entry, *script, transform::TransformOptions())))
      return signalPassFailure();
  }
};

} // namespace
