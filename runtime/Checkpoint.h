//===- Checkpoint.h - training checkpoints ----------------------*- C++ -*-===//
//
// Part of the mlc runtime (plain C++). A checkpoint is a safetensors file
// (Safetensors.h): the model's params, then its optimizer state, as F32
// tensors named as the model names them, the optimizer's iteration count
// as the I64 scalar "optimizer.iterations", and string metadata ("format":
// "mlc", "model", "step" and what the caller adds). The C model library
// (runtime/aot/ModelCheckpoints.c) reads and writes the same files.
//
//===----------------------------------------------------------------------===//

#ifndef MLC_RUNTIME_CHECKPOINT_H
#define MLC_RUNTIME_CHECKPOINT_H

#include <cstdint>
#include <map>
#include <string>
#include <vector>

namespace mlc::runtime {

/// A float32 tensor of a checkpoint. The data is the caller's: read by
/// saveCheckpoint, written by loadCheckpoint.
struct CheckpointTensor {
  std::string name;
  std::vector<int64_t> shape;
  float *data = nullptr;
};

struct Checkpoint {
  std::string model; ///< the model's name, without '@'
  std::vector<CheckpointTensor> params, states;
  int64_t iterations = 0; ///< optimizer.iterations
  /// Saved beside "format", "model" and "step" (which it must not hold);
  /// after loadCheckpoint, all of the file's metadata.
  std::map<std::string, std::string> metadata;
};

/// Writes `checkpoint` to `path` atomically. On failure returns false and
/// sets `error` to a message naming the path; `path` is then untouched.
bool saveCheckpoint(const std::string &path, const Checkpoint &checkpoint,
                    std::string &error);

/// Reads the params (and with `withState` the optimizer state and the
/// iteration count) into the tensors' data, and the file's metadata. Every
/// tensor missing, unexpected or of another dtype or shape is listed in
/// `error`, and then no data is written.
bool loadCheckpoint(const std::string &path, Checkpoint &checkpoint,
                    bool withState, std::string &error);

} // namespace mlc::runtime

#endif // MLC_RUNTIME_CHECKPOINT_H
