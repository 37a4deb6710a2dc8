//===- StepRunner.cpp - a compiled train step run on synthetic data -------===//

#include "compiler/Driver/StepRunner.h"

#include "runtime/LearningRate.h"

#include <random>

using namespace mlc;

llvm::Expected<std::unique_ptr<StepRunner>> StepRunner::create(JITModel &jit,
                                                               int64_t batch) {
  const ModelSignature &sig = jit.signature();
  if (!sig.canTrain())
    return llvm::createStringError("@" + sig.model +
                                   " has no loss and optimizer to train with");
  if (sig.inputs.size() != 1 || sig.outputs.size() != 1)
    return llvm::createStringError("@" + sig.model +
                                   " has more than one input or output");
  std::unique_ptr<StepRunner> r(new StepRunner(jit));
  std::vector<float *> ptrs;
  for (const TensorSpec &p : sig.params) {
    r->params.emplace_back(p.numElements(0));
    ptrs.push_back(r->params.back().data());
  }
  for (const TensorSpec &st : sig.states)
    r->states.emplace_back(st.numElements(0), 0.0f);
  if (llvm::Error err = initializeParams(sig, 0, ptrs))
    return std::move(err);
  std::mt19937 random(1);
  std::uniform_real_distribution<float> unit(0.0f, 1.0f);
  const void *input;
  if (sig.inputs[0].element == ElementKind::I32) {
    // Token ids: 0 is one in every vocabulary.
    r->intInput.assign(sig.inputs[0].numElements(batch), 0);
    input = r->intInput.data();
  } else {
    r->floatInput.resize(sig.inputs[0].numElements(batch));
    for (float &v : r->floatInput)
      v = unit(random);
    input = r->floatInput.data();
  }
  r->predictions.resize(sig.outputs[0].numElements(batch));
  int64_t classes = std::max<int64_t>(1, sig.outputs[0].shape.back());
  const void *labels;
  if (sig.labels->element == ElementKind::I32) {
    r->intLabels.resize(sig.labels->numElements(batch));
    for (int32_t &y : r->intLabels)
      y = int32_t(random() % uint32_t(classes));
    labels = r->intLabels.data();
  } else {
    // One-hot rows (also a valid target for the other float losses).
    r->floatLabels.resize(sig.labels->numElements(batch));
    for (int64_t i = 0; i < int64_t(r->floatLabels.size()); ++i)
      r->floatLabels[i] =
          (i % classes) == (i / classes) % classes ? 1.0f : 0.0f;
    labels = r->floatLabels.data();
  }
  r->rate = float(sig.learningRate);
  r->stepSize = r->rate;
  StepBuffers step;
  step.params = ptrs;
  step.states = dataOf(r->states);
  step.learningRate = &r->rate;
  step.stepSize = &r->stepSize;
  step.input = input;
  step.labels = labels;
  step.loss = &r->lossValue;
  step.predictions = r->predictions.data();
  r->args = stepArguments(sig, step, batch, /*training=*/true);
  return std::move(r);
}

llvm::Error StepRunner::run(int64_t steps) {
  const ModelSignature &sig = jit.signature();
  for (int64_t i = 0; i < steps; ++i, ++iteration) {
    if (sig.biasCorrected)
      stepSize = float(runtime::adamStepSize(sig.learningRate, sig.beta1,
                                             sig.beta2, iteration));
    if (llvm::Error err = jit.trainStep(args))
      return err;
  }
  return llvm::Error::success();
}
