//===- Train.h - mlc train / mlc eval ---------------------------*- C++ -*-===//

#ifndef MLC_TOOLS_MLC_TRAIN_H
#define MLC_TOOLS_MLC_TRAIN_H

#include "compiler/Driver/Driver.h"

#include "llvm/Support/Error.h"

#include <string>

namespace mlc {

struct TrainOptions {
  std::string data = "mnist"; ///< mnist, fashion-mnist, or a directory
  int64_t epochs = 5;
  int64_t batchSize = 32;
  uint64_t seed = 0;
  double validationSplit = 0.0;
  /// scale (pixel / 255) or standardize; empty: not given (the
  /// checkpoint's when resuming or evaluating, else scale).
  std::string normalize;
  std::string checkpoint; ///< written after every epoch (atomically)
  std::string resume;     ///< train: continue from; eval: the params
  std::string report;     ///< JSON report
  std::string plot;       ///< SVG of the loss and accuracy curves
  double compileMs = 0;   ///< for the report
};

/// Trains (when `train`) and evaluates the JIT-compiled model on an
/// MNIST-style data set, printing Keras-style progress.
llvm::Error runTraining(JITModel &jit, const TrainOptions &options, bool train);

} // namespace mlc

#endif // MLC_TOOLS_MLC_TRAIN_H
