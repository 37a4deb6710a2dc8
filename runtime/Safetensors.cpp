//===- Safetensors.cpp - checkpoints in the safetensors format ------------===//
//
// A C++ face on the runtime core's one reader and writer
// (runtime/core/safetensors.h), which model libraries embed too.
//
//===----------------------------------------------------------------------===//

#include "runtime/Safetensors.h"

#include "runtime/core/safetensors.h"

#include <sys/stat.h>

namespace mlc::runtime {

const StoredTensor *Safetensors::find(const std::string &name) const {
  for (const StoredTensor &t : tensors)
    if (t.name == name)
      return &t;
  return nullptr;
}

bool writeSafetensors(const std::string &path, const Safetensors &file,
                      std::string &error) {
  std::vector<mlc_metadata_entry> metadata;
  for (const auto &[key, value] : file.metadata)
    metadata.push_back({key.c_str(), value.c_str()});
  std::vector<mlc_stored_tensor> tensors;
  for (const StoredTensor &t : file.tensors)
    tensors.push_back({t.name.c_str(), t.dtype.c_str(), t.shape.size(),
                       t.shape.data(), t.data.data(), t.data.size()});
  mlc_safetensors view{};
  view.metadata = metadata.data();
  view.numMetadata = metadata.size();
  view.tensors = tensors.data();
  view.numTensors = tensors.size();
  // The usual permissions of a new file (umask has no getter).
  mode_t mask = ::umask(0);
  ::umask(mask);
  char why[256];
  if (mlcSafetensorsWrite(path.c_str(), &view, 0666 & ~mask, why, sizeof why) ==
      MLC_CORE_OK)
    return true;
  error = path + ": cannot write (" + why + ")";
  return false;
}

bool readSafetensorsView(const std::string &path, mlc_safetensors &file,
                         std::string &error) {
  char why[512];
  int status = mlcSafetensorsRead(path.c_str(), &file, why, sizeof why);
  if (status == MLC_CORE_FORMAT)
    error = path + ": not a valid safetensors file: " + why;
  else if (status != MLC_CORE_OK)
    error = path + ": cannot read (" + why + ")";
  return status == MLC_CORE_OK;
}

bool readSafetensors(const std::string &path, Safetensors &file,
                     std::string &error) {
  mlc_safetensors read;
  bool ok = readSafetensorsView(path, read, error);
  if (ok) {
    file = Safetensors();
    for (size_t i = 0; i < read.numMetadata; ++i)
      file.metadata[read.metadata[i].key] = read.metadata[i].value;
    for (size_t i = 0; i < read.numTensors; ++i) {
      const mlc_stored_tensor &t = read.tensors[i];
      const uint8_t *data = static_cast<const uint8_t *>(t.data);
      file.tensors.push_back({t.name,
                              t.dtype,
                              {t.shape, t.shape + t.rank},
                              {data, data + t.bytes}});
    }
  }
  mlcSafetensorsFree(&read);
  return ok;
}

} // namespace mlc::runtime
