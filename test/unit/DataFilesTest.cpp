//===- DataFilesTest.cpp - the CSV and .npy readers -----------------------===//
//
// Tables and arrays as pandas and NumPy write them, and the refusals of
// everything else, each with its place (line:column for CSV).
//
//===----------------------------------------------------------------------===//

#include "runtime/CSV.h"
#include "runtime/NPY.h"
#include "runtime/NPZ.h"
#include "runtime/Table.h"
#include "runtime/Text.h"

#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

using namespace mlc::runtime;

namespace {

CsvTable csv(const std::string &text) {
  CsvTable table;
  std::string error;
  EXPECT_TRUE(parseCsv(text.data(), text.size(), table, error)) << error;
  return table;
}

std::string csvError(const std::string &text) {
  CsvTable table;
  std::string error;
  EXPECT_FALSE(parseCsv(text.data(), text.size(), table, error)) << text;
  return error;
}

TEST(CsvTest, NumericAndTextColumns) {
  CsvTable t = csv("sepal length,species,target\n5.1,setosa,0\n"
                   "4.9, versicolor ,1\n-6.25e1,setosa,2\n");
  ASSERT_EQ(t.columns.size(), 3u);
  EXPECT_EQ(t.rows, 3);
  EXPECT_EQ(t.columns[0].name, "sepal length");
  EXPECT_TRUE(t.columns[0].numeric);
  EXPECT_EQ(t.columns[0].values, (std::vector<double>{5.1, 4.9, -62.5}));
  EXPECT_FALSE(t.columns[1].numeric);
  EXPECT_EQ(t.columns[1].labels,
            (std::vector<std::string>{"setosa", "versicolor", "setosa"}));
  EXPECT_EQ(t.find("target"), 2);
  EXPECT_EQ(t.find("petal"), -1);
}

TEST(CsvTest, QuotesCrlfByteOrderMarkAndTrailingBlankLines) {
  CsvTable t =
      csv("\xEF\xBB\xBF\"a\",\"b \"\"x\"\"\"\r\n\"1,5\",+2\r\n3,4\r\n\n\n");
  ASSERT_EQ(t.columns.size(), 2u);
  EXPECT_EQ(t.columns[0].name, "a");
  EXPECT_EQ(t.columns[1].name, "b \"x\"");
  EXPECT_FALSE(t.columns[0].numeric); // "1,5" is text
  EXPECT_EQ(t.columns[1].values, (std::vector<double>{2, 4}));
  EXPECT_EQ(t.rows, 2);
  // No newline after the last row.
  EXPECT_EQ(csv("x\n1\n2").rows, 2);
}

TEST(CsvTest, RefusalsSayWhere) {
  EXPECT_EQ(csvError(""), "1:1: the file is empty (a header row naming the "
                          "columns is expected)");
  EXPECT_EQ(csvError("x,y\n"), "2:1: no rows after the header");
  EXPECT_EQ(csvError("x,y\n1,2\n3\n"),
            "3:1: the row has 1 fields, the header 2");
  EXPECT_EQ(csvError("x,y\n1,2\n3,\n"),
            "3:3: column 'y' is empty here (missing values are not "
            "supported: fill or drop them first)");
  EXPECT_EQ(csvError("x,y\n1,\"2\n"), "2:3: a quoted field is not closed");
  EXPECT_EQ(csvError("x,y\n1,\"2\"3\n"), "2:6: text after a quoted field");
  EXPECT_EQ(csvError("x,y\n1,2\"3\n"),
            "2:4: a quote inside an unquoted field (quote the field and "
            "double the quote)");
  EXPECT_EQ(csvError("x,x\n1,2\n"),
            "1:3: column 'x' is named twice in the header");
  EXPECT_EQ(csvError("x,\n1,2\n"),
            "1:3: a column without a name in the header");
  EXPECT_EQ(csvError("x\n1\nnan\n"),
            "3:1: column 'x' holds nan (only finite numbers within double's "
            "range can be trained on)");
  EXPECT_EQ(csvError(std::string("x\n1\0\n", 6)),
            "2:2: a NUL byte (not a text file?)");
  EXPECT_EQ(csvError("x\n1e999\n"),
            "2:1: column 'x' holds 1e999 (only finite numbers within "
            "double's range can be trained on)");
  // Positions count lines inside quoted fields and UTF-8 characters.
  EXPECT_EQ(csvError("a,b\n\"x\ny\",1\n1,\n"),
            "4:3: column 'b' is empty here (missing values are not "
            "supported: fill or drop them first)");
  EXPECT_EQ(csvError("\xc3\xa9,b\n\xc3\xa9t\xc3\xa9,\"1\"2\n"),
            "2:8: text after a quoted field");
}

TEST(CsvTest, AColumnIsNumericOnlyIfEveryFieldIs) {
  // Text anywhere makes the column text, whatever else it holds (in any
  // order): nan and "+-5" are then labels, not refused numbers.
  for (const char *text : {"x\nnan\nbob\n", "x\nbob\nnan\n"}) {
    CsvTable t = csv(text);
    EXPECT_FALSE(t.columns[0].numeric) << text;
  }
  EXPECT_FALSE(csv("x\n+-5\n").columns[0].numeric);
  EXPECT_EQ(csv("x\n+5\n").columns[0].values, (std::vector<double>{5}));
}

TEST(CsvTest, ReadCsvNamesTheFile) {
  CsvTable t;
  std::string error;
  EXPECT_FALSE(readCsv("/nonexistent/x.csv", t, error));
  EXPECT_EQ(error.rfind("/nonexistent/x.csv: cannot read the file", 0), 0u)
      << error;
  EXPECT_FALSE(readCsv("/dev/null", t, error));
  EXPECT_EQ(error.rfind("/dev/null: cannot read the file", 0), 0u) << error;
}

/// A .npy file: the version's preamble, the header padded to 64 bytes.
std::string npy(const std::string &descr, const std::string &shape,
                const std::string &payload, bool fortran = false,
                int version = 1) {
  std::string h = "{'descr': '" + descr +
                  "', 'fortran_order': " + (fortran ? "True" : "False") +
                  ", 'shape': " + shape + ", }";
  size_t pre = version == 1 ? 10 : 12;
  while ((pre + h.size() + 1) % 64)
    h += ' ';
  h += '\n';
  std::string out = "\x93NUMPY";
  out += char(version);
  out += '\0';
  uint32_t n = uint32_t(h.size());
  for (size_t k = 0; k < (version == 1 ? 2u : 4u); ++k)
    out += char((n >> (8 * k)) & 255);
  return out + h + payload;
}

template <typename T> std::string bytes(std::vector<T> values) {
  std::string s(values.size() * sizeof(T), '\0');
  std::memcpy(s.data(), values.data(), s.size());
  return s;
}

NpyArray array(const std::string &file) {
  NpyArray a;
  std::string error;
  EXPECT_TRUE(parseNpy(reinterpret_cast<const uint8_t *>(file.data()),
                       file.size(), a, error))
      << error;
  return a;
}

std::string npyError(const std::string &file) {
  NpyArray a;
  std::string error;
  EXPECT_FALSE(parseNpy(reinterpret_cast<const uint8_t *>(file.data()),
                        file.size(), a, error));
  return error;
}

TEST(NpyTest, DtypesOrdersAndVersions) {
  NpyArray f4 = array(npy("<f4", "(2, 3)", bytes<float>({1, 2, 3, 4, 5, 6})));
  EXPECT_FALSE(f4.integral);
  EXPECT_EQ(f4.shape, (std::vector<int64_t>{2, 3}));
  EXPECT_EQ(f4.floats, (std::vector<float>{1, 2, 3, 4, 5, 6}));

  // Fortran order comes back in C order.
  NpyArray fortran =
      array(npy("<i4", "(2, 3)", bytes<int32_t>({1, 4, 2, 5, 3, -6}), true));
  EXPECT_TRUE(fortran.integral);
  EXPECT_EQ(fortran.ints, (std::vector<int64_t>{1, 2, 3, 4, 5, -6}));

  // Big-endian doubles in a version 2.0 file.
  std::string be;
  for (double d : {0.5, -1.0}) {
    uint64_t bits;
    std::memcpy(&bits, &d, 8);
    for (int k = 7; k >= 0; --k)
      be += char((bits >> (8 * k)) & 255);
  }
  NpyArray f8 = array(npy(">f8", "(2,)", be, false, 2));
  EXPECT_EQ(f8.floats, (std::vector<float>{0.5f, -1.0f}));
  EXPECT_EQ(f8.dtype, "f8");

  EXPECT_EQ(array(npy("|u1", "(3,)", std::string("\x00\x07\xff", 3))).ints,
            (std::vector<int64_t>{0, 7, 255}));
  EXPECT_EQ(array(npy("|i1", "(2,)", "\xff\x02")).ints,
            (std::vector<int64_t>{-1, 2}));
  EXPECT_EQ(
      array(npy("<f2", "(2,)", std::string("\x00\x3c\x00\xc0", 4))).floats,
      (std::vector<float>{1.0f, -2.0f}));
  NpyArray scalar = array(npy("|b1", "()", "\x01"));
  EXPECT_TRUE(scalar.shape.empty());
  EXPECT_EQ(scalar.ints, (std::vector<int64_t>{1}));
  EXPECT_EQ(array(npy("<f4", "(0, 5)", "")).size(), 0);
}

TEST(NpyTest, WrittenHeadersReadBack) {
  // The header mlc predict writes: aligned data, any rank.
  for (std::vector<int64_t> shape :
       {std::vector<int64_t>{3}, {2, 3}, {1, 2, 2}, {}}) {
    int64_t n = 1;
    for (int64_t d : shape)
      n *= d;
    std::vector<float> values(static_cast<size_t>(n));
    for (int64_t i = 0; i < n; ++i)
      values[size_t(i)] = float(i) * 0.5f;
    std::string header = npyHeader("<f4", shape);
    EXPECT_EQ(header.size() % 64, 0u);
    NpyArray a = array(header + bytes(values));
    EXPECT_EQ(a.shape, shape);
    EXPECT_EQ(a.floats, values);
  }
}

TEST(NpyTest, RefusalsSayWhy) {
  EXPECT_EQ(npyError("PK\x03\x04 not npy"),
            "not a .npy file (no \\x93NUMPY magic)");
  std::string good = npy("<f4", "(2, 3)", bytes<float>({1, 2, 3, 4, 5, 6}));
  EXPECT_EQ(npyError(good.substr(0, good.size() - 4)),
            "the shape needs 6 elements of 4 bytes; the file holds 20 bytes "
            "of data (truncated?)");
  EXPECT_EQ(npyError(good + "xy"), "2 bytes follow the array's data");
  EXPECT_EQ(npyError(npy("<c8", "(1,)", std::string(8, '\0'))),
            "unsupported dtype '<c8' (booleans, integers and floats are read)");
  EXPECT_EQ(npyError(npy("|O", "(1,)", std::string(8, '\0'))),
            "unsupported dtype '|O'");
  EXPECT_EQ(npyError(npy("<f4", "(2, -3)", "")),
            "'shape' is not a tuple of non-negative integers");
  EXPECT_EQ(npyError(npy("<f4", "(4294967296, 4294967296, 4294967296)", "")),
            "the shape's element count overflows");
  EXPECT_EQ(npyError(npy("<f4", "(4294967296, 2147483648, 0)", "", true)),
            "the shape's element count overflows");
  EXPECT_EQ(npyError(npy("|f4", "(1,)", std::string(4, '\0'))),
            "dtype '|f4' has no byte order ('<' or '>')");
  EXPECT_EQ(npyError(npy("|b1", "(1,)", "\x02")),
            "a boolean element is neither 0 nor 1");
  std::string wrongVersion = good;
  wrongVersion[6] = 9;
  EXPECT_EQ(npyError(wrongVersion), "unsupported .npy version 9.0 (1.0-3.0 "
                                    "are read)");
  std::string longHeader = good;
  longHeader[8] = char(0xff);
  longHeader[9] = char(0xff);
  EXPECT_EQ(npyError(longHeader),
            "the header claims 65535 bytes, the file has " +
                std::to_string(good.size() - 10));
}

/// A fixture of fuzz/corpus/npz (made by numpy.savez and
/// savez_compressed).
std::string fixture(const std::string &name) {
  std::ifstream in(std::string(MLC_FUZZ_CORPUS_DIR) + "/npz/" + name,
                   std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

bool npz(const std::string &bytes, NpzArchive &archive, std::string &error) {
  return parseNpz(reinterpret_cast<const uint8_t *>(bytes.data()), bytes.size(),
                  archive, error);
}

TEST(NpzTest, ArraysOfSavezAndSavezCompressed) {
  NpzArchive a;
  std::string error;
  ASSERT_TRUE(npz(fixture("xy.npz"), a, error)) << error;
  ASSERT_EQ(a.size(), 2u);
  EXPECT_EQ(a["x"].shape, (std::vector<int64_t>{3, 4}));
  EXPECT_EQ(a["x"].floats[11], 11.0f);
  EXPECT_EQ(a["y"].ints, (std::vector<int64_t>{0, 1, 2}));

  ASSERT_TRUE(npz(fixture("xy-compressed.npz"), a, error)) << error;
  EXPECT_EQ(a["x"].dtype, "f8");
  EXPECT_EQ(a["x"].shape, (std::vector<int64_t>{4, 5}));
  EXPECT_FLOAT_EQ(a["x"].floats[19], 1.0f);
  EXPECT_EQ(a["y"].ints, (std::vector<int64_t>{1, 0, 1, 1}));

  ASSERT_TRUE(npz(fixture("positional.npz"), a, error)) << error;
  EXPECT_EQ(a.count("arr_0"), 1u);
  EXPECT_EQ(a["arr_0"].ints, (std::vector<int64_t>(4, 1)));
}

TEST(NpzTest, RefusalsSayWhy) {
  NpzArchive a;
  std::string error;
  std::string stored = fixture("xy.npz");
  ASSERT_FALSE(stored.empty());
  EXPECT_FALSE(npz(stored.substr(0, 100), a, error));
  EXPECT_EQ(error, "not a .npz file (no zip end-of-central-directory record)");
  // A byte of x's data flipped: its CRC-32 no longer matches.
  size_t x = stored.find("\x93NUMPY");
  ASSERT_NE(x, std::string::npos);
  std::string damaged = stored;
  damaged[x + 128 + 5] ^= 1;
  EXPECT_FALSE(npz(damaged, a, error));
  EXPECT_EQ(error, "member 'x.npy' fails its CRC-32 check");
  // A deflated member damaged (a few bytes into its data: 25 bytes past
  // its name come the 20-byte ZIP64 extra field numpy writes and the
  // data).
  std::string packed = fixture("xy-compressed.npz");
  size_t local = packed.find("x.npy");
  ASSERT_NE(local, std::string::npos);
  damaged = packed;
  for (size_t k = local + 30; k < local + 50; ++k)
    damaged[k] = char(0xff);
  EXPECT_FALSE(npz(damaged, a, error));
  EXPECT_EQ(error.rfind("member 'x.npy' ", 0), 0u) << error;
  std::string zip64(22, '\0');
  zip64[0] = 'P', zip64[1] = 'K', zip64[2] = 5, zip64[3] = 6;
  for (int k = 10; k < 20; ++k)
    zip64[k] = char(0xff);
  EXPECT_FALSE(npz(zip64, a, error));
  EXPECT_EQ(error, "a ZIP64 archive without its locator");
  // Two members naming the same bytes.
  std::ifstream shared(std::string(MLC_FUZZ_CORPUS_DIR) +
                           "/../regressions/npz/shared-data.npz",
                       std::ios::binary);
  std::string sharedBytes(std::istreambuf_iterator<char>(shared), {});
  ASSERT_FALSE(sharedBytes.empty());
  EXPECT_FALSE(npz(sharedBytes, a, error));
  EXPECT_EQ(error, "members 'x.npy' and 'z.npy' overlap");
  NpzArchive f;
  EXPECT_FALSE(readNpz("/nonexistent.npz", f, error));
  EXPECT_EQ(error.rfind("/nonexistent.npz: cannot read the file", 0), 0u);
}

} // namespace

namespace {

TEST(TableTest, CsvClassNamesAndFeatures) {
  CsvTable c = csv("sepal,petal,species\n5.1,1.4,setosa\n7.0,4.7,versicolor\n"
                   "6.3,6.0,virginica\n4.9,1.4,setosa\n");
  Table t;
  std::string error;
  ASSERT_TRUE(tableFromCsv(c, {}, TargetKind::Classes, t, error)) << error;
  EXPECT_EQ(t.rows, 4);
  EXPECT_EQ(t.features, 2);
  EXPECT_EQ(t.x, (std::vector<float>{5.1f, 1.4f, 7.0f, 4.7f, 6.3f, 6.0f, 4.9f,
                                     1.4f}));
  EXPECT_EQ(t.classNames,
            (std::vector<std::string>{"setosa", "versicolor", "virginica"}));
  EXPECT_EQ(t.classes, (std::vector<int32_t>{0, 1, 2, 0}));
  EXPECT_EQ(t.featureNames, (std::vector<std::string>{"sepal", "petal"}));
  // A text column left among the features is refused; a named numeric
  // label column makes the rest features.
  EXPECT_FALSE(tableFromCsv(c, {"sepal"}, TargetKind::Values, t, error));
  EXPECT_EQ(error, "column 'species' holds text ('setosa' in row 1); feature "
                   "columns must be numbers (name it as a label column, or "
                   "drop it)");
  CsvTable numeric = csv("a,b,y\n1,2,0.5\n3,4,1.5\n");
  ASSERT_TRUE(tableFromCsv(numeric, {"y"}, TargetKind::Values, t, error))
      << error;
  EXPECT_EQ(t.targetWidth, 1);
  EXPECT_EQ(t.targets, (std::vector<float>{0.5f, 1.5f}));
  ASSERT_TRUE(tableFromCsv(numeric, {"a", "y"}, TargetKind::Values, t, error));
  EXPECT_EQ(t.features, 1);
  EXPECT_EQ(t.targets, (std::vector<float>{1, 0.5f, 3, 1.5f}));
}

TEST(TableTest, CsvRecordedClassesAndFeaturesOnly) {
  // A test file's names map through the training run's classes, not its
  // own sorted names (it may lack some, in any order).
  CsvTable c = csv("a,kind\n1,virginica\n2,setosa\n");
  std::vector<std::string> names = {"setosa", "versicolor", "virginica"};
  Table t;
  std::string error;
  ASSERT_TRUE(tableFromCsv(c, {"kind"}, TargetKind::Classes, t, error, &names))
      << error;
  EXPECT_EQ(t.classes, (std::vector<int32_t>{2, 0}));
  EXPECT_EQ(t.classNames, names);
  EXPECT_EQ(t.labelNames, (std::vector<std::string>{"kind"}));
  CsvTable other = csv("a,kind\n1,daisy\n");
  EXPECT_FALSE(
      tableFromCsv(other, {"kind"}, TargetKind::Classes, t, error, &names));
  EXPECT_EQ(error, "column 'kind' row 1 holds 'daisy', which is not one of "
                   "the classes the model was trained on ('setosa', "
                   "'versicolor', 'virginica')");
  // Without labels (predictions): named label columns are dropped when
  // present; every other column is a feature.
  ASSERT_TRUE(tableFromCsv(c, {"kind"}, TargetKind::None, t, error, &names));
  EXPECT_EQ(t.features, 1);
  EXPECT_TRUE(t.classes.empty());
  CsvTable features = csv("a,b\n1,2\n");
  ASSERT_TRUE(tableFromCsv(features, {"kind"}, TargetKind::None, t, error));
  EXPECT_EQ(t.x, (std::vector<float>{1, 2}));
}

TEST(TableTest, CsvRefusals) {
  Table t;
  std::string error;
  CsvTable c = csv("a,b,y\n1,2,0.5\n3,4,2\n");
  EXPECT_FALSE(tableFromCsv(c, {"z"}, TargetKind::Classes, t, error));
  EXPECT_EQ(error, "no column 'z' (the columns are 'a', 'b', 'y')");
  EXPECT_FALSE(tableFromCsv(c, {"y"}, TargetKind::Classes, t, error));
  EXPECT_EQ(error, "column 'y' row 1 holds 0.5, not a class index (a "
                   "non-negative integer)");
  EXPECT_FALSE(tableFromCsv(c, {"a", "y"}, TargetKind::Classes, t, error));
  EXPECT_EQ(error, "class labels come from one column; 2 were named");
  EXPECT_FALSE(tableFromCsv(csv("x,name\n1,bob\n"), {"name"},
                            TargetKind::Values, t, error));
  EXPECT_EQ(error, "column 'name' holds text ('bob' in row 1); the model's "
                   "loss needs numeric targets (class names train with "
                   "sparse_categorical_crossentropy)");
  EXPECT_FALSE(tableFromCsv(csv("y\n1\n"), {}, TargetKind::Classes, t, error));
  EXPECT_EQ(error,
            "the table has 1 column; features and a label need two or more");
}

TEST(TableTest, Arrays) {
  NpzArchive a;
  std::string error;
  ASSERT_TRUE(npz(fixture("xy.npz"), a, error)) << error;
  Table t;
  ASSERT_TRUE(tableFromArrays(a["x"], a["y"], TargetKind::Classes, t, error))
      << error;
  EXPECT_EQ(t.rows, 3);
  EXPECT_EQ(t.features, 4);
  EXPECT_EQ(t.classes, (std::vector<int32_t>{0, 1, 2}));
  ASSERT_TRUE(tableFromArrays(a["x"], a["y"], TargetKind::Values, t, error));
  EXPECT_EQ(t.targets, (std::vector<float>{0, 1, 2}));
  // x's rows against y's.
  NpyArray short_y = a["y"];
  short_y.shape = {2};
  short_y.ints.pop_back();
  EXPECT_FALSE(tableFromArrays(a["x"], short_y, TargetKind::Classes, t, error));
  EXPECT_EQ(error, "x has 3 samples, y 2");
  EXPECT_FALSE(tableFromArrays(a["x"], a["x"], TargetKind::Classes, t, error));
  EXPECT_EQ(error, "class labels are one per sample, but y has 4 values per "
                   "sample (one-hot labels train with "
                   "categorical_crossentropy)");
}

} // namespace

namespace {

TEST(TableTest, FloatRangeAndTextPositions) {
  Table t;
  std::string error;
  EXPECT_FALSE(
      tableFromCsv(csv("a,y\n1e300,0\n"), {}, TargetKind::Classes, t, error));
  EXPECT_EQ(error, "column 'a' row 1 holds 1.0000000000000001e+300, past "
                   "float32's range");
  // The first field that is not a number as the CSV reader reads numbers.
  EXPECT_FALSE(tableFromCsv(csv("y,a\n0,+5\n1,bob\n"), {"y"},
                            TargetKind::Values, t, error));
  EXPECT_EQ(error, "column 'a' holds text ('bob' in row 2); feature columns "
                   "must be numbers (name it as a label column, or drop it)");
  // No rows to adapt to: features pass unchanged.
  Table empty;
  empty.features = 3;
  EXPECT_TRUE(standardization(empty).mean.empty());
}

TEST(TableTest, StandardizationAndBatches) {
  Table t;
  std::string error;
  ASSERT_TRUE(tableFromCsv(csv("a,b,y\n1,5,0.5\n3,5,1.5\n5,5,2.5\n"), {"y"},
                           TargetKind::Values, t, error))
      << error;
  FeatureScaling s = standardization(t);
  // a: mean 3, population std sqrt(8/3); b: constant (scale 1e7, x - mean
  // = 0).
  EXPECT_FLOAT_EQ(s.mean[0], 3.0f);
  EXPECT_FLOAT_EQ(s.scale[0], float(1 / std::sqrt(8.0 / 3.0)));
  EXPECT_FLOAT_EQ(s.mean[1], 5.0f);
  int64_t order[] = {2, 0};
  std::vector<float> x(4), targets(2);
  gatherRows(t, order, 2, s, x.data(), nullptr, targets.data());
  EXPECT_FLOAT_EQ(x[0], float(2 / std::sqrt(8.0 / 3.0)));
  EXPECT_FLOAT_EQ(x[1], 0.0f);
  EXPECT_FLOAT_EQ(x[2], float(-2 / std::sqrt(8.0 / 3.0)));
  EXPECT_EQ(targets, (std::vector<float>{2.5f, 0.5f}));
  // Unscaled, with class indices.
  ASSERT_TRUE(
      tableFromCsv(csv("a,y\n1,2\n3,0\n"), {}, TargetKind::Classes, t, error));
  std::vector<int32_t> classes(2);
  gatherRows(t, order + 1, 1, FeatureScaling(), x.data(), classes.data(),
             nullptr);
  EXPECT_EQ(x[0], 1.0f);
  EXPECT_EQ(classes[0], 2);
}

} // namespace

namespace {

using mlc::runtime::decodeText;
using mlc::runtime::parseText;
using mlc::runtime::TextCorpus;

bool text(const std::string &s, TextCorpus &out, std::string &error,
          const std::vector<std::string> *vocabulary = nullptr) {
  return parseText(reinterpret_cast<const uint8_t *>(s.data()), s.size(),
                   vocabulary, out, error);
}

TEST(TextTest, VocabularyInCodePointOrder) {
  TextCorpus c;
  std::string error;
  // "héllo\n" and a two-code-unit character: a BOM is skipped.
  ASSERT_TRUE(text("\xEF\xBB\xBFh\xC3\xA9llo \xF0\x9F\x99\x82\n", c, error))
      << error;
  EXPECT_EQ(c.vocabulary,
            (std::vector<std::string>{"\n", " ", "h", "l", "o", "\xC3\xA9",
                                      "\xF0\x9F\x99\x82"}));
  EXPECT_EQ(c.ids, (std::vector<int32_t>{2, 5, 3, 3, 4, 1, 6, 0}));
  EXPECT_EQ(decodeText(c, c.ids), "h\xC3\xA9llo \xF0\x9F\x99\x82\n");
  // A given vocabulary (a checkpoint's) maps another text alike.
  TextCorpus d;
  ASSERT_TRUE(text("lo h\xC3\xA9", d, error, &c.vocabulary)) << error;
  EXPECT_EQ(d.ids, (std::vector<int32_t>{3, 4, 1, 2, 5}));
  EXPECT_EQ(d.vocabulary, c.vocabulary);
}

TEST(TextTest, RefusalsSayWhere) {
  TextCorpus c;
  std::string error;
  EXPECT_FALSE(text("ab\ncd\xC3", c, error));
  EXPECT_EQ(error, "invalid UTF-8 at line 2, column 3 (byte 5)");
  EXPECT_FALSE(text("\xC0\xAF", c, error)); // overlong '/'
  EXPECT_EQ(error, "invalid UTF-8 at line 1, column 1 (byte 0)");
  EXPECT_FALSE(text("\xED\xA0\x80", c, error));     // a surrogate
  EXPECT_FALSE(text("\xF4\x90\x80\x80", c, error)); // past U+10FFFF
  std::vector<std::string> vocabulary = {"a", "b"};
  EXPECT_FALSE(text("ab\nc", c, error, &vocabulary));
  EXPECT_EQ(error, "line 1, column 3: the character '\n' is not in the "
                   "model's vocabulary of 2 characters");
  std::vector<std::string> bad = {"a", "a"};
  EXPECT_FALSE(text("a", c, error, &bad));
  EXPECT_EQ(error, "vocabulary entry 1 is not one character, or repeats one");
}

} // namespace
