//===- TilesTest.cpp - tile tables and tile files -------------------------===//
//
// The text forms `mlc tune` writes and compiles read: tiles, tables (the
// schedule's tile-table option) and tile files, and their errors.
//
//===----------------------------------------------------------------------===//

#include "compiler/CodeGen/CPU/Tiles.h"
#include "compiler/Driver/Tuning.h"

#include "llvm/Support/FileSystem.h"
#include "llvm/Support/raw_ostream.h"

#include <gtest/gtest.h>

using namespace mlc;

namespace {

std::string errorOf(llvm::Error err) { return llvm::toString(std::move(err)); }

TEST(Tiles, ChoicesRoundTrip) {
  for (const char *text :
       {"6x2", "12x1", "4x3", "4x4/cols-outer", "8x2/rows-outer"}) {
    llvm::Expected<TileChoice> choice = parseTileChoice(text);
    ASSERT_TRUE(bool(choice)) << errorOf(choice.takeError());
    EXPECT_EQ(formatTileChoice(*choice), text);
  }
  llvm::Expected<TileChoice> c = parseTileChoice("4x1/cols-outer");
  ASSERT_TRUE(bool(c));
  EXPECT_EQ(c->rows, 4);
  EXPECT_EQ(c->vectors, 1);
  EXPECT_EQ(c->order, TileChoice::Order::ColumnsOuter);
}

TEST(Tiles, BadChoicesAreRefused) {
  struct Case {
    const char *text, *why;
  } cases[] = {{"6x5", "vectors must be 1 to 4"},
               {"0x2", "rows must be 1 to 16"},
               {"17x1", "rows must be 1 to 16"},
               {"6", "expected <rows>x<vectors>"},
               {"6x2/", "rows-outer or cols-outer"},
               {"6x2/diagonal", "rows-outer or cols-outer"},
               {"ax2", "expected <rows>x<vectors>"}};
  for (const Case &c : cases) {
    llvm::Expected<TileChoice> choice = parseTileChoice(c.text);
    ASSERT_FALSE(bool(choice)) << c.text;
    EXPECT_NE(errorOf(choice.takeError()).find(c.why), std::string::npos)
        << c.text;
  }
}

TEST(Tiles, TablesRoundTrip) {
  llvm::Expected<TileTable> table =
      parseTileTable("mm?x128x784.ew=4x2;mm784x128x?.at.opt=12x1/cols-outer");
  ASSERT_TRUE(bool(table)) << errorOf(table.takeError());
  ASSERT_EQ(table->size(), 2u);
  EXPECT_EQ(table->at("mm?x128x784.ew"), (TileChoice{4, 2}));
  // Keys in order.
  EXPECT_EQ(formatTileTable(*table),
            "mm784x128x?.at.opt=12x1/cols-outer;mm?x128x784.ew=4x2");
  EXPECT_TRUE(parseTileTable("")->empty());
  llvm::Expected<TileTable> bad = parseTileTable("mm?x128x784.ew");
  ASSERT_FALSE(bool(bad));
  EXPECT_NE(errorOf(bad.takeError()).find("expected mm<shape>=<tile>"),
            std::string::npos);
}

class TileFile : public ::testing::Test {
protected:
  void SetUp() override {
    ASSERT_FALSE(llvm::sys::fs::createUniqueDirectory("mlc-tiles", dir));
    path = (dir + "/sub/tiles.txt").str();
  }
  void TearDown() override { llvm::sys::fs::remove_directories(dir); }
  void write(llvm::StringRef text) {
    std::error_code ec;
    llvm::raw_fd_ostream os((dir + "/bad.txt").str(), ec);
    ASSERT_FALSE(ec);
    os << text;
  }
  llvm::SmallString<128> dir;
  std::string path;
};

TEST_F(TileFile, WrittenThenRead) {
  TileTable table = {
      {"mm?x10x128.ew", {12, 1}},
      {"mm784x128x?.at.opt", {8, 2, TileChoice::Order::RowsOuter}}};
  ASSERT_FALSE(bool(writeTileFile(path, table, "two lines\nof header",
                                  {{"mm?x10x128.ew", "41.0 us/step"}})));
  llvm::Expected<TileTable> read = readTileFile(path);
  ASSERT_TRUE(bool(read)) << errorOf(read.takeError());
  EXPECT_EQ(*read, table);
}

TEST_F(TileFile, ErrorsNameTheFileAndLine) {
  write("# header\nmm?x10x128.ew 12x1\n\nmm?x10x128.ew 6x5  # comment\n");
  llvm::Expected<TileTable> read = readTileFile((dir + "/bad.txt").str());
  ASSERT_FALSE(bool(read));
  std::string message = errorOf(read.takeError());
  EXPECT_NE(message.find("bad.txt:4: bad tile '6x5'"), std::string::npos)
      << message;
  write("dense 6x2\n");
  read = readTileFile((dir + "/bad.txt").str());
  ASSERT_FALSE(bool(read));
  EXPECT_NE(errorOf(read.takeError()).find("bad.txt:1: expected 'KEY TILE'"),
            std::string::npos);
  // Keys never carry the table text's separators.
  write("mm?x1=2;mm?x2 6x2\n");
  read = readTileFile((dir + "/bad.txt").str());
  ASSERT_FALSE(bool(read));
  EXPECT_NE(errorOf(read.takeError()).find("bad.txt:1: expected 'KEY TILE'"),
            std::string::npos);
  // Tabs separate too; CRLF line ends are fine.
  llvm::Expected<TileTable> tabbed =
      parseTileFile("mm*\t4x3\r\nmm?x10x128.ew  12x1 # note\r\n", "t");
  ASSERT_TRUE(bool(tabbed)) << errorOf(tabbed.takeError());
  EXPECT_EQ(tabbed->size(), 2u);
  EXPECT_EQ(tabbed->at("mm*"), (TileChoice{4, 3}));
  read = readTileFile((dir + "/missing.txt").str());
  ASSERT_FALSE(bool(read));
  EXPECT_NE(errorOf(read.takeError()).find("missing.txt"), std::string::npos);
}

TEST(TileFilePath, OnlyForTheHostCPU) {
  TargetOptions host;
  std::string path = tileFilePath("/cache", host);
  EXPECT_EQ(path.rfind("/cache/tiles/", 0), 0u) << path;
  EXPECT_NE(path.find(".txt"), std::string::npos);
  TargetOptions other;
  other.cpu = "znver4";
  EXPECT_EQ(tileFilePath("/cache", other), "");
  TargetOptions gpu;
  gpu.gpuChip = "sm_90a";
  EXPECT_EQ(tileFilePath("/cache", gpu), "");
  EXPECT_EQ(tileFilePath("", host), "");
}

} // namespace
