//===- CheckpointMetadata.cpp - what checkpoints record of a run ----------===//

#include "CheckpointMetadata.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <utility>

using namespace llvm;
using namespace mlc;

namespace {

const char *const kNormalize = "normalize";
const char *const kShift = "normalize.shift";
const char *const kScale = "normalize.scale";
const char *const kSchedule = "schedule";

/// %.9g: text that reads back as the same float.
std::string exact(float value) {
  char text[32];
  std::snprintf(text, sizeof text, "%.9g", value);
  return text;
}

} // namespace

Normalization mlc::standardization(const runtime::Dataset &train) {
  double sum = 0, sumSq = 0;
  for (uint8_t v : train.images.data) {
    double x = v / 255.0;
    sum += x;
    sumSq += x * x;
  }
  double n = double(train.images.data.size());
  double mean = sum / n, var = std::max(sumSq / n - mean * mean, 1e-12);
  return {"standardize", float(mean), float(1.0 / std::sqrt(var))};
}

void mlc::recordRun(const Normalization &normalization,
                    const runtime::LearningRateSchedule &schedule,
                    CheckpointMetadata &metadata) {
  if (normalization.kind != "scale") {
    metadata[kNormalize] = normalization.kind;
    metadata[kShift] = exact(normalization.shift);
    metadata[kScale] = exact(normalization.scale);
  }
  if (schedule.kind != runtime::LearningRateSchedule::Kind::Constant)
    metadata[kSchedule] = schedule.str();
}

Expected<std::optional<Normalization>>
mlc::recordedNormalization(const std::string &path,
                           const CheckpointMetadata &metadata) {
  auto kind = metadata.find(kNormalize);
  if (kind == metadata.end())
    return std::nullopt;
  if (kind->second != "scale" && kind->second != "standardize")
    return createStringError(path + ": unknown " + kNormalize + " '" +
                             kind->second + "' in the metadata");
  Normalization n;
  n.kind = kind->second;
  std::pair<const char *, float *> fields[] = {{kShift, &n.shift},
                                               {kScale, &n.scale}};
  for (auto [key, into] : fields) {
    auto it = metadata.find(key);
    if (it == metadata.end()) {
      if (n.kind == "scale")
        continue; // 0 and 1
      return createStringError(path + ": " + kNormalize + " is " + n.kind +
                               " but " + key + " is missing from the metadata");
    }
    const char *text = it->second.c_str();
    char *end = nullptr;
    *into = std::strtof(text, &end);
    if (end == text || *end || !std::isfinite(*into))
      return createStringError(path + ": " + key + " is '" + it->second +
                               "', not a finite number");
  }
  return n;
}

std::string mlc::recordedSchedule(const CheckpointMetadata &metadata) {
  auto it = metadata.find(kSchedule);
  return it == metadata.end() ? "constant" : it->second;
}
