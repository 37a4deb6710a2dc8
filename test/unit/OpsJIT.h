//===- OpsJIT.h - the fixture of the JIT op tests ---------------*- C++ -*-===//
//
// Shared by OpsJITTest.cpp (one op at a time) and OpsJITModelTest.cpp
// (losses, whole models, threads, floating-point mode, argument checks):
// host tensors with deterministic contents, one-op models, compile and run.
//
//===----------------------------------------------------------------------===//

#ifndef MLC_TEST_UNIT_OPSJIT_H
#define MLC_TEST_UNIT_OPSJIT_H

#include "compiler/Driver/Driver.h"

#include "mlir/Parser/Parser.h"

#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <string>
#include <vector>

namespace mlc::test {

/// A host tensor: float data, or int32 for labels.
struct Tensor {
  std::vector<int64_t> shape;
  std::vector<float> f;
  std::vector<int32_t> i;
  int64_t size() const {
    int64_t n = 1;
    for (int64_t d : shape)
      n *= d;
    return n;
  }
  float at(int64_t k) const { return f[k]; }
};

/// Deterministic values in [lo, hi).
inline Tensor make(std::vector<int64_t> shape, double lo, double hi,
                   uint32_t seed) {
  Tensor t;
  t.shape = std::move(shape);
  t.f.resize(t.size());
  uint32_t s = seed * 2654435761u + 12345u;
  for (float &v : t.f) {
    s = s * 1664525u + 1013904223u;
    v = float(lo + (hi - lo) * ((s >> 8) / double(1u << 24)));
  }
  return t;
}

inline Tensor labels(int64_t batch, int64_t classes, uint32_t seed) {
  Tensor t;
  t.shape = {batch};
  for (int64_t b = 0; b < batch; ++b)
    t.i.push_back(int32_t((b * 7 + seed) % classes));
  return t;
}

class OpsJITTest : public ::testing::Test {
protected:
  void checkMatmul(int64_t k, int64_t n, unsigned bits,
                   std::initializer_list<int64_t> batches, uint32_t seed);
  /// Compiles `source` (one model) or fails the test.
  std::unique_ptr<JITModel> compile(const std::string &source,
                                    unsigned threads = 1,
                                    unsigned vectorBits = 0,
                                    bool flushDenormals = true) {
    auto context = createContext();
    auto module =
        mlir::parseSourceString<mlir::ModuleOp>(source, context.get());
    EXPECT_TRUE(module) << source;
    if (!module)
      return nullptr;
    TargetOptions target;
    target.threads = threads;
    target.vectorBits = vectorBits;
    target.flushDenormals = flushDenormals;
    auto jit = JITModel::compile(context, std::move(module), target);
    if (!jit) {
      ADD_FAILURE() << llvm::toString(jit.takeError()) << "\n" << source;
      return nullptr;
    }
    return std::move(*jit);
  }

  /// Runs predict with `inputs`; outputs are sized from the signature with
  /// the batch of the inputs.
  std::vector<Tensor> run(JITModel &jit, std::vector<Tensor> inputs,
                          int64_t batch) {
    const ModelSignature &sig = jit.signature();
    std::vector<Tensor> outputs(sig.outputs.size());
    std::vector<BufferRef> buffers;
    for (Tensor &in : inputs)
      buffers.push_back(
          {in.i.empty() ? (void *)in.f.data() : (void *)in.i.data(), in.shape});
    for (size_t k = 0; k < outputs.size(); ++k) {
      for (int64_t d : sig.outputs[k].shape)
        outputs[k].shape.push_back(d < 0 ? batch : d);
      outputs[k].f.assign(outputs[k].size(), NAN);
      buffers.push_back({outputs[k].f.data(), outputs[k].shape});
    }
    llvm::Error err = jit.predict(buffers);
    EXPECT_FALSE(bool(err)) << llvm::toString(std::move(err));
    return outputs;
  }

  static void expectNear(const Tensor &got, const std::vector<double> &want,
                         const std::string &what, double tol = 1e-5) {
    ASSERT_EQ(size_t(got.size()), want.size()) << what;
    for (size_t k = 0; k < want.size(); ++k)
      ASSERT_LE(std::abs(got.f[k] - want[k]),
                tol * std::max(1.0, std::abs(want[k])))
          << what << " element " << k << ": got " << got.f[k] << ", want "
          << want[k];
  }
};

inline std::string dims(const std::vector<int64_t> &shape,
                        const char *elt = "f32") {
  std::string s = "tensor<";
  for (int64_t d : shape)
    s += (d < 0 ? std::string("?") : std::to_string(d)) + "x";
  return s + elt + ">";
}

/// A model `@m` with inputs a (and b) and `body` computing %r of type `out`.
inline std::string model(const std::vector<std::vector<int64_t>> &inputs,
                         const std::string &body, const std::string &out,
                         const std::vector<const char *> &elts = {}) {
  std::string s = "mlc.model @m {\n";
  for (size_t k = 0; k < inputs.size(); ++k)
    s += "  %" + std::string(1, char('a' + k)) + " = mlc.input \"" +
         std::string(1, char('a' + k)) +
         "\" : " + dims(inputs[k], k < elts.size() ? elts[k] : "f32") + "\n";
  return s + "  " + body + "\n  mlc.output %r : " + out + "\n}\n";
}

//===----------------------------------------------------------------------===//
// Elementwise
} // namespace mlc::test

#endif // MLC_TEST_UNIT_OPSJIT_H
