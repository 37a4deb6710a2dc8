//===- CheckpointTest.cpp - runtime checkpoints ---------------------------===//
//
// saveCheckpoint and loadCheckpoint: a round trip gives back the bits, the
// iteration count and the metadata; the file holds params, states, then
// optimizer.iterations; a checkpoint of another model lists every mismatch
// and leaves the caller's buffers alone.
//
//===----------------------------------------------------------------------===//

#include "runtime/Checkpoint.h"
#include "runtime/Safetensors.h"

#include "llvm/ADT/SmallString.h"
#include "llvm/Support/FileSystem.h"

#include <gtest/gtest.h>

#include <cstring>
#include <map>
#include <string>
#include <vector>

using namespace mlc::runtime;

namespace {

class CheckpointTest : public ::testing::Test {
protected:
  void SetUp() override {
    llvm::SmallString<128> created;
    ASSERT_FALSE(
        llvm::sys::fs::createUniqueDirectory("mlc-checkpoint-test", created));
    dir = created.str().str();
  }
  void TearDown() override { llvm::sys::fs::remove_directories(dir); }
  std::string path(const char *name) const { return dir + "/" + name; }

  std::string dir;
  std::vector<float> kernel = {1, 2, 3, 4, 5, 6}, bias = {0.5f, -0.25f, 7},
                     moment = {1e-30f, -0.0f, 3.25f};

  Checkpoint model(std::vector<float> &k, std::vector<float> &b,
                   std::vector<float> &m) {
    Checkpoint c;
    c.model = "tiny";
    c.params = {{"dense.kernel", {2, 3}, k.data()},
                {"dense.bias", {3}, b.data()}};
    c.states = {{"dense.bias.m", {3}, m.data()}};
    return c;
  }
};

TEST_F(CheckpointTest, RoundTripKeepsBitsCountAndMetadata) {
  Checkpoint saved = model(kernel, bias, moment);
  saved.iterations = 42;
  saved.metadata = {{"epoch", "3"}, {"note", "kept"}};
  std::string error;
  ASSERT_TRUE(saveCheckpoint(path("c.safetensors"), saved, error)) << error;

  Safetensors file;
  ASSERT_TRUE(readSafetensors(path("c.safetensors"), file, error)) << error;
  std::vector<std::string> names;
  for (const StoredTensor &t : file.tensors)
    names.push_back(t.name);
  EXPECT_EQ(names,
            (std::vector<std::string>{"dense.kernel", "dense.bias",
                                      "dense.bias.m", "optimizer.iterations"}));

  std::vector<float> k(6), b(3), m(3);
  Checkpoint loaded = model(k, b, m);
  ASSERT_TRUE(loadCheckpoint(path("c.safetensors"), loaded, true, error))
      << error;
  EXPECT_EQ(k, kernel);
  EXPECT_EQ(b, bias);
  EXPECT_EQ(std::memcmp(m.data(), moment.data(), 12), 0); // -0.0 too
  EXPECT_EQ(loaded.iterations, 42);
  EXPECT_EQ(loaded.metadata,
            (std::map<std::string, std::string>{{"epoch", "3"},
                                                {"format", "mlc"},
                                                {"model", "tiny"},
                                                {"note", "kept"},
                                                {"step", "42"}}));

  // Params only: the optimizer state and the count stay the caller's.
  std::vector<float> k2(6), b2(3), m2(3, 9.0f);
  Checkpoint paramsOnly = model(k2, b2, m2);
  ASSERT_TRUE(loadCheckpoint(path("c.safetensors"), paramsOnly, false, error))
      << error;
  EXPECT_EQ(k2, kernel);
  EXPECT_EQ(m2, std::vector<float>(3, 9.0f));
  EXPECT_EQ(paramsOnly.iterations, 0);
}

TEST_F(CheckpointTest, MismatchesAreListedAndNothingIsWritten) {
  Checkpoint saved = model(kernel, bias, moment);
  std::string error;
  ASSERT_TRUE(saveCheckpoint(path("c.safetensors"), saved, error)) << error;

  std::vector<float> k(6, -1.0f), other(4, -1.0f), m(3, -1.0f);
  Checkpoint wanted;
  wanted.model = "other";
  wanted.params = {{"dense.kernel", {3, 2}, k.data()},
                   {"out.kernel", {4}, other.data()}};
  wanted.states = {{"dense.bias.m", {3}, m.data()}};
  EXPECT_FALSE(loadCheckpoint(path("c.safetensors"), wanted, true, error));
  EXPECT_EQ(error, path("c.safetensors") +
                       ": checkpoint does not match model @other (it was "
                       "written for @tiny):"
                       "\n  dense.kernel is F32 [2, 3], the model needs F32 "
                       "[3, 2]"
                       "\n  missing out.kernel F32 [4]"
                       "\n  unexpected dense.bias");
  // dense.bias.m matched, but nothing is copied while anything does not.
  EXPECT_EQ(m, std::vector<float>(3, -1.0f));
  EXPECT_EQ(k, std::vector<float>(6, -1.0f));

  // Optimizer state without its step count.
  Safetensors file;
  ASSERT_TRUE(readSafetensors(path("c.safetensors"), file, error));
  file.tensors.pop_back();
  file.metadata.erase("model");
  ASSERT_TRUE(writeSafetensors(path("n.safetensors"), file, error));
  std::vector<float> k2(6), b2(3), m2(3);
  Checkpoint same = model(k2, b2, m2);
  EXPECT_FALSE(loadCheckpoint(path("n.safetensors"), same, true, error));
  EXPECT_EQ(error, path("n.safetensors") +
                       ": checkpoint does not match model @tiny:"
                       "\n  missing optimizer.iterations I64 []");
  EXPECT_TRUE(loadCheckpoint(path("n.safetensors"), same, false, error))
      << error;

  // Step counts that are not counts: negative (Adam's step size would be
  // NaN), or so large that the next step overflows; 2^53 is the limit.
  ASSERT_TRUE(readSafetensors(path("c.safetensors"), file, error));
  for (int64_t steps : {int64_t(-5), INT64_MIN, INT64_MAX,
                        (int64_t(1) << 53) + 1, int64_t(1) << 53}) {
    std::memcpy(file.tensors.back().data.data(), &steps, 8);
    ASSERT_TRUE(writeSafetensors(path("steps.safetensors"), file, error));
    bool fits = steps == int64_t(1) << 53;
    EXPECT_EQ(loadCheckpoint(path("steps.safetensors"), same, true, error),
              fits)
        << steps;
    if (!fits) {
      EXPECT_EQ(error, path("steps.safetensors") +
                           ": checkpoint does not match model @tiny (it was "
                           "written for @tiny):\n  optimizer.iterations is "
                           "not a count (I64 [] in [0, 2^53])");
    }
  }
}

TEST_F(CheckpointTest, UnwritablePathIsAnError) {
  Checkpoint saved = model(kernel, bias, moment);
  std::string error;
  EXPECT_FALSE(saveCheckpoint(path("no/such/dir/c.safetensors"), saved, error));
  EXPECT_EQ(error, path("no/such/dir/c.safetensors") +
                       ": cannot write (No such file or directory)");
}

} // namespace
