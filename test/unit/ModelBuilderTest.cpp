//===- ModelBuilderTest.cpp - build and verify models in C++ --------------===//

#include "compiler/Registration/Registration.h"
#include "dialects/MLC/IR/MLCDialect.h"
#include "dialects/MLC/Transforms/Passes.h"

#include "mlir/IR/Builders.h"
#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/Diagnostics.h"
#include "mlir/IR/DialectRegistry.h"
#include "mlir/IR/MLIRContext.h"
#include "mlir/IR/Verifier.h"
#include "mlir/Pass/PassManager.h"

#include <gtest/gtest.h>

using namespace mlir;
using namespace mlc;

namespace {

class ModelBuilderTest : public ::testing::Test {
protected:
  ModelBuilderTest() : builder(&context) {
    DialectRegistry registry;
    mlc::registerDialects(registry);
    context.appendDialectRegistry(registry);
    context.loadAllAvailableDialects();
    loc = builder.getUnknownLoc();
    module = ModuleOp::create(loc);
    f32 = builder.getF32Type();
  }

  RankedTensorType tensor(ArrayRef<int64_t> shape) {
    return RankedTensorType::get(shape, f32);
  }

  /// Starts a model whose body the test fills; returns its block.
  ModelOp startModel(StringRef name) {
    builder.setInsertionPointToEnd(module->getBody());
    auto model =
        ModelOp::create(builder, loc, name, nullptr, nullptr, nullptr, nullptr);
    builder.setInsertionPointToStart(&model.getBody().emplaceBlock());
    return model;
  }

  /// Verifies the module, returning the first error message ("" if valid).
  std::string verifyError() {
    std::string message;
    ScopedDiagnosticHandler handler(&context, [&](Diagnostic &diag) {
      if (message.empty())
        message = diag.str();
      return success();
    });
    if (succeeded(verify(*module)))
      return "";
    return message.empty() ? "<no message>" : message;
  }

  MLIRContext context;
  OpBuilder builder;
  Location loc = UnknownLoc::get(&context);
  OwningOpRef<ModuleOp> module;
  Type f32;
};

TEST_F(ModelBuilderTest, SeedMLPVerifiesAndMaterializes) {
  ModelOp model = startModel("mnist_mlp");
  model.setLossAttr(LossAttr::get(
      &context, LossKind::sparse_categorical_crossentropy, false));
  model.setOptimizerAttr(llvm::cast<OptimizerAttrInterface>(
      AdamAttr::get(&context, 1e-3, 0.9, 0.999, 1e-7)));
  int64_t dyn = ShapedType::kDynamic;
  Value x = InputOp::create(builder, loc, tensor({dyn, 28, 28}), "image");
  Value f = FlattenOp::create(builder, loc, x);
  EXPECT_EQ(f.getType(), tensor({dyn, 784}));
  Value h = DenseOp::create(builder, loc, tensor({dyn, 128}), f, 128,
                            Activation::relu, true, nullptr, nullptr, nullptr);
  Value y =
      DenseOp::create(builder, loc, tensor({dyn, 10}), h, 10,
                      Activation::softmax, true, nullptr, nullptr, nullptr);
  OutputOp::create(builder, loc, ValueRange{y});
  ASSERT_EQ(verifyError(), "");

  PassManager pm(&context);
  pm.addPass(createMaterializeParams());
  ASSERT_TRUE(succeeded(pm.run(*module)));

  SmallVector<ParamOp, 8> params = model.getParamOps();
  ASSERT_EQ(params.size(), 4u);
  EXPECT_EQ(params[0].getSymName(), "dense.kernel");
  EXPECT_EQ(params[0].getType(), tensor({784, 128}));
  EXPECT_TRUE(llvm::isa<GlorotUniformAttr>(params[0].getInit()));
  EXPECT_EQ(params[1].getSymName(), "dense.bias");
  EXPECT_TRUE(llvm::isa<ZerosAttr>(params[1].getInit()));
  EXPECT_EQ(params[2].getSymName(), "dense_1.kernel");
  EXPECT_EQ(params[3].getType(), tensor({10}));
  EXPECT_EQ(model.getNumParamElements(), 784 * 128 + 128 + 128 * 10 + 10);

  // No layer sugar is left.
  EXPECT_TRUE(model.getBody().front().getOps<DenseOp>().empty());
  EXPECT_TRUE(model.getBody().front().getOps<FlattenOp>().empty());
  EXPECT_EQ(verifyError(), "");
}

TEST_F(ModelBuilderTest, BuildersInferShapes) {
  startModel("shapes");
  int64_t dyn = ShapedType::kDynamic;
  Value a = InputOp::create(builder, loc, tensor({dyn, 3, 4}), "a");
  Value bias = InputOp::create(builder, loc, tensor({dyn, 1}), "b");
  Value w = InputOp::create(builder, loc, tensor({5, 4}), "w");

  auto mm = MatmulOp::create(builder, loc, a, w, false, /*transposeRhs=*/true);
  EXPECT_EQ(mm.getType(), tensor({dyn, 3, 5}));
  auto sum = AddOp::create(builder, loc, mm, bias);
  EXPECT_EQ(sum.getType(), tensor({dyn, 3, 5}));
  auto r = ReduceSumOp::create(builder, loc, sum, ArrayRef<int64_t>{-1}, true);
  EXPECT_EQ(r.getType(), tensor({dyn, 3, 1}));
  auto t = TransposeOp::create(builder, loc, sum, ArrayRef<int64_t>{2, 0, 1});
  EXPECT_EQ(t.getType(), tensor({5, dyn, 3}));
  auto s = SoftmaxOp::create(builder, loc, t, int64_t(0));
  OutputOp::create(builder, loc, ValueRange{s, r});
  EXPECT_EQ(verifyError(), "");
}

TEST_F(ModelBuilderTest, VerifierNamesOperandsAndShapes) {
  startModel("bad");
  Value a = InputOp::create(builder, loc, tensor({2, 3}), "a");
  Value b = InputOp::create(builder, loc, tensor({5, 7}), "b");
  Value mm = MatmulOp::create(builder, loc, a, b);
  OutputOp::create(builder, loc, ValueRange{mm});
  std::string error = verifyError();
  EXPECT_NE(error.find("'mlc.matmul' op contracting dimensions differ"),
            std::string::npos)
      << error;
  EXPECT_NE(error.find("lhs 'tensor<2x3xf32>'"), std::string::npos) << error;
  EXPECT_NE(error.find("K = 5"), std::string::npos) << error;
}

TEST_F(ModelBuilderTest, ParamRefMustMatchItsParam) {
  startModel("params");
  ParamOp::create(
      builder, loc, "w", tensor({4, 4}),
      llvm::cast<InitializerAttrInterface>(GlorotUniformAttr::get(&context)));
  Value ref = ParamRefOp::create(builder, loc, tensor({4, 5}), "w");
  OutputOp::create(builder, loc, ValueRange{ref});
  std::string error = verifyError();
  EXPECT_NE(error.find("param @w has type 'tensor<4x4xf32>'"),
            std::string::npos)
      << error;
}

} // namespace
