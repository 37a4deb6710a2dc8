//===- Data.h - the data mlc train, eval and predict read -------*- C++ -*-===//
//
// `--data` names IDX image sets (mnist, fashion-mnist, a directory), a CSV
// table, a .npz archive, a .npy array or a text file (characters as
// tokens). Tables and arrays become a
// runtime::Table whose targets have the form the model's loss takes:
// class indices for sparse categorical cross-entropy, float rows for the
// others (a column of classes is one-hot encoded for categorical
// cross-entropy, two class names become 0 and 1 for binary
// cross-entropy).
//
//===----------------------------------------------------------------------===//

#ifndef MLC_TOOLS_MLC_DATA_H
#define MLC_TOOLS_MLC_DATA_H

#include "compiler/Driver/Signature.h"
#include "runtime/CSV.h"
#include "runtime/IDX.h"
#include "runtime/NPZ.h"
#include "runtime/Table.h"

#include "llvm/Support/Error.h"

#include <optional>
#include <string>
#include <vector>

namespace mlc {

enum class DataFormat { Idx, Csv, Npz, Npy, Text };

/// Where `--data` points and how to read it.
struct DataSpec {
  DataFormat format = DataFormat::Idx;
  std::string path; ///< the IDX directory or the file
  std::string text; ///< as given
};

/// Reads `--data`: "mnist", "fashion-mnist", a directory of IDX files,
/// or a file named by its extension (.csv, .npz, .npy, .txt) or by a prefix
/// ("csv:FILE", "npz:FILE", "npy:FILE", "idx:DIR", "text:FILE": UTF-8 text
/// for a character-level language model).
llvm::Expected<DataSpec> parseDataSpec(const std::string &data);

/// How a table's rows are read: which columns (CSV) or which file (NPY)
/// hold the labels, and the mapping an earlier run recorded.
struct TableReading {
  std::vector<std::string> labelColumns; ///< CSV; empty: the last column
  std::string labelsFile;                ///< NPY: the array of labels
  /// The class names a checkpoint recorded: text labels map through them
  /// (not through this file's own sorted names).
  std::optional<std::vector<std::string>> classNames;
  /// Rows without labels are enough (mlc predict).
  bool labelsOptional = false;
};

/// What the model's loss needs of the targets, from its signature.
struct TargetShape {
  runtime::TargetKind kind = runtime::TargetKind::Classes;
  int64_t width = 1; ///< floats per sample (Values), classes (Classes)
  std::string loss;  ///< for messages and the conversions
};
TargetShape targetShape(const ModelSignature &sig);

/// Whether `sig` is a model of token ids (a language model): one int32
/// input ?xT and one float32 output ?xTxC of scores per position, T and C
/// static.
bool isTokenModel(const ModelSignature &sig);

/// "its input 'x' is [?, 8] and its output 'y' is [?, 8, 12]", for
/// messages about a model's shapes.
std::string inputAndOutputText(const ModelSignature &sig);

/// A table file read once: a CSV's columns, a .npz's arrays or a .npy's
/// inputs, which readTable() translates (the training and test tables of
/// one archive from the same bytes).
struct TableFile {
  DataSpec spec;
  runtime::CsvTable csv;
  runtime::NpzArchive archive;
  runtime::NpyArray x;
  /// Whether a .npz holds test arrays (x_test and y_test).
  bool hasTestArrays() const {
    return archive.count("x_test") && archive.count("y_test");
  }
};

/// Reads the table file `spec` names. Errors name the file.
llvm::Expected<TableFile> readTableFile(const DataSpec &spec);

/// The table `file` holds for a model whose targets are `target`.
/// `member` picks the .npz arrays: "" for x and y (else x_train and
/// y_train), "test" for x_test and y_test. A table read without labels
/// (TargetKind::None) has no classes and no targets. Errors name the file.
llvm::Expected<runtime::Table> readTable(const TableFile &file,
                                         const TableReading &reading,
                                         const TargetShape &target,
                                         const std::string &member = "");

/// Checks the labels of `table` (from `what`) against the model: class
/// indices below its class count, target rows as wide as its output.
llvm::Error checkTargets(const runtime::Table &table, const TargetShape &target,
                         const std::string &what);

} // namespace mlc

#endif // MLC_TOOLS_MLC_DATA_H
