//===- Table.h - feature rows and their targets -----------------*- C++ -*-===//
//
// Part of the mlc runtime. The form a tabular dataset takes for training:
// a float matrix of feature rows, and per row either a class index or a
// row of float targets (one-hot, probabilities or regression values) —
// which one the model's loss decides. Built from a CSV table (label
// columns named, text class names mapped to indices in sorted order) or
// from a pair of NumPy arrays (x with any trailing shape, y).
//
//===----------------------------------------------------------------------===//

#ifndef MLC_RUNTIME_TABLE_H
#define MLC_RUNTIME_TABLE_H

#include "runtime/CSV.h"
#include "runtime/NPY.h"

#include <cstdint>
#include <string>
#include <vector>

namespace mlc::runtime {

/// What the targets must be: class indices (sparse categorical
/// cross-entropy), float rows (MSE, binary and categorical cross-entropy),
/// or none (features only, for predictions).
enum class TargetKind { Classes, Values, None };

struct Table {
  int64_t rows = 0, features = 0;
  std::vector<float> x; ///< [rows, features]
  TargetKind kind = TargetKind::Classes;
  std::vector<int32_t> classes; ///< [rows], for TargetKind::Classes
  std::vector<float> targets;   ///< [rows, targetWidth], for Values
  int64_t targetWidth = 0;
  /// Class names by index when the labels were text; empty otherwise.
  std::vector<std::string> classNames;
  std::vector<std::string> featureNames; ///< from a CSV header
  std::vector<std::string> labelNames;   ///< the label columns of a CSV
};

/// The columns `labelColumns` of `csv` (none named: its last column) as
/// the targets, every other column as a feature. Class labels come from
/// one column: text (names, indexed in sorted order, or by their place in
/// `classNames` when given) or non-negative integers. Values come from
/// numeric columns. With TargetKind::None the named columns that `csv`
/// has are dropped and the rest are features. On failure returns false
/// and sets `error` to the problem, naming the column.
bool tableFromCsv(const CsvTable &csv,
                  const std::vector<std::string> &labelColumns, TargetKind kind,
                  Table &out, std::string &error,
                  const std::vector<std::string> *classNames = nullptr);

/// `x` ([n, ...], any dtype; each row flattened) and `y` ([n] or [n, k]):
/// class labels must be non-negative integers (an integer dtype, or floats
/// holding integers); values may be any numbers. TargetKind::None ignores
/// `y`. On failure returns false and sets `error` to the problem.
bool tableFromArrays(const NpyArray &x, const NpyArray &y, TargetKind kind,
                     Table &out, std::string &error);

/// Per-feature standardization as Keras's Normalization layer adapts it:
/// x' = (x - mean) / max(sqrt(variance), 1e-7), the population variance of
/// the training rows; stored as x' = (x - mean) * scale.
struct FeatureScaling {
  std::vector<float> mean, scale; ///< empty: features pass unchanged
};

/// The standardization of `train`'s features (computed in double).
FeatureScaling standardization(const Table &train);

/// Writes rows `indices[0, n)` of `table` into `x` ([n, features], scaled
/// by `scaling` when it has values) and their targets into `classes`
/// ([n], TargetKind::Classes) or `targets` ([n, targetWidth], Values); the
/// other target pointer may be null.
void gatherRows(const Table &table, const int64_t *indices, int64_t n,
                const FeatureScaling &scaling, float *x, int32_t *classes,
                float *targets);

} // namespace mlc::runtime

#endif // MLC_RUNTIME_TABLE_H
