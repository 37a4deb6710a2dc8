//===- step-bench.cpp - one model's train step against the FMA floor
//-------===//
//
// mlc-step-bench MODEL.mlir [BATCH...] [--threads N] [--rounds R]
//                [--variant VAR=VALUE]... [--per-matmul] [--precision bf16]
//                [--compiles N]
//
// Compiles MODEL.mlir with the JIT and times its train_step on random
// inputs and labels (params initialized as `mlc train` does), steps in a
// row as training runs them. Prints, per batch size, the best and median
// time per step over R rounds, the step's matmul FLOPs (counted on the
// linalg the step lowers to), and the fraction of the machine's measured
// single-thread FMA peak they reach. Also prints each matmul of the step
// with its shape, so a figure can be read against its parts.
//
// Each --variant compiles the model once more with the environment
// variable VAR set to VALUE while it compiles (the switches the compiler
// reads for experiments, e.g. MLC_NO_PACK=1); the rounds of all variants
// are interleaved, so load on the machine hits them alike.
// --precision bf16 compiles with bf16 matmuls (as mlc's --precision=bf16;
// f32 with a note where the CPU lacks AVX512-BF16), and --variant
// precision=bf16 (or f32) one variant so.
// --compiles N compiles every variant N more times, in alternating order,
// and prints the minimum and median compile time of each (warm: the
// process has compiled before; the first compile's time is printed too).
// --variant threads=N compiles one variant for N threads (strong scaling
// against --threads, side by side).
// --variant llvm-pipeline=full compiles with LLVM's full -O3 pipeline
// (TargetOptions::fullLLVMOptimization) instead of mlc's short one, and
// MLC_LLVM_PASSES=PIPELINE with any other (a new-PM textual pipeline).
//
// --per-matmul also times each matmul of the step alone, as the predict
// of a one-matmul model with the same shapes and transposes (the weight
// gradient without the optimizer fused after it), and prints its
// fraction of the peak; and each convolution, input gradient (a
// convolution too) and kernel gradient, on its padded operands.
//
//===----------------------------------------------------------------------===//

#include "bench/FmaPeak.h"
#include "compiler/Driver/Driver.h"
#include "compiler/Driver/StepRunner.h"
#include "runtime/Aligned.h"
#include "runtime/LearningRate.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/Dialect/Utils/StaticValueUtils.h"
#include "mlir/Parser/Parser.h"
#include "llvm/Support/MemoryBuffer.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <random>
#include <string>
#include <vector>

using Clock = std::chrono::steady_clock;

namespace {

[[noreturn]] void die(const std::string &message) {
  std::fprintf(stderr, "mlc-step-bench: %s\n", message.c_str());
  std::exit(1);
}

struct Matmul {
  int64_t m, n, k; // < 0: -(factor) x the batch (merged rows: batch x time)
  std::string how;
  /// Runs per step: `times` x batch^`batchLoops` (a matmul in the loops
  /// over time steps, batch rows or heads).
  int64_t times = 1, batchLoops = 0;
};

/// Size `dim` of `v` as Matmul holds it: static, or minus the factor the
/// batch is multiplied by (a collapse of [?, 64, ...] rows gives -64).
int64_t sizeOf(mlir::Value v, unsigned dim) {
  auto type = llvm::cast<mlir::ShapedType>(v.getType());
  if (!type.isDynamicDim(dim))
    return type.getDimSize(dim);
  int64_t factor = 1;
  if (auto collapse = v.getDefiningOp<mlir::tensor::CollapseShapeOp>())
    for (int64_t d : collapse.getReassociationIndices()[dim]) {
      int64_t size = collapse.getSrcType().getDimSize(d);
      if (!mlir::ShapedType::isDynamic(size))
        factor *= size;
    }
  return -factor;
}

/// The matmuls of train_step, from the linalg it lowers to.
std::vector<Matmul> trainStepMatmuls(const std::string &source) {
  auto context = mlc::createContext();
  auto module = mlir::parseSourceString<mlir::ModuleOp>(source, context.get());
  if (!module)
    die("the model does not parse");
  if (mlir::failed(
          mlc::lowerModule(*module, mlc::Stage::Model, mlc::Stage::Linalg, {})))
    die("the model does not lower to linalg");
  std::vector<Matmul> matmuls;
  module->walk([&](mlir::func::FuncOp func) {
    auto entry = func->getAttrOfType<mlir::StringAttr>("mlc.entry");
    if (!entry || entry.getValue() != "train_step")
      return;
    func.walk([&](mlir::linalg::MatmulOp mm) {
      auto a = llvm::cast<mlir::ShapedType>(mm.getDpsInputs()[0].getType());
      auto c = llvm::cast<mlir::ShapedType>(mm.getDpsInits()[0].getType());
      auto maps = mm.getIndexingMapsArray();
      bool ta = maps[0].getDimPosition(0) == 2;
      bool tb = maps[1].getDimPosition(0) == 1;
      int64_t k = a.getDimSize(ta ? 0 : 1);
      std::string how = std::string(ta ? "A^T" : "A") + (tb ? " B^T" : " B");
      (void)c;
      (void)k;
      mlir::Value lhs = mm.getDpsInputs()[0], rhs = mm.getDpsInputs()[1];
      Matmul m{sizeOf(lhs, ta ? 1 : 0), sizeOf(rhs, tb ? 0 : 1),
               sizeOf(lhs, ta ? 0 : 1), how};
      // Enclosing loops: a constant trip count, or the batch's (a loop
      // to a tensor.dim of dim 0).
      for (auto loop = mm->getParentOfType<mlir::scf::ForOp>(); loop;
           loop = loop->getParentOfType<mlir::scf::ForOp>()) {
        auto lb = mlir::getConstantIntValue(loop.getLowerBound());
        auto ub = mlir::getConstantIntValue(loop.getUpperBound());
        auto st = mlir::getConstantIntValue(loop.getStep());
        if (lb && ub && st && *st > 0)
          m.times *= (*ub - *lb + *st - 1) / *st;
        else if (auto dim =
                     loop.getUpperBound().getDefiningOp<mlir::tensor::DimOp>();
                 dim && mlir::getConstantIntValue(dim.getIndex()) == 0)
          ++m.batchLoops;
      }
      matmuls.push_back(m);
    });
  });
  return matmuls;
}

/// A convolution (or the input gradient, which is one) or a kernel
/// gradient of train_step: the linalg.generic MLCToLinalg/Conv.cpp builds.
struct Conv {
  bool filter;                        // a kernel gradient
  std::vector<int64_t> in0, in1, out; // -1: the batch
  std::vector<int64_t> loops;         // the generic's 7 loop ranges
  int64_t strides[2], dilations[2];
};

int64_t coefficientOf(mlir::AffineExpr expr, unsigned dim) {
  mlir::MLIRContext *ctx = expr.getContext();
  llvm::SmallVector<mlir::AffineExpr> at(7,
                                         mlir::getAffineConstantExpr(0, ctx));
  auto value = [&] {
    return llvm::cast<mlir::AffineConstantExpr>(
               mlir::simplifyAffineExpr(expr.replaceDims(at), 7, 0))
        .getValue();
  };
  int64_t zero = value();
  at[dim] = mlir::getAffineConstantExpr(1, ctx);
  return value() - zero;
}

std::vector<int64_t> shapeOf(mlir::Value v) {
  std::vector<int64_t> shape;
  for (int64_t d : llvm::cast<mlir::ShapedType>(v.getType()).getShape())
    shape.push_back(mlir::ShapedType::isDynamic(d) ? -1 : d);
  return shape;
}

/// The convolutions of train_step.
std::vector<Conv> trainStepConvs(const std::string &source) {
  auto context = mlc::createContext();
  auto module = mlir::parseSourceString<mlir::ModuleOp>(source, context.get());
  if (!module || mlir::failed(mlc::lowerModule(*module, mlc::Stage::Model,
                                               mlc::Stage::Linalg, {})))
    die("the model does not lower to linalg");
  std::vector<Conv> convs;
  module->walk([&](mlir::func::FuncOp func) {
    auto entry = func->getAttrOfType<mlir::StringAttr>("mlc.entry");
    if (!entry || entry.getValue() != "train_step")
      return;
    func.walk([&](mlir::linalg::GenericOp op) {
      auto kind = op->getAttrOfType<mlir::StringAttr>("mlc.conv");
      if (!kind || kind.getValue() == "depthwise")
        return;
      Conv c;
      c.filter = kind.getValue() == "filter";
      c.in0 = shapeOf(op.getDpsInputs()[0]);
      c.in1 = shapeOf(op.getDpsInputs()[1]);
      c.out = shapeOf(op.getDpsInits()[0]);
      for (int64_t r : op.getStaticLoopRanges())
        c.loops.push_back(mlir::ShapedType::isDynamic(r) ? -1 : r);
      // Input rows i * stride + a * dilation: loops (n, i, j, a, b, ...)
      // or, for the kernel gradient, (a, b, n, i, j, ...).
      mlir::AffineMap in = op.getIndexingMapsArray()[0];
      unsigned i = c.filter ? 3 : 1, a = c.filter ? 0 : 3;
      for (unsigned d = 0; d < 2; ++d) {
        c.strides[d] = coefficientOf(in.getResult(1 + d), i + d);
        c.dilations[d] = coefficientOf(in.getResult(1 + d), a + d);
      }
      convs.push_back(c);
    });
  });
  return convs;
}

/// A Matmul size at `batch`.
double at(int64_t size, int64_t batch) {
  return size < 0 ? double(-size) * double(batch) : double(size);
}

double flopsAt(const std::vector<Matmul> &matmuls, int64_t batch) {
  double flops = 0;
  for (const Matmul &mm : matmuls)
    flops += 2.0 * at(mm.m, batch) * at(mm.n, batch) * at(mm.k, batch) *
             double(mm.times) * std::pow(double(batch), double(mm.batchLoops));
  return flops;
}

/// Seconds per call of `call`: best of `rounds` rounds of about 0.1 s.
template <typename F>
double bestSeconds(F call, double flops, double peak, int rounds) {
  int64_t calls = std::clamp<int64_t>(
      int64_t(0.1 / (flops / (peak * 0.5e9) + 1e-7)), 3, 100000);
  for (int64_t i = 0; i < calls / 4 + 1; ++i)
    call();
  double best = 1e30;
  for (int r = 0; r < rounds; ++r) {
    auto t0 = Clock::now();
    for (int64_t i = 0; i < calls; ++i)
      call();
    best = std::min(best,
                    std::chrono::duration<double>(Clock::now() - t0).count() /
                        double(calls));
  }
  return best;
}

/// Times each matmul alone: C = A B, A B^T or A^T B with a dynamic batch
/// dimension where the step has one.
void timeEachMatmul(const std::vector<Matmul> &matmuls, int64_t batch,
                    unsigned threads, double peak, int rounds, bool bf16) {
  using Floats = mlc::runtime::AlignedVector<float>;
  for (const Matmul &mm : matmuls) {
    bool ta = mm.how.rfind("A^T", 0) == 0,
         tb = mm.how.find("B^T") != std::string::npos;
    int64_t m = int64_t(at(mm.m, batch)), n = int64_t(at(mm.n, batch)),
            k = int64_t(at(mm.k, batch));
    auto dim = [](int64_t d) {
      return d < 0 ? std::string("?") : std::to_string(d);
    };
    // lhs [M, K] (or [K, M]); rhs [K, N] (or [N, K]). A dynamic operand is
    // an input, a static one a param, as in the step.
    std::string lhsType =
        "tensor<" +
        (ta ? dim(mm.k) + "x" + dim(mm.m) : dim(mm.m) + "x" + dim(mm.k)) +
        "xf32>";
    std::string rhsType =
        "tensor<" +
        (tb ? dim(mm.n) + "x" + dim(mm.k) : dim(mm.k) + "x" + dim(mm.n)) +
        "xf32>";
    std::string outType = "tensor<" + dim(mm.m) + "x" + dim(mm.n) + "xf32>";
    bool lhsParam = mm.m >= 0 && mm.k >= 0, rhsParam = mm.n >= 0 && mm.k >= 0;
    std::string src = "mlc.model @mm {\n";
    auto operand = [&](const char *name, const std::string &type, bool param) {
      if (param)
        src += "  mlc.param @" + std::string(name) + " : " + type +
               " = #mlc.glorot_uniform\n  %" + name + " = mlc.param_ref @" +
               name + " : " + type + "\n";
      else
        src += "  %" + std::string(name) + " = mlc.input \"" + name +
               "\" : " + type + "\n";
    };
    operand("a", lhsType, lhsParam);
    operand("b", rhsType, rhsParam);
    std::string attrs;
    if (ta || tb)
      attrs = std::string(" {") + (ta ? "transpose_lhs" : "") +
              (ta && tb ? ", " : "") + (tb ? "transpose_rhs" : "") + "}";
    src += "  %c = mlc.matmul %a, %b" + attrs + " : (" + lhsType + ", " +
           rhsType + ") -> " + outType + "\n  mlc.output %c : " + outType +
           "\n}\n";
    auto context = mlc::createContext();
    auto module = mlir::parseSourceString<mlir::ModuleOp>(src, context.get());
    if (!module)
      die("bad one-matmul model:\n" + src);
    mlc::TargetOptions target;
    target.threads = threads;
    target.bf16 = bf16;
    auto jit = mlc::JITModel::compile(context, std::move(module), target);
    if (!jit)
      die(llvm::toString(jit.takeError()));
    Floats a(m * k, 0.5f), b(k * n, 0.25f), c(m * n);
    std::vector<int64_t> aShape =
        ta ? std::vector<int64_t>{k, m} : std::vector<int64_t>{m, k};
    std::vector<int64_t> bShape =
        tb ? std::vector<int64_t>{n, k} : std::vector<int64_t>{k, n};
    // predict takes params, then inputs, then the output.
    std::vector<mlc::BufferRef> params, inputs;
    (lhsParam ? params : inputs).push_back({a.data(), aShape});
    (rhsParam ? params : inputs).push_back({b.data(), bShape});
    std::vector<mlc::BufferRef> args = params;
    args.insert(args.end(), inputs.begin(), inputs.end());
    args.push_back({c.data(), {m, n}});
    double flops = 2.0 * double(m) * double(n) * double(k);
    double t = bestSeconds(
        [&] {
          if (llvm::Error err = (*jit)->predict(args))
            die(llvm::toString(std::move(err)));
        },
        flops, peak, rounds);
    std::printf(
        "  %5lld x %-5lld K %-5lld %-8s %9.1fus %8.1f GFLOP/s %4.0f%%\n",
        (long long)m, (long long)n, (long long)k, mm.how.c_str(), t * 1e6,
        flops / t * 1e-9, 100.0 * flops / t * 1e-9 / (peak * threads));
  }
}

double flopsAt(const std::vector<Conv> &convs, int64_t batch) {
  double flops = 0;
  for (const Conv &c : convs) {
    double f = 2;
    for (int64_t r : c.loops)
      f *= double(r < 0 ? batch : r);
    flops += f;
  }
  return flops;
}

std::string typeOf(const std::vector<int64_t> &shape) {
  std::string s = "tensor<";
  for (int64_t d : shape)
    s += (d < 0 ? std::string("?") : std::to_string(d)) + "x";
  return s + "f32>";
}

/// Times each convolution alone, on its padded input (the pads are the
/// step's copies, not timed here).
void timeEachConv(const std::vector<Conv> &convs, int64_t batch,
                  unsigned threads, double peak, int rounds) {
  using Floats = mlc::runtime::AlignedVector<float>;
  for (const Conv &c : convs) {
    std::string attrs =
        " {strides = array<i64: " + std::to_string(c.strides[0]) + ", " +
        std::to_string(c.strides[1]) +
        ">, dilations = array<i64: " + std::to_string(c.dilations[0]) + ", " +
        std::to_string(c.dilations[1]) + ">}";
    std::string src =
        "mlc.model @conv {\n  %a = mlc.input \"a\" : " + typeOf(c.in0) + "\n";
    // A convolution's kernel is a param; a kernel gradient's operands are
    // both batched.
    if (c.filter)
      src += "  %b = mlc.input \"b\" : " + typeOf(c.in1) + "\n";
    else
      src +=
          "  mlc.param @k : " + typeOf(c.in1) +
          " = #mlc.glorot_uniform\n  %b = mlc.param_ref @k : " + typeOf(c.in1) +
          "\n";
    src += std::string("  %c = mlc.") +
           (c.filter ? "conv_filter_grad" : "conv") + " %a, %b" + attrs +
           " : (" + typeOf(c.in0) + ", " + typeOf(c.in1) + ") -> " +
           typeOf(c.out) + "\n  mlc.output %c : " + typeOf(c.out) + "\n}\n";
    auto context = mlc::createContext();
    auto module = mlir::parseSourceString<mlir::ModuleOp>(src, context.get());
    if (!module)
      die("bad one-convolution model:\n" + src);
    mlc::TargetOptions target;
    target.threads = threads;
    auto jit = mlc::JITModel::compile(context, std::move(module), target);
    if (!jit)
      die(llvm::toString(jit.takeError()));
    auto concrete = [&](std::vector<int64_t> shape) {
      for (int64_t &d : shape)
        d = d < 0 ? batch : d;
      return shape;
    };
    auto count = [](const std::vector<int64_t> &shape) {
      int64_t n = 1;
      for (int64_t d : shape)
        n *= d;
      return n;
    };
    std::vector<int64_t> s0 = concrete(c.in0), s1 = concrete(c.in1),
                         so = concrete(c.out);
    Floats a(count(s0), 0.5f), b(count(s1), 0.25f), out(count(so));
    std::vector<mlc::BufferRef> args;
    if (!c.filter)
      args.push_back({b.data(), s1});
    args.push_back({a.data(), s0});
    if (c.filter)
      args.push_back({b.data(), s1});
    args.push_back({out.data(), so});
    double flops = flopsAt({c}, batch);
    double t = bestSeconds(
        [&] {
          if (llvm::Error err = (*jit)->predict(args))
            die(llvm::toString(std::move(err)));
        },
        flops, peak, rounds);
    std::string what = (c.filter ? "kernel grad " : "conv ") + typeOf(c.in0) +
                       (c.filter ? " . " : " * ") + typeOf(c.in1);
    std::printf("  %-58s %9.1fus %8.1f GFLOP/s %4.0f%%\n", what.c_str(),
                t * 1e6, flops / t * 1e-9,
                100.0 * flops / t * 1e-9 / (peak * threads));
  }
}

} // namespace

int main(int argc, char **argv) {
  std::string path;
  std::vector<int64_t> batches;
  unsigned threads = 1;
  int rounds = 5;
  std::vector<std::string> variants = {""};
  bool perMatmul = false;
  bool bf16 = false;
  int compiles = 0;
  for (int i = 1; i < argc; ++i) {
    if (!std::strcmp(argv[i], "--per-matmul"))
      perMatmul = true;
    else if (!std::strcmp(argv[i], "--variant") && i + 1 < argc)
      variants.push_back(argv[++i]);
    else if (!std::strcmp(argv[i], "--threads") && i + 1 < argc)
      threads = unsigned(std::atoi(argv[++i]));
    else if (!std::strcmp(argv[i], "--precision") && i + 1 < argc)
      bf16 = !std::strcmp(argv[++i], "bf16");
    else if (!std::strcmp(argv[i], "--compiles") && i + 1 < argc)
      compiles = std::max(0, std::atoi(argv[++i]));
    else if (!std::strcmp(argv[i], "--rounds") && i + 1 < argc)
      rounds = std::max(1, std::atoi(argv[++i]));
    else if (path.empty())
      path = argv[i];
    else
      batches.push_back(std::atoll(argv[i]));
  }
  if (path.empty())
    die("usage: mlc-step-bench MODEL.mlir [BATCH...] [--threads N] "
        "[--rounds R]");
  if (batches.empty())
    batches = {32, 128};
  auto file = llvm::MemoryBuffer::getFile(path);
  if (!file)
    die(path + ": " + file.getError().message());
  std::string source = (*file)->getBuffer().str();

  std::vector<Matmul> matmuls = trainStepMatmuls(source);
  std::vector<Conv> convs = trainStepConvs(source);
  double peak = mlc::bench::fmaPeak();

  std::vector<std::unique_ptr<mlc::JITModel>> jits;
  double firstCompileMs = 0;
  std::vector<unsigned> variantThreads;
  // Compiles the model as variant v: total, MLIR, LLVM IR and the rest
  // (code generation and link), in ms, and the thread count it runs on.
  // `first`: its first compile (notes are printed once).
  struct CompileTimes {
    double total, mlir, ir, codegen;
    unsigned threads;
  };
  auto compileVariant = [&](size_t v, std::unique_ptr<mlc::JITModel> &out,
                            bool first) {
    const std::string &variant = variants[v];
    std::string var, value;
    if (!variant.empty()) {
      size_t eq = variant.find('=');
      if (eq == std::string::npos)
        die("--variant takes VAR=VALUE, not " + variant);
      var = variant.substr(0, eq);
      value = variant.substr(eq + 1);
      setenv(var.c_str(), value.c_str(), 1);
    }
    auto context = mlc::createContext();
    auto module =
        mlir::parseSourceString<mlir::ModuleOp>(source, context.get());
    if (!module)
      die(path + ": does not parse");
    mlc::TargetOptions target;
    target.threads = threads;
    // Not environment variables: the thread count and the LLVM IR pipeline
    // are target options.
    if (var == "threads")
      target.threads = unsigned(std::max(1, std::atoi(value.c_str())));
    if (var == "llvm-pipeline")
      target.fullLLVMOptimization = value == "full";
    target.bf16 = var == "precision" ? value == "bf16" : bf16;
    if (target.bf16 && !mlc::bf16MatmulsFor(target) && first)
      std::fprintf(stderr,
                   "mlc-step-bench: no AVX512-BF16 here; %s runs "
                   "f32 matmuls\n",
                   variant.empty() ? "the default" : variant.c_str());
    auto start = Clock::now();
    auto jit = mlc::JITModel::compile(context, std::move(module), target);
    if (!jit)
      die(llvm::toString(jit.takeError()));
    double ms =
        std::chrono::duration<double, std::milli>(Clock::now() - start).count();
    if (!var.empty())
      unsetenv(var.c_str());
    CompileTimes t{ms, (*jit)->pipelineMs, (*jit)->llvmIRMs,
                   (*jit)->llvmMs - (*jit)->llvmIRMs, target.threads};
    out = std::move(*jit);
    return t;
  };
  for (size_t v = 0; v < variants.size(); ++v) {
    std::unique_ptr<mlc::JITModel> jit;
    CompileTimes t = compileVariant(v, jit, /*first=*/true);
    variantThreads.push_back(t.threads);
    if (!v)
      firstCompileMs = t.total;
    else
      std::printf("%s: compiled in %.0f ms (MLIR %.0f ms, LLVM IR %.0f ms, "
                  "codegen and link %.0f ms)\n",
                  variants[v].c_str(), t.total, t.mlir, t.ir, t.codegen);
    jits.push_back(std::move(jit));
  }
  if (compiles > 0) {
    // Warm compiles (the process has compiled before), variants in
    // alternating order, each round starting one variant further on.
    std::vector<std::vector<CompileTimes>> times(variants.size());
    for (int r = 0; r < compiles; ++r)
      for (size_t i = 0; i < variants.size(); ++i) {
        size_t v = (i + size_t(r)) % variants.size();
        std::unique_ptr<mlc::JITModel> jit;
        times[v].push_back(compileVariant(v, jit, /*first=*/false));
      }
    std::printf("compile, %d warm rounds, ms: min / median (MLIR, LLVM IR, "
                "codegen and link at the median)\n",
                compiles);
    for (size_t v = 0; v < variants.size(); ++v) {
      std::vector<CompileTimes> &ts = times[v];
      std::sort(ts.begin(), ts.end(),
                [](const CompileTimes &a, const CompileTimes &b) {
                  return a.total < b.total;
                });
      const CompileTimes &mid = ts[ts.size() / 2];
      std::printf("  %-22s %6.1f / %6.1f (%.1f, %.1f, %.1f)\n",
                  v ? variants[v].c_str() : "default", ts.front().total,
                  mid.total, mid.mlir, mid.ir, mid.codegen);
    }
  }
  const mlc::ModelSignature &sig = jits[0]->signature();
  if (!sig.canTrain() || sig.inputs.size() != 1 || sig.outputs.size() != 1)
    die("the model needs one input, one output, a loss and an optimizer");

  const mlc::JITModel &first = *jits[0];
  std::printf("%s: compiled in %.0f ms (MLIR %.0f ms, LLVM IR %.0f ms, "
              "codegen and link %.0f ms); %d thread%s; FMA peak %.1f GFLOP/s "
              "(1 thread)\n",
              sig.model.c_str(), firstCompileMs, first.pipelineMs,
              first.llvmIRMs, first.llvmMs - first.llvmIRMs, threads,
              threads == 1 ? "" : "s", peak);
  std::printf("train_step matmuls:");
  for (const Matmul &mm : matmuls) {
    auto dim = [](int64_t d) {
      return d >= 0    ? std::to_string(d)
             : d == -1 ? std::string("B")
                       : std::to_string(-d) + "B";
    };
    std::string times =
        mm.times > 1 || mm.batchLoops
            ? " x " + (mm.times > 1 ? std::to_string(mm.times) : "") +
                  std::string(mm.batchLoops, 'B')
            : "";
    std::printf(" [%s x %s, K %s, %s%s]", dim(mm.m).c_str(), dim(mm.n).c_str(),
                dim(mm.k).c_str(), mm.how.c_str(), times.c_str());
  }
  if (!convs.empty())
    std::printf("\ntrain_step convolutions: %zu (--per-matmul times each)",
                convs.size());
  std::printf("\n%-6s %-22s %10s %10s %9s %8s %8s\n", "batch", "variant",
              "best", "median", "GFLOP", "GFLOP/s", "of peak");

  for (int64_t b : batches) {
    // One set of buffers per variant: each trains its own copy.
    struct Run {
      std::unique_ptr<mlc::StepRunner> steps;
      std::vector<double> times;
    };
    std::vector<Run> runs(jits.size());
    for (size_t v = 0; v < jits.size(); ++v)
      if (llvm::Error err =
              mlc::StepRunner::create(*jits[v], b).moveInto(runs[v].steps))
        die(llvm::toString(std::move(err)));
    auto runSteps = [&](size_t v, int64_t n) {
      if (llvm::Error err = runs[v].steps->run(n))
        die(llvm::toString(std::move(err)));
    };
    // Steps per round: about 0.2 s of work at half the peak.
    double flops = flopsAt(matmuls, b) + flopsAt(convs, b);
    int64_t perRound = std::clamp<int64_t>(
        int64_t(0.2 / (flops / (peak * 0.5e9) + 1e-6)), 3, 5000);
    for (size_t v = 0; v < jits.size(); ++v)
      runSteps(v, std::max<int64_t>(3, perRound / 4));
    for (int r = 0; r < rounds; ++r)
      for (size_t v = 0; v < jits.size(); ++v) {
        auto t0 = Clock::now();
        runSteps(v, perRound);
        runs[v].times.push_back(
            std::chrono::duration<double>(Clock::now() - t0).count() /
            double(perRound));
      }
    for (size_t v = 0; v < jits.size(); ++v) {
      Run &run = runs[v];
      if (!std::isfinite(run.steps->loss()))
        die("the loss became " + std::to_string(run.steps->loss()));
      std::sort(run.times.begin(), run.times.end());
      double best = run.times.front(), median = run.times[run.times.size() / 2];
      std::printf("%-6lld %-22s %8.1fus %8.1fus %9.3f %8.1f %7.0f%%\n",
                  (long long)b, v ? variants[v].c_str() : "default", best * 1e6,
                  median * 1e6, flops * 1e-9, flops / best * 1e-9,
                  100.0 * flops / best * 1e-9 / (peak * variantThreads[v]));
    }
  }
  if (perMatmul)
    for (int64_t b : batches) {
      std::printf("each matmul alone, batch %lld (best of %d rounds):\n",
                  (long long)b, rounds);
      timeEachMatmul(matmuls, b, threads, peak, rounds, bf16);
      timeEachConv(convs, b, threads, peak, rounds);
    }
  std::printf("(best and median of %d rounds; %% of peak counts matmul and "
              "convolution FLOPs only, against the threads x the 1-thread "
              "peak)\n",
              rounds);
  return 0;
}
