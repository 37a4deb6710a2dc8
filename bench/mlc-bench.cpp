//===- mlc-bench.cpp - mlc against BLAS libraries, side by side -----------===//
//
// Runs each workload with mlc's JIT and with a reference implementation
// (OpenBLAS and oneDNN sgemm, plus plain loops for the epilogues) in the
// same process, interleaved in rounds, and prints the ratios. Run it with
// bench/run.sh, which sets the environment the libraries need to run at
// their best (see there).
//
//===----------------------------------------------------------------------===//

#include "compiler/Driver/Driver.h"

#include "mlir/Parser/Parser.h"
#include "llvm/Support/MemoryBuffer.h"

#include <cblas.h>
#include <oneapi/dnnl/dnnl.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <functional>
#include <memory>
#include <string>
#include <vector>

using Clock = std::chrono::steady_clock;

namespace {

/// 64-byte aligned float buffer, allocated and touched once.
struct Buffer {
  float *data;
  size_t n;
  explicit Buffer(size_t n, float scale = 1.0f) : n(n) {
    data =
        static_cast<float *>(std::aligned_alloc(64, ((n * 4 + 63) / 64) * 64));
    uint32_t s = uint32_t(n) * 2654435761u;
    for (size_t i = 0; i < n; ++i) {
      s = s * 1664525u + 1013904223u;
      data[i] = scale * (float((s >> 8) & 0xffff) / 65536.0f - 0.5f);
    }
  }
  ~Buffer() { std::free(data); }
  Buffer(const Buffer &) = delete;
};

/// Median seconds per call of each function, interleaved over rounds.
std::vector<double> timeInterleaved(std::vector<std::function<void()>> fns,
                                    int rounds, int callsPerRound) {
  std::vector<std::vector<double>> samples(fns.size());
  for (auto &fn : fns)
    for (int i = 0; i < 3; ++i)
      fn(); // warm up
  for (int r = 0; r < rounds; ++r)
    for (size_t f = 0; f < fns.size(); ++f) {
      auto start = Clock::now();
      for (int c = 0; c < callsPerRound; ++c)
        fns[f]();
      samples[f].push_back(
          std::chrono::duration<double>(Clock::now() - start).count() /
          callsPerRound);
    }
  std::vector<double> medians;
  for (auto &s : samples) {
    std::sort(s.begin(), s.end());
    medians.push_back(s[s.size() / 2]);
  }
  return medians;
}

std::unique_ptr<mlc::JITModel>
compile(const std::string &source, double *ms = nullptr, unsigned threads = 1) {
  auto start = Clock::now();
  auto context = mlc::createContext();
  auto module = mlir::parseSourceString<mlir::ModuleOp>(source, context.get());
  if (!module) {
    std::fprintf(stderr, "mlc-bench: model does not parse\n");
    std::exit(1);
  }
  mlc::TargetOptions target;
  target.threads = threads;
  // MLC_BENCH_OPT=N compares LLVM optimization levels (default 3).
  if (const char *o = std::getenv("MLC_BENCH_OPT"))
    target.optLevel = unsigned(std::atoi(o));
  auto jit = mlc::JITModel::compile(context, std::move(module), target);
  if (!jit) {
    std::fprintf(stderr, "mlc-bench: %s\n",
                 llvm::toString(jit.takeError()).c_str());
    std::exit(1);
  }
  if (ms)
    *ms =
        std::chrono::duration<double, std::milli>(Clock::now() - start).count();
  return std::move(*jit);
}

void run(mlc::JITModel &jit, std::vector<mlc::BufferRef> buffers) {
  if (llvm::Error err = jit.predict(buffers)) {
    std::fprintf(stderr, "mlc-bench: %s\n",
                 llvm::toString(std::move(err)).c_str());
    std::exit(1);
  }
}

void printRow(const char *name, double flops, double mlcS,
              const std::vector<std::pair<const char *, double>> &refs) {
  double best = 1e30;
  for (auto &r : refs)
    best = std::min(best, r.second);
  std::printf("%-30s %9.1f", name, flops / mlcS * 1e-9);
  for (auto &r : refs)
    std::printf(" %9.1f", flops / r.second * 1e-9);
  std::printf("   %6.2fx\n", best / mlcS);
}

const char *kDense512 = R"(
mlc.model @dense512 {
  %x = mlc.input "x" : tensor<?x512xf32>
  mlc.param @w : tensor<512x512xf32> = #mlc.glorot_uniform
  %w = mlc.param_ref @w : tensor<512x512xf32>
  %y = mlc.matmul %x, %w : (tensor<?x512xf32>, tensor<512x512xf32>) -> tensor<?x512xf32>
  mlc.output %y : tensor<?x512xf32>
})";

const char *kMLP = R"(
mlc.model @mnist_mlp {
  %x = mlc.input "image" : tensor<?x28x28xf32>
  %f = mlc.flatten %x : tensor<?x28x28xf32> -> tensor<?x784xf32>
  %h = mlc.dense %f {units = 128, activation = #mlc.act<relu>} : tensor<?x784xf32> -> tensor<?x128xf32>
  %y = mlc.dense %h {units = 10, activation = #mlc.act<softmax>} : tensor<?x128xf32> -> tensor<?x10xf32>
  mlc.output %y : tensor<?x10xf32>
})";

/// The MLP forward by hand: sgemm, bias+relu, sgemm, bias+softmax.
void referenceMLP(bool dnnl, int64_t b, const float *x, const float *w1,
                  const float *b1, const float *w2, const float *b2, float *h,
                  float *y) {
  if (dnnl)
    dnnl_sgemm('N', 'N', b, 128, 784, 1.0f, x, 784, w1, 128, 0.0f, h, 128);
  else
    cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, b, 128, 784, 1.0f, x,
                784, w1, 128, 0.0f, h, 128);
  for (int64_t i = 0; i < b; ++i)
    for (int64_t j = 0; j < 128; ++j)
      h[i * 128 + j] = std::max(h[i * 128 + j] + b1[j], 0.0f);
  if (dnnl)
    dnnl_sgemm('N', 'N', b, 10, 128, 1.0f, h, 128, w2, 10, 0.0f, y, 10);
  else
    cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, b, 10, 128, 1.0f, h,
                128, w2, 10, 0.0f, y, 10);
  for (int64_t i = 0; i < b; ++i) {
    float *row = y + i * 10;
    float m = -INFINITY, s = 0;
    for (int j = 0; j < 10; ++j)
      m = std::max(m, row[j] += b2[j]);
    for (int j = 0; j < 10; ++j)
      s += (row[j] = std::exp(row[j] - m));
    for (int j = 0; j < 10; ++j)
      row[j] /= s;
  }
}

double maxAbsDiff(const float *a, const float *b, size_t n) {
  double d = 0;
  for (size_t i = 0; i < n; ++i)
    d = std::max(d, double(std::abs(a[i] - b[i])));
  return d;
}

} // namespace

int main(int argc, char **argv) {
  int rounds = argc > 1 ? std::atoi(argv[1]) : 7;
  std::printf("mlc-bench: median of %d interleaved rounds; GFLOP/s, single "
              "thread\n\n",
              rounds);
  std::printf("%-30s %9s %9s %9s   %s\n", "workload", "mlc", "OpenBLAS",
              "oneDNN", "mlc / best");

  // Dense forward, 512 x 512 x 512.
  {
    const int64_t n = 512;
    auto jit = compile(kDense512);
    Buffer a(n * n), w(n * n), c0(n * n), c1(n * n), c2(n * n);
    std::vector<mlc::BufferRef> bufs = {
        {w.data, {n, n}}, {a.data, {n, n}}, {c0.data, {n, n}}};
    auto t = timeInterleaved({[&] { run(*jit, bufs); },
                              [&] {
                                cblas_sgemm(CblasRowMajor, CblasNoTrans,
                                            CblasNoTrans, n, n, n, 1.0f, a.data,
                                            n, w.data, n, 0.0f, c1.data, n);
                              },
                              [&] {
                                dnnl_sgemm('N', 'N', n, n, n, 1.0f, a.data, n,
                                           w.data, n, 0.0f, c2.data, n);
                              }},
                             rounds, 20);
    printRow("dense 512x512x512", 2.0 * n * n * n, t[0],
             {{"OpenBLAS", t[1]}, {"oneDNN", t[2]}});
    std::printf("%-30s max |mlc - OpenBLAS| = %.2e\n", "",
                maxAbsDiff(c0.data, c1.data, n * n));

    // The same kernel on 2 OpenMP threads.
    auto jit2 = compile(kDense512, nullptr, 2);
    Buffer c3(n * n);
    std::vector<mlc::BufferRef> bufs2 = {
        {w.data, {n, n}}, {a.data, {n, n}}, {c3.data, {n, n}}};
    auto t2 = timeInterleaved(
        {[&] { run(*jit, bufs); }, [&] { run(*jit2, bufs2); }}, rounds, 20);
    std::printf("%-30s %9.1f GFLOP/s on 2 threads: %.2fx the 1-thread "
                "kernel; identical result: %s\n",
                "dense 512^3, 2 threads", 2.0 * n * n * n / t2[1] * 1e-9,
                t2[0] / t2[1],
                std::equal(c0.data, c0.data + n * n, c3.data) ? "yes" : "NO");
  }

  // The MLP's first layer alone: dense 784 -> 128 + relu, batch 1024.
  {
    const int64_t b = 1024;
    auto jit = compile(R"(
mlc.model @layer1 {
  %x = mlc.input "x" : tensor<?x784xf32>
  %h = mlc.dense %x {units = 128, activation = #mlc.act<relu>} : tensor<?x784xf32> -> tensor<?x128xf32>
  mlc.output %h : tensor<?x128xf32>
})");
    Buffer x(b * 784), w(784 * 128, 0.1f), bias(128), h0(b * 128), h1(b * 128),
        h2(b * 128);
    std::vector<mlc::BufferRef> bufs = {{w.data, {784, 128}},
                                        {bias.data, {128}},
                                        {x.data, {b, 784}},
                                        {h0.data, {b, 128}}};
    auto biasRelu = [&](float *h) {
      for (int64_t i = 0; i < b; ++i)
        for (int64_t j = 0; j < 128; ++j)
          h[i * 128 + j] = std::max(h[i * 128 + j] + bias.data[j], 0.0f);
    };
    auto t = timeInterleaved(
        {[&] { run(*jit, bufs); },
         [&] {
           cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, b, 128, 784,
                       1.0f, x.data, 784, w.data, 128, 0.0f, h1.data, 128);
           biasRelu(h1.data);
         },
         [&] {
           dnnl_sgemm('N', 'N', b, 128, 784, 1.0f, x.data, 784, w.data, 128,
                      0.0f, h2.data, 128);
           biasRelu(h2.data);
         }},
        rounds, 20);
    printRow("dense 784->128 relu, b=1024", 2.0 * b * 784 * 128, t[0],
             {{"OpenBLAS", t[1]}, {"oneDNN", t[2]}});
  }

  // Seed MLP forward at batch 1024.
  {
    const int64_t b = 1024;
    auto jit = compile(kMLP);
    Buffer x(b * 784), w1(784 * 128, 0.1f), b1(128, 0.1f), w2(128 * 10, 0.3f),
        b2(10, 0.1f), y0(b * 10), y1(b * 10), y2(b * 10), h(b * 128);
    std::vector<mlc::BufferRef> bufs = {
        {w1.data, {784, 128}}, {b1.data, {128}},      {w2.data, {128, 10}},
        {b2.data, {10}},       {x.data, {b, 28, 28}}, {y0.data, {b, 10}}};
    auto t = timeInterleaved({[&] { run(*jit, bufs); },
                              [&] {
                                referenceMLP(false, b, x.data, w1.data, b1.data,
                                             w2.data, b2.data, h.data, y1.data);
                              },
                              [&] {
                                referenceMLP(true, b, x.data, w1.data, b1.data,
                                             w2.data, b2.data, h.data, y2.data);
                              }},
                             rounds, 20);
    printRow("seed MLP forward, batch 1024", 2.0 * b * (784 * 128 + 128 * 10),
             t[0], {{"OpenBLAS", t[1]}, {"oneDNN", t[2]}});
    std::printf("%-30s max |mlc - OpenBLAS| = %.2e\n", "",
                maxAbsDiff(y0.data, y1.data, b * 10));
  }

  // A softmax over 1000 classes, batch 256: exp-bound. Against plain loops
  // over std::exp (libm), built -O3 for this CPU.
  {
    const int64_t b = 256, k = 1000;
    auto jit = compile(R"(
mlc.model @softmax {
  %x = mlc.input "x" : tensor<?x1000xf32>
  %y = mlc.softmax %x : tensor<?x1000xf32>
  mlc.output %y : tensor<?x1000xf32>
})");
    Buffer x(b * k, 20.0f), y0(b * k), y1(b * k);
    std::vector<mlc::BufferRef> bufs = {{x.data, {b, k}}, {y0.data, {b, k}}};
    auto t = timeInterleaved({[&] { run(*jit, bufs); },
                              [&] {
                                for (int64_t i = 0; i < b; ++i) {
                                  const float *row = x.data + i * k;
                                  float *out = y1.data + i * k;
                                  float mx = *std::max_element(row, row + k),
                                        sum = 0;
                                  for (int64_t j = 0; j < k; ++j)
                                    sum += out[j] = std::exp(row[j] - mx);
                                  for (int64_t j = 0; j < k; ++j)
                                    out[j] /= sum;
                                }
                              }},
                             rounds, 20);
    double maxRel = 0;
    for (int64_t i = 0; i < b * k; ++i)
      maxRel = std::max(maxRel, double(std::abs(y0.data[i] - y1.data[i])) /
                                    std::max(1e-30, double(y1.data[i])));
    std::printf("%-30s %9.1f us/call, plain loops with libm exp %.1f us: "
                "%.2fx; max relative difference %.1e\n",
                "softmax 256x1000", t[0] * 1e6, t[1] * 1e6, t[1] / t[0],
                maxRel);
  }

  // The seed MLP's whole Adam train step (forward, backward, update).
  {
    // The shipped seed model: kMLP plus its loss and Adam.
    auto file = llvm::MemoryBuffer::getFile(MLC_EXAMPLES_DIR "/mnist_mlp.mlir");
    if (!file) {
      std::fprintf(stderr, "mlc-bench: %s/mnist_mlp.mlir: %s\n",
                   MLC_EXAMPLES_DIR, file.getError().message().c_str());
      return 1;
    }
    auto jit = compile((*file)->getBuffer().str());
    const mlc::ModelSignature &sig = jit->signature();
    for (int64_t b : {32, 128}) {
      std::vector<std::unique_ptr<Buffer>> keep;
      std::vector<mlc::BufferRef> bufs;
      auto add = [&](int64_t n, std::vector<int64_t> shape, float scale) {
        keep.push_back(std::make_unique<Buffer>(n, scale));
        bufs.push_back({keep.back()->data, shape});
      };
      for (const auto &p : sig.params)
        add(p.numElements(b), p.shape, 0.1f);
      for (const auto &st : sig.states)
        add(st.numElements(b), st.shape, 0.0f);
      float lr = 1e-3f, alpha = 1e-4f, loss = 0;
      bufs.push_back({&lr, {}});
      bufs.push_back({&alpha, {}});
      add(b * 784, {b, 28, 28}, 1.0f);
      std::vector<int32_t> labels(b);
      for (int64_t i = 0; i < b; ++i)
        labels[i] = int32_t(i % 10);
      bufs.push_back({labels.data(), {b}});
      bufs.push_back({&loss, {}});
      add(b * 10, {b, 10}, 0.0f);
      auto t = timeInterleaved({[&] {
                                 if (llvm::Error err = jit->trainStep(bufs)) {
                                   std::fprintf(
                                       stderr, "mlc-bench: %s\n",
                                       llvm::toString(std::move(err)).c_str());
                                   std::exit(1);
                                 }
                               }},
                               rounds, 50);
      std::printf("%-30s %9.1f us/step (batch %lld)\n",
                  "seed MLP Adam train step", t[0] * 1e6, (long long)b);
    }
  }

  // Compile time: parse -> JIT-ready, seed MLP forward.
  {
    std::vector<double> ms, mlir, llvmMs, irMs;
    double first = 0;
    compile(kMLP, &first);
    for (int i = 0; i < 5; ++i) {
      double t = 0;
      auto jit = compile(kMLP, &t);
      ms.push_back(t);
      mlir.push_back(jit->pipelineMs);
      llvmMs.push_back(jit->llvmMs);
      irMs.push_back(jit->llvmIRMs);
    }
    std::sort(ms.begin(), ms.end());
    std::sort(mlir.begin(), mlir.end());
    std::sort(llvmMs.begin(), llvmMs.end());
    std::sort(irMs.begin(), irMs.end());
    std::printf("\ncompile seed MLP forward (parse -> JIT-ready): median %.0f "
                "ms over 5 (MLIR pipeline %.0f ms, LLVM %.0f ms of which IR "
                "optimization %.0f ms); the third compile in this process "
                "took %.0f ms\n",
                ms[2], mlir[2], llvmMs[2], irMs[2], first);
  }
  return 0;
}
