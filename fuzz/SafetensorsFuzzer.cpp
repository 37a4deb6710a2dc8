//===- SafetensorsFuzzer.cpp - fuzz target: the checkpoint reader ---------===//
//
// The runtime core's safetensors reader (the one mlc and every model
// library use) on arbitrary bytes, then the checkpoint matcher against a
// small model and the metadata counts, as a resume would.
//
//===----------------------------------------------------------------------===//

#include "runtime/core/checkpoint.h"
#include "runtime/core/safetensors.h"

#include <cstdlib>
#include <initializer_list>
#include <cstring>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  auto *bytes = static_cast<unsigned char *>(std::malloc(size + 1));
  if (!bytes)
    return 0;
  std::memcpy(bytes, data, size);
  bytes[size] = 0;
  mlc_safetensors file;
  char why[512];
  if (mlcSafetensorsParse(bytes, size, &file, why, sizeof why) == MLC_CORE_OK) {
    // Every range the reader hands out lies inside the file.
    for (size_t i = 0; i < file.numTensors; ++i) {
      const mlc_stored_tensor &t = file.tensors[i];
      auto *at = static_cast<const unsigned char *>(t.data);
      if (t.bytes && (at < bytes || at + t.bytes > bytes + size))
        __builtin_trap();
    }
    static const int64_t kernel[] = {2, 3}, bias[] = {3};
    const mlc_model_tensor tensors[] = {{"dense.kernel", 2, kernel},
                                        {"dense.bias", 1, bias},
                                        {"dense.kernel.m", 2, kernel},
                                        {"dense.bias.m", 1, bias}};
    for (int rule : {MLC_STATE_IGNORED, MLC_STATE_OPTIONAL,
                     MLC_STATE_REQUIRED}) {
      const void *found[4];
      mlc_checkpoint_match match;
      match.found = found;
      mlcMatchCheckpoint(&file, tensors, 2, 2, rule, &match);
      std::free(match.problems);
    }
    for (size_t i = 0; i < file.numMetadata; ++i) {
      int64_t count;
      if (mlcParseCount(file.metadata[i].value, &count) &&
          (count < 0 || count > MLC_MAX_COUNT))
        __builtin_trap();
    }
  }
  mlcSafetensorsFree(&file);
  return 0;
}
