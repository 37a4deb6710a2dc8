//===- onednn_step.cpp - the seed MLP's train step by hand, with oneDNN ---===//
//
// A hand-written reference for bench/epoch.sh: forward, backward and Adam
// for 784-128-10 (relu, softmax, sparse cross-entropy), the three matmuls of
// each direction through dnnl_sgemm, everything else as plain loops, every
// buffer allocated once, denormals flushed to zero as mlc does. Trains one
// epoch of MNIST at the given batch size on one thread and prints the
// epoch's seconds.
//
//===----------------------------------------------------------------------===//

#include "runtime/Batch.h"
#include "runtime/FloatMode.h"
#include "runtime/IDX.h"

#include <oneapi/dnnl/dnnl.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <numeric>
#include <random>
#include <string>
#include <vector>

namespace {

struct Adam {
  std::vector<float> m, v;
  explicit Adam(size_t n) : m(n, 0.0f), v(n, 0.0f) {}
  void step(float *p, const float *g, size_t n, float alpha) {
    for (size_t i = 0; i < n; ++i) {
      m[i] += (g[i] - m[i]) * 0.1f;
      v[i] += (g[i] * g[i] - v[i]) * 0.001f;
      p[i] -= m[i] * alpha / (std::sqrt(v[i]) + 1e-7f);
    }
  }
};

} // namespace

int main(int argc, char **argv) {
  if (argc != 3) {
    std::fprintf(stderr, "usage: onednn_step DATA_DIR BATCH_SIZE\n");
    return 1;
  }
  mlc::runtime::Dataset train, test;
  std::string error;
  if (!mlc::runtime::loadIdxDirectory(argv[1], train, test, error)) {
    std::fprintf(stderr, "onednn_step: %s\n", error.c_str());
    return 1;
  }
  const int64_t B = std::atoi(argv[2]), I = 784, H = 128, O = 10;
  const int64_t n = train.size();
  std::mt19937 rng(0);
  auto glorot = [&](std::vector<float> &w, int64_t fanIn, int64_t fanOut) {
    std::uniform_real_distribution<float> d(-std::sqrt(6.0f / (fanIn + fanOut)),
                                            std::sqrt(6.0f / (fanIn + fanOut)));
    for (float &x : w)
      x = d(rng);
  };
  std::vector<float> w1(I * H), b1(H, 0), w2(H * O), b2(O, 0);
  glorot(w1, I, H);
  glorot(w2, H, O);
  std::vector<float> gw1(I * H), gb1(H), gw2(H * O), gb2(O);
  Adam a1(I * H), ab1(H), a2(H * O), ab2(O);
  std::vector<float> x(B * I), h(B * H), z(B * O), dz(B * O), dh(B * H);
  std::vector<int32_t> y(B);
  std::vector<int64_t> order(n);
  std::iota(order.begin(), order.end(), 0);
  std::shuffle(order.begin(), order.end(), rng);

  // The same floating-point mode as mlc's compiled step (Adam moments decay
  // through the denormal range, which is slow on x86).
  mlc::runtime::ScopedFlushDenormals flush(true);
  auto start = std::chrono::steady_clock::now();
  int64_t t = 0;
  for (int64_t begin = 0; begin < n; begin += B) {
    int64_t b = std::min(B, n - begin);
    // mlc's batching (runtime/Batch.h): convert this batch, then start
    // loading the next one for the step to hide.
    mlc::runtime::gatherBatch(train, &order[begin], b, 0.0f, 1.0f, x.data(),
                              y.data());
    mlc::runtime::prefetchBatch(train, order.data() + begin + b,
                                std::min(B, n - begin - b));
    // Forward.
    dnnl_sgemm('N', 'N', b, H, I, 1.0f, x.data(), I, w1.data(), H, 0.0f,
               h.data(), H);
    for (int64_t i = 0; i < b; ++i)
      for (int64_t j = 0; j < H; ++j)
        h[i * H + j] = std::max(h[i * H + j] + b1[j], 0.0f);
    dnnl_sgemm('N', 'N', b, O, H, 1.0f, h.data(), H, w2.data(), O, 0.0f,
               z.data(), O);
    // Softmax + cross-entropy backward: (softmax - onehot) / b.
    for (int64_t i = 0; i < b; ++i) {
      float *row = &z[i * O], mx = -INFINITY, s = 0;
      for (int64_t j = 0; j < O; ++j)
        mx = std::max(mx, row[j] += b2[j]);
      for (int64_t j = 0; j < O; ++j)
        s += (row[j] = std::exp(row[j] - mx));
      for (int64_t j = 0; j < O; ++j)
        dz[i * O + j] = (row[j] / s - (j == y[i] ? 1.0f : 0.0f)) / b;
    }
    // Backward.
    dnnl_sgemm('T', 'N', H, O, b, 1.0f, h.data(), H, dz.data(), O, 0.0f,
               gw2.data(), O);
    std::fill(gb2.begin(), gb2.end(), 0.0f);
    for (int64_t i = 0; i < b; ++i)
      for (int64_t j = 0; j < O; ++j)
        gb2[j] += dz[i * O + j];
    dnnl_sgemm('N', 'T', b, H, O, 1.0f, dz.data(), O, w2.data(), O, 0.0f,
               dh.data(), H);
    std::fill(gb1.begin(), gb1.end(), 0.0f);
    for (int64_t i = 0; i < b; ++i)
      for (int64_t j = 0; j < H; ++j) {
        float g = h[i * H + j] > 0 ? dh[i * H + j] : 0.0f;
        dh[i * H + j] = g;
        gb1[j] += g;
      }
    dnnl_sgemm('T', 'N', I, H, b, 1.0f, x.data(), I, dh.data(), H, 0.0f,
               gw1.data(), H);
    // Adam.
    ++t;
    float alpha = 1e-3f * std::sqrt(1.0f - std::pow(0.999f, float(t))) /
                  (1.0f - std::pow(0.9f, float(t)));
    a1.step(w1.data(), gw1.data(), w1.size(), alpha);
    ab1.step(b1.data(), gb1.data(), b1.size(), alpha);
    a2.step(w2.data(), gw2.data(), w2.size(), alpha);
    ab2.step(b2.data(), gb2.data(), b2.size(), alpha);
  }
  double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start)
          .count();
  std::printf("%.4f\n", seconds);
  return 0;
}
