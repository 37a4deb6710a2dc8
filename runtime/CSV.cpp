//===- CSV.cpp - comma-separated tables -----------------------------------===//

#include "runtime/CSV.h"

#include "runtime/ReadFile.h"

#include <charconv>
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <unordered_set>

namespace mlc::runtime {
namespace {

/// A field and where it starts (1-based line and character column).
struct Field {
  std::string text;
  int64_t line, column;
};

class Reader {
public:
  Reader(const char *text, size_t size) : p(text), end(text + size) {
    // A UTF-8 byte order mark, as spreadsheet exports write.
    if (size >= 3 && std::memcmp(text, "\xEF\xBB\xBF", 3) == 0)
      p += 3;
  }

  bool atEnd() const { return p == end; }

  /// Reads one record into `fields`. Returns false with `error` set on a
  /// malformed field.
  bool record(std::vector<Field> &fields, std::string &error) {
    fields.clear();
    while (true) {
      Field f{std::string(), line, column()};
      if (p != end && *p == '"') {
        advance();
        while (true) {
          if (p == end) {
            error = at(f.line, f.column) + "a quoted field is not closed";
            return false;
          }
          if (*p == '"') {
            advance();
            if (p != end && *p == '"') {
              f.text.push_back('"');
              advance();
              continue;
            }
            break;
          }
          f.text.push_back(*p);
          advance();
        }
        if (p != end && *p != ',' && *p != '\n' && *p != '\r') {
          error = at(line, column()) + "text after a quoted field";
          return false;
        }
      } else {
        while (p != end && *p != ',' && *p != '\n' && *p != '\r') {
          if (*p == '"') {
            error = at(line, column()) +
                    "a quote inside an unquoted field (quote the field and "
                    "double the quote)";
            return false;
          }
          if (*p == '\0') {
            error = at(line, column()) + "a NUL byte (not a text file?)";
            return false;
          }
          f.text.push_back(*p);
          advance();
        }
      }
      fields.push_back(std::move(f));
      if (p != end && *p == ',') {
        advance();
        continue;
      }
      // End of the record: CRLF, LF, a lone CR, or the end of the text.
      bool cr = p != end && *p == '\r';
      if (cr)
        advance();
      if (p != end && *p == '\n')
        advance(); // counts the line
      else
        newLine();
      return true;
    }
  }

  /// Whether the rest is blank lines only.
  bool onlyBlankLinesLeft() const {
    for (const char *q = p; q != end; ++q)
      if (*q != '\n' && *q != '\r')
        return false;
    return true;
  }

  int64_t line = 1;

  static std::string at(int64_t line, int64_t column) {
    return std::to_string(line) + ":" + std::to_string(column) + ": ";
  }

private:
  int64_t column() const { return col; }
  /// Consumes one byte: a newline (also inside a quoted field) starts a
  /// line; columns count UTF-8 characters, not bytes.
  void advance() {
    char c = *p++;
    if (c == '\n')
      newLine();
    else if ((uint8_t(c) & 0xC0) != 0x80)
      ++col;
  }
  void newLine() {
    ++line;
    col = 1;
  }

  const char *p, *end;
  int64_t col = 1;
};

std::string trimmed(const std::string &s) {
  size_t b = 0, e = s.size();
  while (b < e && (s[b] == ' ' || s[b] == '\t'))
    ++b;
  while (e > b && (s[e - 1] == ' ' || s[e - 1] == '\t'))
    --e;
  return s.substr(b, e - b);
}

enum class Spelling { Finite, NonFinite, Text };

/// What a whole field spells: a finite number (in `value`), a number that
/// is not finite or out of double's range (nan, inf, 1e999), or text.
Spelling number(const std::string &text, double &value) {
  std::string t = trimmed(text);
  const char *b = t.data(), *e = t.data() + t.size();
  if (b != e && *b == '+' && e - b > 1 && b[1] != '-' && b[1] != '+')
    ++b;
  auto [ptr, ec] = std::from_chars(b, e, value);
  if (ptr != e || b == e ||
      (ec != std::errc() && ec != std::errc::result_out_of_range))
    return Spelling::Text;
  if (ec == std::errc::result_out_of_range || !std::isfinite(value))
    return Spelling::NonFinite;
  return Spelling::Finite;
}

} // namespace

bool spellsNumber(const std::string &field) {
  double v;
  return number(field, v) != Spelling::Text;
}

int CsvTable::find(const std::string &name) const {
  for (size_t c = 0; c < columns.size(); ++c)
    if (columns[c].name == name)
      return int(c);
  return -1;
}

bool parseCsv(const char *text, size_t size, CsvTable &out,
              std::string &error) {
  out = CsvTable();
  Reader reader(text, size);
  std::vector<Field> header;
  if (reader.atEnd() || reader.onlyBlankLinesLeft()) {
    error = "1:1: the file is empty (a header row naming the columns is "
            "expected)";
    return false;
  }
  if (!reader.record(header, error))
    return false;
  std::unordered_set<std::string> names;
  for (const Field &f : header) {
    CsvColumn column;
    column.name = trimmed(f.text);
    if (column.name.empty()) {
      error = Reader::at(f.line, f.column) +
              "a column without a name in the header";
      return false;
    }
    if (!names.insert(column.name).second) {
      error = Reader::at(f.line, f.column) + "column '" + column.name +
              "' is named twice in the header";
      return false;
    }
    out.columns.push_back(std::move(column));
  }
  // Two passes over the rows: the first checks them and finds which
  // columns are numeric (all fields finite numbers), the second keeps each
  // column as numbers or text. (One pass would have to keep every field's
  // text until its column is known: gigabytes for a large table.)
  size_t width = out.columns.size();
  std::vector<Field> fields, nonFinite(width, Field{std::string(), 0, 0});
  auto rows = [&](Reader &rowReader, auto &&onRow) {
    while (!rowReader.atEnd() && !rowReader.onlyBlankLinesLeft()) {
      int64_t line = rowReader.line;
      if (!rowReader.record(fields, error))
        return false;
      if (fields.size() != width) {
        error = Reader::at(line, 1) + "the row has " +
                std::to_string(fields.size()) + " fields, the header " +
                std::to_string(width);
        return false;
      }
      if (!onRow())
        return false;
    }
    return true;
  };
  bool ok = rows(reader, [&] {
    for (size_t c = 0; c < width; ++c) {
      CsvColumn &column = out.columns[c];
      const Field &f = fields[c];
      if (trimmed(f.text).empty()) {
        error = Reader::at(f.line, f.column) + "column '" + column.name +
                "' is empty here (missing values are not supported: fill "
                "or drop them first)";
        return false;
      }
      double v;
      if (!column.numeric)
        continue;
      Spelling spelled = number(f.text, v);
      if (spelled == Spelling::Text)
        column.numeric = false;
      else if (spelled == Spelling::NonFinite && !nonFinite[c].line)
        nonFinite[c] = f;
    }
    ++out.rows;
    return true;
  });
  if (!ok)
    return false;
  if (out.rows == 0) {
    error = Reader::at(reader.line, 1) + "no rows after the header";
    return false;
  }
  // A column of numbers must be finite everywhere (a column with text in
  // it is text, whatever else it holds).
  for (size_t c = 0; c < width; ++c)
    if (out.columns[c].numeric && nonFinite[c].line) {
      const Field &f = nonFinite[c];
      error = Reader::at(f.line, f.column) + "column '" + out.columns[c].name +
              "' holds " + trimmed(f.text) +
              " (only finite numbers within double's range can be trained "
              "on)";
      return false;
    }
  // What the columns will take, against this machine's memory (text takes
  // a string per field, whatever its length).
  uint64_t perRow = 0;
  for (const CsvColumn &column : out.columns)
    perRow += column.numeric ? sizeof(double) : sizeof(std::string);
  uint64_t memory = physicalMemory();
  if (perRow > memory / uint64_t(out.rows)) {
    error = Reader::at(1, 1) + "the table's " + std::to_string(out.rows) +
            " rows of " + std::to_string(width) +
            " columns need more memory than this machine has";
    return false;
  }
  for (CsvColumn &column : out.columns) {
    if (column.numeric)
      column.values.reserve(size_t(out.rows));
    else
      column.labels.reserve(size_t(out.rows));
  }
  Reader again(text, size);
  again.record(header, error); // the header, read before
  return rows(again, [&] {
    for (size_t c = 0; c < width; ++c) {
      CsvColumn &column = out.columns[c];
      double v = 0;
      if (column.numeric) {
        (void)number(fields[c].text, v);
        column.values.push_back(v);
      } else {
        column.labels.push_back(trimmed(fields[c].text));
      }
    }
    return true;
  });
}

bool readCsv(const std::string &path, CsvTable &out, std::string &error) {
  // 4 GiB of text: past what a table mlc trains on holds.
  return parseFile(path, uint64_t(4) << 30, ":", error,
                   [&](const uint8_t *bytes, size_t size, std::string &e) {
                     return parseCsv(reinterpret_cast<const char *>(bytes),
                                     size, out, e);
                   });
}

} // namespace mlc::runtime
