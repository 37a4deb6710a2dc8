//===- Checkpoint.cpp - training checkpoints ------------------------------===//

#include "runtime/Checkpoint.h"
#include "runtime/Safetensors.h"
#include "runtime/core/checkpoint.h"

#include <cstdlib>
#include <cstring>
#include <memory>
#include <utility>

namespace mlc::runtime {
namespace {

const char *const kIterations = "optimizer.iterations";

int64_t numElements(const std::vector<int64_t> &shape) {
  int64_t n = 1;
  for (int64_t d : shape)
    n *= d;
  return n;
}

} // namespace

bool saveCheckpoint(const std::string &path, const Checkpoint &checkpoint,
                    std::string &error) {
  Safetensors file;
  file.metadata = checkpoint.metadata;
  file.metadata["format"] = "mlc";
  file.metadata["model"] = checkpoint.model;
  file.metadata["step"] = std::to_string(checkpoint.iterations);
  auto add = [&](const CheckpointTensor &tensor) {
    StoredTensor t{tensor.name, "F32", tensor.shape, {}};
    t.data.resize(size_t(numElements(tensor.shape)) * sizeof(float));
    std::memcpy(t.data.data(), tensor.data, t.data.size());
    file.tensors.push_back(std::move(t));
  };
  for (const CheckpointTensor &p : checkpoint.params)
    add(p);
  for (const CheckpointTensor &s : checkpoint.states)
    add(s);
  StoredTensor iterations{kIterations, "I64", {}, {}};
  iterations.data.resize(sizeof(int64_t));
  std::memcpy(iterations.data.data(), &checkpoint.iterations, sizeof(int64_t));
  file.tensors.push_back(std::move(iterations));
  return writeSafetensors(path, file, error);
}

bool loadCheckpoint(const std::string &path, Checkpoint &checkpoint,
                    bool withState, std::string &error) {
  mlc_safetensors file;
  struct Free {
    mlc_safetensors &file;
    ~Free() { mlcSafetensorsFree(&file); }
  } free{file};
  if (!readSafetensorsView(path, file, error))
    return false;
  // The core's matcher, as model libraries use it: one set of rules and
  // messages. Without `withState` (mlc eval) the state is not read.
  std::vector<mlc_model_tensor> tensors;
  for (const auto *group : {&checkpoint.params, &checkpoint.states})
    for (const CheckpointTensor &t : *group)
      tensors.push_back({t.name.c_str(), t.shape.size(), t.shape.data()});
  std::vector<const void *> found(tensors.size());
  mlc_checkpoint_match match;
  match.found = found.data();
  int status = mlcMatchCheckpoint(
      &file, tensors.data(), checkpoint.params.size(), checkpoint.states.size(),
      withState ? MLC_STATE_REQUIRED : MLC_STATE_IGNORED, &match);
  std::unique_ptr<char, void (*)(void *)> problems(match.problems, std::free);
  std::map<std::string, std::string> metadata;
  for (size_t i = 0; i < file.numMetadata; ++i)
    metadata[file.metadata[i].key] = file.metadata[i].value;
  if (status != MLC_CORE_OK || match.numProblems) {
    auto model = metadata.find("model");
    error = path + ": checkpoint does not match model @" + checkpoint.model +
            (model != metadata.end()
                 ? " (it was written for @" + model->second + ")"
                 : std::string()) +
            ":" + (problems ? problems.get() : " (out of memory)");
    return false;
  }
  // Everything checked: only now is anything copied.
  size_t numCopied =
      checkpoint.params.size() + (withState ? checkpoint.states.size() : 0);
  for (size_t i = 0; i < numCopied; ++i) {
    const CheckpointTensor &t =
        i < checkpoint.params.size()
            ? checkpoint.params[i]
            : checkpoint.states[i - checkpoint.params.size()];
    std::memcpy(t.data, found[i], size_t(numElements(t.shape)) * sizeof(float));
  }
  if (withState)
    std::memcpy(&checkpoint.iterations, match.iterations, sizeof(int64_t));
  checkpoint.metadata = std::move(metadata);
  return true;
}

} // namespace mlc::runtime
