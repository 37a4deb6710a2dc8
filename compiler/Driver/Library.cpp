//===- Library.cpp - standalone model libraries (AOT) ---------------------===//
//
// The library is two objects: the model's entry points as mlc compiles
// them (symbols renamed under the model's prefix and hidden), and the C
// wrapper of runtime/aot/ModelLibrary.c after a generated prologue of
// tables. The system C compiler builds the wrapper and links the .so; the
// .a is written with LLVM's archive writer.
//
//===----------------------------------------------------------------------===//

#include "compiler/Driver/Library.h"

#include "dialects/MLC/IR/MLCDialect.h"
#include "dialects/MLC/Transforms/Passes.h"

#include "mlir/IR/BuiltinAttributes.h"
#include "mlir/Pass/PassManager.h"
#include "llvm/ADT/StringExtras.h"
#include "llvm/IR/Module.h"
#include "llvm/Object/ArchiveWriter.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/FormatVariadic.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/Process.h"
#include "llvm/Support/Program.h"
#include "llvm/Support/raw_ostream.h"
#include "llvm/TargetParser/Host.h"
#include "llvm/TargetParser/Triple.h"

#include <chrono>
#include <cstdio>

using namespace mlir;
using namespace mlc;

namespace {

/// runtime/aot/ModelLibrary.c and runtime/cuda/mgpu.c, embedded at build
/// time.
const char *const modelLibrarySource =
#include "ModelLibrarySource.inc"
    ;
const char *const cudaShimSource =
#include "CudaShimSource.inc"
    ;

using Clock = std::chrono::steady_clock;
double msSince(Clock::time_point start) {
  return std::chrono::duration<double, std::milli>(Clock::now() - start)
      .count();
}

bool isCIdentifier(llvm::StringRef name) {
  if (name.empty() || llvm::isDigit(name.front()))
    return false;
  return llvm::all_of(name,
                      [](char c) { return llvm::isAlnum(c) || c == '_'; });
}

/// A C string literal.
std::string quoted(llvm::StringRef s) {
  std::string out = "\"";
  for (unsigned char c : s) {
    if (c == '"' || c == '\\')
      out += '\\', out += char(c);
    else if (c < 32 || c >= 127)
      out += llvm::formatv("\\{0:o3}", unsigned(c)).str();
    else
      out += char(c);
  }
  return out + "\"";
}

std::string shapeText(llvm::ArrayRef<int64_t> shape, llvm::StringRef dynamic) {
  std::string s = "[";
  for (size_t i = 0; i < shape.size(); ++i)
    s += (i ? ", " : "") +
         (shape[i] < 0 ? dynamic.str() : std::to_string(shape[i]));
  return s + "]";
}

/// One line per layer of the model as written: op, attributes, result.
std::vector<std::string> layerSummary(ModelOp model) {
  std::vector<std::string> lines;
  for (Operation &op : model.getBody().front()) {
    if (llvm::isa<InputOp, OutputOp, ParamOp>(op))
      continue;
    std::string line = op.getName().stripDialect().str();
    for (NamedAttribute attr : op.getAttrs()) {
      std::string value;
      llvm::raw_string_ostream os(value);
      if (auto b = llvm::dyn_cast<BoolAttr>(attr.getValue()))
        os << (b.getValue() ? "true" : "false");
      else if (auto i = llvm::dyn_cast<IntegerAttr>(attr.getValue()))
        os << i.getValue();
      else
        attr.getValue().print(os);
      // #mlc.act<relu> reads better as relu.
      llvm::StringRef text = value;
      if (text.starts_with("#mlc.") && text.ends_with(">") &&
          text.contains('<'))
        value = text.drop_until([](char c) { return c == '<'; })
                    .drop_front()
                    .drop_back()
                    .str();
      line += " " + attr.getName().str() + "=" + value;
    }
    if (op.getNumResults() == 1)
      if (auto type = llvm::dyn_cast<RankedTensorType>(op.getResult(0).getType())) {
        llvm::SmallVector<int64_t> shape;
        for (int64_t d : type.getShape())
          shape.push_back(ShapedType::isDynamic(d) ? -1 : d);
        line += " -> " + shapeText(shape, "batch");
      }
    lines.push_back(line);
  }
  return lines;
}

/// Everything the header and the prologue are generated from.
struct LibraryModel {
  std::string name;   // symbol prefix
  std::string model;  // model symbol, as checkpoints record it
  ModelSignature sig;
  std::vector<std::string> layers;
  std::string loss, optimizer;
  std::string generator; // "mlc <version>"
  int64_t maxBatch = 0;
  unsigned threads = 1;
  bool flushDenormals = true;
  std::string gpuChip; // empty: CPU
  bool sparseLabels = false;
  int64_t classes = 0;
};

llvm::Error checkSupported(const LibraryModel &m) {
  const ModelSignature &sig = m.sig;
  auto unsupported = [&](const llvm::Twine &why) {
    return llvm::createStringError("cannot build a library for @" + sig.model +
                                   ": " + why);
  };
  if (sig.inputs.size() != 1 || sig.outputs.size() != 1)
    return unsupported("libraries support one input and one output (the "
                       "model has " + llvm::Twine(sig.inputs.size()) +
                       " and " + llvm::Twine(sig.outputs.size()) + ")");
  auto checkTensor = [&](const TensorSpec &t) -> llvm::Error {
    if (t.element != ElementKind::F32)
      return unsupported("'" + t.name + "' is not float32");
    if (t.shape.size() > 8)
      return unsupported("'" + t.name + "' has more than 8 dimensions");
    return llvm::Error::success();
  };
  for (const auto *group : {&sig.params, &sig.states, &sig.inputs,
                            &sig.outputs})
    for (const TensorSpec &t : *group)
      if (llvm::Error err = checkTensor(t))
        return err;
  for (const TensorSpec *t : {&sig.inputs[0], &sig.outputs[0]})
    if (t->shape.empty() || t->shape[0] >= 0 ||
        llvm::any_of(llvm::drop_begin(t->shape),
                     [](int64_t d) { return d < 0; }))
      return unsupported("'" + t->name + "' must have a dynamic batch "
                         "dimension first and static dimensions after it");
  if (sig.labels && sig.labels->element != ElementKind::I32 &&
      sig.labels->element != ElementKind::F32)
    return unsupported("labels must be int32 or float32");
  return llvm::Error::success();
}

std::string numberText(double v) {
  char text[32];
  std::snprintf(text, sizeof text, "%g", v);
  return text;
}

std::string upper(llvm::StringRef s) { return s.upper(); }

/// The self-describing C header.
std::string generateHeader(const LibraryModel &m) {
  const ModelSignature &sig = m.sig;
  const std::string &p = m.name;
  std::string P = upper(p);
  const TensorSpec &in = sig.inputs[0], &out = sig.outputs[0];
  int64_t count = 0;
  for (const TensorSpec &t : sig.params)
    count += t.numElements(0);
  std::string label = m.sparseLabels ? "int32_t" : "float";
  std::string s;
  llvm::raw_string_ostream os(s);
  os << "/* " << p << ".h - a training library for the model @" << sig.model
     << ",\n * generated by " << m.generator
     << "; do not edit.\n *\n";
  os << " * Layers:\n";
  for (const std::string &line : m.layers)
    os << " *   " << line << "\n";
  os << " *\n * Parameters: " << count << " floats (" << 4 * count
     << " bytes) in " << sig.params.size() << " tensors:\n";
  for (const TensorSpec &t : sig.params)
    os << llvm::formatv(" *   {0,-24} {1,-14} {2}\n", t.name,
                        t.shapeString(), t.numElements(0));
  if (!m.loss.empty())
    os << " * Loss: " << m.loss << "\n";
  if (!m.optimizer.empty())
    os << " * Optimizer: " << m.optimizer << " (its state, "
       << sig.states.size() << " tensors, is saved with the parameters)\n";
  os << " *\n * Input \"" << in.name << "\": float32, row-major "
     << shapeText(in.shape, "batch") << ", " << in.numElements(1)
     << " floats per sample.\n"
     << " *   Scale it as the model was trained: `mlc train` feeds pixel / "
        "255\n *   (values in [0, 1]) unless told --normalize=standardize.\n";
  os << " * Output: float32 " << shapeText(out.shape, "batch") << ", "
     << out.numElements(1) << " floats per sample.\n";
  if (sig.labels) {
    if (m.sparseLabels)
      os << " * Labels: int32 class indices in [0, " << m.classes
         << "), one per sample.\n";
    else
      os << " * Labels: float32 " << shapeText(sig.labels->shape, "batch")
         << ", the same layout as the output.\n";
  }
  os << " * Batch size: any from 1 to " << P << "_MAX_BATCH (" << m.maxBatch
     << "), per call.\n";
  if (!m.gpuChip.empty())
    os << " * Device: NVIDIA " << m.gpuChip
       << ". The library does not link against CUDA: it opens libcuda.so.1\n"
          " *   with dlopen when the program starts and loads its kernels; "
          "where CUDA cannot\n *   run, " << p << "_create fails with "
       << P << "_ERR_DEVICE. Parameters, optimizer\n *   state and "
          "workspace live in memory the host and the GPU both address.\n";
  os << " * Threads: "
     << (m.threads == 1 ? std::string("1 (no OpenMP)")
                        : m.threads == 0 ? std::string("one per core (OpenMP)")
                                         : std::to_string(m.threads) +
                                               " (OpenMP)")
     << ".\n";
  if (m.gpuChip.empty())
    os << " * Denormal floats: "
       << (m.flushDenormals
               ? "flushed to zero while the model's code runs (faster; as\n"
                 " *   TensorFlow does); the caller's flush mode is restored "
                 "on return.\n"
               : "kept (IEEE gradual underflow).\n");
  os << " *\n"
        " * Every function that can fail returns 0 or a "
     << P
     << "_ERR_* code, and then\n"
        " * "
     << p
     << "_last_error() says what went wrong (kept per thread). A state\n"
        " * must not be used by two threads at once.\n"
        " *\n"
        " * Checkpoints are safetensors files, the same as `mlc train "
        "--checkpoint`\n"
        " * writes and `mlc eval --checkpoint` reads.\n"
        " */\n";
  os << "#ifndef " << P << "_H\n#define " << P << "_H\n\n"
     << "#include <stddef.h>\n#include <stdint.h>\n\n#ifdef __cplusplus\nextern \"C\" {\n#endif\n\n";
  os << "#define " << P << "_MAX_BATCH " << m.maxBatch << "\n";
  os << "#define " << P << "_INPUT_SIZE " << in.numElements(1)
     << " /* floats per sample */\n";
  os << "#define " << P << "_OUTPUT_SIZE " << out.numElements(1) << "\n";
  if (m.sparseLabels)
    os << "#define " << P << "_NUM_CLASSES " << m.classes << "\n";
  os << "#define " << P << "_NUM_PARAMS " << sig.params.size()
     << " /* tensors */\n";
  os << "#define " << P << "_PARAM_COUNT " << count << " /* floats */\n\n";
  os << "#define " << P << "_OK 0\n"
     << "#define " << P << "_ERR_ARGUMENT 1 /* NULL, bad batch size, label "
                           "out of range */\n"
     << "#define " << P << "_ERR_STATE 2    /* parameters not set: call init "
                           "or load */\n"
     << "#define " << P << "_ERR_IO 3       /* a file cannot be read or "
                           "written */\n"
     << "#define " << P << "_ERR_FORMAT 4   /* not a checkpoint of this "
                           "model */\n"
     << "#define " << P << "_ERR_MEMORY 5\n"
     << "#define " << P << "_ERR_DEVICE 6   /* no usable GPU, or a CUDA call "
                           "failed */\n\n";
  os << "/* Parameters, optimizer state and a workspace for "
     << P << "_MAX_BATCH. */\n"
     << "typedef struct " << p << "_state " << p << "_state;\n\n";
  auto fn = [&](llvm::StringRef doc, llvm::StringRef decl) {
    os << "/* " << doc << " */\n" << decl << ";\n\n";
  };
  fn("The message of the last failed call on this thread (\"\" if none).",
     "const char *" + p + "_last_error(void)");
  fn("Allocates a state (parameters zero; call init or load next).",
     "int " + p + "_create(" + p + "_state **state)");
  fn("Frees a state; NULL is ignored.",
     "int " + p + "_destroy(" + p + "_state *state)");
  fn("Draws the parameters from their initializers (the same bits as `mlc "
     "train --seed`),\n   zeroes the optimizer state and the step count.",
     "int " + p + "_init(" + p + "_state *state, uint64_t seed)");
  if (sig.canTrain())
    fn("One optimizer step on `batch` samples: forward, gradients, update in "
       "place.\n   x: [batch, " +
           std::to_string(in.numElements(1)) + "], y: " +
           (m.sparseLabels ? "[batch] class indices"
                           : "[batch, " + std::to_string(out.numElements(1)) +
                                 "]") +
           ". `loss` (may be NULL) gets the batch's mean loss.",
       "int " + p + "_train_step(" + p + "_state *state, const float *x, const " +
           label + " *y,\n    int64_t batch, float *loss)");
  if (sig.canEvaluate())
    fn("The loss and predictions [batch, " + std::to_string(out.numElements(1)) +
           "] without training; `loss` and\n   `predictions` may be NULL.",
       "int " + p + "_eval_step(" + p + "_state *state, const float *x, const " +
           label + " *y,\n    int64_t batch, float *loss, float *predictions)");
  fn("The model's output y [batch, " + std::to_string(out.numElements(1)) +
         "] for x [batch, " + std::to_string(in.numElements(1)) + "].",
     "int " + p + "_predict(" + p +
         "_state *state, const float *x, int64_t batch, float *y)");
  fn("Writes parameters, optimizer state and step count to a safetensors "
     "file,\n   atomically (a temporary file renamed over `path`).",
     "int " + p + "_save(" + p + "_state *state, const char *path)");
  fn("Reads a checkpoint; on any mismatch (names, shapes listed in the "
     "error) the\n   state is left as it was. A file without optimizer state "
     "resets it.",
     "int " + p + "_load(" + p + "_state *state, const char *path)");
  fn("Sets the learning rate of the following steps (> 0).",
     "int " + p + "_set_learning_rate(" + p + "_state *state, double rate)");
  fn("The learning rate (the model's, " +
         numberText(sig.learningRate) + ", until set).",
     "double " + p + "_learning_rate(const " + p + "_state *state)");
  fn("Optimizer steps taken since init (saved in checkpoints).",
     "int64_t " + p + "_iterations(const " + p + "_state *state)");
  fn("The epoch recorded in saved checkpoints (what `mlc train --resume` "
     "continues from).",
     "int " + p + "_set_epoch(" + p + "_state *state, int64_t epoch)");
  if (!m.gpuChip.empty()) {
    fn("Memory the host and the GPU both address (cuMemAllocManaged), for "
       "the _device\n   calls below; free it with " + p + "_device_free.",
       "int " + p + "_device_alloc(size_t bytes, void **pointer);\nint " + p +
           "_device_free(void *pointer)");
    fn("The steps above with x, y and the outputs already in GPU memory (" +
           p + "_device_alloc,\n   or cudaMalloc): no copies. Labels are not "
           "range-checked here.",
       "int " + p + "_predict_device(" + p +
           "_state *state, const float *x, int64_t batch, float *y)" +
           (sig.canEvaluate()
                ? ";\nint " + p + "_eval_step_device(" + p +
                      "_state *state, const float *x, const " + label +
                      " *y,\n    int64_t batch, float *loss, float "
                      "*predictions)"
                : std::string()) +
           (sig.canTrain() ? ";\nint " + p + "_train_step_device(" + p +
                                 "_state *state, const float *x, const " +
                                 label + " *y,\n    int64_t batch, float *loss)"
                           : std::string()));
  }
  fn("The parameter tensors: count, and for index i in [0, count) its name, "
     "rank,\n   shape and number of floats (NULL or -1 out of range).",
     "int64_t " + p + "_num_params(void);\nint64_t " + p +
         "_param_count(void); /* floats in all */\nconst char *" + p +
         "_param_name(int64_t i);\nint64_t " + p +
         "_param_rank(int64_t i);\nconst int64_t *" + p +
         "_param_shape(int64_t i);\nint64_t " + p + "_param_size(int64_t i)");
  fn("The float32 data of parameter i, row-major, inside the state.",
     "int " + p + "_param_data(" + p + "_state *state, int64_t i, float **data)");
  fn("Input and output shapes; dimension 0 is the batch (-1). Sizes are per "
     "sample.",
     "int64_t " + p + "_input_rank(void);\nconst int64_t *" + p +
         "_input_shape(void);\nint64_t " + p + "_input_size(void);\nint64_t " +
         p + "_output_rank(void);\nconst int64_t *" + p +
         "_output_shape(void);\nint64_t " + p + "_output_size(void);\nint64_t " +
         p + "_max_batch(void)");
  os << "#ifdef __cplusplus\n} /* extern \"C\" */\n#endif\n\n#endif /* " << P
     << "_H */\n";
  return s;
}

/// A struct mlc_tensor initializer for `t`.
std::string tensorEntry(const TensorSpec &t) {
  static const char *kinds[] = {"MLC_INIT_CONSTANT", "MLC_INIT_UNIFORM",
                                "MLC_INIT_NORMAL",
                                "MLC_INIT_TRUNCATED_NORMAL"};
  std::string shape;
  for (size_t i = 0; i < t.shape.size(); ++i)
    shape += (i ? ", " : "") + std::to_string(t.shape[i]);
  return llvm::formatv("{{{0}, {1}, {{{2}}, {3}, {4}, {5:e17}, {6:e17}}",
                       quoted(t.name), t.shape.size(),
                       shape.empty() ? "0" : shape, t.numElements(1),
                       kinds[int(t.init.kind)], t.init.a, t.init.b)
      .str();
}

/// The generated part of the wrapper: tables and calls into the object.
std::string generatePrologue(const LibraryModel &m) {
  const ModelSignature &sig = m.sig;
  std::string s;
  llvm::raw_string_ostream os(s);
  os << "/* Generated by mlc for @" << sig.model << "; do not edit. */\n"
     << "#define _POSIX_C_SOURCE 200809L\n#include \"" << m.name << ".h\"\n"
     << "#include <stdint.h>\n#include <stddef.h>\n\n";
  os << "#define MLC_API(x) " << m.name << "_##x\n"
     << "#define MLC_MODEL_NAME " << quoted(m.name) << "\n"
     << "#define MLC_MAX_BATCH " << m.maxBatch << "\n"
     << "#define MLC_MAX_RANK 8\n"
     << "#define MLC_NUM_PARAMS " << sig.params.size() << "\n"
     << "#define MLC_NUM_STATES " << sig.states.size() << "\n"
     << "#define MLC_HAS_LOSS " << sig.canEvaluate() << "\n"
     << "#define MLC_CAN_TRAIN " << sig.canTrain() << "\n"
     << "#define MLC_SPARSE_LABELS " << m.sparseLabels << "\n"
     << "#define MLC_NUM_CLASSES " << m.classes << "\n"
     << llvm::formatv("#define MLC_LEARNING_RATE {0:e17}\n", sig.learningRate)
     << "#define MLC_BIAS_CORRECTED " << sig.biasCorrected << "\n"
     << "#define MLC_GPU " << !m.gpuChip.empty() << "\n"
     << "#define MLC_FLUSH_DENORMALS " << m.flushDenormals << "\n"
     << llvm::formatv("#define MLC_BETA1 {0:e17}\n#define MLC_BETA2 {1:e17}\n",
                      sig.beta1, sig.beta2)
     << "typedef " << (m.sparseLabels ? "int32_t" : "float")
     << " mlc_label_t;\n\n";
  os << "enum { MLC_INIT_CONSTANT, MLC_INIT_UNIFORM, MLC_INIT_NORMAL, "
        "MLC_INIT_TRUNCATED_NORMAL };\n"
        "struct mlc_tensor {\n  const char *name;\n  int rank;\n"
        "  int64_t shape[MLC_MAX_RANK];\n  int64_t size; /* elements (per "
        "sample if batched) */\n  int init;\n  double a, b;\n};\n\n";
  // Tables end with a NULL-named entry so none is empty.
  os << "static const struct mlc_tensor mlc_params[] = {\n";
  for (const TensorSpec &t : sig.params)
    os << "  " << tensorEntry(t) << ",\n";
  os << "  {NULL, 0, {0}, 0, 0, 0, 0}};\n";
  os << "static const struct mlc_tensor mlc_states[] = {\n";
  for (const TensorSpec &t : sig.states)
    os << "  " << tensorEntry(t) << ",\n";
  os << "  {NULL, 0, {0}, 0, 0, 0, 0}};\n";
  os << "static const struct mlc_tensor mlc_input =\n  "
     << tensorEntry(sig.inputs[0]) << ";\n";
  os << "static const struct mlc_tensor mlc_output =\n  "
     << tensorEntry(sig.outputs[0]) << ";\n";
  if (sig.labels)
    os << "static const struct mlc_tensor mlc_labels =\n  "
       << tensorEntry(*sig.labels) << ";\n";
  os << "\n";
  // Calls into the compiled entry points (renamed ciface wrappers): each
  // takes one pointer per memref descriptor.
  auto entry = [&](llvm::StringRef kind, size_t buffers) {
    std::string sym = m.name + "__ciface_" + kind.str();
    auto params = [&](size_t n) {
      std::string list;
      for (size_t i = 0; i < n; ++i)
        list += i ? ", void *" : "void *";
      return list;
    };
    auto args = [&](size_t n) {
      std::string list;
      for (size_t i = 0; i < n; ++i)
        list += (i ? ", a[" : "a[") + std::to_string(i) + "]";
      return list;
    };
    os << "int64_t " << sym << "_workspace_bytes(" << params(buffers)
       << ");\nvoid " << sym << "(" << params(buffers + 1) << ");\n"
       << "static int64_t mlc_" << kind << "_bytes(void **a) {\n  return "
       << sym << "_workspace_bytes(" << args(buffers) << ");\n}\n"
       << "static void mlc_" << kind << "_run(void **a) {\n  " << sym << "("
       << args(buffers + 1) << ");\n}\n";
  };
  size_t params = sig.params.size();
  entry("predict", params + 2);
  if (sig.canEvaluate())
    entry("eval_step", params + 4);
  if (sig.canTrain())
    entry("train_step", params + sig.states.size() + 6);
  if (!m.gpuChip.empty())
    os << "\n/* The CUDA shim, its names under the prefix and hidden. */\n"
       << "#define MLC_MGPU(name) " << m.name << "__##name\n"
       << "#define MLC_MGPU_EXPORT __attribute__((visibility(\"hidden\")))\n"
       << "#line 1 \"mgpu.c\"\n"
       << cudaShimSource << "\n";
  os << "\n#line 1 \"ModelLibrary.c\"\n";
  return s;
}

std::string generateCMakeConfig(const LibraryModel &m, llvm::StringRef libomp) {
  const std::string &p = m.name;
  std::string link = m.gpuChip.empty() ? "m" : "m;dl;pthread";
  if (m.threads != 1)
    link += ";" + libomp.str();
  return llvm::formatv(
             R"(# CMake package for the mlc model library {0}; generated, do not edit.
#   find_package({0} REQUIRED)   # with {0}_DIR or CMAKE_PREFIX_PATH at this directory
#   target_link_libraries(app PRIVATE {0}::{0})         # shared
#   target_link_libraries(app PRIVATE {0}::{0}_static)  # static
if(NOT TARGET {0}::{0})
  add_library({0}::{0} SHARED IMPORTED)
  set_target_properties({0}::{0} PROPERTIES
    IMPORTED_LOCATION "${{CMAKE_CURRENT_LIST_DIR}/lib{0}.so"
    IMPORTED_SONAME "lib{0}.so"
    INTERFACE_INCLUDE_DIRECTORIES "${{CMAKE_CURRENT_LIST_DIR}")
endif()
if(NOT TARGET {0}::{0}_static)
  add_library({0}::{0}_static STATIC IMPORTED)
  set_target_properties({0}::{0}_static PROPERTIES
    IMPORTED_LOCATION "${{CMAKE_CURRENT_LIST_DIR}/lib{0}.a"
    IMPORTED_LINK_INTERFACE_LANGUAGES C
    INTERFACE_LINK_LIBRARIES "{1}"
    INTERFACE_INCLUDE_DIRECTORIES "${{CMAKE_CURRENT_LIST_DIR}")
endif()
set({0}_FOUND TRUE)
)",
             p, link)
      .str();
}

/// Renames the entry points' C-interface wrappers and anything else
/// global under the prefix, and hides them: the library exports only its
/// C API.
llvm::Error prefixSymbols(llvm::Module &module, const std::string &prefix) {
  std::string ciface = "_mlir_ciface_" + prefix + "_";
  for (llvm::GlobalValue &g : module.global_values()) {
    // GPU code calls the CUDA shim, which the library carries under the
    // prefix too.
    if (g.isDeclaration() && g.getName().starts_with("mgpu")) {
      g.setName(prefix + "__" + g.getName().str());
      continue;
    }
    // llvm.global_ctors (the GPU kernels' loader) keeps its name.
    if (g.isDeclaration() || g.hasLocalLinkage() || g.hasAppendingLinkage() ||
        g.getName().starts_with("llvm."))
      continue;
    llvm::StringRef name = g.getName();
    if (name.starts_with(ciface))
      g.setName(prefix + "__ciface_" + name.drop_front(ciface.size()).str());
    else // the raw entry points would clash with the C API's names
      g.setName(prefix + "__" + name.str());
    g.setVisibility(llvm::GlobalValue::HiddenVisibility);
  }
  return llvm::Error::success();
}

/// A program started in the background, with its output captured.
struct Process {
  std::vector<std::string> argv;
  std::string log;
  llvm::sys::ProcessInfo info;
  bool waited = true;

  /// Waits for it; the error quotes the command line and the output.
  llvm::Error finish() {
    if (waited)
      return llvm::Error::success();
    waited = true;
    std::string message;
    llvm::sys::ProcessInfo done =
        llvm::sys::Wait(info, std::nullopt, &message);
    if (done.ReturnCode == 0)
      return llvm::Error::success();
    std::string command;
    for (const std::string &a : argv)
      command += (command.empty() ? "" : " ") + a;
    std::string output;
    if (auto text = llvm::MemoryBuffer::getFile(log))
      output = (*text)->getBuffer().str();
    return llvm::createStringError(
        "'" + command + "' failed" +
        (done.ReturnCode < 0 ? ": " + message
                             : " with exit code " +
                                   std::to_string(done.ReturnCode)) +
        (output.empty() ? "" : ":\n" + output));
  }
  ~Process() { llvm::consumeError(finish()); }
};

llvm::Error startProcess(Process &process, std::vector<std::string> argv,
                  std::string log) {
  std::string program = argv[0];
  if (!llvm::StringRef(program).contains('/')) {
    auto found = llvm::sys::findProgramByName(program);
    if (!found)
      return llvm::createStringError(
          "cannot find the C compiler '" + program +
          "' that builds model libraries: install one (Debian: gcc) or name "
          "it with --cc or $CC");
    program = *found;
  }
  process.argv = std::move(argv);
  process.log = std::move(log);
  llvm::SmallVector<llvm::StringRef> args(process.argv.begin(),
                                          process.argv.end());
  std::optional<llvm::StringRef> redirects[] = {
      llvm::StringRef(""), llvm::StringRef(process.log),
      llvm::StringRef(process.log)};
  std::string message;
  bool failed = false;
  process.info = llvm::sys::ExecuteNoWait(program, args, std::nullopt,
                                          redirects, 0, &message, &failed);
  if (failed)
    return llvm::createStringError("cannot run '" + program + "': " + message);
  process.waited = false;
  return llvm::Error::success();
}

llvm::Error run(std::vector<std::string> argv, std::string log) {
  Process process;
  if (llvm::Error err = startProcess(process, std::move(argv), std::move(log)))
    return err;
  return process.finish();
}

llvm::Error writeFile(llvm::StringRef path, llvm::StringRef text) {
  std::error_code ec;
  llvm::raw_fd_ostream os(path, ec);
  if (ec)
    return llvm::createStringError("cannot write '" + path + "': " +
                                   ec.message());
  os << text;
  os.close();
  if (os.has_error())
    return llvm::createStringError("cannot write '" + path +
                                   "': " + os.error().message());
  return llvm::Error::success();
}

} // namespace

llvm::Expected<LibraryResult> mlc::buildLibrary(ModuleOp module,
                                                const TargetOptions &target,
                                                const LibraryOptions &options) {
  if (!target.triple.empty() &&
      llvm::Triple(target.triple).normalize() !=
          llvm::Triple(llvm::sys::getDefaultTargetTriple()).normalize())
    return llvm::createStringError(
        "libraries are built for the host only (they are linked with the "
        "host's C compiler); use --emit=obj to cross-compile");
  if (options.maxBatch < 1)
    return llvm::createStringError("--max-batch must be at least 1");
  auto models = llvm::to_vector(module.getOps<ModelOp>());
  if (models.size() != 1)
    return llvm::createStringError(
        "a library holds one mlc.model; the file has " +
        std::to_string(models.size()));
  ModelOp model = models.front();
  LibraryModel m;
  m.model = model.getSymName().str();
  m.name = options.name.empty() ? m.model : options.name;
  if (!isCIdentifier(m.name))
    return llvm::createStringError(
        "'" + m.name + "' is not a C identifier, so it cannot prefix the "
        "library's symbols; choose one with --name");
  // The library's own C code uses mlc_ and MLC_ names.
  if (llvm::StringRef(m.name).equals_insensitive("mlc"))
    return llvm::createStringError(
        "'" + m.name + "' is reserved for mlc's own names in the library; "
        "choose another with --name");
  // The symbol prefix comes from the model's name: rename the model, so
  // the entry points are <name>_predict and so on.
  if (m.name != m.model)
    model.setSymName(m.name);
  m.maxBatch = options.maxBatch;
  m.generator = options.generator;
  m.gpuChip = target.gpuChip;
  m.threads = target.threads;
  m.flushDenormals = target.flushDenormals;
  m.layers = layerSummary(model);
  if (std::optional<LossAttr> loss = model.getLoss()) {
    llvm::raw_string_ostream os(m.loss);
    os << stringifyLossKind(loss->getKind());
    if (loss->getFromLogits())
      os << " (from logits)";
    m.sparseLabels =
        loss->getKind() == LossKind::sparse_categorical_crossentropy;
  }
  if (Attribute optimizer = model.getOptimizerAttr()) {
    llvm::raw_string_ostream os(m.optimizer);
    optimizer.print(os);
    // "#mlc.adam<...>" -> "adam, learning rate 0.001"
    m.optimizer = llvm::StringRef(m.optimizer)
                      .drop_front(llvm::StringRef(m.optimizer).find('.') + 1)
                      .take_until([](char c) { return c == '<'; })
                      .str() +
                  ", learning rate " +
                  numberText(llvm::cast<OptimizerAttrInterface>(optimizer)
                                 .getLearningRate());
  }

  LibraryResult result;
  result.name = m.name;
  auto start = Clock::now();
  {
    PassManager pm = PassManager::on<ModuleOp>(module.getContext());
    pm.addPass(createMaterializeParams());
    if (failed(pm.run(module)))
      return llvm::createStringError("the model could not be compiled");
  }
  auto sig = readModelSignature(module);
  if (!sig)
    return sig.takeError();
  m.sig = std::move(*sig);
  if (llvm::Error err = checkSupported(m))
    return std::move(err);
  if (m.sparseLabels)
    m.classes = m.sig.outputs[0].shape.back();
  double signatureMs = msSince(start);

  // Build in a scratch directory inside the output directory, then rename
  // each finished file into place: nothing is half-written.
  std::string outputDir = options.outputDir;
  while (outputDir.size() > 1 && outputDir.back() == '/')
    outputDir.pop_back();
  if (std::error_code ec = llvm::sys::fs::create_directories(outputDir))
    return llvm::createStringError("cannot create the output directory '" +
                                   outputDir + "': " + ec.message());
  llvm::SmallString<128> scratch;
  if (std::error_code ec = llvm::sys::fs::createUniqueDirectory(
          outputDir + "/.mlc-build", scratch))
    return llvm::createStringError("cannot write to '" + outputDir +
                                   "': " + ec.message());
  struct Cleanup {
    llvm::SmallString<128> dir;
    ~Cleanup() { llvm::sys::fs::remove_directories(dir); }
  } cleanup{scratch};
  auto inScratch = [&](llvm::StringRef file) {
    return (scratch + "/" + file).str();
  };
  std::string header = m.name + ".h", so = "lib" + m.name + ".so",
              archive = "lib" + m.name + ".a",
              config = m.name + "Config.cmake";
  std::string modelObj = inScratch(m.name + "_model.o"),
              apiSrc = inScratch(m.name + "_api.c"),
              apiObj = inScratch(m.name + "_api.o");
  if (llvm::Error err = writeFile(inScratch(header), generateHeader(m)))
    return std::move(err);
  if (llvm::Error err = writeFile(
          apiSrc, generatePrologue(m) + std::string(modelLibrarySource)))
    return std::move(err);
  if (llvm::Error err = writeFile(inScratch(config),
                                  generateCMakeConfig(m, MLC_LIBOMP_PATH)))
    return std::move(err);

  // The C wrapper compiles on another core while the model does.
  std::vector<std::string> cc;
  std::string ccText = options.cc;
  if (ccText.empty())
    if (std::optional<std::string> env = llvm::sys::Process::GetEnv("CC"))
      ccText = *env;
  if (ccText.empty())
    ccText = "cc";
  for (llvm::StringRef word : llvm::split(ccText, ' '))
    if (!word.empty())
      cc.push_back(word.str());
  auto command = [&](std::initializer_list<std::string> args) {
    std::vector<std::string> argv = cc;
    argv.insert(argv.end(), args);
    return argv;
  };
  Process wrapper;
  if (llvm::Error err = startProcess(
          wrapper,
          command({"-std=c11", "-O1", "-fPIC", "-ffp-contract=off",
                   "-I" + scratch.str().str(), "-c", apiSrc, "-o", apiObj}),
          inScratch("cc.log")))
    return std::move(err);

  start = Clock::now();
  if (failed(lowerModule(module, Stage::LLVM, target, /*materialized=*/true)))
    return llvm::createStringError("the model could not be compiled");
  result.mlirMs = signatureMs + msSince(start);
  start = Clock::now();
  auto object = emitMachineCode(module, target, /*assembly=*/false,
                                [&](llvm::Module &llvmModule) {
                                  return prefixSymbols(llvmModule, m.name);
                                });
  if (!object)
    return object.takeError();
  result.llvmMs = msSince(start);
  if (llvm::Error err = writeFile(modelObj, *object))
    return std::move(err);

  start = Clock::now();
  if (llvm::Error err = wrapper.finish())
    return std::move(err);
  std::vector<std::string> link =
      command({"-shared", "-o", inScratch(so), "-Wl,-soname," + so,
               "-Wl,-z,defs", "-Wl,-z,noexecstack", "-Wl,--as-needed",
               modelObj, apiObj, "-lm"});
  // The CUDA shim uses dlopen and pthread_once: in libc since glibc 2.34,
  // in libdl and libpthread before (--as-needed drops them when unused).
  if (target.isGPU()) {
    link.push_back("-ldl");
    link.push_back("-pthread");
  }
  if (target.threads != 1) {
    llvm::StringRef libomp = MLC_LIBOMP_PATH;
    link.push_back(libomp.str());
    link.push_back("-Wl,-rpath," + llvm::sys::path::parent_path(libomp).str());
  }
  if (llvm::Error err = run(link, inScratch("link.log")))
    return std::move(err);
  {
    std::vector<llvm::NewArchiveMember> members;
    // The member names point into these strings.
    const std::string objects[] = {modelObj, apiObj};
    for (const std::string &obj : objects) {
      auto member = llvm::NewArchiveMember::getFile(obj, /*Deterministic=*/true);
      if (!member)
        return member.takeError();
      // Members are named by file name, not by the scratch path.
      member->MemberName = llvm::sys::path::filename(obj);
      members.push_back(std::move(*member));
    }
    if (llvm::Error err = llvm::writeArchive(
            inScratch(archive), members, llvm::SymtabWritingMode::NormalSymtab,
            llvm::object::Archive::K_GNU, /*Deterministic=*/true,
            /*Thin=*/false))
      return std::move(err);
  }
  result.linkMs = msSince(start);
  for (const std::string &file : {so, archive, header, config}) {
    std::string to = outputDir + "/" + file;
    if (std::error_code ec = llvm::sys::fs::rename(inScratch(file), to))
      return llvm::createStringError("cannot write '" + to +
                                     "': " + ec.message());
    result.files.push_back(to);
  }
  return result;
}
