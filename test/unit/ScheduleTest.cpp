//===- ScheduleTest.cpp - CPU schedules against each other ----------------===//
//
// The CPU schedule's choices (packed operand panels, register tiles of 6
// or 8 rows, 2 or 4 vectors wide) change where values live, never the
// arithmetic: every output element is the same chain of FMAs over k in the
// same order. So train steps compiled with different choices must agree
// bit for bit. Each model here trains 3 steps under every variant (set
// through MLC_SCHEDULE_OPTIONS while it compiles) from the same parameters
// on the same batch, with a batch size that leaves a partial row tile;
// every parameter must equal the default schedule's exactly. Shapes cover
// transposed operands (the backward matmuls), widths that are and are not
// multiples of a panel or of a tile, a weight read both ways, and the optimizer
// fused after the weight gradient.
//
//===----------------------------------------------------------------------===//

#include "compiler/CodeGen/CPU/Tiles.h"
#include "compiler/Driver/Driver.h"
#include "compiler/Driver/Pipeline.h"
#include "compiler/Registration/Registration.h"
#include "runtime/Aligned.h"
#include "test/unit/TrainSteps.h"

#include "mlir/IR/OperationSupport.h"
#include "mlir/Parser/Parser.h"
#include "mlir/Pass/PassManager.h"
#include "mlir/Pass/PassRegistry.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdlib>
#include <ostream>
#include <string>
#include <thread>
#include <vector>

using namespace mlc;

namespace {

using Floats = runtime::AlignedVector<float>;

/// Parameters after 3 train steps of `source` compiled with
/// MLC_SCHEDULE_OPTIONS=`options` (none when empty).
std::vector<Floats> trainedParams(const std::string &source,
                                  const std::string &options, int64_t batch) {
  if (!options.empty())
    setenv("MLC_SCHEDULE_OPTIONS", options.c_str(), 1);
  auto context = createContext();
  auto module = mlir::parseSourceString<mlir::ModuleOp>(source, context.get());
  EXPECT_TRUE(module);
  TargetOptions target;
  target.threads = 1;
  auto jit = JITModel::compile(context, std::move(module), target);
  unsetenv("MLC_SCHEDULE_OPTIONS");
  if (!jit) {
    ADD_FAILURE() << llvm::toString(jit.takeError());
    return {};
  }
  const ModelSignature &sig = (*jit)->signature();
  std::vector<Floats> params, states;
  std::vector<float *> ptrs;
  for (const TensorSpec &p : sig.params) {
    params.emplace_back(p.numElements(0));
    ptrs.push_back(params.back().data());
  }
  for (const TensorSpec &s : sig.states)
    states.emplace_back(s.numElements(0), 0.0f);
  EXPECT_FALSE(bool(initializeParams(sig, 3, ptrs)));
  Floats x(sig.inputs[0].numElements(batch));
  uint32_t seed = 12345;
  for (float &v : x) {
    seed = seed * 1664525u + 1013904223u;
    v = float((seed >> 8) & 0xffff) / 65536.0f - 0.5f;
  }
  runtime::AlignedVector<int32_t> labels(batch);
  int64_t classes = sig.outputs[0].shape.back();
  for (int64_t i = 0; i < batch; ++i)
    labels[i] = int32_t((i * 7) % classes);
  if (llvm::Error err = test::trainSteps(**jit, ptrs, dataOf(states), x.data(),
                                         labels.data(), batch, 3))
    ADD_FAILURE() << llvm::toString(std::move(err));
  return params;
}

/// Every element of `params` equals `reference`'s (compiled with the
/// default schedule); `options` and `source` name the case.
void expectSameParams(const std::vector<Floats> &reference,
                      const std::vector<Floats> &params,
                      const std::string &options, const std::string &source) {
  ASSERT_EQ(params.size(), reference.size()) << options;
  for (size_t p = 0; p < params.size(); ++p)
    for (size_t i = 0; i < params[p].size(); ++i)
      ASSERT_EQ(params[p][i], reference[p][i])
          << options << ": param " << p << " element " << i << "\n"
          << source;
}

std::string mlp(const std::vector<int64_t> &widths, const char *optimizer) {
  std::string s = "mlc.model @m {\n  %x0 = mlc.input \"x\" : tensor<?x" +
                  std::to_string(widths[0]) + "xf32>\n";
  for (size_t i = 1; i < widths.size(); ++i) {
    bool last = i + 1 == widths.size();
    s += "  %x" + std::to_string(i) + " = mlc.dense %x" +
         std::to_string(i - 1) + " {units = " + std::to_string(widths[i]) +
         ", activation = #mlc.act<" + (last ? "softmax" : "tanh") +
         ">} : tensor<?x" + std::to_string(widths[i - 1]) +
         "xf32> -> tensor<?x" + std::to_string(widths[i]) + "xf32>\n";
  }
  s += "  mlc.output %x" + std::to_string(widths.size() - 1) + " : tensor<?x" +
       std::to_string(widths.back()) +
       "xf32>\n} {loss = #mlc.loss<sparse_categorical_crossentropy>, "
       "optimizer = " +
       optimizer + "}\n";
  return s;
}

struct Shape {
  std::vector<int64_t> widths;
  const char *optimizer;
};

void PrintTo(const Shape &shape, std::ostream *os) {
  for (size_t i = 0; i < shape.widths.size(); ++i)
    *os << (i ? "-" : "") << shape.widths[i];
  *os << " " << shape.optimizer;
}

class ScheduleTest : public ::testing::TestWithParam<Shape> {};

TEST_P(ScheduleTest, VariantsAgreeBitForBit) {
  std::string source = mlp(GetParam().widths, GetParam().optimizer);
  // 37 rows: a partial row tile for 4, 6 and 8-row tiles alike.
  const int64_t batch = 37;
  std::vector<Floats> reference = trainedParams(source, "", batch);
  ASSERT_FALSE(reference.empty());
  // The schedule before packing and 16-register tiles; 512-bit tiles and
  // panels (AVX-512's, run as pairs of 256-bit halves elsewhere); 8-row
  // tiles of 256-bit vectors; column tiles outside row tiles.
  for (const char *options :
       {"pack-operands=false vector-registers=32", "vector-bits=512",
        "vector-bits=256 vector-registers=32", "columns-outer-bytes=1"}) {
    expectSameParams(reference, trainedParams(source, options, batch), options,
                     source);
    if (::testing::Test::HasFatalFailure())
      return;
  }
}

// Every tile `mlc tune` may pick for a shape computes the same step: the
// model compiled with the i-th candidate tile of every matmul shape (its
// last where it has fewer), for AVX2's and AVX-512's vector widths (the
// wider runs as pairs of halves on an AVX2 machine).
TEST_P(ScheduleTest, TunedTilesAgreeBitForBit) {
  std::string source = mlp(GetParam().widths, GetParam().optimizer);
  const int64_t batch = 37;
  std::vector<Floats> reference = trainedParams(source, "", batch);
  ASSERT_FALSE(reference.empty());
  auto context = createContext();
  auto module = mlir::parseSourceString<mlir::ModuleOp>(source, context.get());
  ASSERT_TRUE(module);
  TargetOptions target;
  ASSERT_TRUE(
      succeeded(lowerModule(*module, Stage::Model, Stage::Linalg, target)));
  for (unsigned bits : {256u, 512u}) {
    std::vector<TunableMatmul> shapes = tunableMatmuls(
        *module, bits, vectorRegistersFor(bits), columnsOuterBytesFor(target));
    size_t most = 0;
    for (const TunableMatmul &shape : shapes)
      most = std::max(most, shape.candidates.size());
    ASSERT_GE(most, 2u) << "no shape has an alternative tile";
    for (size_t i = 1; i < most; ++i) {
      TileTable table;
      for (const TunableMatmul &shape : shapes)
        table[shape.key] =
            shape.candidates[std::min(i, shape.candidates.size() - 1)];
      std::string options = "vector-bits=" + std::to_string(bits) +
                            " tile-table=" + formatTileTable(table);
      expectSameParams(reference, trainedParams(source, options, batch),
                       options, source);
      if (::testing::Test::HasFatalFailure())
        return;
    }
  }
}

// The schedule makes op printing cheap while it runs (upstream's fusion
// prints whole loops into diagnostics it then drops) through MLIR's global
// printing flags; afterwards printing must be as before: verified, with
// regions.
TEST(ScheduleFlags, PrintingIsRestored) {
  auto context = mlc::createContext();
  auto module = mlir::parseSourceString<mlir::ModuleOp>(
      mlp({16, 32, 10}, "#mlc.adam<learning_rate = 0.01>"), context.get());
  ASSERT_TRUE(module);
  ASSERT_TRUE(mlir::succeeded(
      mlc::lowerModule(*module, mlc::Stage::Model, mlc::Stage::LLVM, {})));
  mlir::OpPrintingFlags flags;
  EXPECT_FALSE(flags.shouldAssumeVerified());
  EXPECT_FALSE(flags.shouldSkipRegions());
  EXPECT_FALSE(flags.shouldUseLocalScope());
  std::string text;
  llvm::raw_string_ostream os(text);
  module->print(os);
  EXPECT_NE(text.find("llvm.return"), std::string::npos);
}

// Two schedules at once (a program compiling models on two threads) must
// leave the flags as they found them too.
TEST(ScheduleFlags, PrintingIsRestoredAfterConcurrentCompiles) {
  auto lower = [](std::vector<int64_t> widths, bool *ok) {
    auto context = mlc::createContext();
    auto module = mlir::parseSourceString<mlir::ModuleOp>(
        mlp(widths, "#mlc.sgd<learning_rate = 0.1>"), context.get());
    *ok = module && mlir::succeeded(mlc::lowerModule(*module, mlc::Stage::Model,
                                                     mlc::Stage::LLVM, {}));
  };
  for (int round = 0; round < 3; ++round) {
    bool ok[2] = {false, false};
    std::thread a(lower, std::vector<int64_t>{16, 32, 10}, &ok[0]);
    std::thread b(lower, std::vector<int64_t>{24, 64, 64, 10}, &ok[1]);
    a.join();
    b.join();
    ASSERT_TRUE(ok[0] && ok[1]);
    mlir::OpPrintingFlags flags;
    EXPECT_FALSE(flags.shouldAssumeVerified()) << "round " << round;
    EXPECT_FALSE(flags.shouldSkipRegions()) << "round " << round;
  }
}

// mlc compiles on the MLIR context's threads (functions' schedules and
// the passes after them in parallel); the code must not depend on it.
TEST(ScheduleThreads, SameCodeOnOneThread) {
  auto lowered = [](bool serial) {
    if (serial)
      setenv("MLC_NO_MLIR_THREADS", "1", 1);
    auto context = mlc::createContext();
    unsetenv("MLC_NO_MLIR_THREADS");
    EXPECT_EQ(context->isMultithreadingEnabled(), !serial);
    auto module = mlir::parseSourceString<mlir::ModuleOp>(
        mlp({40, 96, 48, 10}, "#mlc.adam<learning_rate = 0.01>"),
        context.get());
    EXPECT_TRUE(module);
    std::string text;
    if (module && mlir::succeeded(mlc::lowerModule(*module, mlc::Stage::Model,
                                                   mlc::Stage::LLVM, {}))) {
      llvm::raw_string_ostream os(text);
      module->print(os);
    }
    return text;
  };
  std::string threaded = lowered(false), serial = lowered(true);
  ASSERT_NE(serial.find("llvm.return"), std::string::npos);
  EXPECT_TRUE(threaded == serial)
      << "the LLVM dialect differs between 1 and N compile threads";
}

// The schedule's scripts name `mlc.*` attributes, and parsing one loads
// the mlc dialect when it is registered but not loaded (mlc-opt loads
// dialects lazily). The scripts are parsed on the context's threads, where
// loading a dialect races: mlc-opt crashed in 2 of the first 3 runs on
// linalg without mlc ops (test/CodeGen/CPU/schedule-row-statistics.mlir),
// and this test in 5 of 5. The schedule loads it before going parallel.
TEST(ScheduleThreads, DialectLoadedBeforeThreads) {
  const char *rowStatistics = R"(
#rows = affine_map<(d0, d1) -> (d0, d1)>
#row = affine_map<(d0, d1) -> (d0)>
func.func @stats(%x: tensor<?x64xf32>) -> tensor<?xf32> {
  %c0 = arith.constant 0 : index
  %n = tensor.dim %x, %c0 : tensor<?x64xf32>
  %zero = arith.constant 0.0 : f32
  %e = tensor.empty(%n) : tensor<?xf32>
  %s0 = linalg.fill ins(%zero : f32) outs(%e : tensor<?xf32>) -> tensor<?xf32>
  %s = linalg.generic {indexing_maps = [#rows, #row], iterator_types = ["parallel", "reduction"]} ins(%x : tensor<?x64xf32>) outs(%s0 : tensor<?xf32>) {
  ^bb0(%in: f32, %acc: f32):
    %r = arith.addf %acc, %in : f32
    linalg.yield %r : f32
  } -> tensor<?xf32>
  return %s : tensor<?xf32>
}
)";
  // Functions enough that the context's threads parse scripts at once.
  std::string source;
  for (int f = 0; f < 8; ++f) {
    std::string body = rowStatistics;
    source += body.replace(body.find("@stats"), 6, "@stats" + std::to_string(f))
                  .substr(f ? body.find("func.func") : 0);
  }
  mlc::registerPasses();
  for (int round = 0; round < 20; ++round) {
    mlir::DialectRegistry registry;
    mlc::registerDialects(registry);
    mlir::MLIRContext context(registry, mlir::MLIRContext::Threading::ENABLED);
    auto module = mlir::parseSourceString<mlir::ModuleOp>(source, &context);
    ASSERT_TRUE(module);
    ASSERT_EQ(context.getLoadedDialect("mlc"), nullptr);
    mlir::PassManager pm(&context);
    ASSERT_TRUE(mlir::succeeded(
        mlir::parsePassPipeline("mlc-cpu-schedule{vector-bits=256}", pm)));
    ASSERT_TRUE(mlir::succeeded(pm.run(*module))) << "round " << round;
    EXPECT_NE(context.getLoadedDialect("mlc"), nullptr);
  }
}

INSTANTIATE_TEST_SUITE_P(
    Shapes, ScheduleTest,
    ::testing::Values(
        Shape{{64, 64, 64, 32}, "#mlc.adam<learning_rate = 0.01>"},
        Shape{{40, 96, 48, 10}, "#mlc.sgd<learning_rate = 0.1>"},
        Shape{{33, 32, 17}, "#mlc.adam<learning_rate = 0.01>"},
        Shape{{16, 128, 64}, "#mlc.rmsprop<learning_rate = 0.01>"},
        // Widths that are not whole tiles on any target (200 = 6 x 32 + 8,
        // 70 = 2 x 32 + 6): a peeled last column tile.
        Shape{{50, 200, 70, 10}, "#mlc.adam<learning_rate = 0.01>"},
        // Outputs 3 vectors wide: one tile of 4 x 24 on AVX2, 8 x 48 on
        // AVX-512.
        Shape{{30, 24, 48, 10}, "#mlc.adam<learning_rate = 0.01>"}));

} // namespace
