//===- TextFuzzer.cpp - fuzz target: the text corpus reader ---------------===//
//
// The input is a text file as runtime::parseText reads it (UTF-8, a
// character vocabulary). Every refusal must say why; an accepted text must
// decode back to itself (without a byte-order mark) and map again through
// its own vocabulary to the same ids.
//
//===----------------------------------------------------------------------===//

#include "runtime/Text.h"

#include <cstddef>
#include <cstdint>
#include <string>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  mlc::runtime::TextCorpus corpus, again;
  std::string error;
  if (!mlc::runtime::parseText(data, size, nullptr, corpus, error)) {
    if (error.empty())
      __builtin_trap();
    return 0;
  }
  size_t bom = size >= 3 && data[0] == 0xEF && data[1] == 0xBB &&
                       data[2] == 0xBF
                   ? 3
                   : 0;
  std::string text = mlc::runtime::decodeText(corpus, corpus.ids);
  if (text != std::string(reinterpret_cast<const char *>(data) + bom,
                          size - bom))
    __builtin_trap();
  // With a byte-order mark in front, which the reader skips (the text
  // itself may start with U+FEFF).
  std::string marked = "\xEF\xBB\xBF" + text;
  if (!mlc::runtime::parseText(
          reinterpret_cast<const uint8_t *>(marked.data()), marked.size(),
          &corpus.vocabulary, again, error) ||
      again.ids != corpus.ids)
    __builtin_trap();
  return 0;
}
