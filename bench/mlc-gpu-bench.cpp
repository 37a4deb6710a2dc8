//===- mlc-gpu-bench.cpp - mlc's GPU code against the CPU's, timed -------===//
//
//   mlc-gpu-bench [steps]
//
// On a machine with an NVIDIA GPU (bench/gpu.sh runs it next to PyTorch):
//   * the seed MLP's train step at batch 128: --target=cuda (buffers in
//     shared memory, so no copies) and the CPU JIT (one thread), median
//     microseconds per step;
//   * a 4096 x 4096 x 4096 sgemm compiled by mlc for the GPU, median
//     milliseconds and TFLOP/s (PyTorch/cuBLAS is timed by gpu_torch.py).
// Results are checked against the CPU before they are timed.
//
//===----------------------------------------------------------------------===//

#include "compiler/Driver/Driver.h"
#include "runtime/LearningRate.h"
#include "runtime/cuda/CudaRuntime.h"

#include "mlir/Parser/Parser.h"
#include "llvm/Support/MemoryBuffer.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>

namespace {

using Clock = std::chrono::steady_clock;

[[noreturn]] void die(const std::string &message) {
  std::fprintf(stderr, "mlc-gpu-bench: %s\n", message.c_str());
  std::exit(1);
}

std::unique_ptr<mlc::JITModel> compile(const std::string &source,
                                       const mlc::TargetOptions &target) {
  auto context = mlc::createContext();
  auto module = mlir::parseSourceString<mlir::ModuleOp>(source, context.get());
  if (!module)
    die("model does not parse");
  auto jit = mlc::JITModel::compile(context, std::move(module), target);
  if (!jit)
    die(llvm::toString(jit.takeError()));
  return std::move(*jit);
}

/// A float buffer in memory the GPU uses in place (or plain on the CPU).
struct Buffer {
  float *data = nullptr;
  size_t count = 0;
  bool shared = false;
  Buffer(size_t n, bool gpu) : count(n), shared(gpu) {
    data = static_cast<float *>(
        gpu ? mlc::cuda::allocateShared(4 * n)
            : std::aligned_alloc(64, (4 * n + 63) / 64 * 64));
    if (!data)
      die("cannot allocate " + std::to_string(4 * n) + " bytes");
  }
  ~Buffer() { shared ? mlc::cuda::freeShared(data) : std::free(data); }
};

double median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  return v[v.size() / 2];
}

void check(llvm::Error err) {
  if (err)
    die(llvm::toString(std::move(err)));
}

/// Median seconds of `steps` train steps at batch 128.
double trainStepSeconds(mlc::JITModel &jit, bool gpu, int steps,
                        std::vector<float> *paramsOut) {
  const mlc::ModelSignature &sig = jit.signature();
  const int64_t batch = 128;
  std::vector<std::unique_ptr<Buffer>> params, states;
  std::vector<mlc::BufferRef> b;
  std::vector<float *> ptrs;
  for (const mlc::TensorSpec &t : sig.params) {
    params.push_back(std::make_unique<Buffer>(t.numElements(0), gpu));
    ptrs.push_back(params.back()->data);
    b.push_back({params.back()->data, t.shape});
  }
  check(mlc::initializeParams(sig, 0, ptrs));
  for (const mlc::TensorSpec &t : sig.states) {
    states.push_back(std::make_unique<Buffer>(t.numElements(0), gpu));
    std::memset(states.back()->data, 0, 4 * states.back()->count);
    b.push_back({states.back()->data, t.shape});
  }
  Buffer scalars(3, gpu), x(batch * 784, gpu), out(batch * 10, gpu);
  Buffer labels(batch, gpu); // int32 labels, same size as floats
  scalars.data[0] = float(sig.learningRate);
  scalars.data[1] = float(
      mlc::runtime::adamStepSize(sig.learningRate, sig.beta1, sig.beta2, 0));
  for (size_t i = 0; i < x.count; ++i)
    x.data[i] = float((i * 2654435761u >> 8) % 256) / 255.0f;
  auto *y = reinterpret_cast<int32_t *>(labels.data);
  for (int64_t i = 0; i < batch; ++i)
    y[i] = int32_t(i % 10);
  b.push_back({&scalars.data[0], {}});
  b.push_back({&scalars.data[1], {}});
  b.push_back({x.data, {batch, 28, 28}});
  b.push_back({y, {batch}});
  b.push_back({&scalars.data[2], {}});
  b.push_back({out.data, {batch, 10}});
  std::vector<double> times;
  for (int s = 0; s < steps + 5; ++s) {
    auto start = Clock::now();
    check(jit.trainStep(b));
    double t = std::chrono::duration<double>(Clock::now() - start).count();
    if (s >= 5)
      times.push_back(t);
  }
  if (paramsOut)
    paramsOut->assign(params[0]->data, params[0]->data + params[0]->count);
  return median(times);
}

const char *kMatmul4096 = R"(
mlc.model @sgemm {
  %a = mlc.input "a" : tensor<?x4096xf32>
  %b = mlc.input "b" : tensor<4096x4096xf32>
  %c = mlc.matmul %a, %b : (tensor<?x4096xf32>, tensor<4096x4096xf32>) -> tensor<?x4096xf32>
  mlc.output %c : tensor<?x4096xf32>
})";

} // namespace

int main(int argc, char **argv) {
  int steps = argc > 1 ? std::atoi(argv[1]) : 50;
  std::string why;
  if (!mlc::cuda::available(why))
    die("no usable GPU: " + why);
  std::printf("GPU: %s\n", mlc::cuda::deviceDescription().c_str());

  auto file = llvm::MemoryBuffer::getFile(MLC_EXAMPLES_DIR "/mnist_mlp.mlir");
  if (!file)
    die("cannot read examples/mnist_mlp.mlir");
  std::string seed = (*file)->getBuffer().str();
  mlc::TargetOptions cpuTarget, gpuTarget;
  gpuTarget.gpuChip =
      std::getenv("MLC_GPU_CHIP") ? std::getenv("MLC_GPU_CHIP") : "sm_90a";
  auto cpu = compile(seed, cpuTarget);
  auto gpu = compile(seed, gpuTarget);
  std::vector<float> cpuW, gpuW;
  double cpuS = trainStepSeconds(*cpu, false, steps, &cpuW);
  double gpuS = trainStepSeconds(*gpu, true, steps, &gpuW);
  double worst = 0, scale = 0;
  for (size_t i = 0; i < cpuW.size(); ++i) {
    worst = std::max(worst, double(std::abs(cpuW[i] - gpuW[i])));
    scale = std::max(scale, double(std::abs(cpuW[i])));
  }
  std::printf("seed MLP train step, batch 128: GPU %.1f us, CPU (1 thread) "
              "%.1f us, CPU/GPU %.2fx (max |dW1| difference %.2g of %.2g)\n",
              gpuS * 1e6, cpuS * 1e6, cpuS / gpuS, worst, scale);

  auto sgemm = compile(kMatmul4096, gpuTarget);
  const int64_t n = 4096;
  Buffer a(n * n, true), b(n * n, true), c(n * n, true);
  for (int64_t i = 0; i < n * n; ++i) {
    a.data[i] = float((i * 7) % 13) / 13.0f - 0.5f;
    b.data[i] = float((i * 5) % 11) / 11.0f - 0.5f;
  }
  std::vector<mlc::BufferRef> args = {
      {a.data, {n, n}}, {b.data, {n, n}}, {c.data, {n, n}}};
  check(sgemm->predict(args));
  // Spot-check a few outputs in double precision.
  for (int64_t probe : {int64_t(0), n * n / 2 + 17, n * n - 1}) {
    int64_t i = probe / n, j = probe % n;
    double ref = 0;
    for (int64_t k = 0; k < n; ++k)
      ref += double(a.data[i * n + k]) * b.data[k * n + j];
    if (std::abs(ref - c.data[probe]) > 1e-3 * (1 + std::abs(ref)))
      die("sgemm result differs at " + std::to_string(probe));
  }
  std::vector<double> times;
  for (int r = 0; r < 5; ++r) {
    auto start = Clock::now();
    check(sgemm->predict(args));
    times.push_back(
        std::chrono::duration<double>(Clock::now() - start).count());
  }
  double s = median(times);
  std::printf("sgemm 4096^3 (mlc kernel): %.2f ms, %.2f TFLOP/s\n", s * 1e3,
              2.0 * n * n * n / s * 1e-12);
  return 0;
}
