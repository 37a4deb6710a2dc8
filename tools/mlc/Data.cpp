//===- Data.cpp - the data mlc train, eval and predict read ---------------===//

#include "Data.h"

#include "runtime/CSV.h"
#include "runtime/NPY.h"
#include "runtime/NPZ.h"

#include "llvm/ADT/StringRef.h"
#include "llvm/Support/FileSystem.h"

#include <algorithm>

using namespace llvm;
using namespace mlc;

namespace {

Error fail(const Twine &message) { return createStringError(message); }

/// The loss's text in messages.
std::string lossText(const TargetShape &target) {
  return target.loss.empty() ? "the model's loss" : "the loss " + target.loss;
}

/// Class indices as one-hot rows of `width` (categorical cross-entropy on
/// a column of classes).
void oneHot(runtime::Table &table, int64_t width) {
  table.targets.assign(size_t(table.rows * width), 0.0f);
  for (int64_t r = 0; r < table.rows; ++r) {
    int32_t c = table.classes[size_t(r)];
    if (c < width)
      table.targets[size_t(r * width + c)] = 1.0f;
  }
  table.targetWidth = width;
  table.kind = runtime::TargetKind::Values;
}

/// Class indices 0 and 1 as targets of width 1 (binary cross-entropy on a
/// column of two class names).
void asBinary(runtime::Table &table) {
  table.targets.assign(table.classes.begin(), table.classes.end());
  table.targetWidth = 1;
  table.kind = runtime::TargetKind::Values;
}

/// The names of an archive's arrays, for messages.
std::string arrayNames(const runtime::NpzArchive &archive) {
  std::string names;
  for (const auto &[name, array] : archive)
    names += (names.empty() ? "'" : ", '") + name + "'";
  return names.empty() ? "none" : names;
}

Expected<runtime::Table> fromArrays(const runtime::NpyArray &x,
                                    const runtime::NpyArray *y,
                                    const TargetShape &target,
                                    const std::string &what) {
  runtime::Table table;
  std::string error;
  runtime::TargetKind kind = y ? target.kind : runtime::TargetKind::None;
  // A vector of classes for categorical cross-entropy is one-hot encoded.
  bool classesForValues = y && kind == runtime::TargetKind::Values &&
                          target.loss == "categorical_crossentropy" &&
                          target.width > 1 && y->shape.size() == 1;
  if (classesForValues)
    kind = runtime::TargetKind::Classes;
  runtime::NpyArray none;
  if (!runtime::tableFromArrays(x, y ? *y : none, kind, table, error))
    return fail(what + ": " + error);
  if (classesForValues) {
    if (Error err = checkTargets(
            table, {runtime::TargetKind::Classes, target.width, target.loss},
            what))
      return std::move(err);
    oneHot(table, target.width);
  }
  return table;
}

Expected<runtime::Table> readCsvTable(const DataSpec &spec,
                                      const runtime::CsvTable &csv,
                                      const TableReading &reading,
                                      const TargetShape &target) {
  std::string error;
  runtime::TargetKind kind = target.kind;
  // Predictions: the label columns are dropped when the file has them.
  if (reading.labelsOptional)
    kind = runtime::TargetKind::None;
  // One label column of classes where the loss takes float rows: one-hot
  // (categorical) or 0/1 from two names (binary).
  bool oneHotClasses = false, binaryNames = false;
  if (kind == runtime::TargetKind::Values && reading.labelColumns.size() <= 1 &&
      !csv.columns.empty()) {
    int c = reading.labelColumns.empty()
                ? int(csv.columns.size()) - 1
                : csv.find(reading.labelColumns.front());
    bool text = c >= 0 && !csv.columns[size_t(c)].numeric;
    oneHotClasses =
        target.loss == "categorical_crossentropy" && target.width > 1;
    binaryNames =
        text && target.loss == "binary_crossentropy" && target.width == 1;
    if (oneHotClasses || binaryNames)
      kind = runtime::TargetKind::Classes;
  }
  runtime::Table table;
  const std::vector<std::string> *names =
      reading.classNames ? &*reading.classNames : nullptr;
  if (!runtime::tableFromCsv(csv, reading.labelColumns, kind, table, error,
                             names))
    return fail(spec.path + ": " + error);
  if (binaryNames) {
    if (table.classNames.size() > 2)
      return fail(spec.path + ": the label column holds " +
                  std::to_string(table.classNames.size()) +
                  " class names, but binary_crossentropy tells two apart");
    asBinary(table);
  } else if (oneHotClasses) {
    if (Error err = checkTargets(
            table, {runtime::TargetKind::Classes, target.width, target.loss},
            spec.path))
      return std::move(err);
    oneHot(table, target.width);
  }
  return table;
}

} // namespace

Expected<DataSpec> mlc::parseDataSpec(const std::string &data) {
  DataSpec spec;
  spec.text = data;
  StringRef text(data);
  if (text.empty())
    return fail("--data is empty; give mnist, fashion-mnist, a directory of "
                "IDX files, a .csv, .npz or .npy file, or text:FILE");
  std::pair<StringRef, DataFormat> prefixes[] = {{"csv:", DataFormat::Csv},
                                                 {"npz:", DataFormat::Npz},
                                                 {"npy:", DataFormat::Npy},
                                                 {"idx:", DataFormat::Idx},
                                                 {"text:", DataFormat::Text}};
  for (auto [prefix, format] : prefixes)
    if (text.starts_with(prefix)) {
      spec.format = format;
      spec.path = text.drop_front(prefix.size()).str();
      if (spec.path.empty())
        return fail("--data " + data + " names no file");
      return spec;
    }
  if (data == "mnist") {
    const char *dir = std::getenv("MLC_DATA_DIR");
    spec.path =
        dir ? std::string(dir) + "/mnist" : MLC_DEFAULT_DATA_DIR "/mnist";
    return spec;
  }
  if (data == "fashion-mnist") {
    spec.path = "/usr/share/datasets/fashion-mnist";
    return spec;
  }
  spec.path = data;
  std::string lower = text.lower();
  StringRef name(lower);
  if (name.ends_with(".csv"))
    spec.format = DataFormat::Csv;
  else if (name.ends_with(".npz"))
    spec.format = DataFormat::Npz;
  else if (name.ends_with(".npy"))
    spec.format = DataFormat::Npy;
  else if (name.ends_with(".txt"))
    spec.format = DataFormat::Text;
  else if (!sys::fs::is_directory(data) && sys::fs::exists(data))
    return fail("--data " + data +
                ": cannot tell the format from the name; name it .csv, .npz "
                "or .npy (or .txt for text), or say it: csv:FILE, npz:FILE, "
                "npy:FILE, idx:DIR, text:FILE");
  return spec;
}

bool mlc::isTokenModel(const ModelSignature &sig) {
  if (sig.inputs.size() != 1 || sig.outputs.size() != 1)
    return false;
  const TensorSpec &input = sig.inputs.front(), &output = sig.outputs.front();
  return input.element == ElementKind::I32 && input.shape.size() == 2 &&
         input.shape[0] < 0 && input.shape[1] > 0 &&
         output.element == ElementKind::F32 && output.shape.size() == 3 &&
         output.shape[0] < 0 && output.shape[1] == input.shape[1] &&
         output.shape[2] > 0;
}

std::string mlc::inputAndOutputText(const ModelSignature &sig) {
  const TensorSpec &input = sig.inputs.front(), &output = sig.outputs.front();
  return "its input '" + input.name + "' is " + input.shapeString() +
         " and its output '" + output.name + "' is " + output.shapeString();
}

TargetShape mlc::targetShape(const ModelSignature &sig) {
  TargetShape t;
  t.loss = sig.loss;
  if (!sig.labels)
    return t;
  if (sig.labels->element == ElementKind::I32) {
    t.kind = runtime::TargetKind::Classes;
    t.width = sig.outputs.front().shape.back();
  } else {
    t.kind = runtime::TargetKind::Values;
    t.width = sig.labels->numElements(1);
  }
  return t;
}

Expected<TableFile> mlc::readTableFile(const DataSpec &spec) {
  TableFile file;
  file.spec = spec;
  std::string error;
  bool read = false;
  switch (spec.format) {
  case DataFormat::Idx:
    return fail("--data " + spec.text + " is IDX data, not a table");
  case DataFormat::Text:
    return fail("--data " + spec.text + " is text, not a table");
  case DataFormat::Csv:
    read = runtime::readCsv(spec.path, file.csv, error);
    break;
  case DataFormat::Npz:
    read = runtime::readNpz(spec.path, file.archive, error);
    break;
  case DataFormat::Npy:
    read = runtime::readNpy(spec.path, file.x, error);
    break;
  }
  if (!read)
    return fail(error);
  return file;
}

Expected<runtime::Table> mlc::readTable(const TableFile &file,
                                        const TableReading &reading,
                                        const TargetShape &target,
                                        const std::string &member) {
  std::string error;
  const DataSpec &spec = file.spec;
  switch (spec.format) {
  case DataFormat::Idx:
    return fail("--data " + spec.text + " is IDX data, not a table");
  case DataFormat::Text:
    return fail("--data " + spec.text + " is text, not a table");
  case DataFormat::Csv:
    return readCsvTable(spec, file.csv, reading, target);
  case DataFormat::Npy: {
    const runtime::NpyArray &x = file.x;
    runtime::NpyArray y;
    if (reading.labelsFile.empty()) {
      if (reading.labelsOptional)
        return fromArrays(x, nullptr, target, spec.path);
      return fail("--data " + spec.path +
                  " holds the inputs only; name the labels' array with "
                  "--labels FILE.npy (or put x and y in one .npz)");
    }
    if (!runtime::readNpy(reading.labelsFile, y, error))
      return fail(error);
    return fromArrays(x, &y, target, spec.path + " and " + reading.labelsFile);
  }
  case DataFormat::Npz: {
    const runtime::NpzArchive &archive = file.archive;
    // Keras's own archives (mnist.npz) hold x_train, y_train, x_test and
    // y_test; a plain numpy.savez(x=..., y=...) holds x and y.
    std::string xName = "x_" + member, yName = "y_" + member;
    if (member.empty()) {
      bool plain = archive.count("x");
      xName = plain ? "x" : "x_train";
      yName = plain ? "y" : "y_train";
    }
    auto x = archive.find(xName), y = archive.find(yName);
    if (x == archive.end())
      return fail(spec.path + ": no array '" + xName + "' (the archive has " +
                  arrayNames(archive) +
                  "; mlc reads x and y, or x_train, y_train, x_test and "
                  "y_test)");
    if (y == archive.end() && !reading.labelsOptional)
      return fail(spec.path + ": no array '" + yName + "' (the archive has " +
                  arrayNames(archive) + ")");
    bool labeled = y != archive.end() && !reading.labelsOptional;
    return fromArrays(x->second, labeled ? &y->second : nullptr, target,
                      spec.path);
  }
  }
  return fail("unknown data format");
}

Error mlc::checkTargets(const runtime::Table &table, const TargetShape &target,
                        const std::string &what) {
  if (table.kind == runtime::TargetKind::None)
    return Error::success();
  if (table.kind == runtime::TargetKind::Classes) {
    for (int64_t r = 0; r < table.rows; ++r)
      if (table.classes[size_t(r)] >= target.width)
        return fail(what + ": the label of row " + std::to_string(r + 1) +
                    " is class " + std::to_string(table.classes[size_t(r)]) +
                    ", but the model predicts " + std::to_string(target.width) +
                    " classes");
    if (table.classNames.size() > size_t(target.width))
      return fail(what + ": the labels name " +
                  std::to_string(table.classNames.size()) +
                  " classes, but the model predicts " +
                  std::to_string(target.width));
    return Error::success();
  }
  if (table.targetWidth != target.width)
    return fail(
        what + ": the labels have " + std::to_string(table.targetWidth) +
        " value(s) per sample, but " + lossText(target) + " needs " +
        std::to_string(target.width) + " (the width of the model's output)");
  return Error::success();
}
