//===- epoch-bench.cpp - seed-MLP epochs: mlc against a oneDNN step -------===//
//
// Trains the seed MLP (784-128-10, relu, softmax, sparse cross-entropy,
// Adam 1e-3) on MNIST, one thread, with two implementations in the same
// process, epoch for epoch in alternating order, so that load on the
// machine hits both alike:
//   mlc     the JIT-compiled train step of examples/mnist_mlp.mlir, driven
//           the way `mlc train` drives it (runtime/Batch.h batching, the
//           Adam step size, a finite-loss check and argmax scoring);
//   oneDNN  a hand-written C++ step: forward, backward and Adam with the
//           three matmuls of each direction through dnnl_sgemm and the rest
//           as plain loops, the same batching, every buffer allocated once.
// Both flush denormals to zero (as mlc does by default) and keep training
// across rounds, so later rounds see the denormal-prone Adam moments of a
// trained model. Prints, per batch size, the median and best epoch of
// each and the median of the per-round ratios. bench/epoch.sh runs it next
// to PyTorch.
//
//===----------------------------------------------------------------------===//

#include "bench/FmaPeak.h"
#include "compiler/Driver/Driver.h"
#include "runtime/Aligned.h"
#include "runtime/Batch.h"
#include "runtime/FloatMode.h"
#include "runtime/IDX.h"
#include "runtime/LearningRate.h"

#include "mlir/Parser/Parser.h"
#include "llvm/Support/MemoryBuffer.h"

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

using Clock = std::chrono::steady_clock;
using mlc::runtime::Dataset;

namespace {

[[noreturn]] void die(const std::string &message) {
  std::fprintf(stderr, "mlc-epoch-bench: %s\n", message.c_str());
  std::exit(1);
}

constexpr int64_t I = 784, H = 128, O = 10;

// Both sides get 64-byte aligned buffers, as `mlc train` does.
using Floats = mlc::runtime::AlignedVector<float>;

/// The hand-written reference step.
class OneDNNStep {
public:
  explicit OneDNNStep(int64_t maxBatch)
      : w1(I * H), b1(H, 0), w2(H * O), b2(O, 0), gw1(I * H), gb1(H),
        gw2(H * O), gb2(O), a1(I * H), ab1(H), a2(H * O), ab2(O),
        x(maxBatch * I), h(maxBatch * H), z(maxBatch * O), dz(maxBatch * O),
        dh(maxBatch * H), y(maxBatch) {
    std::mt19937 rng(0);
    auto glorot = [&](Floats &w, int64_t fanIn, int64_t fanOut) {
      float limit = std::sqrt(6.0f / float(fanIn + fanOut));
      std::uniform_real_distribution<float> d(-limit, limit);
      for (float &v : w)
        v = d(rng);
    };
    glorot(w1, I, H);
    glorot(w2, H, O);
  }

  /// One epoch over `order` in batches of `batch`; returns the mean loss.
  double epoch(const Dataset &set, const std::vector<int64_t> &order,
               int64_t batch) {
    const int64_t n = int64_t(order.size());
    double lossSum = 0;
    for (int64_t begin = 0; begin < n; begin += batch) {
      int64_t b = mlc::runtime::loadBatch(set, order, begin, batch, 0.0f, 1.0f,
                                          x.data(), y.data());
      lossSum += step(b) * double(b);
    }
    return lossSum / double(n);
  }

private:
  struct Adam {
    Floats m, v;
    explicit Adam(size_t n) : m(n, 0.0f), v(n, 0.0f) {}
    void update(float *p, const float *g, size_t n, float alpha) {
      for (size_t i = 0; i < n; ++i) {
        m[i] += (g[i] - m[i]) * 0.1f;
        v[i] += (g[i] * g[i] - v[i]) * 0.001f;
        p[i] -= m[i] * alpha / (std::sqrt(v[i]) + 1e-7f);
      }
    }
  };

  float step(int64_t b) {
    // Forward.
    dnnl_sgemm('N', 'N', b, H, I, 1.0f, x.data(), I, w1.data(), H, 0.0f,
               h.data(), H);
    for (int64_t i = 0; i < b; ++i)
      for (int64_t j = 0; j < H; ++j)
        h[i * H + j] = std::max(h[i * H + j] + b1[j], 0.0f);
    dnnl_sgemm('N', 'N', b, O, H, 1.0f, h.data(), H, w2.data(), O, 0.0f,
               z.data(), O);
    // Softmax, cross-entropy and its gradient (softmax - onehot) / b.
    float loss = 0;
    for (int64_t i = 0; i < b; ++i) {
      float *row = &z[i * O];
      float mx = -INFINITY, s = 0;
      for (int64_t j = 0; j < O; ++j)
        mx = std::max(mx, row[j] += b2[j]);
      float zy = row[y[i]];
      for (int64_t j = 0; j < O; ++j)
        s += (row[j] = std::exp(row[j] - mx));
      loss += std::log(s) + mx - zy;
      for (int64_t j = 0; j < O; ++j)
        dz[i * O + j] = (row[j] / s - (j == y[i] ? 1.0f : 0.0f)) / float(b);
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
    a1.update(w1.data(), gw1.data(), w1.size(), alpha);
    ab1.update(b1.data(), gb1.data(), b1.size(), alpha);
    a2.update(w2.data(), gw2.data(), w2.size(), alpha);
    ab2.update(b2.data(), gb2.data(), b2.size(), alpha);
    return loss / float(b);
  }

  Floats w1, b1, w2, b2, gw1, gb1, gw2, gb2;
  Adam a1, ab1, a2, ab2;
  Floats x, h, z, dz, dh;
  mlc::runtime::AlignedVector<int32_t> y;
  int64_t t = 0;
};

/// mlc's compiled step, driven as `mlc train` drives it.
class MlcStep {
public:
  MlcStep(mlc::JITModel &jit, int64_t maxBatch) : jit(jit) {
    const mlc::ModelSignature &sig = jit.signature();
    std::vector<float *> ptrs;
    for (const mlc::TensorSpec &p : sig.params) {
      params.emplace_back(p.numElements(0));
      ptrs.push_back(params.back().data());
    }
    for (const mlc::TensorSpec &s : sig.states)
      states.emplace_back(s.numElements(0), 0.0f);
    if (llvm::Error err = mlc::initializeParams(sig, 0, ptrs))
      die(llvm::toString(std::move(err)));
    x.resize(maxBatch * I);
    y.resize(maxBatch);
    predictions.resize(maxBatch * O);
  }

  double epoch(const Dataset &set, const std::vector<int64_t> &order,
               int64_t batch) {
    const mlc::ModelSignature &sig = jit.signature();
    const int64_t n = int64_t(order.size());
    double lossSum = 0;
    int64_t correct = 0;
    for (int64_t begin = 0; begin < n; begin += batch) {
      int64_t b = mlc::runtime::loadBatch(set, order, begin, batch, 0.0f, 1.0f,
                                          x.data(), y.data());
      rate = float(sig.learningRate);
      stepSize = float(mlc::runtime::adamStepSize(sig.learningRate, sig.beta1,
                                                  sig.beta2, iteration));
      loss = 0;
      if (llvm::Error err = jit.trainStep(buffers(b)))
        die(llvm::toString(std::move(err)));
      if (!std::isfinite(loss))
        die("mlc's loss became " + std::to_string(loss));
      ++iteration;
      lossSum += double(loss) * double(b);
      for (int64_t i = 0; i < b; ++i) {
        const float *row = &predictions[i * O];
        correct += std::max_element(row, row + O) - row == y[i];
      }
    }
    accuracy = double(correct) / double(n);
    return lossSum / double(n);
  }

  double accuracy = 0;

private:
  const std::vector<mlc::BufferRef> &buffers(int64_t b) {
    if (b == cachedBatch)
      return args;
    cachedBatch = b;
    mlc::StepBuffers step{mlc::dataOf(params),
                          mlc::dataOf(states),
                          &rate,
                          &stepSize,
                          x.data(),
                          y.data(),
                          &loss,
                          predictions.data()};
    args = mlc::stepArguments(jit.signature(), step, b, /*training=*/true);
    return args;
  }

  mlc::JITModel &jit;
  std::vector<Floats> params, states;
  Floats x, predictions;
  mlc::runtime::AlignedVector<int32_t> y;
  float rate = 0, stepSize = 0, loss = 0;
  int64_t iteration = 0, cachedBatch = -1;
  std::vector<mlc::BufferRef> args;
};

/// Seconds per element of Adam's m / (sqrt(v) + eps), exactly rounded, on
/// data in L1: the divider's throughput, which no schedule can beat.
double sqrtDivideSeconds() {
  const int64_t n = 4096;
  Floats m(n, 0.001f), v(n, 1e-6f), out(n);
  double best = 1e30;
  for (int r = 0; r < 200; ++r) {
    auto start = Clock::now();
    for (int64_t i = 0; i < n; ++i)
      out[i] = m[i] / (std::sqrt(v[i]) + 1e-7f);
    best = std::min(
        best, std::chrono::duration<double>(Clock::now() - start).count());
    v[r % n] += out[(r * 7) % n] * 1e-12f;
  }
  return best / double(n);
}

double median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  size_t n = v.size();
  return n % 2 ? v[n / 2] : 0.5 * (v[n / 2 - 1] + v[n / 2]);
}

} // namespace

int main(int argc, char **argv) {
  if (argc < 3) {
    std::fprintf(stderr,
                 "usage: mlc-epoch-bench DATA_DIR BATCH... [-r ROUNDS]\n"
                 "  (set OMP_NUM_THREADS=1 for one-thread oneDNN; "
                 "bench/epoch.sh does)\n");
    return 1;
  }
  std::string dataDir = argv[1];
  std::vector<int64_t> batches;
  int rounds = 5;
  for (int i = 2; i < argc; ++i) {
    if (std::string(argv[i]) == "-r" && i + 1 < argc)
      rounds = std::atoi(argv[++i]);
    else
      batches.push_back(std::atoll(argv[i]));
  }
  if (batches.empty() || rounds < 1)
    die("need batch sizes and at least one round");
  Dataset train, test;
  std::string error;
  if (!mlc::runtime::loadIdxDirectory(dataDir, train, test, error))
    die(error);

  auto file = llvm::MemoryBuffer::getFile(MLC_EXAMPLES_DIR "/mnist_mlp.mlir");
  if (!file)
    die(std::string(MLC_EXAMPLES_DIR) +
        "/mnist_mlp.mlir: " + file.getError().message());
  auto context = mlc::createContext();
  auto module = mlir::parseSourceString<mlir::ModuleOp>((*file)->getBuffer(),
                                                        context.get());
  if (!module)
    die("examples/mnist_mlp.mlir does not parse");
  mlc::TargetOptions target; // one thread, denormals flushed
  auto jit = mlc::JITModel::compile(context, std::move(module), target);
  if (!jit)
    die(llvm::toString(jit.takeError()));

  std::printf("%-6s %-8s %10s %10s %12s\n", "batch", "", "median", "best",
              "final loss");
  std::vector<double> refBest;
  for (int64_t batch : batches) {
    MlcStep mlcStep(**jit, batch);
    OneDNNStep reference(batch);
    std::vector<double> mlcTimes, refTimes, ratios;
    double mlcLoss = 0, refLoss = 0;
    std::vector<int64_t> order(train.size());
    for (int r = 0; r < rounds; ++r) {
      std::iota(order.begin(), order.end(), 0);
      std::shuffle(order.begin(), order.end(), std::mt19937(r + 1));
      double tMlc = 0, tRef = 0;
      // Alternate which goes first, so neither always runs on the other's
      // cache state.
      for (int k = 0; k < 2; ++k) {
        bool runMlc = (k == 0) == (r % 2 == 0);
        auto start = Clock::now();
        if (runMlc) {
          mlcLoss = mlcStep.epoch(train, order, batch);
        } else {
          // The reference sets the floating-point mode mlc's JIT sets.
          mlc::runtime::ScopedFlushDenormals flush(true);
          refLoss = reference.epoch(train, order, batch);
        }
        double s = std::chrono::duration<double>(Clock::now() - start).count();
        (runMlc ? tMlc : tRef) = s;
      }
      mlcTimes.push_back(tMlc);
      refTimes.push_back(tRef);
      ratios.push_back(tRef / tMlc);
    }
    std::printf("%-6lld %-8s %9.3fs %9.3fs %12.4f   (train accuracy %.4f)\n",
                (long long)batch, "mlc", median(mlcTimes),
                *std::min_element(mlcTimes.begin(), mlcTimes.end()), mlcLoss,
                mlcStep.accuracy);
    refBest.push_back(*std::min_element(refTimes.begin(), refTimes.end()));
    std::printf("%-6s %-8s %9.3fs %9.3fs %12.4f\n", "", "oneDNN",
                median(refTimes),
                *std::min_element(refTimes.begin(), refTimes.end()), refLoss);
    std::printf("%-6s oneDNN / mlc: %.2fx (median of %d paired epochs; "
                "range %.2f-%.2f)\n",
                "", median(ratios), rounds,
                *std::min_element(ratios.begin(), ratios.end()),
                *std::max_element(ratios.begin(), ratios.end()));
    std::fflush(stdout);
  }

  // What the machine allows: the step's matmuls at the FMA peak, plus the
  // exactly rounded sqrt and divide of Adam for every parameter.
  double peak = mlc::bench::fmaPeak(), divide = sqrtDivideSeconds();
  if (peak <= 0) {
    std::printf("\nfloor: not measured (built without AVX2 and FMA)\n");
    return 0;
  }
  const double samples = double(train.size());
  const double flops = samples * 2.0 * (2.0 * I * H + 3.0 * H * O);
  const double params = double(I * H + H + H * O + O);
  std::printf("\nfloor: %.1f GFLOP of matmuls per epoch at the measured FMA "
              "peak of %.1f GFLOP/s = %.3fs,\n",
              flops * 1e-9, peak, flops / peak * 1e-9);
  for (size_t k = 0; k < batches.size(); ++k) {
    double steps = std::ceil(samples / double(batches[k]));
    double adam = steps * params * divide;
    std::printf("  batch %-4lld + Adam's sqrt and divide (%.2f ns per "
                "parameter, %.0f steps) %.3fs = %.3fs; 1.2x faster than the "
                "oneDNN step's best epoch would take %.3fs\n",
                (long long)batches[k], divide * 1e9, steps, adam,
                flops / peak * 1e-9 + adam, refBest[k] / 1.2);
  }
  return 0;
}
