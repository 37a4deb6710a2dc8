//===- ConvJITTest.cpp - convolution and pooling against plain C++ --------===//
//
// Each window op, JIT-compiled through the whole CPU pipeline, against a
// reference written as plain loops in double precision (NHWC input, HWIO
// kernel): valid, padded, strided and dilated windows, channel counts that
// are not multiples of the vector width, batches of 1 and 5. Tolerance:
// |got - want| <= 1e-5 * max(1, |want|). The gradients are checked against
// finite differences in GradientCheckTest; max pooling's tie rule (the
// first maximum of a window gets its gradient, as in TensorFlow) here.
//
//===----------------------------------------------------------------------===//

#include "OpsJIT.h"

#include <limits>

using namespace mlc;
using namespace mlc::test;

namespace {

struct Window {
  std::vector<int64_t> shape; // NHWC, N = -1
  int64_t kh, kw;
  int64_t channelsOut; // conv only
  int64_t sh = 1, sw = 1, dh = 1, dw = 1;
  int64_t pads[4] = {0, 0, 0, 0};

  int64_t outH() const {
    return (shape[1] + pads[0] + pads[1] - (kh - 1) * dh - 1) / sh + 1;
  }
  int64_t outW() const {
    return (shape[2] + pads[2] + pads[3] - (kw - 1) * dw - 1) / sw + 1;
  }
  std::string attrs(bool conv) const {
    std::string s = "strides = array<i64: " + std::to_string(sh) + ", " +
                    std::to_string(sw) +
                    ">, pads = array<i64: " + std::to_string(pads[0]) + ", " +
                    std::to_string(pads[1]) + ", " + std::to_string(pads[2]) +
                    ", " + std::to_string(pads[3]) + ">";
    if (conv)
      return s + ", dilations = array<i64: " + std::to_string(dh) + ", " +
             std::to_string(dw) + ">";
    return s + ", window = array<i64: " + std::to_string(kh) + ", " +
           std::to_string(kw) + ">";
  }
};

/// Visits every (output, input) pair of a window op: f(n, i, j, a, b, y, x)
/// for output (n, i, j), window offset (a, b) and input row y, column x
/// (which may lie in the padding).
template <typename F> void forWindows(const Window &w, int64_t batch, F f) {
  for (int64_t n = 0; n < batch; ++n)
    for (int64_t i = 0; i < w.outH(); ++i)
      for (int64_t j = 0; j < w.outW(); ++j)
        for (int64_t a = 0; a < w.kh; ++a)
          for (int64_t b = 0; b < w.kw; ++b)
            f(n, i, j, a, b, i * w.sh + a * w.dh - w.pads[0],
              j * w.sw + b * w.dw - w.pads[2]);
}

bool inside(const Window &w, int64_t y, int64_t x) {
  return y >= 0 && y < w.shape[1] && x >= 0 && x < w.shape[2];
}

std::vector<double> convRef(const Window &w, const Tensor &x, const Tensor &k,
                            int64_t batch) {
  int64_t H = w.shape[1], W = w.shape[2], C = w.shape[3], O = w.channelsOut;
  std::vector<double> y(batch * w.outH() * w.outW() * O, 0.0);
  forWindows(w, batch,
             [&](int64_t n, int64_t i, int64_t j, int64_t a, int64_t b,
                 int64_t yy, int64_t xx) {
               if (!inside(w, yy, xx))
                 return;
               for (int64_t c = 0; c < C; ++c)
                 for (int64_t o = 0; o < O; ++o)
                   y[((n * w.outH() + i) * w.outW() + j) * O + o] +=
                       double(x.f[((n * H + yy) * W + xx) * C + c]) *
                       double(k.f[((a * w.kw + b) * C + c) * O + o]);
             });
  return y;
}

/// Depthwise: channel c's filters m give output channel c * M + m.
std::vector<double> depthwiseRef(const Window &w, const Tensor &x,
                                 const Tensor &k, int64_t batch, int64_t m) {
  int64_t H = w.shape[1], W = w.shape[2], C = w.shape[3];
  std::vector<double> y(batch * w.outH() * w.outW() * C * m, 0.0);
  forWindows(w, batch,
             [&](int64_t n, int64_t i, int64_t j, int64_t a, int64_t b,
                 int64_t yy, int64_t xx) {
               if (!inside(w, yy, xx))
                 return;
               for (int64_t c = 0; c < C; ++c)
                 for (int64_t f = 0; f < m; ++f)
                   y[((n * w.outH() + i) * w.outW() + j) * C * m + c * m + f] +=
                       double(x.f[((n * H + yy) * W + xx) * C + c]) *
                       double(k.f[((a * w.kw + b) * C + c) * m + f]);
             });
  return y;
}

std::vector<double> poolRef(const Window &w, const Tensor &x, int64_t batch,
                            bool max) {
  int64_t H = w.shape[1], W = w.shape[2], C = w.shape[3];
  int64_t outs = batch * w.outH() * w.outW();
  std::vector<double> y(outs * C, max ? -INFINITY : 0.0);
  std::vector<int64_t> count(outs, 0);
  forWindows(w, batch,
             [&](int64_t n, int64_t i, int64_t j, int64_t, int64_t, int64_t yy,
                 int64_t xx) {
               if (!inside(w, yy, xx))
                 return;
               int64_t o = (n * w.outH() + i) * w.outW() + j;
               ++count[o];
               for (int64_t c = 0; c < C; ++c) {
                 double v = x.f[((n * H + yy) * W + xx) * C + c];
                 y[o * C + c] =
                     max ? std::max(y[o * C + c], v) : y[o * C + c] + v;
               }
             });
  if (!max)
    for (int64_t o = 0; o < outs; ++o)
      for (int64_t c = 0; c < C; ++c)
        y[o * C + c] /= double(count[o]);
  return y;
}

std::vector<int64_t> outShape(const Window &w, int64_t channels) {
  return {-1, w.outH(), w.outW(), channels};
}

class ConvJITTest : public OpsJITTest {
protected:
  void checkConv(const Window &w) {
    std::vector<int64_t> kshape = {w.kh, w.kw, w.shape[3], w.channelsOut};
    std::string out = dims(outShape(w, w.channelsOut));
    auto jit =
        compile(model({w.shape, kshape},
                      "%r = mlc.conv %a, %b {" + w.attrs(true) + "} : (" +
                          dims(w.shape) + ", " + dims(kshape) + ") -> " + out,
                      out));
    ASSERT_TRUE(jit);
    for (int64_t batch : {1, 5}) {
      std::vector<int64_t> xs = w.shape;
      xs[0] = batch;
      Tensor x = make(xs, -1, 1, 3), k = make(kshape, -1, 1, 4);
      expectNear(run(*jit, {x, k}, batch)[0], convRef(w, x, k, batch),
                 "conv " + w.attrs(true) + " batch " + std::to_string(batch));
    }
  }

  void checkPool(const Window &w, bool max) {
    std::string out = dims(outShape(w, w.shape[3]));
    std::string op = max ? "max_pool" : "avg_pool";
    auto jit = compile(model({w.shape},
                             "%r = mlc." + op + " %a {" + w.attrs(false) +
                                 "} : " + dims(w.shape) + " -> " + out,
                             out));
    ASSERT_TRUE(jit);
    for (int64_t batch : {1, 5}) {
      std::vector<int64_t> xs = w.shape;
      xs[0] = batch;
      Tensor x = make(xs, -1, 1, 5);
      expectNear(run(*jit, {x}, batch)[0], poolRef(w, x, batch, max),
                 op + " " + w.attrs(false) + " batch " + std::to_string(batch));
    }
  }
};

TEST_F(ConvJITTest, Conv) {
  checkConv({{-1, 9, 8, 1}, 3, 3, 32});
  checkConv({{-1, 6, 7, 3}, 3, 2, 17});
  Window strided{{-1, 9, 10, 5}, 3, 3, 7, 2, 2};
  strided.pads[0] = strided.pads[2] = 1;
  strided.pads[1] = strided.pads[3] = 1;
  checkConv(strided);
  Window dilated{{-1, 8, 8, 2}, 3, 2, 16, 1, 3, 2, 2};
  dilated.pads[0] = 2;
  dilated.pads[1] = 4;
  dilated.pads[3] = 1;
  checkConv(dilated);
  checkConv({{-1, 5, 5, 33}, 1, 1, 10}); // a 1x1 convolution
}

TEST_F(ConvJITTest, DepthwiseConv) {
  for (int64_t m : {1, 3}) {
    Window w{{-1, 9, 7, 5}, 3, 2, 0, 2, 1, 1, 2};
    w.pads[0] = w.pads[1] = 1;
    w.pads[3] = 2;
    std::vector<int64_t> kshape = {w.kh, w.kw, w.shape[3], m};
    std::string out = dims(outShape(w, w.shape[3] * m));
    auto jit = compile(model({w.shape, kshape},
                             "%r = mlc.depthwise_conv %a, %b {" +
                                 w.attrs(true) + "} : (" + dims(w.shape) +
                                 ", " + dims(kshape) + ") -> " + out,
                             out));
    ASSERT_TRUE(jit);
    for (int64_t batch : {1, 5}) {
      std::vector<int64_t> xs = w.shape;
      xs[0] = batch;
      Tensor x = make(xs, -1, 1, 6), k = make(kshape, -1, 1, 7);
      expectNear(run(*jit, {x, k}, batch)[0], depthwiseRef(w, x, k, batch, m),
                 "depthwise m=" + std::to_string(m));
    }
  }
}

TEST_F(ConvJITTest, Pooling) {
  for (bool max : {true, false}) {
    checkPool({{-1, 8, 6, 3}, 2, 2, 0, 2, 2}, max);
    checkPool({{-1, 7, 7, 17}, 2, 2, 0, 2, 2}, max); // the last row dropped
    Window same{{-1, 7, 5, 2}, 3, 3, 0, 2, 2};
    same.pads[0] = same.pads[1] = same.pads[2] = same.pads[3] = 1;
    checkPool(same, max);
    Window uneven{{-1, 6, 5, 4}, 2, 3, 0, 1, 2};
    uneven.pads[1] = 1;
    uneven.pads[2] = 1;
    uneven.pads[3] = 1;
    checkPool(uneven, max);
  }
}

// The layers' "same" padding is TensorFlow's: out = ceil(in / stride), the
// extra pad at the bottom and right.
TEST_F(ConvJITTest, SamePaddingLayersMatchTensorFlowShapes) {
  auto jit = compile(
      "mlc.model @m {\n"
      "  %a = mlc.input \"a\" : tensor<?x7x8x2xf32>\n"
      "  %c = mlc.conv2d %a {filters = 3, kernel_size = array<i64: 3, 3>, "
      "strides = array<i64: 2, 2>, padding = \"same\", use_bias = false} : "
      "tensor<?x7x8x2xf32> -> tensor<?x4x4x3xf32>\n"
      "  %r = mlc.max_pool2d %c {pool_size = array<i64: 3, 3>, strides = "
      "array<i64: 2, 2>, padding = \"same\"} : tensor<?x4x4x3xf32> -> "
      "tensor<?x2x2x3xf32>\n"
      "  mlc.output %r : tensor<?x2x2x3xf32>\n}\n");
  ASSERT_TRUE(jit);
  // TensorFlow pads the conv by (1, 1) rows and (0, 1) columns here, and
  // the pool by (0, 1) and (0, 1).
  Tensor x = make({2, 7, 8, 2}, -1, 1, 8);
  Tensor k = make({3, 3, 2, 3}, -1, 1, 9);
  ASSERT_EQ(jit->signature().params.size(), 1u);
  Window conv{{-1, 7, 8, 2}, 3, 3, 3, 2, 2};
  conv.pads[0] = conv.pads[1] = conv.pads[3] = 1;
  Tensor c;
  c.shape = {2, 4, 4, 3};
  for (double v : convRef(conv, x, k, 2))
    c.f.push_back(float(v));
  Window pool{{-1, 4, 4, 3}, 3, 3, 0, 2, 2};
  pool.pads[1] = pool.pads[3] = 1;
  Tensor y;
  y.shape = {2, 2, 2, 3};
  y.f.assign(y.size(), NAN);
  llvm::Error err = jit->predict(
      {{k.f.data(), k.shape}, {x.f.data(), x.shape}, {y.f.data(), y.shape}});
  ASSERT_FALSE(bool(err)) << llvm::toString(std::move(err));
  expectNear(y, poolRef(pool, c, 2, true), "conv2d + max_pool2d, same");
}

// A window whose elements are all equal gives its gradient to the first
// one, in row-major order (TensorFlow); PyTorch's CPU kernel does too.
TEST_F(ConvJITTest, MaxPoolGradientGoesToTheFirstMaximum) {
  auto jit = compile("mlc.model @m {\n"
                     "  %a = mlc.input \"a\" : tensor<?x2x4x1xf32>\n"
                     "  %p = mlc.max_pool %a {window = array<i64: 2, 2>, "
                     "strides = array<i64: 2, 2>} : tensor<?x2x4x1xf32> -> "
                     "tensor<?x1x2x1xf32>\n"
                     "  %l = mlc.reduce_sum %p axes = [] : "
                     "tensor<?x1x2x1xf32> -> tensor<f32>\n"
                     "  %r = mlc.gradient %l wrt %a : tensor<f32>, "
                     "tensor<?x2x4x1xf32>\n"
                     "  mlc.output %r : tensor<?x2x4x1xf32>\n}\n");
  ASSERT_TRUE(jit);
  // Window 0: all 1s; window 1: its maximum 5 twice, in its second row.
  Tensor a;
  a.shape = {1, 2, 4, 1};
  a.f = {1, 1, 0, 2, 1, 1, 5, 5};
  expectNear(run(*jit, {a}, 1)[0], {1, 0, 0, 0, 0, 0, 1, 0}, "ties", 0);
}

} // namespace
