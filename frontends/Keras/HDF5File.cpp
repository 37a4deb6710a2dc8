//===- HDF5File.cpp - the HDF5 reads the Keras importer needs -------------===//
//
// The child walks the file with H5Ovisit and writes records to a pipe:
//   'G' path                      a group
//   'D' path rank dims... kind n  a dataset: kind 0 float, 1 integer (then
//       floats... [int64]           the floats, and for one integer element
//                                   its exact value)
//   'A' path name count strings   a string attribute
// (strings as a u64 length and the bytes, numbers little-endian). The
// parent reads them with every length checked against what is left.
//
//===----------------------------------------------------------------------===//

#include "frontends/Keras/HDF5File.h"

#include "runtime/ReadFile.h"

#include <hdf5.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

#include <fcntl.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

using namespace mlc::keras;

#ifndef __has_feature
#define __has_feature(x) 0
#endif

namespace {

/// Seconds libhdf5 gets to read a file of `size` bytes: 5, and one more
/// per 100 MB (it reads hundreds of MB a second from memory).
unsigned timeLimit(size_t size) { return 5 + unsigned(size / 100000000); }

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

//===----------------------------------------------------------------------===//
// The child: libhdf5 to records.
//===----------------------------------------------------------------------===//

struct Writer {
  int fd;
  bool ok = true;
  void bytes(const void *data, size_t size) {
    const char *p = static_cast<const char *>(data);
    while (ok && size) {
      ssize_t n = ::write(fd, p, size);
      if (n < 0 && errno == EINTR)
        continue;
      if (n <= 0) {
        ok = false;
        return;
      }
      p += n;
      size -= size_t(n);
    }
  }
  void u64(uint64_t v) { bytes(&v, 8); }
  void str(const std::string &s) {
    u64(s.size());
    bytes(s.data(), s.size());
  }
};

/// The strings of a string attribute, or false for another type.
bool readStrings(hid_t attr, std::vector<std::string> &out) {
  Handle type(H5Aget_type(attr), H5Tclose);
  Handle space(H5Aget_space(attr), H5Sclose);
  if (!type || !space || H5Tget_class(type.id) != H5T_STRING)
    return false;
  hssize_t count = H5Sget_simple_extent_npoints(space.id);
  if (count < 0 || count > (1 << 20))
    return false;
  out.clear();
  if (H5Tis_variable_str(type.id) > 0) {
    std::vector<char *> ptrs(size_t(count), nullptr);
    Handle mem(H5Tcopy(H5T_C_S1), H5Tclose);
    H5Tset_size(mem.id, H5T_VARIABLE);
    H5Tset_cset(mem.id, H5Tget_cset(type.id));
    if (H5Aread(attr, mem.id, ptrs.data()) < 0)
      return false;
    for (char *p : ptrs)
      out.push_back(p ? p : "");
    H5Dvlen_reclaim(mem.id, space.id, H5P_DEFAULT, ptrs.data());
    return true;
  }
  size_t size = H5Tget_size(type.id);
  if (size == 0 || size_t(count) > (size_t(1) << 30) / size)
    return false;
  std::vector<char> buffer(size * size_t(count));
  if (H5Aread(attr, type.id, buffer.data()) < 0)
    return false;
  for (hssize_t i = 0; i < count; ++i) {
    const char *s = buffer.data() + size_t(i) * size;
    out.emplace_back(s, strnlen(s, size));
  }
  return true;
}

struct Walk {
  Writer &w;
  uint64_t budget; ///< bytes of datasets still allowed
};

herr_t attributeVisitor(hid_t location, const char *name, const H5A_info_t *,
                        void *data) {
  auto *walk = static_cast<std::pair<Walk *, std::string> *>(data);
  Handle attr(H5Aopen(location, name, H5P_DEFAULT), H5Aclose);
  std::vector<std::string> values;
  if (attr && readStrings(attr.id, values)) {
    Writer &w = walk->first->w;
    w.bytes("A", 1);
    w.str(walk->second);
    w.str(name);
    w.u64(values.size());
    for (const std::string &v : values)
      w.str(v);
  }
  return walk->first->w.ok ? 0 : -1;
}

herr_t objectVisitor(hid_t root, const char *name, const H5O_info_t *info,
                     void *data) {
  Walk &walk = *static_cast<Walk *>(data);
  Writer &w = walk.w;
  std::string path = std::string(name) == "." ? "/" : name;
  if (info->type == H5O_TYPE_GROUP) {
    w.bytes("G", 1);
    w.str(path);
  } else if (info->type == H5O_TYPE_DATASET) {
    Handle set(H5Dopen2(root, name, H5P_DEFAULT), H5Dclose);
    Handle type(set ? H5Dget_type(set.id) : -1, H5Tclose);
    Handle space(set ? H5Dget_space(set.id) : -1, H5Sclose);
    H5T_class_t cls = type ? H5Tget_class(type.id) : H5T_NO_CLASS;
    int rank = space ? H5Sget_simple_extent_ndims(space.id) : -1;
    if ((cls == H5T_FLOAT || cls == H5T_INTEGER) && rank >= 0 && rank <= 32) {
      std::vector<hsize_t> dims(static_cast<size_t>(rank));
      H5Sget_simple_extent_dims(space.id, dims.data(), nullptr);
      uint64_t count = 1;
      bool fits = true;
      for (hsize_t d : dims) {
        if (d && count > walk.budget / 4 / d)
          fits = false;
        count *= fits ? d : 1;
      }
      std::vector<float> values;
      int64_t integer = 0;
      bool read = fits;
      if (read) {
        walk.budget -= count * 4;
        values.resize(size_t(count));
        read = !count || H5Dread(set.id, H5T_NATIVE_FLOAT, H5S_ALL, H5S_ALL,
                                 H5P_DEFAULT, values.data()) >= 0;
        if (read && cls == H5T_INTEGER && count == 1)
          read = H5Dread(set.id, H5T_NATIVE_INT64, H5S_ALL, H5S_ALL,
                         H5P_DEFAULT, &integer) >= 0;
      }
      if (read) {
        w.bytes("D", 1);
        w.str(path);
        w.u64(uint64_t(rank));
        for (hsize_t d : dims)
          w.u64(d);
        w.u64(cls == H5T_INTEGER);
        w.u64(count);
        w.bytes(values.data(), values.size() * 4);
        if (cls == H5T_INTEGER && count == 1)
          w.u64(uint64_t(integer));
      }
    }
  }
  // The object's string attributes.
  Handle object(H5Oopen(root, name, H5P_DEFAULT), H5Oclose);
  if (object) {
    std::pair<Walk *, std::string> at{&walk, path};
    hsize_t index = 0;
    H5Aiterate2(object.id, H5_INDEX_NAME, H5_ITER_INC, &index,
                attributeVisitor, &at);
  }
  return w.ok ? 0 : -1;
}

/// The child's work: never returns.
[[noreturn]] void readInChild(const std::vector<uint8_t> &bytes, int fd) {
  // The parent's handlers (LLVM's crash reports, a fuzzer's timer) are not
  // the child's: a fault or the time limit ends it, quietly.
  for (int sig : {SIGALRM, SIGSEGV, SIGBUS, SIGFPE, SIGILL, SIGABRT})
    signal(sig, SIG_DFL);
  sigset_t all;
  sigemptyset(&all);
  sigprocmask(SIG_SETMASK, &all, nullptr);
  int devNull = open("/dev/null", O_WRONLY);
  if (devNull >= 0)
    dup2(devNull, 2);
  alarm(timeLimit(bytes.size()));
#if !defined(__SANITIZE_ADDRESS__) && !__has_feature(address_sanitizer)
  // A damaged size field can have libhdf5 allocate without bound; its
  // address space is this machine's memory (sanitizers reserve more).
  uint64_t memory = mlc::runtime::physicalMemory();
  struct rlimit limit = {rlim_t(memory), rlim_t(memory)};
  setrlimit(RLIMIT_AS, &limit);
#endif
  H5Eset_auto2(H5E_DEFAULT, nullptr, nullptr);
  Writer w{fd};
  int status = 1;
  hid_t fapl = H5Pcreate(H5P_FILE_ACCESS);
  // The core driver reads the image in place (no copy, no write-back).
  if (fapl >= 0 && H5Pset_fapl_core(fapl, 1 << 20, 0) >= 0 &&
      H5Pset_file_image(fapl, const_cast<uint8_t *>(bytes.data()),
                        bytes.size()) >= 0) {
    hid_t file = H5Fopen("image.h5", H5F_ACC_RDONLY, fapl);
    if (file >= 0) {
      Walk walk{w, mlc::runtime::physicalMemory() / 2};
      herr_t visited = H5Ovisit(file, H5_INDEX_NAME, H5_ITER_INC,
                                objectVisitor, &walk);
      status = visited >= 0 && w.ok ? 0 : 2;
    }
  }
  // No destructors, no atexit handlers: they belong to the parent.
  _exit(status);
}

//===----------------------------------------------------------------------===//
// The parent: records to maps.
//===----------------------------------------------------------------------===//

struct Reader {
  const std::string &data;
  size_t pos = 0;
  bool ok = true;
  bool u64(uint64_t &v) {
    if (!ok || data.size() - pos < 8)
      return ok = false;
    std::memcpy(&v, data.data() + pos, 8);
    pos += 8;
    return true;
  }
  bool str(std::string &s) {
    uint64_t n;
    if (!u64(n) || n > data.size() - pos)
      return ok = false;
    s.assign(data.data() + pos, size_t(n));
    pos += size_t(n);
    return true;
  }
};

} // namespace

bool HDF5File::openImage(const std::vector<uint8_t> &bytes,
                         const std::string &what, std::string &error) {
  name = what;
  datasets.clear();
  objects.clear();
  attributes.clear();
  int fds[2];
  if (pipe(fds) != 0) {
    error = what + ": cannot start reading it (pipe: " + strerror(errno) + ")";
    return false;
  }
  pid_t child = fork();
  if (child < 0) {
    close(fds[0]);
    close(fds[1]);
    error = what + ": cannot start reading it (fork: " + strerror(errno) + ")";
    return false;
  }
  if (child == 0) {
    close(fds[0]);
    readInChild(bytes, fds[1]);
  }
  close(fds[1]);
  std::string data;
  char buffer[1 << 16];
  for (;;) {
    ssize_t n = read(fds[0], buffer, sizeof buffer);
    if (n < 0 && errno == EINTR)
      continue;
    if (n <= 0)
      break;
    data.append(buffer, size_t(n));
  }
  close(fds[0]);
  int status = 0;
  while (waitpid(child, &status, 0) < 0 && errno == EINTR) {
  }
  if (WIFSIGNALED(status)) {
    error = what + (WTERMSIG(status) == SIGALRM
                        ? ": libhdf5 did not finish reading it in " +
                              std::to_string(timeLimit(bytes.size())) +
                              " s (the file is damaged)"
                        : ": libhdf5 failed on it (" +
                              std::string(strsignal(WTERMSIG(status))) +
                              "; the file is damaged)");
    return false;
  }
  if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
    error = what + ": not an HDF5 file libhdf5 can read";
    return false;
  }
  Reader r{data};
  while (r.ok && r.pos < data.size()) {
    char kind = data[r.pos++];
    std::string path;
    if (!r.str(path))
      break;
    if (kind == 'G') {
      objects[path] = true;
    } else if (kind == 'D') {
      HDF5Array a;
      uint64_t rank, integral, count, dim;
      if (!r.u64(rank) || rank > 32)
        break;
      for (uint64_t k = 0; k < rank && r.u64(dim); ++k)
        a.shape.push_back(int64_t(dim));
      if (!r.u64(integral) || !r.u64(count) || count > (data.size() - r.pos) / 4)
        break;
      uint64_t product = 1;
      for (int64_t d : a.shape)
        product = d ? product * uint64_t(d) : 0;
      if (a.shape.size() != rank || (product != count && count != 0)) {
        r.ok = false;
        break;
      }
      a.data.resize(size_t(count));
      std::memcpy(a.data.data(), data.data() + r.pos, size_t(count) * 4);
      r.pos += size_t(count) * 4;
      if (integral && count == 1) {
        uint64_t v;
        if (!r.u64(v))
          break;
        a.integer = int64_t(v);
      }
      objects[path] = false;
      datasets[path] = std::move(a);
    } else if (kind == 'A') {
      std::string attr;
      uint64_t count;
      if (!r.str(attr) || !r.u64(count) || count > data.size())
        break;
      std::vector<std::string> values;
      for (uint64_t k = 0; k < count; ++k) {
        std::string v;
        if (!r.str(v))
          break;
        values.push_back(std::move(v));
      }
      attributes[{path, attr}] = std::move(values);
    } else {
      r.ok = false;
    }
  }
  if (!r.ok) {
    error = what + ": libhdf5's reading of it came back damaged";
    return false;
  }
  return true;
}

bool HDF5File::exists(const std::string &path) const {
  return objects.count(path) != 0;
}

bool HDF5File::list(const std::string &path, std::vector<std::string> &names,
                    std::string &error) const {
  names.clear();
  auto it = objects.find(path);
  if (it == objects.end() || !it->second) {
    error = name + ": no group '" + path + "'";
    return false;
  }
  std::string prefix = path + "/";
  for (auto o = objects.lower_bound(prefix);
       o != objects.end() && o->first.compare(0, prefix.size(), prefix) == 0;
       ++o)
    if (o->first.find('/', prefix.size()) == std::string::npos)
      names.push_back(o->first.substr(prefix.size()));
  return true;
}

bool HDF5File::readFloats(const std::string &path, HDF5Array &out,
                          std::string &error) const {
  auto it = datasets.find(path);
  if (it == datasets.end()) {
    error = name + ": no numeric dataset '" + path + "'";
    return false;
  }
  out = it->second;
  return true;
}

bool HDF5File::readInt(const std::string &path, int64_t &out,
                       std::string &error) const {
  auto it = datasets.find(path);
  if (it == datasets.end() || !it->second.integer) {
    error = name + ": '" + path + "' is not one integer";
    return false;
  }
  out = *it->second.integer;
  return true;
}

std::optional<std::string>
HDF5File::stringAttribute(const std::string &path,
                          const std::string &attribute) const {
  auto it = attributes.find({path, attribute});
  if (it == attributes.end() || it->second.size() != 1)
    return std::nullopt;
  return it->second.front();
}

bool HDF5File::stringsAttribute(const std::string &path,
                                const std::string &attribute,
                                std::vector<std::string> &out,
                                std::string &error) const {
  auto it = attributes.find({path, attribute});
  if (it == attributes.end()) {
    error = name + ": '" + path + "' has no string attribute '" + attribute +
            "'";
    return false;
  }
  out = it->second;
  return true;
}
