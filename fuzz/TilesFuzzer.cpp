//===- TilesFuzzer.cpp - fuzz target: tile files --------------------------===//
//
// The input is a tile file as compiles read it from the cache directory
// (mlc::parseTileFile). Every refusal must say why; an accepted table
// must pass through the schedule's text form (formatTileTable,
// parseTileTable) and a written file's form unchanged.
//
//===----------------------------------------------------------------------===//

#include "compiler/Driver/Tuning.h"

#include <cstddef>
#include <cstdint>
#include <string>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  llvm::StringRef text(reinterpret_cast<const char *>(data), size);
  llvm::Expected<mlc::TileTable> table = mlc::parseTileFile(text, "tiles.txt");
  if (!table) {
    if (llvm::toString(table.takeError()).empty())
      __builtin_trap();
    return 0;
  }
  llvm::Expected<mlc::TileTable> again =
      mlc::parseTileTable(mlc::formatTileTable(*table));
  if (!again || *again != *table)
    __builtin_trap();
  std::string file;
  for (const auto &[key, choice] : *table)
    file += key + " " + mlc::formatTileChoice(choice) + "  # note\n";
  llvm::Expected<mlc::TileTable> reread = mlc::parseTileFile(file, "again");
  if (!reread || *reread != *table)
    __builtin_trap();
  return 0;
}
