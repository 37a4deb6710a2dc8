//===- cnn-bench.cpp - the convnet's train step: mlc against oneDNN -------===//
//
// mlc-cnn-bench [BATCH...] [--threads N] [--rounds R]
//
// Times the train step of Keras's MNIST convnet (examples/mnist_cnn.mlir:
// Conv2D 32 3x3 relu, MaxPool 2, Conv2D 64 3x3 relu, MaxPool 2, Flatten,
// Dropout 0.5, Dense 10 softmax; sparse categorical cross-entropy, Adam
// 1e-3) two ways in one process, in alternating rounds so that load on
// the machine hits both alike:
//   mlc     the JIT-compiled train_step;
//   oneDNN  a hand-written step on oneDNN primitives (the library PyTorch
//           uses for CPU convolutions): NHWC activations, the kernels in
//           the layouts oneDNN picks for the machine, relu fused into the
//           convolutions, pooling with its workspace, the dense layer as an
//           inner product, and softmax cross-entropy, dropout and Adam as
//           plain loops over buffers allocated once.
// Random 28x28 images and labels. Prints per batch size the best and
// median step of each over R rounds and the ratio, and the convolutions'
// FLOPs against the measured FMA peak.
//
//===----------------------------------------------------------------------===//

#include "bench/FmaPeak.h"
#include "compiler/Driver/Driver.h"
#include "runtime/Aligned.h"
#include "runtime/FloatMode.h"
#include "runtime/LearningRate.h"

#include "mlir/Parser/Parser.h"
#include "llvm/Support/MemoryBuffer.h"

#include <oneapi/dnnl/dnnl.hpp>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <random>
#include <string>
#include <unordered_map>
#include <vector>

using Clock = std::chrono::steady_clock;
using Floats = mlc::runtime::AlignedVector<float>;
using namespace dnnl;
using tag = memory::format_tag;
using dt = memory::data_type;

namespace {

[[noreturn]] void die(const std::string &message) {
  std::fprintf(stderr, "mlc-cnn-bench: %s\n", message.c_str());
  std::exit(1);
}

/// A parameter with its Adam moments, in the layout its primitive wants.
struct Param {
  memory value, grad;
  Floats m, v;
  void init(const memory::desc &md, const engine &eng, float limit,
            std::mt19937 &rng) {
    value = memory(md, eng);
    grad = memory(md, eng);
    size_t n = md.get_size() / sizeof(float);
    float *p = static_cast<float *>(value.get_data_handle());
    std::uniform_real_distribution<float> u(-limit, limit);
    for (size_t i = 0; i < n; ++i)
      p[i] = limit > 0 ? u(rng) : 0.0f;
    m.assign(n, 0.0f);
    v.assign(n, 0.0f);
  }
  /// Keras's Adam with the bias-corrected step size `alpha`.
  void adam(float alpha) {
    float *p = static_cast<float *>(value.get_data_handle());
    const float *g = static_cast<const float *>(grad.get_data_handle());
    size_t n = m.size();
    for (size_t i = 0; i < n; ++i) {
      m[i] = 0.9f * m[i] + 0.1f * g[i];
      v[i] = 0.999f * v[i] + 0.001f * g[i] * g[i];
      p[i] -= alpha * m[i] / (std::sqrt(v[i]) + 1e-7f);
    }
  }
};

class OneDNNStep {
public:
  explicit OneDNNStep(int64_t batch)
      : eng(engine::kind::cpu, 0), s(eng), n(batch) {
    std::mt19937 rng(0);
    auto md = [](memory::dims d, tag t) { return memory::desc(d, dt::f32, t); };
    // Layer 1: [n, 1, 28, 28] -> [n, 32, 26, 26] (NHWC in memory).
    x = memory(md({n, 1, 28, 28}, tag::nhwc), eng);
    auto conv = [&](memory::dims src, memory::dims wei, memory::dims dst,
                    memory::desc &srcMd,
                    convolution_forward::primitive_desc &pd) {
      srcMd = md(src, tag::nhwc);
      post_ops ops;
      ops.append_eltwise(1.0f, algorithm::eltwise_relu, 0.0f, 0.0f);
      primitive_attr attr;
      attr.set_post_ops(ops);
      convolution_forward::desc d(prop_kind::forward_training,
                                  algorithm::convolution_direct, srcMd,
                                  md(wei, tag::any), md({wei[0]}, tag::x),
                                  md(dst, tag::nhwc), {1, 1}, {0, 0}, {0, 0});
      pd = convolution_forward::primitive_desc(d, attr, eng);
    };
    memory::desc src1, src2;
    conv({n, 1, 28, 28}, {32, 1, 3, 3}, {n, 32, 26, 26}, src1, conv1);
    conv({n, 32, 13, 13}, {64, 32, 3, 3}, {n, 64, 11, 11}, src2, conv2);
    auto glorot = [](double fanIn, double fanOut) {
      return float(std::sqrt(6.0 / (fanIn + fanOut)));
    };
    k1.init(conv1.weights_desc(), eng, glorot(9, 288), rng);
    b1.init(conv1.bias_desc(), eng, 0, rng);
    k2.init(conv2.weights_desc(), eng, glorot(288, 576), rng);
    b2.init(conv2.bias_desc(), eng, 0, rng);
    a1 = memory(conv1.dst_desc(), eng);
    a2 = memory(conv2.dst_desc(), eng);
    // Pooling 2x2 with its workspace for the backward.
    auto pool = [&](const memory::desc &src, memory::dims dst,
                    pooling_forward::primitive_desc &pd) {
      pooling_forward::desc d(prop_kind::forward_training,
                              algorithm::pooling_max, src, md(dst, tag::nhwc),
                              {2, 2}, {2, 2}, {0, 0}, {0, 0});
      pd = pooling_forward::primitive_desc(d, eng);
    };
    pool(conv1.dst_desc(), {n, 32, 13, 13}, pool1);
    pool(conv2.dst_desc(), {n, 64, 5, 5}, pool2);
    p1 = memory(pool1.dst_desc(), eng);
    p2 = memory(pool2.dst_desc(), eng);
    ws1 = memory(pool1.workspace_desc(), eng);
    ws2 = memory(pool2.workspace_desc(), eng);
    if (p1.get_desc() != src2)
      die("pool1's output is not conv2's input layout");
    // Dense 1600 -> 10 on the flattened NHWC features.
    memory::desc flat = md({n, 1600}, tag::nc);
    inner_product_forward::desc dd(prop_kind::forward_training, flat,
                                   md({10, 1600}, tag::any), md({10}, tag::x),
                                   md({n, 10}, tag::nc));
    dense = inner_product_forward::primitive_desc(dd, eng);
    w3.init(dense.weights_desc(), eng, glorot(1600, 10), rng);
    b3.init(dense.bias_desc(), eng, 0, rng);
    dropped = memory(flat, eng);
    logits = memory(dense.dst_desc(), eng);
    mask.assign(size_t(n * 1600), 0.0f);

    // Backward.
    dLogits = memory(dense.dst_desc(), eng);
    inner_product_backward_weights::desc dwd(
        flat, dense.weights_desc(), dense.bias_desc(), dense.dst_desc());
    denseW = inner_product_backward_weights::primitive_desc(dwd, eng, dense);
    inner_product_backward_data::desc dxd(flat, dense.weights_desc(),
                                          dense.dst_desc());
    denseX = inner_product_backward_data::primitive_desc(dxd, eng, dense);
    dFlat = memory(flat, eng);
    auto poolBack = [&](const pooling_forward::primitive_desc &fwd,
                        pooling_backward::primitive_desc &pd) {
      pooling_backward::desc d(algorithm::pooling_max, fwd.src_desc(),
                               fwd.dst_desc(), {2, 2}, {2, 2}, {0, 0}, {0, 0});
      pd = pooling_backward::primitive_desc(d, eng, fwd);
    };
    poolBack(pool2, pool2B);
    poolBack(pool1, pool1B);
    dA2 = memory(conv2.dst_desc(), eng);
    dA1 = memory(conv1.dst_desc(), eng);
    dP1 = memory(pool1.dst_desc(), eng);
    auto reluBack = [&](const memory::desc &d,
                        eltwise_backward::primitive_desc &pd) {
      eltwise_forward::desc fd(prop_kind::forward_training,
                               algorithm::eltwise_relu_use_dst_for_bwd, d, 0.f);
      eltwise_forward::primitive_desc fpd(fd, eng);
      eltwise_backward::desc bd(algorithm::eltwise_relu_use_dst_for_bwd, d, d,
                                0.f);
      pd = eltwise_backward::primitive_desc(bd, eng, fpd);
    };
    reluBack(conv2.dst_desc(), relu2B);
    reluBack(conv1.dst_desc(), relu1B);
    dZ2 = memory(conv2.dst_desc(), eng);
    dZ1 = memory(conv1.dst_desc(), eng);
    // The backward convolutions pick their own kernel layouts (forcing the
    // forward's makes oneDNN fall back to its reference code); the kernel
    // and its gradient are reordered between layouts (a few KB).
    auto convBack = [&](const convolution_forward::primitive_desc &fwd,
                        memory::dims wei,
                        convolution_backward_weights::primitive_desc &wpd) {
      convolution_backward_weights::desc d(
          algorithm::convolution_direct, fwd.src_desc(), md(wei, tag::any),
          fwd.bias_desc(), fwd.dst_desc(), {1, 1}, {0, 0}, {0, 0});
      wpd = convolution_backward_weights::primitive_desc(d, eng, fwd);
    };
    convBack(conv2, {64, 32, 3, 3}, conv2W);
    convBack(conv1, {32, 1, 3, 3}, conv1W);
    convolution_backward_data::desc cd(
        algorithm::convolution_direct, conv2.src_desc(),
        md({64, 32, 3, 3}, tag::any), conv2.dst_desc(), {1, 1}, {0, 0}, {0, 0});
    conv2X = convolution_backward_data::primitive_desc(cd, eng, conv2);
    k1Grad = memory(conv1W.diff_weights_desc(), eng);
    k2Grad = memory(conv2W.diff_weights_desc(), eng);
    k2ForData = memory(conv2X.weights_desc(), eng);
    if (denseW.diff_weights_desc() != dense.weights_desc())
      die("oneDNN's dense weight gradient is not in the weights' layout");
    probs.assign(size_t(n * 10), 0.0f);
  }

  float *input() { return static_cast<float *>(x.get_data_handle()); }

  void step(const int32_t *labels, float alpha, uint64_t iteration) {
    convolution_forward(conv1).execute(s, {{DNNL_ARG_SRC, x},
                                           {DNNL_ARG_WEIGHTS, k1.value},
                                           {DNNL_ARG_BIAS, b1.value},
                                           {DNNL_ARG_DST, a1}});
    pooling_forward(pool1).execute(
        s, {{DNNL_ARG_SRC, a1}, {DNNL_ARG_DST, p1}, {DNNL_ARG_WORKSPACE, ws1}});
    convolution_forward(conv2).execute(s, {{DNNL_ARG_SRC, p1},
                                           {DNNL_ARG_WEIGHTS, k2.value},
                                           {DNNL_ARG_BIAS, b2.value},
                                           {DNNL_ARG_DST, a2}});
    pooling_forward(pool2).execute(
        s, {{DNNL_ARG_SRC, a2}, {DNNL_ARG_DST, p2}, {DNNL_ARG_WORKSPACE, ws2}});
    // Dropout 0.5: keep with probability 1/2, scaled by 2.
    const float *feat = static_cast<const float *>(p2.get_data_handle());
    float *d = static_cast<float *>(dropped.get_data_handle());
    uint64_t r = iteration * 0x9E3779B97F4A7C15ull + 1;
    for (int64_t i = 0; i < n * 1600; ++i) {
      r = r * 6364136223846793005ull + 1442695040888963407ull;
      mask[i] = (r >> 63) ? 2.0f : 0.0f;
      d[i] = feat[i] * mask[i];
    }
    inner_product_forward(dense).execute(s, {{DNNL_ARG_SRC, dropped},
                                             {DNNL_ARG_WEIGHTS, w3.value},
                                             {DNNL_ARG_BIAS, b3.value},
                                             {DNNL_ARG_DST, logits}});
    // Softmax cross-entropy and its gradient.
    const float *z = static_cast<const float *>(logits.get_data_handle());
    float *dz = static_cast<float *>(dLogits.get_data_handle());
    for (int64_t i = 0; i < n; ++i) {
      float mx = *std::max_element(z + i * 10, z + i * 10 + 10), sum = 0;
      for (int k = 0; k < 10; ++k)
        sum += (probs[i * 10 + k] = std::exp(z[i * 10 + k] - mx));
      for (int k = 0; k < 10; ++k)
        dz[i * 10 + k] =
            (probs[i * 10 + k] / sum - (k == labels[i])) / float(n);
    }
    inner_product_backward_weights(denseW).execute(
        s, {{DNNL_ARG_SRC, dropped},
            {DNNL_ARG_DIFF_DST, dLogits},
            {DNNL_ARG_DIFF_WEIGHTS, w3.grad},
            {DNNL_ARG_DIFF_BIAS, b3.grad}});
    inner_product_backward_data(denseX).execute(s,
                                                {{DNNL_ARG_DIFF_DST, dLogits},
                                                 {DNNL_ARG_WEIGHTS, w3.value},
                                                 {DNNL_ARG_DIFF_SRC, dFlat}});
    float *df = static_cast<float *>(dFlat.get_data_handle());
    for (int64_t i = 0; i < n * 1600; ++i)
      df[i] *= mask[i];
    pooling_backward(pool2B).execute(s, {{DNNL_ARG_DIFF_DST, dFlat},
                                         {DNNL_ARG_DIFF_SRC, dA2},
                                         {DNNL_ARG_WORKSPACE, ws2}});
    eltwise_backward(relu2B).execute(s, {{DNNL_ARG_DST, a2},
                                         {DNNL_ARG_DIFF_DST, dA2},
                                         {DNNL_ARG_DIFF_SRC, dZ2}});
    convolution_backward_weights(conv2W).execute(
        s, {{DNNL_ARG_SRC, p1},
            {DNNL_ARG_DIFF_DST, dZ2},
            {DNNL_ARG_DIFF_WEIGHTS, k2Grad},
            {DNNL_ARG_DIFF_BIAS, b2.grad}});
    reorder(k2Grad, k2.grad).execute(s, k2Grad, k2.grad);
    reorder(k2.value, k2ForData).execute(s, k2.value, k2ForData);
    convolution_backward_data(conv2X).execute(s, {{DNNL_ARG_DIFF_DST, dZ2},
                                                  {DNNL_ARG_WEIGHTS, k2ForData},
                                                  {DNNL_ARG_DIFF_SRC, dP1}});
    pooling_backward(pool1B).execute(s, {{DNNL_ARG_DIFF_DST, dP1},
                                         {DNNL_ARG_DIFF_SRC, dA1},
                                         {DNNL_ARG_WORKSPACE, ws1}});
    eltwise_backward(relu1B).execute(s, {{DNNL_ARG_DST, a1},
                                         {DNNL_ARG_DIFF_DST, dA1},
                                         {DNNL_ARG_DIFF_SRC, dZ1}});
    convolution_backward_weights(conv1W).execute(
        s, {{DNNL_ARG_SRC, x},
            {DNNL_ARG_DIFF_DST, dZ1},
            {DNNL_ARG_DIFF_WEIGHTS, k1Grad},
            {DNNL_ARG_DIFF_BIAS, b1.grad}});
    reorder(k1Grad, k1.grad).execute(s, k1Grad, k1.grad);
    s.wait();
    for (Param *p : {&k1, &b1, &k2, &b2, &w3, &b3})
      p->adam(alpha);
  }

private:
  engine eng;
  stream s;
  int64_t n;
  convolution_forward::primitive_desc conv1, conv2;
  pooling_forward::primitive_desc pool1, pool2;
  inner_product_forward::primitive_desc dense;
  inner_product_backward_weights::primitive_desc denseW;
  inner_product_backward_data::primitive_desc denseX;
  pooling_backward::primitive_desc pool1B, pool2B;
  eltwise_backward::primitive_desc relu1B, relu2B;
  convolution_backward_weights::primitive_desc conv1W, conv2W;
  convolution_backward_data::primitive_desc conv2X;
  Param k1, b1, k2, b2, w3, b3;
  memory x, a1, a2, p1, p2, ws1, ws2, dropped, logits, dLogits, dFlat, dA1, dA2,
      dP1, dZ1, dZ2, k1Grad, k2Grad, k2ForData;
  std::vector<float> mask, probs;
};

/// mlc's JIT-compiled train step on one batch.
class MLCStep {
public:
  MLCStep(int64_t batch, unsigned threads) : n(batch) {
    auto file = llvm::MemoryBuffer::getFile(MLC_EXAMPLES_DIR "/mnist_cnn.mlir");
    if (!file)
      die("cannot read examples/mnist_cnn.mlir");
    auto context = mlc::createContext();
    auto module = mlir::parseSourceString<mlir::ModuleOp>((*file)->getBuffer(),
                                                          context.get());
    mlc::TargetOptions target;
    target.threads = threads;
    auto jit = mlc::JITModel::compile(context, std::move(module), target);
    if (!jit)
      die(llvm::toString(jit.takeError()));
    model = std::move(*jit);
    const mlc::ModelSignature &sig = model->signature();
    for (const mlc::TensorSpec &p : sig.params)
      params.emplace_back(p.numElements(1), 0.01f);
    for (const mlc::TensorSpec &st : sig.states)
      states.emplace_back(st.numElements(1), 0.0f);
    x.assign(size_t(n * 784), 0.0f);
    predictions.assign(size_t(n * 10), 0.0f);
  }
  float *input() { return x.data(); }
  void step(int32_t *labels, float alpha) {
    rate = 1e-3f;
    stepSize = alpha;
    mlc::StepBuffers buffers{mlc::dataOf(params),
                             mlc::dataOf(states),
                             &rate,
                             &stepSize,
                             x.data(),
                             labels,
                             &loss,
                             predictions.data()};
    if (args.empty())
      args = mlc::stepArguments(model->signature(), buffers, n, true);
    if (llvm::Error err = model->trainStep(args))
      die(llvm::toString(std::move(err)));
  }

private:
  int64_t n;
  std::unique_ptr<mlc::JITModel> model;
  std::vector<Floats> params, states;
  Floats x, predictions;
  float rate = 0, stepSize = 0, loss = 0;
  std::vector<mlc::BufferRef> args;
};

} // namespace

int main(int argc, char **argv) {
  std::vector<int64_t> batches;
  unsigned threads = 1;
  int rounds = 5;
  for (int i = 1; i < argc; ++i) {
    if (!std::strcmp(argv[i], "--threads") && i + 1 < argc)
      threads = unsigned(std::atoi(argv[++i]));
    else if (!std::strcmp(argv[i], "--rounds") && i + 1 < argc)
      rounds = std::max(1, std::atoi(argv[++i]));
    else
      batches.push_back(std::atoll(argv[i]));
  }
  if (batches.empty())
    batches = {32, 128};
  mlc::runtime::ScopedFlushDenormals denormals(true);
  double peak = mlc::bench::fmaPeak();
  std::printf("FMA peak %.1f GFLOP/s (1 thread); %u thread(s)\n", peak,
              threads);
  std::printf("%-6s %12s %12s %12s %12s %8s\n", "batch", "mlc best",
              "mlc median", "oneDNN best", "oneDNN med", "ratio");
  for (int64_t n : batches) {
    MLCStep ours(n, threads);
    OneDNNStep ref(n);
    std::mt19937 rng(1);
    std::uniform_real_distribution<float> pixel(0.0f, 1.0f);
    std::vector<int32_t> labels(n);
    for (int64_t i = 0; i < n * 784; ++i)
      ours.input()[i] = ref.input()[i] = pixel(rng);
    for (int64_t i = 0; i < n; ++i)
      labels[i] = int32_t(rng() % 10);
    // The convolutions' multiply-adds per sample (forward, input gradient
    // of layer 2, both kernel gradients).
    double flops =
        2.0 * double(n) * (26 * 26 * 32 * 9.0 * 2 + 11 * 11 * 64 * 288.0 * 3);
    int steps = std::max(3, int(0.2 / (flops / (peak * 0.5e9))));
    std::vector<double> a, b;
    uint64_t it = 0;
    for (int r = 0; r < rounds; ++r) {
      auto t0 = Clock::now();
      for (int k = 0; k < steps; ++k)
        ours.step(labels.data(),
                  float(mlc::runtime::adamStepSize(1e-3, 0.9, 0.999, it + k)));
      auto t1 = Clock::now();
      for (int k = 0; k < steps; ++k)
        ref.step(labels.data(),
                 float(mlc::runtime::adamStepSize(1e-3, 0.9, 0.999, it + k)),
                 it + k);
      auto t2 = Clock::now();
      it += steps;
      if (r == 0)
        continue; // warm-up
      a.push_back(std::chrono::duration<double>(t1 - t0).count() / steps);
      b.push_back(std::chrono::duration<double>(t2 - t1).count() / steps);
    }
    if (a.empty())
      die("--rounds must be at least 2 (the first is a warm-up)");
    std::sort(a.begin(), a.end());
    std::sort(b.begin(), b.end());
    std::printf("%-6lld %10.1fus %10.1fus %10.1fus %10.1fus %7.2fx   "
                "(convolutions: %.1f%% / %.1f%% of peak)\n",
                (long long)n, a.front() * 1e6, a[a.size() / 2] * 1e6,
                b.front() * 1e6, b[b.size() / 2] * 1e6, b.front() / a.front(),
                100 * flops / a.front() * 1e-9 / (peak * threads),
                100 * flops / b.front() * 1e-9 / (peak * threads));
  }
  return 0;
}
