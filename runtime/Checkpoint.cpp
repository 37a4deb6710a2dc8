//===- Checkpoint.cpp - training checkpoints ------------------------------===//

#include "runtime/Checkpoint.h"
#include "runtime/Safetensors.h"

#include <cstring>
#include <utility>

namespace mlc::runtime {
namespace {

const char *const kIterations = "optimizer.iterations";

std::string shapeString(const std::vector<int64_t> &shape) {
  std::string s = "[";
  for (size_t i = 0; i < shape.size(); ++i)
    s += (i ? ", " : "") + std::to_string(shape[i]);
  return s + "]";
}

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
  Safetensors file;
  if (!readSafetensors(path, file, error))
    return false;
  // Everything is checked before anything is copied.
  std::vector<std::pair<const CheckpointTensor *, const StoredTensor *>> copies;
  std::string problems;
  auto take = [&](const CheckpointTensor &tensor) {
    const StoredTensor *t = file.find(tensor.name);
    if (!t) {
      problems +=
          "\n  missing " + tensor.name + " " + shapeString(tensor.shape);
      return;
    }
    if (t->dtype != "F32" || t->shape != tensor.shape) {
      problems += "\n  " + tensor.name + " is " + t->dtype + " " +
                  shapeString(t->shape) + ", the model needs F32 " +
                  shapeString(tensor.shape);
      return;
    }
    copies.emplace_back(&tensor, t);
  };
  for (const CheckpointTensor &p : checkpoint.params)
    take(p);
  const StoredTensor *iterations = nullptr;
  if (withState) {
    for (const CheckpointTensor &s : checkpoint.states)
      take(s);
    iterations = file.find(kIterations);
    int64_t count = -1;
    if (iterations && iterations->dtype == "I64" &&
        iterations->data.size() == sizeof(int64_t))
      std::memcpy(&count, iterations->data.data(), sizeof count);
    if (!iterations) {
      problems += std::string("\n  missing ") + kIterations + " (I64 [])";
    } else if (count < 0) {
      // A negative count would make Adam's step size NaN.
      problems +=
          std::string("\n  ") + kIterations + " is not a count (I64 [] >= 0)";
      iterations = nullptr;
    }
  }
  for (const StoredTensor &t : file.tensors) {
    bool known = t.name == kIterations;
    for (const auto *group : {&checkpoint.params, &checkpoint.states})
      for (const CheckpointTensor &tensor : *group)
        known |= tensor.name == t.name;
    if (!known)
      problems += "\n  unexpected " + t.name;
  }
  if (!problems.empty()) {
    auto model = file.metadata.find("model");
    error = path + ": checkpoint does not match model @" + checkpoint.model +
            (model != file.metadata.end()
                 ? " (it was written for @" + model->second + ")"
                 : std::string()) +
            ":" + problems;
    return false;
  }
  for (const auto &[tensor, stored] : copies)
    std::memcpy(tensor->data, stored->data.data(), stored->data.size());
  if (iterations)
    std::memcpy(&checkpoint.iterations, iterations->data.data(),
                sizeof(int64_t));
  checkpoint.metadata = std::move(file.metadata);
  return true;
}

} // namespace mlc::runtime
