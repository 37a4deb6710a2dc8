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

#include "compiler/CodeGen/CPU/Outlining.h"
#include "compiler/CodeGen/CPU/Passes.h"
#include "compiler/CodeGen/CPU/Tiles.h"

#include "mlir/Dialect/Affine/IR/AffineOps.h"
#include "mlir/Dialect/Bufferization/IR/Bufferization.h"
#include "mlir/Dialect/Bufferization/Transforms/BufferUtils.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/Dialect/Transform/IR/TransformOps.h"
#include "mlir/Dialect/Transform/Transforms/TransformInterpreterUtils.h"
#include "mlir/Dialect/Utils/StaticValueUtils.h"
#include "mlir/Dialect/Vector/Transforms/VectorRewritePatterns.h"
#include "mlir/IR/IRMapping.h"
#include "mlir/IR/OperationSupport.h"
#include "mlir/IR/SymbolTable.h"
#include "mlir/IR/Threading.h"
#include "mlir/Parser/Parser.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"
#include "llvm/ADT/StringSet.h"
#include "llvm/Support/CommandLine.h"
#include "llvm/Support/FormatVariadic.h"

#include <cstdlib>
#include <functional>
#include <map>
#include <mutex>
#include <set>
#include <tuple>

namespace mlc {
#define GEN_PASS_DEF_CPUSCHEDULE
#include "compiler/CodeGen/CPU/Passes.h.inc"
} // namespace mlc

using namespace mlir;
using mlc::TileChoice;

namespace {

constexpr const char *kTagAttr = "mlc_sched";
// Marks the linalg.generic a bf16 matmul became (convertMatmulsToBF16).
constexpr const char *kBF16Attr = "mlc.bf16_matmul";
// Marks the copies of its operands into bf16 pairs.
constexpr const char *kBF16PackAttr = "mlc.bf16_pack";
/// Marks the linalg.generic of a convolution or one of its gradients
/// (MLCToLinalg/Conv.cpp), with its loop order: "nhwc" for (n, i, j, a, b,
/// c, o), "filter" for (a, b, n, i, j, c, o); "depthwise" ones are not
/// tiled here.
constexpr const char *kConvAttr = "mlc.conv";
/// Marks an all-parallel op to run one outer iteration at a time with the
/// rest vectorized: the number of its outer loops (a pooling op's batch,
/// window row and column, with its window offsets and channels as vectors;
/// a dropout mask's rows). The first is the batch, split among threads.
constexpr const char *kOuterLoopsAttr = "mlc.outer_loops";
/// Marks the matmuls a convolution's register tiles become.
constexpr const char *kConvTileTag = "convmm";
/// Marks a loop whose iterations are independent (mlc-parallelize-tiles).
constexpr const char *kParallelAttr = "mlc.parallel";
/// Marks a row statistic (rowReductionLoops) and then the loop over its
/// rows: its vector reductions become one reduction of the row's vector,
/// in a tree (see lowerVectors).
constexpr const char *kRowReductionAttr = "mlc.row_reduction";
/// Rows of the source a plain panel copy reads per block (see
/// vectorizePack).
constexpr int64_t kPackRows = 8;

/// An op marked mlc.outer_loops: its tag, its outer loops, the sizes of the
/// loops after them (vectorized), and the tile of the last one.
struct WindowOp {
  std::string tag;
  int64_t outer;
  SmallVector<int64_t> inner;
  int64_t channelTile;
  bool rowReduction = false;
};

/// For a kernel gradient (output [kh, kw, cin, cout]) of one input channel:
/// a register tile over `windowRows` whole rows of the window (kw columns
/// each) by `cols` output channels, or none (cols 0) when not even one
/// window row fits the registers. With one input channel the usual tile has
/// one row: it reloads its accumulator at every step and streams the result
/// gradient once per window position; over window rows the gradient is read
/// once per tile and each load feeds windowRows * kw FMAs.
struct WindowTile {
  int64_t windowRows = 0, cols = 0;
};
WindowTile windowRowsTile(RankedTensorType kernel, int64_t lanes,
                          int64_t registers) {
  int64_t kh = kernel.getDimSize(0), kw = kernel.getDimSize(1);
  if (kernel.getDimSize(2) != 1 || kh < 2 || kw < 2)
    return {};
  // Accumulators, leaving 6 registers for the loads and broadcasts: the
  // most window rows that divide kh (no partial tile) and fit (a 5 x 5
  // window on AVX2's 16 registers: one row of 5 at a time, not 25).
  for (int64_t rows = kh; rows >= 1; --rows) {
    if (kh % rows != 0)
      continue;
    int64_t vectors = (registers - 6) / (rows * kw);
    if (vectors < 1)
      continue;
    int64_t cols = kernel.getDimSize(3);
    return {rows, std::min(cols, std::min<int64_t>(vectors, 2) * lanes)};
  }
  return {};
}

/// A matmul, its zero fill, and optionally the elementwise op that consumes
/// its result (the layer's bias and activation).
struct MatmulGroup {
  linalg::LinalgOp matmul; // a linalg.matmul, or a bf16 matmul generic
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

/// The operand maps of a linalg.matmul over (m, n, k), plain or transposed.
struct MatmulMaps {
  AffineMap plainA, transposedA, plainB, transposedB;
  explicit MatmulMaps(MLIRContext *ctx) {
    AffineExpr m, n, k;
    bindDims(ctx, m, n, k);
    plainA = AffineMap::get(3, 0, {m, k}, ctx);
    transposedA = AffineMap::get(3, 0, {k, m}, ctx);
    plainB = AffineMap::get(3, 0, {k, n}, ctx);
    transposedB = AffineMap::get(3, 0, {n, k}, ctx);
  }
};

/// `src` (f32, 2-D, K along dim `kDim`, K even) as bf16 pairs of
/// consecutive k: [X, K/2, 2] (`pairsInner`, the layout of A) or
/// [K/2, X, 2] (B's), where X is the other dimension.
Value packPairs(IRRewriter &rewriter, Location loc, Value src, int64_t kDim,
                bool pairsInner) {
  MLIRContext *ctx = rewriter.getContext();
  auto type = llvm::cast<RankedTensorType>(src.getType());
  int64_t xDim = 1 - kDim;
  int64_t k = type.getDimSize(kDim);
  OpFoldResult x = tensor::getMixedSize(rewriter, loc, src, xDim);
  OpFoldResult half = rewriter.getIndexAttr(k / 2),
               two = rewriter.getIndexAttr(2);
  if (ShapedType::isDynamic(k)) {
    // A dynamic K (the batch, in a weight gradient) is padded with a zero
    // row when it is odd.
    AffineExpr s0;
    bindSymbols(ctx, s0);
    Value size = tensor::DimOp::create(rewriter, loc, src, kDim);
    OpFoldResult odd = affine::makeComposedFoldedAffineApply(
        rewriter, loc, s0 % 2, {OpFoldResult(size)});
    half = affine::makeComposedFoldedAffineApply(rewriter, loc, s0.ceilDiv(2),
                                                 {size});
    SmallVector<OpFoldResult> low(2, rewriter.getIndexAttr(0)), high = low;
    high[kDim] = odd;
    Value zero = arith::ConstantOp::create(rewriter, loc,
                                           rewriter.getF32FloatAttr(0.0f));
    src = tensor::PadOp::create(rewriter, loc, type, src, low, high, zero);
  }
  // Free reshape: [K, X] -> [K/2, 2, X], or [X, K] -> [X, K/2, 2].
  SmallVector<int64_t> expandedShape;
  SmallVector<OpFoldResult> expandedSizes;
  SmallVector<ReassociationIndices> reassociation;
  int64_t xSize = type.getDimSize(xDim);
  int64_t k2 = ShapedType::isDynamic(k) ? ShapedType::kDynamic : k / 2;
  if (kDim == 0) {
    expandedShape = {k2, 2, xSize};
    expandedSizes = {half, two, x};
    reassociation = {{0, 1}, {2}};
  } else {
    expandedShape = {xSize, k2, 2};
    expandedSizes = {x, half, two};
    reassociation = {{0}, {1, 2}};
  }
  Value expanded = tensor::ExpandShapeOp::create(
      rewriter, loc,
      RankedTensorType::get(expandedShape, type.getElementType()), src,
      reassociation, expandedSizes);
  AffineExpr d0, d1, d2;
  bindDims(ctx, d0, d1, d2);
  // Output loops (o0, o1, pair): (x, k2, p) or (k2, x, p).
  AffineExpr xe = pairsInner ? d0 : d1, k2e = pairsInner ? d1 : d0;
  AffineMap in = kDim == 0 ? AffineMap::get(3, 0, {k2e, d2, xe}, ctx)
                           : AffineMap::get(3, 0, {xe, k2e, d2}, ctx);
  SmallVector<OpFoldResult> outSizes =
      pairsInner ? SmallVector<OpFoldResult>{x, half, two}
                 : SmallVector<OpFoldResult>{half, x, two};
  Value empty =
      tensor::EmptyOp::create(rewriter, loc, outSizes, rewriter.getBF16Type());
  if (!pairsInner && !ShapedType::isDynamic(xSize)) {
    // B's rows of pairs, [N, 2] each, are read one 2 x lanes block at a
    // time down all K/2 rows: at N = 1024 the rows are 4 KiB apart and map
    // to one cache set. A row 16 pairs longer (64 bytes) spreads them; the
    // copy writes the first N pairs of each in place.
    Value padded = tensor::EmptyOp::create(
        rewriter, loc,
        SmallVector<OpFoldResult>{half, rewriter.getIndexAttr(xSize + 16), two},
        rewriter.getBF16Type());
    SmallVector<OpFoldResult> zeros(3, rewriter.getIndexAttr(0)),
        ones(3, rewriter.getIndexAttr(1));
    empty = tensor::ExtractSliceOp::create(rewriter, loc, padded, zeros,
                                           outSizes, ones);
  }
  auto pack = linalg::GenericOp::create(
      rewriter, loc, empty.getType(), ValueRange{expanded}, ValueRange{empty},
      ArrayRef<AffineMap>{in, AffineMap::getMultiDimIdentityMap(3, ctx)},
      SmallVector<utils::IteratorType>(3, utils::IteratorType::parallel),
      [](OpBuilder &b, Location l, ValueRange args) {
        Value t = arith::TruncFOp::create(b, l, b.getBF16Type(), args[0]);
        linalg::YieldOp::create(b, l, t);
      });
  pack->setAttr(kBF16PackAttr, rewriter.getUnitAttr());
  return pack->getResult(0);
}

/// The tile a bf16 pair copy (packPairs) is vectorized in, along its
/// output dims 0 and 1: rows of up to 16 pairs; for B^T ([N, K/2, 2] read
/// as [K/2, N, 2]) blocks of 8 pairs of 16 rows, a cache line of each row,
/// transposed in registers; for A^T ([K/2, 2, M] read as [M, K/2, 2], K/2
/// the batch's half) 16 columns of M at a time, one pair.
std::pair<int64_t, int64_t> bf16PackTile(linalg::GenericOp pack) {
  auto tileOf = [](int64_t size, int64_t most) {
    for (int64_t t = most; t > 1; t /= 2)
      if (!ShapedType::isDynamic(size) && size % t == 0)
        return t;
    return int64_t(1);
  };
  MLIRContext *ctx = pack.getContext();
  SmallVector<int64_t> ranges = pack.getStaticLoopRanges();
  AffineExpr d0, d1, d2;
  bindDims(ctx, d0, d1, d2);
  AffineMap in = pack.getIndexingMapsArray()[0];
  if (in == AffineMap::get(3, 0, {d1, d0, d2}, ctx))
    return {tileOf(ranges[0], 8), tileOf(ranges[1], 16)};
  if (in == AffineMap::get(3, 0, {d1, d2, d0}, ctx))
    return {tileOf(ranges[0], 16), 1};
  return {1, tileOf(ranges[1], 16)};
}

/// Rewrites each f32 matmul that AVX512-BF16 dot products can run (K even
/// or dynamic, N a multiple of the vector's floats) into a
/// linalg.generic over (m, n, k/2, pair) that multiplies bf16 copies of A
/// ([M, K/2, 2]) and B ([K/2, N, 2]) into its f32 output. The copies round
/// to nearest even once per call; the sums stay f32.
void convertMatmulsToBF16(func::FuncOp func, int64_t lanes) {
  MLIRContext *ctx = func.getContext();
  AffineExpr d0, d1, d2, d3;
  bindDims(ctx, d0, d1, d2, d3);
  MatmulMaps layouts(ctx);
  SmallVector<linalg::MatmulOp> matmuls;
  func.walk([&](linalg::MatmulOp mm) { matmuls.push_back(mm); });
  IRRewriter rewriter(ctx);
  for (linalg::MatmulOp mm : matmuls) {
    if (!mm.hasPureTensorSemantics())
      continue;
    SmallVector<AffineMap> maps = mm.getIndexingMapsArray();
    bool ta = maps[0] == layouts.transposedA,
         tb = maps[1] == layouts.transposedB;
    if ((!ta && maps[0] != layouts.plainA) ||
        (!tb && maps[1] != layouts.plainB))
      continue;
    Value a = mm.getDpsInputs()[0], b = mm.getDpsInputs()[1];
    Value c = mm.getDpsInits()[0];
    auto at = llvm::cast<RankedTensorType>(a.getType());
    auto bt = llvm::cast<RankedTensorType>(b.getType());
    auto ct = llvm::cast<RankedTensorType>(c.getType());
    if (!at.getElementType().isF32() || !bt.getElementType().isF32() ||
        !ct.getElementType().isF32())
      continue;
    int64_t k = at.getDimSize(ta ? 0 : 1), n = ct.getDimSize(1);
    if ((!ShapedType::isDynamic(k) && k % 2) || ShapedType::isDynamic(n) ||
        n % lanes)
      continue;
    Location loc = mm.getLoc();
    rewriter.setInsertionPoint(mm);
    Value ap = packPairs(rewriter, loc, a, ta ? 0 : 1, /*pairsInner=*/true);
    Value bp = packPairs(rewriter, loc, b, tb ? 1 : 0, /*pairsInner=*/false);
    SmallVector<AffineMap> newMaps = {AffineMap::get(4, 0, {d0, d2, d3}, ctx),
                                      AffineMap::get(4, 0, {d2, d1, d3}, ctx),
                                      AffineMap::get(4, 0, {d0, d1}, ctx)};
    auto generic = linalg::GenericOp::create(
        rewriter, loc, ct, ValueRange{ap, bp}, ValueRange{c}, newMaps,
        {utils::IteratorType::parallel, utils::IteratorType::parallel,
         utils::IteratorType::reduction, utils::IteratorType::reduction},
        [](OpBuilder &bb, Location l, ValueRange args) {
          Type f32 = bb.getF32Type();
          Value x = arith::ExtFOp::create(bb, l, f32, args[0]);
          Value y = arith::ExtFOp::create(bb, l, f32, args[1]);
          Value xy = arith::MulFOp::create(bb, l, x, y);
          Value sum = arith::AddFOp::create(bb, l, args[2], xy);
          linalg::YieldOp::create(bb, l, sum);
        });
    generic->setAttr(kBF16Attr, rewriter.getUnitAttr());
    rewriter.replaceOp(mm, generic->getResults());
  }
}

SmallVector<MatmulGroup> findGroups(func::FuncOp func) {
  SmallVector<MatmulGroup> groups;
  // An epilogue fed by two matmuls (a + b of two products) is tiled once,
  // with the first; the second stays a plain group.
  llvm::SmallPtrSet<Operation *, 8> claimed;
  func.walk([&](linalg::LinalgOp mm) {
    bool bf16 = mm->hasAttr(kBF16Attr);
    if (!(llvm::isa<linalg::MatmulOp>(mm) || bf16) ||
        !mm.hasPureTensorSemantics())
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
/// `lanes` floats per vector register, at most `maxRows` rows. The tile is
/// `vectors` vectors wide (2 unless a tile table says otherwise), so a
/// step of the reduction loads that many vectors of B, broadcasts one A
/// element per row and issues that many FMAs per row. Static
/// sizes get a tile that divides them when a divisor of at least 2/3 of
/// `maxRows` exists (every tile full and static); otherwise, and for a
/// dynamic row count (the batch), the last partial tile is peeled.
std::pair<int64_t, int64_t> registerTile(int64_t rows, int64_t cols,
                                         int64_t lanes, int64_t maxRows,
                                         int64_t vectors = 2) {
  int64_t tm = maxRows;
  if (rows >= 0 && rows <= maxRows)
    tm = rows;
  else if (rows > 0)
    if (int64_t d = divisorIn(rows, (2 * maxRows + 2) / 3, maxRows))
      tm = d;
  // Columns: whole vectors always (a tile of 25 or 20 lanes splits into
  // odd pieces and ran at 5% of peak), and the columns past the last full
  // tile are peeled. A narrow output is one tile of its own width where
  // that is at most one vector (LLVM widens it to one register) or whole
  // vectors; else its whole vectors and a peeled rest: 10 classes on AVX2
  // as one vector<10xf32> had each accumulator split into lanes at the
  // loop's back edge (the output layer's forward at 5 % of the peak).
  int64_t width = vectors * lanes;
  int64_t tn = width;
  if (cols >= 0 && cols <= width + width / 2)
    tn = cols <= lanes || cols % lanes == 0 ? cols : cols / lanes * lanes;
  return {tm, tn};
}

/// Rows of a register tile `vectors` wide whose accumulators, B's vectors
/// and a broadcast fit `registers` vector registers, at most `most`.
int64_t rowsThatFit(int64_t registers, int64_t vectors, int64_t most) {
  return std::clamp<int64_t>((registers - vectors - 1) / vectors, 1, most);
}

/// Whether a width of `n` floats is a vector count LLVM handles as one
/// vector poorly (not a power of 2: it splits 3 x 8 lanes into 128-bit
/// pieces): such tiles and panels go a vector at a time.
bool oddVectorCount(int64_t n, int64_t lanes) {
  return n % lanes == 0 && !llvm::isPowerOf2_64(n / lanes);
}

/// Rows of the register tile: the accumulators (2 vectors per row), the
/// 2 vectors of B and the broadcast must fit the vector register file
/// (16 registers with AVX2 and SSE: 6 rows; 32 with AVX-512: 8, where more
/// rows measured no faster).
int64_t maxTileRows(int64_t registers) { return rowsThatFit(registers, 2, 8); }

/// The register tile the schedule derives for a matmul group: 2 vectors
/// wide, as many rows as fit the register file. An optimizer update keeps
/// the tile's parameter and state rows live next to the accumulators; 4
/// rows instead of 8 keeps that set in registers (measured: -7% epoch time
/// at batch 32, same at 128). An output up to 3 vectors wide is one tile
/// of its own width, with the rows that fit it (24 columns on AVX2: 4 rows
/// of 3 vectors, not 6 rows that spill; 15-16 % of a 784-24-10 MLP's
/// step).
TileChoice defaultTile(const MatmulGroup &g, int64_t lanes, int64_t registers) {
  TileChoice choice;
  choice.rows = maxTileRows(registers);
  if (g.epilogue && g.epilogue->getNumResults() > 1)
    choice.rows = std::min<int64_t>(choice.rows, 4);
  choice.vectors = 2;
  auto type = llvm::cast<RankedTensorType>(g.matmul->getResult(0).getType());
  int64_t cols = type.isDynamicDim(1) ? -1 : type.getDimSize(1);
  int64_t tn = registerTile(-1, cols, lanes, choice.rows).second;
  int64_t v = (tn + lanes - 1) / lanes;
  choice.rows = rowsThatFit(registers, v, choice.rows);
  return choice;
}

/// Bytes of the group's B, or -1 when its shape is dynamic.
int64_t bBytes(const MatmulGroup &g) {
  auto bType = llvm::cast<ShapedType>(g.matmul->getOperand(1).getType());
  return bType.hasStaticShape()
             ? bType.getNumElements() *
                   int64_t(bType.getElementTypeBitWidth() / 8)
             : -1;
}

/// Whether the group's tiles loop over columns outside rows: as `choice`
/// says for a static B, else when B is static and over
/// `columnsOuterBytes` (0: never).
bool columnsOuterFor(const MatmulGroup &g, TileChoice choice,
                     int64_t columnsOuterBytes) {
  int64_t bytes = bBytes(g);
  if (bytes >= 0 && choice.order != TileChoice::Order::Default)
    return choice.order == TileChoice::Order::ColumnsOuter;
  return columnsOuterBytes > 0 && bytes > columnsOuterBytes;
}

/// The group's key in tile tables (Tiles.h): "mm<M>x<N>x<K>", then ".at",
/// ".bt" for transposed operands, ".ew" or ".opt" for the epilogue.
std::string matmulKey(MatmulGroup g) {
  SmallVector<int64_t> loops = g.matmul.getStaticLoopRanges();
  std::string key = "mm";
  for (unsigned d = 0; d < 3; ++d)
    key += (d ? "x" : "") + (ShapedType::isDynamic(loops[d])
                                 ? std::string("?")
                                 : std::to_string(loops[d]));
  MatmulMaps layouts(g.matmul->getContext());
  SmallVector<AffineMap> maps = g.matmul.getIndexingMapsArray();
  if (maps[0] == layouts.transposedA)
    key += ".at";
  if (maps[1] == layouts.transposedB)
    key += ".bt";
  if (g.epilogue)
    key += g.epilogue->getNumResults() > 1 ? ".opt" : ".ew";
  return key;
}

/// A matmul operand copied into panels before the matmul runs.
struct PackedOperand {
  std::string tag; // of the linalg.generic that packs it
  bool transposed; // the source is [N, K]: the copy transposes
  int64_t panel;   // columns per panel (the register tile's width)
  // A plain copy whose K is static and a whole number of kPackRows blocks
  // (vectorizePack).
  bool blockRows;
};

class ScriptWriter {
public:
  ScriptWriter(int64_t lanes, int64_t registers)
      : lanes(lanes), registers(registers) {}
  int64_t lanes, registers;
  bool parallelPacks = false;
  int64_t columnsOuterBytes = 0;
  // Register tiles by matmul key (Tiles.h): the tile-table option.
  mlc::TileTable table;
  // Per matmul group ("g<i>"): the width of its full column tiles, which
  // B's packed panels match.
  llvm::StringMap<int64_t> panelWidths;
  bool anyBF16 = false;
  // Per bf16 pair copy (tagged "bfpack<i>"): its tile along dims 0 and 1.
  SmallVector<std::pair<int64_t, int64_t>> bf16PackTiles;
  std::string script;
  llvm::raw_string_ostream os{script};

  /// Phase 1 for one group: tiling and fusion now, peeling and the partial
  /// row tiles queued for endGroups. The loops that get peeled survive the
  /// canonicalization between (they run at least twice); ops are re-found
  /// by their tags in phase 2, so no other handle has to (canonicalization
  /// may fold one-trip loops).
  void group(unsigned id, const MatmulGroup &g) {
    anyGroup = true;
    auto type = llvm::cast<RankedTensorType>(g.matmul->getResult(0).getType());
    int64_t rows = type.isDynamicDim(0) ? -1 : type.getDimSize(0);
    int64_t cols = type.isDynamicDim(1) ? -1 : type.getDimSize(1);
    // Plain variables: lambdas below capture them (C++17 can't capture
    // structured bindings).
    int64_t tm, tn;
    bool bf16 = g.matmul->hasAttr(kBF16Attr);
    TileChoice choice = defaultTile(g, lanes, registers);
    std::string key = matmulKey(g);
    if (!bf16) {
      auto it = table.find(key);
      if (it == table.end())
        it = table.find("mm*");
      if (it != table.end())
        choice = it->second;
    }
    std::tie(tm, tn) =
        registerTile(rows, cols, lanes, choice.rows, choice.vectors);
    panelWidths["g" + std::to_string(id)] = choice.vectors * lanes;
    bool partialRows = rows < 0 || rows % tm != 0;
    // The last, narrower column tile (static: columns are weights' widths).
    int64_t restCols = cols > tn ? cols % tn : 0;
    bool epilogue = g.epilogue != nullptr;
    // Left-over rows in pairs (rowByRow) where the pair loop's peeled main
    // part comes out static: a group whose epilogue takes the tile, at the
    // function's top level. (Without an epilogue the partial tile is a
    // buffer of its own, and in a loop over time steps its bounds are the
    // loop's: the peeled pairs kept dynamic sizes, and buffers.) Rows of a
    // dynamic count only: a static remainder of 2 is one pair with no last
    // iteration to peel.
    // (A tile of 2 rows or fewer leaves at most one row.)
    bool pairRows = rows < 0 && tm > 2 && epilogue && !bf16 &&
                    !g.matmul->getParentOfType<scf::ForOp>();
    bool vectorizeFill = epilogue && cols >= 0;
    anyBF16 |= bf16;
    bool columnsOuter = columnsOuterFor(g, choice, columnsOuterBytes);
    std::string p = "g" + std::to_string(id);
    os << llvm::formatv(R"(
  // group {0}: matmul {1}x{2}{3} ({7}), register tile {4}x{5}
  %{0}_mm = transform.structured.match attributes {{{6} = "{0}.mm"} in %root : (!transform.any_op) -> !transform.any_op
  %{0}_fill = transform.structured.match attributes {{{6} = "{0}.fill"} in %root : (!transform.any_op) -> !transform.any_op
)",
                        p, rows < 0 ? std::string("?") : std::to_string(rows),
                        cols < 0 ? std::string("?") : std::to_string(cols),
                        epilogue ? " + elementwise epilogue" : "", tm, tn,
                        kTagAttr, key);
    tileAndFuse(p, "%root", epilogue, tm, tn, "%" + p + "_mm",
                "%" + p + "_fill", p + ".ew", columnsOuter);
    peels.push_back([=] {
      peelPartialTiles(p, !columnsOuter, partialRows, restCols != 0, epilogue);
    });
    if (partialRows)
      // The last, partial row tile is redone one row at a time so its
      // shapes are static too (no masks, accumulator in registers).
      rowTiles.push_back([=] {
        rowByRow(p, "r", epilogue, tn, bf16, pairRows);
        if (restCols)
          rowByRow(p, "rc", epilogue, restCols, bf16, pairRows);
      });
    if (restCols)
      deferred.push_back([=] {
        reduceAndVectorize(p + "_vc", p + ".cmm", p + ".cew",
                           vectorizeFill ? p + ".cfill" : "", tm, restCols,
                           bf16);
      });
    deferred.push_back([=] {
      reduceAndVectorize(p + "_vm", p + ".mm", p + ".ew",
                         vectorizeFill ? p + ".fill" : "", tm, tn, bf16);
    });
  }

  /// Phase 1 for a convolution or one of its gradients (a linalg.generic
  /// marked mlc.conv, tagged "<p>.mm"): its output is tiled into register
  /// tiles of rows (output columns; input channels for the kernel
  /// gradient) by output channels, like a matmul's, partial tiles peeled;
  /// then every reduction loop (window position and input channel, or
  /// batch row and output position) is tiled by 1. What remains of each
  /// tile is an outer product, which convTilesToMatmuls turns into a
  /// matmul with K = 1 for phase 2 to vectorize. The kernel gradient of
  /// one input channel takes whole rows of the window into its tile instead
  /// (windowRowsTile). `fill`, when given, is the output's zero fill, to
  /// fuse into the tiles.
  void conv(unsigned id, linalg::GenericOp op, linalg::FillOp fill,
            linalg::GenericOp epilogue) {
    bool filter =
        op->getAttrOfType<StringAttr>(kConvAttr).getValue() == "filter";
    auto type = llvm::cast<RankedTensorType>(op->getResult(0).getType());
    int64_t rows = type.getDimSize(2), cols = type.getDimSize(3);
    WindowTile windowTile =
        filter ? windowRowsTile(type, lanes, registers) : WindowTile();
    int64_t window = windowTile.cols;
    // A tile one vector wide (few output channels: LeNet's 6) takes as
    // many rows as the registers hold, 14 on AVX2, not the 6 rows of a
    // two-vector tile: 6 chains of dependent FMAs do not cover the FMA
    // latency, and 14 divides 28- and 14-pixel rows (the LeNet's layer-2
    // input gradient 566-670 us at batch 32 against 757-783 us; its
    // layer 1 163-169 us against 200-215 us with 4 rows).
    int64_t maxRows = !filter && cols <= lanes ? rowsThatFit(registers, 1, 14)
                                               : maxTileRows(registers);
    // As for a dense layer's weight gradient: the optimizer's parameter
    // and state rows stay live next to the accumulators (a kernel
    // gradient's update runs after its tiles, outside the registers).
    if (epilogue && epilogue->getNumResults() > 1 && !filter)
      maxRows = std::min<int64_t>(maxRows, 4);
    int64_t tm, tn;
    std::tie(tm, tn) = registerTile(rows, cols, lanes, maxRows);
    if (window)
      tn = window;
    std::string p = "c" + std::to_string(id);
    // Loops: nhwc (n, i, j, a, b, c, o), filter (a, b, n, i, j, c, o); the
    // output (and an epilogue's) (n, i, j, o) or (a, b, c, o).
    unsigned rowLoop = filter ? 5 : 2;
    SmallVector<int64_t> sizes(7, 0), reductions(7, 0);
    for (unsigned d = 0; d < 7; ++d) {
      bool reduction = filter ? (d >= 2 && d <= 4) : (d >= 3 && d <= 5);
      if (d < 2)
        sizes[d] = 1;
      if (reduction)
        reductions[d] = 1;
    }
    sizes[rowLoop] = tm;
    sizes[6] = tn;
    if (window) {
      sizes[0] = windowTile.windowRows;
      sizes[1] = type.getDimSize(1);
    }
    auto list = [](ArrayRef<int64_t> values) {
      return llvm::join(
          llvm::map_range(values, [](int64_t v) { return std::to_string(v); }),
          ", ");
    };
    // The tile loops, outermost first: the output's (n, i, j-tiles,
    // o-tiles), or for a kernel gradient (a, b, c-tiles, o-tiles) with the
    // loop of the most iterations outermost, since threads split the
    // outermost loop (a 3 x 3 window alone would leave one of 2 threads
    // idle a third of the time).
    SmallVector<int64_t> order = {0, 1, 2, 3};
    if (filter) {
      int64_t trips[] = {type.getDimSize(0) / (window ? sizes[0] : 1),
                         window ? 1 : type.getDimSize(1), (rows + tm - 1) / tm,
                         (cols + tn - 1) / tn};
      int64_t best = std::max_element(std::begin(trips), std::end(trips)) -
                     std::begin(trips);
      order.erase(order.begin() + best);
      order.insert(order.begin(), best);
    }
    static const char *loopNames[] = {"l0", "l1", "li", "lj"};
    std::string handles, innermost = loopNames[order.back()];
    for (int64_t d : order)
      handles += (handles.empty() ? "%" : ", %") + p + "_" + loopNames[d];
    std::string interchange4, interchange7;
    if (order != SmallVector<int64_t>{0, 1, 2, 3}) {
      // Output dims (or loops 0, 1, 5, 6 of the convolution's 7).
      int64_t convLoop[] = {0, 1, int64_t(rowLoop), 6};
      SmallVector<int64_t> perm7;
      for (int64_t d : order)
        perm7.push_back(convLoop[d]);
      for (int64_t d = 0; d < 7; ++d)
        if (!llvm::is_contained(perm7, d))
          perm7.push_back(d);
      interchange4 = " interchange = [" + list(order) + "]";
      interchange7 = " interchange = [" + list(perm7) + "]";
    }
    os << llvm::formatv(R"(
  // conv {0}: {1} output {2}x{3}{4}, register tile {5}x{6}
  %{0}_op = transform.structured.match attributes {{{7} = "{0}.mm"} in %root : (!transform.any_op) -> !transform.any_op
)",
                        p, filter ? "kernel gradient" : "convolution", rows,
                        cols, epilogue ? " + elementwise epilogue" : "", tm, tn,
                        kTagAttr);
    if (epilogue && !filter) {
      // The epilogue's tiles, with the convolution and its zero fill fused
      // into each: the output tile goes from registers to the epilogue.
      os << llvm::formatv(
          R"(  %{0}_ew = transform.structured.match attributes {{{1} = "{0}.ew"} in %root : (!transform.any_op) -> !transform.any_op
  %{0}_fill = transform.structured.match attributes {{{1} = "{0}.fill"} in %root : (!transform.any_op) -> !transform.any_op
  %{0}_t, {4} = transform.structured.tile_using_for %{0}_ew tile_sizes [1, 1, {2}, {3}]{5} : (!transform.any_op) -> (!transform.any_op, !transform.any_op, !transform.any_op, !transform.any_op, !transform.any_op)
  %{0}_mmf, %{0}_f1 = transform.mlc.fuse_into_loop %{0}_op into %{0}_{6} : (!transform.any_op, !transform.any_op) -> (!transform.any_op, !transform.any_op)
  %{0}_fillf, %{0}_f2 = transform.mlc.fuse_into_loop %{0}_fill into %{0}_f1 : (!transform.any_op, !transform.any_op) -> (!transform.any_op, !transform.any_op)
)",
          p, kTagAttr, tm, tn, handles, interchange4, innermost);
    } else if (filter) {
      // A kernel gradient sums over the whole batch for every tile: the
      // batch runs in blocks that stay in the L2 cache while every tile
      // takes its share (the tiles load and store their accumulators once
      // per block). Loops: the outermost tile loop (which threads split),
      // the batch blocks, the other tile loops.
      int64_t convLoop[] = {0, 1, int64_t(rowLoop), 6};
      SmallVector<int64_t> outer(7, 0), inner(7, 0), block(7, 0);
      outer[convLoop[order[0]]] = sizes[convLoop[order[0]]];
      for (int64_t k = 1; k < 4; ++k)
        inner[convLoop[order[k]]] = sizes[convLoop[order[k]]];
      auto in0 = llvm::cast<RankedTensorType>(op.getDpsInputs()[0].getType());
      auto in1 = llvm::cast<RankedTensorType>(op.getDpsInputs()[1].getType());
      // Bytes of one sample's input and result gradient (their height,
      // width and channels are static).
      int64_t perSample =
          4 * (in0.getDimSize(1) * in0.getDimSize(2) * in0.getDimSize(3) +
               in1.getDimSize(1) * in1.getDimSize(2) * in1.getDimSize(3));
      block[2] = std::clamp<int64_t>(
          (256 << 10) / std::max<int64_t>(perSample, 1), 1, 64);
      std::string rest;
      for (int64_t k = 1; k < 4; ++k)
        rest += (rest.empty() ? "%" : ", %") + p + "_" + loopNames[order[k]];
      if (epilogue) {
        // The optimizer update in the outer tile loop, after the batch
        // blocks: each outer tile's slice of the kernel is updated in place
        // as soon as the whole batch has been summed into it (the
        // gradient and its zero fill fused into the update's tiles).
        SmallVector<int64_t> ewSizes(4, 0);
        ewSizes[order[0]] = sizes[convLoop[order[0]]];
        os << llvm::formatv(
            R"(  %{0}_ew = transform.structured.match attributes {{{3} = "{0}.ew"} in %root : (!transform.any_op) -> !transform.any_op
  %{0}_fill = transform.structured.match attributes {{{3} = "{0}.fill"} in %root : (!transform.any_op) -> !transform.any_op
  %{0}_ewt, %{0}_{1} = transform.structured.tile_using_for %{0}_ew tile_sizes [{2}] : (!transform.any_op) -> (!transform.any_op, !transform.any_op)
  %{0}_t1, %{0}_f1 = transform.mlc.fuse_into_loop %{0}_op into %{0}_{1} : (!transform.any_op, !transform.any_op) -> (!transform.any_op, !transform.any_op)
  %{0}_fillf, %{0}_f2 = transform.mlc.fuse_into_loop %{0}_fill into %{0}_f1 : (!transform.any_op, !transform.any_op) -> (!transform.any_op, !transform.any_op)
)",
            p, loopNames[order[0]], list(ewSizes), kTagAttr);
      } else {
        os << llvm::formatv(
            R"(  %{0}_t1, %{0}_{1} = transform.structured.tile_using_for %{0}_op tile_sizes [{2}] : (!transform.any_op) -> (!transform.any_op, !transform.any_op)
)",
            p, loopNames[order[0]], list(outer));
      }
      os << llvm::formatv(
          R"(  %{0}_t2, %{0}_ln = transform.structured.tile_using_for %{0}_t1 tile_sizes [{1}] : (!transform.any_op) -> (!transform.any_op, !transform.any_op)
  %{0}_t, {2} = transform.structured.tile_using_for %{0}_t2 tile_sizes [{3}] : (!transform.any_op) -> (!transform.any_op, !transform.any_op, !transform.any_op, !transform.any_op)
)",
          p, list(block), rest, list(inner));
    } else {
      os << llvm::formatv(
          R"(  %{0}_t, {2} = transform.structured.tile_using_for %{0}_op tile_sizes [{1}]{3} : (!transform.any_op) -> (!transform.any_op, !transform.any_op, !transform.any_op, !transform.any_op, !transform.any_op)
)",
          p, list(sizes), handles, interchange7);
      if (fill)
        os << llvm::formatv(
            R"(  %{0}_fill = transform.structured.match attributes {{{1} = "{0}.fill"} in %root : (!transform.any_op) -> !transform.any_op
  %{0}_fillf, %{0}_f2 = transform.mlc.fuse_into_loop %{0}_fill into %{0}_{2} : (!transform.any_op, !transform.any_op) -> (!transform.any_op, !transform.any_op)
)",
            p, kTagAttr, innermost);
    }
    // Peeling and the reduction loops' tiles go in stages (endGroups),
    // one canonicalization of the whole function after each for every
    // convolution, not two per convolution.
    anyGroup = true;
    bool partialRows = rows % tm != 0, restCols = cols > tn && cols % tn != 0;
    bool hasEpilogue = epilogue != nullptr, hasFill = fill != nullptr;
    bool colsInner = llvm::find(order, 3) - order.begin() >
                     llvm::find(order, 2) - order.begin();
    peels.push_back([=] {
      peelPartialTiles(p, colsInner, partialRows, restCols, hasEpilogue);
    });
    rowTiles.push_back([=] {
      for (const char *kind : {"", "c", "r", "rc"}) {
        std::string k = kind;
        bool partialColsHere = k.find('c') != std::string::npos,
             partialRowsHere = k.find('r') != std::string::npos;
        if ((partialColsHere && !restCols) || (partialRowsHere && !partialRows))
          continue;
        os << llvm::formatv(
            R"(  %{0}_{1}k = transform.structured.match attributes {{{2} = "{0}.{1}mm"} in %root : (!transform.any_op) -> !transform.any_op
  %{0}_{1}kt, %{0}_{1}k0, %{0}_{1}k1, %{0}_{1}k2 = transform.structured.tile_using_for %{0}_{1}k tile_sizes [{3}] : (!transform.any_op) -> (!transform.any_op, !transform.any_op, !transform.any_op, !transform.any_op)
)",
            p, kind, kTagAttr, list(reductions));
        if (!hasFill || filter)
          continue;
        int64_t vm = partialRowsHere ? rows % tm : tm,
                vn = partialColsHere ? cols % tn : tn;
        SmallVector<const char *, 2> fused = {"fill"};
        if (hasEpilogue)
          fused.push_back("ew");
        deferred.push_back([=] {
          for (const char *what : fused)
            os << llvm::formatv(
                R"(  %{0}_{1}v{2} = transform.structured.match attributes {{{3} = "{0}.{1}{2}"} in %root : (!transform.any_op) -> !transform.any_op
  transform.structured.vectorize %{0}_{1}v{2} vector_sizes [1, 1, {4}, {5}] : !transform.any_op
)",
                p, k, what, kTagAttr, vm, vn);
        });
      }
    });
    if (!anyConv)
      deferred.push_back([this] {
        os << llvm::formatv(
            R"(  %convmm = transform.structured.match attributes {{{0} = "{1}"} in %root : (!transform.any_op) -> !transform.any_op
  transform.structured.vectorize %convmm : !transform.any_op
)",
            kTagAttr, kConvTileTag);
      });
    anyConv = true;
  }
  bool anyConv = false;

  /// Peels the partial last row tile and the narrower last column tile of
  /// group or convolution `p`. Peeling consumes the peeled loop's handle
  /// and every handle nested in it: the inner loop goes first.
  void peelPartialTiles(const std::string &p, bool colsInner, bool partialRows,
                        bool restCols, bool epilogue) {
    if (colsInner) {
      if (restCols)
        peel(p, "lj", "c", epilogue, {""});
      if (partialRows)
        peel(p, "li", "r", epilogue, {"", "c"});
    } else {
      if (partialRows)
        peel(p, "li", "r", epilogue, {""});
      if (restCols)
        peel(p, "lj", "c", epilogue, {"", "r"});
    }
  }

  /// Peels the last iteration of the tile loop %<p>_<loop> (full tiles
  /// first, then the partial last one) and renames the tags in the peeled
  /// part: "<p>.<from>mm" -> "<p>.<to>mm" (and fill, ew) for each `from`
  /// in `prefixes`, where `to` adds `kind` so that rows come first ("c" and
  /// "r" make "rc" whichever loop is peeled first).
  void peel(const std::string &p, const std::string &loop,
            const std::string &kind, bool epilogue,
            std::initializer_list<const char *> prefixes) {
    std::string h = p + "_" + loop + "p";
    os << llvm::formatv(
        R"(  %{0}c = transform.cast %{1}_{2} : !transform.any_op to !transform.op<"scf.for">
  %{0}_main, %{0}_rest = transform.loop.peel %{0}c : (!transform.op<"scf.for">) -> (!transform.any_op, !transform.any_op)
)",
        h, p, loop);
    for (const char *prefix : prefixes) {
      std::string from = p + "." + prefix;
      std::string to = p + "." + (kind == "r" ? kind + prefix : prefix + kind);
      for (const char *op : {"mm", "fill", "ew"})
        if (epilogue || std::string(op) != "ew")
          retag("%" + h + "_rest", from + op, to + op);
    }
  }

  /// Tiles the ops tagged "<p>.<kind>{mm,fill,ew}" (a peeled partial row
  /// tile) one row at a time, or with `pairs` two rows at a time and the
  /// odd last row alone, and vectorizes them `width` columns wide. One row's
  /// tile of 2 vectors was 2 chains of dependent FMAs, a quarter of the FMA
  /// throughput (the seed's 2 left-over rows of its first layer: 6 % of its
  /// step at batch 32); a pair has 4. Each output is still the same chain
  /// of FMAs over k in the same order, whichever tile computes it.
  void rowByRow(const std::string &p, const std::string &kind, bool epilogue,
                int64_t width, bool bf16, bool pairs) {
    std::string r = p + "_" + kind, tag = p + "." + kind;
    auto match = [&](const std::string &handle, const std::string &tagName) {
      os << llvm::formatv(
          R"(  %{0}mm = transform.structured.match attributes {{{1} = "{2}mm"} in %root : (!transform.any_op) -> !transform.any_op
  %{0}fill = transform.structured.match attributes {{{1} = "{2}fill"} in %root : (!transform.any_op) -> !transform.any_op
)",
          handle, kTagAttr, tagName);
    };
    match(r, tag);
    tileAndFuse(r, "%root", epilogue, pairs ? 2 : 1, 0, "%" + r + "mm",
                epilogue ? "%" + r + "fill" : "", tag + "ew");
    deferred.push_back([=] {
      reduceAndVectorize(r + "_v", tag + "mm", tag + "ew",
                         epilogue ? tag + "fill" : "", pairs ? 2 : 1, width,
                         bf16);
    });
    if (!pairs)
      return;
    // The odd row: the pair loop's last iteration, peeled, one row.
    std::string h = r + "_lip", one = p + "_" + kind + "1",
                oneTag = p + "." + kind + "1";
    os << llvm::formatv(
        R"(  %{0}c = transform.cast %{1}_li : !transform.any_op to !transform.op<"scf.for">
  %{0}_main, %{0}_rest = transform.loop.peel %{0}c : (!transform.op<"scf.for">) -> (!transform.any_op, !transform.any_op)
)",
        h, r);
    for (const char *op : {"mm", "fill", "ew"})
      if (epilogue || std::string(op) != "ew")
        retag("%" + h + "_rest", tag + op, oneTag + op);
    match(one, oneTag);
    tileAndFuse(one, "%root", epilogue, 1, 0, "%" + one + "mm",
                epilogue ? "%" + one + "fill" : "", oneTag + "ew");
    deferred.push_back([=] {
      reduceAndVectorize(one + "_v", oneTag + "mm", oneTag + "ew",
                         epilogue ? oneTag + "fill" : "", 1, width, bf16);
    });
  }

  /// Ends phase 1 of the function's matmul groups or of its convolutions,
  /// which `group` and `conv` wrote in stages: every tile loop nest, then
  /// every peel, then what follows the peels (a group's partial row tiles
  /// redone row by row, a convolution's reduction loops tiled), with one
  /// canonicalization after each stage. It removes what
  /// fusion leaves behind (the original matmul and fill when the anchor had
  /// several results; the whole fill that fusing it clones for a size
  /// query) and gives the peeled loops their static shapes. One per group
  /// and step instead made the schedule quadratic in the number of
  /// matmuls (each walks the whole function): a 10-layer MLP's schedule
  /// took 0.94-1.30 s, now 0.46-0.64 s.
  void endGroups() {
    if (!anyGroup)
      return;
    // Matmul groups, then convolutions: two rounds in one function.
    std::string n = std::to_string(stagesEnded++);
    canonicalize("gtiles_c" + n);
    for (auto &step : peels)
      step();
    if (!peels.empty())
      canonicalize("gpeels_c" + n);
    for (auto &step : rowTiles)
      step();
    if (!rowTiles.empty())
      canonicalize("growtiles_c" + n);
    peels.clear();
    rowTiles.clear();
    anyGroup = false;
  }
  bool anyGroup = false;
  unsigned stagesEnded = 0;
  std::vector<std::function<void()>> peels, rowTiles;

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

  /// Renames tag `from` to `to` on the ops under the loop handle `where`.
  void retag(const std::string &where, const std::string &from,
             const std::string &to) {
    std::string h = "rt" + std::to_string(retagCount++);
    os << llvm::formatv(
        R"(  %{0} = transform.structured.match attributes {{{1} = "{2}"} in {3} : (!transform.any_op) -> !transform.any_op
  %{0}_p = transform.param.constant "{4}" -> !transform.any_param
  transform.annotate %{0} "{1}" = %{0}_p : !transform.any_op, !transform.any_param
)",
        h, kTagAttr, from, where, to);
  }
  unsigned retagCount = 0;

  /// Tiles the group's anchor (the epilogue tagged `ewTag`, else the
  /// matmul `mm`) into [tm, tn] tiles with loops %<p>_li (and %<p>_lj when
  /// tn != 0), and fuses the matmul (and its fill, unless `fill` is empty)
  /// into the innermost loop.
  void tileAndFuse(const std::string &p, const std::string &where,
                   bool epilogue, int64_t tm, int64_t tn, const std::string &mm,
                   const std::string &fill, const std::string &ewTag,
                   bool columnsOuter = false) {
    bool twoLoops = tn != 0;
    // Loop handles come outermost first.
    std::string loops = !twoLoops ? llvm::formatv("%{0}_li", p).str()
                        : columnsOuter
                            ? llvm::formatv("%{0}_lj, %{0}_li", p).str()
                            : llvm::formatv("%{0}_li, %{0}_lj", p).str();
    std::string interchange = columnsOuter ? " interchange = [1, 0]" : "";
    std::string loopTypes =
        twoLoops ? "!transform.any_op, !transform.any_op" : "!transform.any_op";
    std::string inner =
        twoLoops && !columnsOuter ? "%" + p + "_lj" : "%" + p + "_li";
    if (epilogue) {
      os << llvm::formatv(
          R"(  %{0}_ew = transform.structured.match attributes {{{1} = "{2}"} in {3} : (!transform.any_op) -> !transform.any_op
  %{0}_t, {4} = transform.structured.tile_using_for %{0}_ew tile_sizes [{5}, {6}]{10} : (!transform.any_op) -> (!transform.any_op, {7})
  %{0}_mmf, %{0}_l1 = transform.mlc.fuse_into_loop {8} into {9} : (!transform.any_op, !transform.any_op) -> (!transform.any_op, !transform.any_op)
)",
          p, kTagAttr, ewTag, where, loops, tm, tn, loopTypes, mm, inner,
          interchange);
      if (!fill.empty())
        os << llvm::formatv(
            R"(  %{0}_fillf, %{0}_l2 = transform.mlc.fuse_into_loop {1} into %{0}_l1 : (!transform.any_op, !transform.any_op) -> (!transform.any_op, !transform.any_op)
)",
            p, fill);
    } else {
      // The fill is the tile loop's initial value, not a sliced operand:
      // it stays one pass that zeroes the output, and each tile reads its
      // accumulator once. (transform.mlc.fuse_into_loop can tile such a
      // fill into the loops, as convolutions do; not tried for matmuls.)
      os << llvm::formatv(
          R"(  %{0}_mmf, {1} = transform.structured.tile_using_for {2} tile_sizes [{3}, {4}]{6} : (!transform.any_op) -> (!transform.any_op, {5})
)",
          p, loops, mm, tm, tn, loopTypes, interchange);
    }
  }

  /// Tiles the op tagged `tag` ([tm, tn]) into [1, lanes] pieces,
  /// vectorizes them and unrolls the pieces' loops.
  void piecewise(const std::string &p, const std::string &opName,
                 const std::string &tag, int64_t tm, int64_t tn) {
    os << llvm::formatv(
        R"(  %{0} = transform.structured.match ops{{["{1}"]} attributes {{{2} = "{3}"} in %root : (!transform.any_op) -> !transform.any_op
  %{0}_t, %{0}_lm, %{0}_ln = transform.structured.tile_using_for %{0} tile_sizes [1, {4}] : (!transform.any_op) -> (!transform.any_op, !transform.any_op, !transform.any_op)
  transform.structured.vectorize %{0}_t vector_sizes [1, {4}] : !transform.any_op
)",
        p, opName, kTagAttr, tag, lanes);
    unroll(p + "_ln", tn / lanes);
    unroll(p + "_lm", tm);
  }

  void unroll(const std::string &loop, int64_t factor) {
    if (factor > 1)
      os << llvm::formatv(
          "  transform.loop.unroll %{0} {{factor = {1}} : !transform.any_op\n",
          loop, factor);
  }

  /// Tiles the tagged matmuls' reduction by one and vectorizes them and
  /// their tagged epilogues and fills with [tm, tn] vectors.
  void reduceAndVectorize(const std::string &p, const std::string &mmTag,
                          const std::string &ewTag, const std::string &fillTag,
                          int64_t tm, int64_t tn, bool bf16 = false) {
    // bf16: the reduction runs over pairs of k; each row of the tile and
    // each vector of its columns becomes one contraction of a k pair (a
    // 32-bit broadcast of A against 2 x lanes bf16 of B), which the
    // x86vector patterns in tail() turn into one vdpbf16ps.
    //
    // f32 tiles of 3 vectors: as vector<tm x 3*lanes> LLVM split them into
    // 128-bit pieces and spilled (5x slower than 2 vectors on AVX2).
    // Instead each row and vector of the tile is a contraction of its own,
    // in row order: a row's broadcast meets the 3 vectors of B, so the
    // accumulators, B and one broadcast fill the register file exactly
    // (4 x 3 + 3 + 1 of AVX2's 16; column order kept all 4 broadcasts
    // live and spilled an accumulator).
    if (bf16 || oddVectorCount(tn, lanes)) {
      os << llvm::formatv(
          R"(  %{0}_vmm = transform.structured.match ops{{["{4}"]} attributes {{{1} = "{2}"} in %root : (!transform.any_op) -> !transform.any_op
  %{0}_tk, %{0}_lk = transform.structured.tile_using_for %{0}_vmm tile_sizes [0, 0, 1{5}] : (!transform.any_op) -> (!transform.any_op, !transform.any_op)
  %{0}_tv, %{0}_lm, %{0}_ln = transform.structured.tile_using_for %{0}_tk tile_sizes [1, {3}, 0{5}] : (!transform.any_op) -> (!transform.any_op, !transform.any_op, !transform.any_op)
  transform.structured.vectorize %{0}_tv vector_sizes [1, {3}, 1{6}] : !transform.any_op
)",
          p, kTagAttr, mmTag, lanes, bf16 ? "linalg.generic" : "linalg.matmul",
          bf16 ? ", 0" : "", bf16 ? ", 2" : "");
      unroll(p + "_ln", tn / lanes);
      unroll(p + "_lm", tm);
      // The fill and the epilogue in the same [1, lanes] pieces, so each
      // accumulator passes from one to the next in a register.
      piecewise(p + "_pew", "linalg.generic", ewTag, tm, tn);
      if (!fillTag.empty())
        piecewise(p + "_pfill", "linalg.fill", fillTag, tm, tn);
      return;
    }
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
  /// Tiles a panel copy (loops: panel, k, lane) and vectorizes it: a row of
  /// the panel at a time, or 8 rows when the copy transposes (a vector
  /// transpose of 8 x nr instead of lane-by-lane gathers). Runs on buffers:
  /// on tensors the canonicalizer folds the vector copy back into a
  /// slice copy, which becomes a scalar loop.
  ///
  /// A plain copy goes in blocks of kPackRows rows of the source, each
  /// block panel after panel, so it reads kPackRows rows front to back at
  /// a time instead of one panel's column of rows, each a row apart (4 KiB
  /// for 1024 columns: every read a new page for the prefetcher); the
  /// block loop is the parallel one. Only where K is static and a whole
  /// number of blocks (the weights): over a dynamic K (the batch) LLVM
  /// unrolled the last block's loop of at most 8 rows with an exit after
  /// every row, more code to compile (the seed's dH copy: 21 ms of
  /// instruction selection in llc). A transposed copy reads 8 rows of the
  /// source along k already.
  void vectorizePack(const PackedOperand &pack, const std::string &where) {
    int64_t rows = pack.transposed ? 8 : 1;
    // Panels of 3 vectors are copied a vector at a time (see
    // reduceAndVectorize), and so are transposed panels: an 8 x 16 block
    // was one 128-lane shuffle, whose instruction selection cost LLVM
    // twice that of two 64-lane ones (the seed's W2 copy: 30 -> 16 ms in
    // llc), for the same step time.
    bool pieces =
        oddVectorCount(pack.panel, lanes) ||
        (pack.transposed && pack.panel % lanes == 0 && pack.panel > lanes);
    os << llvm::formatv(
        R"(  %{0} = transform.structured.match attributes {{{1} = "{0}"} in {2} : (!transform.any_op) -> !transform.any_op
)",
        pack.tag, kTagAttr, where);
    std::string tiled = "%" + pack.tag, parallel = "%" + pack.tag + "_l0";
    if (pack.blockRows) {
      os << llvm::formatv(
          R"(  %{0}_b, %{0}_lb = transform.structured.tile_using_for %{0} tile_sizes [0, {1}] : (!transform.any_op) -> (!transform.any_op, !transform.any_op)
)",
          pack.tag, kPackRows);
      tiled += "_b";
      parallel = "%" + pack.tag + "_lb";
    }
    os << llvm::formatv(
        R"(  %{0}_t, %{0}_l0, %{0}_l1{5} = transform.structured.tile_using_for {1} tile_sizes [1, {2}{6}] : (!transform.any_op) -> (!transform.any_op, !transform.any_op, !transform.any_op{7})
  transform.structured.vectorize %{0}_t vector_sizes [1, {2}, {3}] : !transform.any_op
{4}
)",
        pack.tag, tiled, rows, pieces ? lanes : pack.panel,
        parallelPacks
            ? llvm::formatv(
                  R"(  transform.annotate {0} "{1}" : !transform.any_op)",
                  parallel, kParallelAttr)
                  .str()
            : std::string(),
        pieces ? ", %" + pack.tag + "_l2" : "",
        pieces ? ", " + std::to_string(lanes) : "",
        pieces ? ", !transform.any_op" : "");
  }

  /// Vector cleanups, accumulator hoisting, bufferization, vector lowering.
  void tail() {
    for (auto [id, tile] : llvm::enumerate(bf16PackTiles))
      os << llvm::formatv(
          R"(  %bfp{0} = transform.structured.match attributes {{{1}, {2} = "bfpack{0}"} in %root : (!transform.any_op) -> !transform.any_op
  %bfp{0}_t, %bfp{0}_l0, %bfp{0}_l1 = transform.structured.tile_using_for %bfp{0} tile_sizes [{3}, {4}, 0] : (!transform.any_op) -> (!transform.any_op, !transform.any_op, !transform.any_op)
  transform.structured.vectorize %bfp{0}_t vector_sizes [{3}, {4}, 2] : !transform.any_op
)",
          id, kBF16PackAttr, kTagAttr, tile.first, tile.second);
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
    if (anyBF16)
      os << R"(  transform.apply_patterns to %f2 {
    transform.apply_patterns.x86vector.vector_contract_to_packed_type_dot_product
  } : !transform.any_op
)";
  }

  /// Bufferization and vector lowering: a second script, run after
  /// unshareInitTensors (the first script's CSE merges init tensors again).
  void bufferizeAndLower(ArrayRef<PackedOperand> packs,
                         ArrayRef<std::string> rowTags,
                         ArrayRef<WindowOp> windows) {
    os << R"(
  // Results computed straight into the caller's output buffers.
  transform.bufferization.eliminate_empty_tensors %root : !transform.any_op
  %b = transform.bufferization.one_shot_bufferize %root {memcpy_op = "linalg.copy", allow_return_allocs_from_loops = true} : (!transform.any_op) -> !transform.any_op
)";
    for (const PackedOperand &pack : packs)
      vectorizePack(pack, "%b");
    // Large elementwise ops a batch row at a time, the rows marked
    // independent for mlc-parallelize-tiles (after bufferization, which
    // would rebuild the loop without its mark).
    for (const std::string &tag : rowTags) {
      os << llvm::formatv(
          R"(  %{0} = transform.structured.match attributes {{{1} = "{0}"} in %b : (!transform.any_op) -> !transform.any_op
  %{0}_t, %{0}_l = transform.structured.tile_using_for %{0} tile_sizes [1] : (!transform.any_op) -> (!transform.any_op, !transform.any_op)
)",
          tag, kTagAttr);
      if (parallelPacks)
        os << llvm::formatv(
            "  transform.annotate %{0}_l \"{1}\" : !transform.any_op\n", tag,
            kParallelAttr);
    }
    // Ops marked mlc.outer_loops (pooling, dropout masks) an outer
    // iteration at a time, the rest one vector (the loop vectorizer would
    // check the operands' overlap at every entry of a short inner loop, or
    // not vectorize at all); batch rows independent.
    for (const WindowOp &w : windows) {
      std::string outer = "1", vectorSizes;
      for (int64_t k = 1; k < w.outer; ++k)
        outer += ", 1";
      os << llvm::formatv(
          R"(  %{0} = transform.structured.match attributes {{{1} = "{0}"} in %b : (!transform.any_op) -> !transform.any_op
  %{0}_t, %{0}_l = transform.structured.tile_using_for %{0} tile_sizes [1] : (!transform.any_op) -> (!transform.any_op, !transform.any_op)
)",
          w.tag, kTagAttr);
      if (parallelPacks)
        os << llvm::formatv(
            "  transform.annotate %{0}_l \"{1}\" : !transform.any_op\n", w.tag,
            kParallelAttr);
      if (w.rowReduction)
        os << llvm::formatv(
            "  transform.annotate %{0}_l \"{1}\" : !transform.any_op\n", w.tag,
            kRowReductionAttr);
      std::string results = "!transform.any_op";
      SmallVector<std::string> sizes(w.outer, "1");
      sizes[0] = "0";
      for (int64_t k = 1; k < w.outer; ++k)
        results += ", !transform.any_op";
      // Channels tiled too when the vector would not fit the registers.
      for (size_t k = 0; k < w.inner.size(); ++k)
        sizes.push_back(k + 1 == w.inner.size() && w.channelTile != w.inner[k]
                            ? std::to_string(w.channelTile)
                            : "0");
      bool channelLoop = w.channelTile != w.inner.back();
      if (channelLoop)
        results += ", !transform.any_op";
      os << llvm::formatv(
          R"(  %{0}_v:{1} = transform.structured.tile_using_for %{0}_t tile_sizes [{2}] : (!transform.any_op) -> ({3})
  transform.structured.vectorize %{0}_v#0 : !transform.any_op
)",
          w.tag, w.outer + (channelLoop ? 1 : 0), llvm::join(sizes, ", "),
          results);
    }
    os << R"(
  %bf = transform.structured.match ops{["func.func"]} in %b : (!transform.any_op) -> !transform.any_op
  transform.apply_patterns to %bf { transform.apply_patterns.canonicalization } : !transform.any_op
  transform.apply_cse to %bf : !transform.any_op
  transform.structured.hoist_redundant_vector_transfers %bf : (!transform.any_op) -> !transform.any_op
)";
  }

  /// Vector lowering: a third script, after flattening the transfers of
  /// bf16 tiles (a 16 x 2 block of a row is one 32-element load).
  void lowerVectors() {
    // A row statistic reduces its row's vector to a scalar: as one
    // vector.reduction (a shuffle tree in LLVM) rather than the default
    // strategy's chain of one-lane steps over the row (right for the
    // column sums of bias gradients, which reduce across vectors).
    os << llvm::formatv(R"(
  %rowred = transform.structured.match attributes {{{0}} in %root : (!transform.any_op) -> !transform.any_op
  transform.apply_patterns to %rowred {{
    transform.apply_patterns.vector.lower_multi_reduction lowering_strategy = "innerreduction"
  } : !transform.any_op
)",
                        kRowReductionAttr);
    os << R"(
  %bf2 = transform.structured.match ops{["func.func"]} in %root : (!transform.any_op) -> !transform.any_op
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

/// Packs matmul operands that register tiles read with a stride into
/// contiguous panels.
///
/// A register tile reads B[k, j0 : j0 + nr] for every k. In B's own layout
/// those rows lie a whole row of B apart: with rows of 4 KiB every one maps
/// to the same cache set, so a tile's K rows evict each other and come from
/// L3 for every row tile; a transposed B (dX = dY * W^T reads W[j, k]) is
/// worse, each vector being gathered lane by lane. Packing copies B once
/// per call into Bp[N / nr][K][nr], where each tile's operand is one
/// contiguous K x nr panel. The copy costs K x N moves against the
/// matmul's M x N x K FMAs. A transposed A (dW = X^T * dY reads X[k, i0 :
/// i0 + mr]) has the same problem and gets panels Ap[M / mr][K][mr].
///
/// Runs between tiling and vectorization: the tiled matmuls read their
/// operands through extract_slices of [K, width] (or [nr, K] for B^T),
/// which become slices of the panel tensor. K is never tiled at that
/// point, so a slice spans all of K.
SmallVector<PackedOperand>
packMatmulOperands(func::FuncOp func, int64_t lanes, StringRef tagPrefix,
                   bool packLhs, const llvm::StringMap<int64_t> &panelWidths) {
  MLIRContext *ctx = func.getContext();
  AffineExpr d0, d1, d2;
  bindDims(ctx, d0, d1, d2);
  MatmulMaps layouts(ctx);
  AffineMap plainB = layouts.plainB, transposedB = layouts.transposedB,
            transposedA = layouts.transposedA;

  struct Candidate {
    linalg::MatmulOp mm;
    unsigned operand;
    tensor::ExtractSliceOp slice;
    bool transposeCopy; // B^T: the source is [N, K]; else [K, width]
    int64_t panel;
  };
  SmallVector<Candidate> candidates;
  func.walk([&](linalg::MatmulOp mm) {
    if (!mm->hasAttr(kTagAttr) || !mm.hasPureTensorSemantics())
      return;
    SmallVector<AffineMap> maps = mm.getIndexingMapsArray();
    for (unsigned operand : {0u, 1u}) {
      if (operand == 0 && !packLhs)
        continue;
      auto slice =
          mm.getDpsInputs()[operand].getDefiningOp<tensor::ExtractSliceOp>();
      if (!slice || slice.getSourceType().getRank() != 2 ||
          slice.getResultType().getRank() != 2 || !slice.hasUnitStride())
        continue;
      bool transposeCopy = operand == 1 && maps[1] == transposedB;
      if (!transposeCopy && !(operand == 1 && maps[1] == plainB) &&
          !(operand == 0 && maps[0] == transposedA))
        continue;
      // B's panels are the tile's full width (2 vectors unless the tile
      // table says otherwise); A's, the rows of a full row tile (the
      // peeled remainder's 1-row tiles read A in place).
      int64_t wideDim = transposeCopy ? 0 : 1;
      int64_t width = 2 * lanes;
      StringRef group =
          mm->getAttrOfType<StringAttr>(kTagAttr).getValue().split('.').first;
      if (auto it = panelWidths.find(group); it != panelWidths.end())
        width = it->second;
      int64_t panel =
          operand == 1 ? width : slice.getResultType().getDimSize(wideDim);
      RankedTensorType source = slice.getSourceType();
      if (panel <= 1 || ShapedType::isDynamic(panel) ||
          source.isDynamicDim(wideDim) || source.getDimSize(wideDim) < panel ||
          // With a peeled last tile only B^T is packed (its tiles would
          // gather lane by lane: 60% -> 90% of peak); plain operands read
          // in place ran as fast as from panels there, without the copy.
          (source.getDimSize(wideDim) % panel != 0 && !transposeCopy) ||
          slice.getStaticSizes()[wideDim] != panel)
        continue;
      std::optional<int64_t> kOffset =
          getConstantIntValue(slice.getMixedOffsets()[1 - wideDim]);
      if (!kOffset || *kOffset != 0)
        continue;
      candidates.push_back({mm, operand, slice, transposeCopy, panel});
    }
  });

  SmallVector<PackedOperand> packs;
  // (source, transposed, panel) -> panels: a weight is read both ways by
  // the forward and backward matmuls.
  std::map<std::tuple<void *, bool, int64_t>, Value> packed;
  IRRewriter rewriter(ctx);
  for (Candidate &c : candidates) {
    Value source = c.slice.getSource();
    RankedTensorType type = c.slice.getSourceType();
    Location loc = c.mm.getLoc();
    int64_t panel = c.panel;
    int64_t wideDim = c.transposeCopy ? 0 : 1, kDim = 1 - wideDim;
    // Whole panels only: the tiles of a peeled last column (or row) tile
    // read the source in place.
    int64_t n = type.getDimSize(wideDim) / panel * panel;
    Value &panels =
        packed[{source.getAsOpaquePointer(), c.transposeCopy, panel}];
    if (!panels) {
      if (Operation *def = source.getDefiningOp())
        rewriter.setInsertionPointAfter(def);
      else
        rewriter.setInsertionPointToStart(source.getParentBlock());
      OpFoldResult k = tensor::getMixedSize(rewriter, loc, source, kDim);
      Value whole = source;
      if (n != type.getDimSize(wideDim)) {
        SmallVector<OpFoldResult> sizes = {k, k};
        sizes[wideDim] = rewriter.getIndexAttr(n);
        SmallVector<OpFoldResult> zeros(2, rewriter.getIndexAttr(0)),
            ones(2, rewriter.getIndexAttr(1));
        whole = tensor::ExtractSliceOp::create(rewriter, loc, source, zeros,
                                               sizes, ones);
      }
      // [K, N] -> [K, N/nr, nr], or [N, K] -> [N/nr, nr, K].
      SmallVector<int64_t> expandedShape;
      SmallVector<ReassociationIndices> reassociation;
      SmallVector<OpFoldResult> expandedSizes;
      if (c.transposeCopy) {
        expandedShape = {n / panel, panel, type.getDimSize(1)};
        reassociation = {{0, 1}, {2}};
        expandedSizes = {rewriter.getIndexAttr(n / panel),
                         rewriter.getIndexAttr(panel), k};
      } else {
        expandedShape = {type.getDimSize(0), n / panel, panel};
        reassociation = {{0}, {1, 2}};
        expandedSizes = {k, rewriter.getIndexAttr(n / panel),
                         rewriter.getIndexAttr(panel)};
      }
      Value expanded = tensor::ExpandShapeOp::create(
          rewriter, loc,
          RankedTensorType::get(expandedShape, type.getElementType()), whole,
          reassociation, expandedSizes);
      Value empty = tensor::EmptyOp::create(
          rewriter, loc,
          SmallVector<OpFoldResult>{rewriter.getIndexAttr(n / panel), k,
                                    rewriter.getIndexAttr(panel)},
          type.getElementType());
      // Loops (panel, k, lane).
      AffineMap in = c.transposeCopy ? AffineMap::get(3, 0, {d0, d2, d1}, ctx)
                                     : AffineMap::get(3, 0, {d1, d0, d2}, ctx);
      AffineMap out = AffineMap::getMultiDimIdentityMap(3, ctx);
      auto copy = linalg::GenericOp::create(
          rewriter, loc, empty.getType(), ValueRange{expanded},
          ValueRange{empty}, ArrayRef<AffineMap>{in, out},
          SmallVector<utils::IteratorType>(3, utils::IteratorType::parallel),
          [](OpBuilder &b, Location l, ValueRange args) {
            linalg::YieldOp::create(b, l, args[0]);
          });
      std::string tag = tagPrefix.str() + std::to_string(packs.size());
      copy->setAttr(kTagAttr, rewriter.getStringAttr(tag));
      int64_t kSize = type.getDimSize(kDim);
      packs.push_back({tag, c.transposeCopy, panel,
                       !c.transposeCopy && !ShapedType::isDynamic(kSize) &&
                           kSize % kPackRows == 0});
      panels = copy->getResult(0);
    }
    // The tile's slice X[0:K, x0:x0+w] (or B^T's [x0:x0+w, 0:K]) is panel
    // x0 / w, a [K, w] tensor either way.
    rewriter.setInsertionPoint(c.slice);
    OpFoldResult x0 = c.slice.getMixedOffsets()[wideDim];
    OpFoldResult index = affine::makeComposedFoldedAffineApply(
        rewriter, loc, d0.floorDiv(panel), {x0});
    OpFoldResult one = rewriter.getIndexAttr(1),
                 zero = rewriter.getIndexAttr(0);
    auto tileType =
        RankedTensorType::get({c.slice.getResultType().getDimSize(kDim), panel},
                              type.getElementType());
    Value tile = tensor::ExtractSliceOp::create(
        rewriter, loc, tileType, panels,
        SmallVector<OpFoldResult>{index, zero, zero},
        SmallVector<OpFoldResult>{one, c.slice.getMixedSizes()[kDim],
                                  rewriter.getIndexAttr(panel)},
        SmallVector<OpFoldResult>{one, one, one});
    rewriter.modifyOpInPlace(c.mm, [&] {
      c.mm.getDpsInputOperand(c.operand)->set(tile);
      if (c.transposeCopy) {
        SmallVector<AffineMap> maps = c.mm.getIndexingMapsArray();
        maps[1] = plainB;
        SmallVector<Attribute> attrs;
        for (AffineMap m : maps)
          attrs.push_back(AffineMapAttr::get(m));
        c.mm.setIndexingMapsAttr(rewriter.getArrayAttr(attrs));
      }
    });
    if (c.slice->use_empty())
      rewriter.eraseOp(c.slice);
  }
  return packs;
}

/// The coefficient of loop `dim` in `expr`, a sum of loops times
/// constants.
int64_t coefficientOf(AffineExpr expr, unsigned dim, unsigned numDims) {
  MLIRContext *ctx = expr.getContext();
  SmallVector<AffineExpr> at0(numDims, getAffineConstantExpr(0, ctx));
  SmallVector<AffineExpr> at1 = at0;
  at1[dim] = getAffineConstantExpr(1, ctx);
  auto value = [&](ArrayRef<AffineExpr> point) {
    return llvm::cast<AffineConstantExpr>(
               simplifyAffineExpr(expr.replaceDims(point), numDims, 0))
        .getValue();
  };
  return value(at1) - value(at0);
}

/// Rewrites each register tile of a convolution (a generic marked
/// mlc.conv after ConvWriter's tiling: every loop of size 1 but the tile's
/// rows and columns) into a linalg.matmul of rank-reduced slices, which
/// vectorizes into the dense layers' register tiles: for "nhwc",
/// [rows x 1] (the input's rows, `stride` apart) times [1 x cols] of the
/// kernel; for "filter", [1 x rows]^T of the input times [1 x cols] of the
/// result gradient.
void convTilesToMatmuls(func::FuncOp func) {
  SmallVector<linalg::GenericOp> tiles;
  func.walk([&](linalg::GenericOp op) {
    if (op->hasAttr(kConvAttr) && op->hasAttr(kTagAttr))
      tiles.push_back(op);
  });
  IRRewriter rewriter(func.getContext());
  MLIRContext *ctx = func.getContext();
  for (linalg::GenericOp op : tiles) {
    bool filter =
        op->getAttrOfType<StringAttr>(kConvAttr).getValue() == "filter";
    unsigned rowLoop = filter ? 5 : 2;
    SmallVector<int64_t> ranges = op.getStaticLoopRanges();
    // A window tile of a one-channel kernel gradient (whole rows of the
    // window: its column loop is tiled whole, which no other tile does).
    bool window = filter && !ShapedType::isDynamic(ranges[0]) &&
                  !ShapedType::isDynamic(ranges[1]) && ranges[1] > 1 &&
                  ranges[5] == 1;
    bool unitElsewhere = true;
    for (auto [d, r] : llvm::enumerate(ranges))
      if (d != rowLoop && d != 6 && r != 1 && !(window && d < 2))
        unitElsewhere = false;
    if (!unitElsewhere || ShapedType::isDynamic(ranges[rowLoop]) ||
        ShapedType::isDynamic(ranges[6]) || !op.hasPureTensorSemantics())
      continue;
    int64_t tm = ranges[rowLoop], tn = ranges[6];
    Location loc = op.getLoc();
    rewriter.setInsertionPoint(op);
    Type elt = getElementTypeOrSelf(op->getResult(0).getType());
    auto idx = [&](int64_t v) -> OpFoldResult {
      return rewriter.getIndexAttr(v);
    };
    // Slices keep only their non-unit dims, then expand to the shape
    // wanted: a rank-reducing slice that keeps a unit dim is ambiguous, and
    // upstream's memref folds crash on some of those (found by
    // mlc-difftest). Each unit dim of `shape` joins the group of the kept
    // dim before it (leading ones the first group).
    auto reassociation = [](ArrayRef<int64_t> shape) {
      SmallVector<ReassociationIndices> groups;
      ReassociationIndices leading;
      for (auto [d, size] : llvm::enumerate(shape)) {
        if (size != 1) {
          groups.push_back(groups.empty() ? leading : ReassociationIndices());
          groups.back().push_back(d);
        } else if (groups.empty()) {
          leading.push_back(d);
        } else {
          groups.back().push_back(d);
        }
      }
      return groups;
    };
    auto keptShape = [](ArrayRef<int64_t> sizes) {
      SmallVector<int64_t> kept;
      for (int64_t d : sizes)
        if (d != 1)
          kept.push_back(d);
      return kept;
    };
    auto slice = [&](Value source, ArrayRef<int64_t> sizes,
                     ArrayRef<int64_t> strides,
                     ArrayRef<int64_t> shape) -> Value {
      SmallVector<int64_t> kept = keptShape(sizes);
      SmallVector<OpFoldResult> sizeList, strideList;
      for (auto [size, stride] : llvm::zip_equal(sizes, strides)) {
        sizeList.push_back(idx(size));
        strideList.push_back(idx(stride));
      }
      Value part = tensor::ExtractSliceOp::create(
          rewriter, loc, RankedTensorType::get(kept, elt), source,
          SmallVector<OpFoldResult>(4, idx(0)), sizeList, strideList);
      if (kept.size() == shape.size())
        return part;
      return tensor::ExpandShapeOp::create(rewriter, loc,
                                           RankedTensorType::get(shape, elt),
                                           part, reassociation(shape));
    };
    Value in0 = op.getDpsInputs()[0], in1 = op.getDpsInputs()[1];
    Value out = op.getDpsInits()[0];
    if (window) {
      // out[a, b, 0, o] += x[a, b, 0] * g[o] on the [kh, kw, 1, tn] tile
      // (kh whole window rows): one generic whose vector reads and writes of
      // the accumulator match (no reshape between), so they leave the batch
      // loops, with x's elements broadcast along the output channels.
      int64_t kh = ranges[0], kw = ranges[1];
      auto coefficient = [&](unsigned result, unsigned loop) {
        return coefficientOf(op.getIndexingMapsArray()[0].getResult(result),
                             loop, 7);
      };
      Value x =
          slice(in0, {1, kh, kw, 1},
                {1, coefficient(1, 0), coefficient(2, 1), 1}, {kh, kw, 1});
      Value g = slice(in1, {1, 1, 1, tn}, {1, 1, 1, 1}, {tn});
      AffineExpr a, b, c, o;
      bindDims(ctx, a, b, c, o);
      auto tile = linalg::GenericOp::create(
          rewriter, loc, TypeRange{out.getType()}, ValueRange{x, g},
          ValueRange{out},
          SmallVector<AffineMap>{AffineMap::get(4, 0, {a, b, c}, ctx),
                                 AffineMap::get(4, 0, {o}, ctx),
                                 AffineMap::getMultiDimIdentityMap(4, ctx)},
          SmallVector<utils::IteratorType>(4, utils::IteratorType::parallel),
          [](OpBuilder &nb, Location nl, ValueRange v) {
            linalg::YieldOp::create(
                nb, nl,
                ValueRange{math::FmaOp::create(nb, nl, v[0], v[1], v[2])});
          });
      tile->setAttr(kTagAttr, rewriter.getStringAttr(kConvTileTag));
      rewriter.replaceOp(op, tile.getResult(0));
      continue;
    }
    int64_t tileSizes[] = {1, 1, tm, tn}, unitStrides[] = {1, 1, 1, 1};
    Value acc = slice(out, tileSizes, unitStrides, {tm, tn});
    Value b = slice(in1, {1, 1, 1, tn}, unitStrides, {1, tn});
    linalg::MatmulOp mm;
    if (!filter) {
      // Rows of the output tile read the input `stride` columns apart.
      int64_t stride =
          coefficientOf(op.getIndexingMapsArray()[0].getResult(2), rowLoop, 7);
      Value a = slice(in0, {1, 1, tm, 1}, {1, 1, stride, 1}, {tm, 1});
      mm = linalg::MatmulOp::create(rewriter, loc, TypeRange{acc.getType()},
                                    ValueRange{a, b}, ValueRange{acc});
    } else {
      Value at = slice(in0, {1, 1, 1, tm}, unitStrides, {1, tm});
      MatmulMaps layouts(ctx);
      SmallVector<AffineMap> maps = {
          layouts.transposedA, layouts.plainB,
          AffineMap::getMultiDimIdentityMap(3, ctx).getMajorSubMap(2)};
      mm = linalg::MatmulOp::create(
          rewriter, loc, TypeRange{acc.getType()}, ValueRange{at, b},
          ValueRange{acc},
          ArrayRef<NamedAttribute>{rewriter.getNamedAttr(
              "indexing_maps", rewriter.getAffineMapArrayAttr(maps))});
    }
    mm->setAttr(kTagAttr, rewriter.getStringAttr(kConvTileTag));
    Value tile = mm.getResult(0);
    SmallVector<int64_t> kept = keptShape(tileSizes);
    if (kept.size() != 2)
      tile = tensor::CollapseShapeOp::create(rewriter, loc,
                                             RankedTensorType::get(kept, elt),
                                             tile, reassociation({tm, tn}));
    Value result = tensor::InsertSliceOp::create(
        rewriter, loc, tile, out, SmallVector<OpFoldResult>(4, idx(0)),
        SmallVector<OpFoldResult>{idx(1), idx(1), idx(tm), idx(tn)},
        SmallVector<OpFoldResult>(4, idx(1)));
    rewriter.replaceOp(op, result);
  }
}

/// Whether threads should split `op` by rows of its batch: an untagged
/// all-parallel generic whose outermost loop is dynamic (the batch) with at
/// least 2048 elements per row, such as a convolution layer's activation,
/// pooling and their gradients. Smaller ones (a dense layer's) stay serial:
/// a parallel region costs more than they do.
bool splitsByBatchRows(linalg::GenericOp op) {
  if (op->hasAttr(kTagAttr) || op->hasAttr(kConvAttr) ||
      op.getNumParallelLoops() != op.getNumLoops() || op.getNumLoops() < 2)
    return false;
  SmallVector<int64_t> ranges = op.getStaticLoopRanges();
  if (!ShapedType::isDynamic(ranges[0]))
    return false;
  // Each row writes its own part of every output.
  for (OpOperand &init : op.getDpsInitsMutable()) {
    AffineMap map = op.getMatchingIndexingMap(&init);
    if (map.getNumResults() == 0 ||
        map.getResult(0) != getAffineDimExpr(0, op.getContext()))
      return false;
  }
  int64_t perRow = 1;
  for (int64_t r : ArrayRef<int64_t>(ranges).drop_front()) {
    if (ShapedType::isDynamic(r))
      return false;
    perRow *= r;
  }
  return perRow >= 2048;
}

/// The number of leading parallel loops of `op` when it reduces over its
/// trailing loops only, whose sizes are static, and computes with scalar
/// arithmetic: a row statistic (a softmax's maximum and sum, a layer
/// norm's mean and variance, a loss's log-sum-exp). Such an op runs a row
/// at a time, the row as vectors: LLVM does not vectorize a float sum it
/// may not reorder, and row by row it stays scalar. 0 for other ops.
int64_t rowReductionLoops(linalg::GenericOp op) {
  if (op->hasAttr(kTagAttr) || op->hasAttr(kConvAttr) ||
      op->hasAttr(kOuterLoopsAttr))
    return 0;
  SmallVector<utils::IteratorType> iterators = op.getIteratorTypesArray();
  int64_t n = iterators.size(), p = 0;
  while (p < n && iterators[p] == utils::IteratorType::parallel)
    ++p;
  if (p == 0 || p == n)
    return 0;
  SmallVector<int64_t> ranges = op.getStaticLoopRanges();
  for (int64_t k = p; k < n; ++k)
    if (iterators[k] != utils::IteratorType::reduction ||
        ShapedType::isDynamic(ranges[k]))
      return 0;
  // Each row writes its own outputs (the rows may run on any thread).
  AffineMap rows =
      AffineMap::getMultiDimIdentityMap(n, op.getContext()).getMajorSubMap(p);
  for (OpOperand &init : op.getDpsInitsMutable())
    if (op.getMatchingIndexingMap(&init) != rows)
      return 0;
  for (Operation &inner : op.getBody()->without_terminator())
    if (!llvm::isa<arith::ArithDialect, math::MathDialect>(
            inner.getDialect()) &&
        !llvm::isa<linalg::IndexOp>(inner))
      return 0;
  return p;
}

/// Moves each matmul group (its init tensors, fill, matmul and epilogue)
/// into a private function called where the group's last op was, the
/// values it uses as arguments (constants copied in); groups that are the
/// same ops on the same types call one function. Returns the functions.
/// A group's schedule depends only on its own ops and types, so each
/// distinct group is tiled and vectorized once (share-groups).
SmallVector<func::FuncOp> outlineGroups(ModuleOp module) {
  SymbolTable symbols(module);
  SmallVector<func::FuncOp> funcs;
  for (auto f : module.getOps<func::FuncOp>())
    if (!f.isExternal())
      funcs.push_back(f);
  SmallVector<func::FuncOp> outlined;
  mlc::FunctionSet distinct;
  for (func::FuncOp f : funcs) {
    // Matmuls that read one operand the same way (say X^T of the Q, K
    // and V weight gradients) share its packed panels within their
    // function: they stay there.
    std::map<std::tuple<const void *, unsigned, const void *>,
             SmallVector<Operation *>>
        readers;
    f.walk([&](linalg::MatmulOp mm) {
      SmallVector<AffineMap> maps = mm.getIndexingMapsArray();
      for (unsigned i : {0u, 1u})
        readers[{mm->getOperand(i).getAsOpaquePointer(), i,
                 maps[i].getAsOpaquePointer()}]
            .push_back(mm);
    });
    llvm::SmallPtrSet<Operation *, 8> sharesOperand;
    for (auto &entry : readers)
      if (entry.second.size() > 1)
        sharesOperand.insert(entry.second.begin(), entry.second.end());
    unsigned count = 0;
    Operation *after = f;
    Block *block = &f.getBody().front();
    for (const MatmulGroup &g : findGroups(f)) {
      if (sharesOperand.contains(g.matmul))
        continue;
      // The group's ops in a fixed order (each op after the init tensors
      // only it uses), so that the same layers compare equal wherever
      // their ops sit in the function.
      SmallVector<Operation *> ops;
      auto add = [&](Operation *op) {
        for (Value init :
             llvm::cast<DestinationStyleOpInterface>(op).getDpsInits())
          if (auto empty = init.getDefiningOp<tensor::EmptyOp>())
            if (empty->hasOneUse() && empty->getBlock() == block)
              ops.push_back(empty);
        ops.push_back(op);
      };
      add(g.fill);
      add(g.matmul);
      if (g.epilogue)
        add(g.epilogue);
      // Groups of the function's own body only: in a loop (over time
      // steps), a group reads slices of the loop's tensors, which its
      // schedule folds into its tiles' accesses when it sees them.
      if (llvm::any_of(ops,
                       [&](Operation *op) { return op->getBlock() != block; }))
        continue;
      Operation *last = ops.back();
      llvm::SmallPtrSet<Operation *, 8> inside(ops.begin(), ops.end());
      // The group's result: the last op's, used only after it.
      bool escapes = llvm::any_of(ops, [&](Operation *op) {
        return op != last && llvm::any_of(op->getUsers(), [&](Operation *u) {
                 return !inside.contains(u);
               });
      });
      if (escapes)
        continue;
      SmallVector<Value> args;
      func::FuncOp fn = mlc::outlineOps(
          ops, f.getSymName().str() + "_mm" + std::to_string(count++), after,
          symbols, args);
      func::FuncOp callee = distinct.findOrInsert(fn);
      if (callee == fn) {
        outlined.push_back(fn);
        after = fn;
      } else {
        symbols.erase(fn);
      }
      OpBuilder cb(last);
      auto call = func::CallOp::create(cb, last->getLoc(), callee, args);
      last->replaceAllUsesWith(call.getResults());
      for (Operation *op : llvm::reverse(ops))
        op->erase();
    }
  }
  return outlined;
}

/// Copies each call of the functions back in place of the call, and
/// erases the functions.
void inlineGroups(ModuleOp module, ArrayRef<func::FuncOp> outlined) {
  llvm::SmallPtrSet<Operation *, 16> callees;
  for (func::FuncOp f : outlined)
    callees.insert(f);
  SymbolTable symbols(module);
  SmallVector<func::CallOp> calls;
  module.walk([&](func::CallOp call) {
    if (callees.contains(symbols.lookup(call.getCallee())))
      calls.push_back(call);
  });
  for (func::CallOp call : calls) {
    auto callee = symbols.lookup<func::FuncOp>(call.getCallee());
    Block &body = callee.getBody().front();
    IRMapping map;
    map.map(body.getArguments(), call.getOperands());
    OpBuilder b(call);
    for (Operation &op : body.without_terminator())
      b.clone(op, map);
    auto ret = llvm::cast<func::ReturnOp>(body.getTerminator());
    call.replaceAllUsesWith(llvm::map_to_vector(
        ret.getOperands(), [&](Value v) { return map.lookupOrDefault(v); }));
    call.erase();
  }
  for (func::FuncOp f : outlined)
    f.erase();
}

/// Replaces each tensor constant with a read-only view of a module global,
/// what bufferization makes of it, so that functions bufferized in parallel
/// add no symbols to the module.
LogicalResult globalizeTensorConstants(ModuleOp module) {
  SmallVector<arith::ConstantOp> constants;
  module.walk([&](arith::ConstantOp c) {
    if (llvm::isa<RankedTensorType>(c.getType()))
      constants.push_back(c);
  });
  SymbolTableCollection symbols;
  OpBuilder b(module.getContext());
  for (arith::ConstantOp c : constants) {
    // The alignment one_shot_bufferize gives its globals (its default).
    FailureOr<memref::GlobalOp> global = bufferization::getGlobalFor(
        c, symbols, bufferization::BufferizationOptions().bufferAlignment);
    if (failed(global))
      return c.emitError("mlc-cpu-schedule: cannot make a global of this "
                         "tensor constant");
    b.setInsertionPoint(c);
    Value buffer = memref::GetGlobalOp::create(b, c.getLoc(), global->getType(),
                                               global->getName());
    // Never written: a write in place gets a copy.
    Value tensor = bufferization::ToTensorOp::create(b, c.getLoc(), c.getType(),
                                                     buffer, /*restrict=*/true);
    c.replaceAllUsesWith(tensor);
    c.erase();
  }
  return success();
}

/// Makes printing an op cheap while it lives: no verification first, no
/// regions. Upstream's transform ops may build a diagnostic before they
/// try (and drop it on success); fuse_into_containing_op printed the
/// producer and the whole containing loop, 70 % of the schedule's time
/// until these flags (a 10-layer MLP: 1.4-2.0 s, 0.94-1.30 s with them).
/// Printing an op still numbers every value of its function, so the
/// schedule fuses with its own transform.mlc.fuse_into_loop, which builds
/// no diagnostic (TransformOps.td). The flags are global (MLIR reads them
/// from its command-line options), so the previous values are restored.
/// Schedules running at once in several threads (a program compiling
/// models in parallel) share one set of flags: the first to start saves
/// and sets them, the last to finish restores them.
class CheapOpPrinting {
public:
  CheapOpPrinting() {
    std::lock_guard<std::mutex> lock(mutex());
    State &s = state();
    if (s.users++)
      return;
    registerAsmPrinterCLOptions();
    auto &options = llvm::cl::getRegisteredOptions();
    for (auto [name, slot] : {std::pair{"mlir-print-assume-verified", 0},
                              std::pair{"mlir-print-skip-regions", 1},
                              std::pair{"mlir-print-local-scope", 2}}) {
      auto it = options.find(name);
      if (it == options.end())
        continue;
      s.flags[slot] = static_cast<llvm::cl::opt<bool> *>(it->second);
      s.saved[slot] = s.flags[slot]->getValue();
      s.flags[slot]->setValue(true);
    }
  }
  ~CheapOpPrinting() {
    std::lock_guard<std::mutex> lock(mutex());
    State &s = state();
    if (--s.users)
      return;
    for (int slot : {0, 1, 2})
      if (s.flags[slot])
        s.flags[slot]->setValue(s.saved[slot]);
  }

private:
  struct State {
    unsigned users = 0;
    llvm::cl::opt<bool> *flags[3] = {nullptr, nullptr, nullptr};
    bool saved[3] = {false, false, false};
  };
  static State &state() {
    static State s;
    return s;
  }
  static std::mutex &mutex() {
    static std::mutex m;
    return m;
  }
};

struct CPUSchedulePass : public mlc::impl::CPUScheduleBase<CPUSchedulePass> {
  using CPUScheduleBase::CPUScheduleBase;

  void runOnOperation() override {
    CheapOpPrinting cheapPrinting;
    ModuleOp module = getOperation();
    for (auto func : module.getOps<func::FuncOp>())
      unshareInitTensors(func);
    if (vectorBits != 128 && vectorBits != 256 && vectorBits != 512) {
      module.emitError() << "mlc-cpu-schedule: vector-bits must be 128, 256 "
                            "or 512, got "
                         << vectorBits;
      return signalPassFailure();
    }
    int64_t registers = vectorRegisters ? int64_t(vectorRegisters)
                                        : mlc::vectorRegistersFor(vectorBits);
    int64_t registerLanes = vectorBits / 32;
    mlc::TileTable table;
    if (!tileTable.empty()) {
      llvm::Expected<mlc::TileTable> parsed = mlc::parseTileTable(tileTable);
      if (!parsed) {
        module.emitError() << "mlc-cpu-schedule: tile-table: "
                           << llvm::toString(parsed.takeError());
        return signalPassFailure();
      }
      table = std::move(*parsed);
    }
    // The scripts match `mlc.*` attributes, and the parser loads the
    // dialect a dotted attribute name names: loaded here, before scripts
    // are parsed on the context's threads (where loading a dialect races
    // with the other threads: mlc-opt, which loads dialects lazily,
    // crashed in 2 of the first 3 runs of a test). Not registered (a tool
    // without it): nothing.
    getContext().getOrLoadDialect("mlc");
    SmallVector<func::FuncOp> groupFunctions;
    if (shareGroups && !bf16Matmuls)
      groupFunctions = outlineGroups(module);
    // One script per function, run on that function: its matches and
    // canonicalizations then cost the function's size, not the module's
    // (a file of many models compiled in quadratic time). The scripts are
    // written one function after another (tags are numbered across the
    // module) and run on the functions in parallel.
    struct FunctionWork {
      func::FuncOp func;
      std::unique_ptr<ScriptWriter> writer;
      SmallVector<PackedOperand> packs;
    };
    SmallVector<FunctionWork> works;
    // Windows (pooling, row statistics) are numbered apart: matmul groups
    // keep their numbers whatever other ops a function has.
    unsigned id = 0, windowId = 0;
    SmallVector<std::string> rowTags;
    SmallVector<WindowOp> windows;
    for (auto func : module.getOps<func::FuncOp>()) {
      works.push_back(
          {func,
           std::make_unique<ScriptWriter>(vectorBits / 32, registers),
           {}});
      ScriptWriter &writer = *works.back().writer;
      writer.columnsOuterBytes = columnsOuterBytes;
      writer.table = table;
      if (bf16Matmuls) {
        convertMatmulsToBF16(func, vectorBits / 32);
        func.walk([&](linalg::GenericOp pack) {
          if (!pack->hasAttr(kBF16PackAttr))
            return;
          std::pair<int64_t, int64_t> tile = bf16PackTile(pack);
          pack->setAttr(
              kTagAttr,
              StringAttr::get(&getContext(),
                              "bfpack" +
                                  std::to_string(writer.bf16PackTiles.size())));
          writer.bf16PackTiles.push_back(tile);
        });
      }
      for (const MatmulGroup &g : findGroups(func)) {
        std::string tag = "g" + std::to_string(id);
        Builder b(&getContext());
        g.matmul->setAttr(kTagAttr, b.getStringAttr(tag + ".mm"));
        g.fill->setAttr(kTagAttr, b.getStringAttr(tag + ".fill"));
        if (g.epilogue)
          g.epilogue->setAttr(kTagAttr, b.getStringAttr(tag + ".ew"));
        writer.group(id++, g);
      }
      writer.endGroups();
      SmallVector<linalg::GenericOp> convs;
      func.walk([&](linalg::GenericOp op) {
        auto kind = op->getAttrOfType<StringAttr>(kConvAttr);
        if (kind && (kind.getValue() == "nhwc" || kind.getValue() == "filter"))
          convs.push_back(op);
      });
      for (linalg::GenericOp op : convs) {
        std::string tag = "c" + std::to_string(id);
        Builder b(&getContext());
        op->setAttr(kTagAttr, b.getStringAttr(tag + ".mm"));
        // The bias and activation, or the optimizer update, fuse into the
        // tiles when the output has no other use.
        auto fill = op.getDpsInits()[0].getDefiningOp<linalg::FillOp>();
        linalg::GenericOp epilogue;
        Value result = op->getResult(0);
        // For a kernel gradient, in its outer tile loop (its batch blocks
        // run outside its register tiles).
        if (fill && fill->hasOneUse() && result.hasOneUse())
          if (auto user =
                  llvm::dyn_cast<linalg::GenericOp>(*result.user_begin()))
            if (isElementwiseEpilogue(user, result) && !user->hasAttr(kTagAttr))
              epilogue = user;
        if (epilogue)
          epilogue->setAttr(kTagAttr, b.getStringAttr(tag + ".ew"));
        // The zero fill fuses into the register tiles, which then start
        // from zero instead of loading a zeroed output: with an epilogue,
        // or for a convolution or input gradient whose output has other
        // uses (a batch norm after it). A kernel gradient's tiles sum the
        // batch in blocks, through its output.
        bool fuseFill =
            fill && fill->hasOneUse() &&
            (epilogue ||
             op->getAttrOfType<StringAttr>(kConvAttr).getValue() == "nhwc");
        if (fuseFill)
          fill->setAttr(kTagAttr, b.getStringAttr(tag + ".fill"));
        writer.conv(id++, op, fuseFill ? fill : linalg::FillOp(), epilogue);
      }
      writer.endGroups();
      func.walk([&](linalg::GenericOp op) {
        if (int64_t rows = rowReductionLoops(op)) {
          op->setAttr(
              kOuterLoopsAttr,
              IntegerAttr::get(IntegerType::get(&getContext(), 64), rows));
          op->setAttr(kRowReductionAttr, UnitAttr::get(&getContext()));
        }
      });
      func.walk([&](linalg::GenericOp op) {
        auto outer = op->getAttrOfType<IntegerAttr>(kOuterLoopsAttr);
        // Not one a matmul or convolution took as its epilogue, nor one
        // whose vectorized loops have no static size.
        SmallVector<int64_t> loopRanges = op.getStaticLoopRanges();
        if (!outer || op->hasAttr(kTagAttr) ||
            llvm::any_of(
                ArrayRef<int64_t>(loopRanges).drop_front(outer.getInt()),
                ShapedType::isDynamic))
          return;
        WindowOp w;
        w.tag = "win" + std::to_string(windowId++);
        w.outer = outer.getInt();
        w.inner.assign(loopRanges.begin() + w.outer, loopRanges.end());
        // At most 16 vectors' worth per operand (of the widest element
        // type): the last loop's tile is the largest divisor of its size
        // that keeps the vectors under that.
        int64_t offsets = 1;
        for (int64_t d : ArrayRef<int64_t>(w.inner).drop_back())
          offsets *= d;
        unsigned widest = 32;
        for (Value v : op->getOperands())
          widest = std::max(
              widest,
              getElementTypeOrSelf(v.getType()).getIntOrFloatBitWidth());
        op.getBody()->walk([&](Operation *inner) {
          for (Type t : inner->getResultTypes())
            if (t.isIntOrFloat())
              widest = std::max(widest, t.getIntOrFloatBitWidth());
        });
        int64_t limit = std::max<int64_t>(1, 16 * registerLanes * 32 /
                                                 int64_t(widest) / offsets);
        int64_t channels = w.inner.back();
        w.channelTile = 1;
        for (int64_t t = std::min(channels, limit); t >= 1; --t)
          if (channels % t == 0) {
            w.channelTile = t;
            break;
          }
        w.rowReduction = op->hasAttr(kRowReductionAttr);
        op->setAttr(kTagAttr, StringAttr::get(&getContext(), w.tag));
        windows.push_back(w);
      });
      func.walk([&](linalg::GenericOp op) {
        if (!splitsByBatchRows(op))
          return;
        std::string tag = "rows" + std::to_string(id++);
        op->setAttr(kTagAttr, StringAttr::get(&getContext(), tag));
        rowTags.push_back(tag);
      });
    }
    auto schedule = [&](FunctionWork &w) -> LogicalResult {
      ScriptWriter &writer = *w.writer;
      std::string name = w.func.getSymName().str();
      if (failed(run(writer.script, "tile and fuse " + name,
                     /*consumesRoot=*/false, w.func)))
        return failure();
      writer.script.clear();
      if (packOperands)
        w.packs = packMatmulOperands(
            w.func, writer.lanes,
            "pack" + std::to_string(&w - works.begin()) + "_", packLhs,
            writer.panelWidths);
      convTilesToMatmuls(w.func);
      writer.vectorizeAll();
      writer.tail();
      return run(writer.script, "vectorize " + name, /*consumesRoot=*/false,
                 w.func);
    };
    if (failed(eachFunction(works, schedule)))
      return signalPassFailure();
    SmallVector<PackedOperand> packs;
    for (FunctionWork &w : works)
      llvm::append_range(packs, w.packs);
    inlineGroups(module, groupFunctions);

    for (auto func : module.getOps<func::FuncOp>())
      unshareInitTensors(func);
    // Bufferization and the packs', rows' and windows' tiles after it, on
    // each function in parallel, each with the parts of the script whose
    // tags it holds (a group's tags are in every function that inlined it).
    // Functions share no tensors; the module's symbols do not change while
    // they run (tensor constants are made globals first).
    if (failed(globalizeTensorConstants(module)))
      return signalPassFailure();
    struct Bufferization {
      func::FuncOp func;
      std::string script;
    };
    SmallVector<Bufferization> bufferizations;
    for (auto func : module.getOps<func::FuncOp>()) {
      llvm::StringSet<> tags;
      func.walk([&](Operation *op) {
        if (auto tag = op->getAttrOfType<StringAttr>(kTagAttr))
          tags.insert(tag.getValue());
      });
      SmallVector<PackedOperand> funcPacks;
      SmallVector<std::string> funcRows;
      SmallVector<WindowOp> funcWindows;
      llvm::copy_if(
          packs, std::back_inserter(funcPacks),
          [&](const PackedOperand &p) { return tags.contains(p.tag); });
      llvm::copy_if(rowTags, std::back_inserter(funcRows),
                    [&](const std::string &t) { return tags.contains(t); });
      llvm::copy_if(windows, std::back_inserter(funcWindows),
                    [&](const WindowOp &w) { return tags.contains(w.tag); });
      ScriptWriter lower(vectorBits / 32, registers);
      lower.parallelPacks = parallelPacks;
      lower.bufferizeAndLower(funcPacks, funcRows, funcWindows);
      bufferizations.push_back({func, std::move(lower.script)});
    }
    auto bufferize = [&](Bufferization &b) {
      return run(b.script, "bufferize " + b.func.getSymName(),
                 /*consumesRoot=*/true, b.func);
    };
    if (failed(eachFunction(bufferizations, bufferize)))
      return signalPassFailure();
    // The fills and copies bufferization leaves (zero pads, gradients
    // placed into padded buffers) a batch row at a time, rows in parallel,
    // when large: serial, they were a quarter of a convnet's serial time on
    // 2 threads.
    if (parallelPacks) {
      std::string script;
      llvm::raw_string_ostream os(script);
      unsigned count = 0;
      for (auto func : module.getOps<func::FuncOp>())
        for (Operation &op : func.getBody().getOps()) {
          if (!llvm::isa<linalg::CopyOp, linalg::FillOp>(op))
            continue;
          auto init = llvm::cast<linalg::LinalgOp>(op).getDpsInits()[0];
          auto type = llvm::dyn_cast<MemRefType>(init.getType());
          if (!type || type.getRank() < 2 || !type.isDynamicDim(0))
            continue;
          int64_t perRow = 1;
          for (int64_t d : type.getShape().drop_front())
            perRow = ShapedType::isDynamic(d) ? 0 : perRow * d;
          if (perRow < 2048)
            continue;
          std::string tag = "copyrows" + std::to_string(count++);
          op.setAttr(kTagAttr, StringAttr::get(&getContext(), tag));
          os << llvm::formatv(
              R"(  %{0} = transform.structured.match attributes {{{1} = "{0}"} in %root : (!transform.any_op) -> !transform.any_op
  %{0}_t, %{0}_l = transform.structured.tile_using_for %{0} tile_sizes [1] : (!transform.any_op) -> (!transform.any_op, !transform.any_op)
  transform.annotate %{0}_l "{2}" : !transform.any_op
)",
              tag, kTagAttr, kParallelAttr);
        }
      if (count && failed(run(script, "parallel copies",
                              /*consumesRoot=*/false, module)))
        return signalPassFailure();
    }
    if (bf16Matmuls) {
      // One pass over every op but the transfers whose vector is all unit
      // dimensions or longer than their memref: upstream's contiguity
      // check takes the shape's tail past its start for those
      // (AddressSanitizer: a negative-size memcmp), and the patterns can
      // create such ops, so they do not run on the ops they create. Rounds
      // until nothing changed took 18 walks of the module (50-100 ms of
      // compile time) for the same step time.
      SmallVector<Operation *> ops;
      module.walk([&](Operation *op) {
        if (auto xfer = llvm::dyn_cast<VectorTransferOpInterface>(op)) {
          ArrayRef<int64_t> shape = xfer.getVectorType().getShape();
          int64_t rank =
              shape.drop_while([](int64_t d) { return d == 1; }).size();
          if (rank == 0 || rank > xfer.getShapedType().getRank())
            return;
        }
        ops.push_back(op);
      });
      RewritePatternSet patterns(&getContext());
      vector::populateFlattenVectorTransferPatterns(patterns);
      GreedyRewriteConfig config;
      config.setStrictness(GreedyRewriteStrictness::ExistingOps);
      if (failed(applyOpPatternsGreedily(ops, std::move(patterns), config)))
        return signalPassFailure();
    }
    // Vector lowering is local to each function: on the functions in
    // parallel (serially without context threads), the script printed once.
    ScriptWriter vectors(vectorBits / 32, registers);
    vectors.lowerVectors();
    SmallVector<func::FuncOp> functions(module.getOps<func::FuncOp>());
    if (failed(failableParallelForEach(
            &getContext(), functions, [&](func::FuncOp f) {
              return run(vectors.script, "lower vectors",
                         /*consumesRoot=*/false, f,
                         /*print=*/f == functions.front());
            })))
      return signalPassFailure();
    // A row's sum in any order: LLVM then adds its lanes in a tree instead
    // of one after another.
    module.walk([](scf::ForOp loop) {
      if (!loop->hasAttr(kRowReductionAttr))
        return;
      loop.walk([](vector::ReductionOp r) {
        if (r.getKind() == vector::CombiningKind::ADD &&
            llvm::isa<FloatType>(r.getType()))
          r.setFastmath(arith::FastMathFlags(r.getFastmath()) |
                        arith::FastMathFlags::reassoc);
      });
    });
  }

  /// Runs `fn` on every item, on the context's threads (serially without
  /// them); with print-schedule in order, so printed scripts stay in
  /// function order.
  template <typename Items, typename Fn>
  LogicalResult eachFunction(Items &items, Fn &&fn) {
    if (printSchedule) {
      for (auto &item : items)
        if (failed(fn(item)))
          return failure();
      return success();
    }
    return failableParallelForEach(&getContext(), items, fn);
  }

  LogicalResult run(const std::string &body, const Twine &what,
                    bool consumesRoot, Operation *payload, bool print = true) {
    std::string script = "module attributes {transform.with_named_sequence} {\n"
                         "transform.named_sequence @__transform_main(%root: "
                         "!transform.any_op {transform." +
                         std::string(consumesRoot ? "consumed" : "readonly") +
                         "}) {\n" + body + "  transform.yield\n}\n}\n";
    if (printSchedule && print)
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

std::vector<mlc::TunableMatmul> mlc::tunableMatmuls(ModuleOp module,
                                                    unsigned vectorBits,
                                                    int64_t registers,
                                                    int64_t columnsOuterBytes) {
  int64_t lanes = vectorBits / 32;
  std::vector<TunableMatmul> result;
  llvm::StringSet<> seen;
  for (auto func : module.getOps<func::FuncOp>()) {
    // As the schedule finds them: each matmul with a zero fill of its own.
    unshareInitTensors(func);
    for (const MatmulGroup &g : findGroups(func)) {
      std::string key = matmulKey(g);
      if (g.matmul->hasAttr(kBF16Attr) || !seen.insert(key).second)
        continue;
      SmallVector<int64_t> loops =
          linalg::LinalgOp(g.matmul).getStaticLoopRanges();
      int64_t rows = ShapedType::isDynamic(loops[0]) ? -1 : loops[0];
      int64_t cols = ShapedType::isDynamic(loops[1]) ? -1 : loops[1];
      TunableMatmul t;
      t.key = key;
      t.work = 1;
      for (int64_t d : loops)
        t.work *= ShapedType::isDynamic(d) ? 1 : d;
      bool byDefault = columnsOuterFor(g, TileChoice(), columnsOuterBytes);
      // Candidates are told apart by the tiles they make: a narrow output
      // is one tile whatever the width asked for.
      std::set<std::tuple<int64_t, int64_t, bool>> made;
      auto add = [&](TileChoice c) {
        auto [tm, tn] = registerTile(rows, cols, lanes, c.rows, c.vectors);
        if (made.insert({tm, tn, columnsOuterFor(g, c, columnsOuterBytes)})
                .second)
          t.candidates.push_back(c);
      };
      TileChoice first = defaultTile(g, lanes, registers);
      add(first);
      // 1 to 4 vectors wide, each with as many rows as the accumulators,
      // B's vectors and the broadcast leave registers for (at most 12 rows
      // of one vector, 8 of more: more measured no faster), and 4 rows
      // where an optimizer update is fused (its state rows stay live).
      bool optimizer = g.epilogue && g.epilogue->getNumResults() > 1;
      for (int64_t v = 1; v <= 4; ++v) {
        int64_t most = rowsThatFit(registers, v, v == 1 ? 12 : 8);
        if (most < 3)
          continue;
        add({most, v, TileChoice::Order::Default});
        if (optimizer && most > 4)
          add({4, v, TileChoice::Order::Default});
      }
      // The other loop order where B outgrows the L1 and L2 caches' share
      // of a tile's reuse (a small B is read from cache either way).
      if (bBytes(g) >= (128 << 10)) {
        TileChoice flipped = first;
        flipped.order = byDefault ? TileChoice::Order::RowsOuter
                                  : TileChoice::Order::ColumnsOuter;
        add(flipped);
      }
      result.push_back(std::move(t));
    }
  }
  return result;
}
