//===- Augment.h - random image augmentation of a batch ---------*- C++ -*-===//
//
// Part of the mlc runtime. What Keras's preprocessing layers do to training
// images, as one affine map per image about its center: RandomRotation,
// RandomZoom, RandomTranslation and RandomFlip("horizontal"), sampled
// bilinearly, with Keras's default fill (reflect) or a constant. Each
// image's draws depend only on the seed, the epoch and the image's position
// in the epoch, so an augmented run is reproducible whatever thread
// prepares the batch.
//
//===----------------------------------------------------------------------===//

#ifndef MLC_RUNTIME_AUGMENT_H
#define MLC_RUNTIME_AUGMENT_H

#include <cstdint>
#include <string>

namespace mlc::runtime {

struct AugmentOptions {
  double translate = 0; ///< up to this fraction of the height and width
  double rotate = 0;    ///< up to this many degrees either way
  double zoom = 0;      ///< scale in [1 - zoom, 1 + zoom]
  bool flip = false;    ///< left-right, half of the images
  enum class Fill { Reflect, Constant, Nearest } fill = Fill::Reflect;

  bool enabled() const {
    return translate > 0 || rotate > 0 || zoom > 0 || flip;
  }
};

/// Parses "translate=0.1,rotate=10,zoom=0.1,flip[,fill=constant]"; on an
/// error, returns false and says why in `error`.
bool parseAugment(const std::string &text, AugmentOptions &options,
                  std::string &error);

/// Augments `n` images of `height` x `width` x `channels` floats in place
/// (row-major, channels last). `first` is the position of image 0 in the
/// epoch; `fillValue` is what a constant fill writes (the normalized value
/// of a black pixel).
void augmentBatch(float *images, int64_t n, int64_t height, int64_t width,
                  int64_t channels, const AugmentOptions &options,
                  uint64_t seed, int64_t epoch, int64_t first, float fillValue);

} // namespace mlc::runtime

#endif // MLC_RUNTIME_AUGMENT_H
