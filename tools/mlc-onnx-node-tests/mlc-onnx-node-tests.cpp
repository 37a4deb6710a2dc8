//===- mlc-onnx-node-tests.cpp - ONNX's backend node tests on mlc ---------===//
//
// Runs ONNX's own node tests (a directory of test_*/model.onnx with
// test_data_set_N/{input,output}_K.pb, as scripts/onnx_node_data.py writes
// them from the onnx package) through `mlc import`'s ONNX reader and the
// JIT, and compares the outputs as ONNX's backend runner does (rtol 1e-3,
// atol 1e-7). mlc models take one input: a test's other inputs are bound
// as constants (initializers), as a layer's weights are. A test is
//   PASS  imported, compiled and equal to ONNX's outputs,
//   SKIP  using an op mlc does not import, or an input or configuration
//         the importer refuses (with its message),
//   FAIL  anything else: a wrong number, a failed compile, a crash.
// Exits 1 when a test fails.
//
//===----------------------------------------------------------------------===//

#include "compiler/Driver/Driver.h"
#include "frontends/ONNX/ONNXImport.h"

#include "onnx/onnx_pb.h"

#include "mlir/IR/Diagnostics.h"
#include "mlir/Parser/Parser.h"
#include "llvm/Support/CommandLine.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/FormatVariadic.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/raw_ostream.h"

#include <algorithm>
#include <array>
#include <cmath>
#include <cstring>
#include <map>
#include <optional>
#include <set>

using namespace llvm;
using namespace mlc;

namespace {

cl::opt<std::string> dataDir(cl::Positional, cl::desc("<node test directory>"),
                             cl::Required);
cl::opt<std::string> filter("filter",
                            cl::desc("Run the tests whose name contains this"),
                            cl::init(""));
cl::opt<bool> verbose("v", cl::desc("Print every test, and skip reasons"));

enum class Outcome { Pass, Skip, Fail };

struct Result {
  Outcome outcome = Outcome::Fail;
  std::string why;
  bool otherOps = false; ///< skipped for an op mlc does not import
};

Result skip(const std::string &why) { return {Outcome::Skip, why}; }
Result failure(const std::string &why) { return {Outcome::Fail, why}; }

bool readTensor(const std::string &path, ::onnx::TensorProto &t) {
  auto buffer = MemoryBuffer::getFile(path);
  return buffer && t.ParseFromArray((*buffer)->getBufferStart(),
                                    int((*buffer)->getBufferSize()));
}

/// A float tensor's values (raw or float_data).
bool floatsOf(const ::onnx::TensorProto &t, std::vector<float> &out) {
  if (t.data_type() != ::onnx::TensorProto::FLOAT)
    return false;
  if (t.has_raw_data()) {
    out.resize(t.raw_data().size() / 4);
    std::memcpy(out.data(), t.raw_data().data(), out.size() * 4);
  } else {
    out.assign(t.float_data().begin(), t.float_data().end());
  }
  return true;
}

Result runTest(const std::string &dir, std::set<std::string> &ops) {
  ::onnx::ModelProto model;
  auto bytes = MemoryBuffer::getFile(dir + "/model.onnx");
  if (!bytes || !model.ParseFromArray((*bytes)->getBufferStart(),
                                      int((*bytes)->getBufferSize())))
    return failure("model.onnx does not parse");
  ::onnx::GraphProto &graph = *model.mutable_graph();
  for (const ::onnx::NodeProto &n : graph.node())
    ops.insert(n.op_type());
  for (const std::string &op : ops)
    if (!mlc::onnx::isImportedOp(op))
      return {Outcome::Skip, "op " + op, true};
  if (graph.output_size() != 1)
    return skip(std::to_string(graph.output_size()) + " outputs");

  // Input 0 feeds the model; the others become initializers.
  std::string data = dir + "/test_data_set_0";
  ::onnx::TensorProto input, expected;
  if (graph.input_size() == 0)
    return skip("no input");
  if (!readTensor(data + "/input_0.pb", input) ||
      !readTensor(data + "/output_0.pb", expected))
    return failure("test_data_set_0 lacks input_0.pb or output_0.pb");
  for (int k = 1; k < graph.input_size(); ++k) {
    ::onnx::TensorProto t;
    if (!readTensor(data + "/input_" + std::to_string(k) + ".pb", t))
      return failure("input_" + std::to_string(k) + ".pb is missing");
    t.set_name(graph.input(k).name());
    *graph.add_initializer() = t;
  }
  // The input's sizes from its data (node tests often leave them out).
  ::onnx::TypeProto_Tensor *type =
      graph.mutable_input(0)->mutable_type()->mutable_tensor_type();
  type->mutable_shape()->clear_dim();
  for (int64_t d : input.dims())
    type->mutable_shape()->add_dim()->set_dim_value(d);
  std::string serialized;
  model.SerializeToString(&serialized);

  import::ImportedModel imported;
  std::string error;
  if (!mlc::onnx::parseOnnxModel({serialized.begin(), serialized.end()},
                                 "model.onnx", imported, error))
    return skip(error.substr(error.find(": ") + 2));

  auto context = createContext();
  std::string diagnostics;
  // Removed before the compile: the model takes the context over.
  std::optional<mlir::ScopedDiagnosticHandler> handler;
  handler.emplace(context.get(), [&](mlir::Diagnostic &d) {
    raw_string_ostream os(diagnostics);
    os << d << "\n";
    return mlir::success();
  });
  auto module =
      mlir::parseSourceString<mlir::ModuleOp>(imported.mlir, context.get());
  if (!module)
    return failure("the translation does not verify: " + diagnostics);
  TargetOptions target;
  target.threads = 1;
  auto jit = JITModel::compile(context, std::move(module), target);
  handler.reset();
  if (!jit)
    return failure("compile failed: " + toString(jit.takeError()) + " " +
                   diagnostics);
  const ModelSignature &sig = (*jit)->signature();

  std::vector<std::vector<float>> params;
  std::vector<BufferRef> args;
  for (const TensorSpec &p : sig.params) {
    auto it = imported.params.find(p.name);
    if (it == imported.params.end())
      return failure("no weights for param " + p.name);
    params.push_back(it->second.data);
  }
  for (size_t i = 0; i < sig.params.size(); ++i)
    args.push_back({params[i].data(), sig.params[i].shape});
  std::vector<float> x;
  if (!floatsOf(input, x))
    return skip("input 0 is not float32");
  std::vector<int64_t> xShape(input.dims().begin(), input.dims().end());
  int64_t batch = xShape.empty() ? 0 : xShape[0];
  args.push_back({x.data(), xShape});
  std::vector<int64_t> yShape = sig.outputs.front().shape;
  for (int64_t &d : yShape)
    if (d < 0)
      d = batch;
  std::vector<int64_t> want(expected.dims().begin(), expected.dims().end());
  if (yShape != want)
    return failure("the output's shape differs from ONNX's");
  int64_t count = 1;
  for (int64_t d : yShape)
    count *= d;
  std::vector<float> y(static_cast<size_t>(count));
  args.push_back({y.data(), yShape});
  if (Error err = (*jit)->predict(args))
    return failure("predict failed: " + toString(std::move(err)));

  std::vector<float> e;
  if (!floatsOf(expected, e) || e.size() != y.size())
    return skip("output 0 is not float32");
  for (size_t i = 0; i < y.size(); ++i) {
    bool same = std::isnan(e[i]) ? std::isnan(y[i])
                                 : std::fabs(double(y[i]) - e[i]) <=
                                       1e-7 + 1e-3 * std::fabs(double(e[i]));
    if (!same)
      return failure("element " + std::to_string(i) + " is " +
                     std::to_string(y[i]) + ", ONNX's " + std::to_string(e[i]));
  }
  return {Outcome::Pass, ""};
}

} // namespace

int main(int argc, char **argv) {
  cl::ParseCommandLineOptions(
      argc, argv,
      "mlc-onnx-node-tests: ONNX's backend node tests through mlc import "
      "and the JIT\n");
  std::vector<std::string> tests;
  std::error_code ec;
  for (sys::fs::directory_iterator it(dataDir, ec), end; it != end && !ec;
       it.increment(ec)) {
    std::string name = sys::path::filename(it->path()).str();
    if (StringRef(name).starts_with("test_") &&
        name.find(filter) != std::string::npos)
      tests.push_back(it->path());
  }
  if (ec || tests.empty()) {
    errs() << "mlc-onnx-node-tests: no test_* directories in '" << dataDir
           << "'" << (ec ? ": " + ec.message() : std::string()) << "\n";
    return 2;
  }
  std::sort(tests.begin(), tests.end());
  int counts[3] = {0, 0, 0}, otherOps = 0;
  // Per op: passed, skipped, failed.
  std::map<std::string, std::array<int, 3>> byOp;
  for (const std::string &dir : tests) {
    std::set<std::string> ops;
    Result r = runTest(dir, ops);
    ++counts[int(r.outcome)];
    otherOps += r.otherOps;
    // Per op: the tests that use only imported ops.
    if (!r.otherOps)
      for (const std::string &op : ops)
        ++byOp[op][size_t(r.outcome)];
    std::string name = sys::path::filename(dir).str();
    if (r.outcome == Outcome::Fail)
      outs() << "FAIL " << name << ": " << r.why << "\n";
    else if (verbose)
      outs() << (r.outcome == Outcome::Pass ? "PASS " : "SKIP ") << name
             << (r.why.empty() ? "" : ": " + r.why) << "\n";
  }
  outs() << "\nTests of imported ops only, by op (a test of several ops "
            "counts for each):\nop                   passed skipped failed\n";
  for (auto &[op, c] : byOp)
    outs() << formatv("{0,-20} {1,6} {2,7} {3,6}\n", op, c[0], c[1], c[2]);
  outs() << formatv("\nONNX node tests: {0} passed, {1} skipped ({2} for "
                    "ops mlc does not import), {3} failed (of {4})\n",
                    counts[0], counts[1], otherOps, counts[2], tests.size());
  return counts[2] ? 1 : 0;
}
