//===- MLCAttrs.cpp - mlc attributes --------------------------------------===//

#include "dialects/MLC/IR/MLCDialect.h"

#include "llvm/ADT/TypeSwitch.h"

#include <cmath>
#include <cstdio>
#include <cstdlib>

using namespace mlir;
using namespace mlc;

// Attribute storage hashes its parameters with llvm::hash_combine, which has
// no overload for double. Hash doubles by their bits (attributes that compare
// equal but differ bitwise, +0.0 and -0.0, just stay distinct). Only this
// file hashes attribute storage (the storage classes are defined below), so
// the specialization stays out of the dialect's public header.
namespace llvm::hashing::detail {
template <> struct is_hashable_data<double> : std::true_type {};
} // namespace llvm::hashing::detail

#include "dialects/MLC/IR/MLCAttrInterfaces.cpp.inc"
#include "dialects/MLC/IR/MLCEnums.cpp.inc"

#define GET_ATTRDEF_CLASSES
#include "dialects/MLC/IR/MLCAttrs.cpp.inc"

void MLCDialect::registerAttributes() {
  addAttributes<
#define GET_ATTRDEF_LIST
#include "dialects/MLC/IR/MLCAttrs.cpp.inc"
      >();
}

//===----------------------------------------------------------------------===//
// Shared helpers
//===----------------------------------------------------------------------===//

std::pair<double, double> mlc::computeFans(ArrayRef<int64_t> shape) {
  if (shape.empty())
    return {1.0, 1.0};
  if (shape.size() == 1)
    return {double(shape[0]), double(shape[0])};
  double receptive = 1.0;
  for (int64_t d : shape.drop_back(2))
    receptive *= double(d);
  return {double(shape[shape.size() - 2]) * receptive,
          double(shape.back()) * receptive};
}

std::string mlc::formatDouble(double value) {
  if (!std::isfinite(value))
    return value != value
               ? "0x7FF8000000000000"
               : (value > 0 ? "0x7FF0000000000000" : "0xFFF0000000000000");
  char buf[32];
  for (int precision = 1; precision <= 17; ++precision) {
    std::snprintf(buf, sizeof(buf), "%.*g", precision, value);
    if (std::strtod(buf, nullptr) == value)
      break;
  }
  std::string text = buf;
  if (text.find_first_of(".") == std::string::npos) {
    size_t exponent = text.find_first_of("eE");
    text.insert(exponent == std::string::npos ? text.size() : exponent, ".0");
  }
  return text;
}

SmallVector<int64_t> mlc::nonUnitDims(ArrayRef<int64_t> shape) {
  SmallVector<int64_t> dims;
  for (int64_t d : shape)
    if (d != 1)
      dims.push_back(d);
  return dims;
}

FailureOr<int64_t> mlc::normalizeAxis(int64_t axis, int64_t rank) {
  if (axis < -rank || axis >= rank)
    return failure();
  return axis < 0 ? axis + rank : axis;
}

//===----------------------------------------------------------------------===//
// Initializers
//===----------------------------------------------------------------------===//

// Keras divides the stddev of its truncated normals by the stddev of a unit
// normal truncated to ±2, so the truncated distribution keeps the variance.
static constexpr double kTruncatedNormalCorrection = 0.87962566103423978;

InitSpec ZerosAttr::getSpec(ArrayRef<int64_t>) const {
  return {InitSpec::Kind::Constant, 0.0};
}
InitSpec OnesAttr::getSpec(ArrayRef<int64_t>) const {
  return {InitSpec::Kind::Constant, 1.0};
}
InitSpec ConstantInitAttr::getSpec(ArrayRef<int64_t>) const {
  return {InitSpec::Kind::Constant, getValue()};
}
InitSpec UniformAttr::getSpec(ArrayRef<int64_t>) const {
  return {InitSpec::Kind::Uniform, getMinval(), getMaxval()};
}
InitSpec NormalAttr::getSpec(ArrayRef<int64_t>) const {
  return {InitSpec::Kind::Normal, getMean(), getStddev()};
}
InitSpec GlorotUniformAttr::getSpec(ArrayRef<int64_t> shape) const {
  auto [fanIn, fanOut] = computeFans(shape);
  double limit = std::sqrt(6.0 / (fanIn + fanOut));
  return {InitSpec::Kind::Uniform, -limit, limit};
}
InitSpec GlorotNormalAttr::getSpec(ArrayRef<int64_t> shape) const {
  auto [fanIn, fanOut] = computeFans(shape);
  return {InitSpec::Kind::TruncatedNormal, 0.0,
          std::sqrt(2.0 / (fanIn + fanOut)) / kTruncatedNormalCorrection};
}
InitSpec HeUniformAttr::getSpec(ArrayRef<int64_t> shape) const {
  double limit = std::sqrt(6.0 / computeFans(shape).first);
  return {InitSpec::Kind::Uniform, -limit, limit};
}
InitSpec HeNormalAttr::getSpec(ArrayRef<int64_t> shape) const {
  return {InitSpec::Kind::TruncatedNormal, 0.0,
          std::sqrt(2.0 / computeFans(shape).first) /
              kTruncatedNormalCorrection};
}

InitSpec OrthogonalAttr::getSpec(ArrayRef<int64_t> shape) const {
  int64_t rows = 1;
  for (int64_t d : shape.drop_back())
    rows *= d;
  return {InitSpec::Kind::Orthogonal, getGain(), double(rows)};
}
InitSpec UnitForgetBiasAttr::getSpec(ArrayRef<int64_t>) const {
  return {InitSpec::Kind::UnitForgetBias};
}

LogicalResult UniformAttr::verify(function_ref<InFlightDiagnostic()> emitError,
                                  double minval, double maxval) {
  if (!(minval < maxval))
    return emitError() << "#mlc.uniform needs minval < maxval, got minval = "
                       << minval << ", maxval = " << maxval;
  return success();
}

LogicalResult NormalAttr::verify(function_ref<InFlightDiagnostic()> emitError,
                                 double, double stddev) {
  if (!(stddev > 0.0))
    return emitError() << "#mlc.normal needs stddev > 0, got " << stddev;
  return success();
}

//===----------------------------------------------------------------------===//
// Optimizers
//===----------------------------------------------------------------------===//

static LogicalResult
checkLearningRate(function_ref<InFlightDiagnostic()> emitError, StringRef name,
                  double lr) {
  if (!(lr > 0.0) || !std::isfinite(lr))
    return emitError() << "#mlc." << name
                       << " needs a positive finite learning_rate, got " << lr;
  return success();
}

static LogicalResult
checkUnitInterval(function_ref<InFlightDiagnostic()> emitError, StringRef name,
                  StringRef param, double value) {
  if (!(value >= 0.0 && value < 1.0))
    return emitError() << "#mlc." << name << " needs 0 <= " << param
                       << " < 1, got " << value;
  return success();
}

static LogicalResult checkPositive(function_ref<InFlightDiagnostic()> emitError,
                                   StringRef name, StringRef param,
                                   double value) {
  if (!(value > 0.0))
    return emitError() << "#mlc." << name << " needs " << param << " > 0, got "
                       << value;
  return success();
}

LogicalResult SGDAttr::verify(function_ref<InFlightDiagnostic()> emitError,
                              double lr, double momentum, bool) {
  return success(
      succeeded(checkLearningRate(emitError, "sgd", lr)) &&
      succeeded(checkUnitInterval(emitError, "sgd", "momentum", momentum)));
}

LogicalResult AdamAttr::verify(function_ref<InFlightDiagnostic()> emitError,
                               double lr, double beta1, double beta2,
                               double epsilon) {
  return success(
      succeeded(checkLearningRate(emitError, "adam", lr)) &&
      succeeded(checkUnitInterval(emitError, "adam", "beta_1", beta1)) &&
      succeeded(checkUnitInterval(emitError, "adam", "beta_2", beta2)) &&
      succeeded(checkPositive(emitError, "adam", "epsilon", epsilon)));
}

LogicalResult AdamWAttr::verify(function_ref<InFlightDiagnostic()> emitError,
                                double lr, double weightDecay, double beta1,
                                double beta2, double epsilon) {
  if (!(weightDecay >= 0.0))
    return emitError() << "#mlc.adamw needs weight_decay >= 0, got "
                       << weightDecay;
  return AdamAttr::verify(emitError, lr, beta1, beta2, epsilon);
}

LogicalResult RMSpropAttr::verify(function_ref<InFlightDiagnostic()> emitError,
                                  double lr, double rho, double momentum,
                                  double epsilon, bool) {
  return success(
      succeeded(checkLearningRate(emitError, "rmsprop", lr)) &&
      succeeded(checkUnitInterval(emitError, "rmsprop", "rho", rho)) &&
      succeeded(
          checkUnitInterval(emitError, "rmsprop", "momentum", momentum)) &&
      succeeded(checkPositive(emitError, "rmsprop", "epsilon", epsilon)));
}

//===----------------------------------------------------------------------===//
// Learning-rate schedules
//===----------------------------------------------------------------------===//

LogicalResult
ExponentialDecayAttr::verify(function_ref<InFlightDiagnostic()> emitError,
                             int64_t decaySteps, double decayRate, bool) {
  if (decaySteps < 1)
    return emitError() << "#mlc.exponential_decay needs decay_steps >= 1, got "
                       << decaySteps;
  return checkPositive(emitError, "exponential_decay", "decay_rate", decayRate);
}

LRScheduleSpec ExponentialDecayAttr::getSpec() const {
  LRScheduleSpec spec;
  spec.kind = LRScheduleSpec::Kind::ExponentialDecay;
  spec.decaySteps = getDecaySteps();
  spec.decayRate = getDecayRate();
  spec.staircase = getStaircase();
  return spec;
}

LogicalResult
CosineDecayAttr::verify(function_ref<InFlightDiagnostic()> emitError,
                        int64_t decaySteps, double alpha, int64_t warmupSteps,
                        double warmupTarget) {
  if (decaySteps < 1)
    return emitError() << "#mlc.cosine_decay needs decay_steps >= 1, got "
                       << decaySteps;
  if (!(alpha >= 0.0 && alpha <= 1.0))
    return emitError() << "#mlc.cosine_decay needs 0 <= alpha <= 1, got "
                       << alpha;
  if (warmupSteps < 0)
    return emitError() << "#mlc.cosine_decay needs warmup_steps >= 0, got "
                       << warmupSteps;
  // Keras's warmup_target=None is warmup_steps = 0 here.
  if (warmupSteps > 0 && !(warmupTarget > 0.0 && std::isfinite(warmupTarget)))
    return emitError() << "#mlc.cosine_decay with warmup_steps needs a "
                          "positive warmup_target, got "
                       << warmupTarget;
  if (warmupSteps == 0 && warmupTarget != 0.0)
    return emitError()
           << "#mlc.cosine_decay has a warmup_target but no warmup_steps";
  return success();
}

LRScheduleSpec CosineDecayAttr::getSpec() const {
  LRScheduleSpec spec;
  spec.kind = LRScheduleSpec::Kind::CosineDecay;
  spec.decaySteps = getDecaySteps();
  spec.alpha = getAlpha();
  spec.warmupSteps = getWarmupSteps();
  spec.warmupTarget = getWarmupTarget();
  return spec;
}
