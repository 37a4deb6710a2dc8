//===- mlc-difftest.cpp - random graphs: compiled vs a reference ----------===//
//
// The differential tester. For each random graph (Generator.h): compile it
// with the real pipeline (JIT, predict with mlc.gradient inside), run it at
// a few batch and sequence sizes, and check
//   (a) the loss and the graph's value against the reference evaluator
//       (Reference.h, double precision), and
//   (b) every gradient element against central finite differences of the
//       reference.
// Graphs are compiled several to a model (they are independent: the
// gradient of the sum of their losses is each one's gradient); a model
// that fails to compile is retried graph by graph. A failing graph is
// printed as a model to paste into a lit test, with the command that
// reproduces it.
//
//===----------------------------------------------------------------------===//

#include "Generator.h"
#include "Reference.h"

#include "compiler/Driver/Driver.h"
#include "dialects/MLC/Transforms/Passes.h"

#include "mlir/IR/Diagnostics.h"
#include "mlir/Parser/Parser.h"
#include "llvm/Support/CommandLine.h"
#include "llvm/Support/Format.h"
#include "llvm/Support/raw_ostream.h"

#include <chrono>
#include <cmath>
#include <cstdlib>
#include <optional>
#include <random>
#include <sstream>
#include <sys/wait.h>
#include <unistd.h>

using namespace mlc;
using namespace mlc::difftest;
namespace cl = llvm::cl;

static cl::opt<uint64_t> numGraphs("graphs", cl::desc("Graphs to test"),
                                   cl::init(200));
static cl::opt<uint64_t> seedOpt("seed", cl::desc("Seed of the graphs"),
                                 cl::init(1));
static cl::opt<uint64_t> firstOpt("first", cl::desc("Index of the first graph"),
                                  cl::init(0));
static cl::opt<int64_t> onlyOpt("only",
                                cl::desc("Test graph INDEX alone and print it"),
                                cl::init(-1));
static cl::opt<unsigned>
    packOpt("pack", cl::desc("Graphs compiled together (1-64)"), cl::init(8));
static cl::opt<bool> printOpt("print", cl::desc("Print every graph"));
static cl::opt<unsigned>
    optLevelOpt("O", cl::desc("LLVM optimization level of the compiled graphs"),
                cl::init(3), cl::Prefix);
static cl::opt<std::string> tilesOpt(
    "tiles",
    cl::desc("Register tiles of the matmuls (mlc-cpu-schedule's tile-table, "
             "e.g. 'mm*=4x3')"));
static cl::opt<unsigned> ompThreadsOpt(
    "omp-threads",
    cl::desc("OpenMP threads of the compiled graphs (1: serial code)"),
    cl::init(1));
static cl::list<std::string>
    withoutOpt("without", cl::CommaSeparated,
               cl::desc("Ops the graphs leave out (mnemonics: clip,matmul)"));

namespace {

struct Stats {
  uint64_t graphs = 0, models = 0, runs = 0, values = 0, gradients = 0,
           kinkSkips = 0, failures = 0;
};

struct Tolerance {
  double value, gradient;
};

Tolerance toleranceFor(const std::string &elt) {
  // f64: summation order and libm differences only. f32: single-precision
  // rounding through a few ops, relative to the tensor's largest element.
  return elt == "f32" ? Tolerance{2e-4, 3e-3} : Tolerance{1e-9, 1e-5};
}

class Tester {
public:
  Stats stats;

  /// Tests `indices` as one model; on a compile failure, one at a time.
  void testPack(const std::vector<uint64_t> &indices) {
    std::vector<Graph> graphs;
    for (size_t j = 0; j < indices.size(); ++j)
      graphs.push_back(
          generate(seedOpt, indices[j], "g" + std::to_string(j) + "_"));
    std::string error;
    if (isolatedCheck(graphs, indices, error))
      return;
    if (indices.size() == 1) {
      report(graphs[0], indices[0], error);
      return;
    }
    // Find the graphs that fail alone (a compile error names no graph).
    bool found = false;
    for (uint64_t index : indices) {
      std::vector<Graph> one{generate(seedOpt, index, "g0_")};
      std::string why;
      if (!isolatedCheck(one, {index}, why)) {
        report(one[0], index, why);
        found = true;
      }
    }
    if (!found) {
      ++stats.failures;
      llvm::errs() << "FAIL: graphs " << indices.front() << "-"
                   << indices.back() << " fail together, not alone: " << error
                   << "\n"
                   << packText(graphs) << "\n";
    }
  }

private:
  std::mt19937_64 rng;

  /// check() in a child process, so a compiler crash is a failure of the
  /// graphs at hand, not the end of the run. The child reports its counts
  /// and error through a pipe.
  bool isolatedCheck(const std::vector<Graph> &graphs,
                     const std::vector<uint64_t> &indices, std::string &error) {
    int fds[2];
    if (pipe(fds) != 0)
      return check(graphs, indices, error);
    fflush(nullptr);
    llvm::outs().flush();
    pid_t pid = fork();
    if (pid < 0) {
      close(fds[0]);
      close(fds[1]);
      return check(graphs, indices, error);
    }
    if (pid == 0) {
      close(fds[0]);
      Stats before = stats;
      bool ok = check(graphs, indices, error);
      llvm::outs().flush();
      std::string msg =
          std::to_string(ok) + " " +
          std::to_string(stats.models - before.models) + " " +
          std::to_string(stats.runs - before.runs) + " " +
          std::to_string(stats.values - before.values) + " " +
          std::to_string(stats.gradients - before.gradients) + " " +
          std::to_string(stats.kinkSkips - before.kinkSkips) + "\n" + error;
      for (size_t done = 0; done < msg.size();) {
        ssize_t n = write(fds[1], msg.data() + done, msg.size() - done);
        if (n <= 0)
          break;
        done += size_t(n);
      }
      _exit(0);
    }
    close(fds[1]);
    std::string msg;
    char buf[4096];
    for (ssize_t n; (n = read(fds[0], buf, sizeof buf)) > 0;)
      msg.append(buf, size_t(n));
    close(fds[0]);
    int status = 0;
    waitpid(pid, &status, 0);
    if (WIFSIGNALED(status) || msg.empty()) {
      // A sanitizer's report, if any, went to stderr just above.
      error = WIFSIGNALED(status)
                  ? "the compiler crashed (signal " +
                        std::to_string(WTERMSIG(status)) + ")"
                  : "the check exited with status " +
                        std::to_string(WEXITSTATUS(status)) +
                        " without a report (a sanitizer report, if any, is "
                        "above)";
      ++stats.models;
      return false;
    }
    std::istringstream in(msg);
    int ok = 0;
    uint64_t models, runs, values, gradients, kinks;
    in >> ok >> models >> runs >> values >> gradients >> kinks;
    stats.models += models;
    stats.runs += runs;
    stats.values += values;
    stats.gradients += gradients;
    stats.kinkSkips += kinks;
    std::getline(in, error);
    std::string rest((std::istreambuf_iterator<char>(in)),
                     std::istreambuf_iterator<char>());
    error = rest;
    return ok;
  }

  void report(const Graph &g, uint64_t index, const std::string &why) {
    ++stats.failures;
    llvm::errs() << "FAIL: graph " << index << " (" << g.elt << ", loss "
                 << g.loss << "): " << why << "\n"
                 << "  reproduce: mlc-difftest --seed " << seedOpt << " --only "
                 << index << "\n"
                 << g.modelText("graph" + std::to_string(index)) << "\n";
  }

  static double maxAbs(const std::vector<double> &v) {
    double m = 0;
    for (double x : v)
      m = std::max(m, std::abs(x));
    return m;
  }

  /// Compares `got` with `want` element by element; false with `error` set
  /// on the first mismatch.
  static bool compare(const std::vector<double> &got,
                      const std::vector<double> &want, double tol,
                      const std::string &what, std::string &error) {
    if (got.size() != want.size()) {
      error = what + ": " + std::to_string(got.size()) + " elements, want " +
              std::to_string(want.size());
      return false;
    }
    double scale = std::max(1.0, maxAbs(want));
    for (size_t i = 0; i < got.size(); ++i)
      if (!(std::abs(got[i] - want[i]) <= tol * scale)) {
        error = what + " element " + std::to_string(i) + ": got " +
                std::to_string(got[i]) + ", want " + std::to_string(want[i]) +
                " (tolerance " + std::to_string(tol * scale) + ")";
        return false;
      }
    return true;
  }

  bool check(const std::vector<Graph> &graphs,
             const std::vector<uint64_t> &indices, std::string &error) {
    const std::string &elt = graphs.front().elt;
    Tolerance tol = toleranceFor(elt);
    std::string text = packText(graphs);
    if (printOpt)
      llvm::outs() << text << "\n";
    ++stats.models;

    // The reference parses each graph alone.
    auto refContext = createContext();
    std::vector<mlir::OwningOpRef<mlir::ModuleOp>> refs;
    for (const Graph &g : graphs) {
      refs.push_back(mlir::parseSourceString<mlir::ModuleOp>(g.modelText("ref"),
                                                             refContext.get()));
      if (!refs.back()) {
        error = "the generated graph does not parse (a generator bug)";
        return false;
      }
    }

    auto context = createContext();
    std::string diagnostics;
    // Removed before the JIT (which takes the context) can go.
    std::optional<mlir::ScopedDiagnosticHandler> handler;
    handler.emplace(context.get(), [&](mlir::Diagnostic &d) {
      llvm::raw_string_ostream os(diagnostics);
      os << d.getLocation() << ": " << d << "\n";
      return mlir::success();
    });
    auto module = mlir::parseSourceString<mlir::ModuleOp>(text, context.get());
    if (!module) {
      error = "the generated model does not parse (a generator bug): " +
              diagnostics;
      return false;
    }
    // Batch norm and dropout are tested in their training form (the
    // reference evaluates that form); predict would expand the other.
    expandTrainingModeOps(*module, /*training=*/true);
    TargetOptions target;
    target.threads = ompThreadsOpt;
    target.optLevel = optLevelOpt;
    target.tileTable = tilesOpt;
    auto jit = JITModel::compile(context, std::move(module), target);
    handler.reset();
    if (!jit) {
      error = "compile failed: " + llvm::toString(jit.takeError());
      if (error.find(diagnostics) == std::string::npos)
        error += "\n" + diagnostics;
      return false;
    }
    const ModelSignature &sig = (*jit)->signature();

    // Sizes from the group of 8 (graphs compiled together share them) and
    // data from each graph's own index, so a graph tested alone sees what
    // it saw in its model.
    rng.seed(seedOpt * 1000003 + indices.front() / 8);
    const std::pair<int64_t, int64_t> sizes[] = {
        {1, 1}, {int64_t(rng() % 4) + 2, int64_t(rng() % 3) + 1}};
    for (auto [batch, seq] : sizes) {
      ++stats.runs;
      auto concrete = [&](const std::vector<int64_t> &shape) {
        std::vector<int64_t> s = shape;
        for (size_t k = 0; k < s.size(); ++k)
          if (s[k] < 0)
            s[k] = k == 0 ? batch : seq;
        return s;
      };
      // Leaf values, rounded to the element type.
      std::map<std::string, HostTensor> leaves;
      for (size_t j = 0; j < graphs.size(); ++j) {
        rng.seed((seedOpt * 1000003 + indices[j]) * 31 + uint64_t(batch));
        for (const Leaf &leaf : graphs[j].leaves) {
          std::vector<int64_t> shape;
          for (const Dim &d : leaf.shape)
            shape.push_back(d.sym == 'B' ? batch : d.sym ? seq : d.size);
          HostTensor t{shape, {}};
          int64_t n = 1;
          for (int64_t d : shape)
            n *= d;
          for (int64_t i = 0; i < n; ++i) {
            double u = std::uniform_real_distribution<double>(0, 1)(rng);
            double v = leaf.labels ? std::floor(u * double(leaf.classes))
                                   : leaf.lo + (leaf.hi - leaf.lo) * u;
            t.data.push_back(elt == "f32" ? double(float(v)) : v);
          }
          leaves[leaf.name] = std::move(t);
        }
      }

      // Buffers in the signature's order: params, inputs, outputs.
      std::vector<std::vector<float>> f32;
      std::vector<std::vector<double>> f64;
      std::vector<std::vector<int32_t>> i32;
      f32.reserve(sig.params.size() + sig.inputs.size() + sig.outputs.size());
      f64.reserve(f32.capacity());
      i32.reserve(f32.capacity());
      std::vector<BufferRef> buffers;
      auto addBuffer = [&](const TensorSpec &spec,
                           const std::vector<double> *values) {
        std::vector<int64_t> shape = concrete(spec.shape);
        int64_t n = 1;
        for (int64_t d : shape)
          n *= d;
        void *data;
        if (spec.element == ElementKind::I32) {
          i32.emplace_back(n);
          for (int64_t i = 0; values && i < n; ++i)
            i32.back()[i] = int32_t((*values)[i]);
          data = i32.back().data();
        } else if (spec.element == ElementKind::F32) {
          f32.emplace_back(n, NAN);
          for (int64_t i = 0; values && i < n; ++i)
            f32.back()[i] = float((*values)[i]);
          data = f32.back().data();
        } else {
          f64.emplace_back(n, NAN);
          for (int64_t i = 0; values && i < n; ++i)
            f64.back()[i] = (*values)[i];
          data = f64.back().data();
        }
        buffers.push_back({data, shape});
      };
      for (const auto *group : {&sig.params, &sig.inputs})
        for (const TensorSpec &spec : *group) {
          auto it = leaves.find(spec.name);
          if (it == leaves.end()) {
            error = "the signature names '" + spec.name +
                    "', which the graph does not have";
            return false;
          }
          addBuffer(spec, &it->second.data);
        }
      for (const TensorSpec &spec : sig.outputs)
        addBuffer(spec, nullptr);
      if (llvm::Error err = (*jit)->predict(buffers)) {
        error = "predict failed: " + llvm::toString(std::move(err));
        return false;
      }
      size_t firstOutput = sig.params.size() + sig.inputs.size();
      auto outputValues = [&](size_t k) {
        const BufferRef &b = buffers[firstOutput + k];
        int64_t n = 1;
        for (int64_t d : b.shape)
          n *= d;
        std::vector<double> v(n);
        for (int64_t i = 0; i < n; ++i)
          v[i] = elt == "f32" ? double(static_cast<float *>(b.data)[i])
                              : static_cast<double *>(b.data)[i];
        return v;
      };

      // Output positions: every l, every y shown, then the gradients.
      size_t yAt = graphs.size(), gradAt = graphs.size();
      for (const Graph &g : graphs)
        gradAt += g.outputY ? 1 : 0;
      std::string where = " (batch " + std::to_string(batch) + ", sequence " +
                          std::to_string(seq) + ")";
      for (size_t j = 0; j < graphs.size(); ++j) {
        const Graph &g = graphs[j];
        Evaluation ref = evaluate(*refs[j], leaves);
        if (!ref.error.empty()) {
          error = "the reference fails: " + ref.error + where;
          return false;
        }
        bool finite = true;
        for (const HostTensor &t : ref.outputs)
          for (double v : t.data)
            finite &= std::isfinite(v);
        if (!finite) {
          error = "the reference is not finite (a generator bug)" + where;
          return false;
        }
        ++stats.values;
        if (!compare(outputValues(j), ref.outputs[0].data, tol.value,
                     "loss" + where, error))
          return false;
        if (g.outputY && !compare(outputValues(yAt++), ref.outputs[1].data,
                                  tol.value, "value y" + where, error))
          return false;
        std::vector<const Leaf *> fl = floatLeaves(g);
        if (ref.kink < 1e-4) {
          ++stats.kinkSkips;
          gradAt += fl.size();
          continue;
        }
        for (const Leaf *leaf : fl) {
          HostTensor &x = leaves[leaf->name];
          std::vector<double> fd(x.data.size());
          for (size_t i = 0; i < x.data.size(); ++i) {
            double saved = x.data[i], h = 1e-6 * std::max(1.0, std::abs(saved));
            x.data[i] = saved + h;
            double up = evaluate(*refs[j], leaves).outputs[0].data[0];
            x.data[i] = saved - h;
            double down = evaluate(*refs[j], leaves).outputs[0].data[0];
            x.data[i] = saved;
            fd[i] = (up - down) / (2 * h);
          }
          stats.gradients += fd.size();
          if (!compare(outputValues(gradAt++), fd, tol.gradient,
                       "gradient of '" + leaf->name + "'" + where, error))
            return false;
        }
      }
    }
    return true;
  }
};

} // namespace

int main(int argc, char **argv) {
  cl::ParseCommandLineOptions(
      argc, argv,
      "mlc-difftest: random mlc graphs, compiled, against a reference "
      "evaluator and finite differences\n");
  excludeOps(std::vector<std::string>(withoutOpt.begin(), withoutOpt.end()));
  // Hunting compiler bugs: verify the IR after every pass (lowerModule).
  setenv("MLC_VERIFY_EACH", "1", /*overwrite=*/0);
  auto start = std::chrono::steady_clock::now();
  Tester tester;
  if (onlyOpt >= 0) {
    printOpt = true;
    tester.testPack({uint64_t(onlyOpt)});
    tester.stats.graphs = 1;
  } else {
    unsigned pack = std::clamp(packOpt.getValue(), 1u, 64u);
    std::vector<uint64_t> indices;
    uint64_t end = firstOpt + numGraphs;
    for (uint64_t i = firstOpt; i < end; ++i) {
      indices.push_back(i);
      bool cut = indices.size() == pack || i + 1 == end ||
                 elementTypeOf(seedOpt, i + 1) != elementTypeOf(seedOpt, i);
      if (cut) {
        tester.testPack(indices);
        uint64_t before = tester.stats.graphs;
        tester.stats.graphs += indices.size();
        indices.clear();
        if (tester.stats.graphs / 500 != before / 500)
          llvm::errs() << "mlc-difftest: " << tester.stats.graphs << " of "
                       << numGraphs << " graphs, " << tester.stats.failures
                       << " failures\n";
      }
    }
  }
  double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start)
          .count();
  const Stats &s = tester.stats;
  llvm::outs() << "mlc-difftest: " << s.graphs << " graphs (seed " << seedOpt
               << ", from " << (onlyOpt >= 0 ? uint64_t(onlyOpt) : firstOpt)
               << ") in " << s.models << " models, " << s.runs
               << " runs: " << s.values << " losses and values, " << s.gradients
               << " gradient elements checked, " << s.kinkSkips
               << " gradients skipped at a kink; " << s.failures
               << " failures; " << llvm::format("%.1f", seconds) << " s\n";
  return s.failures ? 1 : 0;
}
