//===- IDX.cpp - IDX files (MNIST, Fashion-MNIST) -------------------------===//

#include "runtime/IDX.h"

#include "runtime/ReadFile.h"

#include <zlib.h>

#include <cstdlib>
#include <cstring>
#include <memory>

#include <sys/stat.h>

namespace mlc::runtime {
namespace {

bool exists(const std::string &path) {
  struct stat st;
  return ::stat(path.c_str(), &st) == 0 && S_ISREG(st.st_mode);
}

/// The bytes of an IDX file in memory, gzip-compressed or not, read in
/// order. A gzip file must be whole: every member's CRC and length are
/// checked, and nothing but further members may follow the first.
class Bytes {
public:
  Bytes(const uint8_t *data, size_t size) : data(data), size(size) {
    compressed = size >= 2 && data[0] == 0x1f && data[1] == 0x8b;
    if (compressed) {
      std::memset(&stream, 0, sizeof stream);
      // 16 + MAX_WBITS: a gzip wrapper, whose trailer inflate checks.
      started = inflateInit2(&stream, 16 + MAX_WBITS) == Z_OK;
      stream.next_in = const_cast<uint8_t *>(data);
      stream.avail_in = 0;
    }
  }
  ~Bytes() {
    if (compressed && started)
      inflateEnd(&stream);
  }

  /// At most how many bytes are left: deflate expands by at most 1032x.
  uint64_t maxLeft() const {
    if (!compressed)
      return size - pos;
    uint64_t unread = size - pos + stream.avail_in;
    return unread * 1032 + 1032;
  }

  /// Reads exactly `n` bytes.
  bool read(uint8_t *out, size_t n, std::string &error) {
    if (n == 0)
      return true; // `out` may be null (an empty array's data)
    if (!compressed) {
      if (n > size - pos) {
        error = "file is truncated";
        return false;
      }
      std::memcpy(out, data + pos, n);
      pos += n;
      return true;
    }
    if (inflateInto(out, n, error) == n && error.empty())
      return true;
    if (error.empty())
      error = "file is truncated";
    return false;
  }

  /// Whether no byte is left; sets `error` when the data is corrupt.
  bool atEnd(std::string &error) {
    if (!compressed)
      return pos == size;
    uint8_t extra;
    return inflateInto(&extra, 1, error) == 0 && error.empty();
  }

private:
  /// Inflates up to `n` bytes into `out`; fewer only at the end of the
  /// data, or with `error` set.
  size_t inflateInto(uint8_t *out, size_t n, std::string &error) {
    if (!started) {
      error = "out of memory";
      return 0;
    }
    size_t done = 0;
    while (done < n) {
      if (finished) {
        // Another gzip member may follow; anything else is garbage.
        if (pos == size)
          return done;
        if (size - pos < 2 || data[pos] != 0x1f || data[pos + 1] != 0x8b) {
          error = "unexpected bytes after the compressed data";
          return done;
        }
        inflateReset(&stream);
        finished = false;
      }
      if (stream.avail_in == 0) {
        if (pos == size) {
          error = "the compressed data is truncated";
          return done;
        }
        size_t chunk = std::min<size_t>(size - pos, 1u << 30);
        stream.next_in = const_cast<uint8_t *>(data + pos);
        stream.avail_in = unsigned(chunk);
        pos += chunk;
      }
      size_t want = std::min<size_t>(n - done, 1u << 30);
      stream.next_out = out + done;
      stream.avail_out = unsigned(want);
      int status = inflate(&stream, Z_NO_FLUSH);
      done += want - stream.avail_out;
      if (status == Z_STREAM_END) {
        finished = true;
        // Unread input goes back: the next member starts there.
        pos -= stream.avail_in;
        stream.avail_in = 0;
        continue;
      }
      if (status == Z_BUF_ERROR && stream.avail_in == 0)
        continue; // needs more input
      if (status != Z_OK) {
        error = std::string("corrupt compressed data (") +
                (stream.msg ? stream.msg : zError(status)) + ")";
        return done;
      }
    }
    return done;
  }

  const uint8_t *data;
  size_t size, pos = 0;
  bool compressed, started = false, finished = false;
  z_stream stream;
};

} // namespace

bool parseIdx(const uint8_t *data, size_t size, int rank, IdxArray &out,
              std::string &error) {
  error.clear();
  Bytes bytes(data, size);
  uint8_t magic[4];
  if (!bytes.read(magic, 4, error))
    return false;
  if (magic[0] != 0 || magic[1] != 0 || magic[2] != 0x08 || magic[3] != rank) {
    error = "not an IDX file of unsigned bytes with " + std::to_string(rank) +
            " dimension(s) (magic number " +
            std::to_string((magic[2] << 8) | magic[3]) + ", expected " +
            std::to_string((0x08 << 8) | rank) + ")";
    return false;
  }
  out.dims.assign(rank, 0);
  uint64_t count = 1;
  bool overflow = false;
  for (int d = 0; d < rank; ++d) {
    uint8_t b[4];
    if (!bytes.read(b, 4, error))
      return false;
    out.dims[d] = (int64_t(b[0]) << 24) | (int64_t(b[1]) << 16) |
                  (int64_t(b[2]) << 8) | int64_t(b[3]);
    overflow |= __builtin_mul_overflow(count, uint64_t(out.dims[d]), &count);
  }
  // The header is checked against what the file can hold before anything
  // is allocated for it.
  if (overflow || count > bytes.maxLeft()) {
    std::string shape;
    for (int d = 0; d < rank; ++d)
      shape += (d ? " x " : "") + std::to_string(out.dims[d]);
    error = "the header promises " + shape + " values, more than the " +
            std::to_string(size) + "-byte file can hold";
    return false;
  }
  try {
    out.data.resize(count);
  } catch (const std::bad_alloc &) {
    error = "out of memory for " + std::to_string(count) + " values";
    return false;
  }
  if (!bytes.read(out.data.data(), count, error))
    return false;
  if (!bytes.atEnd(error)) {
    if (error.empty())
      error = "unexpected data after " + std::to_string(count) + " values";
    return false;
  }
  return true;
}

bool readIdx(const std::string &path, int rank, IdxArray &out,
             std::string &error) {
  // 16 GiB: ten times the largest IDX dataset there is.
  return parseFile(path, uint64_t(16) << 30, ": ", error,
                   [&](const uint8_t *bytes, size_t size, std::string &e) {
                     return parseIdx(bytes, size, rank, out, e);
                   });
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
  std::string trainImagesPath;
  for (const Part &part : parts) {
    std::string imagesPath, labelsPath;
    if (!find(part.images, imagesPath) || !find(part.labels, labelsPath) ||
        !readIdx(imagesPath, 3, part.set->images, error) ||
        !readIdx(labelsPath, 1, part.set->labels, error))
      return false;
    const std::vector<int64_t> &dims = part.set->images.dims;
    if (dims[0] != part.set->labels.dims[0]) {
      error = labelsPath + ": " + std::to_string(part.set->labels.dims[0]) +
              " labels for " + std::to_string(dims[0]) + " images in " +
              imagesPath;
      return false;
    }
    if (dims[0] == 0 || dims[1] == 0 || dims[2] == 0) {
      error = imagesPath + ": holds no images (" + std::to_string(dims[0]) +
              " of " + std::to_string(dims[1]) + "x" + std::to_string(dims[2]) +
              ")";
      return false;
    }
    // Every sample of both sets fills the model's one input.
    if (part.set == &test &&
        (dims[1] != train.images.dims[1] || dims[2] != train.images.dims[2])) {
      error = imagesPath + ": the images are " + std::to_string(dims[1]) + "x" +
              std::to_string(dims[2]) + ", but the training images (" +
              trainImagesPath + ") are " +
              std::to_string(train.images.dims[1]) + "x" +
              std::to_string(train.images.dims[2]);
      return false;
    }
    trainImagesPath = imagesPath;
  }
  return true;
}

} // namespace mlc::runtime
