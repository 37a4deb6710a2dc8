//===- CsvFuzzer.cpp - fuzz target: the CSV reader ------------------------===//
//
// The input is the file's text, as runtime::parseCsv reads it from disk.
//
//===----------------------------------------------------------------------===//

#include "runtime/CSV.h"

#include <cmath>
#include <cstddef>
#include <cstdint>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  mlc::runtime::CsvTable table;
  std::string error;
  if (mlc::runtime::parseCsv(reinterpret_cast<const char *>(data), size, table,
                             error)) {
    // What a reader relies on: every column has a value per row, numeric
    // ones finite.
    for (const mlc::runtime::CsvColumn &column : table.columns) {
      size_t n = column.numeric ? column.values.size() : column.labels.size();
      if (int64_t(n) != table.rows || table.rows == 0)
        __builtin_trap();
      for (double v : column.values)
        if (!std::isfinite(v))
          __builtin_trap();
    }
  } else if (error.empty()) {
    __builtin_trap(); // every refusal says why
  }
  return 0;
}
