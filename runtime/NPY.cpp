//===- NPY.cpp - NumPy .npy arrays ----------------------------------------===//

#include "runtime/NPY.h"

#include "runtime/ReadFile.h"

#include <cstdlib>
#include <cstring>
#include <memory>

namespace mlc::runtime {
namespace {

/// The header's dict literal, parsed by hand: keys and values are the few
/// Python literals numpy writes (strings, True/False, tuples of ints).
class Header {
public:
  Header(const char *text, size_t size) : p(text), end(text + size) {}

  bool parse(std::string &descr, bool &fortran, std::vector<int64_t> &shape,
             std::string &error) {
    bool haveDescr = false, haveOrder = false, haveShape = false;
    skipSpace();
    if (!take('{'))
      return fail("the header is not a dict", error);
    while (true) {
      skipSpace();
      if (take('}'))
        break;
      std::string key;
      if (!string(key))
        return fail("expected a quoted key in the header", error);
      skipSpace();
      if (!take(':'))
        return fail("expected ':' after '" + key + "' in the header", error);
      skipSpace();
      if (key == "descr") {
        if (!string(descr))
          return fail("'descr' is not a string (structured dtypes are not "
                      "supported)",
                      error);
        haveDescr = true;
      } else if (key == "fortran_order") {
        if (word("True"))
          fortran = true;
        else if (word("False"))
          fortran = false;
        else
          return fail("'fortran_order' is not True or False", error);
        haveOrder = true;
      } else if (key == "shape") {
        if (!tuple(shape))
          return fail("'shape' is not a tuple of non-negative integers", error);
        haveShape = true;
      } else {
        return fail("unexpected key '" + key + "' in the header", error);
      }
      skipSpace();
      if (take(','))
        continue;
      skipSpace();
      if (take('}'))
        break;
      return fail("expected ',' or '}' in the header", error);
    }
    skipSpace();
    if (p != end)
      return fail("unexpected text after the header's dict", error);
    if (!haveDescr || !haveOrder || !haveShape)
      return fail("the header lacks 'descr', 'fortran_order' or 'shape'",
                  error);
    return true;
  }

private:
  static bool fail(const std::string &why, std::string &error) {
    error = why;
    return false;
  }
  void skipSpace() {
    while (p != end && (*p == ' ' || *p == '\n' || *p == '\t' || *p == '\r'))
      ++p;
  }
  bool take(char c) {
    if (p == end || *p != c)
      return false;
    ++p;
    return true;
  }
  bool word(const char *w) {
    size_t n = std::strlen(w);
    if (size_t(end - p) < n || std::memcmp(p, w, n) != 0)
      return false;
    p += n;
    return true;
  }
  bool string(std::string &out) {
    if (p == end || (*p != '\'' && *p != '"'))
      return false;
    char quote = *p++;
    const char *start = p;
    while (p != end && *p != quote)
      if (*p++ == '\\')
        return false; // numpy writes no escapes
    if (p == end)
      return false;
    out.assign(start, p);
    ++p;
    return true;
  }
  bool tuple(std::vector<int64_t> &out) {
    if (!take('('))
      return false;
    out.clear();
    while (true) {
      skipSpace();
      if (take(')'))
        return true;
      if (p == end || *p < '0' || *p > '9')
        return false;
      int64_t v = 0;
      while (p != end && *p >= '0' && *p <= '9') {
        if (v > (INT64_MAX - 9) / 10)
          return false;
        v = v * 10 + (*p++ - '0');
      }
      if (p != end && *p == 'L') // Python 2's long suffix
        ++p;
      out.push_back(v);
      skipSpace();
      if (take(','))
        continue;
      skipSpace();
      if (take(')'))
        return true;
      return false;
    }
  }

  const char *p, *end;
};

uint64_t load(const uint8_t *src, int bytes, bool swap) {
  uint64_t v = 0;
  for (int k = 0; k < bytes; ++k)
    v |= uint64_t(src[swap ? bytes - 1 - k : k]) << (8 * k);
  return v;
}

float halfToFloat(uint16_t h) {
  uint32_t sign = uint32_t(h >> 15) << 31, exponent = (h >> 10) & 31,
           mantissa = h & 1023, bits;
  if (exponent == 31) {
    bits = sign | 0x7f800000u | (mantissa << 13);
  } else if (exponent == 0) {
    if (mantissa == 0) {
      bits = sign;
    } else {
      // Subnormal: normalize.
      int shift = 0;
      while (!(mantissa & 1024)) {
        mantissa <<= 1;
        ++shift;
      }
      bits = sign | uint32_t(127 - 15 - shift + 1) << 23 |
             ((mantissa & 1023) << 13);
    }
  } else {
    bits = sign | (exponent + 127 - 15) << 23 | (mantissa << 13);
  }
  float f;
  std::memcpy(&f, &bits, sizeof f);
  return f;
}

} // namespace

int64_t NpyArray::size() const {
  return integral ? int64_t(ints.size()) : int64_t(floats.size());
}

bool parseNpy(const uint8_t *data, size_t size, NpyArray &out,
              std::string &error) {
  static const uint8_t magic[] = {0x93, 'N', 'U', 'M', 'P', 'Y'};
  if (size < 10 || std::memcmp(data, magic, sizeof magic) != 0) {
    error = "not a .npy file (no \\x93NUMPY magic)";
    return false;
  }
  int major = data[6];
  if (major < 1 || major > 3) {
    error = "unsupported .npy version " + std::to_string(major) + "." +
            std::to_string(data[7]) + " (1.0-3.0 are read)";
    return false;
  }
  size_t lengthBytes = major == 1 ? 2 : 4;
  if (size < 8 + lengthBytes) {
    error = "file is truncated in its header";
    return false;
  }
  uint64_t headerLength = load(data + 8, int(lengthBytes), false);
  size_t headerStart = 8 + lengthBytes;
  if (headerLength > size - headerStart) {
    error = "the header claims " + std::to_string(headerLength) +
            " bytes, the file has " + std::to_string(size - headerStart);
    return false;
  }
  std::string descr;
  bool fortran = false;
  std::vector<int64_t> shape;
  Header header(reinterpret_cast<const char *>(data + headerStart),
                size_t(headerLength));
  if (!header.parse(descr, fortran, shape, error))
    return false;

  // descr: byte order ('<', '>', '|', '='), kind, item size.
  if (descr.size() < 3 || !std::strchr("<>|=", descr[0])) {
    error = "unsupported dtype '" + descr + "'";
    return false;
  }
  char kind = descr[1];
  std::string itemText = descr.substr(2);
  int item = 0;
  if (itemText == "1" || itemText == "2" || itemText == "4" || itemText == "8")
    item = itemText[0] - '0';
  bool supported = item && ((kind == 'b' && item == 1) || kind == 'i' ||
                            kind == 'u' || (kind == 'f' && item >= 2));
  if (!supported) {
    error = "unsupported dtype '" + descr +
            "' (booleans, integers and floats are read)";
    return false;
  }
  if (descr[0] == '|' && item > 1) {
    error = "dtype '" + descr + "' has no byte order ('<' or '>')";
    return false;
  }
  // '=' is the writer's native order: little-endian on every machine mlc
  // targets.
  bool swap = descr[0] == '>';
  out.dtype = descr.substr(1);
  out.shape = shape;
  out.integral = kind != 'f';

  // The product of the non-zero dims must fit an int64 (callers multiply
  // dims, such as a sample's size, even when another dim is 0).
  uint64_t count = 1, nonZero = 1;
  for (int64_t d : shape) {
    if (d != 0 && nonZero > uint64_t(INT64_MAX) / uint64_t(d)) {
      error = "the shape's element count overflows";
      return false;
    }
    if (d != 0)
      nonZero *= uint64_t(d);
    count *= uint64_t(d);
  }
  const uint8_t *payload = data + headerStart + headerLength;
  uint64_t available = size - headerStart - headerLength;
  if (count > available / uint64_t(item)) {
    error = "the shape needs " + std::to_string(count) + " elements of " +
            std::to_string(item) + " bytes; the file holds " +
            std::to_string(available) + " bytes of data (truncated?)";
    return false;
  }
  if (count * uint64_t(item) != available) {
    error = std::to_string(available - count * uint64_t(item)) +
            " bytes follow the array's data";
    return false;
  }

  // Element k of the result (C order) comes from source element src(k).
  size_t n = size_t(count);
  std::vector<int64_t> fortranStrides;
  if (fortran && shape.size() > 1 && count > 0) {
    fortranStrides.assign(shape.size(), 1);
    for (size_t d = 1; d < shape.size(); ++d)
      fortranStrides[d] = fortranStrides[d - 1] * shape[d - 1];
  }
  std::vector<int64_t> index(shape.size(), 0);
  auto source = [&](size_t k) -> size_t {
    if (fortranStrides.empty())
      return k;
    size_t offset = 0;
    for (size_t d = 0; d < shape.size(); ++d)
      offset += size_t(index[d] * fortranStrides[d]);
    // Advance the C-order index.
    for (size_t d = shape.size(); d-- > 0;) {
      if (++index[d] < shape[d])
        break;
      index[d] = 0;
    }
    return offset;
  };

  if (out.integral) {
    out.ints.resize(n);
    out.floats.clear();
    for (size_t k = 0; k < n; ++k) {
      uint64_t raw = load(payload + source(k) * size_t(item), item, swap);
      int64_t v;
      if (kind == 'i' && item < 8 && (raw >> (8 * item - 1)) & 1)
        v = int64_t(raw | ~((uint64_t(1) << (8 * item)) - 1)); // sign-extend
      else
        v = int64_t(raw);
      if (kind == 'u' && item == 8 && raw > uint64_t(INT64_MAX)) {
        error = "a uint64 value does not fit an int64";
        return false;
      }
      if (kind == 'b' && raw > 1) {
        error = "a boolean element is neither 0 nor 1";
        return false;
      }
      out.ints[k] = v;
    }
  } else {
    out.floats.resize(n);
    out.ints.clear();
    for (size_t k = 0; k < n; ++k) {
      uint64_t raw = load(payload + source(k) * size_t(item), item, swap);
      float f;
      if (item == 2) {
        f = halfToFloat(uint16_t(raw));
      } else if (item == 4) {
        uint32_t bits = uint32_t(raw);
        std::memcpy(&f, &bits, sizeof f);
      } else {
        double d;
        std::memcpy(&d, &raw, sizeof d);
        f = float(d);
      }
      out.floats[k] = f;
    }
  }
  return true;
}

bool readNpy(const std::string &path, NpyArray &out, std::string &error) {
  // 16 GiB: a dataset far past what fits the memory mlc trains in.
  return parseFile(path, uint64_t(16) << 30, ": ", error,
                   [&](const uint8_t *bytes, size_t size, std::string &e) {
                     return parseNpy(bytes, size, out, e);
                   });
}

std::string npyHeader(const std::string &descr,
                      const std::vector<int64_t> &shape) {
  std::string dict =
      "{'descr': '" + descr + "', 'fortran_order': False, 'shape': (";
  for (size_t i = 0; i < shape.size(); ++i)
    dict += std::to_string(shape[i]) + (shape.size() == 1 ? "," : "") +
            (i + 1 < shape.size() ? ", " : "");
  dict += "), }";
  // Magic (6), version (2), length (2), the dict, spaces, '\n'.
  size_t total = 10 + dict.size() + 1;
  dict.append((64 - total % 64) % 64, ' ');
  dict += '\n';
  std::string header = "\x93NUMPY";
  header += char(1);
  header += char(0);
  header += char(dict.size() & 0xff);
  header += char(dict.size() >> 8);
  return header + dict;
}

} // namespace mlc::runtime
