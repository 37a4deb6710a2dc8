//===- GradientCheckTest.cpp - compiled gradients vs finite differences ---===//
//
// For every differentiable op and loss: a model in f64 computes a scalar
// loss from the op (for plain ops, sum(op(x) * w) with random weights w)
// and its gradient with `mlc.gradient`; the gradient is compiled like any
// model. Each gradient element must match the central difference
// (L(x + h) - L(x - h)) / 2h of the compiled loss, h = 1e-6:
// |analytic - numeric| <= 1e-6 * max(1, |numeric|). Batches of 1 and 3
// exercise the dynamic batch dimension; shapes include broadcasting.
//
//===----------------------------------------------------------------------===//

#include "compiler/Driver/Driver.h"
#include "dialects/MLC/Transforms/Passes.h"

#include "mlir/Parser/Parser.h"

#include <gtest/gtest.h>

#include <cmath>
#include <string>
#include <vector>

using namespace mlc;

namespace {

struct Input {
  std::string name;
  std::vector<int64_t> shape; // -1: the batch
  double lo = -2, hi = 2;
  bool labels = false; // int32 class labels in [0, classes)
  int64_t classes = 0;
  bool differentiate = true;
  bool f32 = false; // a float32 input (the dropout state), not differentiated
};

struct Case {
  std::string name;
  std::vector<Input> inputs;
  std::string body;  // defines %y (then reduced with %w) or %l directly
  std::string yType; // type of %y; empty if the body defines %l
  // Expand ops that differ between training and inference (batch norm,
  // dropout) in their training form, as train_step sees them.
  bool training = false;
};

std::string typeStr(const std::vector<int64_t> &shape, const char *elt) {
  std::string s = "tensor<";
  for (int64_t d : shape)
    s += (d < 0 ? std::string("?") : std::to_string(d)) + "x";
  return s + elt + ">";
}

/// The model: inputs, the body, a scalar %l, its gradient w.r.t. the
/// differentiable inputs; outputs %l then the gradients.
std::string modelFor(const Case &c) {
  std::string s = "mlc.model @check {\n";
  for (const Input &in : c.inputs)
    s += "  %" + in.name + " = mlc.input \"" + in.name + "\" : " +
         typeStr(in.shape, in.labels ? "i32"
                           : in.f32  ? "f32"
                                     : "f64") +
         "\n";
  if (!c.yType.empty())
    s += "  %w = mlc.input \"w\" : " + c.yType + "\n";
  s += "  " + c.body + "\n";
  if (!c.yType.empty())
    s += "  %yw = mlc.mul %y, %w : (" + c.yType + ", " + c.yType + ") -> " +
         c.yType + "\n  %l = mlc.reduce_sum %yw axes = [] : " + c.yType +
         " -> tensor<f64>\n";
  std::string wrt, types, outs, outTypes = "tensor<f64>";
  for (const Input &in : c.inputs) {
    if (!in.differentiate || in.labels || in.f32)
      continue;
    std::string t = typeStr(in.shape, "f64");
    wrt += (wrt.empty() ? "%" : ", %") + in.name;
    types += ", " + t;
    outs += ", %g_" + in.name;
    outTypes += ", " + t;
  }
  s += "  " + outs.substr(2) + " = mlc.gradient %l wrt " + wrt +
       " : tensor<f64>" + types + "\n";
  s += "  mlc.output %l" + outs + " : " + outTypes + "\n}\n";
  return s;
}

struct Buffer {
  std::vector<int64_t> shape;
  std::vector<double> f;
  std::vector<int32_t> i;
  std::vector<float> f32;
  void *data() {
    return !i.empty()     ? (void *)i.data()
           : !f32.empty() ? (void *)f32.data()
                          : (void *)f.data();
  }
};

int64_t count(const std::vector<int64_t> &shape) {
  int64_t n = 1;
  for (int64_t d : shape)
    n *= d;
  return n;
}

class GradientCheckTest : public ::testing::Test {
protected:
  void check(const Case &c) {
    std::string source = modelFor(c);
    auto context = createContext();
    auto module =
        mlir::parseSourceString<mlir::ModuleOp>(source, context.get());
    ASSERT_TRUE(module) << source;
    if (c.training)
      mlc::expandTrainingModeOps(*module, true);
    auto jit = JITModel::compile(context, std::move(module));
    ASSERT_TRUE(bool(jit)) << llvm::toString(jit.takeError()) << source;
    const ModelSignature &sig = (*jit)->signature();

    for (int64_t batch : {1, 3}) {
      // Inputs (and the weights w), deterministic.
      std::vector<Buffer> ins;
      uint32_t seed = 17;
      auto next = [&] {
        seed = seed * 1664525u + 1013904223u;
        return (seed >> 8) / double(1u << 24);
      };
      std::vector<Input> all = c.inputs;
      if (!c.yType.empty())
        all.push_back({"w", sig.inputs.back().shape, -1, 1});
      for (const Input &in : all) {
        Buffer b;
        for (int64_t d : in.shape)
          b.shape.push_back(d < 0 ? batch : d);
        for (int64_t k = 0; k < count(b.shape); ++k) {
          if (in.labels)
            b.i.push_back(int32_t(next() * in.classes));
          else if (in.f32)
            b.f32.push_back(float(in.lo + (in.hi - in.lo) * next()));
          else
            b.f.push_back(in.lo + (in.hi - in.lo) * next());
        }
        ins.push_back(std::move(b));
      }
      // Params of layers (held fixed): small deterministic values.
      std::vector<Buffer> params;
      for (const TensorSpec &spec : sig.params) {
        Buffer b;
        b.shape = spec.shape;
        for (int64_t k = 0; k < count(b.shape); ++k)
          b.f.push_back(-0.6 + 1.2 * next());
        params.push_back(std::move(b));
      }
      std::vector<Buffer> outs(sig.outputs.size());
      for (size_t k = 0; k < outs.size(); ++k) {
        for (int64_t d : sig.outputs[k].shape)
          outs[k].shape.push_back(d < 0 ? batch : d);
        outs[k].f.assign(count(outs[k].shape), NAN);
      }
      auto run = [&]() {
        std::vector<BufferRef> refs;
        for (Buffer &b : params)
          refs.push_back({b.data(), b.shape});
        for (Buffer &b : ins)
          refs.push_back({b.data(), b.shape});
        for (Buffer &b : outs)
          refs.push_back({b.data(), b.shape});
        llvm::Error err = (*jit)->predict(refs);
        EXPECT_FALSE(bool(err)) << llvm::toString(std::move(err));
        return outs[0].f[0];
      };
      run();
      std::vector<Buffer> analytic(outs.begin() + 1, outs.end());

      size_t g = 0;
      for (size_t k = 0; k < c.inputs.size(); ++k) {
        const Input &in = c.inputs[k];
        if (!in.differentiate || in.labels || in.f32)
          continue;
        std::vector<double> &x = ins[k].f;
        for (size_t e = 0; e < x.size(); ++e) {
          const double h = 1e-6, saved = x[e];
          x[e] = saved + h;
          double up = run();
          x[e] = saved - h;
          double down = run();
          x[e] = saved;
          double numeric = (up - down) / (2 * h);
          double got = analytic[g].f[e];
          ASSERT_LE(std::abs(got - numeric),
                    1e-6 * std::max(1.0, std::abs(numeric)))
              << c.name << ", batch " << batch << ": d/d" << in.name << "[" << e
              << "] compiled " << got << ", finite difference " << numeric;
        }
        ++g;
      }
    }
  }
};

#define GRAD_CASE(NAME, ...)                                                   \
  TEST_F(GradientCheckTest, NAME) { check(Case{#NAME, __VA_ARGS__}); }

const char *R34 = "tensor<?x4xf64>";

// Elementwise, with broadcasting.
GRAD_CASE(
    Add, {{"a", {-1, 4}}, {"b", {4}}},
    "%y = mlc.add %a, %b : (tensor<?x4xf64>, tensor<4xf64>) -> tensor<?x4xf64>",
    R34)
GRAD_CASE(SubColumn, {{"a", {-1, 4}}, {"b", {-1, 1}}},
          "%y = mlc.sub %a, %b : (tensor<?x4xf64>, tensor<?x1xf64>) -> "
          "tensor<?x4xf64>",
          R34)
GRAD_CASE(
    MulScalar, {{"a", {-1, 4}}, {"b", {1}}},
    "%s = mlc.reshape %b : tensor<1xf64> -> tensor<f64>\n"
    "  %y = mlc.mul %a, %s : (tensor<?x4xf64>, tensor<f64>) -> tensor<?x4xf64>",
    R34)
GRAD_CASE(DivOuter, {{"a", {-1, 1}}, {"b", {1, 4}, 0.5, 2}},
          "%y = mlc.div %a, %b : (tensor<?x1xf64>, tensor<1x4xf64>) -> "
          "tensor<?x4xf64>",
          R34)
GRAD_CASE(Neg, {{"a", {-1, 4}}}, "%y = mlc.neg %a : tensor<?x4xf64>", R34)
GRAD_CASE(Exp, {{"a", {-1, 4}}}, "%y = mlc.exp %a : tensor<?x4xf64>", R34)
GRAD_CASE(Log, {{"a", {-1, 4}, 0.2, 3}}, "%y = mlc.log %a : tensor<?x4xf64>",
          R34)
GRAD_CASE(Sqrt, {{"a", {-1, 4}, 0.2, 3}}, "%y = mlc.sqrt %a : tensor<?x4xf64>",
          R34)
GRAD_CASE(Relu, {{"a", {-1, 4}}}, "%y = mlc.relu %a : tensor<?x4xf64>", R34)
GRAD_CASE(Sigmoid, {{"a", {-1, 4}}}, "%y = mlc.sigmoid %a : tensor<?x4xf64>",
          R34)
GRAD_CASE(Tanh, {{"a", {-1, 4}}}, "%y = mlc.tanh %a : tensor<?x4xf64>", R34)
// Inputs in [-2, 2]: some clamped (zero gradient), some passed through.
GRAD_CASE(Clip, {{"a", {-1, 4}}},
          "%y = mlc.clip %a {min = -1.0 : f64, max = 1.5 : f64} : "
          "tensor<?x4xf64>",
          R34)

// Softmax and reductions.
GRAD_CASE(Softmax, {{"a", {-1, 4}}}, "%y = mlc.softmax %a : tensor<?x4xf64>",
          R34)
GRAD_CASE(SoftmaxAxis0, {{"a", {-1, 4}}},
          "%y = mlc.softmax %a {axis = 0} : tensor<?x4xf64>", R34)
GRAD_CASE(LogSoftmax, {{"a", {-1, 4}}},
          "%y = mlc.log_softmax %a : tensor<?x4xf64>", R34)
GRAD_CASE(
    ReduceSumRows, {{"a", {-1, 4}}},
    "%y = mlc.reduce_sum %a axes = [1] : tensor<?x4xf64> -> tensor<?xf64>",
    "tensor<?xf64>")
GRAD_CASE(ReduceMeanBatchKeepdims, {{"a", {-1, 4}}},
          "%y = mlc.reduce_mean %a axes = [0] keepdims : tensor<?x4xf64> -> "
          "tensor<1x4xf64>",
          "tensor<1x4xf64>")
GRAD_CASE(ReduceMaxAll, {{"a", {-1, 4}}},
          "%l = mlc.reduce_max %a axes = [] : tensor<?x4xf64> -> tensor<f64>",
          "")
GRAD_CASE(
    ReduceMaxRows, {{"a", {-1, 4}}},
    "%y = mlc.reduce_max %a axes = [1] : tensor<?x4xf64> -> tensor<?xf64>",
    "tensor<?xf64>")

// Matmul in every orientation, and batched with a broadcast rhs.
GRAD_CASE(Matmul, {{"a", {-1, 3}}, {"b", {3, 4}}},
          "%y = mlc.matmul %a, %b : (tensor<?x3xf64>, tensor<3x4xf64>) -> "
          "tensor<?x4xf64>",
          R34)
GRAD_CASE(MatmulTransposeLhs, {{"a", {3, 2}}, {"b", {3, 4}}},
          "%y = mlc.matmul %a, %b {transpose_lhs} : (tensor<3x2xf64>, "
          "tensor<3x4xf64>) -> tensor<2x4xf64>",
          "tensor<2x4xf64>")
GRAD_CASE(MatmulTransposeRhs, {{"a", {-1, 3}}, {"b", {4, 3}}},
          "%y = mlc.matmul %a, %b {transpose_rhs} : (tensor<?x3xf64>, "
          "tensor<4x3xf64>) -> tensor<?x4xf64>",
          R34)
GRAD_CASE(MatmulTransposeBoth, {{"a", {3, 2}}, {"b", {4, 3}}},
          "%y = mlc.matmul %a, %b {transpose_lhs, transpose_rhs} : "
          "(tensor<3x2xf64>, tensor<4x3xf64>) -> tensor<2x4xf64>",
          "tensor<2x4xf64>")
GRAD_CASE(MatmulBatched, {{"a", {-1, 2, 3}}, {"b", {3, 4}}},
          "%y = mlc.matmul %a, %b : (tensor<?x2x3xf64>, tensor<3x4xf64>) -> "
          "tensor<?x2x4xf64>",
          "tensor<?x2x4xf64>")

// Shape ops.
GRAD_CASE(SliceLast, {{"a", {-1, 5, 3}}},
          "%y = mlc.slice %a axis = 1 start = -2 : tensor<?x5x3xf64> -> "
          "tensor<?x2x3xf64>",
          "tensor<?x2x3xf64>")
GRAD_CASE(SliceBatchRow, {{"a", {-1, 4}}},
          "%y = mlc.slice %a axis = 0 start = 0 : tensor<?x4xf64> -> "
          "tensor<1x4xf64>",
          "tensor<1x4xf64>")
GRAD_CASE(Reshape, {{"a", {-1, 2, 2}}},
          "%y = mlc.reshape %a : tensor<?x2x2xf64> -> tensor<?x4xf64>", R34)
// Transposed back for the weights, since inputs are batch-major.
GRAD_CASE(
    Transpose, {{"a", {-1, 4}}, {"v", {-1, 4}, -1, 1, false, 0, false}},
    "%t = mlc.transpose %a perm = [1, 0] : tensor<?x4xf64> -> tensor<4x?xf64>\n"
    "  %vt = mlc.transpose %v perm = [1, 0] : tensor<?x4xf64> -> "
    "tensor<4x?xf64>\n"
    "  %m = mlc.mul %t, %vt : (tensor<4x?xf64>, tensor<4x?xf64>) -> "
    "tensor<4x?xf64>\n"
    "  %l = mlc.reduce_sum %m axes = [] : tensor<4x?xf64> -> tensor<f64>",
    "")
GRAD_CASE(BroadcastTo, {{"a", {4}}},
          "%y = mlc.broadcast_to %a : tensor<4xf64> -> tensor<3x4xf64>",
          "tensor<3x4xf64>")

GRAD_CASE(Gelu, {{"a", {-1, 4}, -3, 3}}, "%y = mlc.gelu %a : tensor<?x4xf64>",
          R34)
GRAD_CASE(GeluTanh, {{"a", {-1, 4}, -3, 3}},
          "%y = mlc.gelu %a {approximate} : tensor<?x4xf64>", R34)
// A float mask broadcast over rows and an int mask over the batch.
GRAD_CASE(WhereFloatMask,
          {{"a", {-1, 4}}, {"b", {4}}, {"m", {4}, -1, 1, false, 0, false}},
          "%r = mlc.relu %m : tensor<4xf64>\n"
          "  %y = mlc.where %r, %a, %b : (tensor<4xf64>, tensor<?x4xf64>, "
          "tensor<4xf64>) -> tensor<?x4xf64>",
          R34)
GRAD_CASE(WhereIntMask,
          {{"a", {-1, 4}}, {"b", {-1, 4}}, {"m", {-1, 1}, 0, 0, true, 2}},
          "%y = mlc.where %m, %a, %b : (tensor<?x1xi32>, tensor<?x4xf64>, "
          "tensor<?x4xf64>) -> tensor<?x4xf64>",
          R34)
GRAD_CASE(Concat, {{"a", {-1, 1}}, {"b", {-1, 3}}},
          "%y = mlc.concat %a, %b axis = 1 : (tensor<?x1xf64>, "
          "tensor<?x3xf64>) -> tensor<?x4xf64>",
          R34)
// Layer normalization's core ops (its gamma and beta are plain scales).
GRAD_CASE(LayerNorm, {{"a", {-1, 4}}},
          "%y = mlc.layer_norm %a {center = false, scale = false} : "
          "tensor<?x4xf64>",
          R34)

// Embeddings: repeated ids add their rows' gradients (4 ids of 5 rows per
// batch row); ids outside the table (-1, 5) pick zeros and add nothing.
GRAD_CASE(Gather, {{"table", {5, 3}}, {"ids", {-1, 4}, 0, 0, true, 5}},
          "%y0 = mlc.gather %table, %ids : (tensor<5x3xf64>, tensor<?x4xi32>) "
          "-> tensor<?x4x3xf64>\n"
          "  %y = mlc.reshape %y0 : tensor<?x4x3xf64> -> tensor<?x12xf64>",
          "tensor<?x12xf64>")
GRAD_CASE(GatherOutOfRange, {{"table", {5, 3}}},
          "%ids = mlc.constant dense<[[-1, 5, 2, 2]]> : tensor<1x4xi32>\n"
          "  %y = mlc.gather %table, %ids : (tensor<5x3xf64>, tensor<1x4xi32>) "
          "-> tensor<1x4x3xf64>",
          "tensor<1x4x3xf64>")

// Attention: 2 heads; cross-attention of 3 queries over 5 keys (head
// widths 2 and 3), and causal self-attention (one value as q, k and v,
// whose three gradients add up).
GRAD_CASE(Attention, {{"q", {-1, 3, 4}}, {"k", {-1, 5, 4}}, {"v", {-1, 5, 6}}},
          "%y = mlc.attention %q, %k, %v {num_heads = 2, scale = 0.7} : "
          "(tensor<?x3x4xf64>, tensor<?x5x4xf64>, tensor<?x5x6xf64>) -> "
          "tensor<?x3x6xf64>",
          "tensor<?x3x6xf64>")
GRAD_CASE(AttentionCausalSelf, {{"x", {-1, 4, 4}}},
          "%y = mlc.attention %x, %x, %x {num_heads = 2, scale = 0.5, "
          "causal} : (tensor<?x4x4xf64>, tensor<?x4x4xf64>, "
          "tensor<?x4x4xf64>) -> tensor<?x4x4xf64>",
          "tensor<?x4x4xf64>")
// The layer: projections, causal attention, output projection and a
// position embedding added (its ids have no gradient).
GRAD_CASE(MultiHeadAttentionLayer, {{"x", {-1, 3, 4}}},
          "%p = mlc.position_embedding %x {sequence_length = 5} : "
          "tensor<?x3x4xf64>\n"
          "  %xp = mlc.add %x, %p : (tensor<?x3x4xf64>, tensor<?x3x4xf64>) -> "
          "tensor<?x3x4xf64>\n"
          "  %y = mlc.multi_head_attention %xp, %xp {num_heads = 2, key_dim = "
          "3, use_causal_mask = true} : (tensor<?x3x4xf64>, "
          "tensor<?x3x4xf64>) -> tensor<?x3x4xf64>",
          "tensor<?x3x4xf64>")

// Recurrences: every step's h and the last c weighted, through time
// (3 steps, 2 units).
std::string lstmScanBody(const char *attrs) {
  return std::string("%hs, %c, %cs, %g = mlc.lstm_scan %z, %rk ") + attrs +
         " : (tensor<?x3x8xf64>, tensor<2x8xf64>) -> (tensor<?x3x2xf64>, "
         "tensor<?x2xf64>, tensor<?x3x2xf64>, tensor<?x3x8xf64>)\n"
         "  %a = mlc.mul %hs, %u : (tensor<?x3x2xf64>, tensor<?x3x2xf64>) -> "
         "tensor<?x3x2xf64>\n"
         "  %sa = mlc.reduce_sum %a axes = [] : tensor<?x3x2xf64> -> "
         "tensor<f64>\n"
         "  %b = mlc.mul %c, %v : (tensor<?x2xf64>, tensor<?x2xf64>) -> "
         "tensor<?x2xf64>\n"
         "  %sb = mlc.reduce_sum %b axes = [] : tensor<?x2xf64> -> "
         "tensor<f64>\n"
         "  %l = mlc.add %sa, %sb : (tensor<f64>, tensor<f64>) -> tensor<f64>";
}
const std::vector<Input> kLSTMInputs = {
    {"z", {-1, 3, 8}},
    {"rk", {2, 8}, -1, 1},
    {"u", {-1, 3, 2}, -1, 1, false, 0, false},
    {"v", {-1, 2}, -1, 1, false, 0, false}};
GRAD_CASE(LSTMScan, kLSTMInputs, lstmScanBody(""), "")
GRAD_CASE(LSTMScanReluLinear, kLSTMInputs,
          lstmScanBody("{activation = #mlc.act<relu>, recurrent_activation = "
                       "#mlc.act<linear>}"),
          "")
GRAD_CASE(LSTMScanTanhGates, kLSTMInputs,
          lstmScanBody("{activation = #mlc.act<sigmoid>, "
                       "recurrent_activation = #mlc.act<tanh>}"),
          "")
// GRU: every step's h weighted, through the recurrent kernel and bias
// (3 steps, 2 units).
std::string gruScanBody(const char *attrs) {
  return std::string("%hs, %g, %rh = mlc.gru_scan %z, %rk, %rb ") + attrs +
         " : (tensor<?x3x6xf64>, tensor<2x6xf64>, tensor<6xf64>) -> "
         "(tensor<?x3x2xf64>, tensor<?x3x6xf64>, tensor<?x3x2xf64>)\n"
         "  %a = mlc.mul %hs, %u : (tensor<?x3x2xf64>, tensor<?x3x2xf64>) -> "
         "tensor<?x3x2xf64>\n"
         "  %l = mlc.reduce_sum %a axes = [] : tensor<?x3x2xf64> -> "
         "tensor<f64>";
}
const std::vector<Input> kGRUInputs = {
    {"z", {-1, 3, 6}},
    {"rk", {2, 6}, -1, 1},
    {"rb", {6}, -1, 1},
    {"u", {-1, 3, 2}, -1, 1, false, 0, false}};
GRAD_CASE(GRUScan, kGRUInputs, gruScanBody(""), "")
GRAD_CASE(GRUScanReluTanh, kGRUInputs,
          gruScanBody("{activation = #mlc.act<relu>, recurrent_activation = "
                      "#mlc.act<tanh>}"),
          "")

// One step: the recurrent kernel gets no gradient (its only input is the
// zero state); mlc-difftest seed 1 graph 78 had a GRU of one step.
GRAD_CASE(LSTMScanOneStep, {{"z", {-1, 1, 8}}, {"rk", {2, 8}, -1, 1}},
          "%y, %c, %cs, %g = mlc.lstm_scan %z, %rk : (tensor<?x1x8xf64>, "
          "tensor<2x8xf64>) -> (tensor<?x1x2xf64>, tensor<?x2xf64>, "
          "tensor<?x1x2xf64>, tensor<?x1x8xf64>)",
          "tensor<?x1x2xf64>")
GRAD_CASE(GRUScanOneStep,
          {{"z", {-1, 1, 6}}, {"rk", {2, 6}, -1, 1}, {"rb", {6}, -1, 1}},
          "%y, %g, %rh = mlc.gru_scan %z, %rk, %rb : (tensor<?x1x6xf64>, "
          "tensor<2x6xf64>, tensor<6xf64>) -> (tensor<?x1x2xf64>, "
          "tensor<?x1x6xf64>, tensor<?x1x2xf64>)",
          "tensor<?x1x2xf64>")

// Only the last h (the layer without return_sequences).
GRAD_CASE(LSTMScanLastStep, {{"z", {-1, 4, 8}}, {"rk", {2, 8}, -1, 1}},
          "%hs, %c, %cs, %g = mlc.lstm_scan %z, %rk : (tensor<?x4x8xf64>, "
          "tensor<2x8xf64>) -> (tensor<?x4x2xf64>, tensor<?x2xf64>, "
          "tensor<?x4x2xf64>, tensor<?x4x8xf64>)\n"
          "  %y = mlc.slice %hs axis = 1 start = -1 : tensor<?x4x2xf64> -> "
          "tensor<?x1x2xf64>",
          "tensor<?x1x2xf64>")

// Losses (the loss is %l itself).
GRAD_CASE(
    MSE, {{"p", {-1, 4}}, {"t", {-1, 4}}},
    "%l = mlc.mse %p, %t : (tensor<?x4xf64>, tensor<?x4xf64>) -> tensor<f64>",
    "")
GRAD_CASE(BinaryCrossentropy,
          {{"p", {-1, 4}, 0.05, 0.95}, {"t", {-1, 4}, 0, 1}},
          "%l = mlc.binary_crossentropy %p, %t : (tensor<?x4xf64>, "
          "tensor<?x4xf64>) -> tensor<f64>",
          "")
GRAD_CASE(BinaryCrossentropyLogits, {{"z", {-1, 4}}, {"t", {-1, 4}, 0, 1}},
          "%l = mlc.binary_crossentropy %z, %t {from_logits} : "
          "(tensor<?x4xf64>, tensor<?x4xf64>) -> tensor<f64>",
          "")
GRAD_CASE(CategoricalCrossentropy,
          {{"p", {-1, 4}, 0.05, 1}, {"t", {-1, 4}, 0, 1}},
          "%l = mlc.categorical_crossentropy %p, %t : (tensor<?x4xf64>, "
          "tensor<?x4xf64>) -> tensor<f64>",
          "")
GRAD_CASE(CategoricalCrossentropyLogits, {{"z", {-1, 4}}, {"t", {-1, 4}, 0, 1}},
          "%l = mlc.categorical_crossentropy %z, %t {from_logits} : "
          "(tensor<?x4xf64>, tensor<?x4xf64>) -> tensor<f64>",
          "")
GRAD_CASE(SparseCategoricalCrossentropy,
          {{"p", {-1, 4}, 0.05, 1}, {"y", {-1}, 0, 0, true, 4}},
          "%l = mlc.sparse_categorical_crossentropy %p, %y : (tensor<?x4xf64>, "
          "tensor<?xi32>) -> tensor<f64>",
          "")
GRAD_CASE(SparseCategoricalCrossentropyLogits,
          {{"z", {-1, 4}}, {"y", {-1}, 0, 0, true, 4}},
          "%l = mlc.sparse_categorical_crossentropy %z, %y {from_logits} : "
          "(tensor<?x4xf64>, tensor<?xi32>) -> tensor<f64>",
          "")
// Probabilities outside [1e-7, 1 - 1e-7]: the clip's gradient is zero
// there (the loss does not change with them), as in Keras.
GRAD_CASE(BinaryCrossentropyClipped,
          {{"p", {-1, 4}, -0.5, 1.5}, {"t", {-1, 4}, 0, 1}},
          "%l = mlc.binary_crossentropy %p, %t : (tensor<?x4xf64>, "
          "tensor<?x4xf64>) -> tensor<f64>",
          "")
GRAD_CASE(CategoricalCrossentropyClipped,
          {{"p", {-1, 4}, -0.1, 1}, {"t", {-1, 4}, 0, 1}},
          "%l = mlc.categorical_crossentropy %p, %t : (tensor<?x4xf64>, "
          "tensor<?x4xf64>) -> tensor<f64>",
          "")
GRAD_CASE(SparseCategoricalCrossentropyClipped,
          {{"p", {-1, 4}, -0.3, 1.3}, {"y", {-1}, 0, 0, true, 4}},
          "%l = mlc.sparse_categorical_crossentropy %p, %y : (tensor<?x4xf64>, "
          "tensor<?xi32>) -> tensor<f64>",
          "")
// Softmax (sigmoid) then cross-entropy: computed and differentiated from
// the logits.
GRAD_CASE(SoftmaxThenSparseCrossentropy,
          {{"z", {-1, 4}}, {"y", {-1}, 0, 0, true, 4}},
          "%p = mlc.softmax %z : tensor<?x4xf64>\n  %l = "
          "mlc.sparse_categorical_crossentropy %p, %y : (tensor<?x4xf64>, "
          "tensor<?xi32>) -> tensor<f64>",
          "")

GRAD_CASE(SoftmaxThenCategoricalCrossentropy,
          {{"z", {-1, 4}, -4, 4}, {"t", {-1, 4}, 0, 1}},
          "%p = mlc.softmax %z : tensor<?x4xf64>\n  %l = "
          "mlc.categorical_crossentropy %p, %t : (tensor<?x4xf64>, "
          "tensor<?x4xf64>) -> tensor<f64>",
          "")
GRAD_CASE(SigmoidThenBinaryCrossentropy,
          {{"z", {-1, 4}, -4, 4}, {"t", {-1, 4}, 0, 1}},
          "%p = mlc.sigmoid %z : tensor<?x4xf64>\n  %l = "
          "mlc.binary_crossentropy %p, %t : (tensor<?x4xf64>, "
          "tensor<?x4xf64>) -> tensor<f64>",
          "")

// A small network: fan-out (x used twice), dense layers, relu, and the
// seed's loss; gradients w.r.t. every parameter-like input.
GRAD_CASE(TwoLayerNetwork,
          {{"x", {-1, 3}},
           {"w1", {3, 5}, -1, 1},
           {"b1", {5}, -0.5, 0.5},
           {"w2", {5, 4}, -1, 1},
           {"y", {-1}, 0, 0, true, 4}},
          "%h0 = mlc.matmul %x, %w1 : (tensor<?x3xf64>, tensor<3x5xf64>) -> "
          "tensor<?x5xf64>\n"
          "  %h1 = mlc.add %h0, %b1 : (tensor<?x5xf64>, tensor<5xf64>) -> "
          "tensor<?x5xf64>\n"
          "  %h = mlc.relu %h1 : tensor<?x5xf64>\n"
          "  %hh = mlc.mul %h, %h1 : (tensor<?x5xf64>, tensor<?x5xf64>) -> "
          "tensor<?x5xf64>\n"
          "  %z = mlc.matmul %hh, %w2 : (tensor<?x5xf64>, tensor<5x4xf64>) -> "
          "tensor<?x4xf64>\n"
          "  %p = mlc.softmax %z : tensor<?x4xf64>\n"
          "  %l = mlc.sparse_categorical_crossentropy %p, %y : "
          "(tensor<?x4xf64>, tensor<?xi32>) -> tensor<f64>",
          "")

// Widths that are a multiple of every register tile's panel (16 floats
// with AVX2, 32 with AVX-512): the CPU schedule packs matmul operands into
// panels, and w2 is packed twice, as read by the forward matmul and read
// transposed by the backward one (a shared pack once mixed them up).
GRAD_CASE(
    PackedPanels,
    {{"x", {-1, 32}, -1, 1},
     {"w1", {32, 32}, -0.5, 0.5},
     {"w2", {32, 64}, -0.5, 0.5},
     {"w3", {64, 32}, -0.5, 0.5},
     {"y", {-1}, 0, 0, true, 32}},
    "%h0 = mlc.matmul %x, %w1 : (tensor<?x32xf64>, tensor<32x32xf64>) -> "
    "tensor<?x32xf64>\n"
    "  %h = mlc.tanh %h0 : tensor<?x32xf64>\n"
    "  %g0 = mlc.matmul %h, %w2 : (tensor<?x32xf64>, tensor<32x64xf64>) "
    "-> tensor<?x64xf64>\n"
    "  %g = mlc.tanh %g0 : tensor<?x64xf64>\n"
    "  %z = mlc.matmul %g, %w3 : (tensor<?x64xf64>, tensor<64x32xf64>) -> "
    "tensor<?x32xf64>\n"
    "  %p = mlc.softmax %z : tensor<?x32xf64>\n"
    "  %l = mlc.sparse_categorical_crossentropy %p, %y : "
    "(tensor<?x32xf64>, tensor<?xi32>) -> tensor<f64>",
    "")

// Convolution (NHWC input, HWIO kernel) and pooling: valid, padded,
// strided and dilated windows; gradients of the input and the kernel.
GRAD_CASE(Conv, {{"x", {-1, 5, 6, 2}}, {"k", {3, 2, 2, 3}, -1, 1}},
          "%y = mlc.conv %x, %k : (tensor<?x5x6x2xf64>, tensor<3x2x2x3xf64>) "
          "-> tensor<?x3x5x3xf64>",
          "tensor<?x3x5x3xf64>")
GRAD_CASE(ConvSameStrided, {{"x", {-1, 7, 6, 3}}, {"k", {3, 3, 3, 2}, -1, 1}},
          "%y = mlc.conv %x, %k {strides = array<i64: 2, 2>, pads = "
          "array<i64: 1, 1, 0, 1>} : (tensor<?x7x6x3xf64>, "
          "tensor<3x3x3x2xf64>) -> tensor<?x4x3x2xf64>",
          "tensor<?x4x3x2xf64>")
GRAD_CASE(ConvDilated, {{"x", {-1, 6, 6, 2}}, {"k", {2, 3, 2, 2}, -1, 1}},
          "%y = mlc.conv %x, %k {dilations = array<i64: 2, 1>, strides = "
          "array<i64: 1, 3>, pads = array<i64: 2, 0, 1, 2>} : "
          "(tensor<?x6x6x2xf64>, tensor<2x3x2x2xf64>) -> tensor<?x6x3x2xf64>",
          "tensor<?x6x3x2xf64>")
// More input channels than one register tile's rows: the kernel
// gradient's channel tiles (2 full, 1 peeled) become its outermost loop.
GRAD_CASE(ConvManyChannels,
          {{"x", {-1, 4, 3, 17}, -1, 1}, {"k", {2, 1, 17, 3}, -1, 1}},
          "%y = mlc.conv %x, %k : (tensor<?x4x3x17xf64>, tensor<2x1x17x3xf64>) "
          "-> tensor<?x3x3x3xf64>",
          "tensor<?x3x3x3xf64>")
// One input channel with a window too large for the registers whole (5 x 5
// with AVX2's 16, 7 x 7 with AVX-512's 32): the kernel gradient's register
// tile takes one window row at a time.
GRAD_CASE(ConvOneChannelWideWindow,
          {{"x", {-1, 8, 7, 1}, -1, 1}, {"k", {5, 5, 1, 3}, -1, 1}},
          "%y = mlc.conv %x, %k : (tensor<?x8x7x1xf64>, tensor<5x5x1x3xf64>) "
          "-> tensor<?x4x3x3xf64>",
          "tensor<?x4x3x3xf64>")
GRAD_CASE(ConvOneChannelWideWindowStrided,
          {{"x", {-1, 10, 9, 1}, -1, 1}, {"k", {7, 7, 1, 2}, -1, 1}},
          "%y = mlc.conv %x, %k {strides = array<i64: 2, 1>, pads = "
          "array<i64: 1, 1, 0, 1>} : (tensor<?x10x9x1xf64>, "
          "tensor<7x7x1x2xf64>) -> tensor<?x3x4x2xf64>",
          "tensor<?x3x4x2xf64>")
GRAD_CASE(DepthwiseConv, {{"x", {-1, 5, 4, 3}}, {"k", {3, 2, 3, 2}, -1, 1}},
          "%y = mlc.depthwise_conv %x, %k : (tensor<?x5x4x3xf64>, "
          "tensor<3x2x3x2xf64>) -> tensor<?x3x3x6xf64>",
          "tensor<?x3x3x6xf64>")
GRAD_CASE(DepthwiseConvStridedDilated,
          {{"x", {-1, 7, 6, 2}}, {"k", {2, 3, 2, 1}, -1, 1}},
          "%y = mlc.depthwise_conv %x, %k {strides = array<i64: 2, 1>, "
          "dilations = array<i64: 1, 2>, pads = array<i64: 1, 0, 2, 1>} : "
          "(tensor<?x7x6x2xf64>, tensor<2x3x2x1xf64>) -> tensor<?x4x5x2xf64>",
          "tensor<?x4x5x2xf64>")
GRAD_CASE(MaxPool, {{"x", {-1, 4, 6, 3}}},
          "%y = mlc.max_pool %x {window = array<i64: 2, 2>, strides = "
          "array<i64: 2, 2>} : tensor<?x4x6x3xf64> -> tensor<?x2x3x3xf64>",
          "tensor<?x2x3x3xf64>")
// Overlapping windows: an element's gradient sums over the windows it
// wins.
GRAD_CASE(MaxPoolOverlappingSame, {{"x", {-1, 5, 5, 2}}},
          "%y = mlc.max_pool %x {window = array<i64: 3, 3>, strides = "
          "array<i64: 2, 2>, pads = array<i64: 1, 1, 1, 1>} : "
          "tensor<?x5x5x2xf64> -> tensor<?x3x3x2xf64>",
          "tensor<?x3x3x2xf64>")
GRAD_CASE(AvgPool, {{"x", {-1, 4, 4, 2}}},
          "%y = mlc.avg_pool %x {window = array<i64: 2, 2>, strides = "
          "array<i64: 2, 2>} : tensor<?x4x4x2xf64> -> tensor<?x2x2x2xf64>",
          "tensor<?x2x2x2xf64>")
// Padded positions are left out of each window's count.
GRAD_CASE(AvgPoolSameStrided, {{"x", {-1, 5, 4, 2}}},
          "%y = mlc.avg_pool %x {window = array<i64: 3, 2>, strides = "
          "array<i64: 2, 1>, pads = array<i64: 1, 1, 0, 1>} : "
          "tensor<?x5x4x2xf64> -> tensor<?x3x4x2xf64>",
          "tensor<?x3x4x2xf64>")
// More channels than one vector computation takes: the CPU schedule tiles
// the channels of pooling ops (96 = 3 x 32 for f64).
GRAD_CASE(MaxPoolManyChannels, {{"x", {-1, 4, 4, 96}}},
          "%y = mlc.max_pool %x {window = array<i64: 2, 2>, strides = "
          "array<i64: 2, 2>} : tensor<?x4x4x96xf64> -> tensor<?x2x2x96xf64>",
          "tensor<?x2x2x96xf64>")
GRAD_CASE(AvgPoolManyChannels, {{"x", {-1, 5, 4, 130}}},
          "%y = mlc.avg_pool %x {window = array<i64: 2, 2>, strides = "
          "array<i64: 2, 2>} : tensor<?x5x4x130xf64> -> tensor<?x2x2x130xf64>",
          "tensor<?x2x2x130xf64>")
GRAD_CASE(GlobalAvgPool, {{"x", {-1, 3, 4, 2}}},
          "%y = mlc.global_avg_pool2d %x : tensor<?x3x4x2xf64> -> "
          "tensor<?x2xf64>",
          "tensor<?x2xf64>")
// A small convnet: conv, bias, relu, max pool, flatten, dense, loss.
GRAD_CASE(ConvNetwork,
          {{"x", {-1, 6, 6, 1}, 0, 1},
           {"k", {3, 3, 1, 4}, -1, 1},
           {"b", {4}, -0.5, 0.5},
           {"w", {16, 3}, -1, 1},
           {"y", {-1}, 0, 0, true, 3}},
          "%c = mlc.conv %x, %k : (tensor<?x6x6x1xf64>, tensor<3x3x1x4xf64>) "
          "-> tensor<?x4x4x4xf64>\n"
          "  %cb = mlc.add %c, %b : (tensor<?x4x4x4xf64>, tensor<4xf64>) -> "
          "tensor<?x4x4x4xf64>\n"
          "  %r = mlc.relu %cb : tensor<?x4x4x4xf64>\n"
          "  %p = mlc.max_pool %r {window = array<i64: 2, 2>, strides = "
          "array<i64: 2, 2>} : tensor<?x4x4x4xf64> -> tensor<?x2x2x4xf64>\n"
          "  %f = mlc.reshape %p : tensor<?x2x2x4xf64> -> tensor<?x16xf64>\n"
          "  %z = mlc.matmul %f, %w : (tensor<?x16xf64>, tensor<16x3xf64>) -> "
          "tensor<?x3xf64>\n"
          "  %l = mlc.sparse_categorical_crossentropy %z, %y {from_logits} : "
          "(tensor<?x3xf64>, tensor<?xi32>) -> tensor<f64>",
          "")

// Batch normalization's training form: the batch's mean and variance
// depend on every element, so each x gets gradient through them too. The
// moving statistics are inputs (not used by the training output).
#define BN_ARGS(T, C)                                                          \
  "%y, %m2, %v2 = mlc.apply_batch_norm %x, %g, %b, %m, %v {momentum = "        \
  "0.99 : f64, epsilon = 1.0e-3 : f64} : " T ", tensor<" C "xf64>"
GRAD_CASE(BatchNormTraining,
          {{"x", {-1, 3, 2, 4}},
           {"g", {4}, 0.5, 2},
           {"b", {4}},
           {"m", {4}, 0, 0, false, 0, false},
           {"v", {4}, 0.5, 2, false, 0, false}},
          BN_ARGS("tensor<?x3x2x4xf64>", "4"), "tensor<?x3x2x4xf64>", true)
GRAD_CASE(BatchNormTrainingDense,
          {{"x", {-1, 3}},
           {"g", {3}, 0.5, 2},
           {"b", {3}},
           {"m", {3}, 0, 0, false, 0, false},
           {"v", {3}, 0.5, 2, false, 0, false}},
          BN_ARGS("tensor<?x3xf64>", "3"), "tensor<?x3xf64>", true)
// Inference: the moving statistics normalize (and get a gradient too).
GRAD_CASE(BatchNormInference,
          {{"x", {-1, 3, 2, 4}},
           {"g", {4}, 0.5, 2},
           {"b", {4}},
           {"m", {4}},
           {"v", {4}, 0.5, 2}},
          BN_ARGS("tensor<?x3x2x4xf64>", "4"), "tensor<?x3x2x4xf64>", false)
// Dropout's training form: x times a fixed mask drawn from the state (not
// differentiated), so d/dx is the mask: 0 or 1 / (1 - rate).
GRAD_CASE(DropoutTraining,
          {{"x", {-1, 5, 4}}, {"s", {2}, 0, 1000, false, 0, false, true}},
          "%y = mlc.apply_dropout %x, %s {rate = 0.4 : f64, stream = 2 : i64} "
          ": tensor<?x5x4xf64>, tensor<2xf32>",
          "tensor<?x5x4xf64>", true)

//===----------------------------------------------------------------------===//
// Where finite differences do not apply: ties and the clip's bounds
//===----------------------------------------------------------------------===//

/// Compiles a model with one f64 input "a" of shape (batch, 4) and outputs
/// the gradient of `body`'s %l with respect to it; runs it on `a`.
std::vector<double> gradientAt(const std::string &body, std::vector<double> a) {
  std::string source = "mlc.model @g {\n"
                       "  %a = mlc.input \"a\" : tensor<?x4xf64>\n  " +
                       body +
                       "\n  %g = mlc.gradient %l wrt %a : tensor<f64>, "
                       "tensor<?x4xf64>\n"
                       "  mlc.output %g : tensor<?x4xf64>\n}\n";
  auto context = createContext();
  auto module = mlir::parseSourceString<mlir::ModuleOp>(source, context.get());
  EXPECT_TRUE(module) << source;
  if (!module)
    return {};
  auto jit = JITModel::compile(context, std::move(module));
  if (!jit) {
    ADD_FAILURE() << llvm::toString(jit.takeError()) << source;
    return {};
  }
  int64_t batch = int64_t(a.size()) / 4;
  std::vector<double> g(a.size(), NAN);
  llvm::Error err =
      (*jit)->predict({{a.data(), {batch, 4}}, {g.data(), {batch, 4}}});
  EXPECT_FALSE(bool(err)) << llvm::toString(std::move(err));
  return g;
}

// Tied maxima share the gradient evenly (TensorFlow, PyTorch): each of k
// tied elements gets 1/k of the slice's gradient, the others nothing.
TEST(GradientTiesTest, ReduceMaxSplitsEvenlyAmongTies) {
  std::vector<double> a = {3,  1, 3,  3,  // three tied
                           -2, 5, 0,  4,  // one maximum
                           7,  7, -1, 7,  // three tied
                           2,  2, 2,  2}; // all four tied
  // The sum of squared maxima: each row's gradient 2 max is distinct.
  std::vector<double> rows = gradientAt(
      "%m = mlc.reduce_max %a axes = [1] : tensor<?x4xf64> -> tensor<?xf64>\n"
      "  %mm = mlc.mul %m, %m : (tensor<?xf64>, tensor<?xf64>) -> "
      "tensor<?xf64>\n"
      "  %l = mlc.reduce_sum %mm axes = [] : tensor<?xf64> -> tensor<f64>",
      a);
  std::vector<double> wantRows = {2,        0,        2, 2,        //
                                  0,        10,       0, 0,        //
                                  14.0 / 3, 14.0 / 3, 0, 14.0 / 3, //
                                  1,        1,        1, 1};
  ASSERT_EQ(rows.size(), wantRows.size());
  for (size_t k = 0; k < rows.size(); ++k)
    EXPECT_NEAR(rows[k], wantRows[k], 1e-15) << "rows, element " << k;

  // Over everything: 7 is the maximum three times.
  std::vector<double> all = gradientAt(
      "%l = mlc.reduce_max %a axes = [] : tensor<?x4xf64> -> tensor<f64>", a);
  ASSERT_EQ(all.size(), a.size());
  for (size_t k = 0; k < all.size(); ++k)
    EXPECT_NEAR(all[k], a[k] == 7 ? 1.0 / 3 : 0.0, 1e-15)
        << "all, element " << k;

  // With keepdims, over the batch axis: two, two, two and three ties.
  std::vector<double> cols = gradientAt(
      "%m = mlc.reduce_max %a axes = [0] keepdims : tensor<?x4xf64> -> "
      "tensor<1x4xf64>\n"
      "  %l = mlc.reduce_sum %m axes = [] : tensor<1x4xf64> -> tensor<f64>",
      {1, 2, 2, 3, //
       1, 0, 2, 3, //
       0, 2, 1, 3});
  std::vector<double> wantCols = {0.5, 0.5, 0.5, 1.0 / 3, //
                                  0.5, 0,   0.5, 1.0 / 3, //
                                  0,   0.5, 0,   1.0 / 3};
  ASSERT_EQ(cols.size(), wantCols.size());
  for (size_t k = 0; k < cols.size(); ++k)
    EXPECT_NEAR(cols[k], wantCols[k], 1e-15) << "columns, element " << k;
}

// clip passes the gradient inside [min, max] and at the bounds themselves
// (TensorFlow's clip_by_value zeroes it only where x < min or x > max),
// and is zero outside.
TEST(GradientTiesTest, ClipPassesAtTheBounds) {
  std::vector<double> g = gradientAt(
      "%c = mlc.clip %a {min = -1.0 : f64, max = 2.0 : f64} : "
      "tensor<?x4xf64>\n"
      "  %l = mlc.reduce_sum %c axes = [] : tensor<?x4xf64> -> tensor<f64>",
      {-1, 2, 0.5, -1.0000001, //
       2.0000001, -5, 5, 1.9999999});
  std::vector<double> want = {1, 1, 1, 0, 0, 0, 0, 1};
  ASSERT_EQ(g.size(), want.size());
  for (size_t k = 0; k < g.size(); ++k)
    EXPECT_EQ(g[k], want[k]) << "element " << k;
}

} // namespace
