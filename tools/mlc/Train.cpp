//===- Train.cpp - mlc train / mlc eval -----------------------------------===//
//
// The Keras-style training loop around a JIT-compiled model: data, init,
// per-epoch shuffling, batches (the last partial one included), the
// compiled train_step, metrics, and the test evaluation.
//
//===----------------------------------------------------------------------===//

#include "Train.h"
#include "CheckpointMetadata.h"
#include "Data.h"
#include "OutputChecks.h"
#include "Report.h"

#include "runtime/Aligned.h"
#include "runtime/Augment.h"
#include "runtime/Batch.h"
#include "runtime/Checkpoint.h"
#include "runtime/IDX.h"
#include "runtime/LearningRate.h"
#include "runtime/ReadFile.h"
#include "runtime/Text.h"
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

/// A text's character ids cut into windows of `context` ids (a sample's
/// tokens) with the ids one position later (its labels).
struct TextSet {
  std::vector<int32_t> ids;
  int64_t context = 1;
  /// Windows from offset 0: window k reads ids [k T, (k + 1) T].
  int64_t size() const {
    return ids.empty() ? 0 : (int64_t(ids.size()) - 1) / context;
  }
  /// How much later all of a pass's windows may start.
  int64_t slack() const { return int64_t(ids.size()) - 1 - size() * context; }
};

/// A text's test set, without --test-data: every kTextTestEvery-th piece
/// of kTextPieceContexts x the model's context characters.
constexpr int64_t kTextTestEvery = 10, kTextPieceContexts = 20;

/// The samples a pass reads: IDX images, the rows of a table, or windows
/// of a text.
struct Examples {
  const runtime::Dataset *images = nullptr;
  const runtime::Table *table = nullptr;
  const TextSet *text = nullptr;
  int64_t size() const {
    return images  ? images->size()
           : table ? table->rows
           : text  ? text->size()
                   : 0;
  }
  explicit operator bool() const { return images || table || text; }
};

/// One pass of the model over `indices` of `data`, in batches. The metric
/// is Keras's for the loss: accuracy (classes), binary accuracy (per
/// output), or the mean absolute error (MSE).
struct Pass {
  double loss = 0, metric = 0;
  int64_t seen = 0, units = 0; ///< samples, and the metric's terms
  /// When sized: confusion[true][predicted].
  std::vector<std::vector<int64_t>> confusion;
  double accuracy() const { return units ? metric / units : 0; }
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
      : sig(sig), options(options), target(targetShape(sig)) {}

  /// Whether the metric is the accuracy of the largest output: for the
  /// categorical losses, and (as Keras resolves "accuracy") for MSE on
  /// more than one output, such as one-hot targets.
  bool classLoss() const {
    return sig.loss == "sparse_categorical_crossentropy" ||
           sig.loss == "categorical_crossentropy" ||
           (sig.loss == "mse" && outputWidth > 1);
  }
  bool classLabels() const {
    return target.kind == runtime::TargetKind::Classes;
  }
  /// A language model: token ids in, one row of class scores per token
  /// out (checkModel checked the shapes).
  bool textModel() const {
    return sig.inputs.front().element == ElementKind::I32;
  }

  /// Allocates the params, the optimizer state and one batch's buffers,
  /// and initializes the params. The model's input and output were
  /// checked (checkModel).
  Error prepare() {
    sampleSize = sig.inputs.front().numElements(1);
    outputWidth = sig.outputs.front().numElements(1);
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
    if (textModel()) {
      context = sampleSize;
      classes = sig.outputs.front().shape.back();
      tokens.assign(batch * context, 0);
      y.assign(batch * context, 0);
    } else {
      x.assign(batch * sampleSize, 0.0f);
      if (classLabels())
        y.assign(batch, 0);
      else
        targets.assign(batch * target.width, 0.0f);
    }
    predictions.assign(batch * outputWidth, 0.0f);
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
    uint64_t labelWidth = classLabels() ? 1 : uint64_t(target.width);
    overflow |= __builtin_add_overflow(uint64_t(sampleSize),
                                       uint64_t(outputWidth), &perSample) ||
                __builtin_add_overflow(perSample, labelWidth, &perSample);
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

  /// Checks that `features` values per sample fill the model's input.
  Error checkFeatures(int64_t features, const std::string &what) {
    if (features == sampleSize)
      return Error::success();
    const TensorSpec &input = sig.inputs.front();
    return fail(what + " has " + std::to_string(features) +
                " values per sample, but the model's input '" + input.name +
                "' is " + input.shapeString() + " (" +
                std::to_string(sampleSize) + " per sample)");
  }

  /// Checks image labels against the model's classes.
  Error checkLabels(const runtime::Dataset &set, const std::string &what) {
    for (int64_t i = 0; i < set.size(); ++i)
      if (set.labels.data[i] >= target.width)
        return fail(what + " label " + std::to_string(i) + " is " +
                    std::to_string(set.labels.data[i]) +
                    ", but the model predicts " + std::to_string(target.width) +
                    " classes");
    return Error::success();
  }

  /// Adds the batch's loss and metric (Keras's for the loss) to `pass`.
  void score(Pass &pass, int64_t n, float loss) {
    pass.loss += double(loss) * n;
    pass.seen += n;
    const int64_t w = outputWidth;
    if (textModel()) {
      // Keras's sparse categorical accuracy, over every token.
      for (int64_t i = 0; i < n * context; ++i) {
        const float *row = &predictions[i * classes];
        pass.metric += std::max_element(row, row + classes) - row == y[i];
      }
      pass.units += n * context;
      return;
    }
    for (int64_t i = 0; i < n; ++i) {
      const float *row = &predictions[i * w];
      const float *t = classLabels() ? nullptr : &targets[i * target.width];
      if (classLoss()) {
        // First maximum, as argmax is.
        int64_t best = std::max_element(row, row + w) - row;
        int64_t truth = t ? std::max_element(t, t + w) - t : y[i];
        pass.metric += best == truth;
        ++pass.units;
        if (!pass.confusion.empty())
          ++pass.confusion[truth][best];
      } else if (sig.loss == "binary_crossentropy") {
        // Keras's binary accuracy: y_true == (y_pred > 0.5), on the
        // probability (a logit's threshold is 0).
        float threshold = sig.fromLogits ? 0.0f : 0.5f;
        for (int64_t k = 0; k < w; ++k)
          pass.metric += (row[k] > threshold ? 1.0f : 0.0f) == t[k];
        pass.units += w;
      } else {
        for (int64_t k = 0; k < w; ++k)
          pass.metric += std::fabs(double(row[k]) - double(t[k]));
        pass.units += w;
      }
    }
  }

  /// The metric's name: accuracy, or mae for a regression of one value.
  std::string metricName() const {
    return classLoss() || sig.loss == "binary_crossentropy" ? "accuracy"
                                                            : "mae";
  }

  /// The batch of `order` that starts at `begin`, into `xs` and the labels
  /// (`ys` for classes, `ts` for float targets). Returns the sample count.
  int64_t load(const Examples &set, const std::vector<int64_t> &order,
               int64_t begin, float *xs, int32_t *ys, float *ts) {
    if (set.text) {
      int64_t n = std::min(options.batchSize, int64_t(order.size()) - begin);
      const int32_t *ids = set.text->ids.data();
      for (int64_t i = 0; i < n; ++i) {
        const int32_t *window = ids + order[begin + i] * context + textShift;
        std::copy_n(window, context, tokens.data() + i * context);
        std::copy_n(window + 1, context, ys + i * context);
      }
      return n;
    }
    if (set.images)
      return runtime::loadBatch(*set.images, order, begin, options.batchSize,
                                normalization.shift, normalization.scale, xs,
                                ys);
    int64_t n = std::min(options.batchSize, int64_t(order.size()) - begin);
    runtime::gatherRows(*set.table, order.data() + begin, n, encoding.scaling,
                        xs, ys, ts);
    return n;
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
    const void *labels =
        classLabels() ? static_cast<const void *>(y.data()) : targets.data();
    const void *input = textModel() ? static_cast<const void *>(tokens.data())
                                    : static_cast<const void *>(x.data());
    StepBuffers step{
        dataOf(params), dataOf(states), &stepRate, &stepSize,
        input,          labels,         &stepLoss, predictions.data()};
    b = stepArguments(sig, step, n, training);
    return b;
  }

  Error trainEpoch(const Examples &set, std::vector<int64_t> &order,
                   int64_t epoch, Pass &pass, bool tty) {
    runtime::shuffle(order, options.seed, epoch);
    // A text's windows start at another offset each epoch (seeded), so
    // its characters are not always at the same positions.
    if (set.text) {
      uint64_t mix = (options.seed + 1) * 0x9E3779B97F4A7C15ull ^
                     uint64_t(epoch + 1) * 0xBF58476D1CE4E5B9ull;
      int64_t most = std::min(set.text->slack(), context - 1);
      textShift = int64_t((mix >> 17) % uint64_t(most + 1));
    }
    int64_t steps =
        (int64_t(order.size()) + options.batchSize - 1) / options.batchSize;
    const runtime::LearningRateSchedule &schedule = sig.schedule;
    auto start = Clock::now();
    // With augmentation (images only), a worker gathers and transforms
    // batch s + 1 into a staging buffer while step s runs; the step only
    // copies it in.
    const int64_t batch = options.batchSize;
    std::future<int64_t> next;
    auto prepare = [&](int64_t s) -> int64_t {
      int64_t height = set.images->images.dims[1],
              width = set.images->images.dims[2];
      int64_t channels = sampleSize / (height * width);
      float fill = (0.0f - normalization.shift) * normalization.scale;
      std::vector<float> &sx = stageX[s % 2];
      std::vector<int32_t> &sy = stageY[s % 2];
      int64_t n = load(set, order, s * batch, sx.data(), sy.data(), nullptr);
      runtime::augmentBatch(sx.data(), n, height, width, channels, augment,
                            options.seed, epoch, s * batch, fill);
      return n;
    };
    bool augmenting = augment.enabled() && set.images;
    if (augmenting)
      next = std::async(std::launch::async, prepare, int64_t(0));
    for (int64_t s = 0; s < steps; ++s) {
      int64_t n;
      if (augmenting) {
        n = next.get();
        std::copy_n(stageX[s % 2].data(), n * sampleSize, x.data());
        std::copy_n(stageY[s % 2].data(), n, y.data());
        if (s + 1 < steps)
          next = std::async(std::launch::async, prepare, s + 1);
      } else {
        n = load(set, order, s * batch, x.data(), y.data(), targets.data());
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
            "\r{0,5}/{1} [{2}] - {3:f1}s - loss: {4:f4} - {5}: {6:f4}", s + 1,
            steps, bar,
            std::chrono::duration<double>(Clock::now() - start).count(),
            pass.meanLoss(), metricName(), pass.accuracy());
        outs().flush();
      }
    }
    return Error::success();
  }

  Error evaluate(const Examples &set, const std::vector<int64_t> &indices,
                 Pass &pass) {
    textShift = 0;
    for (int64_t begin = 0; begin < int64_t(indices.size());
         begin += options.batchSize) {
      int64_t n = load(set, indices, begin, x.data(), y.data(), targets.data());
      stepLoss = 0;
      if (Error err = jit->evalStep(buffers(n, false)))
        return err;
      score(pass, n, stepLoss);
    }
    return Error::success();
  }

  /// Runs predict over every sample of `set`, appending the outputs to
  /// `out` ([samples, outputWidth]).
  Error predict(const Examples &set, std::vector<float> &out) {
    std::vector<int64_t> all(set.size());
    std::iota(all.begin(), all.end(), 0);
    out.reserve(size_t(set.size() * outputWidth));
    std::vector<BufferRef> args;
    int64_t argsBatch = -1;
    for (int64_t begin = 0; begin < set.size(); begin += options.batchSize) {
      int64_t n = load(set, all, begin, x.data(), y.data(), targets.data());
      if (n != argsBatch) {
        argsBatch = n;
        args.clear();
        for (auto [spec, p] : llvm::zip(sig.params, params))
          args.push_back({p.data(), spec.shape});
        std::vector<int64_t> in = sig.inputs.front().shape,
                             result = sig.outputs.front().shape;
        in[0] = result[0] = n;
        args.push_back({x.data(), in});
        args.push_back({predictions.data(), result});
      }
      if (Error err = jit->predict(args))
        return err;
      out.insert(out.end(), predictions.begin(),
                 predictions.begin() + n * outputWidth);
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
  /// run needs to be continued or evaluated alike (normalization or the
  /// table's encoding, schedule).
  Error save(const std::string &path, int64_t epochsDone) {
    runtime::Checkpoint c = checkpoint();
    c.metadata = {{"epoch", std::to_string(epochsDone)},
                  {"seed", std::to_string(options.seed)}};
    recordRun(normalization, sig.schedule, c.metadata);
    if (textModel())
      recordVocabulary(vocabulary, c.metadata);
    if (tabular)
      recordTable(encoding, c.metadata);
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
  const TargetShape target;
  /// The compiled model, once there is one (after prepare, load, ...).
  JITModel *jit = nullptr;
  int64_t sampleSize = 0, outputWidth = 0, iteration = 0;
  /// --augment, and the staging buffers its worker fills (one batch each).
  runtime::AugmentOptions augment;
  std::vector<float> stageX[2];
  std::vector<int32_t> stageY[2];
  Normalization normalization; ///< of IDX images
  bool tabular = false;        ///< the data is a table (encoding applies)
  TableEncoding encoding;
  // Aligned for the compiled code's vector loads.
  std::vector<runtime::AlignedVector<float>> params, states;
  runtime::AlignedVector<float> x, targets, predictions;
  runtime::AlignedVector<int32_t> y;
  /// The scalar arguments of a step, and the cached argument lists.
  float stepRate = 0, stepSize = 0, stepLoss = 0;
  std::vector<BufferRef> trainArgs, evalArgs;
  int64_t trainArgsBatch = -1, evalArgsBatch = -1;
  /// A language model's tokens per sample and classes per token, the
  /// batch's token ids, the characters by id, and where this pass's
  /// windows start.
  int64_t context = 0, classes = 0, textShift = 0;
  runtime::AlignedVector<int32_t> tokens;
  std::vector<std::string> vocabulary;
};

/// Checks the model's one input and its first output against what the
/// trainer feeds and reads.
Error checkModel(const ModelSignature &sig, RunKind kind) {
  const TensorSpec &input = sig.inputs.front();
  auto dynamicAfterBatch = [](const TensorSpec &t) {
    return t.shape.empty() || t.shape[0] >= 0 ||
           llvm::any_of(llvm::drop_begin(t.shape),
                        [](int64_t d) { return d < 0; });
  };
  // A language model: ids (batch, T) in, scores (batch, T, classes) out,
  // a label per token.
  if (sig.inputs.size() == 1 && input.element == ElementKind::I32) {
    bool ok = isTokenModel(sig) &&
              (kind == RunKind::Predict ||
               (sig.labels && sig.labels->element == ElementKind::I32 &&
                sig.labels->shape == input.shape));
    if (!ok)
      return fail("model @" + sig.model +
                  ": a model of token ids needs one int32 input ?xT and one "
                  "float32 output ?xTxC of class scores per token, with "
                  "sparse_categorical_crossentropy; " +
                  inputAndOutputText(sig));
    return Error::success();
  }
  if (sig.inputs.size() != 1 || input.element != ElementKind::F32 ||
      dynamicAfterBatch(input))
    return fail(
        "model @" + sig.model +
        ": mlc feeds one float32 input, batch first, whose other "
        "dimensions are static; its input '" +
        input.name + "' is " + input.shapeString() +
        (sig.inputs.size() > 1
             ? " (and it has " + std::to_string(sig.inputs.size()) + " inputs)"
             : std::string()));
  const TensorSpec &output = sig.outputs.front();
  bool classes = sig.labels && sig.labels->element == ElementKind::I32;
  // One class label per sample: the output is one row of class scores per
  // sample, which is what the trainer's buffers and its accuracy assume.
  bool badOutput =
      output.element != ElementKind::F32 || dynamicAfterBatch(output) ||
      (classes &&
       (output.shape.size() != 2 || sig.labels->shape.size() != 1)) ||
      (kind != RunKind::Predict && sig.outputs.size() != 1);
  if (badOutput)
    return fail("model @" + sig.model + ": mlc " +
                (kind == RunKind::Predict ? "predict" : "train and eval") +
                (classes ? std::string(" read one class label per sample, so "
                                       "the model needs one float32 output "
                                       "of class scores, ?xC")
                         : std::string(" read one float32 output, batch "
                                       "first")) +
                "; its output '" + output.name + "' is " +
                output.shapeString() +
                (sig.outputs.size() > 1
                     ? " (and it has " + std::to_string(sig.outputs.size()) +
                           " outputs)"
                     : std::string()));
  return Error::success();
}

/// The table's encoding: the checkpoint's when it records one (an
/// explicit --normalize must agree), else what --normalize asks for.
Expected<TableEncoding>
chooseEncoding(const TrainOptions &options,
               const std::optional<TableEncoding> &recorded,
               const runtime::Table *train) {
  if (recorded) {
    if (!options.normalize.empty() && options.normalize != recorded->normalize)
      return fail("--normalize=" + options.normalize + " contradicts " +
                  options.resume + ", which was trained with --normalize=" +
                  recorded->normalize +
                  " (leave --normalize out to use the checkpoint's)");
    return *recorded;
  }
  TableEncoding e;
  e.normalize = options.normalize.empty() ? "none" : options.normalize;
  if (e.normalize == "standardize") {
    if (!train)
      return fail("--normalize=standardize adapts to the training set, "
                  "which mlc eval and predict do not read; the checkpoint "
                  "records no statistics (it was not trained on a table)");
    e.scaling = runtime::standardization(*train);
  } else if (e.normalize == "scale") {
    // Pixel bytes to [0, 1], as for IDX images.
    int64_t f = train ? train->features : 0;
    e.scaling.mean.assign(size_t(f), 0.0f);
    e.scaling.scale.assign(size_t(f), 1.0f / 255.0f);
  }
  return e;
}

/// The column names a table's labels came from, for the checkpoint.
std::vector<std::string> labelColumnsOf(const runtime::Table &table,
                                        const TrainOptions &options) {
  return table.labelNames.empty() ? options.labelColumns : table.labelNames;
}

} // namespace

Error mlc::checkTrainOptions(const TrainOptions &options, RunKind kind) {
  bool train = kind == RunKind::Train;
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
      options.normalize != "standardize" && options.normalize != "none")
    return fail("--normalize must be scale, standardize or none, got '" +
                options.normalize + "'");
  if (kind != RunKind::Train && options.resume.empty())
    return fail(std::string("mlc ") +
                (kind == RunKind::Eval ? "eval" : "predict") +
                " needs --checkpoint FILE (a checkpoint written by "
                "mlc train --checkpoint)");
  if (kind == RunKind::Predict) {
    StringRef out(options.output);
    if (out.empty())
      return fail("mlc predict needs -o FILE: the predictions' file, .csv or "
                  ".npy");
    if (!out.ends_with_insensitive(".csv") &&
        !out.ends_with_insensitive(".npy"))
      return fail("-o " + options.output +
                  ": predictions are written as .csv or .npy; name the file "
                  "so");
    if (std::string why = whyNotWritable(options.output); !why.empty())
      return fail("cannot write '" + options.output + "': " + why);
  }
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
  State(const ModelSignature &sig, const TrainOptions &options, RunKind kind)
      : trainer(sig, options), kind(kind) {}
  Trainer trainer;
  RunKind kind;
  DataSpec spec;
  runtime::Dataset trainSet, testSet; ///< IDX
  runtime::Table trainTable, testTable;
  TextSet trainText, testText;
  Examples train, test; ///< test: none for a table without test data
  int64_t firstEpoch = 0;

  /// Reads --data text:FILE (and --test-data): characters map through the
  /// checkpoint's vocabulary when it records one, else the training text's
  /// characters become the vocabulary. Without --test-data every tenth
  /// piece of 20 contexts is the test set.
  Error readText(const std::optional<std::vector<std::string>> &recorded) {
    const TrainOptions &options = trainer.options;
    // eval has a checkpoint (checkTrainOptions).
    if (!recorded && kind != RunKind::Train)
      return fail(options.resume +
                  " records no character vocabulary: it was not trained on "
                  "text");
    runtime::TextCorpus corpus;
    std::string error;
    if (!runtime::readText(spec.path, recorded ? &*recorded : nullptr, corpus,
                           error))
      return fail(error);
    int64_t classes = trainer.sig.outputs.front().shape.back();
    if (int64_t(corpus.vocabulary.size()) > classes)
      return fail(spec.path + " has " +
                  std::to_string(corpus.vocabulary.size()) +
                  " distinct characters, but model @" + trainer.sig.model +
                  " predicts " + std::to_string(classes) +
                  " classes (one per character)");
    trainer.vocabulary = corpus.vocabulary;
    int64_t context = trainer.sig.inputs.front().shape[1];
    trainText.context = testText.context = context;
    std::vector<int32_t> &ids = corpus.ids;
    if (!options.testData.empty()) {
      Expected<DataSpec> testSpec = parseDataSpec(options.testData);
      if (!testSpec)
        return testSpec.takeError();
      if (testSpec->format != DataFormat::Text)
        return fail("--test-data " + options.testData +
                    " is not text; the training data is (give text:FILE)");
      runtime::TextCorpus held;
      if (!runtime::readText(testSpec->path, &corpus.vocabulary, held, error))
        return fail(error + " (the test text must use the training text's "
                            "characters)");
      testText.ids = std::move(held.ids);
      trainText.ids = std::move(ids);
    } else {
      // Every tenth piece held out: a corpus in some order (a sorted word
      // list) keeps one distribution in both sets, unlike a tail split.
      const int64_t piece = kTextPieceContexts * context;
      for (int64_t start = 0, p = 0; start < int64_t(ids.size());
           start += piece, ++p) {
        auto first = ids.begin() + start;
        auto last = ids.begin() + std::min(start + piece, int64_t(ids.size()));
        TextSet &into =
            p % kTextTestEvery == kTextTestEvery - 1 ? testText : trainText;
        into.ids.insert(into.ids.end(), first, last);
      }
    }
    auto tooShort = [&](const TextSet &set, const std::string &what) {
      return fail(what + " has " + std::to_string(set.ids.size()) +
                  " characters; a sample needs " + std::to_string(context + 1) +
                  " (the model's context, " + std::to_string(context) +
                  ", and the next character)");
    };
    if (kind == RunKind::Train && trainText.size() < 1)
      return tooShort(trainText, spec.path + " (its training part)");
    if (testText.size() < 1)
      return tooShort(testText,
                      options.testData.empty()
                          ? spec.path + " (every tenth piece of " +
                                std::to_string(kTextPieceContexts * context) +
                                " characters, the test set)"
                          : options.testData);
    if (kind == RunKind::Train)
      train.text = &trainText;
    test.text = &testText;
    return Error::success();
  }
};

TrainingRun::TrainingRun(std::unique_ptr<State> state)
    : state(std::move(state)) {}
TrainingRun::~TrainingRun() = default;

Expected<std::unique_ptr<TrainingRun>>
TrainingRun::prepare(const ModelSignature &sig, const TrainOptions &options,
                     RunKind kind) {
  bool train = kind == RunKind::Train;
  if (kind != RunKind::Predict && !sig.canEvaluate())
    return fail("model @" + sig.model +
                " has no loss: give it a loss attribute or use --loss");
  if (train && !sig.canTrain())
    return fail("model @" + sig.model +
                " has no optimizer: give it an optimizer attribute or use "
                "--optimizer");
  if (Error err = checkModel(sig, kind))
    return std::move(err);

  auto state = std::make_unique<State>(sig, options, kind);
  if (Error err = parseDataSpec(options.data).moveInto(state->spec))
    return std::move(err);
  const DataSpec &spec = state->spec;
  bool text = spec.format == DataFormat::Text;
  bool tabular = spec.format != DataFormat::Idx && !text;
  Trainer &trainer = state->trainer;
  trainer.tabular = tabular;
  if (text != trainer.textModel())
    return fail(text ? "--data " + options.data +
                           " is text, read as character ids; model @" +
                           sig.model + " takes float32 input '" +
                           sig.inputs.front().name + "' " +
                           sig.inputs.front().shapeString()
                     : "model @" + sig.model + " takes token ids ('" +
                           sig.inputs.front().name + "' " +
                           sig.inputs.front().shapeString() +
                           "): give it a text file with --data text:FILE");
  if (text) {
    if (kind == RunKind::Predict)
      return fail("mlc predict writes a table of outputs; for text, generate "
                  "characters with mlc sample");
    const char *flag = !options.augment.empty()        ? "--augment"
                       : !options.labelColumns.empty() ? "--label-column"
                       : !options.labels.empty()       ? "--labels"
                       : !options.normalize.empty()    ? "--normalize"
                                                       : nullptr;
    if (flag)
      return fail(std::string(flag) + " does not apply to text (--data " +
                  options.data + ")");
  }
  if (!tabular && !text && kind != RunKind::Predict &&
      sig.labels->element != ElementKind::I32)
    return fail("model @" + sig.model +
                ": IDX data has integer class labels, which need the "
                "sparse_categorical_crossentropy loss (use --loss, or give "
                "the labels as a .npz or .csv)");
  if (tabular && !options.augment.empty())
    return fail("--augment transforms images read from IDX files; --data " +
                options.data + " is a table");
  if (!tabular && !text &&
      (!options.labelColumns.empty() || !options.labels.empty()))
    return fail(
        std::string(options.labels.empty() ? "--label-column" : "--labels") +
        " names the labels of a table (.csv, .npy); --data " + options.data +
        " is IDX images with their labels");
  if (!options.labels.empty() && spec.format != DataFormat::Npy)
    return fail("--labels names the .npy array of labels next to --data "
                "x.npy; a " +
                std::string(spec.format == DataFormat::Csv ? ".csv table names "
                                                             "its label "
                                                             "columns with "
                                                             "--label-column"
                                                           : ".npz holds its "
                                                             "labels as y"));
  if (!options.testData.empty() && !tabular && !text)
    return fail("--test-data is for tables; IDX directories hold their own "
                "test set");

  if (Error err = trainer.prepare())
    return std::move(err);

  // Images are read before the checkpoint (a table or a text after it: the
  // checkpoint says how to read its labels or characters).
  if (!tabular && !text) {
    std::string error;
    if (!runtime::loadIdxDirectory(spec.path, state->trainSet, state->testSet,
                                   error)) {
      if (options.data == "fashion-mnist")
        error += " (install Fashion-MNIST with: apt-get install "
                 "dataset-fashion-mnist)";
      return fail(error);
    }
    const runtime::IdxArray &images = state->trainSet.images;
    if (images.dims[1] * images.dims[2] != trainer.sampleSize) {
      const TensorSpec &input = sig.inputs.front();
      return fail("the images are " + std::to_string(images.dims[1]) + "x" +
                  std::to_string(images.dims[2]) + ", but the model's input '" +
                  input.name + "' is " + input.shapeString());
    }
    if (kind != RunKind::Predict) {
      if (Error err =
              trainer.checkLabels(state->trainSet, spec.path + ": training"))
        return std::move(err);
      if (Error err = trainer.checkLabels(state->testSet, spec.path + ": test"))
        return std::move(err);
    }
  }

  std::optional<Normalization> recorded;
  std::optional<TableEncoding> recordedEncoding;
  std::optional<std::vector<std::string>> recordedChars;
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
    if (Error err =
            recordedTable(options.resume, *metadata).moveInto(recordedEncoding))
      return std::move(err);
    if (Error err = recordedVocabulary(options.resume, *metadata)
                        .moveInto(recordedChars))
      return std::move(err);
    // A checkpoint that records how it read a table, or an image
    // standardization, was trained on that kind of data (one that records
    // neither, such as an imported model's, may read either).
    bool tableRun = recordedEncoding.has_value(),
         imageRun = recorded.has_value();
    if (((tabular && imageRun) || (!tabular && tableRun)) &&
        kind != RunKind::Train)
      return fail(options.resume + " was trained on " +
                  (tabular ? "IDX images" : "a table (.csv, .npz, .npy)") +
                  "; --data " + options.data + " is " +
                  (tabular ? "a table" : "IDX images"));
    if (train)
      warnOnScheduleChange(options.resume, *metadata, sig.schedule);
  }

  if (text) {
    if (Error err = state->readText(recordedChars))
      return std::move(err);
  } else if (!tabular) {
    if (options.normalize == "none")
      return fail("--normalize=none is for tables; IDX pixels are scaled "
                  "(scale) or standardized");
    if (Error err = chooseNormalization(options, recorded, state->trainSet)
                        .moveInto(trainer.normalization))
      return std::move(err);
    state->train.images = &state->trainSet;
    state->test.images = &state->testSet;
  } else {
    TableReading reading;
    reading.labelColumns = options.labelColumns;
    reading.labelsFile = options.labels;
    reading.labelsOptional = kind == RunKind::Predict;
    if (recordedEncoding) {
      if (reading.labelColumns.empty())
        reading.labelColumns = recordedEncoding->labelColumns;
      if (!recordedEncoding->classNames.empty())
        reading.classNames = recordedEncoding->classNames;
    }
    const TargetShape &target = trainer.target;
    // What the run reads: train reads the training rows (and test rows
    // when it has some); eval and predict read the test rows of an
    // archive that has them, else the whole file.
    TableFile file;
    if (Error err = readTableFile(spec).moveInto(file))
      return std::move(err);
    bool npzTest = file.hasTestArrays();
    runtime::Table &main = train ? state->trainTable : state->testTable;
    if (Error err =
            readTable(file, reading, target, !train && npzTest ? "test" : "")
                .moveInto(main))
      return std::move(err);
    std::string mainWhat =
        !train && npzTest ? spec.path + " (x_test)" : spec.path;
    if (train && !main.classNames.empty())
      reading.classNames = main.classNames;
    if (train && (npzTest || !options.testData.empty())) {
      DataSpec testSpec = spec;
      std::string member = "test";
      TableFile testFile;
      if (!options.testData.empty()) {
        if (Error err = parseDataSpec(options.testData).moveInto(testSpec))
          return std::move(err);
        if (testSpec.format == DataFormat::Idx)
          return fail("--test-data " + options.testData +
                      " is IDX images; the training data is a table");
        member = "";
        if (testSpec.format == DataFormat::Npy)
          return fail("--test-data " + options.testData +
                      " is one array; give the test set as a .npz (x and "
                      "y) or a .csv");
        if (Error err = readTableFile(testSpec).moveInto(testFile))
          return std::move(err);
      }
      // The archive's own test arrays come from the bytes read above.
      if (Error err = readTable(options.testData.empty() ? file : testFile,
                                reading, target, member)
                          .moveInto(state->testTable))
        return std::move(err);
      state->test.table = &state->testTable;
      std::string what =
          options.testData.empty() ? spec.path + " (x_test)" : testSpec.path;
      if (Error err = trainer.checkFeatures(state->testTable.features, what))
        return std::move(err);
      if (Error err = checkTargets(state->testTable, target, what))
        return std::move(err);
    }
    if (Error err = trainer.checkFeatures(main.features, mainWhat))
      return std::move(err);
    if (kind != RunKind::Predict)
      if (Error err = checkTargets(main, target, mainWhat))
        return std::move(err);
    if (recordedEncoding && !recordedEncoding->featureNames.empty() &&
        !main.featureNames.empty() &&
        recordedEncoding->featureNames != main.featureNames) {
      std::string names;
      for (const std::string &name : recordedEncoding->featureNames)
        names += (names.empty() ? "'" : ", '") + name + "'";
      return fail(mainWhat + ": the feature columns differ from those " +
                  options.resume + " was trained on (" + names + ")");
    }
    if (Error err =
            chooseEncoding(options, recordedEncoding, train ? &main : nullptr)
                .moveInto(trainer.encoding))
      return std::move(err);
    if (trainer.encoding.scaling.mean.size() > 0 &&
        int64_t(trainer.encoding.scaling.mean.size()) != main.features)
      return fail(options.resume + " scales " +
                  std::to_string(trainer.encoding.scaling.mean.size()) +
                  " features; " + mainWhat + " has " +
                  std::to_string(main.features));
    if (train) {
      trainer.encoding.featureNames = main.featureNames;
      trainer.encoding.labelColumns = labelColumnsOf(main, options);
      trainer.encoding.classNames = main.classNames;
      state->train.table = &state->trainTable;
    } else {
      state->test.table = &state->testTable;
    }
  }
  if (options.validateOnTest && !state->test)
    return fail("--validate-on-test: --data " + options.data +
                " has no test set (give one with --test-data FILE)");
  if (train && state->firstEpoch >= options.epochs)
    return fail(options.resume + " has already trained " +
                std::to_string(state->firstEpoch) +
                " epochs; ask for more with --epochs");
  return std::unique_ptr<TrainingRun>(new TrainingRun(std::move(state)));
}

namespace {

/// A float as the shortest text that reads back as the same float.
std::string floatText(float v) {
  char text[32];
  for (int digits = 6; digits <= 9; ++digits) {
    std::snprintf(text, sizeof text, "%.*g", digits, double(v));
    if (std::strtof(text, nullptr) == v)
      break;
  }
  return text;
}

/// A CSV field: quoted when it holds a separator, a quote or a line break.
std::string csvField(const std::string &text) {
  if (text.find_first_of(",\"\r\n") == std::string::npos)
    return text;
  std::string out = "\"";
  for (char c : text)
    out += c == '"' ? std::string("\"\"") : std::string(1, c);
  return out + "\"";
}

/// What the "class" column of a CSV of predictions holds: the largest
/// output's class, or the class a binary probability (logit) picks.
enum class ClassColumn { None, Largest, Probability, Logit };

/// Writes the predictions ([rows, width] of `shape`) as a CSV table or a
/// .npy array, atomically.
Error writePredictions(const std::string &path, const std::vector<float> &out,
                       int64_t rows, std::vector<int64_t> shape,
                       const std::vector<std::string> &columns,
                       const std::vector<std::string> &classNames,
                       ClassColumn classes) {
  int64_t width = rows ? int64_t(out.size()) / rows : 0;
  Error err = writeToOutput(path, [&](raw_ostream &os) {
    if (StringRef(path).ends_with_insensitive(".npy")) {
      shape[0] = rows;
      os << runtime::npyHeader("<f4", shape);
      os.write(reinterpret_cast<const char *>(out.data()),
               out.size() * sizeof(float));
      return Error::success();
    }
    for (int64_t k = 0; k < width; ++k)
      os << (k ? "," : "") << csvField(columns[size_t(k)]);
    if (classes != ClassColumn::None)
      os << ",class";
    os << "\n";
    for (int64_t r = 0; r < rows; ++r) {
      const float *row = out.data() + r * width;
      for (int64_t k = 0; k < width; ++k)
        os << (k ? "," : "") << floatText(row[k]);
      if (classes != ClassColumn::None) {
        int64_t best =
            classes == ClassColumn::Largest
                ? std::max_element(row, row + width) - row
                : row[0] > (classes == ClassColumn::Logit ? 0.0f : 0.5f);
        os << ","
           << (size_t(best) < classNames.size()
                   ? csvField(classNames[size_t(best)])
                   : std::to_string(best));
      }
      os << "\n";
    }
    return Error::success();
  });
  if (err)
    return fail("cannot write '" + path + "': " + toString(std::move(err)));
  return Error::success();
}

} // namespace

Error TrainingRun::run(JITModel &jit) {
  Trainer &trainer = state->trainer;
  trainer.jit = &jit;
  const TrainOptions &options = trainer.options;
  const ModelSignature &sig = trainer.sig;
  const Examples &trainSet = state->train, &testSet = state->test;
  bool train = state->kind == RunKind::Train;

  if (state->kind == RunKind::Predict) {
    std::vector<float> out;
    if (Error err = trainer.predict(testSet, out))
      return err;
    // Columns: the class names (or the label columns) the checkpoint
    // recorded when they match the output, else output_K.
    const TableEncoding &e = trainer.encoding;
    int64_t width = trainer.outputWidth;
    std::vector<std::string> columns;
    bool binary = sig.loss == "binary_crossentropy" && width == 1 &&
                  e.classNames.size() == 2;
    if (int64_t(e.classNames.size()) == width && trainer.classLoss())
      columns = e.classNames;
    else if (int64_t(e.labelColumns.size()) == width && !trainer.classLoss())
      columns = e.labelColumns;
    else
      for (int64_t k = 0; k < width; ++k)
        columns.push_back("output_" + std::to_string(k));
    ClassColumn classColumn =
        trainer.classLoss() ? ClassColumn::Largest
        : binary
            ? (sig.fromLogits ? ClassColumn::Logit : ClassColumn::Probability)
            : ClassColumn::None;
    if (Error err = writePredictions(options.output, out, testSet.size(),
                                     sig.outputs.front().shape, columns,
                                     e.classNames, classColumn))
      return err;
    outs() << formatv("Wrote {0} predictions ({1} per sample) to {2}\n",
                      testSet.size(), width, options.output);
    return Error::success();
  }

  Report report;
  report.model = sig.model;
  report.data = options.data;
  report.metric = trainer.metricName();
  report.compileMs = jit.pipelineMs + jit.llvmMs;
  int64_t firstEpoch = state->firstEpoch;
  std::string metric = trainer.metricName();

  bool tty = sys::Process::StandardOutIsDisplayed();
  double trainSeconds = 0;
  int64_t trainSamples = 0;
  bool wroteCheckpoint = false;
  if (train) {
    int64_t n = trainSet.size();
    int64_t validation = int64_t(double(n) * options.validationSplit);
    if (n - validation < 1)
      return fail("--data " + options.data + " has " + std::to_string(n) +
                  " training samples" +
                  (validation ? " after the validation split" : "") +
                  "; training needs one or more");
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
                        "{5}: {4:f4}",
                        steps, seconds, 1000 * seconds / steps, pass.meanLoss(),
                        pass.accuracy(), metric);
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
        outs() << formatv(" - val_loss: {0:f4} - val_{2}: {1:f4}",
                          val.meanLoss(), val.accuracy(), metric);
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

  report.samplesPerSecond = trainSeconds > 0 ? trainSamples / trainSeconds : 0;
  if (testSet) {
    std::vector<int64_t> all(testSet.size());
    std::iota(all.begin(), all.end(), 0);
    Pass test;
    if (trainer.classLoss())
      test.confusion.assign(trainer.outputWidth,
                            std::vector<int64_t>(trainer.outputWidth, 0));
    if (Error err = trainer.evaluate(testSet, all, test))
      return err;
    outs() << formatv("Test: {0} samples - loss: {1:f4} - {3}: {2:f4}\n",
                      test.seen, test.meanLoss(), test.accuracy(), metric);
    report.test = TestMetrics{test.meanLoss(), test.accuracy(), test.seen,
                              test.confusion};
  }
  if (!options.report.empty())
    if (Error err = writeJsonReport(options.report, report))
      return err;
  if (!options.plot.empty())
    return writeSvgPlot(options.plot, report);
  return Error::success();
}
