//===- Safetensors.h - checkpoints in the safetensors format ----*- C++ -*-===//
//
// Part of the mlc runtime: a C++ face on the core's reader and writer
// (runtime/core/safetensors.h), which model libraries embed, so mlc and the
// libraries write the same bytes and accept the same files. The safetensors
// layout: an 8-byte little-endian header length, a JSON header naming each
// tensor's dtype, shape and byte range, and the raw little-endian data.
// Files are written atomically (a temporary file renamed over the target),
// so a crash never leaves a half-written checkpoint in place of a good one.
//
//===----------------------------------------------------------------------===//

#ifndef MLC_RUNTIME_SAFETENSORS_H
#define MLC_RUNTIME_SAFETENSORS_H

#include "runtime/core/safetensors.h"

#include <cstdint>
#include <map>
#include <string>
#include <vector>

namespace mlc::runtime {

struct StoredTensor {
  std::string name;
  std::string dtype; ///< "F32", "I64", ...
  std::vector<int64_t> shape;
  std::vector<uint8_t> data; ///< little-endian bytes
};

struct Safetensors {
  std::map<std::string, std::string> metadata;
  std::vector<StoredTensor> tensors;
  const StoredTensor *find(const std::string &name) const;
};

/// Writes `file` to `path` atomically. On failure returns false and sets
/// `error` to a message naming the path and the problem; `path` is then
/// untouched.
bool writeSafetensors(const std::string &path, const Safetensors &file,
                      std::string &error);

/// Reads and validates `path` into the core's view of it (free it with
/// mlcSafetensorsFree, also after a failure), for readers that keep no
/// copy; `error` as readSafetensors sets it.
bool readSafetensorsView(const std::string &path, mlc_safetensors &file,
                         std::string &error);

/// Reads and validates a safetensors file (header syntax with nesting
/// capped and no name or key twice, metadata strings, dtypes, shapes
/// against byte ranges, ranges within the file). On failure returns false
/// and sets `error` to a message naming the path and the problem.
bool readSafetensors(const std::string &path, Safetensors &file,
                     std::string &error);

} // namespace mlc::runtime

#endif // MLC_RUNTIME_SAFETENSORS_H
