//===- AttributesTest.cpp - mlc attribute parsing and printing ------------===//

#include "compiler/Registration/Registration.h"
#include "dialects/MLC/IR/MLCDialect.h"

#include "mlir/AsmParser/AsmParser.h"
#include "mlir/IR/Diagnostics.h"
#include "mlir/IR/DialectRegistry.h"
#include "mlir/IR/MLIRContext.h"

#include <gtest/gtest.h>

#include <cmath>

using namespace mlir;
using namespace mlc;

namespace {

class AttributesTest : public ::testing::Test {
protected:
  AttributesTest() {
    DialectRegistry registry;
    mlc::registerDialects(registry);
    context.appendDialectRegistry(registry);
    context.loadAllAvailableDialects();
  }

  /// Parses `text`, collecting the error message if it fails.
  Attribute parse(StringRef text) {
    ScopedDiagnosticHandler handler(&context, [&](Diagnostic &diag) {
      lastError = diag.str();
      return success();
    });
    return parseAttribute(text, &context);
  }

  static std::string print(Attribute attr) {
    std::string s;
    llvm::raw_string_ostream os(s);
    attr.print(os);
    return s;
  }

  MLIRContext context;
  std::string lastError;
};

TEST_F(AttributesTest, CanonicalTextRoundTrips) {
  // Each string is already in printed form: parse then print gives it back.
  const char *cases[] = {
      "#mlc.act<relu>",
      "#mlc.act<log_softmax>",
      "#mlc.loss<sparse_categorical_crossentropy>",
      "#mlc.loss<binary_crossentropy, from_logits = true>",
      "#mlc.zeros",
      "#mlc.ones",
      "#mlc.constant<0.5>",
      "#mlc.uniform",
      "#mlc.uniform<minval = -1.0, maxval = 2.0>",
      "#mlc.normal<stddev = 1.0>",
      "#mlc.glorot_uniform",
      "#mlc.glorot_normal",
      "#mlc.he_uniform",
      "#mlc.he_normal",
      "#mlc.sgd",
      "#mlc.sgd<momentum = 0.9, nesterov = true>",
      "#mlc.adam",
      "#mlc.adam<learning_rate = 0.01, epsilon = 1.0e-08>",
      "#mlc.adamw<weight_decay = 0.01>",
      "#mlc.rmsprop<rho = 0.95, centered = true>",
      "#mlc.adam<learning_rate = 0.0003, beta_2 = 0.98>",
      "#mlc.constant<1.0e+20>",
      "#mlc.constant<-0.1>",
  };
  for (const char *text : cases) {
    Attribute attr = parse(text);
    ASSERT_TRUE(attr) << text << ": " << lastError;
    EXPECT_EQ(print(attr), text);
  }
}

TEST_F(AttributesTest, BuiltAttributesPrintAndParseBack) {
  Attribute built[] = {
      ActivationAttr::get(&context, Activation::softmax),
      LossAttr::get(&context, LossKind::categorical_crossentropy, true),
      AdamAttr::get(&context, 3e-4, 0.8, 0.99, 1e-6),
      SGDAttr::get(&context, 0.1, 0.5, true),
      RMSpropAttr::get(&context, 0.01, 0.8, 0.1, 1e-5, false),
      NormalAttr::get(&context, 0.5, 2.0),
      ConstantInitAttr::get(&context, -0.25),
      ConstantInitAttr::get(&context, 0.1 + 0.2), // needs all 17 digits
      ConstantInitAttr::get(&context, 1e-300),
  };
  for (Attribute attr : built) {
    std::string text = print(attr);
    EXPECT_EQ(parse(text), attr) << text << ": " << lastError;
  }
}

TEST_F(AttributesTest, KerasDefaults) {
  auto adam = llvm::cast<AdamAttr>(parse("#mlc.adam"));
  EXPECT_EQ(adam.getLearningRate(), 1e-3);
  EXPECT_EQ(adam.getBeta_1(), 0.9);
  EXPECT_EQ(adam.getBeta_2(), 0.999);
  EXPECT_EQ(adam.getEpsilon(), 1e-7);
  auto sgd = llvm::cast<SGDAttr>(parse("#mlc.sgd"));
  EXPECT_EQ(sgd.getLearningRate(), 0.01);
  EXPECT_EQ(sgd.getMomentum(), 0.0);
  EXPECT_FALSE(sgd.getNesterov());
  auto loss = llvm::cast<LossAttr>(parse("#mlc.loss<mse>"));
  EXPECT_FALSE(loss.getFromLogits());
}

TEST_F(AttributesTest, OptimizerInterfaceOverridesLearningRate) {
  auto opt =
      llvm::cast<OptimizerAttrInterface>(parse("#mlc.adam<beta_1 = 0.8>"));
  EXPECT_EQ(opt.getLearningRate(), 1e-3);
  auto changed = llvm::cast<AdamAttr>(opt.withLearningRate(0.05));
  EXPECT_EQ(changed.getLearningRate(), 0.05);
  EXPECT_EQ(changed.getBeta_1(), 0.8);
}

TEST_F(AttributesTest, InvalidHyperparametersAreRejected) {
  EXPECT_FALSE(parse("#mlc.adam<learning_rate = -1.0>"));
  EXPECT_NE(lastError.find("positive finite learning_rate"), std::string::npos)
      << lastError;
  EXPECT_FALSE(parse("#mlc.adam<beta_1 = 1.5>"));
  EXPECT_NE(lastError.find("beta_1"), std::string::npos) << lastError;
  EXPECT_FALSE(parse("#mlc.uniform<minval = 1.0, maxval = 0.0>"));
  EXPECT_NE(lastError.find("minval < maxval"), std::string::npos) << lastError;
  EXPECT_TRUE(parse("#mlc.act<gelu>"));
  EXPECT_FALSE(parse("#mlc.act<swish>"));
  EXPECT_FALSE(parse("#mlc.adam<momentum = 0.5>"));
}

TEST_F(AttributesTest, InitializerSpecsFollowKeras) {
  auto spec = [&](StringRef text, ArrayRef<int64_t> shape) {
    return llvm::cast<InitializerAttrInterface>(parse(text)).getSpec(shape);
  };
  InitSpec glorot = spec("#mlc.glorot_uniform", {784, 128});
  EXPECT_EQ(glorot.kind, InitSpec::Kind::Uniform);
  EXPECT_DOUBLE_EQ(glorot.b, std::sqrt(6.0 / (784 + 128)));
  EXPECT_DOUBLE_EQ(glorot.a, -glorot.b);

  // A 3x3 conv kernel (HWIO) from 16 to 32 channels: receptive field 9.
  InitSpec he = spec("#mlc.he_normal", {3, 3, 16, 32});
  EXPECT_EQ(he.kind, InitSpec::Kind::TruncatedNormal);
  EXPECT_DOUBLE_EQ(he.b, std::sqrt(2.0 / (9 * 16)) / 0.87962566103423978);

  InitSpec zeros = spec("#mlc.zeros", {10});
  EXPECT_EQ(zeros.kind, InitSpec::Kind::Constant);
  EXPECT_EQ(zeros.a, 0.0);
  InitSpec normal = spec("#mlc.normal", {10});
  EXPECT_EQ(normal.kind, InitSpec::Kind::Normal);
  EXPECT_EQ(normal.b, 0.05);
}

} // namespace
