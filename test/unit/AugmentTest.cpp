//===- AugmentTest.cpp - random image augmentation ------------------------===//
//
// runtime/Augment: the option parser's errors, identity when nothing is
// enabled, exact flips, translations that move a pattern by whole pixels
// within the drawn range, rotations that keep the center, reflect and
// constant fills, and draws that depend only on (seed, epoch, image).
//
//===----------------------------------------------------------------------===//

#include "runtime/Augment.h"

#include <gtest/gtest.h>

#include <cmath>
#include <vector>

using namespace mlc::runtime;

namespace {

std::vector<float> ramp(int64_t n, int64_t h, int64_t w) {
  std::vector<float> v(n * h * w);
  for (size_t i = 0; i < v.size(); ++i)
    v[i] = float(i % (h * w)) / float(h * w);
  return v;
}

AugmentOptions parsed(const std::string &text) {
  AugmentOptions o;
  std::string error;
  EXPECT_TRUE(parseAugment(text, o, error)) << error;
  return o;
}

TEST(AugmentTest, ParsesOptionsAndRejectsBadOnes) {
  AugmentOptions o =
      parsed("translate=0.1,rotate=10,zoom=0.2,flip,fill=constant");
  EXPECT_EQ(o.translate, 0.1);
  EXPECT_EQ(o.rotate, 10);
  EXPECT_EQ(o.zoom, 0.2);
  EXPECT_TRUE(o.flip);
  EXPECT_EQ(o.fill, AugmentOptions::Fill::Constant);
  EXPECT_FALSE(parsed("").enabled());
  std::string error;
  EXPECT_FALSE(parseAugment("rotate=200", o, error));
  EXPECT_EQ(error, "rotate takes a number in [0, 180] (degrees), got '200'");
  EXPECT_FALSE(parseAugment("translate=x", o, error));
  EXPECT_EQ(error, "translate takes a number in [0, 1] (a fraction), got 'x'");
  EXPECT_FALSE(parseAugment("shear=0.1", o, error));
  EXPECT_NE(error.find("unknown augmentation 'shear=0.1'"), std::string::npos);
  EXPECT_FALSE(parseAugment("fill=wrap", o, error));
  EXPECT_EQ(error, "fill must be reflect, constant or nearest, not 'wrap'");
}

TEST(AugmentTest, NothingEnabledIsTheIdentity) {
  std::vector<float> a = ramp(3, 5, 6), b = a;
  augmentBatch(b.data(), 3, 5, 6, 1, AugmentOptions(), 1, 0, 0, 0.0f);
  EXPECT_EQ(a, b);
}

TEST(AugmentTest, FlipMirrorsAboutHalfTheImages) {
  const int64_t n = 200, h = 4, w = 5;
  std::vector<float> a = ramp(n, h, w), b = a;
  augmentBatch(b.data(), n, h, w, 1, parsed("flip"), 3, 1, 0, 0.0f);
  int flipped = 0;
  for (int64_t i = 0; i < n; ++i) {
    bool same = true, mirrored = true;
    for (int64_t y = 0; y < h; ++y)
      for (int64_t x = 0; x < w; ++x) {
        float got = b[(i * h + y) * w + x];
        same &= got == a[(i * h + y) * w + x];
        mirrored &= got == a[(i * h + y) * w + (w - 1 - x)];
      }
    EXPECT_TRUE(same || mirrored) << i;
    flipped += mirrored;
  }
  EXPECT_GT(flipped, 70);
  EXPECT_LT(flipped, 130);
}

// A translation moves the image by at most translate x size, bilinearly:
// the centroid of one bright pixel moves by the shift, within the range.
TEST(AugmentTest, TranslationMovesWithinItsRange) {
  const int64_t n = 50, h = 20, w = 20;
  std::vector<float> img(n * h * w, 0.0f);
  for (int64_t i = 0; i < n; ++i)
    img[(i * h + 10) * w + 10] = 1.0f;
  augmentBatch(img.data(), n, h, w, 1, parsed("translate=0.2,fill=constant"), 5,
               0, 0, 0.0f);
  bool moved = false;
  for (int64_t i = 0; i < n; ++i) {
    double sum = 0, cy = 0, cx = 0;
    for (int64_t y = 0; y < h; ++y)
      for (int64_t x = 0; x < w; ++x) {
        double v = img[(i * h + y) * w + x];
        sum += v, cy += v * y, cx += v * x;
      }
    ASSERT_NEAR(sum, 1.0, 1e-5) << i; // bilinear weights sum to 1
    cy /= sum, cx /= sum;
    EXPECT_LE(std::abs(cy - 10), 0.2 * h + 1e-9) << i;
    EXPECT_LE(std::abs(cx - 10), 0.2 * w + 1e-9) << i;
    moved |= std::abs(cy - 10) > 1 || std::abs(cx - 10) > 1;
  }
  EXPECT_TRUE(moved);
}

// Rotation and zoom are about the center: a uniform image stays uniform
// (reflect fill), and the center pixel of an odd image stays put.
TEST(AugmentTest, RotationAndZoomKeepTheCenter) {
  const int64_t n = 20, h = 9, w = 9;
  std::vector<float> flat(n * h * w, 0.25f);
  augmentBatch(flat.data(), n, h, w, 1, parsed("rotate=30,zoom=0.3"), 1, 2, 0,
               -1.0f);
  for (float v : flat)
    ASSERT_NEAR(v, 0.25f, 1e-6);
  std::vector<float> img = ramp(n, h, w), orig = img;
  augmentBatch(img.data(), n, h, w, 1, parsed("rotate=45,zoom=0.2"), 1, 2, 0,
               0.0f);
  for (int64_t i = 0; i < n; ++i)
    EXPECT_NEAR(img[(i * h + 4) * w + 4], orig[(i * h + 4) * w + 4], 1e-5);
}

TEST(AugmentTest, DrawsDependOnSeedEpochAndPositionOnly) {
  const int64_t h = 8, w = 8;
  AugmentOptions o = parsed("translate=0.1,rotate=10,zoom=0.1,flip");
  std::vector<float> whole = ramp(6, h, w);
  augmentBatch(whole.data(), 6, h, w, 1, o, 9, 3, 100, 0.0f);
  // The same images in two batches (first at position 100, then 103).
  std::vector<float> parts = ramp(6, h, w);
  augmentBatch(parts.data(), 3, h, w, 1, o, 9, 3, 100, 0.0f);
  augmentBatch(parts.data() + 3 * h * w, 3, h, w, 1, o, 9, 3, 103, 0.0f);
  EXPECT_EQ(whole, parts);
  std::vector<float> otherEpoch = ramp(6, h, w);
  augmentBatch(otherEpoch.data(), 6, h, w, 1, o, 9, 4, 100, 0.0f);
  EXPECT_NE(whole, otherEpoch);
}

} // namespace
