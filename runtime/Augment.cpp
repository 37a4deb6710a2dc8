//===- Augment.cpp - random image augmentation of a batch -----------------===//

#include "runtime/Augment.h"

#include <cmath>
#include <cstdlib>
#include <sstream>
#include <vector>

namespace mlc::runtime {

namespace {

uint64_t mix(uint64_t z) {
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
  return z ^ (z >> 31);
}

/// Uniform numbers in [0, 1) for one image: a counter-based stream keyed by
/// (seed, epoch, image).
struct Draws {
  uint64_t key, counter = 0;
  Draws(uint64_t seed, int64_t epoch, int64_t image)
      : key(mix(mix(seed ^ 0x6A09E667F3BCC909ull) +
                uint64_t(epoch) * 0x9E3779B97F4A7C15ull) +
            uint64_t(image)) {}
  double next() {
    uint64_t bits = mix(key + (++counter) * 0x9E3779B97F4A7C15ull);
    return double(bits >> 11) * 0x1.0p-53;
  }
  double symmetric(double limit) { return (2 * next() - 1) * limit; }
};

/// A source coordinate outside [0, size) mapped back as the fill says;
/// -1 for a constant fill.
double wrap(double v, int64_t size, AugmentOptions::Fill fill) {
  double last = double(size - 1);
  if (v >= 0 && v <= last)
    return v;
  switch (fill) {
  case AugmentOptions::Fill::Constant:
    return -1;
  case AugmentOptions::Fill::Nearest:
    return v < 0 ? 0 : last;
  case AugmentOptions::Fill::Reflect: {
    // d c b a | a b c d | d c b a (the edge pixel repeats), as Keras's
    // "reflect" on a half-pixel grid.
    double period = 2.0 * size;
    double t = std::fmod(v + 0.5, period);
    if (t < 0)
      t += period;
    t = t < size ? t : period - t;
    return std::min(std::max(t - 0.5, 0.0), last);
  }
  }
  return v;
}

} // namespace

bool parseAugment(const std::string &text, AugmentOptions &options,
                  std::string &error) {
  options = AugmentOptions();
  std::stringstream items(text);
  std::string item;
  while (std::getline(items, item, ',')) {
    if (item.empty())
      continue;
    size_t eq = item.find('=');
    std::string key = item.substr(0, eq);
    std::string value = eq == std::string::npos ? "" : item.substr(eq + 1);
    if (key == "flip" && value.empty()) {
      options.flip = true;
      continue;
    }
    if (key == "fill") {
      if (value == "reflect")
        options.fill = AugmentOptions::Fill::Reflect;
      else if (value == "constant")
        options.fill = AugmentOptions::Fill::Constant;
      else if (value == "nearest")
        options.fill = AugmentOptions::Fill::Nearest;
      else {
        error =
            "fill must be reflect, constant or nearest, not '" + value + "'";
        return false;
      }
      continue;
    }
    char *end = nullptr;
    double number = std::strtod(value.c_str(), &end);
    bool numeric =
        !value.empty() && end && *end == '\0' && std::isfinite(number);
    double limit = key == "rotate" ? 180.0 : 1.0;
    if ((key == "translate" || key == "rotate" || key == "zoom") &&
        (!numeric || number < 0 || number > limit)) {
      error = key + " takes a number in [0, " +
              (key == "rotate" ? std::string("180] (degrees)")
                               : std::string("1] (a fraction)")) +
              ", got '" + value + "'";
      return false;
    }
    if (key == "translate")
      options.translate = number;
    else if (key == "rotate")
      options.rotate = number;
    else if (key == "zoom")
      options.zoom = number;
    else {
      error = "unknown augmentation '" + item +
              "' (translate=F, rotate=DEGREES, zoom=F, flip, "
              "fill=reflect|constant|nearest)";
      return false;
    }
  }
  return true;
}

void augmentBatch(float *images, int64_t n, int64_t height, int64_t width,
                  int64_t channels, const AugmentOptions &options,
                  uint64_t seed, int64_t epoch, int64_t first,
                  float fillValue) {
  const int64_t size = height * width * channels;
  std::vector<float> source(size);
  const double cy = (height - 1) / 2.0, cx = (width - 1) / 2.0;
  const double pi = 3.14159265358979323846;
  for (int64_t i = 0; i < n; ++i) {
    // Draws in a fixed order, whatever is enabled.
    Draws draw(seed, epoch, first + i);
    double angle = draw.symmetric(options.rotate) * pi / 180.0;
    double scale = 1.0 + draw.symmetric(options.zoom);
    double dy = draw.symmetric(options.translate) * height;
    double dx = draw.symmetric(options.translate) * width;
    bool flip = options.flip && draw.next() < 0.5;
    float *image = images + i * size;
    std::copy(image, image + size, source.begin());
    // Output pixel (y, x) reads the source at the inverse map: undo the
    // translation, then the rotation and zoom about the center, then the
    // flip. The map is affine: per row a start and a step along x.
    double c = std::cos(angle) / scale, s = std::sin(angle) / scale;
    double stepY = -s, stepX = c;
    if (flip)
      stepX = -stepX;
    for (int64_t y = 0; y < height; ++y) {
      double oy = y - cy - dy, ox = -cx - dx;
      double sy = c * oy - s * ox + cy;
      double sx = s * oy + c * ox + cx;
      if (flip)
        sx = double(width - 1) - sx;
      float *row = image + y * width * channels;
      for (int64_t x = 0; x < width; ++x, sy += stepY, sx += stepX) {
        float *out = row + x * channels;
        double wy = sy, wx = sx;
        bool inside = sy >= 0 && sy <= height - 1 && sx >= 0 && sx <= width - 1;
        if (!inside) {
          wy = wrap(sy, height, options.fill);
          wx = wrap(sx, width, options.fill);
          if (wy < 0 || wx < 0) {
            for (int64_t k = 0; k < channels; ++k)
              out[k] = fillValue;
            continue;
          }
        }
        int64_t y0 = int64_t(wy), x0 = int64_t(wx);
        int64_t y1 = std::min(y0 + 1, height - 1),
                x1 = std::min(x0 + 1, width - 1);
        float fy = float(wy - double(y0)), fx = float(wx - double(x0));
        const float *s00 = &source[(y0 * width + x0) * channels],
                    *s01 = &source[(y0 * width + x1) * channels],
                    *s10 = &source[(y1 * width + x0) * channels],
                    *s11 = &source[(y1 * width + x1) * channels];
        for (int64_t k = 0; k < channels; ++k)
          out[k] = (1 - fy) * ((1 - fx) * s00[k] + fx * s01[k]) +
                   fy * ((1 - fx) * s10[k] + fx * s11[k]);
      }
    }
  }
}

} // namespace mlc::runtime
