//===- LibraryHeader.cpp - the C header of a model library ----------------===//
//
// The self-describing header of a generated library: what the model is,
// its constants, and the declarations of its C API (docs/aot.md).
//
//===----------------------------------------------------------------------===//

#include "compiler/Driver/LibraryFiles.h"

#include "llvm/Support/FormatVariadic.h"
#include "llvm/Support/raw_ostream.h"

using namespace mlir;
using namespace mlc;

namespace {
/// One declaration of the C API and the comment of the group it starts.
/// Placeholders: {0} the prefix, {1} the label type; in declarations {2}
/// the input's element type; in comments {2} the numbers per input
/// sample, {3} per output sample, {4} the labels' layout, {5} the model's
/// learning rate.
struct ApiDeclaration {
  const char *doc; ///< null: continues the group above
  const char *declaration;
  enum Needs { Nothing, Training, Evaluation, FloatInput } needs = Nothing;
  bool gpu = false; ///< only in GPU libraries
};

const ApiDeclaration kApi[] = {
    {"The message of the last failed call on this thread (\"\" if none).",
     "const char *{0}_last_error(void)"},
    {"Allocates a state (parameters zero; call init or load next).",
     "int {0}_create({0}_state **state)"},
    {"Frees a state; NULL is ignored.", "int {0}_destroy({0}_state *state)"},
    {"Draws the parameters from their initializers (the same bits as `mlc "
     "train --seed`),\n   zeroes the optimizer state and the step count.",
     "int {0}_init({0}_state *state, uint64_t seed)"},
    {"One optimizer step on `batch` samples: forward, gradients, update in "
     "place.\n   x: [batch, {2}], y: {4}. `loss` (may be NULL) gets the "
     "batch's mean loss.",
     "int {0}_train_step({0}_state *state, const {2} *x, const {1} *y,\n"
     "    int64_t batch, float *loss)",
     ApiDeclaration::Training},
    {"The loss and predictions [batch, {3}] without training; `loss` and\n"
     "   `predictions` may be NULL.",
     "int {0}_eval_step({0}_state *state, const {2} *x, const {1} *y,\n"
     "    int64_t batch, float *loss, float *predictions)",
     ApiDeclaration::Evaluation},
    {"The model's output y [batch, {3}] for x [batch, {2}].",
     "int {0}_predict({0}_state *state, const {2} *x, int64_t batch, "
     "float *y)"},
    {"Writes parameters, optimizer state and step count to a safetensors "
     "file,\n   atomically (a temporary file renamed over `path`).",
     "int {0}_save({0}_state *state, const char *path)"},
    {"Reads a checkpoint; on any mismatch (names, shapes listed in the "
     "error) the\n   state is left as it was. A file without optimizer state "
     "resets it.",
     "int {0}_load({0}_state *state, const char *path)"},
    {"The value of `key` in the metadata of the checkpoint `load` read "
     "(mlc train\n   records how it read its data there: docs/data.md); "
     "NULL if none.",
     "const char *{0}_metadata(const {0}_state *state, const char *key)"},
    {"Prepares raw inputs x [batch, {2}] in place as `mlc train` fed them,\n"
     "   from the loaded checkpoint's metadata: a table's features "
     "standardized per\n   feature when it was trained so (else as they "
     "are), image pixels (0-255)\n   divided by 255 and standardized when "
     "it was trained so.",
     "int {0}_normalize_input(const {0}_state *state, float *x, "
     "int64_t batch)",
     ApiDeclaration::FloatInput},
    {"Sets the learning rate of the following steps (> 0); with a "
     "learning-rate\n"
     "   schedule, the rate the schedule starts from.",
     "int {0}_set_learning_rate({0}_state *state, double rate)"},
    {"The learning rate set (the model's, {5}, until set).",
     "double {0}_learning_rate(const {0}_state *state)"},
    {"Optimizer steps taken since init (saved in checkpoints).",
     "int64_t {0}_iterations(const {0}_state *state)"},
    {"The epoch recorded in saved checkpoints (what `mlc train --resume` "
     "continues from).",
     "int {0}_set_epoch({0}_state *state, int64_t epoch)"},
    {"Memory the host and the GPU both address (cuMemAllocManaged), for "
     "the _device\n   calls below; free it with {0}_device_free.",
     "int {0}_device_alloc(size_t bytes, void **pointer)",
     ApiDeclaration::Nothing, true},
    {nullptr, "int {0}_device_free(void *pointer)", ApiDeclaration::Nothing,
     true},
    {"The steps above with x, y and the outputs already in GPU memory "
     "({0}_device_alloc,\n   or cudaMalloc): no copies. Labels are not "
     "range-checked here.",
     "int {0}_predict_device({0}_state *state, const {2} *x, int64_t batch, "
     "float *y)",
     ApiDeclaration::Nothing, true},
    {nullptr,
     "int {0}_eval_step_device({0}_state *state, const {2} *x, const {1} "
     "*y,\n    int64_t batch, float *loss, float *predictions)",
     ApiDeclaration::Evaluation, true},
    {nullptr,
     "int {0}_train_step_device({0}_state *state, const {2} *x, const {1} "
     "*y,\n    int64_t batch, float *loss)",
     ApiDeclaration::Training, true},
    {"The parameter tensors: count, and for index i in [0, count) its name, "
     "rank,\n   shape and number of floats (NULL or -1 out of range).",
     "int64_t {0}_num_params(void)"},
    {nullptr, "int64_t {0}_param_count(void); /* floats in all */"},
    {nullptr, "const char *{0}_param_name(int64_t i)"},
    {nullptr, "int64_t {0}_param_rank(int64_t i)"},
    {nullptr, "const int64_t *{0}_param_shape(int64_t i)"},
    {nullptr, "int64_t {0}_param_size(int64_t i)"},
    {"The float32 data of parameter i, row-major, inside the state.",
     "int {0}_param_data({0}_state *state, int64_t i, float **data)"},
    {"Input and output shapes; dimension 0 is the batch (-1). Sizes are per "
     "sample.",
     "int64_t {0}_input_rank(void)"},
    {nullptr, "const int64_t *{0}_input_shape(void)"},
    {nullptr, "int64_t {0}_input_size(void)"},
    {nullptr, "int64_t {0}_output_rank(void)"},
    {nullptr, "const int64_t *{0}_output_shape(void)"},
    {nullptr, "int64_t {0}_output_size(void)"},
    {nullptr, "int64_t {0}_max_batch(void)"},
};
} // namespace

/// `text` (the body of a block comment after its opening "/*") with every
/// "*/" and "/*" broken by a backslash and control characters other than
/// newlines shown as '?'.
static std::string commentSafe(llvm::StringRef text) {
  std::string out;
  for (size_t i = 0; i < text.size(); ++i) {
    unsigned char c = text[i];
    out += (c < 32 && c != '\n') || c == 127 ? '?' : char(c);
    bool next = i + 1 < text.size();
    if (i >= 2 && next &&
        ((c == '*' && text[i + 1] == '/') || (c == '/' && text[i + 1] == '*')))
      out += '\\';
  }
  return out;
}

/// The self-describing C header.
std::string mlc::generateHeader(const LibraryModel &m) {
  const ModelSignature &sig = m.sig;
  const std::string &p = m.name;
  std::string P = llvm::StringRef(p).upper();
  const TensorSpec &in = sig.inputs[0], &out = sig.outputs[0];
  int64_t count = 0;
  for (const TensorSpec &t : sig.params)
    count += t.numElements(0);
  std::string label = m.sparseLabels ? "int32_t" : "float";
  std::string s;
  llvm::raw_string_ostream os(s);
  os << "/* " << p << ".h - a training library for the model @" << sig.model
     << ",\n * generated by " << m.generator << "; do not edit.\n *\n";
  os << " * Layers:\n";
  for (const std::string &line : m.layers)
    os << " *   " << line << "\n";
  os << " *\n * Parameters: " << count << " floats (" << 4 * count
     << " bytes) in " << sig.params.size() << " tensors:\n";
  for (const TensorSpec &t : sig.params)
    os << llvm::formatv(" *   {0,-24} {1,-14} {2}\n", t.name, t.shapeString(),
                        t.numElements(0));
  if (!m.loss.empty())
    os << " * Loss: " << m.loss << "\n";
  if (!m.optimizer.empty())
    os << " * Optimizer: " << m.optimizer << " (its state, "
       << sig.states.size() << " tensors, is saved with the parameters)\n";
  if (sig.canTrain() &&
      sig.schedule.kind != runtime::LearningRateSchedule::Kind::Constant)
    os << " * Learning-rate schedule: " << sig.schedule.str()
       << " (step 0 is the first step after init)\n";
  if (m.tokenInput)
    os << " *\n * Input \"" << in.name << "\": int32 token ids, row-major "
       << shapeText(in.shape, "batch") << ", " << in.numElements(1)
       << " per sample (an id outside an embedding's table reads zeros).\n";
  else
    os << " *\n * Input \"" << in.name << "\": float32, row-major "
       << shapeText(in.shape, "batch") << ", " << in.numElements(1)
       << " floats per sample.\n"
       << " *   Scale it as the model was trained: `mlc train` feeds pixel / "
          "255\n *   (values in [0, 1]) unless told --normalize=standardize, "
          "and a table's\n *   features as they are unless told so; "
       << p
       << "_normalize_input applies what a\n *   loaded checkpoint "
          "records.\n";
  os << " * Output: float32 " << shapeText(out.shape, "batch") << ", "
     << out.numElements(1) << " floats per sample.\n";
  if (sig.labels) {
    if (m.sparseLabels)
      os << " * Labels: int32 class indices in [0, " << m.classes << "), "
         << (sig.labels->numElements(1) == 1
                 ? std::string("one per sample")
                 : shapeText(sig.labels->shape, "batch"))
         << ".\n";
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
          "where CUDA cannot\n *   run, "
       << p << "_create fails with " << P
       << "_ERR_DEVICE. Parameters, optimizer\n *   state and "
          "workspace live in memory the host and the GPU both address.\n";
  os << " * Threads: "
     << (m.threads == 1   ? std::string("1 (no OpenMP)")
         : m.threads == 0 ? std::string("one per core (OpenMP)")
                          : std::to_string(m.threads) + " (OpenMP)")
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
        " * writes and `mlc eval --checkpoint` reads.\n";
  // Names come from the model file: none may end the comment early (and
  // inject declarations) or carry control characters into the header.
  s = commentSafe(s);
  os << " */\n";
  os << "#ifndef " << P << "_H\n#define " << P << "_H\n\n"
     << "#include <stddef.h>\n#include <stdint.h>\n\n#ifdef "
        "__cplusplus\nextern \"C\" {\n#endif\n\n";
  os << "#define " << P << "_MAX_BATCH " << m.maxBatch << "\n";
  os << "#define " << P << "_INPUT_SIZE " << in.numElements(1) << " /* "
     << (m.tokenInput ? "token ids" : "floats") << " per sample */\n";
  os << "#define " << P << "_OUTPUT_SIZE " << out.numElements(1) << "\n";
  if (m.sparseLabels)
    os << "#define " << P << "_NUM_CLASSES " << m.classes << "\n";
  os << "#define " << P << "_NUM_PARAMS " << sig.params.size()
     << " /* tensors */\n";
  os << "#define " << P << "_PARAM_COUNT " << count << " /* floats */\n\n";
  os << "#define " << P << "_OK 0\n"
     << "#define " << P
     << "_ERR_ARGUMENT 1 /* NULL, bad batch size, label "
        "out of range */\n"
     << "#define " << P
     << "_ERR_STATE 2    /* parameters not set: call init "
        "or load */\n"
     << "#define " << P
     << "_ERR_IO 3       /* a file cannot be read or "
        "written */\n"
     << "#define " << P
     << "_ERR_FORMAT 4   /* not a checkpoint of this "
        "model */\n"
     << "#define " << P << "_ERR_MEMORY 5\n"
     << "#define " << P
     << "_ERR_DEVICE 6   /* no usable GPU, or a CUDA call "
        "failed */\n\n";
  os << "/* Parameters, optimizer state and a workspace for " << P
     << "_MAX_BATCH. */\n"
     << "typedef struct " << p << "_state " << p << "_state;\n\n";
  std::string y =
      !m.sparseLabels ? "[batch, " + std::to_string(out.numElements(1)) + "]"
      : sig.labels->numElements(1) == 1
          ? std::string("[batch] class indices")
          : "[batch, " + std::to_string(sig.labels->numElements(1)) +
                "] class indices";
  bool gpu = !m.gpuChip.empty();
  bool group = false; // a declaration group is open
  for (const ApiDeclaration &d : kApi) {
    bool wanted =
        (!d.gpu || gpu) &&
        (d.needs != ApiDeclaration::Training || sig.canTrain()) &&
        (d.needs != ApiDeclaration::Evaluation || sig.canEvaluate()) &&
        (d.needs != ApiDeclaration::FloatInput || !m.tokenInput);
    if (!wanted)
      continue;
    if (d.doc) {
      if (group)
        os << "\n";
      os << "/* "
         << llvm::formatv(d.doc, p, label, in.numElements(1),
                          out.numElements(1), y, numberText(sig.learningRate))
         << " */\n";
      group = true;
    }
    // A declaration with a trailing comment carries its own semicolon.
    llvm::StringRef declaration = d.declaration;
    os << llvm::formatv(d.declaration, p, label,
                        m.tokenInput ? "int32_t" : "float")
       << (declaration.ends_with("*/") ? "\n" : ";\n");
  }
  os << "\n";
  os << "#ifdef __cplusplus\n} /* extern \"C\" */\n#endif\n\n#endif /* " << P
     << "_H */\n";
  return s;
}
