//===- Text.h - character corpora for language models -----------*- C++ -*-===//
//
// Part of the mlc runtime. Reads a UTF-8 text file as a sequence of
// character ids over a vocabulary: the characters the text uses, sorted by
// code point, or a vocabulary given (a checkpoint's), so that training,
// evaluation and sampling map characters alike. Invalid UTF-8 is refused
// with its line, column and byte offset.
//
//===----------------------------------------------------------------------===//

#ifndef MLC_RUNTIME_TEXT_H
#define MLC_RUNTIME_TEXT_H

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace mlc::runtime {

struct TextCorpus {
  /// The characters by id, each a UTF-8 sequence, sorted by code point.
  std::vector<std::string> vocabulary;
  std::vector<int32_t> ids; ///< the text, one id per character
};

/// Parses the UTF-8 text `data[0, size)` (a leading byte-order mark is
/// skipped). With `vocabulary`, characters map through it and one outside
/// it is an error; without, the vocabulary is the text's characters. On
/// failure returns false and sets `error`.
bool parseText(const uint8_t *data, size_t size,
               const std::vector<std::string> *vocabulary, TextCorpus &out,
               std::string &error);

/// Reads a text file. On failure returns false and sets `error` to a
/// message naming the file and the problem.
bool readText(const std::string &path,
              const std::vector<std::string> *vocabulary, TextCorpus &out,
              std::string &error);

/// The text of `ids` (each below the vocabulary's size).
std::string decodeText(const TextCorpus &corpus,
                       const std::vector<int32_t> &ids);

} // namespace mlc::runtime

#endif // MLC_RUNTIME_TEXT_H
