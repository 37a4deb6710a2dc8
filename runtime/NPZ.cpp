//===- NPZ.cpp - NumPy .npz archives --------------------------------------===//

#include "runtime/NPZ.h"

#include "runtime/ReadFile.h"
#include "runtime/Zip.h"

namespace mlc::runtime {

bool parseNpz(const uint8_t *data, size_t size, NpzArchive &out,
              std::string &error) {
  out.clear();
  std::vector<ZipMember> members;
  if (!listZip(data, size, "a .npz file", members, error))
    return false;
  for (const ZipMember &m : members) {
    std::string name = m.name;
    if (name.size() < 4 || name.compare(name.size() - 4, 4, ".npy") != 0) {
      error = "member '" + name + "' is not a .npy array";
      return false;
    }
    std::string key = name.substr(0, name.size() - 4);
    if (out.count(key)) {
      error = "member '" + name + "' appears twice";
      return false;
    }
    std::vector<uint8_t> inflated;
    const uint8_t *bytes = nullptr;
    if (!extractZip(data, size, m, inflated, bytes, error))
      return false;
    NpyArray array;
    if (!parseNpy(bytes, size_t(m.uncompressed), array, error)) {
      error = "member '" + name + "': " + error;
      return false;
    }
    out.emplace(key, std::move(array));
  }
  return true;
}

bool readNpz(const std::string &path, NpzArchive &out, std::string &error) {
  // 16 GiB, as for .npy files.
  return parseFile(path, uint64_t(16) << 30, ": ", error,
                   [&](const uint8_t *bytes, size_t size, std::string &e) {
                     return parseNpz(bytes, size, out, e);
                   });
}

} // namespace mlc::runtime
