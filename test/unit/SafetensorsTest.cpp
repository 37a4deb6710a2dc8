//===- SafetensorsTest.cpp - the one checkpoint reader and writer ---------===//
//
// runtime/Safetensors.h wraps the runtime core's reader and writer, which
// model libraries embed: the wrapper and the core write the same bytes,
// files round-trip, and every kind of bad file is refused with a message
// that names the file and the problem, never a crash.
//
//===----------------------------------------------------------------------===//

#include "runtime/Safetensors.h"
#include "runtime/core/safetensors.h"

#include "llvm/Support/FileSystem.h"
#include "llvm/Support/MemoryBuffer.h"

#include <gtest/gtest.h>

#include <cstring>
#include <fstream>

using namespace mlc;

namespace {

class SafetensorsTest : public testing::Test {
protected:
  void SetUp() override {
    llvm::SmallString<128> dir;
    ASSERT_FALSE(llvm::sys::fs::createUniqueDirectory("mlc-st-test", dir));
    directory = dir.str().str();
  }
  void TearDown() override { llvm::sys::fs::remove_directories(directory); }

  std::string path(const std::string &name) { return directory + "/" + name; }

  std::string contents(const std::string &file) {
    auto buffer = llvm::MemoryBuffer::getFile(file);
    EXPECT_TRUE(bool(buffer)) << file;
    return buffer ? (*buffer)->getBuffer().str() : "";
  }

  /// Writes an 8-byte length, `header` and `payload` bytes.
  std::string writeRaw(const std::string &header, size_t payload = 0,
                       uint64_t length = UINT64_MAX) {
    if (length == UINT64_MAX)
      length = header.size();
    std::string bytes(8, '\0');
    for (int k = 0; k < 8; ++k)
      bytes[k] = char(length >> (8 * k));
    bytes += header + std::string(payload, '\0');
    std::string file = path("raw.safetensors");
    std::ofstream(file, std::ios::binary)
        .write(bytes.data(), std::streamsize(bytes.size()));
    return file;
  }

  /// Reading `file` fails with a message naming it and containing `what`.
  void expectRefused(const std::string &file, const std::string &what) {
    runtime::Safetensors read;
    std::string error;
    EXPECT_FALSE(runtime::readSafetensors(file, read, error)) << what;
    EXPECT_EQ(error.rfind(file + ": ", 0), 0u) << error;
    EXPECT_NE(error.find(what), std::string::npos)
        << "expected: " << what << "\n     got: " << error;
  }

  static runtime::Safetensors example() {
    runtime::Safetensors file;
    file.metadata = {{"format", "mlc"}, {"step", "7"}, {"epoch", "2"}};
    file.tensors.push_back({"dense.kernel", "F32", {2, 3}, {}});
    file.tensors.back().data.resize(24);
    for (size_t i = 0; i < 24; ++i)
      file.tensors.back().data[i] = uint8_t(i * 5);
    // A name that needs escapes.
    file.tensors.push_back({"odd \"name\"\\\x01", "I64", {}, {}});
    file.tensors.back().data.assign(8, 0x11);
    file.tensors.push_back({"empty", "F32", {0, 4}, {}});
    return file;
  }

  std::string directory;
};

TEST_F(SafetensorsTest, WrapperAndCoreWriteTheSameBytes) {
  runtime::Safetensors file = example();
  std::string error;
  ASSERT_TRUE(runtime::writeSafetensors(path("cpp.safetensors"), file, error))
      << error;

  // The same content through the core, metadata in another order: the
  // writer sorts the keys, as the library's save relies on.
  mlc_metadata_entry metadata[] = {
      {"step", "7"}, {"epoch", "2"}, {"format", "mlc"}};
  std::vector<mlc_stored_tensor> tensors;
  for (const runtime::StoredTensor &t : file.tensors)
    tensors.push_back({t.name.c_str(), t.dtype.c_str(), t.shape.size(),
                       t.shape.data(), t.data.data(), t.data.size()});
  mlc_safetensors core{};
  core.metadata = metadata;
  core.numMetadata = 3;
  core.tensors = tensors.data();
  core.numTensors = tensors.size();
  char why[256];
  ASSERT_EQ(mlcSafetensorsWrite(path("core.safetensors").c_str(), &core, 0644,
                                why, sizeof why),
            MLC_CORE_OK)
      << why;

  std::string bytes = contents(path("cpp.safetensors"));
  EXPECT_EQ(bytes, contents(path("core.safetensors")));
  // The header as mlc has always written it: metadata first, keys sorted,
  // tensors in order, spaces up to 8 bytes.
  std::string header =
      "{\"__metadata__\":{\"epoch\":\"2\",\"format\":\"mlc\",\"step\":\"7\"},"
      "\"dense.kernel\":{\"dtype\":\"F32\",\"shape\":[2,3],"
      "\"data_offsets\":[0,24]},"
      "\"odd \\\"name\\\"\\\\\\u0001\":{\"dtype\":\"I64\",\"shape\":[],"
      "\"data_offsets\":[24,32]},"
      "\"empty\":{\"dtype\":\"F32\",\"shape\":[0,4],\"data_offsets\":[32,32]}}";
  header.append((8 - header.size() % 8) % 8, ' ');
  ASSERT_GE(bytes.size(), 8 + header.size());
  uint64_t length = 0;
  for (int k = 7; k >= 0; --k)
    length = length << 8 | uint8_t(bytes[k]);
  EXPECT_EQ(length, header.size());
  EXPECT_EQ(bytes.substr(8, header.size()), header);
  EXPECT_EQ(bytes.size(), 8 + header.size() + 32);
}

TEST_F(SafetensorsTest, FilesRoundTrip) {
  runtime::Safetensors file = example(), read;
  std::string error;
  ASSERT_TRUE(runtime::writeSafetensors(path("a.safetensors"), file, error));
  ASSERT_TRUE(runtime::readSafetensors(path("a.safetensors"), read, error))
      << error;
  EXPECT_EQ(read.metadata, file.metadata);
  ASSERT_EQ(read.tensors.size(), file.tensors.size());
  for (size_t i = 0; i < file.tensors.size(); ++i) {
    EXPECT_EQ(read.tensors[i].name, file.tensors[i].name);
    EXPECT_EQ(read.tensors[i].dtype, file.tensors[i].dtype);
    EXPECT_EQ(read.tensors[i].shape, file.tensors[i].shape);
    EXPECT_EQ(read.tensors[i].data, file.tensors[i].data);
  }
  ASSERT_NE(read.find("empty"), nullptr);
  EXPECT_EQ(read.find("absent"), nullptr);
  EXPECT_EQ(mlcDtypeSize("BF16"), 2);
  EXPECT_EQ(mlcDtypeSize("F8"), 0);
}

TEST_F(SafetensorsTest, EscapesDecodeAsJsonDefinesThem) {
  runtime::Safetensors read;
  std::string error;
  ASSERT_TRUE(runtime::readSafetensors(
      writeRaw("{\"__metadata__\":{\"k\":\"\\u00e9\\n\\/\\ud83d\\ude00\\t\"}}"),
      read, error))
      << error;
  EXPECT_EQ(read.metadata["k"], "\xc3\xa9\n/\xf0\x9f\x98\x80\t");
  ASSERT_TRUE(runtime::readSafetensors(writeRaw(" { } \n "), read, error))
      << error;
  EXPECT_TRUE(read.tensors.empty() && read.metadata.empty());
}

TEST_F(SafetensorsTest, BadFilesAreRefusedWithTheirProblem) {
  const std::string entry = "{\"dtype\":\"F32\",\"shape\":[1],"
                            "\"data_offsets\":[0,4]}";
  expectRefused(path("missing.safetensors"),
                "cannot read (No such file or directory)");
  expectRefused(path(""), "cannot read (a directory, not a regular file)");
  std::ofstream(path("tiny.safetensors")) << "abc";
  expectRefused(path("tiny.safetensors"), "too few for the 8-byte header");
  expectRefused(writeRaw("{}", 0, 1000), "header length (1000) runs past");
  expectRefused(writeRaw(std::string(100000, '[')),
                "nesting deeper than 64 levels");
  std::string deep;
  for (int i = 0; i < 100000; ++i)
    deep += "{\"a\":";
  expectRefused(writeRaw(deep), "nesting deeper than 64 levels");
  expectRefused(writeRaw("[]"), "the header is not a JSON object");
  expectRefused(writeRaw("{\"w\":" + entry + ",\"w\":" + entry + "}", 4),
                "the header names w twice");
  expectRefused(writeRaw("{\"w\":{\"dtype\":\"F32\",\"dtype\":\"F32\"}}"),
                "the header names dtype twice in the object at byte 5");
  expectRefused(writeRaw("{\"__metadata__\":{\"k\":\"a\",\"k\":\"b\"}}"),
                "names k twice");
  expectRefused(writeRaw("{\"__metadata__\":[]}"),
                "__metadata__ is not an object");
  expectRefused(writeRaw("{\"__metadata__\":{\"k\":1}}"),
                "metadata value 'k' is not a string");
  expectRefused(writeRaw("{\"w\":{\"dtype\":\"F64\",\"shape\":[4294967296,"
                         "4294967296],\"data_offsets\":[0,0]}}"),
                "tensor 'w' has a shape too large to address");
  expectRefused(writeRaw("{\"w\":" + entry + "}", 3),
                "tensor 'w' (F32, bytes 0..4) does not fit the 3 data bytes");
  expectRefused(writeRaw("{\"w\":{\"dtype\":\"F32\",\"shape\":[2],"
                         "\"data_offsets\":[0,4]}}",
                         4),
                "tensor 'w' has 4 bytes for 2 F32 values");
  expectRefused(writeRaw("{\"w\":{\"dtype\":\"F8\",\"shape\":[],"
                         "\"data_offsets\":[0,1]}}",
                         1),
                "tensor 'w' has unknown dtype 'F8'");
  expectRefused(writeRaw("{\"w\":{\"shape\":[],\"data_offsets\":[0,1]}}", 1),
                "tensor 'w' lacks a known dtype, a shape or data_offsets");
  expectRefused(writeRaw("{\"w\":3}"), "tensor 'w' lacks a known dtype");
  expectRefused(writeRaw("{\"w\":{\"dtype\":\"F32\",\"shape\":[-1],"
                         "\"data_offsets\":[0,0]}}"),
                "tensor 'w' has a bad shape");
  expectRefused(writeRaw("{\"w\":{\"dtype\":\"F32\",\"shape\":[],"
                         "\"data_offsets\":[0,4,8]}}",
                         8),
                "tensor 'w' has data_offsets that are not two integers");
  // JSON syntax, with where it went wrong.
  expectRefused(writeRaw("{} x"), "malformed JSON header (trailing characters "
                                  "at byte 3)");
  expectRefused(writeRaw("x"), "malformed JSON header (unexpected character "
                               "at byte 0)");
  expectRefused(writeRaw("{\"a\":true}"), "unexpected character at byte 5");
  expectRefused(writeRaw("{\"a\":1.5}"), "a number that is not an integer");
  expectRefused(writeRaw("{\"a\":99999999999999999999}"),
                "a number out of range");
  expectRefused(writeRaw("{\"a\":[1,]}"), "unexpected character at byte 8");
  expectRefused(writeRaw("{\"a\" 1}"), "expected ':' at byte 5");
  expectRefused(writeRaw("{\"a\":1 \"b\":2}"), "expected ',' or '}' at byte 7");
  expectRefused(writeRaw("{\"a\":\"\\q\"}"), "a bad escape");
  expectRefused(writeRaw("{\"a\":\"\\u12g4\"}"), "a bad \\u escape");
  expectRefused(writeRaw("{\"a\":\"\\ud800\"}"), "an unpaired surrogate");
  expectRefused(writeRaw("{\"a\":\"\\u0000\"}"), "a NUL character");
  expectRefused(writeRaw("{\"a\":\"x\ny\"}"), "a control character");
  expectRefused(writeRaw("{\"a\":\"x"), "an unterminated string");
  expectRefused(writeRaw(""), "unexpected end at byte 0");
}

TEST_F(SafetensorsTest, LargeZeroSizedShapesAreFine) {
  runtime::Safetensors read;
  std::string error;
  EXPECT_TRUE(runtime::readSafetensors(
      writeRaw("{\"w\":{\"dtype\":\"F64\",\"shape\":[0,9223372036854775807,"
               "9223372036854775807],\"data_offsets\":[0,0]}}"),
      read, error))
      << error;
}

// Every truncation and many single-byte changes of a good file: each is
// read or refused, never a crash (the sanitizer builds make this sharper).
TEST_F(SafetensorsTest, DamagedFilesNeverCrash) {
  std::string error;
  ASSERT_TRUE(
      runtime::writeSafetensors(path("good.safetensors"), example(), error));
  std::string good = contents(path("good.safetensors"));
  auto readBytes = [&](const std::string &bytes) {
    // A new file each time: ext4 flushes a file truncated and rewritten.
    llvm::sys::fs::remove(path("bad.safetensors"));
    std::ofstream(path("bad.safetensors"), std::ios::binary)
        .write(bytes.data(), std::streamsize(bytes.size()));
    runtime::Safetensors read;
    std::string why;
    if (!runtime::readSafetensors(path("bad.safetensors"), read, why)) {
      EXPECT_FALSE(why.empty());
    }
  };
  for (size_t n = 0; n < good.size(); ++n)
    readBytes(good.substr(0, n));
  uint32_t seed = 1;
  for (int i = 0; i < 3000; ++i) {
    std::string bytes = good;
    seed = seed * 1664525u + 1013904223u;
    size_t at = (seed >> 8) % bytes.size();
    seed = seed * 1664525u + 1013904223u;
    bytes[at] = char("{}[]\",:\\u0 -9ax\x01"[(seed >> 8) % 17]);
    readBytes(bytes);
  }
}

} // namespace
