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

/// Register tile for an output of `rows` x `cols` (dynamic: negative).
/// 8 x 32 floats is 16 zmm accumulators; narrow outputs use their width.
/// Static row counts get a tile that divides them (so no loop needs
/// peeling); dynamic ones get 8 and a peeled last tile.
std::pair<int64_t, int64_t> registerTile(int64_t rows, int64_t cols) {
  int64_t tm = 8;
  if (rows >= 0)
    for (tm = std::min<int64_t>(8, rows); rows % tm != 0; --tm)
      ;
  int64_t tn = cols >= 0 ? std::min<int64_t>(32, cols) : 32;
  return {tm, tn};
}

class ScriptWriter {
public:
  std::string script;
  llvm::raw_string_ostream os{script};

  void group(unsigned id, const MatmulGroup &g) {
    auto type = llvm::cast<RankedTensorType>(g.matmul->getResult(0).getType());
    int64_t rows = type.isDynamicDim(0) ? -1 : type.getDimSize(0);
    int64_t cols = type.isDynamicDim(1) ? -1 : type.getDimSize(1);
    auto [tm, tn] = registerTile(rows, cols);
    bool partialRows = rows < 0;
    bool fullCols = cols >= 0 && cols % tn == 0;
    std::string g0 = "g" + std::to_string(id);
    // The op whose tile loops everything else fuses into.
    std::string anchor = g.epilogue ? "ew" : "mm";
    os << llvm::formatv(R"(
  // group {0}: matmul {1}x{2}{3}
  %{0}_mm = transform.structured.match attributes {{{4} = "{0}.mm"} in %root : (!transform.any_op) -> !transform.any_op
  %{0}_fill = transform.structured.match attributes {{{4} = "{0}.fill"} in %root : (!transform.any_op) -> !transform.any_op
)",
                        g0, rows < 0 ? std::string("?") : std::to_string(rows),
                        cols < 0 ? std::string("?") : std::to_string(cols),
                        g.epilogue ? " + elementwise epilogue" : "", kTagAttr);
    if (g.epilogue) {
      os << llvm::formatv(R"(  %{0}_ew = transform.structured.match attributes {{{1} = "{0}.ew"} in %root : (!transform.any_op) -> !transform.any_op
  %{0}_t, %{0}_li, %{0}_lj = transform.structured.tile_using_for %{0}_ew tile_sizes [{2}, {3}] : (!transform.any_op) -> (!transform.any_op, !transform.any_op, !transform.any_op)
  %{0}_mmf, %{0}_l1 = transform.structured.fuse_into_containing_op %{0}_mm into %{0}_lj : (!transform.any_op, !transform.any_op) -> (!transform.any_op, !transform.any_op)
  %{0}_fillf, %{0}_l2 = transform.structured.fuse_into_containing_op %{0}_fill into %{0}_l1 : (!transform.any_op, !transform.any_op) -> (!transform.any_op, !transform.any_op)
)",
                          g0, kTagAttr, tm, tn);
    } else {
      // The fill is the tile loop's initial value, not a sliced operand,
      // so it cannot fuse; it stays a separate (cheap) pass that zeroes the
      // output, and each tile reads its accumulator once.
      os << llvm::formatv(R"(  %{0}_mmf, %{0}_li, %{0}_lj = transform.structured.tile_using_for %{0}_mm tile_sizes [{1}, {2}] : (!transform.any_op) -> (!transform.any_op, !transform.any_op, !transform.any_op)
)",
                          g0, tm, tn);
    }
    os << llvm::formatv(R"(  %{0}_tk, %{0}_lk = transform.structured.tile_using_for %{0}_mmf tile_sizes [0, 0, 1] : (!transform.any_op) -> (!transform.any_op, !transform.any_op)
)",
                        g0);
    // Full tiles: static shapes, no masks. The peeled last row tile (and
    // partial column tiles) vectorize with masks.
    std::string mainLoop = g0 + "_li";
    if (partialRows) {
      os << llvm::formatv(R"(  %{0}_lic = transform.cast %{0}_li : !transform.any_op to !transform.op<"scf.for">
  %{0}_main, %{0}_rest = transform.loop.peel %{0}_lic : (!transform.op<"scf.for">) -> (!transform.any_op, !transform.any_op)
  %{0}_pf = transform.structured.match ops{{["func.func"]} in %root : (!transform.any_op) -> !transform.any_op
  transform.apply_patterns to %{0}_pf {{ transform.apply_patterns.canonicalization } : !transform.any_op
)",
                          g0);
      mainLoop = g0 + "_main";
    }
    vectorizeIn(mainLoop, g0 + "_a", tm, tn,
                /*vectorizeFill=*/fullCols && g.epilogue);
    if (partialRows)
      vectorizeIn(g0 + "_rest", g0 + "_b", tm, tn, /*vectorizeFill=*/false);
  }

  void vectorizeIn(const std::string &loop, const std::string &prefix,
                   int64_t tm, int64_t tn, bool vectorizeFill) {
    os << llvm::formatv(R"(  %{0}_mm = transform.structured.match ops{{["linalg.matmul"]} in %{1} : (!transform.any_op) -> !transform.any_op
  transform.structured.vectorize %{0}_mm vector_sizes [{2}, {3}, 1] : !transform.any_op
  %{0}_ew = transform.structured.match ops{{["linalg.generic"]} in %{1} : (!transform.any_op) -> !transform.any_op
  transform.structured.vectorize %{0}_ew vector_sizes [{2}, {3}] : !transform.any_op
)",
                        prefix, loop, tm, tn);
    if (vectorizeFill)
      os << llvm::formatv(R"(  %{0}_fill = transform.structured.match ops{{["linalg.fill"]} in %{1} : (!transform.any_op) -> !transform.any_op
  transform.structured.vectorize %{0}_fill : !transform.any_op
)",
                          prefix, loop);
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
    ScriptWriter writer;
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
