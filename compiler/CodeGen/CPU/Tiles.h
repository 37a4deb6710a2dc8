//===- Tiles.h - register tiles chosen per matmul shape ---------*- C++ -*-===//
//
// The CPU schedule gives every matmul a register tile derived from the
// target's vector width and register count (2 vectors wide, as many rows
// as the register file holds). A tile table overrides that per matmul
// shape: `mlc tune` times a handful of candidate tiles for each shape of a
// model's train step on the machine it runs on and keeps the fastest in a
// file per CPU model, which later compiles on that CPU read.
//
// A matmul's key names its shape and layout: "mm<M>x<N>x<K>", "?" for the
// batch, then ".at" / ".bt" for a transposed A / B and ".ew" (elementwise
// epilogue: bias and activation) or ".opt" (optimizer update) for what is
// fused after it; e.g. "mm?x128x784.ew" (a dense layer's forward matmul)
// or "mm784x128x?.at.opt" (its weight gradient with Adam fused). A tile is
// "<rows>x<vectors>" (rows of the output by vectors of columns), optionally
// with "/rows-outer" or "/cols-outer" for the order of its tile loops.
// A table is "KEY=TILE" entries joined by ';' (mlc-cpu-schedule's
// tile-table option); the key "mm*" gives the tile of every matmul
// without an entry of its own (for tests: mlc-difftest --tiles).
//
//===----------------------------------------------------------------------===//

#ifndef MLC_COMPILER_CODEGEN_CPU_TILES_H
#define MLC_COMPILER_CODEGEN_CPU_TILES_H

#include "llvm/ADT/StringRef.h"
#include "llvm/Support/Error.h"

#include <cstdint>
#include <map>
#include <string>
#include <vector>

namespace mlir {
class ModuleOp;
} // namespace mlir

namespace mlc {

/// A matmul's register tile and loop order.
struct TileChoice {
  enum class Order { Default, RowsOuter, ColumnsOuter };
  int64_t rows = 0;    ///< at most this many output rows per tile
  int64_t vectors = 0; ///< output columns per tile, in vector registers
  Order order = Order::Default;
  bool operator==(const TileChoice &o) const {
    return rows == o.rows && vectors == o.vectors && order == o.order;
  }
  bool operator!=(const TileChoice &o) const { return !(*this == o); }
};

/// "6x2", "4x3/cols-outer".
std::string formatTileChoice(const TileChoice &choice);
/// Parses formatTileChoice's text; rows 1-16, vectors 1-4.
llvm::Expected<TileChoice> parseTileChoice(llvm::StringRef text);

using TileTable = std::map<std::string, TileChoice>;
/// "KEY=TILE;KEY=TILE", keys in order.
std::string formatTileTable(const TileTable &table);
/// Parses formatTileTable's text (empty: no entries).
llvm::Expected<TileTable> parseTileTable(llvm::StringRef text);

/// A matmul shape of a model that the tuner can try tiles for.
struct TunableMatmul {
  std::string key;
  /// Multiply-adds per batch row (or in all, without a batch dimension):
  /// the tuner takes the largest first.
  int64_t work = 0;
  /// The tile the schedule picks without a table, then the alternatives
  /// that differ from it in the tiles they make for this shape.
  std::vector<TileChoice> candidates;
};

/// Vector registers of an x86 target with `vectorBits`-bit vectors
/// (AVX-512: 32; AVX2, SSE: 16), unless the schedule is told otherwise.
inline int64_t vectorRegistersFor(unsigned vectorBits) {
  return vectorBits == 512 ? 32 : 16;
}

/// The f32 matmul shapes of `module` (linalg on tensors, as the CPU
/// schedule takes it) that get register tiles, each once, with candidate
/// tiles for a target of `vectorBits` bits and `registers` vector
/// registers, and matmuls whose B is over `columnsOuterBytes` with loops
/// over columns outside (0: never). Gives each matmul its own zero fill,
/// as the schedule does first.
std::vector<TunableMatmul> tunableMatmuls(mlir::ModuleOp module,
                                          unsigned vectorBits,
                                          int64_t registers,
                                          int64_t columnsOuterBytes);

} // namespace mlc

#endif // MLC_COMPILER_CODEGEN_CPU_TILES_H
