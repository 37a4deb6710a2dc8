//===- Train.cpp - mlc train / mlc eval -----------------------------------===//
//
// The Keras-style training loop around a JIT-compiled model: data, init,
// per-epoch shuffling, batches (the last partial one included), the
// compiled train_step, metrics, and the test evaluation.
//
//===----------------------------------------------------------------------===//

#include "Train.h"
#include "CheckpointMetadata.h"
#include "OutputChecks.h"
#include "Report.h"

#include "runtime/Aligned.h"
#include "runtime/Augment.h"
#include "runtime/Batch.h"
#include "runtime/Checkpoint.h"
#include "runtime/IDX.h"
#include "runtime/LearningRate.h"
#include "runtime/ReadFile.h"
#include "runtime/core/checkpoint.h"

#include "llvm/Support/FileSystem.h"
#include "llvm/Support/FormatVariadic.h"
#include "llvm/Support/Process.h"
#include "llvm/Support/WithColor.h"
#include "llvm/Support/raw_ostream.h"

#include <chrono>
#include <cmath>
#include <cstdlib>
#include <future>
#include <numeric>
#include <optional>

#include <unistd.h>

using namespace llvm;
using namespace mlc;

namespace {

using Clock = std::chrono::steady_clock;

Error fail(const Twine &message) { return createStringError(message); }

/// Where `--data NAME` points.
std::string dataDirectory(const std::string &data) {
  if (data == "mnist") {
    if (const char *dir = std::getenv("MLC_DATA_DIR"))
      return std::string(dir) + "/mnist";
    return MLC_DEFAULT_DATA_DIR "/mnist";
  }
  if (data == "fashion-mnist")
    return "/usr/share/datasets/fashion-mnist";
  return data;
}

/// One pass of the model over `indices` of `data`, in batches.
struct Pass {
  double loss = 0;
  int64_t correct = 0, seen = 0;
  /// When sized: confusion[true][predicted].
  std::vector<std::vector<int64_t>> confusion;
  double accuracy() const { return seen ? double(correct) / seen : 0; }
  double meanLoss() const { return seen ? loss / seen : 0; }
};

/// The run's normalization: the checkpoint's when it records one (an
/// explicit --normalize must agree), else what --normalize asks for.
Expected<Normalization>
chooseNormalization(const TrainOptions &options,
                    const std::optional<Normalization> &recorded,
                    const runtime::Dataset &train) {
  if (recorded) {
    if (!options.normalize.empty() && options.normalize != recorded->kind)
      return fail("--normalize=" + options.normalize + " contradicts " +
                  options.resume +
                  ", which was trained with --normalize=" + recorded->kind +
                  " (leave --normalize out to use the checkpoint's)");
    return *recorded;
  }
  if (options.normalize == "standardize")
    return standardization(train);
  return Normalization();
}

/// Resuming with another schedule than the checkpoint's is allowed (the
/// run's wins) but worth a line: the rates no longer continue the curve.
void warnOnScheduleChange(const std::string &path,
                          const CheckpointMetadata &metadata,
                          const runtime::LearningRateSchedule &schedule) {
  std::string was = recordedSchedule(metadata), now = schedule.str();
  if (was != now)
    WithColor::warning(errs(), "mlc")
        << path << " was trained with the learning-rate schedule " << was
        << "; this run continues with " << now << "\n";
}

class Trainer {
public:
  Trainer(const ModelSignature &sig, const TrainOptions &options)
      : sig(sig), options(options) {}

  Error prepare(const runtime::Dataset &train) {
    const TensorSpec &input = sig.inputs.front();
    if (llvm::any_of(llvm::drop_begin(input.shape),
                     [](int64_t d) { return d < 0; }))
      return fail("the model's input '" + input.name + "' is " +
                  input.shapeString() +
                  "; mlc train feeds images, whose dimensions after the "
                  "batch are static");
    sampleSize = input.numElements(1);
    int64_t pixels = train.images.dims[1] * train.images.dims[2];
    if (sig.inputs.size() != 1 || pixels != sampleSize ||
        input.element != ElementKind::F32)
      return fail("the images are " + std::to_string(train.images.dims[1]) +
                  "x" + std::to_string(train.images.dims[2]) +
                  ", but the model's input '" + input.name + "' is " +
                  input.shapeString() + " (one float32 input expected)");
    classes = sig.outputs.front().shape.back();
    const int64_t batch = options.batchSize;
    if (Error err = checkMemory(batch))
      return err;
    trainArgsBatch = evalArgsBatch = -1; // the buffers are reallocated
    // checkTrainOptions has checked the spec.
    std::string unused;
    runtime::parseAugment(options.augment, augment, unused);
    if (augment.enabled())
      for (int k = 0; k < 2; ++k) {
        stageX[k].assign(size_t(batch * sampleSize), 0.0f);
        stageY[k].assign(size_t(batch), 0);
      }
    params.clear();
    for (const TensorSpec &p : sig.params)
      params.emplace_back(p.numElements(0));
    states.clear();
    for (const TensorSpec &s : sig.states)
      states.emplace_back(s.numElements(0), 0.0f);
    x.assign(batch * sampleSize, 0.0f);
    y.assign(batch, 0);
    predictions.assign(batch * classes, 0.0f);
    std::vector<float *> ptrs;
    for (auto &p : params)
      ptrs.push_back(p.data());
    return initializeParams(sig, options.seed, ptrs);
  }

  /// Refuses a run whose buffers (params, optimizer state, one batch of
  /// inputs, labels and predictions) exceed this machine's memory, before
  /// allocating any: sizes come from the model and the flags.
  Error checkMemory(int64_t batch) {
    uint64_t params = 0, states = 0, perSample = 0, batchFloats = 0;
    bool overflow = false;
    for (const TensorSpec &p : sig.params)
      overflow |=
          __builtin_add_overflow(params, uint64_t(p.numElements(0)), &params);
    for (const TensorSpec &t : sig.states)
      overflow |=
          __builtin_add_overflow(states, uint64_t(t.numElements(0)), &states);
    overflow |= __builtin_add_overflow(uint64_t(sampleSize),
                                       uint64_t(classes) + 1, &perSample);
    overflow |=
        __builtin_mul_overflow(perSample, uint64_t(batch), &batchFloats);
    uint64_t total = 0;
    overflow |= __builtin_add_overflow(params + states, batchFloats, &total) ||
                __builtin_mul_overflow(total, uint64_t(4), &total);
    uint64_t memory = runtime::physicalMemory();
    if (!overflow && total <= memory)
      return Error::success();
    auto gib = [](uint64_t floats) {
      double bytes = floats * 4.0;
      const char *unit = "bytes";
      for (const char *next : {"KiB", "MiB", "GiB", "TiB", "PiB", "EiB"}) {
        if (bytes < 1024)
          break;
        bytes /= 1024;
        unit = next;
      }
      return llvm::formatv("{0:F1} {1}", bytes, unit).str();
    };
    return fail("the run needs more memory than this machine has (" +
                gib(memory / 4) + "): the parameters take " + gib(params) +
                ", the optimizer state " + gib(states) + ", a batch of " +
                std::to_string(batch) + " " + gib(batchFloats) +
                (overflow ? " (more than 2^64 bytes in all)" : ""));
  }

  /// Checks labels against the model's classes.
  Error checkLabels(const runtime::Dataset &set, const std::string &what) {
    for (int64_t i = 0; i < set.size(); ++i)
      if (set.labels.data[i] >= classes)
        return fail(what + " label " + std::to_string(i) + " is " +
                    std::to_string(set.labels.data[i]) +
                    ", but the model predicts " + std::to_string(classes) +
                    " classes");
    return Error::success();
  }

  void score(Pass &pass, int64_t n, float loss) {
    pass.loss += double(loss) * n;
    pass.seen += n;
    for (int64_t i = 0; i < n; ++i) {
      const float *row = &predictions[i * classes];
      int64_t best = std::max_element(row, row + classes) - row;
      pass.correct += best == y[i];
      if (!pass.confusion.empty())
        ++pass.confusion[y[i]][best];
    }
  }

  /// The step's arguments. Built once per (batch size, kind) and reused:
  /// every pointer is a member that outlives the steps, so only the batch
  /// dimension can change between calls (the last, partial batch).
  const std::vector<BufferRef> &buffers(int64_t n, bool training) {
    std::vector<BufferRef> &b = training ? trainArgs : evalArgs;
    int64_t &cached = training ? trainArgsBatch : evalArgsBatch;
    if (cached == n)
      return b;
    cached = n;
    StepBuffers step{dataOf(params), dataOf(states),    &stepRate,
                     &stepSize,      x.data(),          y.data(),
                     &stepLoss,      predictions.data()};
    b = stepArguments(sig, step, n, training);
    return b;
  }

  Error trainEpoch(const runtime::Dataset &set, std::vector<int64_t> &order,
                   int64_t epoch, Pass &pass, bool tty) {
    runtime::shuffle(order, options.seed, epoch);
    int64_t steps =
        (int64_t(order.size()) + options.batchSize - 1) / options.batchSize;
    const runtime::LearningRateSchedule &schedule = sig.schedule;
    auto start = Clock::now();
    // With augmentation, a worker gathers and transforms batch s + 1 into
    // a staging buffer while step s runs; the step only copies it in.
    const int64_t batch = options.batchSize;
    int64_t height = set.images.dims[1], width = set.images.dims[2];
    int64_t channels = sampleSize / (height * width);
    float fill = (0.0f - normalization.shift) * normalization.scale;
    std::future<int64_t> next;
    auto prepare = [&](int64_t s) -> int64_t {
      std::vector<float> &sx = stageX[s % 2];
      std::vector<int32_t> &sy = stageY[s % 2];
      int64_t n =
          runtime::loadBatch(set, order, s * batch, batch, normalization.shift,
                             normalization.scale, sx.data(), sy.data());
      runtime::augmentBatch(sx.data(), n, height, width, channels, augment,
                            options.seed, epoch, s * batch, fill);
      return n;
    };
    if (augment.enabled())
      next = std::async(std::launch::async, prepare, int64_t(0));
    for (int64_t s = 0; s < steps; ++s) {
      int64_t n;
      if (augment.enabled()) {
        n = next.get();
        std::copy_n(stageX[s % 2].data(), n * sampleSize, x.data());
        std::copy_n(stageY[s % 2].data(), n, y.data());
        if (s + 1 < steps)
          next = std::async(std::launch::async, prepare, s + 1);
      } else {
        n = runtime::loadBatch(set, order, s * batch, batch,
                               normalization.shift, normalization.scale,
                               x.data(), y.data());
      }
      double rate = schedule.at(iteration);
      stepRate = float(rate);
      stepSize =
          float(sig.biasCorrected ? runtime::adamStepSize(rate, sig.beta1,
                                                          sig.beta2, iteration)
                                  : rate);
      stepLoss = 0;
      if (Error err = jit->trainStep(buffers(n, true)))
        return err;
      float loss = stepLoss;
      if (!std::isfinite(loss))
        return createStringError("the loss became " +
                                 // "nan" whatever its sign bit says.
                                 std::string(std::isnan(loss) ? "nan"
                                             : loss > 0       ? "inf"
                                                              : "-inf") +
                                 " at step " + std::to_string(s + 1) +
                                 " of epoch " + std::to_string(epoch + 1) +
                                 "; stopping");
      ++iteration;
      score(pass, n, loss);
      if (tty && (s % 50 == 0 || s + 1 == steps)) {
        // A live bar: [=========>          ] while the epoch runs.
        const int width = 30;
        int done = int(width * (s + 1) / steps);
        std::string bar(done, '=');
        if (done < width)
          bar += '>' + std::string(width - done - 1, ' ');
        outs() << formatv(
            "\r{0,5}/{1} [{2}] - {3:f1}s - loss: {4:f4} - "
            "accuracy: {5:f4}",
            s + 1, steps, bar,
            std::chrono::duration<double>(Clock::now() - start).count(),
            pass.meanLoss(), pass.accuracy());
        outs().flush();
      }
    }
    return Error::success();
  }

  Error evaluate(const runtime::Dataset &set,
                 const std::vector<int64_t> &indices, Pass &pass) {
    for (int64_t begin = 0; begin < int64_t(indices.size());
         begin += options.batchSize) {
      int64_t n = runtime::loadBatch(set, indices, begin, options.batchSize,
                                     normalization.shift, normalization.scale,
                                     x.data(), y.data());
      stepLoss = 0;
      if (Error err = jit->evalStep(buffers(n, false)))
        return err;
      score(pass, n, stepLoss);
    }
    return Error::success();
  }

  /// The model's params and optimizer state, in this trainer's buffers.
  runtime::Checkpoint checkpoint() {
    runtime::Checkpoint c;
    c.model = sig.model;
    c.iterations = iteration;
    for (size_t i = 0; i < params.size(); ++i)
      c.params.push_back(
          {sig.params[i].name, sig.params[i].shape, params[i].data()});
    for (size_t i = 0; i < states.size(); ++i)
      c.states.push_back(
          {sig.states[i].name, sig.states[i].shape, states[i].data()});
    return c;
  }

  /// Writes params, optimizer state, the iteration count, and what the
  /// run needs to be continued or evaluated alike (normalization,
  /// schedule).
  Error save(const std::string &path, int64_t epochsDone) {
    runtime::Checkpoint c = checkpoint();
    c.metadata = {{"epoch", std::to_string(epochsDone)},
                  {"seed", std::to_string(options.seed)}};
    recordRun(normalization, sig.schedule, c.metadata);
    std::string error;
    if (!runtime::saveCheckpoint(path, c, error))
      return fail(error);
    return Error::success();
  }

  /// Reads params (and with `withState` the optimizer state and the
  /// iteration count); every mismatch with the model is listed. Returns
  /// the file's metadata.
  Expected<CheckpointMetadata> load(const std::string &path, bool withState) {
    runtime::Checkpoint c = checkpoint();
    std::string error;
    if (!runtime::loadCheckpoint(path, c, withState, error))
      return fail(error);
    iteration = c.iterations;
    return std::move(c.metadata);
  }

  const ModelSignature sig;
  const TrainOptions options;
  /// The compiled model, once there is one (after prepare, load, ...).
  JITModel *jit = nullptr;
  int64_t sampleSize = 0, classes = 0, iteration = 0;
  /// --augment, and the staging buffers its worker fills (one batch each).
  runtime::AugmentOptions augment;
  std::vector<float> stageX[2];
  std::vector<int32_t> stageY[2];
  Normalization normalization;
  // Aligned for the compiled code's vector loads.
  std::vector<runtime::AlignedVector<float>> params, states;
  runtime::AlignedVector<float> x, predictions;
  runtime::AlignedVector<int32_t> y;
  /// The scalar arguments of a step, and the cached argument lists.
  float stepRate = 0, stepSize = 0, stepLoss = 0;
  std::vector<BufferRef> trainArgs, evalArgs;
  int64_t trainArgsBatch = -1, evalArgsBatch = -1;
};

} // namespace

Error mlc::checkTrainOptions(const TrainOptions &options, bool train) {
  if (options.batchSize < 1)
    return fail("--batch-size must be at least 1, got " +
                std::to_string(options.batchSize));
  if (train && options.epochs < 1)
    return fail("--epochs must be at least 1, got " +
                std::to_string(options.epochs));
  if (!(options.validationSplit >= 0 && options.validationSplit < 1))
    return fail("--validation-split must be in [0, 1)");
  runtime::AugmentOptions augment;
  std::string augmentError;
  if (!runtime::parseAugment(options.augment, augment, augmentError))
    return fail("--augment: " + augmentError);
  if (options.validateOnTest && options.validationSplit > 0)
    return fail("--validate-on-test and --validation-split both name the "
                "validation data; give one");
  if (!options.normalize.empty() && options.normalize != "scale" &&
      options.normalize != "standardize")
    return fail("--normalize must be scale or standardize, got '" +
                options.normalize + "'");
  if (!train && options.resume.empty())
    return fail("mlc eval needs --checkpoint FILE (a checkpoint written by "
                "mlc train --checkpoint)");
  // In the words the writers use when they fail.
  if (std::string why = whyNotWritable(options.checkpoint);
      !options.checkpoint.empty() && !why.empty())
    return fail(options.checkpoint + ": cannot write (" + why + ")");
  for (const std::string *path : {&options.report, &options.plot})
    if (std::string why = whyNotWritable(*path); !path->empty() && !why.empty())
      return fail("cannot write '" + *path + "': " + why);
  return Error::success();
}

struct TrainingRun::State {
  State(const ModelSignature &sig, const TrainOptions &options, bool train)
      : trainer(sig, options), train(train) {}
  Trainer trainer;
  bool train;
  std::string dir; ///< the data directory
  runtime::Dataset trainSet, testSet;
  int64_t firstEpoch = 0;
};

TrainingRun::TrainingRun(std::unique_ptr<State> state)
    : state(std::move(state)) {}
TrainingRun::~TrainingRun() = default;

Expected<std::unique_ptr<TrainingRun>>
TrainingRun::prepare(const ModelSignature &sig, const TrainOptions &options,
                     bool train) {
  if (!sig.canEvaluate())
    return fail("model @" + sig.model +
                " has no loss: give it a loss attribute or use --loss");
  if (train && !sig.canTrain())
    return fail("model @" + sig.model +
                " has no optimizer: give it an optimizer attribute or use "
                "--optimizer");
  if (sig.labels->element != ElementKind::I32)
    return fail("model @" + sig.model +
                ": IDX data has integer class labels, which need the "
                "sparse_categorical_crossentropy loss (use --loss)");
  // One class label per sample: the output is one row of class scores per
  // sample, which is what the trainer's buffers and its accuracy assume.
  const TensorSpec &output = sig.outputs.front();
  if (sig.outputs.size() != 1 || output.shape.size() != 2 ||
      output.shape[0] >= 0 || output.shape[1] < 1 ||
      output.element != ElementKind::F32 || sig.labels->shape.size() != 1)
    return fail("model @" + sig.model +
                ": mlc train and eval read one class "
                "label per sample, so the model needs one float32 output of "
                "class scores, ?xC; its output '" +
                output.name + "' is " + output.shapeString() +
                (sig.outputs.size() > 1
                     ? " (and it has " + std::to_string(sig.outputs.size()) +
                           " outputs)"
                     : std::string()));

  auto state = std::make_unique<State>(sig, options, train);
  state->dir = dataDirectory(options.data);
  std::string error;
  if (!runtime::loadIdxDirectory(state->dir, state->trainSet, state->testSet,
                                 error)) {
    if (options.data == "fashion-mnist")
      error += " (install Fashion-MNIST with: apt-get install "
               "dataset-fashion-mnist)";
    return fail(error);
  }

  Trainer &trainer = state->trainer;
  if (Error err = trainer.prepare(state->trainSet))
    return std::move(err);
  if (Error err =
          trainer.checkLabels(state->trainSet, state->dir + ": training"))
    return std::move(err);
  if (Error err = trainer.checkLabels(state->testSet, state->dir + ": test"))
    return std::move(err);

  std::optional<Normalization> recorded;
  if (!options.resume.empty()) {
    Expected<CheckpointMetadata> metadata = trainer.load(options.resume, train);
    if (!metadata)
      return metadata.takeError();
    // The run continues from here: a negative or absurd count would run
    // forever or not at all.
    auto epoch = metadata->find("epoch");
    if (epoch != metadata->end() &&
        !mlcParseCount(epoch->second.c_str(), &state->firstEpoch))
      return fail(options.resume + ": epoch is '" + epoch->second +
                  "' in the metadata, not a count of epochs");
    if (Error err =
            recordedNormalization(options.resume, *metadata).moveInto(recorded))
      return std::move(err);
    if (train)
      warnOnScheduleChange(options.resume, *metadata, sig.schedule);
  }
  if (Error err = chooseNormalization(options, recorded, state->trainSet)
                      .moveInto(trainer.normalization))
    return std::move(err);
  if (train && state->firstEpoch >= options.epochs)
    return fail(options.resume + " has already trained " +
                std::to_string(state->firstEpoch) +
                " epochs; ask for more with --epochs");
  return std::unique_ptr<TrainingRun>(new TrainingRun(std::move(state)));
}

Error TrainingRun::run(JITModel &jit) {
  Trainer &trainer = state->trainer;
  trainer.jit = &jit;
  const TrainOptions &options = trainer.options;
  const ModelSignature &sig = trainer.sig;
  const runtime::Dataset &trainSet = state->trainSet, &testSet = state->testSet;
  bool train = state->train;

  Report report;
  report.model = sig.model;
  report.data = options.data;
  report.compileMs = jit.pipelineMs + jit.llvmMs;
  int64_t firstEpoch = state->firstEpoch;

  bool tty = sys::Process::StandardOutIsDisplayed();
  double trainSeconds = 0;
  int64_t trainSamples = 0;
  bool wroteCheckpoint = false;
  if (train) {
    int64_t n = trainSet.size();
    int64_t validation = int64_t(double(n) * options.validationSplit);
    // Like Keras, the validation samples are the last ones, before shuffling.
    std::vector<int64_t> order(n - validation), valIndices(validation);
    std::iota(valIndices.begin(), valIndices.end(), n - validation);
    for (int64_t epoch = firstEpoch; epoch < options.epochs; ++epoch) {
      outs() << "Epoch " << epoch + 1 << "/" << options.epochs << "\n";
      Pass pass;
      auto start = Clock::now();
      if (Error err = trainer.trainEpoch(trainSet, order, epoch, pass, tty)) {
        if (tty)
          outs() << "\n";
        // The checkpoint on disk (this run's or the one resumed from) is
        // from the last epoch that finished.
        bool kept = wroteCheckpoint || (!options.checkpoint.empty() &&
                                        sys::fs::exists(options.checkpoint));
        std::string note = kept ? " (the last good checkpoint, " +
                                      options.checkpoint + ", is kept)"
                                : "";
        return fail(toString(std::move(err)) + note);
      }
      double seconds =
          std::chrono::duration<double>(Clock::now() - start).count();
      trainSeconds += seconds;
      trainSamples += pass.seen;
      EpochRecord record{pass.meanLoss(), pass.accuracy(), seconds, {}, {}};
      int64_t steps =
          (int64_t(order.size()) + options.batchSize - 1) / options.batchSize;
      outs() << (tty ? "\r\x1b[2K" : "")
             << formatv("{0}/{0} - {1:f1}s - {2:f2}ms/step - loss: {3:f4} - "
                        "accuracy: {4:f4}",
                        steps, seconds, 1000 * seconds / steps, pass.meanLoss(),
                        pass.accuracy());
      if (validation > 0 || options.validateOnTest) {
        Pass val;
        std::vector<int64_t> testIndices;
        if (options.validateOnTest) {
          testIndices.resize(testSet.size());
          std::iota(testIndices.begin(), testIndices.end(), 0);
        }
        if (Error err = options.validateOnTest
                            ? trainer.evaluate(testSet, testIndices, val)
                            : trainer.evaluate(trainSet, valIndices, val))
          return err;
        outs() << formatv(" - val_loss: {0:f4} - val_accuracy: {1:f4}",
                          val.meanLoss(), val.accuracy());
        record.valLoss = val.meanLoss();
        record.valAccuracy = val.accuracy();
      }
      outs() << "\n";
      outs().flush();
      report.epochs.push_back(record);
      if (!options.checkpoint.empty()) {
        if (Error err = trainer.save(options.checkpoint, epoch + 1))
          return err;
        wroteCheckpoint = true;
      }
    }
  }

  std::vector<int64_t> all(testSet.size());
  std::iota(all.begin(), all.end(), 0);
  Pass test;
  test.confusion.assign(trainer.classes,
                        std::vector<int64_t>(trainer.classes, 0));
  if (Error err = trainer.evaluate(testSet, all, test))
    return err;
  outs() << formatv("Test: {0} samples - loss: {1:f4} - accuracy: {2:f4}\n",
                    test.seen, test.meanLoss(), test.accuracy());

  report.samplesPerSecond = trainSeconds > 0 ? trainSamples / trainSeconds : 0;
  report.test =
      TestMetrics{test.meanLoss(), test.accuracy(), test.seen, test.confusion};
  if (!options.report.empty())
    if (Error err = writeJsonReport(options.report, report))
      return err;
  if (!options.plot.empty())
    return writeSvgPlot(options.plot, report);
  return Error::success();
}
