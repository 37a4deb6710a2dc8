//===- CheckpointMetadata.h - what checkpoints record of a run --*- C++ -*-===//
//
// Besides tensors and the step count (runtime/Checkpoint.h), mlc train
// records in a checkpoint's metadata what evaluating or continuing the run
// needs: how its inputs were normalized, and its learning-rate schedule.
// The defaults, plain scaling and a constant rate, are not recorded: their
// checkpoints stay byte for byte what they were before these keys.
//
//===----------------------------------------------------------------------===//

#ifndef MLC_TOOLS_MLC_CHECKPOINTMETADATA_H
#define MLC_TOOLS_MLC_CHECKPOINTMETADATA_H

#include "runtime/IDX.h"
#include "runtime/LearningRate.h"
#include "runtime/Table.h"

#include "llvm/Support/Error.h"

#include <map>
#include <optional>
#include <string>

namespace mlc {

using CheckpointMetadata = std::map<std::string, std::string>;

/// Inputs are (pixel / 255 - shift) * scale: 0 and 1 for "scale"; the
/// training set's mean and 1 / stddev for "standardize".
struct Normalization {
  std::string kind = "scale";
  float shift = 0.0f, scale = 1.0f;
};

/// The standardization of `train`'s pixels.
Normalization standardization(const runtime::Dataset &train);

/// Adds a standardization (its numbers as text that reads back as the same
/// floats) and a schedule other than a constant one to `metadata`.
void recordRun(const Normalization &normalization,
               const runtime::LearningRateSchedule &schedule,
               CheckpointMetadata &metadata);

/// The normalization the metadata of checkpoint `path` records, if any.
llvm::Expected<std::optional<Normalization>>
recordedNormalization(const std::string &path,
                      const CheckpointMetadata &metadata);

/// What a run on a table (CSV, NPY) records, so that eval, predict and a
/// resumed run read their files as it did: the features' scaling, the
/// columns, and the class names its text labels were indexed by.
struct TableEncoding {
  std::string normalize = "none"; ///< none, standardize or scale
  runtime::FeatureScaling scaling;
  std::vector<std::string> featureNames, labelColumns, classNames;
};

/// Adds `encoding` to `metadata` (floats as text that reads back as the
/// same floats, names as JSON arrays).
void recordTable(const TableEncoding &encoding, CheckpointMetadata &metadata);

/// The table encoding the metadata of checkpoint `path` records, if any.
llvm::Expected<std::optional<TableEncoding>>
recordedTable(const std::string &path, const CheckpointMetadata &metadata);

/// Adds the characters of a text run's vocabulary, by id, to `metadata`
/// (a JSON array of strings), so that eval, sampling and a resumed run map
/// characters to the ids it trained on.
void recordVocabulary(const std::vector<std::string> &vocabulary,
                      CheckpointMetadata &metadata);

/// The vocabulary the metadata of checkpoint `path` records, if any.
llvm::Expected<std::optional<std::vector<std::string>>>
recordedVocabulary(const std::string &path, const CheckpointMetadata &metadata);

/// The schedule (LearningRateSchedule::str()) the metadata records:
/// "constant" without the key, as mlc had no other schedule before it.
std::string recordedSchedule(const CheckpointMetadata &metadata);

} // namespace mlc

#endif // MLC_TOOLS_MLC_CHECKPOINTMETADATA_H
