//===- HDF5File.h - the HDF5 reads the Keras importer needs -----*- C++ -*-===//
//
// An HDF5 file (a .keras archive's model.weights.h5, a whole Keras 2 .h5)
// read whole by libhdf5 into memory: every numeric dataset as float32 with
// its shape, and every string attribute. libhdf5 is not written for
// hostile input (a damaged file can crash it or make it loop forever), so
// it reads in a child process under a time limit and sends the contents
// back through a pipe; a file that kills or stalls it is refused with a
// message, and the importer itself never runs libhdf5.
//
//===----------------------------------------------------------------------===//

#ifndef MLC_FRONTENDS_KERAS_HDF5FILE_H
#define MLC_FRONTENDS_KERAS_HDF5FILE_H

#include "frontends/Import/ImportedModel.h"

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace mlc::keras {

/// A numeric dataset read as float32, row-major (with the exact value of
/// a one-element integer dataset).
using HDF5Array = import::ImportedTensor;

class HDF5File {
public:
  /// Reads the HDF5 file held in `bytes`; `name` names it in messages. On
  /// failure returns false and sets `error`.
  bool openImage(const std::vector<uint8_t> &bytes, const std::string &name,
                 std::string &error);

  /// Whether `path` names a group or dataset.
  bool exists(const std::string &path) const;
  /// The names of the members of group `path`, sorted by name.
  bool list(const std::string &path, std::vector<std::string> &names,
            std::string &error) const;
  /// A numeric dataset, as float32.
  bool readFloats(const std::string &path, HDF5Array &out,
                  std::string &error) const;
  /// A scalar integer dataset.
  bool readInt(const std::string &path, int64_t &out,
               std::string &error) const;
  /// A string attribute of object `path` ("/" for the file); nullopt when
  /// absent or not one string.
  std::optional<std::string> stringAttribute(const std::string &path,
                                             const std::string &name) const;
  /// A string-array attribute (Keras 2's layer_names, weight_names).
  bool stringsAttribute(const std::string &path, const std::string &name,
                        std::vector<std::string> &out,
                        std::string &error) const;

private:
  std::string name; ///< for messages
  std::map<std::string, HDF5Array> datasets;
  std::map<std::string, bool> objects; ///< path -> is a group
  std::map<std::pair<std::string, std::string>, std::vector<std::string>>
      attributes;
};

} // namespace mlc::keras

#endif // MLC_FRONTENDS_KERAS_HDF5FILE_H
