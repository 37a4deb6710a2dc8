//===- Tuning.h - register tiles measured on the machine --------*- C++ -*-===//
//
// `mlc tune` compiles a model once per candidate register tile of each of
// its matmul shapes (compiler/CodeGen/CPU/Tiles.h), times the train steps
// side by side on synthetic data, and keeps the fastest tile per shape in
// a tile file for the CPU it ran on. Compiles for that CPU read the file
// (TargetOptions::tileTable).
//
// A tile file is text: one "KEY TILE" line per matmul shape whose tile
// differs from the schedule's own, '#' starts a comment, e.g.
//
//   # mlc tile table for znver3 (256-bit vectors)
//   mm784x128x?.at.opt 6x2   # 612.0 us/step, derived 4x2: 640.3 us/step
//
//===----------------------------------------------------------------------===//

#ifndef MLC_COMPILER_DRIVER_TUNING_H
#define MLC_COMPILER_DRIVER_TUNING_H

#include "compiler/CodeGen/CPU/Tiles.h"
#include "compiler/Driver/Target.h"

#include "llvm/ADT/StringRef.h"
#include "llvm/Support/Error.h"

#include <functional>
#include <string>
#include <vector>

namespace mlc {

/// The tile file of the CPU `target` compiles for in cache directory
/// `dir`: DIR/tiles/<LLVM CPU name>-<vector bits>.txt, e.g.
/// tiles/znver3-256.txt. Empty for other than the host CPU (a --cpu or
/// --target-triple of its own) and for GPU targets.
std::string tileFilePath(llvm::StringRef dir, const TargetOptions &target);

/// Reads a tile file. Errors name the file and line.
llvm::Expected<TileTable> readTileFile(llvm::StringRef path);
/// Parses a tile file's text; errors start with `name` and the line.
llvm::Expected<TileTable> parseTileFile(llvm::StringRef text,
                                        llvm::StringRef name);

/// Writes `table` to `path` (its directory created if missing) after the
/// comment lines of `header`, with `notes[key]` as each line's comment;
/// atomically (a temporary renamed over the file).
llvm::Error writeTileFile(llvm::StringRef path, const TileTable &table,
                          llvm::StringRef header,
                          const std::map<std::string, std::string> &notes);

struct TuneOptions {
  int64_t batch = 32;
  /// Interleaved rounds per shape. A candidate is compared with the tile
  /// in use by the median over rounds of their times' ratio.
  int rounds = 7;
  /// Work per round and candidate, in seconds of the first compile's step.
  double roundSeconds = 0.03;
  /// A tile replaces the current one only if its step is faster by this
  /// fraction (less is noise on a busy machine).
  double minGain = 0.02;
  /// Told each shape's outcome as a line of text.
  std::function<void(llvm::StringRef)> progress;
};

struct TunedMatmul {
  std::string key;
  /// The candidates in the order tried (the first was the tile in use
  /// before), with the best step time each reached, in seconds (the
  /// choice goes by the median ratio of times, not by these).
  std::vector<std::pair<TileChoice, double>> tried;
  /// Each candidate's median ratio of step times to the first's.
  std::vector<double> ratios;
  TileChoice chosen;
};

struct TuneResult {
  std::vector<TunedMatmul> matmuls;
  /// `start` with the tuned shapes' tiles: those equal to the schedule's
  /// own are left out.
  TileTable table;
  /// Seconds per step with `start` and with `table`, measured side by
  /// side at the end.
  double startStep = 0, tunedStep = 0;
  /// The tuned step's time over the start's: the median over rounds.
  double ratio = 1;
};

/// Tunes the register tiles of `modelText` (an mlc.model that trains, as
/// text) for `target`, starting from `start`: the largest matmul shapes
/// first, each candidate tile compiled and its train step timed against
/// the current best.
llvm::Expected<TuneResult> tuneTiles(llvm::StringRef modelText,
                                     const TargetOptions &target,
                                     const TileTable &start,
                                     const TuneOptions &options);

} // namespace mlc

#endif // MLC_COMPILER_DRIVER_TUNING_H
