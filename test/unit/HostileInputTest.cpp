//===- HostileInputTest.cpp - readers and writers facing bad files --------===//
//
// What comes from outside is checked before it is trusted: IDX headers
// against the bytes that follow, gzip data whole (CRC, length, nothing
// after it), only regular files read (a device or FIFO can't feed an
// endless read or block), and atomic writes never rename over a device
// node or a symbolic link. Each case here was a crash, hang or clobbered
// file before (issue "hostile input").
//
//===----------------------------------------------------------------------===//

#include "compiler/Driver/ObjectCode.h"
#include "runtime/IDX.h"
#include "runtime/Safetensors.h"
#include "runtime/core/files.h"

#include "llvm/Support/FileSystem.h"

#include <gtest/gtest.h>

#include <zlib.h>

#include <cstdlib>
#include <fstream>

#include <sys/stat.h>
#include <unistd.h>

using namespace mlc;

namespace {

using Bytes = std::vector<uint8_t>;

/// An IDX file of unsigned bytes: magic, the dims, then `payload` bytes.
Bytes idx(std::vector<uint32_t> dims, size_t payload) {
  Bytes b = {0, 0, 0x08, uint8_t(dims.size())};
  for (uint32_t d : dims)
    for (int k = 3; k >= 0; --k)
      b.push_back(uint8_t(d >> (8 * k)));
  for (size_t i = 0; i < payload; ++i)
    b.push_back(uint8_t(i * 7));
  return b;
}

Bytes gzip(const Bytes &raw) {
  z_stream s{};
  EXPECT_EQ(
      deflateInit2(&s, 6, Z_DEFLATED, 16 + MAX_WBITS, 8, Z_DEFAULT_STRATEGY),
      Z_OK);
  Bytes out(deflateBound(&s, raw.size()));
  s.next_in = const_cast<uint8_t *>(raw.data());
  s.avail_in = unsigned(raw.size());
  s.next_out = out.data();
  s.avail_out = unsigned(out.size());
  EXPECT_EQ(deflate(&s, Z_FINISH), Z_STREAM_END);
  out.resize(s.total_out);
  deflateEnd(&s);
  return out;
}

/// parseIdx refuses `bytes` with a message containing `what`.
void expectRefused(const Bytes &bytes, int rank, const std::string &what) {
  runtime::IdxArray array;
  std::string error;
  EXPECT_FALSE(
      runtime::parseIdx(bytes.data(), bytes.size(), rank, array, error))
      << what;
  EXPECT_NE(error.find(what), std::string::npos)
      << "expected: " << what << "\n     got: " << error;
}

TEST(HostileInputTest, IdxHeadersAreCheckedAgainstThePayload) {
  runtime::IdxArray array;
  std::string error;
  Bytes good = idx({3, 2, 2}, 12);
  ASSERT_TRUE(runtime::parseIdx(good.data(), good.size(), 3, array, error))
      << error;
  EXPECT_EQ(array.dims, (std::vector<int64_t>{3, 2, 2}));
  EXPECT_EQ(array.data[11], uint8_t(77));

  // Counts the file can't hold are refused before any allocation: no
  // gigabytes reserved for a 100-byte file.
  expectRefused(idx({0x7fffffff, 28, 28}, 100), 3,
                "the header promises 2147483647 x 28 x 28 values, more than "
                "the 116-byte file can hold");
  // 2^31 x 2^31 x 4 wraps to 0 in 64 bits.
  expectRefused(idx({0x80000000u, 0x80000000u, 4}, 16), 3,
                "the header "
                "promises");
  expectRefused(idx({3, 2, 2}, 11), 3, "more than the 27-byte file");
  expectRefused(idx({3, 2, 2}, 13), 3, "unexpected data after 12 values");
  expectRefused(Bytes{0, 0, 8, 3, 0, 0}, 3, "file is truncated");
  expectRefused(idx({3}, 3), 3, "not an IDX file of unsigned bytes with 3");
  expectRefused({}, 1, "file is truncated");
}

TEST(HostileInputTest, CachedObjectSetsAreCheckedBeforeUse) {
  // A compile cache entry holds the JIT's object files (one per part it
  // compiled in parallel), joined: count, then size and bytes of each.
  mlc::ObjectFiles objects;
  objects.push_back(llvm::MemoryBuffer::getMemBufferCopy("first object"));
  objects.push_back(llvm::MemoryBuffer::getMemBufferCopy("second"));
  std::string blob = mlc::joinObjectFiles(objects);
  auto back = mlc::splitObjectFiles(blob);
  ASSERT_TRUE(bool(back)) << llvm::toString(back.takeError());
  ASSERT_EQ(back->size(), 2u);
  EXPECT_EQ((*back)[0]->getBuffer(), "first object");
  EXPECT_EQ((*back)[1]->getBuffer(), "second");
  // Every cut, a flipped size byte, a trailing byte: errors, not reads
  // past the end.
  for (size_t n = 0; n < blob.size(); ++n) {
    auto cut = mlc::splitObjectFiles(llvm::StringRef(blob).take_front(n));
    EXPECT_FALSE(bool(cut)) << n;
    llvm::consumeError(cut.takeError());
  }
  std::string bad = blob;
  bad[8 + 8 + 7] = char(0x7f); // the first size's high byte
  auto huge = mlc::splitObjectFiles(bad);
  EXPECT_FALSE(bool(huge));
  llvm::consumeError(huge.takeError());
  auto trailing = mlc::splitObjectFiles(blob + "x");
  EXPECT_FALSE(bool(trailing));
  llvm::consumeError(trailing.takeError());
}

TEST(HostileInputTest, GzipDataMustBeWhole) {
  Bytes raw = idx({1000}, 1000);
  runtime::IdxArray array;
  std::string error;
  Bytes gz = gzip(raw);
  ASSERT_TRUE(runtime::parseIdx(gz.data(), gz.size(), 1, array, error))
      << error;
  EXPECT_EQ(Bytes(array.data.begin(), array.data.end()),
            Bytes(raw.begin() + 8, raw.end()));

  // A missing or cut trailer (its CRC and length unchecked) used to pass.
  expectRefused(Bytes(gz.begin(), gz.end() - 4), 1,
                "the compressed data is truncated");
  expectRefused(Bytes(gz.begin(), gz.end() - 8), 1,
                "the compressed data is truncated");
  Bytes badCrc = gz;
  badCrc[badCrc.size() - 8] ^= 1;
  expectRefused(badCrc, 1, "incorrect data check");
  Bytes badLength = gz;
  badLength[badLength.size() - 4] ^= 1;
  expectRefused(badLength, 1, "incorrect length check");
  // Garbage after the data used to be ignored.
  Bytes garbage = gz;
  garbage.insert(garbage.end(), {'j', 'u', 'n', 'k'});
  expectRefused(garbage, 1, "unexpected bytes after the compressed data");
  // Header counts are checked against the compressed size too.
  expectRefused(gzip(idx({0x7fffffff}, 10)), 1, "the header promises");

  // Several gzip members (as `cat a.gz b.gz` makes) are one file.
  Bytes first(raw.begin(), raw.begin() + 300),
      rest(raw.begin() + 300, raw.end());
  Bytes multi = gzip(first), second = gzip(rest);
  multi.insert(multi.end(), second.begin(), second.end());
  ASSERT_TRUE(runtime::parseIdx(multi.data(), multi.size(), 1, array, error))
      << error;
  EXPECT_EQ(Bytes(array.data.begin(), array.data.end()),
            Bytes(raw.begin() + 8, raw.end()));
}

class FilesTest : public testing::Test {
protected:
  void SetUp() override {
    llvm::SmallString<128> dir;
    ASSERT_FALSE(llvm::sys::fs::createUniqueDirectory("mlc-files-test", dir));
    directory = dir.str().str();
  }
  void TearDown() override { llvm::sys::fs::remove_directories(directory); }
  std::string path(const std::string &name) { return directory + "/" + name; }
  std::string directory;
};

TEST_F(FilesTest, OnlyRegularFilesAreRead) {
  std::string fifo = path("fifo");
  ASSERT_EQ(::mkfifo(fifo.c_str(), 0600), 0);
  // Each of these used to read forever (until "out of memory") or block.
  for (const std::string &file : {std::string("/dev/zero"), fifo, directory}) {
    unsigned char *bytes;
    size_t size;
    char why[256];
    EXPECT_EQ(mlcReadRegularFile(file.c_str(), UINT64_MAX, &bytes, &size, why,
                                 sizeof why),
              MLC_CORE_IO)
        << file;
    EXPECT_NE(std::string(why).find("not a regular file"), std::string::npos)
        << why;
    runtime::IdxArray array;
    std::string error;
    EXPECT_FALSE(runtime::readIdx(file, 1, array, error)) << file;
    EXPECT_EQ(error.rfind(file + ": cannot read the file (", 0), 0u) << error;
    runtime::Safetensors checkpoint;
    EXPECT_FALSE(runtime::readSafetensors(file, checkpoint, error));
    EXPECT_NE(error.find("not a regular file"), std::string::npos) << error;
  }
  std::string small = path("small");
  std::ofstream(small) << "0123456789";
  unsigned char *bytes;
  size_t size;
  char why[256];
  EXPECT_EQ(
      mlcReadRegularFile(small.c_str(), 9, &bytes, &size, why, sizeof why),
      MLC_CORE_IO);
  EXPECT_STREQ(why, "the file has 10 bytes, more than the 9 this reader takes");
  ASSERT_EQ(
      mlcReadRegularFile(small.c_str(), 10, &bytes, &size, why, sizeof why),
      MLC_CORE_OK);
  EXPECT_EQ(std::string(reinterpret_cast<char *>(bytes), size), "0123456789");
  EXPECT_EQ(bytes[size], 0);
  std::free(bytes);
}

TEST_F(FilesTest, WritesNeverReplaceLinksOrDevices) {
  runtime::Safetensors file;
  file.tensors.push_back({"w", "F32", {1}, {0, 0, 128, 63}});
  std::string target = path("target"), link = path("link");
  std::ofstream(target) << "keep me";
  ASSERT_EQ(::symlink(target.c_str(), link.c_str()), 0);
  std::string error;
  EXPECT_FALSE(runtime::writeSafetensors(link, file, error));
  EXPECT_NE(error.find("it is a symbolic link"), std::string::npos) << error;
  struct stat info;
  ASSERT_EQ(::lstat(link.c_str(), &info), 0);
  EXPECT_TRUE(S_ISLNK(info.st_mode));

  char why[256];
  EXPECT_EQ(mlcCheckReplaceable("/dev/full", why, sizeof why), MLC_CORE_IO);
  EXPECT_NE(std::string(why).find("a character device"), std::string::npos);
  EXPECT_EQ(mlcCheckReplaceable(directory.c_str(), why, sizeof why),
            MLC_CORE_IO);
  EXPECT_EQ(mlcCheckReplaceable(target.c_str(), why, sizeof why), MLC_CORE_OK);
  EXPECT_EQ(mlcCheckReplaceable(path("missing").c_str(), why, sizeof why),
            MLC_CORE_OK);
}

TEST_F(FilesTest, KilledSavesLeaveNoTemporariesBehind) {
  // What a save killed before its rename leaves, and look-alikes that are
  // someone else's.
  std::string save = path("ckpt.safetensors");
  for (const char *name :
       {"ckpt.safetensors.tmp-a1B2c3", "ckpt.safetensors.tmp-zzzzzz",
        "ckpt.safetensors.tmp-short", "other.safetensors.tmp-a1B2c3",
        "ckpt.safetensors.tmp-a1B2c3.keep"})
    std::ofstream(path(name)) << "partial";
  runtime::Safetensors file;
  file.tensors.push_back({"w", "F32", {1}, {0, 0, 128, 63}});
  std::string error;
  ASSERT_TRUE(runtime::writeSafetensors(save, file, error)) << error;
  EXPECT_FALSE(llvm::sys::fs::exists(path("ckpt.safetensors.tmp-a1B2c3")));
  EXPECT_FALSE(llvm::sys::fs::exists(path("ckpt.safetensors.tmp-zzzzzz")));
  EXPECT_TRUE(llvm::sys::fs::exists(path("ckpt.safetensors.tmp-short")));
  EXPECT_TRUE(llvm::sys::fs::exists(path("other.safetensors.tmp-a1B2c3")));
  EXPECT_TRUE(llvm::sys::fs::exists(path("ckpt.safetensors.tmp-a1B2c3.keep")));
  runtime::Safetensors read;
  EXPECT_TRUE(runtime::readSafetensors(save, read, error)) << error;
}

} // namespace
