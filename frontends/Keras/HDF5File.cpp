//===- HDF5File.cpp - the HDF5 reads the Keras importer needs -------------===//

#include "frontends/Keras/HDF5File.h"

#include "runtime/ReadFile.h"

#include <hdf5.h>

#include <cstring>

using namespace mlc::keras;
namespace runtime = mlc::runtime;

namespace {

/// libhdf5 prints its error stack to stderr unless told not to; mlc says
/// what failed in its own words.
void quiet() { H5Eset_auto2(H5E_DEFAULT, nullptr, nullptr); }

/// Closes a handle when it goes out of scope.
struct Handle {
  hid_t id;
  herr_t (*close)(hid_t);
  Handle(hid_t id, herr_t (*close)(hid_t)) : id(id), close(close) {}
  ~Handle() {
    if (id >= 0)
      close(id);
  }
  explicit operator bool() const { return id >= 0; }
};

/// Reads the strings of an attribute or dataset of string type `type`
/// with `count` elements.
bool readStrings(hid_t attr, hid_t type, size_t count,
                 std::vector<std::string> &out) {
  out.clear();
  if (H5Tget_class(type) != H5T_STRING)
    return false;
  if (H5Tis_variable_str(type) > 0) {
    std::vector<char *> ptrs(count, nullptr);
    Handle mem(H5Tcopy(H5T_C_S1), H5Tclose);
    H5Tset_size(mem.id, H5T_VARIABLE);
    H5Tset_cset(mem.id, H5Tget_cset(type));
    if (H5Aread(attr, mem.id, ptrs.data()) < 0)
      return false;
    for (char *p : ptrs)
      out.push_back(p ? p : "");
    Handle space(H5Aget_space(attr), H5Sclose);
    H5Dvlen_reclaim(mem.id, space.id, H5P_DEFAULT, ptrs.data());
    return true;
  }
  size_t size = H5Tget_size(type);
  if (size == 0 || count > (size_t(1) << 30) / size)
    return false;
  std::vector<char> buffer(size * count);
  if (H5Aread(attr, type, buffer.data()) < 0)
    return false;
  for (size_t i = 0; i < count; ++i) {
    const char *s = buffer.data() + i * size;
    out.emplace_back(s, strnlen(s, size));
  }
  return true;
}

} // namespace

HDF5File::~HDF5File() {
  if (file >= 0)
    H5Fclose(file);
}

bool HDF5File::open(const std::string &path, std::string &error) {
  quiet();
  name = path;
  if (H5Fis_hdf5(path.c_str()) <= 0) {
    error = path + ": not an HDF5 file (or it cannot be read)";
    return false;
  }
  file = H5Fopen(path.c_str(), H5F_ACC_RDONLY, H5P_DEFAULT);
  if (file < 0) {
    error = path + ": libhdf5 cannot open it";
    return false;
  }
  return true;
}

bool HDF5File::openImage(const std::vector<uint8_t> &bytes,
                         const std::string &what, std::string &error) {
  quiet();
  name = what;
  Handle fapl(H5Pcreate(H5P_FILE_ACCESS), H5Pclose);
  // The core driver reads the image in place (no copy, no write-back).
  if (!fapl || H5Pset_fapl_core(fapl.id, 1 << 20, 0) < 0 ||
      H5Pset_file_image(fapl.id, const_cast<uint8_t *>(bytes.data()),
                        bytes.size()) < 0) {
    error = what + ": libhdf5 cannot take the file image";
    return false;
  }
  file = H5Fopen(what.c_str(), H5F_ACC_RDONLY, fapl.id);
  if (file < 0) {
    error = what + ": not an HDF5 file libhdf5 can open";
    return false;
  }
  return true;
}

bool HDF5File::exists(const std::string &path) const {
  // Each component must exist before the next is asked for.
  size_t at = 0;
  while (true) {
    size_t slash = path.find('/', at);
    std::string prefix = path.substr(0, slash);
    if (H5Lexists(file, prefix.c_str(), H5P_DEFAULT) <= 0)
      return false;
    if (slash == std::string::npos)
      return true;
    at = slash + 1;
  }
}

bool HDF5File::list(const std::string &path, std::vector<std::string> &names,
                    std::string &error) const {
  names.clear();
  if (!exists(path)) {
    error = name + ": no group '" + path + "'";
    return false;
  }
  Handle group(H5Gopen2(file, path.c_str(), H5P_DEFAULT), H5Gclose);
  H5G_info_t info;
  if (!group || H5Gget_info(group.id, &info) < 0) {
    error = name + ": '" + path + "' is not a group";
    return false;
  }
  for (hsize_t i = 0; i < info.nlinks; ++i) {
    ssize_t length = H5Lget_name_by_idx(group.id, ".", H5_INDEX_NAME,
                                        H5_ITER_INC, i, nullptr, 0,
                                        H5P_DEFAULT);
    if (length < 0) {
      error = name + ": cannot list group '" + path + "'";
      return false;
    }
    std::string member(size_t(length), '\0');
    H5Lget_name_by_idx(group.id, ".", H5_INDEX_NAME, H5_ITER_INC, i,
                       member.data(), size_t(length) + 1, H5P_DEFAULT);
    names.push_back(member);
  }
  return true;
}

bool HDF5File::readFloats(const std::string &path, HDF5Array &out,
                          std::string &error) const {
  out = HDF5Array();
  if (!exists(path)) {
    error = name + ": no dataset '" + path + "'";
    return false;
  }
  Handle set(H5Dopen2(file, path.c_str(), H5P_DEFAULT), H5Dclose);
  if (!set) {
    error = name + ": '" + path + "' is not a dataset";
    return false;
  }
  Handle type(H5Dget_type(set.id), H5Tclose);
  H5T_class_t cls = H5Tget_class(type.id);
  if (cls != H5T_FLOAT && cls != H5T_INTEGER) {
    error = name + ": dataset '" + path + "' does not hold numbers";
    return false;
  }
  Handle space(H5Dget_space(set.id), H5Sclose);
  int rank = H5Sget_simple_extent_ndims(space.id);
  if (rank < 0 || rank > 32) {
    error = name + ": dataset '" + path + "' has no simple shape";
    return false;
  }
  std::vector<hsize_t> dims(static_cast<size_t>(rank));
  H5Sget_simple_extent_dims(space.id, dims.data(), nullptr);
  uint64_t count = 1;
  for (hsize_t d : dims) {
    if (d != 0 && count > runtime::physicalMemory() / 4 / d) {
      error = name + ": dataset '" + path +
              "' is larger than this machine's memory";
      return false;
    }
    count *= d;
    out.shape.push_back(int64_t(d));
  }
  out.data.resize(size_t(count));
  if (count &&
      H5Dread(set.id, H5T_NATIVE_FLOAT, H5S_ALL, H5S_ALL, H5P_DEFAULT,
              out.data.data()) < 0) {
    error = name + ": cannot read dataset '" + path + "'";
    return false;
  }
  return true;
}

bool HDF5File::readInt(const std::string &path, int64_t &out,
                       std::string &error) const {
  if (!exists(path)) {
    error = name + ": no dataset '" + path + "'";
    return false;
  }
  Handle set(H5Dopen2(file, path.c_str(), H5P_DEFAULT), H5Dclose);
  Handle space(set ? H5Dget_space(set.id) : -1, H5Sclose);
  if (!set || !space || H5Sget_simple_extent_npoints(space.id) != 1 ||
      H5Dread(set.id, H5T_NATIVE_INT64, H5S_ALL, H5S_ALL, H5P_DEFAULT,
              &out) < 0) {
    error = name + ": '" + path + "' is not one integer";
    return false;
  }
  return true;
}

std::optional<std::string>
HDF5File::stringAttribute(const std::string &path,
                          const std::string &attribute) const {
  if (!exists(path) && path != "/")
    return std::nullopt;
  if (H5Aexists_by_name(file, path.c_str(), attribute.c_str(), H5P_DEFAULT) <=
      0)
    return std::nullopt;
  Handle attr(H5Aopen_by_name(file, path.c_str(), attribute.c_str(),
                              H5P_DEFAULT, H5P_DEFAULT),
              H5Aclose);
  Handle type(attr ? H5Aget_type(attr.id) : -1, H5Tclose);
  Handle space(attr ? H5Aget_space(attr.id) : -1, H5Sclose);
  if (!attr || !type || !space ||
      H5Sget_simple_extent_npoints(space.id) != 1)
    return std::nullopt;
  std::vector<std::string> values;
  if (!readStrings(attr.id, type.id, 1, values))
    return std::nullopt;
  return values.front();
}

bool HDF5File::stringsAttribute(const std::string &path,
                                const std::string &attribute,
                                std::vector<std::string> &out,
                                std::string &error) const {
  out.clear();
  if ((!exists(path) && path != "/") ||
      H5Aexists_by_name(file, path.c_str(), attribute.c_str(), H5P_DEFAULT) <=
          0) {
    error = name + ": '" + path + "' has no attribute '" + attribute + "'";
    return false;
  }
  Handle attr(H5Aopen_by_name(file, path.c_str(), attribute.c_str(),
                              H5P_DEFAULT, H5P_DEFAULT),
              H5Aclose);
  Handle type(attr ? H5Aget_type(attr.id) : -1, H5Tclose);
  Handle space(attr ? H5Aget_space(attr.id) : -1, H5Sclose);
  hssize_t count = space ? H5Sget_simple_extent_npoints(space.id) : -1;
  if (!attr || !type || count < 0 ||
      !readStrings(attr.id, type.id, size_t(count), out)) {
    error = name + ": attribute '" + attribute + "' of '" + path +
            "' is not a list of strings";
    return false;
  }
  return true;
}
