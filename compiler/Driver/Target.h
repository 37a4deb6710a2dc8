//===- Target.h - target machines and code emission -------------*- C++ -*-===//
//
// Where compiled code runs (a CPU, or an NVIDIA GPU with host code on the
// CPU), what that implies for code generation (vector width, inline math),
// and the last step: LLVM IR, assembly or object code from an
// LLVM-dialect module.
//
//===----------------------------------------------------------------------===//

#ifndef MLC_COMPILER_DRIVER_TARGET_H
#define MLC_COMPILER_DRIVER_TARGET_H

#include "mlir/IR/BuiltinOps.h"
#include "llvm/ADT/STLFunctionalExtras.h"
#include "llvm/ADT/SmallVector.h"
#include "llvm/Support/Error.h"

#include <functional>
#include <memory>
#include <string>

namespace llvm {
class Module;
class TargetMachine;
} // namespace llvm

namespace mlc {

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
  /// LLVM IR optimization: a short pipeline of the passes that change the
  /// run time of mlc's already vectorized loops (default; see
  /// makeLLVMOptimizer), or LLVM's full -O<optLevel> pipeline, which takes
  /// 3x as long for the same code speed.
  bool fullLLVMOptimization = false;
  /// Matmuls in bf16 with f32 accumulation (--precision=bf16) where the
  /// CPU has bf16 dot products (see bf16MatmulsFor); f32 elsewhere.
  bool bf16 = false;
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
  /// Line tables in emitted code (mlc compile --debug-info): the machine
  /// code of each loop maps to the model file's line of the layer it
  /// computes, for profilers (perf report --sort srcline) and debuggers.
  bool debugInfo = false;
  /// The JIT's compile cache (CompileCache.h): a directory, or empty for
  /// none. CPU targets only.
  std::string cacheDir;
  /// Register tiles per matmul shape for the CPU schedule, as `mlc tune`
  /// measured them (compiler/CodeGen/CPU/Tiles.h's text form: the
  /// schedule's tile-table option); empty: the tiles it derives.
  std::string tileTable;
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

/// Whether `target` asks for bf16 matmuls and its CPU can run them
/// (AVX512-BF16).
bool bf16MatmulsFor(const TargetOptions &target);

/// The size of B above which a matmul's tiles loop over columns outside
/// rows (see mlc-cpu-schedule's columns-outer-bytes): half the host's L3
/// (as Linux describes CPU 0's caches), or of 32 MiB for other targets.
long long columnsOuterBytesFor(const TargetOptions &target);

/// The LLVM target machine for `target` (PIC, its -O level).
llvm::Expected<std::unique_ptr<llvm::TargetMachine>>
createTargetMachine(const TargetOptions &target);

/// Inlines each entry point into its `_mlir_ciface_` wrapper and removes
/// it, where the wrapper is its only caller. The wrappers are the entry
/// points of the code mlc emits; a call passing every memref descriptor
/// field as an argument (a few hundred for a deep model's train step) cost
/// LLVM's instruction selection, register allocation and scheduler more
/// than the step's kernels.
void inlineEntryPoints(llvm::Module &module);

/// LLVM IR optimization as `target` asks for it (fullLLVMOptimization).
std::function<llvm::Error(llvm::Module *)>
makeLLVMOptimizer(const TargetOptions &target, llvm::TargetMachine *tm);

/// Translates an LLVM-dialect module to LLVM IR text.
llvm::Expected<std::string> emitLLVMIR(mlir::ModuleOp module,
                                       const TargetOptions &target);

/// Code generation of an optimized LLVM module into `out`: assembly or an
/// object file.
llvm::Error generateCode(llvm::Module &module, llvm::TargetMachine &tm,
                         bool assembly, llvm::SmallVectorImpl<char> &out);

/// Compiles an LLVM-dialect module to assembly or an object file.
/// `beforeCodegen`, if given, may change the optimized LLVM module first
/// (the library builder renames and hides symbols there).
llvm::Expected<std::string> emitMachineCode(
    mlir::ModuleOp module, const TargetOptions &target, bool assembly,
    llvm::function_ref<llvm::Error(llvm::Module &)> beforeCodegen = nullptr);

} // namespace mlc

#endif // MLC_COMPILER_DRIVER_TARGET_H
