//===- Model.cpp - load model files and apply command-line overrides ------===//

#include "compiler/Driver/Model.h"

#include "compiler/Driver/Pipeline.h"
#include "compiler/Registration/Registration.h"
#include "dialects/MLC/IR/MLCDialect.h"
#include "runtime/core/files.h"

#include "mlir/AsmParser/AsmParser.h"
#include "mlir/IR/Diagnostics.h"
#include "mlir/IR/DialectRegistry.h"
#include "mlir/Parser/Parser.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/SourceMgr.h"
#include "llvm/Support/WithColor.h"

#include <cerrno>
#include <cmath>
#include <cstdlib>
#include <cstring>

#include <unistd.h>

using namespace mlir;
using namespace mlc;

std::unique_ptr<MLIRContext> mlc::createContext() {
  // The CPU schedule's transform script runs upstream passes by name.
  registerPasses();
  DialectRegistry registry;
  registerDialects(registry);
  // The passes after the schedule run on each outlined kernel, and the
  // schedule's scripts on each function, in parallel on the context's
  // threads (the seed's MLIR 205 -> 140 ms on 2 cores; docs/codegen.md).
  // The result does not depend on the thread count. MLC_NO_MLIR_THREADS=1
  // compiles on one thread, for comparison.
  const char *serial = std::getenv("MLC_NO_MLIR_THREADS");
  auto context = std::make_unique<MLIRContext>(
      registry, serial && *serial ? MLIRContext::Threading::DISABLED
                                  : MLIRContext::Threading::ENABLED);
  context->loadAllAvailableDialects();
  return context;
}

OwningOpRef<ModuleOp> mlc::loadModelFile(MLIRContext &context,
                                         llvm::SourceMgr &sourceMgr,
                                         llvm::StringRef path) {
  // Model text is small; anything larger is a mistake (a dataset named as
  // the model, /dev/zero), refused before it is read.
  constexpr uint64_t maxBytes = uint64_t(256) << 20;
  std::unique_ptr<llvm::MemoryBuffer> buffer;
  if (path == "-") {
    std::string text;
    char chunk[1 << 16];
    for (;;) {
      ssize_t got = ::read(0, chunk, sizeof chunk);
      if (got < 0 && errno == EINTR)
        continue;
      if (got < 0) {
        llvm::WithColor::error(llvm::errs(), "mlc")
            << "cannot read the model from stdin: " << std::strerror(errno)
            << "\n";
        return nullptr;
      }
      if (got == 0)
        break;
      if (text.size() + size_t(got) > maxBytes) {
        llvm::WithColor::error(llvm::errs(), "mlc")
            << "the model on stdin is longer than " << (maxBytes >> 20)
            << " MiB, more than any model text\n";
        return nullptr;
      }
      text.append(chunk, size_t(got));
    }
    buffer = llvm::MemoryBuffer::getMemBufferCopy(text, "<stdin>");
  } else {
    unsigned char *bytes;
    size_t size;
    char why[256];
    if (mlcReadRegularFile(path.str().c_str(), maxBytes, &bytes, &size, why,
                           sizeof why) != MLC_CORE_OK) {
      llvm::WithColor::error(llvm::errs(), "mlc")
          << "cannot read model file '" << path << "': " << why << "\n";
      return nullptr;
    }
    buffer = llvm::MemoryBuffer::getMemBufferCopy(
        llvm::StringRef(reinterpret_cast<const char *>(bytes), size), path);
    std::free(bytes);
  }
  sourceMgr.AddNewSourceBuffer(std::move(buffer), llvm::SMLoc());
  OwningOpRef<ModuleOp> module = parseModel(context, sourceMgr);
  if (module && module->getOps<ModelOp>().empty()) {
    llvm::WithColor::error(llvm::errs(), "mlc")
        << "'" << path << "' contains no mlc.model\n";
    return nullptr;
  }
  return module;
}

/// Where `text` nests brackets deeper than `limit`, or null. Every kind
/// counts ((, [, {, <), strings and comments don't, and the '>' of "->" is
/// not a bracket. Real models nest about ten deep.
static const char *tooDeep(llvm::StringRef text, int limit) {
  int depth = 0;
  for (size_t i = 0; i < text.size(); ++i) {
    char c = text[i];
    if (c == '"') {
      for (++i; i < text.size() && text[i] != '"' && text[i] != '\n'; ++i)
        if (text[i] == '\\')
          ++i;
    } else if (c == '/' && i + 1 < text.size() && text[i + 1] == '/') {
      while (i < text.size() && text[i] != '\n')
        ++i;
    } else if (c == '(' || c == '[' || c == '{' || c == '<') {
      if (++depth > limit)
        return text.data() + i;
    } else if ((c == ')' || c == ']' || c == '}' ||
                (c == '>' && (i == 0 || text[i - 1] != '-'))) &&
               depth > 0) {
      --depth;
    }
  }
  return nullptr;
}

OwningOpRef<ModuleOp> mlc::parseModel(MLIRContext &context,
                                      llvm::SourceMgr &sourceMgr) {
  // MLIR's parser recurses once per level: a file nested thousands deep
  // would overflow the stack instead of getting an error.
  constexpr int maxNesting = 100;
  const llvm::MemoryBuffer *buffer =
      sourceMgr.getMemoryBuffer(sourceMgr.getMainFileID());
  if (const char *at = tooDeep(buffer->getBuffer(), maxNesting)) {
    sourceMgr.PrintMessage(llvm::SMLoc::getFromPointer(at),
                           llvm::SourceMgr::DK_Error,
                           "nested more than " + llvm::Twine(maxNesting) +
                               " levels deep; mlc models nest far less");
    return nullptr;
  }
  ParserConfig config(&context);
  return parseSourceFile<ModuleOp>(sourceMgr, config);
}

/// "a, b or c".
static std::string oneOf(llvm::ArrayRef<llvm::StringRef> names) {
  std::string text;
  for (auto [i, name] : llvm::enumerate(names))
    text += (i == 0 ? "" : i + 1 == names.size() ? " or " : ", ") + name.str();
  return text;
}

/// The schedule attribute `text` names ("name:key=value,..."), parsed and
/// verified as `#mlc.name<key = value, ...>`; null for "constant".
static llvm::Expected<LRScheduleAttrInterface>
parseSchedule(MLIRContext *ctx, llvm::StringRef text) {
  auto [name, args] = text.split(':');
  if (name == "constant" && args.empty())
    return LRScheduleAttrInterface();
  std::string attr = "#mlc." + name.str();
  if (!args.empty()) {
    attr += "<";
    llvm::SmallVector<llvm::StringRef> pairs;
    args.split(pairs, ',');
    for (auto [i, pair] : llvm::enumerate(pairs)) {
      auto [key, value] = pair.split('=');
      value = value.trim();
      // MLIR reads 1e-3 as an integer and an identifier; write it 0.001.
      std::string number = value.str();
      double parsed;
      if (!value.contains('.') && value.contains_insensitive("e") &&
          !value.getAsDouble(parsed))
        number = formatDouble(parsed);
      attr += (i ? ", " : "") + key.trim().str() + " = " + number;
    }
    attr += ">";
  }
  std::string why;
  Attribute parsed;
  {
    ScopedDiagnosticHandler capture(ctx, [&](Diagnostic &diag) {
      if (why.empty())
        why = diag.str();
      return success();
    });
    size_t read = 0;
    parsed = parseAttribute(attr, ctx, Type(), &read);
    if (parsed && read != attr.size())
      parsed = Attribute();
  }
  auto schedule = llvm::dyn_cast_or_null<LRScheduleAttrInterface>(parsed);
  if (!schedule)
    return llvm::createStringError(
        "invalid --lr-schedule '" + text.str() + "'" +
        (why.empty() ? std::string() : ": " + why) +
        " (expected constant, exponential_decay:decay_steps=N,decay_rate=R"
        "[,staircase=true] or cosine_decay:decay_steps=N[,alpha=A]"
        "[,warmup_steps=W,warmup_target=T])");
  return schedule;
}

llvm::Error mlc::applyOverrides(ModuleOp module,
                                const TrainingOverrides &overrides) {
  MLIRContext *ctx = module.getContext();
  for (ModelOp model : module.getOps<ModelOp>()) {
    if (!overrides.loss.empty()) {
      std::optional<LossKind> kind = symbolizeLossKind(overrides.loss);
      if (!kind)
        return llvm::createStringError(
            "unknown loss '" + overrides.loss +
            "' (expected mse, categorical_crossentropy, "
            "sparse_categorical_crossentropy or binary_crossentropy)");
      model.setLossAttr(LossAttr::get(ctx, *kind, overrides.fromLogits));
      Value prediction = model.getOutputOp().getOutputs().front();
      if (Operation *activation =
              overrides.fromLogits ? getProbabilityActivation(*kind, prediction)
                                   : nullptr) {
        // Applying the softmax (sigmoid) twice trains a different model
        // without any error; Keras only warns.
        StringRef what =
            *kind == LossKind::binary_crossentropy ? "sigmoid" : "softmax";
        // At the model's line, without the op dump emitError(op) adds.
        InFlightDiagnostic diag =
            emitError(model.getLoc())
            << "--from-logits: the output of @" << model.getSymName()
            << " is a " << what << ", not logits; " << overrides.loss
            << " with from_logits would apply the " << what
            << " a second time. Drop --from-logits: mlc computes the loss "
               "from the "
            << what << "'s logits anyway";
        diag.attachNote(activation->getLoc())
            << "the " << what << " is computed here";
        return llvm::make_error<DiagnosedError>();
      }
    }
    Attribute optimizer = model.getOptimizerAttr();
    if (!overrides.optimizer.empty()) {
      optimizer = getDefaultOptimizer(ctx, overrides.optimizer);
      if (!optimizer)
        return llvm::createStringError("unknown optimizer '" +
                                       overrides.optimizer + "' (expected " +
                                       oneOf(getOptimizerNames()) + ")");
    }
    if (overrides.learningRate) {
      if (!optimizer)
        return llvm::createStringError(
            "--learning-rate needs an optimizer: the model @" +
            model.getSymName().str() + " has none; add --optimizer");
      double lr = *overrides.learningRate;
      if (!(lr > 0) || !std::isfinite(lr))
        return llvm::createStringError("the learning rate must be positive, "
                                       "got " +
                                       std::to_string(lr));
      optimizer =
          llvm::cast<OptimizerAttrInterface>(optimizer).withLearningRate(lr);
    }
    if (optimizer)
      model.setOptimizerAttr(llvm::cast<OptimizerAttrInterface>(optimizer));
    if (!overrides.lrSchedule.empty()) {
      auto schedule = parseSchedule(ctx, overrides.lrSchedule);
      if (!schedule)
        return schedule.takeError();
      if (*schedule && !optimizer)
        return llvm::createStringError(
            "--lr-schedule needs an optimizer: the model @" +
            model.getSymName().str() + " has none; add --optimizer");
      if (*schedule)
        model.setLrScheduleAttr(*schedule);
      else
        model.removeLrScheduleAttr();
    }
  }
  return llvm::Error::success();
}

bool mlc::modelWantsBF16(mlir::ModuleOp module) {
  for (auto model : module.getOps<ModelOp>())
    if (model.getPrecision() == "bf16")
      return true;
  return false;
}
