//===- ImportModel.cpp - mlc import of a Keras model ----------------------===//

#include "frontends/Import/ImportModel.h"
#include "frontends/Import/ModelText.h"
#include "frontends/Keras/KerasImport.h"
#include "frontends/ONNX/ONNXImport.h"

#include "compiler/Driver/LibraryFiles.h"
#include "compiler/Driver/Model.h"
#include "compiler/Driver/Signature.h"
#include "runtime/Checkpoint.h"
#include "runtime/ReadFile.h"

#include "mlir/IR/Diagnostics.h"
#include "mlir/IR/MLIRContext.h"
#include "mlir/Parser/Parser.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/raw_ostream.h"

#include <set>

using namespace llvm;
using namespace mlc::import;
namespace runtime = mlc::runtime;

namespace {

Error fail(const Twine &message) { return createStringError(message); }

} // namespace

Expected<ImportSummary>
mlc::import::importModelFile(const std::string &input,
                             const std::string &mlirPath,
                             const std::string &checkpointPath) {
  ImportedModel model;
  std::string error;
  std::vector<uint8_t> bytes;
  bool read = runtime::parseFile(
      input, uint64_t(16) << 30, ": ", error,
      [&](const uint8_t *data, size_t size, std::string &) {
        bytes.assign(data, data + size);
        return true;
      });
  if (!read)
    return fail(error);
  // Keras files announce themselves (zip, HDF5); ONNX is a protobuf
  // without a magic number, told by its name.
  bool zip = bytes.size() >= 2 && bytes[0] == 'P' && bytes[1] == 'K';
  bool hdf5 = bytes.size() >= 4 && bytes[0] == 0x89 && bytes[1] == 'H' &&
              bytes[2] == 'D' && bytes[3] == 'F';
  bool onnx = !zip && !hdf5 && StringRef(input).ends_with_insensitive(".onnx");
  if (!zip && !hdf5 && !onnx)
    return fail(input + ": not a model mlc imports: a Keras 3 .keras archive "
                        "(zip), a Keras 2 .h5 model (HDF5) or an ONNX model "
                        "(named .onnx)");
  bool parsed = onnx ? onnx::parseOnnxModel(bytes, input, model, error)
                     : keras::parseKerasModel(std::move(bytes), input, model,
                                              error);
  if (!parsed)
    return fail(error);

  // The translation must be a valid mlc model; if it is not, that is
  // mlc's fault, said with the verifier's words.
  auto context = mlc::createContext();
  std::string diagnostics;
  mlir::ScopedDiagnosticHandler handler(
      context.get(), [&](mlir::Diagnostic &d) {
        raw_string_ostream os(diagnostics);
        os << d.getLocation() << ": " << d << "\n";
        return mlir::success();
      });
  mlir::OwningOpRef<mlir::ModuleOp> module =
      mlir::parseSourceString<mlir::ModuleOp>(model.mlir, context.get(),
                                              "imported model");
  if (!module)
    return fail(input + ": the translated model does not verify (an mlc "
                        "bug; please report it with the file):\n" +
                diagnostics);
  Expected<mlc::ModelSignature> sig = mlc::materializeSignature(*module);
  if (!sig)
    return fail(input + ": the translated model does not verify (an mlc "
                        "bug):\n" +
                diagnostics + toString(sig.takeError()));

  // Params the file does not hold (a dropout's seed state) keep their
  // initializers; every weight of the file must land in a param.
  std::vector<std::vector<float>> params;
  for (const mlc::TensorSpec &p : sig->params)
    params.emplace_back(size_t(p.numElements(0)));
  std::vector<float *> ptrs;
  for (auto &p : params)
    ptrs.push_back(p.data());
  if (Error err = mlc::initializeParams(*sig, 0, ptrs))
    return std::move(err);
  ImportSummary summary{model.format, commentText(model.version), sig->model,
                        0, 0, 0,
                        model.notes};
  runtime::Checkpoint c;
  c.model = sig->model;
  size_t used = 0;
  for (size_t i = 0; i < sig->params.size(); ++i) {
    const mlc::TensorSpec &spec = sig->params[i];
    auto it = model.params.find(spec.name);
    if (it != model.params.end()) {
      if (it->second.shape != spec.shape)
        return fail(input + ": weight " + spec.name + " is " +
                    mlc::shapeText(it->second.shape, "?") + " in the file, but the "
                    "layer's is " + mlc::shapeText(spec.shape, "?"));
      std::copy(it->second.data.begin(), it->second.data.end(),
                params[i].begin());
      ++used;
      ++summary.params;
    }
    c.params.push_back({spec.name, spec.shape, params[i].data()});
  }
  if (used != model.params.size())
    for (auto &[name, array] : model.params)
      if (llvm::none_of(sig->params, [&](const mlc::TensorSpec &p) {
            return p.name == name;
          }))
        return fail(input + ": the file's weight " + name +
                    " has no param in the translated model");

  // The optimizer state, when every slot mlc's optimizer keeps is there.
  // mlc keeps slots for non-trainable params too (never updated): those
  // of params Keras keeps no slots for start at zero.
  std::vector<std::vector<float>> states;
  std::set<std::string> slotted;
  for (auto &[name, array] : model.states)
    slotted.insert(StringRef(name).rsplit('.').first.str());
  bool allStates = model.hasOptimizerState && !sig->states.empty();
  size_t matched = 0;
  for (const mlc::TensorSpec &s : sig->states) {
    auto it = model.states.find(s.name);
    std::string param = StringRef(s.name).rsplit('.').first.str();
    if (it != model.states.end() && it->second.shape == s.shape)
      ++matched;
    else if (slotted.count(param))
      allStates = false;
  }
  allStates &= matched == model.states.size();
  if (allStates) {
    states.reserve(sig->states.size());
    for (const mlc::TensorSpec &s : sig->states) {
      auto it = model.states.find(s.name);
      states.push_back(it != model.states.end()
                           ? it->second.data
                           : std::vector<float>(size_t(s.numElements(0))));
      c.states.push_back({s.name, s.shape, states.back().data()});
    }
    c.iterations = model.iterations;
    summary.states = int64_t(c.states.size());
    summary.iterations = c.iterations;
  } else if (model.hasOptimizerState && !sig->states.empty()) {
    summary.notes.push_back("the optimizer state does not match mlc's slots: "
                            "training continues with fresh slots");
  }
  c.metadata = {{"imported_from", sys::path::filename(input).str()}};
  c.metadata["imported_format"] = model.format;
  if (!model.version.empty())
    c.metadata["imported_version"] = model.version;

  if (!runtime::saveCheckpoint(checkpointPath, c, error))
    return fail(error);
  Error written = writeToOutput(mlirPath, [&](raw_ostream &os) {
    os << model.mlir;
    return Error::success();
  });
  if (written)
    return fail("cannot write '" + mlirPath +
                "': " + toString(std::move(written)));
  return summary;
}
