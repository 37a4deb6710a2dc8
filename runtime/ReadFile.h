//===- ReadFile.h - parse a whole file of outside bytes ---------*- C++ -*-===//
//
// Part of the mlc runtime: the data readers' shared front (IDX, .npy,
// CSV). The file is read whole through mlcReadRegularFile (regular files
// only, a size limit) and handed to a parser; every error names the file.
//
//===----------------------------------------------------------------------===//

#ifndef MLC_RUNTIME_READFILE_H
#define MLC_RUNTIME_READFILE_H

#include "runtime/core/files.h"

#include <cstdint>
#include <cstdlib>
#include <memory>
#include <string>

#include <unistd.h>

namespace mlc::runtime {

/// This machine's physical memory in bytes: what a reader may allocate
/// for data it was told about (beyond that, refuse with a message rather
/// than die allocating).
inline uint64_t physicalMemory() {
  return uint64_t(::sysconf(_SC_PHYS_PAGES)) *
         uint64_t(::sysconf(_SC_PAGESIZE));
}

/// Reads `path` (at most `maxBytes`) and calls `parse(bytes, size, error)`.
/// On failure returns false with `error` = "PATH" + `separator` + the
/// parser's message (or why the file could not be read).
template <typename Parse>
bool parseFile(const std::string &path, uint64_t maxBytes,
               const char *separator, std::string &error, Parse &&parse) {
  unsigned char *raw = nullptr;
  size_t size;
  char why[256];
  if (mlcReadRegularFile(path.c_str(), maxBytes, &raw, &size, why,
                         sizeof why) != MLC_CORE_OK) {
    error = path + ": cannot read the file (" + why + ")";
    return false;
  }
  std::unique_ptr<unsigned char, void (*)(void *)> owned(raw, std::free);
  if (!parse(static_cast<const uint8_t *>(raw), size, error)) {
    error = path + separator + error;
    return false;
  }
  return true;
}

} // namespace mlc::runtime

#endif // MLC_RUNTIME_READFILE_H
