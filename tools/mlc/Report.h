//===- Report.h - training reports: JSON and SVG ----------------*- C++ -*-===//

#ifndef MLC_TOOLS_MLC_REPORT_H
#define MLC_TOOLS_MLC_REPORT_H

#include "llvm/Support/Error.h"

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace mlc {

struct EpochRecord {
  double loss = 0, accuracy = 0, seconds = 0;
  std::optional<double> valLoss, valAccuracy;
};

/// Test metrics from a confusion matrix (rows: true class, columns:
/// predicted class).
struct TestMetrics {
  double loss = 0, accuracy = 0;
  int64_t samples = 0;
  std::vector<std::vector<int64_t>> confusion;
};

struct Report {
  std::string model, data;
  /// The metric beside the loss: accuracy, or mae for a regression.
  std::string metric = "accuracy";
  double compileMs = 0, samplesPerSecond = 0;
  std::vector<EpochRecord> epochs;
  std::optional<TestMetrics> test;
};

/// Writes the report as JSON (atomically).
llvm::Error writeJsonReport(const std::string &path, const Report &report);

/// Writes the loss and accuracy curves as an SVG chart (atomically).
llvm::Error writeSvgPlot(const std::string &path, const Report &report);

} // namespace mlc

#endif // MLC_TOOLS_MLC_REPORT_H
