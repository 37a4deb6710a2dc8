//===- Safetensors.cpp - checkpoints in the safetensors format ------------===//

#include "runtime/Safetensors.h"

#include <cctype>
#include <cerrno>
#include <cstdlib>
#include <iterator>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <sstream>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

namespace mlc::runtime {
namespace {

std::string quote(const std::string &s) {
  std::string out = "\"";
  for (char c : s) {
    if (c == '"' || c == '\\')
      out += '\\';
    out += c;
  }
  return out + "\"";
}

/// A parser for the JSON subset safetensors headers use: objects, strings,
/// integers and arrays of integers.
class Json {
public:
  explicit Json(const std::string &text) : s(text) {}

  struct Value {
    enum Kind { String, Integer, Array, Object } kind = String;
    std::string str;
    int64_t integer = 0;
    std::vector<Value> items;                         // Array
    std::vector<std::pair<std::string, Value>> members; // Object
  };

  bool parse(Value &v, std::string &error) {
    if (!value(v, error))
      return false;
    skip();
    if (pos != s.size())
      return fail(error, "trailing characters");
    return true;
  }

private:
  bool fail(std::string &error, const std::string &what) {
    error = "malformed header (" + what + " at byte " + std::to_string(pos) +
            ")";
    return false;
  }
  void skip() {
    while (pos < s.size() && std::isspace((unsigned char)s[pos]))
      ++pos;
  }
  bool value(Value &v, std::string &error) {
    skip();
    if (pos >= s.size())
      return fail(error, "unexpected end");
    char c = s[pos];
    if (c == '"') {
      v.kind = Value::String;
      return string(v.str, error);
    }
    if (c == '[') {
      v.kind = Value::Array;
      ++pos;
      skip();
      if (pos < s.size() && s[pos] == ']') {
        ++pos;
        return true;
      }
      while (true) {
        v.items.emplace_back();
        if (!value(v.items.back(), error))
          return false;
        skip();
        if (pos < s.size() && s[pos] == ',') {
          ++pos;
          continue;
        }
        if (pos < s.size() && s[pos] == ']') {
          ++pos;
          return true;
        }
        return fail(error, "expected ',' or ']'");
      }
    }
    if (c == '{') {
      v.kind = Value::Object;
      ++pos;
      skip();
      if (pos < s.size() && s[pos] == '}') {
        ++pos;
        return true;
      }
      while (true) {
        skip();
        std::string key;
        if (pos >= s.size() || s[pos] != '"' || !string(key, error))
          return error.empty() ? fail(error, "expected a key") : false;
        skip();
        if (pos >= s.size() || s[pos] != ':')
          return fail(error, "expected ':'");
        ++pos;
        v.members.emplace_back(key, Value());
        if (!value(v.members.back().second, error))
          return false;
        skip();
        if (pos < s.size() && s[pos] == ',') {
          ++pos;
          continue;
        }
        if (pos < s.size() && s[pos] == '}') {
          ++pos;
          return true;
        }
        return fail(error, "expected ',' or '}'");
      }
    }
    if (c == '-' || std::isdigit((unsigned char)c)) {
      v.kind = Value::Integer;
      size_t start = pos;
      if (c == '-')
        ++pos;
      while (pos < s.size() && std::isdigit((unsigned char)s[pos]))
        ++pos;
      if (pos == start + (c == '-'))
        return fail(error, "expected digits");
      errno = 0;
      v.integer = std::strtoll(s.c_str() + start, nullptr, 10);
      if (errno)
        return fail(error, "integer out of range");
      return true;
    }
    return fail(error, "unexpected character");
  }
  bool string(std::string &out, std::string &error) {
    ++pos; // opening quote
    while (pos < s.size() && s[pos] != '"') {
      if (s[pos] == '\\') {
        if (++pos >= s.size())
          break;
      }
      out += s[pos++];
    }
    if (pos >= s.size())
      return fail(error, "unterminated string");
    ++pos;
    return true;
  }

  const std::string &s;
  size_t pos = 0;
};

} // namespace

const StoredTensor *Safetensors::find(const std::string &name) const {
  for (const StoredTensor &t : tensors)
    if (t.name == name)
      return &t;
  return nullptr;
}

int64_t dtypeSize(const std::string &dtype) {
  if (dtype == "F64" || dtype == "I64" || dtype == "U64")
    return 8;
  if (dtype == "F32" || dtype == "I32" || dtype == "U32")
    return 4;
  if (dtype == "F16" || dtype == "BF16" || dtype == "I16" || dtype == "U16")
    return 2;
  if (dtype == "I8" || dtype == "U8" || dtype == "BOOL")
    return 1;
  return 0;
}

bool writeSafetensors(const std::string &path, const Safetensors &file,
                      std::string &error) {
  std::ostringstream header;
  header << "{";
  bool first = true;
  if (!file.metadata.empty()) {
    header << "\"__metadata__\":{";
    for (const auto &[k, v] : file.metadata) {
      header << (first ? "" : ",") << quote(k) << ":" << quote(v);
      first = false;
    }
    header << "}";
  }
  uint64_t offset = 0;
  for (const StoredTensor &t : file.tensors) {
    header << (first ? "" : ",") << quote(t.name) << ":{\"dtype\":"
           << quote(t.dtype) << ",\"shape\":[";
    for (size_t i = 0; i < t.shape.size(); ++i)
      header << (i ? "," : "") << t.shape[i];
    header << "],\"data_offsets\":[" << offset << ","
           << offset + t.data.size() << "]}";
    offset += t.data.size();
    first = false;
  }
  header << "}";
  std::string text = header.str();
  // Pad the header with spaces to 8 bytes, as the format recommends.
  text.append((8 - text.size() % 8) % 8, ' ');

  std::string tmp = path + ".tmp-XXXXXX";
  std::vector<char> tmpName(tmp.begin(), tmp.end());
  tmpName.push_back('\0');
  int fd = ::mkstemp(tmpName.data());
  if (fd < 0) {
    error = path + ": cannot write (" + std::strerror(errno) + ")";
    return false;
  }
  // mkstemp creates the file 0600; give it the usual permissions.
  mode_t mask = ::umask(0);
  ::umask(mask);
  ::fchmod(fd, 0666 & ~mask);
  auto writeAll = [&](const void *data, size_t n) {
    const char *p = static_cast<const char *>(data);
    while (n > 0) {
      ssize_t w = ::write(fd, p, n);
      if (w < 0) {
        if (errno == EINTR)
          continue;
        return false;
      }
      p += w;
      n -= size_t(w);
    }
    return true;
  };
  uint64_t length = text.size();
  unsigned char le[8];
  for (int i = 0; i < 8; ++i)
    le[i] = (length >> (8 * i)) & 0xff;
  bool ok = writeAll(le, 8) && writeAll(text.data(), text.size());
  for (const StoredTensor &t : file.tensors)
    ok = ok && writeAll(t.data.data(), t.data.size());
  ok = ok && ::fsync(fd) == 0;
  int savedErrno = errno;
  ok = (::close(fd) == 0) && ok;
  if (ok && ::rename(tmpName.data(), path.c_str()) == 0)
    return true;
  error = path + ": cannot write (" +
          std::strerror(ok ? errno : savedErrno) + ")";
  ::unlink(tmpName.data());
  return false;
}

bool readSafetensors(const std::string &path, Safetensors &file,
                     std::string &error) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    error = path + ": cannot open the file";
    return false;
  }
  std::string bytes((std::istreambuf_iterator<char>(in)),
                    std::istreambuf_iterator<char>());
  auto bad = [&](const std::string &what) {
    error = path + ": not a valid safetensors file: " + what;
    return false;
  };
  if (bytes.size() < 8)
    return bad("shorter than its 8-byte header length");
  uint64_t length = 0;
  for (int i = 7; i >= 0; --i)
    length = (length << 8) | (unsigned char)bytes[i];
  if (length > bytes.size() - 8)
    return bad("the header length (" + std::to_string(length) +
               ") runs past the end of the file");
  std::string header = bytes.substr(8, length);
  Json::Value root;
  std::string jsonError;
  if (!Json(header).parse(root, jsonError))
    return bad(jsonError);
  if (root.kind != Json::Value::Object)
    return bad("the header is not a JSON object");
  size_t dataStart = 8 + length, dataSize = bytes.size() - dataStart;
  file = Safetensors();
  for (auto &[name, v] : root.members) {
    if (name == "__metadata__") {
      for (auto &[k, mv] : v.members)
        if (mv.kind == Json::Value::String)
          file.metadata[k] = mv.str;
      continue;
    }
    StoredTensor t;
    t.name = name;
    const Json::Value *dtype = nullptr, *shape = nullptr, *offsets = nullptr;
    for (auto &[k, mv] : v.members) {
      if (k == "dtype")
        dtype = &mv;
      else if (k == "shape")
        shape = &mv;
      else if (k == "data_offsets")
        offsets = &mv;
    }
    if (!dtype || dtype->kind != Json::Value::String || !shape ||
        shape->kind != Json::Value::Array || !offsets ||
        offsets->kind != Json::Value::Array || offsets->items.size() != 2)
      return bad("tensor '" + name + "' lacks dtype, shape or data_offsets");
    t.dtype = dtype->str;
    int64_t size = dtypeSize(t.dtype);
    if (!size)
      return bad("tensor '" + name + "' has unknown dtype " + t.dtype);
    int64_t count = 1;
    for (const Json::Value &d : shape->items) {
      if (d.kind != Json::Value::Integer || d.integer < 0)
        return bad("tensor '" + name + "' has a bad shape");
      t.shape.push_back(d.integer);
      count *= d.integer;
    }
    int64_t begin = offsets->items[0].integer, end = offsets->items[1].integer;
    if (begin < 0 || end < begin || uint64_t(end) > dataSize)
      return bad("tensor '" + name + "' has data_offsets [" +
                 std::to_string(begin) + ", " + std::to_string(end) +
                 "] outside the " + std::to_string(dataSize) +
                 " data bytes (truncated file?)");
    if (end - begin != count * size)
      return bad("tensor '" + name + "' has " + std::to_string(end - begin) +
                 " bytes for " + std::to_string(count) + " " + t.dtype +
                 " values");
    t.data.assign(bytes.begin() + dataStart + begin,
                  bytes.begin() + dataStart + end);
    file.tensors.push_back(std::move(t));
  }
  return true;
}

} // namespace mlc::runtime
