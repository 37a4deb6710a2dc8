//===- ONNXImport.cpp - ONNX models to mlc models -------------------------===//

#include "frontends/ONNX/ONNXImport.h"

#include "dialects/MLC/IR/MLCDialect.h"
#include "frontends/Import/ModelText.h"

#include "onnx/onnx_pb.h"

#include "llvm/ADT/STLExtras.h"
#include "llvm/ADT/StringRef.h"
#include "llvm/Support/Path.h"

#include <algorithm>
#include <climits>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <map>
#include <set>

using namespace mlc;
using import::commentText;
using import::identifier;
using import::ImportedTensor;
using import::mlirString;
using import::typeText;
using llvm::StringRef;

namespace {

/// The ops translateNode() knows.
const char *const kOps[] = {"Gemm",
                            "MatMul",
                            "Add",
                            "Sub",
                            "Mul",
                            "Div",
                            "Relu",
                            "Sigmoid",
                            "Tanh",
                            "Softmax",
                            "LogSoftmax",
                            "Flatten",
                            "Reshape",
                            "Transpose",
                            "Conv",
                            "MaxPool",
                            "AveragePool",
                            "GlobalAveragePool",
                            "BatchNormalization",
                            "Dropout",
                            "Identity",
                            "Constant"};

/// The opsets whose semantics the translation follows: from 13 (Softmax's
/// last-axis form, Reshape's allowzero); the versions of the imported ops
/// after 21 (22 to 25) only add element types.
const int64_t kMinOpset = 13, kMaxOpset = 25;

/// A value of the graph as mlc holds it. `shape` is ONNX's (NCHW for
/// images, -1 for the batch); `nhwc` says the mlc value holds it
/// channels-last.
struct Value {
  std::string ssa;
  std::vector<int64_t> shape;
  bool nhwc = false;
};

std::string shapeText(const std::vector<int64_t> &shape) {
  std::string t = "[";
  for (size_t i = 0; i < shape.size(); ++i)
    t += (i ? ", " : "") +
         (shape[i] < 0 ? std::string("batch") : std::to_string(shape[i]));
  return t + "]";
}

std::string arrayText(const std::vector<int64_t> &v) {
  std::string t = "array<i64: ";
  for (size_t i = 0; i < v.size(); ++i)
    t += (i ? ", " : "") + std::to_string(v[i]);
  return t + ">";
}

/// The shape mlc holds: NHWC for an NCHW value marked so.
std::vector<int64_t> physical(const Value &v) {
  if (!v.nhwc)
    return v.shape;
  return {v.shape[0], v.shape[2], v.shape[3], v.shape[1]};
}

/// A constant tensor of the graph (an initializer or a Constant node).
struct Constant {
  std::vector<int64_t> shape;
  std::vector<float> floats; ///< float tensors
  std::vector<int64_t> ints; ///< integer tensors
  bool integral = false;
  std::string name;
  int64_t size() const {
    int64_t n = 1;
    for (int64_t d : shape)
      n *= d;
    return n;
  }
};

/// The pads auto_pad SAME_UPPER or SAME_LOWER asks for: the output is
/// ceil(in / stride), the extra pad at the end (UPPER) or the start.
/// Returns false for another auto_pad than those, NOTSET and VALID.
bool autoPads(const std::string &autoPad, const std::vector<int64_t> &in,
              const std::vector<int64_t> &k, const std::vector<int64_t> &s,
              const std::vector<int64_t> &d, std::vector<int64_t> &pads) {
  if (autoPad == "NOTSET")
    return true;
  if (autoPad == "VALID") {
    pads = {0, 0, 0, 0};
    return true;
  }
  if (autoPad != "SAME_UPPER" && autoPad != "SAME_LOWER")
    return false;
  for (size_t i = 0; i < 2; ++i) {
    int64_t out = (in[i] + s[i] - 1) / s[i];
    int64_t total =
        std::max<int64_t>((out - 1) * s[i] + (k[i] - 1) * d[i] + 1 - in[i], 0);
    int64_t small = total / 2, large = total - small;
    pads[i] = autoPad == "SAME_UPPER" ? small : large;
    pads[i + 2] = autoPad == "SAME_UPPER" ? large : small;
  }
  return true;
}

std::string opList() {
  std::string list;
  for (const char *op : kOps)
    list += (list.empty() ? "" : ", ") + std::string(op);
  return list;
}

class Importer {
public:
  Importer(std::string file, import::ImportedModel &out)
      : file(std::move(file)), out(out) {}
  bool run(const std::vector<uint8_t> &bytes, std::string &error);

private:
  bool fail(const std::string &why) {
    error = file + ": " + why;
    return false;
  }
  bool nodeFail(const std::string &why) {
    std::string name = node->name().empty() ? "" : "'" + node->name() + "' ";
    return fail("node " + name + "(" + node->op_type() + ", node " +
                std::to_string(nodeIndex) + " of the graph): " + why);
  }
  bool readConstant(const ::onnx::TensorProto &t, Constant &c,
                    const std::string &what);
  bool translate(const ::onnx::GraphProto &graph);
  bool translateNode(const ::onnx::NodeProto &n);

  // Attributes of the current node.
  const ::onnx::AttributeProto *attr(StringRef name) const;
  int64_t intAttr(StringRef name, int64_t fallback) const;
  double floatAttr(StringRef name, double fallback) const;
  std::vector<int64_t> intsAttr(StringRef name,
                                std::vector<int64_t> fallback) const;
  std::string stringAttr(StringRef name, std::string fallback) const;

  /// The activation value of input `k`, or an error.
  bool activation(int k, Value &v);
  /// The constant of input `k`, or null.
  const Constant *constant(int k) const;
  /// A new SSA name for the current node's output.
  std::string fresh(StringRef hint);
  /// A new param: its name, declared with `init`, weights `data`.
  std::string param(const std::string &name, const std::vector<int64_t> &shape,
                    std::vector<float> data, const char *init);
  /// The prefix of the params a node's weights become, from the weight
  /// initializer's name ("fc1.weight" -> "fc1").
  std::string prefixFor(const std::string &weightName);
  /// `v` in NCHW order (a transpose back when mlc holds it NHWC).
  Value toNCHW(const Value &v);
  void define(const std::string &onnxName, Value v) {
    values[onnxName] = std::move(v);
  }

  std::string file, error;
  import::ImportedModel &out;
  std::map<std::string, Constant> constants;
  std::map<std::string, Value> values;
  std::set<std::string> ssaNames, prefixes;
  std::string decls, body;
  const ::onnx::NodeProto *node = nullptr;
  int nodeIndex = 0;
  /// Nodes folded into an earlier one (a MatMul's bias Add).
  std::set<const ::onnx::NodeProto *> folded;
  std::map<std::string, std::vector<const ::onnx::NodeProto *>> consumers;
};

bool Importer::readConstant(const ::onnx::TensorProto &t, Constant &c,
                            const std::string &what) {
  c.name = t.name();
  c.shape.assign(t.dims().begin(), t.dims().end());
  uint64_t count = 1;
  for (int64_t d : c.shape) {
    if (d < 0 || (d && count > (uint64_t(1) << 40) / uint64_t(d)))
      return fail(what + " has the dims " + shapeText(c.shape));
    count *= uint64_t(d);
  }
  if (t.data_location() == ::onnx::TensorProto::EXTERNAL)
    return fail(what + " keeps its data in an external file, which mlc "
                       "does not read");
  const std::string &raw = t.raw_data();
  switch (t.data_type()) {
  case ::onnx::TensorProto::FLOAT:
    if (t.has_raw_data()) {
      if (raw.size() != count * 4)
        return fail(what + " holds " + std::to_string(raw.size()) +
                    " bytes for " + std::to_string(count) + " floats");
      c.floats.resize(size_t(count));
      std::memcpy(c.floats.data(), raw.data(), raw.size());
    } else {
      if (uint64_t(t.float_data_size()) != count)
        return fail(what + " holds " + std::to_string(t.float_data_size()) +
                    " floats for its " + std::to_string(count) + " elements");
      c.floats.assign(t.float_data().begin(), t.float_data().end());
    }
    return true;
  case ::onnx::TensorProto::INT64:
    c.integral = true;
    if (t.has_raw_data()) {
      if (raw.size() != count * 8)
        return fail(what + " holds " + std::to_string(raw.size()) +
                    " bytes for " + std::to_string(count) + " int64s");
      c.ints.resize(size_t(count));
      std::memcpy(c.ints.data(), raw.data(), raw.size());
    } else {
      if (uint64_t(t.int64_data_size()) != count)
        return fail(what + " holds " + std::to_string(t.int64_data_size()) +
                    " int64s for its " + std::to_string(count) + " elements");
      c.ints.assign(t.int64_data().begin(), t.int64_data().end());
    }
    return true;
  default:
    return fail(what + " is of ONNX data type " +
                std::to_string(t.data_type()) +
                "; mlc imports float32 weights (and int64 shapes)");
  }
}

const ::onnx::AttributeProto *Importer::attr(StringRef name) const {
  for (const ::onnx::AttributeProto &a : node->attribute())
    if (a.name() == name)
      return &a;
  return nullptr;
}

int64_t Importer::intAttr(StringRef name, int64_t fallback) const {
  const ::onnx::AttributeProto *a = attr(name);
  return a && a->has_i() ? a->i() : fallback;
}

double Importer::floatAttr(StringRef name, double fallback) const {
  const ::onnx::AttributeProto *a = attr(name);
  return a && a->has_f() ? a->f() : fallback;
}

std::vector<int64_t> Importer::intsAttr(StringRef name,
                                        std::vector<int64_t> fallback) const {
  const ::onnx::AttributeProto *a = attr(name);
  if (!a || a->ints_size() == 0)
    return fallback;
  return {a->ints().begin(), a->ints().end()};
}

std::string Importer::stringAttr(StringRef name, std::string fallback) const {
  const ::onnx::AttributeProto *a = attr(name);
  return a && a->has_s() ? a->s() : fallback;
}

bool Importer::activation(int k, Value &v) {
  if (k >= node->input_size() || node->input(k).empty())
    return nodeFail("has no input " + std::to_string(k));
  auto it = values.find(node->input(k));
  if (it == values.end()) {
    if (constants.count(node->input(k)))
      return nodeFail("takes the constant '" + node->input(k) + "' as input " +
                      std::to_string(k) +
                      ", where mlc imports a computed value");
    return nodeFail("reads '" + node->input(k) +
                    "', which no node before it computes");
  }
  v = it->second;
  return true;
}

const Constant *Importer::constant(int k) const {
  if (k >= node->input_size() || node->input(k).empty())
    return nullptr;
  auto it = constants.find(node->input(k));
  return it == constants.end() ? nullptr : &it->second;
}

std::string Importer::fresh(StringRef hint) {
  std::string id = identifier(hint, "v");
  if (id.size() > 40)
    id = id.substr(0, 40);
  std::string name = id;
  for (int k = 1; ssaNames.count(name); ++k)
    name = id + "_" + std::to_string(k);
  ssaNames.insert(name);
  return "%" + name;
}

std::string Importer::param(const std::string &name,
                            const std::vector<int64_t> &shape,
                            std::vector<float> data, const char *init) {
  decls += "  mlc.param @" + name + " : " + typeText(shape) + " = #mlc." +
           init + "\n";
  out.params[name] = ImportedTensor{shape, std::move(data), std::nullopt};
  std::string ref = fresh(name);
  body +=
      "  " + ref + " = mlc.param_ref @" + name + " : " + typeText(shape) + "\n";
  return ref;
}

std::string Importer::prefixFor(const std::string &weightName) {
  StringRef base(weightName);
  base.consume_back(".weight");
  std::string prefix = identifier(base, "layer_");
  std::string unique = prefix;
  for (int k = 1; prefixes.count(unique); ++k)
    unique = prefix + "_" + std::to_string(k);
  prefixes.insert(unique);
  return unique;
}

Value Importer::toNCHW(const Value &v) {
  if (!v.nhwc)
    return v;
  Value r{fresh("nchw"), v.shape, false};
  body += "  " + r.ssa + " = mlc.transpose " + v.ssa +
          " perm = [0, 3, 1, 2] : " + typeText(physical(v)) + " -> " +
          typeText(r.shape) + "\n";
  return r;
}

bool Importer::run(const std::vector<uint8_t> &bytes, std::string &err) {
  ::onnx::ModelProto model;
  if (bytes.size() > size_t(INT_MAX) ||
      !model.ParseFromArray(bytes.data(), int(bytes.size()))) {
    err = file + ": not an ONNX model (the protobuf does not parse as a "
                 "ModelProto)";
    return false;
  }
  out.format = "ONNX";
  if (!model.producer_name().empty())
    out.version =
        model.producer_name() + (model.producer_version().empty()
                                     ? ""
                                     : " " + model.producer_version());
  int64_t opset = -1;
  // Other domains are refused where a node uses one.
  for (const ::onnx::OperatorSetIdProto &o : model.opset_import())
    if (o.domain().empty() || o.domain() == "ai.onnx")
      opset = o.version();
  bool ok = true;
  if (opset < 0)
    ok = fail("the model imports no default-domain opset");
  else if (opset < kMinOpset || opset > kMaxOpset)
    ok = fail("the model uses opset " + std::to_string(opset) +
              "; mlc imports opsets " + std::to_string(kMinOpset) + " to " +
              std::to_string(kMaxOpset) +
              " (convert it with onnx.version_converter)");
  if (ok) {
    out.version += (out.version.empty() ? "" : ", ") + std::string("opset ") +
                   std::to_string(opset);
    ok = translate(model.graph());
  }
  if (!ok)
    err = error;
  return ok;
}

bool Importer::translate(const ::onnx::GraphProto &graph) {
  out.modelName = identifier(llvm::sys::path::stem(file), "model_");
  for (const ::onnx::TensorProto &t : graph.initializer()) {
    Constant c;
    if (!readConstant(t, c, "initializer '" + t.name() + "'"))
      return false;
    constants[t.name()] = std::move(c);
  }
  // The model's input: the graph inputs that are not initializers.
  std::vector<const ::onnx::ValueInfoProto *> inputs;
  for (const ::onnx::ValueInfoProto &in : graph.input())
    if (!constants.count(in.name()))
      inputs.push_back(&in);
  if (inputs.size() != 1)
    return fail("the graph has " + std::to_string(inputs.size()) +
                " inputs; mlc models have one");
  const ::onnx::ValueInfoProto &in = *inputs.front();
  if (!in.type().has_tensor_type() ||
      in.type().tensor_type().elem_type() != ::onnx::TensorProto::FLOAT)
    return fail("the input '" + in.name() + "' is not a float32 tensor");
  Value input;
  uint64_t sample = 1;
  const ::onnx::TensorShapeProto &shape = in.type().tensor_type().shape();
  for (int d = 0; d < shape.dim_size(); ++d) {
    const ::onnx::TensorShapeProto_Dimension &dim = shape.dim(d);
    if (d == 0) {
      input.shape.push_back(-1); // the batch, whatever the file says
      continue;
    }
    if (!dim.has_dim_value() || dim.dim_value() <= 0)
      return fail("the input '" + in.name() +
                  "' has an unknown size in "
                  "dimension " +
                  std::to_string(d) + "; mlc needs every size but the batch");
    // Sizes multiply without overflow from here on.
    sample *= uint64_t(std::min<int64_t>(dim.dim_value(), int64_t(1) << 40));
    if (sample > (uint64_t(1) << 40))
      return fail("the input '" + in.name() +
                  "' has more than 2^40 "
                  "elements per sample");
    input.shape.push_back(dim.dim_value());
  }
  if (input.shape.size() < 2)
    return fail("the input '" + in.name() +
                "' has no dimension after the batch");
  input.ssa = fresh(in.name());
  body += "  " + input.ssa + " = mlc.input " + mlirString(in.name()) + " : " +
          typeText(input.shape) + "\n";
  if (input.shape.size() == 4) {
    // Channels-last from here on, as mlc's convolutions are.
    Value nhwc{fresh("nhwc"), input.shape, true};
    body += "  " + nhwc.ssa + " = mlc.transpose " + input.ssa +
            " perm = [0, 2, 3, 1] : " + typeText(input.shape) + " -> " +
            typeText(physical(nhwc)) + "\n";
    input = nhwc;
  }
  define(in.name(), input);

  // Ops mlc does not import are named before any other complaint: the
  // first such node, and every such op type.
  const ::onnx::NodeProto *first = nullptr;
  int firstIndex = 0;
  std::vector<std::string> missing;
  for (const ::onnx::NodeProto &n : graph.node()) {
    if (!mlc::onnx::isImportedOp(n.op_type())) {
      if (!first)
        first = &n, firstIndex = nodeIndex;
      if (!llvm::is_contained(missing, n.op_type()))
        missing.push_back(n.op_type());
    }
    ++nodeIndex;
  }
  if (first) {
    node = first;
    nodeIndex = firstIndex;
    std::string all;
    for (const std::string &op : missing)
      all += (all.empty() ? "" : ", ") + op;
    return nodeFail("is not an op mlc imports (" + opList() +
                    "); the graph uses " + std::to_string(missing.size()) +
                    " such op type(s): " + all);
  }
  nodeIndex = 0;
  for (const ::onnx::NodeProto &n : graph.node())
    for (const std::string &i : n.input())
      consumers[i].push_back(&n);
  for (const ::onnx::NodeProto &n : graph.node()) {
    node = &n;
    if (!folded.count(&n) && !translateNode(n))
      return false;
    ++nodeIndex;
  }

  // Checked after the nodes: an unsupported node says more.
  if (graph.output_size() != 1)
    return fail("the graph has " + std::to_string(graph.output_size()) +
                " outputs; mlc models have one");
  const std::string &outName = graph.output(0).name();
  auto result = values.find(outName);
  if (result == values.end())
    return fail("no node computes the output '" + outName + "'");
  Value output = toNCHW(result->second);
  out.mlir =
      "// Imported from " +
      commentText(llvm::sys::path::filename(file).str() + " (" + out.format +
                  (out.version.empty() ? "" : ", " + out.version) + ")") +
      " by mlc import.\nmlc.model @" + out.modelName + " {\n" + decls + body +
      "  mlc.output " + output.ssa + " : " + typeText(output.shape) + "\n}\n";
  return true;
}

bool Importer::translateNode(const ::onnx::NodeProto &n) {
  const std::string &op = n.op_type();
  if (!n.domain().empty() && n.domain() != "ai.onnx")
    return nodeFail("is from the domain '" + n.domain() +
                    "'; mlc imports the default ONNX domain");
  if (n.output_size() < 1)
    return nodeFail("has no output");
  const std::string &outName = n.output(0);

  if (op == "Constant") {
    const ::onnx::AttributeProto *value = attr("value");
    if (!value || !value->has_t())
      return nodeFail("holds no tensor value");
    Constant c;
    if (!readConstant(value->t(), c, "constant '" + outName + "'"))
      return false;
    constants[outName] = std::move(c);
    return true;
  }
  if (op == "Identity" || op == "Dropout") {
    // Dropout is the identity in an inference graph (its mask output
    // unused); ratio in a training-mode graph is refused.
    if (op == "Dropout" && n.input_size() > 2 && !n.input(2).empty())
      return nodeFail("runs in training mode");
    if (const Constant *c = constant(0)) {
      constants[outName] = *c;
      return true;
    }
    Value v;
    if (!activation(0, v))
      return false;
    define(outName, v);
    return true;
  }

  Value x;
  if (!activation(0, x))
    return false;
  const std::vector<int64_t> &s = x.shape;
  std::string inType = typeText(physical(x));
  auto unary = [&](const std::string &mlcOp) {
    Value r{fresh(outName), s, x.nhwc};
    body += "  " + r.ssa + " = " + mlcOp + " " + x.ssa + " : " + inType + "\n";
    define(outName, r);
    return true;
  };
  if (op == "Relu")
    return unary("mlc.relu");
  if (op == "Sigmoid")
    return unary("mlc.sigmoid");
  if (op == "Tanh")
    return unary("mlc.tanh");
  if (op == "Softmax" || op == "LogSoftmax") {
    int64_t axis = intAttr("axis", -1);
    if (axis < 0)
      axis += int64_t(s.size());
    if (axis != int64_t(s.size()) - 1 || x.nhwc)
      return nodeFail("normalizes axis " + std::to_string(axis) + " of " +
                      shapeText(s) + "; mlc's normalizes the last");
    return unary(op == "Softmax" ? "mlc.softmax" : "mlc.log_softmax");
  }

  if (op == "Gemm" || op == "MatMul") {
    const Constant *w = constant(1);
    if (!w || w->integral || w->shape.size() != 2)
      return nodeFail("multiplies by something other than a 2-D float "
                      "initializer; mlc imports a layer's weights");
    if (s.size() != 2)
      return nodeFail("multiplies a rank-" + std::to_string(s.size()) +
                      " value " + shapeText(s) +
                      "; mlc imports (batch, features) x weights");
    bool transB = op == "Gemm" && intAttr("transB", 0);
    if (op == "Gemm" && intAttr("transA", 0))
      return nodeFail("transposes A, whose rows are the batch in mlc");
    // Gemm's alpha and beta scale the weights and the bias at import.
    float alpha = float(op == "Gemm" ? floatAttr("alpha", 1) : 1);
    float beta = float(op == "Gemm" ? floatAttr("beta", 1) : 1);
    int64_t k = w->shape[transB ? 1 : 0], units = w->shape[transB ? 0 : 1];
    if (k != s[1])
      return nodeFail("multiplies " + shapeText(s) + " by weights " +
                      shapeText(w->shape) +
                      (transB ? " (transposed)" : std::string()));
    // The bias: Gemm's C, or a MatMul's one consumer Add of a constant.
    const Constant *bias = op == "Gemm" ? constant(2) : nullptr;
    const ::onnx::NodeProto *add = nullptr;
    if (op == "MatMul") {
      auto users = consumers.find(outName);
      if (users != consumers.end() && users->second.size() == 1 &&
          users->second.front()->op_type() == "Add") {
        add = users->second.front();
        for (int i = 0; i < add->input_size() && i < 2; ++i)
          if (add->input(i) != outName && constants.count(add->input(i)))
            bias = &constants[add->input(i)];
        if (!bias)
          add = nullptr;
      }
    }
    // One bias per unit, or one for all (broadcast).
    if (bias &&
        (bias->integral || (bias->size() != units && bias->size() != 1) ||
         (bias->shape.size() > 1 &&
          !(bias->shape.size() == 2 && bias->shape[0] == 1))))
      return nodeFail("adds a bias of shape " + shapeText(bias->shape) +
                      " to " + std::to_string(units) + " units");
    // mlc's kernel is (features, units).
    std::vector<float> kernel(size_t(k * units));
    for (int64_t i = 0; i < k; ++i)
      for (int64_t j = 0; j < units; ++j)
        kernel[size_t(i * units + j)] =
            alpha * w->floats[size_t(transB ? j * k + i : i * units + j)];
    std::string prefix = prefixFor(w->name);
    out.params[prefix + ".kernel"] = {{k, units}, std::move(kernel), {}};
    if (bias) {
      std::vector<float> b(static_cast<size_t>(units));
      for (int64_t j = 0; j < units; ++j)
        b[size_t(j)] = beta * bias->floats[size_t(bias->size() == 1 ? 0 : j)];
      out.params[prefix + ".bias"] = {{units}, std::move(b), {}};
    }
    Value r{fresh(add ? add->output(0) : outName), {s[0], units}, false};
    body += "  " + r.ssa + " = mlc.dense " + x.ssa + " {name = \"" + prefix +
            "\", units = " + std::to_string(units) +
            (bias ? "" : ", use_bias = false") + "} : " + inType + " -> " +
            typeText(r.shape) + "\n";
    define(outName, r);
    if (add) {
      folded.insert(add);
      define(add->output(0), r);
    }
    return true;
  }

  if (op == "Add" || op == "Sub" || op == "Mul" || op == "Div") {
    std::string mlcOp = "mlc." + StringRef(op).lower();
    Value y;
    if (const Constant *c = constant(1)) {
      // A constant operand becomes a param broadcast over the trailing
      // dimensions (a bias), in mlc's layout.
      if (c->integral)
        return nodeFail("combines with an integer constant");
      std::vector<int64_t> shape = c->shape;
      while (!shape.empty() && shape.front() == 1 && shape.size() > 1)
        shape.erase(shape.begin());
      std::vector<int64_t> ps = physical(x);
      bool channel = x.nhwc && shape.size() == 3 && shape[1] == 1 &&
                     shape[2] == 1 && shape[0] == s[1];
      if (channel)
        shape = {shape[0]};
      else if (x.nhwc || shape.size() >= ps.size() ||
               !std::equal(shape.begin(), shape.end(),
                           ps.end() - ptrdiff_t(shape.size())))
        return nodeFail("combines " + shapeText(s) +
                        " with a constant of "
                        "shape " +
                        shapeText(c->shape) +
                        "; mlc imports a constant over the trailing "
                        "dimensions (or per channel)");
      y.ssa = param(prefixFor(c->name), shape, c->floats, "zeros");
      y.shape = shape;
    } else {
      if (!activation(1, y))
        return false;
      if (y.shape != s || y.nhwc != x.nhwc)
        return nodeFail("combines " + shapeText(s) + " and " +
                        shapeText(y.shape) +
                        "; mlc imports values of one shape (or a constant)");
    }
    Value r{fresh(outName), s, x.nhwc};
    body += "  " + r.ssa + " = " + mlcOp + " " + x.ssa + ", " + y.ssa + " : (" +
            inType + ", " + typeText(y.nhwc ? physical(y) : y.shape) + ") -> " +
            inType + "\n";
    define(outName, r);
    return true;
  }

  if (op == "Flatten" || op == "Reshape") {
    std::vector<int64_t> target;
    int64_t rest = 1;
    for (size_t d = 1; d < s.size(); ++d)
      rest *= s[d];
    if (op == "Flatten") {
      int64_t axis = intAttr("axis", 1);
      if (axis < 0)
        axis += int64_t(s.size());
      if (axis != 1)
        return nodeFail("flattens from axis " + std::to_string(axis) +
                        "; mlc keeps the batch first (axis 1)");
      target = {-1, rest};
    } else {
      const Constant *c = constant(1);
      if (!c || !c->integral)
        return nodeFail("takes its shape from a computed value; mlc needs "
                        "a constant shape");
      if (intAttr("allowzero", 0))
        return nodeFail("sets allowzero");
      int64_t known = 1, unknown = -1;
      for (size_t i = 0; i < c->ints.size(); ++i) {
        int64_t d = c->ints[i];
        if (i == 0 && (d == 0 || d == -1)) {
          target.push_back(-1);
          continue;
        }
        if (d == 0 && i < s.size())
          d = s[i];
        if (d == -1) {
          if (unknown >= 0)
            return nodeFail("has two -1 sizes");
          unknown = int64_t(i);
          target.push_back(0);
          continue;
        }
        if (d <= 0 || i == 0 || d > (int64_t(1) << 40))
          return nodeFail("reshapes to " + shapeText(c->ints) +
                          "; mlc keeps the batch first (0 or -1 there)");
        known *= d;
        target.push_back(d);
      }
      if (target.empty() || target[0] != -1)
        return nodeFail("reshapes the batch dimension");
      if (unknown >= 0) {
        if (known == 0 || rest % known)
          return nodeFail("cannot infer its -1 size");
        target[size_t(unknown)] = rest / known;
        known = rest;
      }
      if (known != rest)
        return nodeFail("reshapes " + shapeText(s) + " to " +
                        shapeText(c->ints));
    }
    // The element order is NCHW's: transpose back first, unless the
    // spatial size is 1 (then both orders agree).
    Value v = x;
    if (x.nhwc && !(s[2] == 1 && s[3] == 1))
      v = toNCHW(x);
    std::vector<int64_t> from = physical(v);
    Value r{fresh(outName), target, false};
    body += "  " + r.ssa + " = mlc.reshape " + v.ssa + " : " + typeText(from) +
            " -> " + typeText(target) + "\n";
    define(outName, r);
    return true;
  }

  if (op == "Transpose") {
    std::vector<int64_t> perm = intsAttr("perm", {});
    if (perm.empty())
      for (int64_t d = int64_t(s.size()) - 1; d >= 0; --d)
        perm.push_back(d);
    std::vector<int64_t> sorted = perm;
    std::sort(sorted.begin(), sorted.end());
    for (size_t i = 0; i < sorted.size(); ++i)
      if (sorted[i] != int64_t(i) || sorted.size() != s.size())
        return nodeFail("has the permutation " + shapeText(perm) + " for " +
                        shapeText(s));
    if (perm[0] != 0)
      return nodeFail("moves the batch dimension; mlc keeps it first");
    Value v = toNCHW(x);
    std::vector<int64_t> shape;
    for (int64_t p : perm)
      shape.push_back(s[size_t(p)]);
    Value r{fresh(outName), shape, false};
    std::string permText = "[";
    for (size_t i = 0; i < perm.size(); ++i)
      permText += (i ? ", " : "") + std::to_string(perm[i]);
    body += "  " + r.ssa + " = mlc.transpose " + v.ssa + " perm = " + permText +
            "] : " + typeText(v.shape) + " -> " + typeText(shape) + "\n";
    define(outName, r);
    return true;
  }

  if (op == "Conv") {
    const Constant *w = constant(1);
    if (!w || w->integral || w->shape.size() != 4)
      return nodeFail("convolves with something other than a 4-D float "
                      "initializer");
    if (!x.nhwc)
      return nodeFail("convolves a " + shapeText(s) +
                      " value; mlc imports 2-D convolutions of NCHW images");
    int64_t cin = s[1], cout = w->shape[0], kh = w->shape[2], kw = w->shape[3];
    int64_t group = intAttr("group", 1);
    bool depthwise = group == cin && group > 1;
    if (group != 1 && !depthwise)
      return nodeFail("is a grouped convolution (group " +
                      std::to_string(group) +
                      "); mlc imports group 1 and depthwise");
    if (w->shape[1] != (depthwise ? 1 : cin) || (depthwise && cout % cin))
      return nodeFail("has weights " + shapeText(w->shape) + " for " +
                      std::to_string(cin) + " input channels");
    std::vector<int64_t> strides = intsAttr("strides", {1, 1});
    std::vector<int64_t> dil = intsAttr("dilations", {1, 1});
    std::vector<int64_t> pads = intsAttr("pads", {0, 0, 0, 0});
    std::vector<int64_t> ks = intsAttr("kernel_shape", {kh, kw});
    std::string autoPad = stringAttr("auto_pad", "NOTSET");
    if (strides.size() != 2 || dil.size() != 2 || pads.size() != 4 ||
        ks != std::vector<int64_t>{kh, kw})
      return nodeFail("has attributes for other than 2-D");
    for (int64_t v : strides)
      if (v <= 0)
        return nodeFail("has a stride below 1");
    for (int64_t v : dil)
      if (v <= 0)
        return nodeFail("has a dilation below 1");
    for (int64_t v : {strides[0], strides[1], dil[0], dil[1], kh, kw})
      if (v > (int64_t(1) << 20))
        return nodeFail("has a window, stride or dilation past 2^20");
    if (!autoPads(autoPad, {s[2], s[3]}, {kh, kw}, strides, dil, pads))
      return nodeFail("pads '" + autoPad + "'");
    // mlc pads by less than the window's extent (more reads only zeros).
    for (size_t i = 0; i < 4; ++i)
      if (pads[i] < 0 || pads[i] > dil[i % 2] * ((i % 2 ? kw : kh) - 1))
        return nodeFail("pads by " + std::to_string(pads[i]) +
                        ", outside [0, the window's extent - 1]");
    int64_t h = (s[2] + pads[0] + pads[2] - dil[0] * (kh - 1) - 1);
    int64_t wd = (s[3] + pads[1] + pads[3] - dil[1] * (kw - 1) - 1);
    if (h < 0 || wd < 0)
      return nodeFail("leaves no output from " + shapeText(s));
    h = h / strides[0] + 1;
    wd = wd / strides[1] + 1;
    // OIHW to mlc's HWIO (depthwise: H, W, channel, multiplier).
    int64_t mult = depthwise ? cout / cin : 0;
    std::vector<int64_t> kshape = depthwise
                                      ? std::vector<int64_t>{kh, kw, cin, mult}
                                      : std::vector<int64_t>{kh, kw, cin, cout};
    std::vector<float> kernel(w->floats.size());
    for (int64_t o = 0; o < cout; ++o)
      for (int64_t i = 0; i < (depthwise ? 1 : cin); ++i)
        for (int64_t y = 0; y < kh; ++y)
          for (int64_t z = 0; z < kw; ++z) {
            float v = w->floats[size_t(
                ((o * (depthwise ? 1 : cin) + i) * kh + y) * kw + z)];
            size_t at =
                depthwise
                    ? size_t(((y * kw + z) * cin + o / mult) * mult + o % mult)
                    : size_t(((y * kw + z) * cin + i) * cout + o);
            kernel[at] = v;
          }
    std::string prefix = prefixFor(w->name);
    std::string k =
        param(prefix + (depthwise ? ".depthwise_kernel" : ".kernel"), kshape,
              std::move(kernel), "glorot_uniform");
    Value r{fresh(outName), {s[0], cout, h, wd}, true};
    // mlc's pads are [top, bottom, left, right]; ONNX's [top, left,
    // bottom, right].
    body += "  " + r.ssa + " = mlc." + (depthwise ? "depthwise_conv" : "conv") +
            " " + x.ssa + ", " + k + " {strides = " + arrayText(strides) +
            ", dilations = " + arrayText(dil) +
            ", pads = " + arrayText({pads[0], pads[2], pads[1], pads[3]}) +
            "} : (" + inType + ", " + typeText(kshape) + ") -> " +
            typeText(physical(r)) + "\n";
    if (const Constant *b = constant(2)) {
      if (b->integral || b->shape != std::vector<int64_t>{cout})
        return nodeFail("has a bias of shape " + shapeText(b->shape));
      std::string bias = param(prefix + ".bias", {cout}, b->floats, "zeros");
      Value sum{fresh(outName), r.shape, true};
      body += "  " + sum.ssa + " = mlc.add " + r.ssa + ", " + bias + " : (" +
              typeText(physical(r)) + ", " + typeText({cout}) + ") -> " +
              typeText(physical(r)) + "\n";
      r = sum;
    }
    define(outName, r);
    return true;
  }

  if (op == "MaxPool" || op == "AveragePool") {
    if (!x.nhwc)
      return nodeFail("pools a " + shapeText(s) +
                      " value; mlc imports 2-D pooling of NCHW images");
    if (n.output_size() > 1 && !n.output(1).empty())
      return nodeFail("returns indices");
    std::vector<int64_t> ks = intsAttr("kernel_shape", {});
    std::vector<int64_t> strides = intsAttr("strides", {1, 1});
    std::vector<int64_t> pads = intsAttr("pads", {0, 0, 0, 0});
    std::string autoPad = stringAttr("auto_pad", "NOTSET");
    if (ks.size() != 2 || strides.size() != 2 || pads.size() != 4)
      return nodeFail("has attributes for other than 2-D");
    if (intAttr("ceil_mode", 0))
      return nodeFail("rounds its output size up (ceil_mode)");
    if (intsAttr("dilations", {1, 1}) != std::vector<int64_t>{1, 1})
      return nodeFail("is dilated");
    if (op == "AveragePool" && intAttr("count_include_pad", 0) &&
        pads != std::vector<int64_t>{0, 0, 0, 0})
      return nodeFail("counts padding in its means (count_include_pad); "
                      "mlc's leave it out, as Keras's do");
    if (intAttr("storage_order", 0))
      return nodeFail("stores column-major");
    for (int64_t v : ks)
      if (v <= 0)
        return nodeFail("has a window below 1");
    for (int64_t v : strides)
      if (v <= 0)
        return nodeFail("has a stride below 1");
    for (int64_t v : {strides[0], strides[1], ks[0], ks[1]})
      if (v > (int64_t(1) << 20))
        return nodeFail("has a window or stride past 2^20");
    if (!autoPads(autoPad, {s[2], s[3]}, ks, strides, {1, 1}, pads))
      return nodeFail("pads '" + autoPad + "'");
    for (size_t i = 0; i < 4; ++i)
      if (pads[i] < 0 || pads[i] >= ks[i % 2])
        return nodeFail("pads by more than its window");
    int64_t h = s[2] + pads[0] + pads[2] - ks[0];
    int64_t wd = s[3] + pads[1] + pads[3] - ks[1];
    if (h < 0 || wd < 0)
      return nodeFail("leaves no output from " + shapeText(s));
    Value r{fresh(outName),
            {s[0], s[1], h / strides[0] + 1, wd / strides[1] + 1},
            true};
    body += "  " + r.ssa + " = mlc." +
            (op == "MaxPool" ? "max_pool" : "avg_pool") + " " + x.ssa +
            " {window = " + arrayText(ks) +
            ", strides = " + arrayText(strides) +
            ", pads = " + arrayText({pads[0], pads[2], pads[1], pads[3]}) +
            "} : " + inType + " -> " + typeText(physical(r)) + "\n";
    define(outName, r);
    return true;
  }

  if (op == "GlobalAveragePool") {
    if (!x.nhwc)
      return nodeFail("pools a " + shapeText(s) +
                      " value; mlc imports NCHW images");
    Value r{fresh(outName), {s[0], s[1], 1, 1}, true};
    body += "  " + r.ssa + " = mlc.global_avg_pool2d " + x.ssa +
            " {keepdims} : " + inType + " -> " + typeText(physical(r)) + "\n";
    define(outName, r);
    return true;
  }

  if (op == "BatchNormalization") {
    if (intAttr("training_mode", 0))
      return nodeFail("is in training mode; export the model in eval mode");
    if (n.output_size() > 1)
      for (int i = 1; i < n.output_size(); ++i)
        if (!n.output(i).empty())
          return nodeFail("returns its running statistics");
    int64_t channels = s.size() >= 2 ? s[1] : 0;
    if (!(x.nhwc || s.size() == 2))
      return nodeFail("normalizes a " + shapeText(s) +
                      " value; mlc imports (batch, C) and NCHW images");
    const Constant *scale = constant(1), *b = constant(2), *mean = constant(3),
                   *var = constant(4);
    for (const Constant *c : {scale, b, mean, var})
      if (!c || c->integral || c->size() != channels)
        return nodeFail("has statistics or scales that are not float "
                        "initializers of its " +
                        std::to_string(channels) + " channels");
    double momentum = floatAttr("momentum", 0.9),
           epsilon = floatAttr("epsilon", 1e-5);
    if (!(momentum >= 0 && momentum <= 1) || !(epsilon > 0) ||
        !std::isfinite(epsilon))
      return nodeFail("has momentum " + formatDouble(momentum) +
                      " and epsilon " + formatDouble(epsilon) +
                      "; mlc needs a momentum in [0, 1] and a finite "
                      "positive epsilon");
    std::string prefix = prefixFor(scale->name);
    out.params[prefix + ".gamma"] = {{channels}, scale->floats, {}};
    out.params[prefix + ".beta"] = {{channels}, b->floats, {}};
    out.params[prefix + ".moving_mean"] = {{channels}, mean->floats, {}};
    out.params[prefix + ".moving_variance"] = {{channels}, var->floats, {}};
    Value r{fresh(outName), s, x.nhwc};
    body += "  " + r.ssa + " = mlc.batch_norm " + x.ssa + " {name = \"" +
            prefix + "\", momentum = " + formatDouble(momentum) +
            ", epsilon = " + formatDouble(epsilon) + "} : " + inType + "\n";
    define(outName, r);
    return true;
  }

  return nodeFail("is not an op mlc imports (" + opList() + ")");
}

} // namespace

bool mlc::onnx::isImportedOp(StringRef op) {
  return llvm::is_contained(kOps, op);
}

bool mlc::onnx::parseOnnxModel(const std::vector<uint8_t> &bytes,
                               const std::string &name,
                               import::ImportedModel &out, std::string &error) {
  out = import::ImportedModel();
  Importer importer(name, out);
  return importer.run(bytes, error);
}
