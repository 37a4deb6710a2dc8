//===- HDF5File.h - the HDF5 reads the Keras importer needs -----*- C++ -*-===//
//
// A small owner of libhdf5 handles: a file opened from a path or from bytes
// in memory (a .keras archive's model.weights.h5), its float datasets with
// their shapes, string attributes and group listings. libhdf5's own error
// stack printing is off; every failure is a message naming the object.
//
//===----------------------------------------------------------------------===//

#ifndef MLC_FRONTENDS_KERAS_HDF5FILE_H
#define MLC_FRONTENDS_KERAS_HDF5FILE_H

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace mlc::keras {

/// A float dataset read as float32, row-major.
struct HDF5Array {
  std::vector<int64_t> shape;
  std::vector<float> data;
};

class HDF5File {
public:
  HDF5File() = default;
  HDF5File(const HDF5File &) = delete;
  HDF5File &operator=(const HDF5File &) = delete;
  ~HDF5File();

  /// Opens `path` read-only. On failure returns false and sets `error`.
  bool open(const std::string &path, std::string &error);
  /// Opens an HDF5 file held in `bytes` (which must outlive this object).
  bool openImage(const std::vector<uint8_t> &bytes, const std::string &name,
                 std::string &error);

  /// Whether `path` names a group or dataset.
  bool exists(const std::string &path) const;
  /// The names of the members of group `path`, in creation or name order
  /// as libhdf5 lists them (by name).
  bool list(const std::string &path, std::vector<std::string> &names,
            std::string &error) const;
  /// A numeric dataset, as float32.
  bool readFloats(const std::string &path, HDF5Array &out,
                  std::string &error) const;
  /// A scalar integer dataset.
  bool readInt(const std::string &path, int64_t &out,
               std::string &error) const;
  /// A string attribute (fixed or variable length) of object `path`;
  /// nullopt when absent.
  std::optional<std::string> stringAttribute(const std::string &path,
                                             const std::string &name) const;
  /// A string-array attribute (Keras 2's layer_names, weight_names).
  bool stringsAttribute(const std::string &path, const std::string &name,
                        std::vector<std::string> &out,
                        std::string &error) const;

private:
  int64_t file = -1; ///< hid_t
  std::string name;  ///< for messages
};

} // namespace mlc::keras

#endif // MLC_FRONTENDS_KERAS_HDF5FILE_H
