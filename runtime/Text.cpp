//===- Text.cpp - character corpora for language models -------------------===//

#include "runtime/Text.h"

#include "runtime/ReadFile.h"

#include <algorithm>
#include <map>

namespace mlc::runtime {
namespace {

/// The length of the UTF-8 sequence at `p` (at most `left` bytes) and its
/// code point, or 0 when it is not well-formed (overlong, a surrogate,
/// past U+10FFFF, truncated, a stray continuation byte).
size_t decodeOne(const uint8_t *p, size_t left, uint32_t &cp) {
  uint8_t b = p[0];
  size_t n;
  uint32_t min;
  if (b < 0x80) {
    cp = b;
    return 1;
  }
  if ((b & 0xE0) == 0xC0)
    n = 2, cp = b & 0x1F, min = 0x80;
  else if ((b & 0xF0) == 0xE0)
    n = 3, cp = b & 0x0F, min = 0x800;
  else if ((b & 0xF8) == 0xF0)
    n = 4, cp = b & 0x07, min = 0x10000;
  else
    return 0;
  if (left < n)
    return 0;
  for (size_t k = 1; k < n; ++k) {
    if ((p[k] & 0xC0) != 0x80)
      return 0;
    cp = (cp << 6) | (p[k] & 0x3F);
  }
  if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))
    return 0;
  return n;
}

} // namespace

bool parseText(const uint8_t *data, size_t size,
               const std::vector<std::string> *vocabulary, TextCorpus &out,
               std::string &error) {
  out = TextCorpus();
  size_t pos = 0;
  if (size >= 3 && data[0] == 0xEF && data[1] == 0xBB && data[2] == 0xBF)
    pos = 3;
  // Characters by code point: the vocabulary's order.
  std::map<uint32_t, int32_t> index;
  if (vocabulary) {
    for (size_t i = 0; i < vocabulary->size(); ++i) {
      const std::string &c = (*vocabulary)[i];
      uint32_t cp;
      if (c.empty() ||
          decodeOne(reinterpret_cast<const uint8_t *>(c.data()), c.size(),
                    cp) != c.size() ||
          !index.emplace(cp, int32_t(i)).second) {
        error = "vocabulary entry " + std::to_string(i) +
                " is not one character, or repeats one";
        return false;
      }
    }
    out.vocabulary = *vocabulary;
  }
  std::vector<uint32_t> codes;
  size_t line = 1, column = 1;
  while (pos < size) {
    uint32_t cp;
    size_t n = decodeOne(data + pos, size - pos, cp);
    if (n == 0) {
      error = "invalid UTF-8 at line " + std::to_string(line) + ", column " +
              std::to_string(column) + " (byte " + std::to_string(pos) + ")";
      return false;
    }
    if (vocabulary && !index.count(cp)) {
      error = "line " + std::to_string(line) + ", column " +
              std::to_string(column) + ": the character '" +
              std::string(reinterpret_cast<const char *>(data + pos), n) +
              "' is not in the model's vocabulary of " +
              std::to_string(vocabulary->size()) + " characters";
      return false;
    }
    if (!vocabulary)
      index.emplace(cp, 0);
    codes.push_back(cp);
    pos += n;
    if (cp == '\n')
      ++line, column = 1;
    else
      ++column;
  }
  if (!vocabulary) {
    // Ids in code-point order; the characters as their own UTF-8 bytes.
    for (auto &[cp, id] : index) {
      id = int32_t(out.vocabulary.size());
      std::string c;
      if (cp < 0x80) {
        c += char(cp);
      } else if (cp < 0x800) {
        c += char(0xC0 | (cp >> 6));
        c += char(0x80 | (cp & 0x3F));
      } else if (cp < 0x10000) {
        c += char(0xE0 | (cp >> 12));
        c += char(0x80 | ((cp >> 6) & 0x3F));
        c += char(0x80 | (cp & 0x3F));
      } else {
        c += char(0xF0 | (cp >> 18));
        c += char(0x80 | ((cp >> 12) & 0x3F));
        c += char(0x80 | ((cp >> 6) & 0x3F));
        c += char(0x80 | (cp & 0x3F));
      }
      out.vocabulary.push_back(c);
    }
  }
  out.ids.reserve(codes.size());
  for (uint32_t cp : codes)
    out.ids.push_back(index[cp]);
  return true;
}

bool readText(const std::string &path,
              const std::vector<std::string> *vocabulary, TextCorpus &out,
              std::string &error) {
  // An ASCII character takes 8 bytes while it is read (its code point,
  // then its id): a sixteenth of the memory leaves room to spare.
  return parseFile(path, physicalMemory() / 16, ": ", error,
                   [&](const uint8_t *bytes, size_t size, std::string &e) {
                     return parseText(bytes, size, vocabulary, out, e);
                   });
}

std::string decodeText(const TextCorpus &corpus,
                       const std::vector<int32_t> &ids) {
  std::string text;
  for (int32_t id : ids)
    text += corpus.vocabulary[size_t(id)];
  return text;
}

} // namespace mlc::runtime
