//===- LibraryTest.cpp - model libraries against the JIT ------------------===//
//
// Builds the seed model's library (mlc compile -o DIR), loads the .so with
// dlopen and checks it against the JIT compile of the same file: init, the
// train steps (with a learning-rate schedule too) and predict agree bit for
// bit; checkpoints move both ways in mlc's safetensors layout, the library
// writing the bytes mlc train writes; bad arguments and bad files give
// error codes and messages, and leave the state alone.
//
// Over 500 lines on purpose: every test shares one fixture that builds and
// loads the library once (a build takes seconds), and its host reference
// (a step written with the runtime's own pieces) is the file's middle.
//
//===----------------------------------------------------------------------===//

#include "compiler/Driver/Library.h"
#include "compiler/Driver/Driver.h"
#include "runtime/FloatMode.h"
#include "runtime/LearningRate.h"
#include "runtime/Safetensors.h"

#include "mlir/Parser/Parser.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/MemoryBuffer.h"

#include <gtest/gtest.h>

#include <cstring>
#include <dlfcn.h>
#include <fstream>

using namespace mlc;

namespace {

struct State;
// The C API, as the generated header declares it for @mnist_mlp.
struct Api {
  const char *(*lastError)();
  int (*create)(State **);
  int (*destroy)(State *);
  int (*init)(State *, uint64_t);
  int (*trainStep)(State *, const float *, const int32_t *, int64_t, float *);
  int (*evalStep)(State *, const float *, const int32_t *, int64_t, float *,
                  float *);
  int (*predict)(State *, const float *, int64_t, float *);
  int (*save)(State *, const char *);
  int (*load)(State *, const char *);
  int (*setLearningRate)(State *, double);
  int64_t (*iterations)(const State *);
  int64_t (*numParams)();
  const char *(*paramName)(int64_t);
  int64_t (*paramSize)(int64_t);
  int (*paramData)(State *, int64_t, float **);
};

enum { kOk = 0, kArgument = 1, kState = 2, kIO = 3, kFormat = 4 };

std::unique_ptr<mlir::MLIRContext> context;

class LibraryTest : public testing::Test {
protected:
  static void SetUpTestSuite() {
    llvm::SmallString<128> dir;
    ASSERT_FALSE(llvm::sys::fs::createUniqueDirectory("mlc-library-test", dir));
    directory = dir.str().str();
    auto file = llvm::MemoryBuffer::getFile(MLC_EXAMPLES_DIR "/mnist_mlp.mlir");
    ASSERT_TRUE(bool(file));
    source = (*file)->getBuffer().str();

    context = createContext();
    auto module =
        mlir::parseSourceString<mlir::ModuleOp>(source, context.get());
    ASSERT_TRUE(module);
    LibraryOptions options;
    options.outputDir = directory;
    TargetOptions target; // one thread: no libomp
    auto built = buildLibrary(*module, target, options);
    ASSERT_TRUE(bool(built)) << llvm::toString(built.takeError());

    handle = dlopen((directory + "/libmnist_mlp.so").c_str(), RTLD_NOW);
    ASSERT_NE(handle, nullptr) << dlerror();
    loadApi(handle, "mnist_mlp_", api);

    auto jitContext = createContext();
    auto jitModule =
        mlir::parseSourceString<mlir::ModuleOp>(source, jitContext.get());
    auto compiled = JITModel::compile(jitContext, std::move(jitModule), target);
    ASSERT_TRUE(bool(compiled)) << llvm::toString(compiled.takeError());
    jit = std::move(*compiled);
  }

  /// The C API of `library` (a dlopen handle), its names under `prefix`.
  static void loadApi(void *library, const std::string &prefix, Api &into) {
    auto get = [&](auto &fn, const char *name) {
      fn = reinterpret_cast<std::remove_reference_t<decltype(fn)>>(
          dlsym(library, (prefix + name).c_str()));
      ASSERT_NE(fn, nullptr) << name;
    };
    get(into.lastError, "last_error");
    get(into.create, "create");
    get(into.destroy, "destroy");
    get(into.init, "init");
    get(into.trainStep, "train_step");
    get(into.evalStep, "eval_step");
    get(into.predict, "predict");
    get(into.save, "save");
    get(into.load, "load");
    get(into.setLearningRate, "set_learning_rate");
    get(into.iterations, "iterations");
    get(into.numParams, "num_params");
    get(into.paramName, "param_name");
    get(into.paramSize, "param_size");
    get(into.paramData, "param_data");
  }

  static void TearDownTestSuite() {
    jit.reset();
    if (handle)
      dlclose(handle);
    llvm::sys::fs::remove_directories(directory);
  }

  void SetUp() override {
    ASSERT_NE(handle, nullptr);
    ASSERT_EQ(api.create(&state), kOk);
  }
  void TearDown() override { api.destroy(state); }

  /// The JIT's buffers for the same model, in the signature's order.
  struct Host {
    std::vector<std::vector<float>> params, states;
    float rate = 0, stepSize = 0, loss = 0;
    int64_t iteration = 0;
  };

  Host hostInitialized(uint64_t seed) {
    const ModelSignature &sig = jit->signature();
    Host h;
    std::vector<float *> ptrs;
    for (const TensorSpec &t : sig.params) {
      h.params.emplace_back(t.numElements(0));
      ptrs.push_back(h.params.back().data());
    }
    for (const TensorSpec &t : sig.states)
      h.states.emplace_back(t.numElements(0), 0.0f);
    EXPECT_FALSE(bool(initializeParams(sig, seed, ptrs)));
    return h;
  }

  std::vector<float> hostPredict(Host &h, const std::vector<float> &x,
                                 int64_t batch) {
    const ModelSignature &sig = jit->signature();
    std::vector<BufferRef> b;
    for (size_t i = 0; i < h.params.size(); ++i)
      b.push_back({h.params[i].data(), sig.params[i].shape});
    std::vector<float> y(batch * 10);
    b.push_back({const_cast<float *>(x.data()), {batch, 28, 28}});
    b.push_back({y.data(), {batch, 10}});
    llvm::Error err = jit->predict(b);
    EXPECT_FALSE(bool(err)) << llvm::toString(std::move(err));
    return y;
  }

  /// One step as `mlc train` takes it (runtime/LearningRate), with the
  /// model's constant rate unless `schedule` is given.
  void hostTrain(Host &h, const std::vector<float> &x,
                 const std::vector<int32_t> &y, int64_t batch,
                 const runtime::LearningRateSchedule *schedule = nullptr) {
    const ModelSignature &sig = jit->signature();
    double rate = schedule ? schedule->at(h.iteration) : sig.learningRate;
    h.rate = float(rate);
    h.stepSize =
        float(runtime::adamStepSize(rate, sig.beta1, sig.beta2, h.iteration));
    std::vector<float> predictions(batch * 10);
    StepBuffers step{dataOf(h.params), dataOf(h.states),  &h.rate,
                     &h.stepSize,      x.data(),          y.data(),
                     &h.loss,          predictions.data()};
    std::vector<BufferRef> b =
        stepArguments(sig, step, batch, /*training=*/true);
    llvm::Error err = jit->trainStep(b);
    EXPECT_FALSE(bool(err)) << llvm::toString(std::move(err));
    ++h.iteration;
  }

  void expectParamsEqual(Host &h) { expectParamsEqual(h, api, state); }
  static void expectParamsEqual(Host &h, const Api &lib, State *s) {
    for (int64_t i = 0; i < lib.numParams(); ++i) {
      float *data = nullptr;
      ASSERT_EQ(lib.paramData(s, i, &data), kOk);
      ASSERT_EQ(size_t(lib.paramSize(i)), h.params[i].size());
      EXPECT_EQ(std::memcmp(data, h.params[i].data(), h.params[i].size() * 4),
                0)
          << lib.paramName(i);
    }
  }

  static std::vector<float> images(int64_t batch, uint32_t seed) {
    std::vector<float> x(batch * 784);
    for (float &v : x) {
      seed = seed * 1664525u + 1013904223u;
      v = float((seed >> 8) % 256) / 255.0f;
    }
    return x;
  }
  static std::vector<int32_t> labels(int64_t batch, int32_t shift) {
    std::vector<int32_t> y(batch);
    for (int64_t i = 0; i < batch; ++i)
      y[i] = int32_t((i * 3 + shift) % 10);
    return y;
  }

  std::string path(const std::string &name) { return directory + "/" + name; }

  static inline std::string directory, source;
  static inline void *handle = nullptr;
  static inline Api api;
  static inline std::unique_ptr<JITModel> jit;
  State *state = nullptr;
};

TEST_F(LibraryTest, InitAndPredictMatchTheJIT) {
  ASSERT_EQ(api.init(state, 3), kOk);
  Host host = hostInitialized(3);
  expectParamsEqual(host);
  for (int64_t batch : {1, 5, 33}) {
    std::vector<float> x = images(batch, 11), y(batch * 10);
    ASSERT_EQ(api.predict(state, x.data(), batch, y.data()), kOk);
    std::vector<float> expected = hostPredict(host, x, batch);
    EXPECT_EQ(std::memcmp(y.data(), expected.data(), y.size() * 4), 0)
        << "batch " << batch;
  }
}

TEST_F(LibraryTest, TrainStepsMatchTheJIT) {
  ASSERT_EQ(api.init(state, 0), kOk);
  Host host = hostInitialized(0);
  // Full and partial batches, as the last batch of an epoch is.
  for (int64_t batch : {32, 32, 7, 32}) {
    std::vector<float> x = images(batch, uint32_t(batch + host.iteration));
    std::vector<int32_t> y = labels(batch, int32_t(host.iteration));
    float loss = -1;
    ASSERT_EQ(api.trainStep(state, x.data(), y.data(), batch, &loss), kOk)
        << api.lastError();
    hostTrain(host, x, y, batch);
    EXPECT_EQ(loss, host.loss);
  }
  EXPECT_EQ(api.iterations(state), 4);
  expectParamsEqual(host);
  // The loss falls on a repeated batch.
  std::vector<float> x = images(32, 5);
  std::vector<int32_t> y = labels(32, 1);
  float first = 0, last = 0;
  ASSERT_EQ(api.trainStep(state, x.data(), y.data(), 32, &first), kOk);
  for (int i = 0; i < 20; ++i)
    ASSERT_EQ(api.trainStep(state, x.data(), y.data(), 32, &last), kOk);
  EXPECT_LT(last, 0.5f * first);
  float evalLoss = -1;
  std::vector<float> predictions(32 * 10);
  ASSERT_EQ(api.evalStep(state, x.data(), y.data(), 32, &evalLoss,
                         predictions.data()),
            kOk);
  EXPECT_GT(evalLoss, 0.0f);
  EXPECT_LT(evalLoss, first);
}

// Hidden activations of 784 * 1e-21 * 1e-21 are denormal. The library
// flushes them (the default), so the logits are all zero and the softmax
// exactly uniform; kept, the logits would differ by class (W2 column j is
// j * 1e30). The caller's flush bits are the same afterwards.
TEST_F(LibraryTest, FlushesDenormalsAndRestoresTheCallersMode) {
  ASSERT_EQ(api.init(state, 0), kOk);
  for (int64_t i = 0; i < api.numParams(); ++i) {
    float *data = nullptr;
    ASSERT_EQ(api.paramData(state, i, &data), kOk);
    std::string name = api.paramName(i);
    for (int64_t k = 0; k < api.paramSize(i); ++k)
      data[k] = name == "dense.kernel"     ? 1e-21f
                : name == "dense_1.kernel" ? float(k % 10) * 1e30f
                                           : 0.0f;
  }
  std::vector<float> x(3 * 784, 1e-21f), y(3 * 10);
#if !defined(__x86_64__) && !defined(__aarch64__)
  GTEST_SKIP() << "mlc flushes denormals on x86 and AArch64 only";
#endif
  using runtime::ScopedFlushDenormals;
  const uint64_t bits = ScopedFlushDenormals::kFlushBits;
  uint64_t before = ScopedFlushDenormals::mode() & bits;
  ASSERT_EQ(api.predict(state, x.data(), 3, y.data()), kOk);
  EXPECT_EQ(before, ScopedFlushDenormals::mode() & bits)
      << "the caller's flush bits changed";
  for (float p : y)
    ASSERT_EQ(p, 0.1f);
}

// The model's schedule reaches the library (the prologue's MLC_SCHEDULE_*
// macros), its initial rate the state's learning rate: the steps take the
// rates and step sizes mlc train takes from runtime::LearningRate.
TEST_F(LibraryTest, TrainStepsFollowTheSchedule) {
  auto module = mlir::parseSourceString<mlir::ModuleOp>(source, context.get());
  ASSERT_TRUE(module);
  TrainingOverrides overrides;
  overrides.lrSchedule = "cosine_decay:decay_steps=3,alpha=0.25,warmup_steps=2,"
                         "warmup_target=0.004";
  ASSERT_FALSE(bool(applyOverrides(*module, overrides)));
  LibraryOptions options;
  options.outputDir = path("scheduled");
  options.name = "scheduled_mlp"; // another soname, so dlopen loads it
  auto built = buildLibrary(*module, TargetOptions(), options);
  ASSERT_TRUE(bool(built)) << llvm::toString(built.takeError());
  void *library = dlopen((options.outputDir + "/libscheduled_mlp.so").c_str(),
                         RTLD_NOW | RTLD_LOCAL);
  ASSERT_NE(library, nullptr) << dlerror();
  Api scheduled;
  loadApi(library, "scheduled_mlp_", scheduled);
  State *s = nullptr;
  ASSERT_EQ(scheduled.create(&s), kOk);
  ASSERT_EQ(scheduled.init(s, 2), kOk);

  runtime::LearningRateSchedule schedule;
  schedule.kind = runtime::LearningRateSchedule::Kind::CosineDecay;
  schedule.initial = jit->signature().learningRate;
  schedule.decaySteps = 3;
  schedule.alpha = 0.25;
  schedule.warmupSteps = 2;
  schedule.warmupTarget = 0.004;
  Host host = hostInitialized(2);
  for (int step = 0; step < 7; ++step) { // warm-up, decay, and past it
    std::vector<float> x = images(16, uint32_t(step));
    std::vector<int32_t> y = labels(16, step);
    ASSERT_EQ(scheduled.trainStep(s, x.data(), y.data(), 16, nullptr), kOk)
        << scheduled.lastError();
    hostTrain(host, x, y, 16, &schedule);
  }
  expectParamsEqual(host, scheduled, s);
  // Its checkpoints record the schedule as mlc train's do.
  ASSERT_EQ(scheduled.save(s, path("scheduled.safetensors").c_str()), kOk);
  runtime::Safetensors file;
  std::string error;
  ASSERT_TRUE(
      runtime::readSafetensors(path("scheduled.safetensors"), file, error))
      << error;
  EXPECT_EQ(file.metadata["schedule"], schedule.str());
  scheduled.destroy(s);
  dlclose(library);
}

// A checkpoint of mlc train that went through a library (load, train,
// save) keeps what the run recorded: its epoch and seed, and metadata the
// library does not write itself (the inputs' normalization).
TEST_F(LibraryTest, CheckpointsKeepTheRunsMetadata) {
  ASSERT_EQ(api.init(state, 3), kOk);
  ASSERT_EQ(api.save(state, path("run.safetensors").c_str()), kOk)
      << api.lastError();
  runtime::Safetensors file;
  std::string error;
  ASSERT_TRUE(runtime::readSafetensors(path("run.safetensors"), file, error))
      << error;
  file.metadata["epoch"] = "4";
  file.metadata["seed"] = "9";
  file.metadata["normalize"] = "standardize";
  file.metadata["normalize.shift"] = "0.13";
  file.metadata["normalize.scale"] = "3.2";
  ASSERT_TRUE(
      runtime::writeSafetensors(path("standardized.safetensors"), file, error))
      << error;

  State *other = nullptr;
  ASSERT_EQ(api.create(&other), kOk);
  ASSERT_EQ(api.load(other, path("standardized.safetensors").c_str()), kOk)
      << api.lastError();
  ASSERT_EQ(api.save(other, path("again.safetensors").c_str()), kOk)
      << api.lastError();
  runtime::Safetensors again;
  ASSERT_TRUE(runtime::readSafetensors(path("again.safetensors"), again, error))
      << error;
  EXPECT_EQ(again.metadata, file.metadata);
  // A new run forgets them.
  ASSERT_EQ(api.init(other, 9), kOk);
  ASSERT_EQ(api.save(other, path("fresh.safetensors").c_str()), kOk);
  ASSERT_TRUE(runtime::readSafetensors(path("fresh.safetensors"), again, error))
      << error;
  EXPECT_EQ(again.metadata.count("normalize"), 0u);
  EXPECT_EQ(again.metadata["epoch"], "0");
  api.destroy(other);
}

TEST_F(LibraryTest, CheckpointsMoveBetweenLibraryAndMlc) {
  ASSERT_EQ(api.init(state, 1), kOk);
  std::vector<float> x = images(16, 2);
  std::vector<int32_t> y = labels(16, 0);
  ASSERT_EQ(api.trainStep(state, x.data(), y.data(), 16, nullptr), kOk);
  ASSERT_EQ(api.save(state, path("lib.safetensors").c_str()), kOk)
      << api.lastError();

  // mlc's reader sees every tensor of `mlc train --checkpoint`.
  runtime::Safetensors file;
  std::string error;
  ASSERT_TRUE(runtime::readSafetensors(path("lib.safetensors"), file, error))
      << error;
  EXPECT_EQ(file.metadata["model"], "mnist_mlp");
  EXPECT_EQ(file.metadata["step"], "1");
  const ModelSignature &sig = jit->signature();
  for (int64_t i = 0; i < api.numParams(); ++i) {
    const runtime::StoredTensor *t = file.find(sig.params[i].name);
    ASSERT_NE(t, nullptr) << sig.params[i].name;
    float *data = nullptr;
    api.paramData(state, i, &data);
    EXPECT_EQ(std::memcmp(t->data.data(), data, t->data.size()), 0);
  }
  for (const TensorSpec &s : sig.states)
    EXPECT_NE(file.find(s.name), nullptr) << s.name;
  ASSERT_NE(file.find("optimizer.iterations"), nullptr);

  // One writer: what Trainer::save builds for this state (epoch 0, step 1,
  // seed 1) comes out as the library's bytes. The optimizer state, not in
  // the C API, is taken from the file.
  runtime::Safetensors trainer;
  trainer.metadata = {{"format", "mlc"},
                      {"model", sig.model},
                      {"epoch", "0"},
                      {"step", "1"},
                      {"seed", "1"}};
  for (const auto *group : {&sig.params, &sig.states})
    for (const TensorSpec &spec : *group)
      trainer.tensors.push_back(
          {spec.name, "F32", spec.shape, file.find(spec.name)->data});
  trainer.tensors.push_back(
      {"optimizer.iterations", "I64", {}, {1, 0, 0, 0, 0, 0, 0, 0}});
  ASSERT_TRUE(
      runtime::writeSafetensors(path("trainer.safetensors"), trainer, error));
  auto library = llvm::MemoryBuffer::getFile(path("lib.safetensors"));
  auto mlc = llvm::MemoryBuffer::getFile(path("trainer.safetensors"));
  ASSERT_TRUE(library && mlc);
  EXPECT_EQ((*library)->getBuffer(), (*mlc)->getBuffer());

  // A checkpoint written by mlc's writer (as mlc train does): after load,
  // predict gives the JIT's bits for the same parameters.
  Host host = hostInitialized(9);
  host.params[1][3] = 0.25f; // not what init would give
  runtime::Safetensors written;
  written.metadata = {{"format", "mlc"}, {"model", "mnist_mlp"}};
  for (size_t i = 0; i < sig.params.size(); ++i) {
    runtime::StoredTensor t{sig.params[i].name, "F32", sig.params[i].shape, {}};
    t.data.resize(host.params[i].size() * 4);
    std::memcpy(t.data.data(), host.params[i].data(), t.data.size());
    written.tensors.push_back(std::move(t));
  }
  ASSERT_TRUE(
      runtime::writeSafetensors(path("mlc.safetensors"), written, error));
  ASSERT_EQ(api.load(state, path("mlc.safetensors").c_str()), kOk)
      << api.lastError();
  EXPECT_EQ(api.iterations(state), 0); // no optimizer state: a fresh one
  std::vector<float> out(16 * 10);
  ASSERT_EQ(api.predict(state, x.data(), 16, out.data()), kOk);
  std::vector<float> expected = hostPredict(host, x, 16);
  EXPECT_EQ(std::memcmp(out.data(), expected.data(), out.size() * 4), 0);

  // Round trip through the library: the same bits come back.
  ASSERT_EQ(api.load(state, path("lib.safetensors").c_str()), kOk);
  EXPECT_EQ(api.iterations(state), 1);
  ASSERT_EQ(api.save(state, path("again.safetensors").c_str()), kOk);
  auto a = llvm::MemoryBuffer::getFile(path("lib.safetensors"));
  auto b = llvm::MemoryBuffer::getFile(path("again.safetensors"));
  ASSERT_TRUE(a && b);
  EXPECT_EQ((*a)->getBuffer(), (*b)->getBuffer());
}

TEST_F(LibraryTest, BadArgumentsReturnErrors) {
  std::vector<float> x = images(4, 1), y(4 * 10);
  std::vector<int32_t> labelsOk = labels(4, 0), labelsBad = {1, 2, 10, 3};
  EXPECT_EQ(api.predict(state, x.data(), 4, y.data()), kState);
  EXPECT_NE(std::string(api.lastError()).find("call mnist_mlp_init"),
            std::string::npos)
      << api.lastError();
  ASSERT_EQ(api.init(state, 0), kOk);
  EXPECT_EQ(api.predict(nullptr, x.data(), 4, y.data()), kArgument);
  EXPECT_EQ(api.predict(state, nullptr, 4, y.data()), kArgument);
  EXPECT_EQ(api.predict(state, x.data(), 4, nullptr), kArgument);
  EXPECT_EQ(api.predict(state, x.data(), 0, y.data()), kArgument);
  EXPECT_EQ(api.predict(state, x.data(), 1025, y.data()), kArgument);
  EXPECT_NE(std::string(api.lastError())
                .find("batch size 1025 is outside "
                      "[1, 1024]"),
            std::string::npos)
      << api.lastError();
  EXPECT_EQ(api.trainStep(state, x.data(), nullptr, 4, nullptr), kArgument);
  EXPECT_EQ(api.trainStep(state, x.data(), labelsBad.data(), 4, nullptr),
            kArgument);
  EXPECT_STREQ(api.lastError(), "mnist_mlp_train_step: label 10 of sample 2 "
                                "is outside [0, 10)");
  EXPECT_EQ(api.iterations(state), 0); // nothing ran
  EXPECT_EQ(
      api.evalStep(state, x.data(), labelsBad.data(), 4, nullptr, nullptr),
      kArgument);
  EXPECT_EQ(api.setLearningRate(state, -1), kArgument);
  EXPECT_EQ(api.setLearningRate(state, 0.01), kOk);
  EXPECT_EQ(api.create(nullptr), kArgument);
  EXPECT_EQ(api.destroy(nullptr), kOk);
  EXPECT_EQ(api.paramData(state, 4, nullptr), kArgument);
  EXPECT_EQ(api.paramName(4), nullptr);
}

TEST_F(LibraryTest, BadCheckpointsLeaveTheStateAlone) {
  ASSERT_EQ(api.init(state, 4), kOk);
  Host host = hostInitialized(4);
  auto expectUnchanged = [&] { expectParamsEqual(host); };

  EXPECT_EQ(api.load(state, path("missing.safetensors").c_str()), kIO);
  EXPECT_NE(std::string(api.lastError()).find("missing.safetensors"),
            std::string::npos);
  expectUnchanged();

  // Truncated: a good file cut in half.
  ASSERT_EQ(api.save(state, path("good.safetensors").c_str()), kOk);
  auto good = llvm::MemoryBuffer::getFile(path("good.safetensors"));
  ASSERT_TRUE(bool(good));
  llvm::StringRef bytes = (*good)->getBuffer();
  auto writeBytes = [&](const std::string &name, llvm::StringRef data) {
    std::ofstream(path(name), std::ios::binary)
        .write(data.data(), std::streamsize(data.size()));
    return path(name);
  };
  EXPECT_EQ(api.load(state, writeBytes("half.safetensors",
                                       bytes.take_front(bytes.size() / 2))
                                .c_str()),
            kFormat);
  EXPECT_NE(std::string(api.lastError()).find("does not fit"),
            std::string::npos)
      << api.lastError();
  EXPECT_EQ(api.load(state, writeBytes("tiny.safetensors", "abc").c_str()),
            kFormat);
  // A corrupt header.
  std::string corrupt = bytes.str();
  corrupt[8] = 'x'; // the header's opening brace
  EXPECT_EQ(api.load(state, writeBytes("corrupt.safetensors", corrupt).c_str()),
            kFormat);
  EXPECT_NE(std::string(api.lastError())
                .find("is not a safetensors file: "
                      "malformed JSON header"),
            std::string::npos)
      << api.lastError();
  corrupt = bytes.str();
  corrupt.replace(bytes.find("\"dtype\""), 7, "\"dtypo\"");
  EXPECT_EQ(api.load(state, writeBytes("corrupt.safetensors", corrupt).c_str()),
            kFormat);
  EXPECT_NE(std::string(api.lastError()).find("lacks a known dtype"),
            std::string::npos)
      << api.lastError();
  expectUnchanged();

  // Another model's checkpoint: every mismatch is listed.
  runtime::Safetensors other;
  other.metadata = {{"model", "other"}};
  other.tensors.push_back({"dense.kernel", "F32", {784, 64}, {}});
  other.tensors.back().data.resize(784 * 64 * 4);
  other.tensors.push_back({"out.bias", "F32", {10}, {}});
  other.tensors.back().data.resize(40);
  std::string error;
  ASSERT_TRUE(
      runtime::writeSafetensors(path("other.safetensors"), other, error));
  EXPECT_EQ(api.load(state, path("other.safetensors").c_str()), kFormat);
  std::string message = api.lastError();
  for (const char *expected :
       {"does not match model @mnist_mlp (it was written for @other)",
        "dense.kernel is F32 [784, 64], the model needs F32 [784, 128]",
        "unexpected out.bias", "missing dense_1.kernel F32 [128, 10]"})
    EXPECT_NE(message.find(expected), std::string::npos)
        << expected << "\nin: " << message;
  expectUnchanged();

  // A tensor twice; optimizer state without its step count; a negative
  // step count: all refused, none applied.
  const ModelSignature &sig = jit->signature();
  auto withParams = [&]() {
    runtime::Safetensors file;
    for (size_t i = 0; i < sig.params.size(); ++i) {
      runtime::StoredTensor t{
          sig.params[i].name, "F32", sig.params[i].shape, {}};
      t.data.resize(host.params[i].size() * 4);
      file.tensors.push_back(std::move(t));
    }
    return file;
  };
  auto expectRefused = [&](const runtime::Safetensors &file,
                           const char *expected) {
    ASSERT_TRUE(
        runtime::writeSafetensors(path("bad.safetensors"), file, error));
    EXPECT_EQ(api.load(state, path("bad.safetensors").c_str()), kFormat);
    EXPECT_NE(std::string(api.lastError()).find(expected), std::string::npos)
        << api.lastError();
    expectUnchanged();
  };
  runtime::Safetensors twice = withParams();
  twice.tensors.push_back(twice.tensors[1]);
  expectRefused(twice, "dense.bias twice");
  runtime::Safetensors noCount = withParams();
  for (const TensorSpec &t : sig.states) {
    noCount.tensors.push_back({t.name, "F32", t.shape, {}});
    noCount.tensors.back().data.resize(t.numElements(0) * 4);
  }
  expectRefused(noCount, "missing optimizer.iterations");
  runtime::Safetensors negative = withParams();
  negative.tensors.push_back({"optimizer.iterations", "I64", {}, {}});
  negative.tensors.back().data.assign(8, 0xff); // -1
  expectRefused(negative, "optimizer.iterations is not a count");

  // An unwritable path: an error, and the old checkpoint stays whole.
  EXPECT_EQ(api.save(state, path("no/such/dir/x.safetensors").c_str()), kIO);
  EXPECT_NE(std::string(api.lastError()).find("no/such/dir/x.safetensors"),
            std::string::npos);
}

} // namespace
