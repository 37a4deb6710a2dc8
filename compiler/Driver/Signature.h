//===- Signature.h - the calling convention of a model ----------*- C++ -*-===//
//
// What a compiled model's entry points take and return, read from the
// model once its params are materialized: params, optimizer states, inputs,
// labels, outputs, and the optimizer's step-size settings. The JIT, the
// library writer and the trainer all work from it.
//
//===----------------------------------------------------------------------===//

#ifndef MLC_COMPILER_DRIVER_SIGNATURE_H
#define MLC_COMPILER_DRIVER_SIGNATURE_H

#include "runtime/Initializers.h"
#include "runtime/LearningRate.h"

#include "mlir/IR/BuiltinOps.h"
#include "llvm/ADT/ArrayRef.h"
#include "llvm/Support/Error.h"

#include <optional>
#include <string>
#include <vector>

namespace mlc {

/// Element types an entry point argument can have.
enum class ElementKind { F16, BF16, F32, F64, I32, I64 };

/// Bytes per element of `kind`.
int64_t elementBytes(ElementKind kind);

/// One argument of an entry point: a param, an input or an output.
struct TensorSpec {
  std::string name;
  std::vector<int64_t> shape; ///< -1 for the dynamic (batch) dimension
  ElementKind element = ElementKind::F32;
  /// For params: the distribution of the param's initializer.
  runtime::InitDistribution init;
  int64_t numElements(int64_t batch) const;
  std::string shapeString() const;
};

/// The calling convention of a model's entry points, read from the model.
struct ModelSignature {
  std::string model;
  std::vector<TensorSpec> params, inputs, outputs;
  /// With a loss: the labels train_step and eval_step take.
  std::optional<TensorSpec> labels;
  /// With a loss: its name as Keras spells it ("mse",
  /// "sparse_categorical_crossentropy", ...), and whether the model's
  /// output is logits (its predictions then are too).
  std::string loss;
  bool fromLogits = false;
  /// With a loss and an optimizer: the optimizer state, per param and slot
  /// ("dense.kernel.m"), in train_step's order.
  std::vector<TensorSpec> states;
  bool canEvaluate() const { return labels.has_value(); }
  bool canTrain() const { return labels && hasOptimizer; }
  bool hasOptimizer = false;
  /// The optimizer's base learning rate, and for Adam and AdamW the betas
  /// its bias-corrected step size needs (runtime::adamStepSize).
  double learningRate = 0;
  /// The learning rate of each step (its `initial` is learningRate).
  runtime::LearningRateSchedule schedule;
  bool biasCorrected = false;
  double beta1 = 0, beta2 = 0;
};

/// Takes `module` from Stage::Model to Stage::Graph (mlc-materialize-params,
/// so the signature lists the layers' params) and reads the signature of
/// its one mlc.model. Pass failures were reported at their ops.
llvm::Expected<ModelSignature> materializeSignature(mlir::ModuleOp module);

/// init(seed): fills every (float32) param from its initializer, the same
/// bits for the same seed (runtime::initialize). `params` follows
/// `sig.params`.
llvm::Error initializeParams(const ModelSignature &sig, uint64_t seed,
                             llvm::ArrayRef<float *> params);

/// A buffer passed to an entry point: contiguous, row-major.
struct BufferRef {
  void *data = nullptr;
  std::vector<int64_t> shape;
};

/// Host memory for one train_step or eval_step call.
struct StepBuffers {
  std::vector<float *> params;
  std::vector<float *> states;                        ///< train_step only
  float *learningRate = nullptr, *stepSize = nullptr; ///< train_step only
  const void *input = nullptr, *labels = nullptr;
  float *loss = nullptr, *predictions = nullptr;
};

/// The data pointers of a list of float buffers (params, states).
template <typename Buffers> std::vector<float *> dataOf(Buffers &buffers) {
  std::vector<float *> data;
  for (auto &buffer : buffers)
    data.push_back(buffer.data());
  return data;
}

/// The arguments of train_step (`training`) or eval_step on `batch`
/// samples, in the signature's order, shaped from `sig` with the batch in
/// place of each dynamic dimension.
std::vector<BufferRef> stepArguments(const ModelSignature &sig,
                                     const StepBuffers &buffers, int64_t batch,
                                     bool training);

} // namespace mlc

#endif // MLC_COMPILER_DRIVER_SIGNATURE_H
