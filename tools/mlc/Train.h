//===- Train.h - mlc train / mlc eval ---------------------------*- C++ -*-===//

#ifndef MLC_TOOLS_MLC_TRAIN_H
#define MLC_TOOLS_MLC_TRAIN_H

#include "compiler/Driver/Driver.h"

#include "llvm/Support/Error.h"

#include <memory>
#include <string>
#include <vector>

namespace mlc {

/// What a run does with the model: train it, evaluate a checkpoint, or
/// write a checkpoint's predictions.
enum class RunKind { Train, Eval, Predict };

struct TrainOptions {
  /// mnist, fashion-mnist, an IDX directory, or a .csv, .npz or .npy file
  /// (Data.h).
  std::string data = "mnist";
  std::vector<std::string> labelColumns; ///< CSV: the label columns
  std::string labels;   ///< NPY: the labels' array beside --data x.npy
  std::string testData; ///< a table's test set (else none, or x_test)
  std::string output;   ///< predict: the predictions' .csv or .npy
  int64_t epochs = 5;
  int64_t batchSize = 32;
  uint64_t seed = 0;
  double validationSplit = 0.0;
  bool validateOnTest = false; ///< the test set as validation data, per epoch
  /// Random augmentation of the training images (runtime/Augment.h), e.g.
  /// "translate=0.1,rotate=10"; empty: none.
  std::string augment;
  /// scale (pixel / 255), standardize, or none (tables only); empty: not
  /// given (the checkpoint's when resuming or evaluating, else scale for
  /// images and none for tables).
  std::string normalize;
  std::string checkpoint; ///< written after every epoch (atomically)
  std::string resume;     ///< train: continue from; eval: the params
  std::string report;     ///< JSON report
  std::string plot;       ///< SVG of the loss and accuracy curves
};

/// Checks what needs no model: the flags' values, and that the files the
/// run writes can be written.
llvm::Error checkTrainOptions(const TrainOptions &options, RunKind kind);

/// A run of mlc train, eval or predict, set up before the model
/// is compiled: the data is loaded and checked against the model's
/// signature, the params are initialized or read from the checkpoint.
/// Whatever the run's inputs can get wrong fails in prepare(), so the
/// compile starts only for a run that can succeed.
class TrainingRun {
public:
  static llvm::Expected<std::unique_ptr<TrainingRun>>
  prepare(const ModelSignature &sig, const TrainOptions &options, RunKind kind);
  ~TrainingRun();

  /// Trains and evaluates `jit`, the model of the signature prepare() was
  /// given, printing Keras-style progress (or writes its predictions).
  llvm::Error run(JITModel &jit);

private:
  struct State;
  explicit TrainingRun(std::unique_ptr<State> state);
  std::unique_ptr<State> state;
};

} // namespace mlc

#endif // MLC_TOOLS_MLC_TRAIN_H
