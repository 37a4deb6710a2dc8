//===- Sample.cpp - mlc sample --------------------------------------------===//

#include "Sample.h"
#include "CheckpointMetadata.h"
#include "Data.h"

#include "runtime/Aligned.h"
#include "runtime/Checkpoint.h"
#include "runtime/Text.h"

#include "llvm/Support/FileSystem.h"

#include <algorithm>
#include <cmath>
#include <random>
#include <string>

using namespace llvm;
using namespace mlc;

namespace {

Error fail(const Twine &message) { return createStringError(message); }

} // namespace

Error mlc::checkSampleModel(const ModelSignature &sig) {
  if (!isTokenModel(sig))
    return fail("model @" + sig.model +
                ": mlc sample needs a model of token ids, one int32 input "
                "?xT and one float32 output ?xTxC of scores per position; " +
                inputAndOutputText(sig));
  return Error::success();
}

Error mlc::checkSampleOptions(const SampleOptions &options) {
  if (options.checkpoint.empty())
    return fail("mlc sample needs the trained checkpoint: --checkpoint FILE");
  // Before the compile, which takes a while.
  if (!sys::fs::exists(options.checkpoint))
    return fail(options.checkpoint + ": cannot read (no such file)");
  if (options.prompt.empty())
    return fail("mlc sample needs a prompt of at least one character: "
                "--prompt TEXT");
  if (options.length < 0 || options.length > (int64_t(1) << 24))
    return fail("--length must be between 0 and 2^24, got " +
                Twine(options.length));
  if (!(options.temperature >= 0) || !std::isfinite(options.temperature))
    return fail("--temperature must be 0 (the most likely character) or "
                "positive, got " +
                std::to_string(options.temperature));
  return Error::success();
}

Error mlc::sample(JITModel &jit, const SampleOptions &options,
                  raw_ostream &os) {
  const ModelSignature &sig = jit.signature();
  std::vector<runtime::AlignedVector<float>> params;
  runtime::Checkpoint c;
  c.model = sig.model;
  for (const TensorSpec &p : sig.params) {
    params.emplace_back(p.numElements(0));
    c.params.push_back({p.name, p.shape, params.back().data()});
  }
  // The optimizer state is in the file too: named, so it is recognized,
  // but not read.
  for (const TensorSpec &t : sig.states)
    c.states.push_back({t.name, t.shape, nullptr});
  std::string error;
  if (!runtime::loadCheckpoint(options.checkpoint, c, false, error))
    return fail(error);
  Expected<std::optional<std::vector<std::string>>> vocabulary =
      recordedVocabulary(options.checkpoint, c.metadata);
  if (!vocabulary)
    return vocabulary.takeError();
  if (!*vocabulary)
    return fail(options.checkpoint +
                " records no character vocabulary: it was not trained on "
                "text (mlc train --data text:FILE)");
  const std::vector<std::string> &chars = **vocabulary;
  const int64_t context = sig.inputs.front().shape[1];
  const int64_t classes = sig.outputs.front().shape[2];
  if (int64_t(chars.size()) > classes)
    return fail(options.checkpoint + " maps " + Twine(chars.size()) +
                " characters, but model @" + sig.model + " predicts " +
                Twine(classes) + " classes");

  runtime::TextCorpus prompt;
  if (!runtime::parseText(
          reinterpret_cast<const uint8_t *>(options.prompt.data()),
          options.prompt.size(), &chars, prompt, error))
    return fail("--prompt: " + error);
  if (prompt.ids.empty())
    return fail("--prompt has no character the model knows");

  runtime::AlignedVector<int32_t> tokens(context, 0);
  runtime::AlignedVector<float> scores(context * classes, 0.0f);
  std::vector<BufferRef> args;
  for (auto [spec, p] : llvm::zip(sig.params, params))
    args.push_back({p.data(), spec.shape});
  args.push_back({tokens.data(), {1, context}});
  args.push_back({scores.data(), {1, context, classes}});

  std::mt19937_64 random(options.seed);
  std::vector<int32_t> text = prompt.ids;
  std::vector<double> weights(classes);
  os << options.prompt;
  for (int64_t n = 0; n < options.length; ++n) {
    // The last `context` characters at positions 0..k-1: with causal
    // attention (or a recurrence) what follows position k - 1 does not
    // change its scores.
    int64_t k = std::min<int64_t>(context, int64_t(text.size()));
    std::copy(text.end() - k, text.end(), tokens.begin());
    std::fill(tokens.begin() + k, tokens.end(), 0);
    if (Error err = jit.predict(args))
      return err;
    const float *row = &scores[(k - 1) * classes];
    // Log-probabilities up to a constant: logits, or the log of a softmax.
    for (int64_t j = 0; j < classes; ++j)
      weights[j] =
          j < int64_t(chars.size())
              ? (sig.fromLogits ? double(row[j])
                                : std::log(std::max(double(row[j]), 1e-30)))
              : -INFINITY;
    int32_t next;
    if (options.temperature == 0) {
      next = int32_t(std::max_element(weights.begin(), weights.end()) -
                     weights.begin());
    } else {
      double top = *std::max_element(weights.begin(), weights.end());
      double sum = 0;
      for (double &w : weights)
        sum += w = std::exp((w - top) / options.temperature);
      // 53 random bits as a double in [0, sum).
      double u = double(random() >> 11) * 0x1.0p-53 * sum;
      next = int32_t(chars.size()) - 1;
      for (int64_t j = 0; j < int64_t(chars.size()); ++j) {
        if (u < weights[j]) {
          next = int32_t(j);
          break;
        }
        u -= weights[j];
      }
    }
    text.push_back(next);
    os << chars[next];
  }
  os << "\n";
  os.flush();
  return Error::success();
}
