//===- Sample.h - mlc sample: text from a trained language model -*- C++
//-*-===//
//
// Generates characters one at a time from a character-level model trained
// with --data text:FILE: the prompt (and what has been generated) goes in,
// the scores of the last position are turned into probabilities at the
// given temperature, and the next character is drawn with a seeded
// generator, so a run is reproducible.
//
//===----------------------------------------------------------------------===//

#ifndef MLC_TOOLS_MLC_SAMPLE_H
#define MLC_TOOLS_MLC_SAMPLE_H

#include "compiler/Driver/Driver.h"

#include "llvm/Support/Error.h"
#include "llvm/Support/raw_ostream.h"

#include <cstdint>
#include <string>

namespace mlc {

struct SampleOptions {
  std::string checkpoint;   ///< params and the character vocabulary
  std::string prompt;       ///< UTF-8, at least one character
  int64_t length = 200;     ///< characters to generate
  double temperature = 1.0; ///< 0: always the most likely character
  uint64_t seed = 0;
};

/// Checks a model can be sampled: one int32 input (batch, T) and a float32
/// output (batch, T, classes).
llvm::Error checkSampleModel(const ModelSignature &sig);

/// Checks the options that need no model.
llvm::Error checkSampleOptions(const SampleOptions &options);

/// Loads the checkpoint into `jit`'s params, then writes the prompt and
/// `length` generated characters to `os`.
llvm::Error sample(JITModel &jit, const SampleOptions &options,
                   llvm::raw_ostream &os);

} // namespace mlc

#endif // MLC_TOOLS_MLC_SAMPLE_H
