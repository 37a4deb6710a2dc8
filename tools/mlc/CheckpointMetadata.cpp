//===- CheckpointMetadata.cpp - what checkpoints record of a run ----------===//

#include "CheckpointMetadata.h"

#include "llvm/Support/JSON.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <set>
#include <utility>

using namespace llvm;
using namespace mlc;

namespace {

const char *const kNormalize = "normalize";
const char *const kShift = "normalize.shift";
const char *const kScale = "normalize.scale";
const char *const kSchedule = "schedule";
const char *const kTableNormalize = "table.normalize";
const char *const kTableMean = "table.mean";
const char *const kTableScale = "table.scale";
const char *const kTableFeatures = "table.features";
const char *const kTableLabels = "table.labels";
const char *const kTextVocabulary = "text.vocabulary";
const char *const kTableClasses = "table.classes";

/// %.9g: text that reads back as the same float.
std::string exact(float value) {
  char text[32];
  std::snprintf(text, sizeof text, "%.9g", value);
  return text;
}

std::string floatList(const std::vector<float> &values) {
  std::string text;
  for (float v : values)
    text += (text.empty() ? "" : " ") + exact(v);
  return text;
}

std::string nameList(const std::vector<std::string> &names) {
  json::Array array;
  for (const std::string &name : names)
    array.push_back(json::isUTF8(name) ? name : json::fixUTF8(name));
  std::string text;
  raw_string_ostream os(text);
  os << json::Value(std::move(array));
  return text;
}

Error badKey(const std::string &path, const char *key, const Twine &why) {
  return createStringError(path + ": " + key + " in the metadata " + why);
}

Error readFloats(const std::string &path, const CheckpointMetadata &metadata,
                 const char *key, std::vector<float> &out) {
  auto it = metadata.find(key);
  if (it == metadata.end())
    return Error::success();
  StringRef rest(it->second);
  while (!(rest = rest.ltrim(' ')).empty()) {
    auto [word, tail] = rest.split(' ');
    std::string text = word.str();
    char *end = nullptr;
    float v = std::strtof(text.c_str(), &end);
    if (end == text.c_str() || *end || !std::isfinite(v))
      return badKey(path, key, "holds '" + text + "', not a finite number");
    out.push_back(v);
    rest = tail;
  }
  return Error::success();
}

Error readNames(const std::string &path, const CheckpointMetadata &metadata,
                const char *key, std::vector<std::string> &out) {
  auto it = metadata.find(key);
  if (it == metadata.end())
    return Error::success();
  Expected<json::Value> value = json::parse(it->second);
  if (!value) {
    consumeError(value.takeError());
    return badKey(path, key, "is not a JSON array of names");
  }
  const json::Array *array = value->getAsArray();
  if (!array)
    return badKey(path, key, "is not a JSON array of names");
  for (const json::Value &v : *array) {
    std::optional<StringRef> name = v.getAsString();
    if (!name)
      return badKey(path, key, "is not a JSON array of names");
    out.push_back(name->str());
  }
  return Error::success();
}

} // namespace

void mlc::recordTable(const TableEncoding &encoding,
                      CheckpointMetadata &metadata) {
  metadata[kTableNormalize] = encoding.normalize;
  if (!encoding.scaling.mean.empty()) {
    metadata[kTableMean] = floatList(encoding.scaling.mean);
    metadata[kTableScale] = floatList(encoding.scaling.scale);
  }
  metadata[kTableFeatures] = nameList(encoding.featureNames);
  metadata[kTableLabels] = nameList(encoding.labelColumns);
  if (!encoding.classNames.empty())
    metadata[kTableClasses] = nameList(encoding.classNames);
}

Expected<std::optional<TableEncoding>>
mlc::recordedTable(const std::string &path,
                   const CheckpointMetadata &metadata) {
  auto kind = metadata.find(kTableNormalize);
  if (kind == metadata.end())
    return std::nullopt;
  TableEncoding e;
  e.normalize = kind->second;
  if (e.normalize != "none" && e.normalize != "standardize" &&
      e.normalize != "scale")
    return badKey(path, kTableNormalize,
                  "is '" + e.normalize + "', not none, standardize or scale");
  if (Error err = readFloats(path, metadata, kTableMean, e.scaling.mean))
    return std::move(err);
  if (Error err = readFloats(path, metadata, kTableScale, e.scaling.scale))
    return std::move(err);
  if (e.scaling.mean.size() != e.scaling.scale.size())
    return badKey(path, kTableMean,
                  "has " + Twine(e.scaling.mean.size()) + " numbers but " +
                      kTableScale + " " + Twine(e.scaling.scale.size()));
  for (auto [key, into] : {std::pair{kTableFeatures, &e.featureNames},
                           std::pair{kTableLabels, &e.labelColumns},
                           std::pair{kTableClasses, &e.classNames}})
    if (Error err = readNames(path, metadata, key, *into))
      return std::move(err);
  if (!e.featureNames.empty() && !e.scaling.mean.empty() &&
      e.featureNames.size() != e.scaling.mean.size())
    return badKey(path, kTableMean,
                  "has " + Twine(e.scaling.mean.size()) + " numbers for " +
                      Twine(e.featureNames.size()) + " features");
  return e;
}

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

void mlc::recordVocabulary(const std::vector<std::string> &vocabulary,
                           CheckpointMetadata &metadata) {
  metadata[kTextVocabulary] = nameList(vocabulary);
}

Expected<std::optional<std::vector<std::string>>>
mlc::recordedVocabulary(const std::string &path,
                        const CheckpointMetadata &metadata) {
  if (!metadata.count(kTextVocabulary))
    return std::nullopt;
  std::vector<std::string> vocabulary;
  if (Error err = readNames(path, metadata, kTextVocabulary, vocabulary))
    return std::move(err);
  // Ids index it: one character each, none twice.
  std::set<std::string> seen;
  for (const std::string &c : vocabulary)
    if (c.empty() || !seen.insert(c).second)
      return badKey(path, kTextVocabulary,
                    "lists an empty or repeated character");
  return vocabulary;
}
