//===- Driver.h - compile mlc models: JIT and code emission -----*- C++ -*-===//
//
// One API over the stages of compiling a model: parse and verify a model
// file, lower it stage by stage (the same pipelines `mlc-opt` runs), emit
// LLVM IR / assembly / object code, or JIT it and call its entry points.
//
//===----------------------------------------------------------------------===//

#ifndef MLC_COMPILER_DRIVER_DRIVER_H
#define MLC_COMPILER_DRIVER_DRIVER_H

#include "runtime/Initializers.h"
#include "runtime/LearningRate.h"

#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/MLIRContext.h"
#include "mlir/IR/OwningOpRef.h"
#include "llvm/ADT/ArrayRef.h"
#include "llvm/ADT/STLFunctionalExtras.h"
#include "llvm/ADT/SmallVector.h"
#include "llvm/Support/Error.h"

#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace llvm {
class Module;
class SourceMgr;
} // namespace llvm

namespace mlir {
class ExecutionEngine;
class PassManager;
} // namespace mlir

namespace mlc {

/// Creates a context with every dialect mlc uses loaded.
std::unique_ptr<mlir::MLIRContext> createContext();

/// Parses and verifies a model file (or "-" for stdin). Diagnostics are
/// reported through the context's handler with file:line:col. Returns null
/// on failure, after printing why.
mlir::OwningOpRef<mlir::ModuleOp> loadModelFile(mlir::MLIRContext &context,
                                                llvm::SourceMgr &sourceMgr,
                                                llvm::StringRef path);

/// Code generation target.
struct TargetOptions {
  std::string triple; ///< empty: the host
  std::string cpu;    ///< "host" or empty: the host CPU; else an LLVM CPU name
  unsigned optLevel = 3;
  /// OpenMP threads for the JIT: 1 (none), N, or 0 for one per core.
  unsigned threads = 1;
  /// Vector width the schedule tiles for; 0 = the CPU's own (see
  /// vectorBitsFor). Narrower widths run on wider CPUs, which lets tests
  /// check the AVX2 and SSE/NEON schedules on this machine.
  unsigned vectorBits = 0;
  /// LLVM IR optimization: the full -O<optLevel> pipeline (default), or a
  /// short one (SROA, early CSE, instcombine, CFG simplification, LICM)
  /// that compiles faster. Measured with bench/: the short one saves about
  /// 50 ms on the seed MLP but runs the loops that are not scheduled yet
  /// (softmax, reductions) an order of magnitude slower.
  bool fullLLVMOptimization = true;
  /// An NVIDIA chip ("sm_90a") to compile the kernels for; empty: the CPU.
  /// The host code still targets `triple`/`cpu`.
  std::string gpuChip;
  /// Device code in the module: "isa" (PTX, JIT-compiled by the driver),
  /// "bin" (cubin) or "fatbin"; the last two need ptxas. Empty: fatbin
  /// where ptxas is found, else PTX.
  std::string gpuFormat;
  /// Flush denormal floats to zero while compiled code runs, as TensorFlow
  /// and XLA do on CPU (see runtime/FloatMode.h for why): the JIT and
  /// generated libraries set the mode around each call and restore the
  /// caller's afterwards. Off: IEEE gradual underflow, at its cost.
  bool flushDenormals = true;
  bool isGPU() const { return !gpuChip.empty(); }
};

/// Parses --target: "cpu", "cuda" (sm_90a) or "cuda:sm_XX". Sets gpuChip.
llvm::Error parseTarget(llvm::StringRef text, TargetOptions &target);

/// Path of ptxas from the CUDA toolkit ($CUDA_ROOT, $CUDA_HOME,
/// $CUDA_PATH, /usr/local/cuda, then PATH), or empty.
std::string findPtxas();

/// The device binary of a module lowered for a GPU (Stage::LLVM): PTX text
/// for format "isa", else the cubin or fatbin bytes.
llvm::Expected<std::string> extractDeviceCode(mlir::ModuleOp module);

/// Vector register width in bits (512, 256 or 128) of the target CPU, which
/// the CPU schedule sizes its register tiles for.
unsigned vectorBitsFor(const TargetOptions &target);

/// Whether f32 exp and log are inlined as polynomials (mlc-approximate-math):
/// with flushed denormals, on CPUs with fused multiply-add (x86 with FMA,
/// AArch64).
bool inlineMathFor(const TargetOptions &target);

/// Command-line replacements for a model's loss and optimizer attributes.
struct TrainingOverrides {
  std::string loss;      ///< e.g. "sparse_categorical_crossentropy"
  bool fromLogits = false;
  std::string optimizer; ///< "sgd", "adam", "adamw" or "rmsprop" (defaults)
  std::optional<double> learningRate;
};

/// Sets the overridden attributes on every mlc.model in `module`. The
/// learning rate alone changes the model's own optimizer.
llvm::Error applyOverrides(mlir::ModuleOp module,
                           const TrainingOverrides &overrides);

/// How far `lowerModule` takes a module.
enum class Stage {
  Graph,  ///< core mlc ops and params (mlc-materialize-params)
  Linalg, ///< entry-point functions on linalg tensors
  GPU,    ///< GPU targets only: outlined kernels and their launches
  LLVM,   ///< the LLVM dialect
};

/// Adds the passes that take a parsed model to `stage` for `target`
/// (its thread count and vector width). `materialized`: the caller ran
/// mlc-materialize-params already (to read the signature).
void buildPipeline(mlir::PassManager &pm, Stage stage,
                   const TargetOptions &target, bool materialized = false);

/// Registers MLIR's pass manager command-line options (--mlir-print-ir-*,
/// --mlir-timing, ...) for `lowerModule` to apply. Call before parsing the
/// command line.
void registerPassManagerOptions();

/// Runs `buildPipeline` on `module`, with the command-line pass manager
/// options if registered. Errors were already reported at their ops.
mlir::LogicalResult lowerModule(mlir::ModuleOp module, Stage stage,
                                const TargetOptions &target,
                                bool materialized = false);

/// Translates an LLVM-dialect module to LLVM IR text.
llvm::Expected<std::string> emitLLVMIR(mlir::ModuleOp module,
                                       const TargetOptions &target);

/// Compiles an LLVM-dialect module to assembly or an object file.
/// `beforeCodegen`, if given, may change the optimized LLVM module first
/// (the library builder renames and hides symbols there).
llvm::Expected<std::string> emitMachineCode(
    mlir::ModuleOp module, const TargetOptions &target, bool assembly,
    llvm::function_ref<llvm::Error(llvm::Module &)> beforeCodegen = nullptr);

/// Element types an entry point argument can have.
enum class ElementKind { F16, BF16, F32, F64, I32, I64 };

/// Bytes per element of `kind`.
int64_t elementBytes(ElementKind kind);

/// One argument of an entry point: a param, an input or an output.
struct TensorSpec {
  std::string name;
  std::vector<int64_t> shape; ///< -1 for the dynamic (batch) dimension
  ElementKind element = ElementKind::F32;
  /// For params: the distribution of the param's initializer.
  runtime::InitDistribution init;
  int64_t numElements(int64_t batch) const;
  std::string shapeString() const;
};

/// The calling convention of a model's entry points, read from the model.
struct ModelSignature {
  std::string model;
  std::vector<TensorSpec> params, inputs, outputs;
  /// With a loss: the labels train_step and eval_step take.
  std::optional<TensorSpec> labels;
  /// With a loss and an optimizer: the optimizer state, per param and slot
  /// ("dense.kernel.m"), in train_step's order.
  std::vector<TensorSpec> states;
  bool canEvaluate() const { return labels.has_value(); }
  bool canTrain() const { return labels && hasOptimizer; }
  bool hasOptimizer = false;
  /// The optimizer's base learning rate, and for Adam and AdamW the betas
  /// its bias-corrected step size needs (runtime::adamStepSize).
  double learningRate = 0;
  /// The learning rate of each step (its `initial` is learningRate).
  runtime::LearningRateSchedule schedule;
  bool biasCorrected = false;
  double beta1 = 0, beta2 = 0;
};

/// The signature of the one mlc.model in `module`, whose params are
/// materialized (mlc-materialize-params ran).
llvm::Expected<ModelSignature> readModelSignature(mlir::ModuleOp module);

/// init(seed): fills every (float32) param from its initializer, the same
/// bits for the same seed (runtime::initialize). `params` follows
/// `sig.params`.
llvm::Error initializeParams(const ModelSignature &sig, uint64_t seed,
                             llvm::ArrayRef<float *> params);

/// A buffer passed to an entry point: contiguous, row-major.
struct BufferRef {
  void *data = nullptr;
  std::vector<int64_t> shape;
};

/// Host memory for one train_step or eval_step call.
struct StepBuffers {
  std::vector<float *> params;
  std::vector<float *> states;                        ///< train_step only
  float *learningRate = nullptr, *stepSize = nullptr; ///< train_step only
  const void *input = nullptr, *labels = nullptr;
  float *loss = nullptr, *predictions = nullptr;
};

/// The data pointers of a list of float buffers (params, states).
template <typename Buffers> std::vector<float *> dataOf(Buffers &buffers) {
  std::vector<float *> data;
  for (auto &buffer : buffers)
    data.push_back(buffer.data());
  return data;
}

/// The arguments of train_step (`training`) or eval_step on `batch`
/// samples, in the signature's order, shaped from `sig` with the batch in
/// place of each dynamic dimension.
std::vector<BufferRef> stepArguments(const ModelSignature &sig,
                                     const StepBuffers &buffers, int64_t batch,
                                     bool training);

/// A model compiled in-process. Entry points take buffers in the order of
/// the signature: params, inputs, then outputs, which they write.
class JITModel {
public:
  ~JITModel();

  /// Compiles the one mlc.model in `module` (consumed). The model takes
  /// `context` over on success only: on failure it stays the caller's, so
  /// diagnostic handlers registered on it can still be removed.
  static llvm::Expected<std::unique_ptr<JITModel>>
  compile(std::unique_ptr<mlir::MLIRContext> &context,
          mlir::OwningOpRef<mlir::ModuleOp> module,
          const TargetOptions &target = {});

  const ModelSignature &signature() const { return sig; }

  /// Runs `predict`. Checks the number of buffers, their shapes against the
  /// signature, and that all dynamic dimensions agree on one batch size.
  llvm::Error predict(llvm::ArrayRef<BufferRef> buffers);

  /// Runs `eval_step`: params, inputs, labels, then the loss (rank 0) and
  /// predictions it writes.
  llvm::Error evalStep(llvm::ArrayRef<BufferRef> buffers);

  /// Runs `train_step`: params and states (updated in place), the step's
  /// learning rate and step size (rank 0; see docs/optimizers.md), inputs,
  /// labels, then the loss and the predictions it writes.
  llvm::Error trainStep(llvm::ArrayRef<BufferRef> buffers);

  /// Milliseconds spent in the MLIR pipeline and in LLVM (JIT) compilation,
  /// of which llvmIRMs in LLVM IR optimization (the rest is code generation).
  double pipelineMs = 0, llvmMs = 0, llvmIRMs = 0;

private:
  JITModel() = default;
  struct EntryPoint {
    std::string kind; // predict, eval_step, train_step
    void (*fn)(void **) = nullptr;
    void (*workspaceBytes)(void **) = nullptr;
    // The buffers it takes, in order; built once, checked on every call.
    std::vector<const TensorSpec *> specs;
  };
  llvm::Error lookupEntry(llvm::StringRef kind, EntryPoint &entry);
  llvm::Error call(const EntryPoint &entry, llvm::ArrayRef<BufferRef> buffers);

  std::unique_ptr<mlir::MLIRContext> context;
  std::unique_ptr<mlir::ExecutionEngine> engine;
  ModelSignature sig;
  EntryPoint predictEntry, evalEntry, trainEntry;
  // Specs of the scalars of the eval and train entry points.
  TensorSpec learningRateSpec, stepSizeSpec, lossSpec;
  // Argument storage reused across calls: one memref descriptor per buffer
  // plus the workspace's.
  std::vector<std::vector<int64_t>> descriptors;
  std::vector<void *> descriptorPtrs, args;
  // Temporaries of every entry point, allocated once and grown to the
  // largest batch seen (never per call); on the GPU in shared memory.
  std::unique_ptr<char, void (*)(void *)> workspace{nullptr, std::free};
  int64_t workspaceCapacity = 0;
  // --target=cuda: buffers pass through memory the host and the device
  // share (one mirror per argument, reused).
  bool gpu = false;
  bool flushDenormals = true;
  std::vector<std::pair<void *, size_t>> mirrors;
  std::vector<size_t> copiedBytes;
};

} // namespace mlc

#endif // MLC_COMPILER_DRIVER_DRIVER_H
