//===- Tuning.cpp - register tiles measured on the machine ----------------===//

#include "compiler/Driver/Tuning.h"

#include "compiler/Driver/JIT.h"
#include "compiler/Driver/Model.h"
#include "compiler/Driver/Pipeline.h"
#include "compiler/Driver/StepRunner.h"
#include "runtime/core/files.h"

#include "mlir/IR/MLIRContext.h"
#include "mlir/Parser/Parser.h"
#include "llvm/ADT/StringExtras.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/FormatVariadic.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/raw_ostream.h"
#include "llvm/TargetParser/Host.h"

#include <algorithm>
#include <chrono>
#include <cstdlib>

using namespace mlc;
using Clock = std::chrono::steady_clock;

std::string mlc::tileFilePath(llvm::StringRef dir,
                              const TargetOptions &target) {
  if (dir.empty() || target.isGPU() || !target.triple.empty() ||
      !(target.cpu.empty() || target.cpu == "host"))
    return "";
  llvm::SmallString<256> path(dir);
  llvm::sys::path::append(path, "tiles",
                          llvm::sys::getHostCPUName().str() + "-" +
                              std::to_string(vectorBitsFor(target)) + ".txt");
  return std::string(path);
}

llvm::Expected<TileTable> mlc::readTileFile(llvm::StringRef path) {
  unsigned char *raw = nullptr;
  size_t size = 0;
  char why[256];
  std::string name = path.str();
  // Through the project's reader: a FIFO or device is refused, not read.
  if (mlcReadRegularFile(name.c_str(), uint64_t(1) << 20, &raw, &size, why,
                         sizeof why) != MLC_CORE_OK)
    return llvm::createStringError(name + ": " + why);
  std::unique_ptr<unsigned char, void (*)(void *)> owned(raw, std::free);
  return parseTileFile(
      llvm::StringRef(reinterpret_cast<const char *>(raw), size), name);
}

llvm::Expected<TileTable> mlc::parseTileFile(llvm::StringRef text,
                                             llvm::StringRef name) {
  TileTable table;
  llvm::SmallVector<llvm::StringRef> lines;
  text.split(lines, '\n');
  for (size_t i = 0; i < lines.size(); ++i) {
    llvm::StringRef line = lines[i].split('#').first.trim();
    if (line.empty())
      continue;
    auto fail = [&](const llvm::Twine &what) {
      return llvm::createStringError(name + ":" + std::to_string(i + 1) + ": " +
                                     what);
    };
    size_t gap = line.find_first_of(" \t");
    llvm::StringRef key = line.take_front(gap),
                    tile = line.drop_front(key.size()).trim();
    // Keys are shapes: letters, digits, '?', '.' and the wildcard '*'
    // (never the table text's '=' and ';').
    bool keyChars = llvm::all_of(key, [](char c) {
      return llvm::isAlnum(c) || c == '?' || c == '.' || c == '*';
    });
    if (!key.starts_with("mm") || !keyChars || tile.empty() ||
        tile.find_first_of(" \t") != llvm::StringRef::npos)
      return fail("expected 'KEY TILE' (e.g. 'mm?x128x784.ew 6x2'), got '" +
                  line + "'");
    llvm::Expected<TileChoice> choice = parseTileChoice(tile);
    if (!choice)
      return fail(llvm::toString(choice.takeError()));
    table[key.str()] = *choice;
  }
  return table;
}

llvm::Error
mlc::writeTileFile(llvm::StringRef path, const TileTable &table,
                   llvm::StringRef header,
                   const std::map<std::string, std::string> &notes) {
  llvm::StringRef dir = llvm::sys::path::parent_path(path);
  if (!dir.empty())
    if (std::error_code ec = llvm::sys::fs::create_directories(dir))
      return llvm::createStringError("cannot create '" + dir +
                                     "': " + ec.message());
  llvm::Error written = llvm::writeToOutput(path, [&](llvm::raw_ostream &os) {
    llvm::SmallVector<llvm::StringRef> lines;
    header.split(lines, '\n');
    for (llvm::StringRef line : lines)
      os << "# " << line << "\n";
    for (const auto &[key, choice] : table) {
      os << key << " " << formatTileChoice(choice);
      if (auto it = notes.find(key); it != notes.end())
        os << "  # " << it->second;
      os << "\n";
    }
    return llvm::Error::success();
  });
  if (written)
    return llvm::createStringError("cannot write '" + path +
                                   "': " + llvm::toString(std::move(written)));
  return llvm::Error::success();
}

namespace {

/// One compiled variant of the model and its buffers.
struct Variant {
  std::unique_ptr<JITModel> jit;
  std::unique_ptr<StepRunner> runner;
  /// Seconds per step in each round of the last race, and the best.
  std::vector<double> times;
  double best = 1e30;
};

llvm::Expected<Variant> compileVariant(llvm::StringRef modelText,
                                       TargetOptions target,
                                       const TileTable &table, int64_t batch) {
  auto context = createContext();
  mlir::OwningOpRef<mlir::ModuleOp> module =
      mlir::parseSourceString<mlir::ModuleOp>(modelText, context.get());
  if (!module)
    return llvm::createStringError("the model does not parse");
  target.tileTable = formatTileTable(table);
  // Every variant is compiled: none is worth keeping in the cache.
  target.cacheDir.clear();
  Variant v;
  if (llvm::Error err =
          JITModel::compile(context, std::move(module), target).moveInto(v.jit))
    return std::move(err);
  if (llvm::Error err = StepRunner::create(*v.jit, batch).moveInto(v.runner))
    return std::move(err);
  // The first steps touch the buffers and the code.
  if (llvm::Error err = v.runner->run(2))
    return std::move(err);
  return std::move(v);
}

/// Rounds of `steps` steps of each variant in turn, each round starting
/// one variant further on (none always runs first, after the others warmed
/// the caches or the clock).
llvm::Error race(std::vector<Variant *> &variants, int rounds, int64_t steps) {
  for (Variant *v : variants) {
    v->times.clear();
    v->best = 1e30;
  }
  size_t n = variants.size();
  for (int r = 0; r < rounds; ++r)
    for (size_t i = 0; i < n; ++i) {
      Variant *v = variants[(i + size_t(r)) % n];
      auto start = Clock::now();
      if (llvm::Error err = v->runner->run(steps))
        return err;
      double t = std::chrono::duration<double>(Clock::now() - start).count() /
                 double(steps);
      v->times.push_back(t);
      v->best = std::min(v->best, t);
    }
  return llvm::Error::success();
}

/// The median over a race's rounds of `v`'s time over `ref`'s. Each
/// round's pair ran within a fraction of a second, so a slow spell of the
/// machine (on a shared host they last seconds and cost up to 30 %)
/// slows both; the median drops the rounds a spell split.
double ratio(const Variant &v, const Variant &ref) {
  std::vector<double> r;
  for (size_t i = 0; i < v.times.size() && i < ref.times.size(); ++i)
    r.push_back(v.times[i] / ref.times[i]);
  std::sort(r.begin(), r.end());
  return r.empty() ? 1.0 : r[r.size() / 2];
}

std::string us(double seconds) {
  return llvm::formatv("{0:f1} us", seconds * 1e6).str();
}

} // namespace

llvm::Expected<TuneResult> mlc::tuneTiles(llvm::StringRef modelText,
                                          const TargetOptions &target,
                                          const TileTable &start,
                                          const TuneOptions &options) {
  if (target.isGPU())
    return llvm::createStringError("tile tuning is for CPU targets");
  unsigned bits = vectorBitsFor(target);
  std::vector<TunableMatmul> shapes;
  {
    auto context = createContext();
    mlir::OwningOpRef<mlir::ModuleOp> module =
        mlir::parseSourceString<mlir::ModuleOp>(modelText, context.get());
    if (!module)
      return llvm::createStringError("the model does not parse");
    if (failed(lowerModule(*module, Stage::Model, Stage::Linalg, target)))
      return llvm::createStringError("the model could not be compiled");
    shapes = tunableMatmuls(*module, bits, vectorRegistersFor(bits),
                            columnsOuterBytesFor(target));
  }
  std::stable_sort(shapes.begin(), shapes.end(),
                   [](const TunableMatmul &a, const TunableMatmul &b) {
                     return a.work > b.work;
                   });

  TuneResult result;
  TileTable table = start;
  Variant first;
  if (llvm::Error err = compileVariant(modelText, target, table, options.batch)
                            .moveInto(first))
    return std::move(err);
  // Steps per round from the first variant's speed.
  auto t0 = Clock::now();
  if (llvm::Error err = first.runner->run(3))
    return std::move(err);
  double step = std::chrono::duration<double>(Clock::now() - t0).count() / 3;
  int64_t steps = std::clamp<int64_t>(
      int64_t(options.roundSeconds / std::max(step, 1e-7)), 2, 100000);

  Variant current = std::move(first);
  for (const TunableMatmul &shape : shapes) {
    if (shape.candidates.size() < 2)
      continue;
    TunedMatmul tuned;
    tuned.key = shape.key;
    auto it = table.find(shape.key);
    TileChoice inUse = it != table.end() ? it->second : shape.candidates[0];
    std::vector<TileChoice> tiles = {inUse};
    for (const TileChoice &c : shape.candidates)
      if (c != inUse)
        tiles.push_back(c);
    std::vector<Variant> others(tiles.size() - 1);
    for (size_t i = 1; i < tiles.size(); ++i) {
      TileTable trial = table;
      trial[shape.key] = tiles[i];
      if (llvm::Error err =
              compileVariant(modelText, target, trial, options.batch)
                  .moveInto(others[i - 1]))
        return llvm::createStringError("tile " + formatTileChoice(tiles[i]) +
                                       " for " + shape.key + ": " +
                                       llvm::toString(std::move(err)));
    }
    std::vector<Variant *> racing = {&current};
    for (Variant &v : others)
      racing.push_back(&v);
    if (llvm::Error err = race(racing, options.rounds, steps))
      return std::move(err);
    // Candidates by their median time relative to the tile in use.
    std::vector<double> ratios;
    for (size_t i = 0; i < tiles.size(); ++i) {
      tuned.tried.push_back({tiles[i], racing[i]->best});
      ratios.push_back(ratio(*racing[i], current));
    }
    size_t best = 0;
    for (size_t i = 1; i < racing.size(); ++i)
      if (ratios[i] < ratios[best])
        best = i;
    if (best && ratios[best] > 1 - options.minGain)
      best = 0;
    // A winner races the tile in use once more, alone: one noisy race
    // should not change a tile.
    std::string retry;
    if (best) {
      std::vector<Variant *> again = {&current, racing[best]};
      if (llvm::Error err = race(again, options.rounds, steps))
        return std::move(err);
      double confirmed = ratio(*racing[best], current);
      retry = llvm::formatv(" (again: x{0:f3})", confirmed).str();
      if (confirmed > 1 - options.minGain)
        best = 0;
    }
    std::string line = shape.key + ":";
    for (size_t i = 0; i < tiles.size(); ++i) {
      line += " " + formatTileChoice(tiles[i]) + " " +
              us(tuned.tried[i].second) +
              (i == 0 ? std::string(" (in use)")
                      : llvm::formatv(" x{0:f3}", ratios[i]).str()) +
              (i + 1 < tiles.size() ? "," : "");
    }
    tuned.chosen = tiles[best];
    tuned.ratios = ratios;
    line += retry + " -> " + formatTileChoice(tuned.chosen);
    if (options.progress)
      options.progress(line);
    if (tuned.chosen == shape.candidates[0])
      table.erase(shape.key);
    else
      table[shape.key] = tuned.chosen;
    if (best)
      current = std::move(others[best - 1]);
    result.matmuls.push_back(std::move(tuned));
  }
  // The start and the result side by side, once more.
  Variant initial;
  if (llvm::Error err = compileVariant(modelText, target, start, options.batch)
                            .moveInto(initial))
    return std::move(err);
  std::vector<Variant *> ends = {&initial, &current};
  if (llvm::Error err = race(ends, options.rounds, steps))
    return std::move(err);
  result.startStep = initial.best;
  result.tunedStep = current.best;
  result.ratio = ratio(current, initial);
  result.table = std::move(table);
  return std::move(result);
}
