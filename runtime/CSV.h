//===- CSV.h - comma-separated tables ----------------------------*- C++
//-*-===//
//
// Part of the mlc runtime. Reads CSV as RFC 4180 writes it (and pandas'
// to_csv, and scikit-learn's bundled data): a header row naming the
// columns, then one row per sample; fields separated by commas, optionally
// quoted ("" for a quote inside), LF or CRLF line ends, an optional UTF-8
// byte order mark. A column is numeric when every field of it is a finite
// number; other columns keep their text (class names). Empty fields are
// refused with their line and column: missing data must be filled or
// dropped before training.
//
//===----------------------------------------------------------------------===//

#ifndef MLC_RUNTIME_CSV_H
#define MLC_RUNTIME_CSV_H

#include <cstdint>
#include <string>
#include <vector>

namespace mlc::runtime {

struct CsvColumn {
  std::string name;
  bool numeric = true;
  std::vector<double> values;      ///< when numeric
  std::vector<std::string> labels; ///< when not
};

struct CsvTable {
  std::vector<CsvColumn> columns;
  int64_t rows = 0;
  /// The column named `name`, or -1.
  int find(const std::string &name) const;
};

/// Whether a field spells a number as the reader takes it (leading and
/// trailing blanks, a leading '+', nan, inf and out-of-range values
/// included): a column is numeric when all its fields do.
bool spellsNumber(const std::string &field);

/// Parses CSV text. On failure returns false and sets `error` to
/// "LINE:COLUMN: problem" (1-based, the column in characters).
bool parseCsv(const char *text, size_t size, CsvTable &out, std::string &error);

/// Reads a CSV file. On failure returns false and sets `error` to
/// "PATH:LINE:COLUMN: problem" or a message naming the file.
bool readCsv(const std::string &path, CsvTable &out, std::string &error);

} // namespace mlc::runtime

#endif // MLC_RUNTIME_CSV_H
