//===- Tiles.cpp - register tile tables: text form ------------------------===//

#include "compiler/CodeGen/CPU/Tiles.h"

#include "llvm/ADT/SmallVector.h"
#include "llvm/ADT/StringExtras.h"

using namespace mlc;

std::string mlc::formatTileChoice(const TileChoice &choice) {
  std::string text =
      std::to_string(choice.rows) + "x" + std::to_string(choice.vectors);
  if (choice.order == TileChoice::Order::RowsOuter)
    text += "/rows-outer";
  else if (choice.order == TileChoice::Order::ColumnsOuter)
    text += "/cols-outer";
  return text;
}

llvm::Expected<TileChoice> mlc::parseTileChoice(llvm::StringRef text) {
  auto bad = [&](const char *why) {
    return llvm::createStringError("bad tile '" + text.str() + "': " + why);
  };
  TileChoice choice;
  auto [tile, order] = text.split('/');
  if (order == "rows-outer")
    choice.order = TileChoice::Order::RowsOuter;
  else if (order == "cols-outer")
    choice.order = TileChoice::Order::ColumnsOuter;
  else if (!order.empty() || text.ends_with("/"))
    return bad("the order is rows-outer or cols-outer");
  auto [rows, vectors] = tile.split('x');
  if (rows.getAsInteger(10, choice.rows) ||
      vectors.getAsInteger(10, choice.vectors))
    return bad("expected <rows>x<vectors>, e.g. 6x2");
  if (choice.rows < 1 || choice.rows > 16)
    return bad("rows must be 1 to 16");
  if (choice.vectors < 1 || choice.vectors > 4)
    return bad("vectors must be 1 to 4");
  return choice;
}

std::string mlc::formatTileTable(const TileTable &table) {
  std::string text;
  for (const auto &[key, choice] : table)
    text += (text.empty() ? "" : ";") + key + "=" + formatTileChoice(choice);
  return text;
}

llvm::Expected<TileTable> mlc::parseTileTable(llvm::StringRef text) {
  TileTable table;
  llvm::SmallVector<llvm::StringRef> entries;
  text.split(entries, ';', -1, /*KeepEmpty=*/false);
  for (llvm::StringRef entry : entries) {
    auto [key, tile] = entry.trim().split('=');
    if (!key.starts_with("mm") || tile.empty())
      return llvm::createStringError("bad tile table entry '" + entry.str() +
                                     "': expected mm<shape>=<tile>");
    llvm::Expected<TileChoice> choice = parseTileChoice(tile);
    if (!choice)
      return choice.takeError();
    table[key.str()] = *choice;
  }
  return table;
}
