//===- IDX.cpp - IDX files (MNIST, Fashion-MNIST) -------------------------===//

#include "runtime/IDX.h"

#include <zlib.h>

#include <sys/stat.h>

namespace mlc::runtime {
namespace {

bool exists(const std::string &path) {
  struct stat st;
  return ::stat(path.c_str(), &st) == 0 && S_ISREG(st.st_mode);
}

/// Reads exactly `n` bytes; gzread also reads uncompressed files.
bool readExactly(gzFile file, void *buffer, size_t n, const std::string &path,
                 std::string &error) {
  auto *bytes = static_cast<unsigned char *>(buffer);
  while (n > 0) {
    unsigned chunk = n > (1u << 30) ? (1u << 30) : unsigned(n);
    int got = gzread(file, bytes, chunk);
    if (got <= 0) {
      int code = 0;
      const char *message = gzerror(file, &code);
      error = path + ": " +
              (got < 0 || code != Z_OK
                   ? std::string("corrupt compressed data (") + message + ")"
                   : std::string("file is truncated"));
      return false;
    }
    bytes += got;
    n -= size_t(got);
  }
  return true;
}

} // namespace

bool readIdx(const std::string &path, int rank, IdxArray &out,
             std::string &error) {
  gzFile file = gzopen(path.c_str(), "rb");
  if (!file) {
    error = path + ": cannot open the file";
    return false;
  }
  bool ok = [&] {
    unsigned char magic[4];
    if (!readExactly(file, magic, 4, path, error))
      return false;
    if (magic[0] != 0 || magic[1] != 0 || magic[2] != 0x08 ||
        magic[3] != rank) {
      error = path + ": not an IDX file of unsigned bytes with " +
              std::to_string(rank) + " dimension(s) (magic number " +
              std::to_string((magic[2] << 8) | magic[3]) + ", expected " +
              std::to_string((0x08 << 8) | rank) + ")";
      return false;
    }
    out.dims.assign(rank, 0);
    size_t count = 1;
    for (int d = 0; d < rank; ++d) {
      unsigned char b[4];
      if (!readExactly(file, b, 4, path, error))
        return false;
      out.dims[d] = (int64_t(b[0]) << 24) | (b[1] << 16) | (b[2] << 8) | b[3];
      count *= size_t(out.dims[d]);
    }
    out.data.resize(count);
    if (!readExactly(file, out.data.data(), count, path, error))
      return false;
    unsigned char extra;
    if (gzread(file, &extra, 1) > 0) {
      error =
          path + ": unexpected data after " + std::to_string(count) + " values";
      return false;
    }
    return true;
  }();
  gzclose(file);
  return ok;
}

bool loadIdxDirectory(const std::string &dir, Dataset &train, Dataset &test,
                      std::string &error) {
  struct stat st;
  if (::stat(dir.c_str(), &st) != 0 || !S_ISDIR(st.st_mode)) {
    error = dir + ": no such data directory";
    return false;
  }
  auto find = [&](const std::string &stem, std::string &path) {
    for (const char *suffix : {".gz", ""}) {
      path = dir + "/" + stem + suffix;
      if (exists(path))
        return true;
    }
    error = dir + ": missing " + stem + " (or " + stem + ".gz)";
    return false;
  };
  struct Part {
    const char *images, *labels;
    Dataset *set;
  } parts[] = {{"train-images-idx3-ubyte", "train-labels-idx1-ubyte", &train},
               {"t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte", &test}};
  for (const Part &part : parts) {
    std::string imagesPath, labelsPath;
    if (!find(part.images, imagesPath) || !find(part.labels, labelsPath) ||
        !readIdx(imagesPath, 3, part.set->images, error) ||
        !readIdx(labelsPath, 1, part.set->labels, error))
      return false;
    if (part.set->images.dims[0] != part.set->labels.dims[0]) {
      error = labelsPath + ": " + std::to_string(part.set->labels.dims[0]) +
              " labels for " + std::to_string(part.set->images.dims[0]) +
              " images in " + imagesPath;
      return false;
    }
  }
  return true;
}

} // namespace mlc::runtime
