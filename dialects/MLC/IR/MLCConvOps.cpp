//===- MLCConvOps.cpp - verifiers of convolution and pooling --------------===//
//
// The NHWC window ops (conv, max_pool, avg_pool), their gradient ops and
// the layers that expand into them. Every verifier error names the op, the
// operand or attribute, and the expected vs actual value, at the op's
// location.
//
//===----------------------------------------------------------------------===//

#include "dialects/MLC/IR/MLCDialect.h"
#include "dialects/MLC/IR/OpVerification.h"

#include "mlir/IR/Builders.h"

using namespace mlir;
using namespace mlc;
using namespace mlc::detail;

int64_t mlc::windowOutputSize(int64_t in, int64_t window, int64_t stride,
                              int64_t dilation, int64_t padLo, int64_t padHi) {
  // Sizes from a model file can be anything: an overflow is "no fit".
  int64_t padded, extent, span;
  if (__builtin_add_overflow(in, padLo, &padded) ||
      __builtin_add_overflow(padded, padHi, &padded) ||
      __builtin_mul_overflow(window - 1, dilation, &extent) ||
      __builtin_sub_overflow(padded, extent, &span) || span < 1 || stride < 1)
    return 0;
  return (span - 1) / stride + 1;
}

FailureOr<SmallVector<int64_t, 4>> mlc::kerasPads(StringRef padding,
                                                  ArrayRef<int64_t> inHW,
                                                  ArrayRef<int64_t> window,
                                                  ArrayRef<int64_t> strides,
                                                  ArrayRef<int64_t> dilations) {
  SmallVector<int64_t, 4> pads(4, 0);
  if (padding == "valid")
    return pads;
  if (padding != "same")
    return failure();
  for (int d = 0; d < 2; ++d) {
    int64_t out = (inHW[d] + strides[d] - 1) / strides[d];
    int64_t total = std::max<int64_t>(
        (out - 1) * strides[d] + (window[d] - 1) * dilations[d] + 1 - inHW[d],
        0);
    pads[2 * d] = total / 2;
    pads[2 * d + 1] = total - total / 2;
  }
  return pads;
}

bool mlc::isLayer(Operation *op) {
  return llvm::isa<DenseOp, FlattenOp, Conv2DOp, DepthwiseConv2DOp, MaxPool2DOp,
                   AvgPool2DOp, GlobalAvgPool2DOp, DropoutOp, BatchNormOp,
                   LSTMOp, EmbeddingOp, LayerNormOp, SplitOp, GRUOp>(op);
}

namespace {

/// Checks that `attr` holds `size` positive numbers.
LogicalResult checkPositive(Operation *op, StringRef name,
                            ArrayRef<int64_t> values, size_t size) {
  // At most 2^20: windows, strides and dilations of real models are
  // small, and the shape arithmetic must not overflow.
  if (values.size() != size || llvm::any_of(values, [](int64_t v) {
        return v <= 0 || v > (int64_t(1) << 20);
      })) {
    InFlightDiagnostic d = op->emitOpError();
    d << name << " must be " << size
      << " positive numbers (at most 1048576), got [";
    llvm::interleaveComma(values, d);
    return d << "]";
  }
  return success();
}

/// Checks that `input` is NHWC with static H, W and C.
LogicalResult checkNHWC(Operation *op, StringRef what, RankedTensorType input) {
  if (input.getRank() != 4)
    return op->emitOpError()
           << what << " must be (batch, height, width, channels), got "
           << input;
  if (input.isDynamicDim(1) || input.isDynamicDim(2) || input.isDynamicDim(3))
    return op->emitOpError()
           << what << " needs static height, width and channels, got " << input;
  if (llvm::any_of(input.getShape().drop_front(),
                   [](int64_t d) { return d > (int64_t(1) << 31); }))
    return op->emitOpError() << what << " " << input
                             << " is too large (height, width and channels "
                                "at most 2^31)";
  return success();
}

/// The result type of a window op over `input` (NHWC) with `channels`
/// output channels, after checking the window attributes: `pads` each at
/// most the dilated window's extent minus one, and a window that fits.
FailureOr<RankedTensorType>
windowResultType(Operation *op, RankedTensorType input,
                 ArrayRef<int64_t> window, ArrayRef<int64_t> strides,
                 ArrayRef<int64_t> dilations, ArrayRef<int64_t> pads,
                 int64_t channels) {
  if (failed(checkPositive(op, "strides", strides, 2)) ||
      failed(checkPositive(op, "dilations", dilations, 2)))
    return failure();
  if (pads.size() != 4)
    return op->emitOpError() << "pads must be [top, bottom, left, right], got "
                             << pads.size() << " numbers";
  static const char *names[] = {"top", "bottom", "left", "right"};
  for (int i = 0; i < 4; ++i) {
    int64_t extent = (window[i / 2] - 1) * dilations[i / 2];
    if (pads[i] < 0 || pads[i] > extent)
      return op->emitOpError()
             << names[i] << " pad must be in [0, " << extent
             << "] (the window's extent minus one), got " << pads[i];
  }
  SmallVector<int64_t> shape = {input.getDimSize(0), 0, 0, channels};
  for (int d = 0; d < 2; ++d) {
    shape[1 + d] =
        windowOutputSize(input.getDimSize(1 + d), window[d], strides[d],
                         dilations[d], pads[2 * d], pads[2 * d + 1]);
    if (shape[1 + d] < 1)
      return op->emitOpError()
             << "window of " << window[d] << " (dilation " << dilations[d]
             << ") does not fit the padded " << (d == 0 ? "height" : "width")
             << " of input " << input;
  }
  return RankedTensorType::get(shape, input.getElementType());
}

/// The result type of mlc.conv of `input` with `kernel` (HWIO).
FailureOr<RankedTensorType>
convResultType(Operation *op, RankedTensorType input, RankedTensorType kernel,
               ArrayRef<int64_t> strides, ArrayRef<int64_t> dilations,
               ArrayRef<int64_t> pads) {
  if (failed(checkNHWC(op, "input", input)))
    return failure();
  if (kernel.getRank() != 4 || !kernel.hasStaticShape())
    return op->emitOpError()
           << "kernel must be static (height, width, in_channels, "
              "out_channels), got "
           << kernel;
  if (kernel.getDimSize(2) != input.getDimSize(3))
    return op->emitOpError()
           << "kernel " << kernel << " takes " << kernel.getDimSize(2)
           << " input channels, but input " << input << " has "
           << input.getDimSize(3);
  if (kernel.getElementType() != input.getElementType())
    return op->emitOpError() << "input " << input << " and kernel " << kernel
                             << " must have the same element type";
  return windowResultType(op, input, kernel.getShape().take_front(2), strides,
                          dilations, pads, kernel.getDimSize(3));
}

/// The result type of mlc.depthwise_conv of `input` with `kernel`
/// [kh, kw, C, M]: C * M channels.
FailureOr<RankedTensorType>
depthwiseResultType(Operation *op, RankedTensorType input,
                    RankedTensorType kernel, ArrayRef<int64_t> strides,
                    ArrayRef<int64_t> dilations, ArrayRef<int64_t> pads) {
  if (failed(checkNHWC(op, "input", input)))
    return failure();
  if (kernel.getRank() != 4 || !kernel.hasStaticShape())
    return op->emitOpError()
           << "kernel must be static (height, width, channels, "
              "depth_multiplier), got "
           << kernel;
  if (kernel.getDimSize(2) != input.getDimSize(3))
    return op->emitOpError() << "kernel " << kernel << " is for "
                             << kernel.getDimSize(2) << " channels, but input "
                             << input << " has " << input.getDimSize(3);
  if (kernel.getElementType() != input.getElementType())
    return op->emitOpError() << "input " << input << " and kernel " << kernel
                             << " must have the same element type";
  return windowResultType(op, input, kernel.getShape().take_front(2), strides,
                          dilations, pads,
                          kernel.getDimSize(2) * kernel.getDimSize(3));
}

FailureOr<RankedTensorType>
poolResultType(Operation *op, RankedTensorType input, ArrayRef<int64_t> window,
               ArrayRef<int64_t> strides, ArrayRef<int64_t> pads) {
  if (failed(checkNHWC(op, "input", input)) ||
      failed(checkPositive(op, "window", window, 2)))
    return failure();
  int64_t ones[] = {1, 1};
  if (failed(checkPositive(op, "strides", strides, 2)))
    return failure();
  // A pad as wide as the window would make windows of padding only.
  for (int i = 0; i < 4 && pads.size() == 4; ++i)
    if (pads[i] >= window[i / 2])
      return op->emitOpError()
             << "pads must be smaller than the window, got " << pads[i]
             << " for a window of " << window[i / 2];
  return windowResultType(op, input, window, strides, ones, pads,
                          input.getDimSize(3));
}

LogicalResult checkType(Operation *op, Type actual, Type expected,
                        StringRef what,
                        function_ref<void(InFlightDiagnostic &)> from) {
  if (actual == expected)
    return success();
  InFlightDiagnostic d = op->emitOpError();
  d << what << " has type " << actual << ", but ";
  from(d);
  return d << " gives " << expected;
}

/// Keras's padding names, checked, as explicit pads.
FailureOr<SmallVector<int64_t, 4>> layerPads(Operation *op, StringRef padding,
                                             RankedTensorType input,
                                             ArrayRef<int64_t> window,
                                             ArrayRef<int64_t> strides,
                                             ArrayRef<int64_t> dilations) {
  auto pads = kerasPads(padding, input.getShape().slice(1, 2), window, strides,
                        dilations);
  if (failed(pads))
    return op->emitOpError() << "padding must be \"valid\" or \"same\", got \""
                             << padding << "\"";
  return pads;
}

} // namespace

//===----------------------------------------------------------------------===//
// Core ops
//===----------------------------------------------------------------------===//

namespace {

using ResultTypeFn = FailureOr<RankedTensorType> (*)(
    Operation *, RankedTensorType, RankedTensorType, ArrayRef<int64_t>,
    ArrayRef<int64_t>, ArrayRef<int64_t>);

/// A convolution op (or one of its gradients): `input` convolved with
/// `kernel` by the op's attributes must give `result` (the op's result,
/// or for a gradient op the gradient operand it takes). `what` names the
/// convolution in messages.
template <typename OpTy>
LogicalResult verifyConvolution(OpTy op, ResultTypeFn resultType,
                                RankedTensorType input, RankedTensorType kernel,
                                Value result, StringRef what) {
  auto type = resultType(op, input, kernel, op.getStrides(), op.getDilations(),
                         op.getPads());
  if (failed(type))
    return failure();
  if (result == op->getResult(0))
    return checkResult(op, *type, [&](InFlightDiagnostic &d) {
      d << "input " << input << " with kernel " << kernel;
    });
  return checkType(
      op, result.getType(), *type, "grad", [&](InFlightDiagnostic &d) {
        d << "the " << what << " of " << input << " with " << kernel;
      });
}

} // namespace

LogicalResult ConvOp::verify() {
  return verifyConvolution(*this, convResultType, getInput().getType(),
                           getKernel().getType(), getResult(), "convolution");
}

LogicalResult ConvInputGradOp::verify() {
  return verifyConvolution(*this, convResultType, getType(),
                           getKernel().getType(), getGrad(), "convolution");
}

LogicalResult ConvFilterGradOp::verify() {
  return verifyConvolution(*this, convResultType, getInput().getType(),
                           getType(), getGrad(), "convolution");
}

LogicalResult DepthwiseConvOp::verify() {
  return verifyConvolution(*this, depthwiseResultType, getInput().getType(),
                           getKernel().getType(), getResult(),
                           "depthwise convolution");
}

LogicalResult DepthwiseConvInputGradOp::verify() {
  return verifyConvolution(*this, depthwiseResultType, getType(),
                           getKernel().getType(), getGrad(),
                           "depthwise convolution");
}

LogicalResult DepthwiseConvFilterGradOp::verify() {
  return verifyConvolution(*this, depthwiseResultType, getInput().getType(),
                           getType(), getGrad(), "depthwise convolution");
}

LogicalResult MaxPoolOp::verify() {
  auto type = poolResultType(*this, getInput().getType(), getWindow(),
                             getStrides(), getPads());
  if (failed(type))
    return failure();
  return checkResult(*this, *type, [&](InFlightDiagnostic &d) {
    d << "pooling input " << getInput().getType();
  });
}

LogicalResult AvgPoolOp::verify() {
  auto type = poolResultType(*this, getInput().getType(), getWindow(),
                             getStrides(), getPads());
  if (failed(type))
    return failure();
  return checkResult(*this, *type, [&](InFlightDiagnostic &d) {
    d << "pooling input " << getInput().getType();
  });
}

LogicalResult MaxPoolGradOp::verify() {
  if (getType() != getInput().getType())
    return emitOpError() << "result must have the input's type "
                         << getInput().getType() << ", got " << getType();
  auto type = poolResultType(*this, getInput().getType(), getWindow(),
                             getStrides(), getPads());
  if (failed(type))
    return failure();
  return checkType(
      *this, getGrad().getType(), *type, "grad",
      [&](InFlightDiagnostic &d) { d << "pooling " << getInput().getType(); });
}

LogicalResult AvgPoolGradOp::verify() {
  auto type =
      poolResultType(*this, getType(), getWindow(), getStrides(), getPads());
  if (failed(type))
    return failure();
  return checkType(
      *this, getGrad().getType(), *type, "grad",
      [&](InFlightDiagnostic &d) { d << "pooling " << getType(); });
}

//===----------------------------------------------------------------------===//
// Layers
//===----------------------------------------------------------------------===//

LogicalResult Conv2DOp::verify() {
  RankedTensorType in = getInput().getType();
  if (failed(checkNHWC(*this, "input", in)) ||
      failed(checkPositive(*this, "kernel_size", getKernelSize(), 2)) ||
      failed(checkPositive(*this, "strides", getStrides(), 2)) ||
      failed(checkPositive(*this, "dilation_rate", getDilationRate(), 2)))
    return failure();
  auto pads = layerPads(*this, getPadding(), in, getKernelSize(), getStrides(),
                        getDilationRate());
  if (failed(pads))
    return failure();
  auto type = windowResultType(*this, in, getKernelSize(), getStrides(),
                               getDilationRate(), *pads, getFilters());
  if (failed(type))
    return failure();
  return checkResult(*this, *type, [&](InFlightDiagnostic &d) {
    d << "input " << in << " with filters = " << getFilters();
  });
}

LogicalResult DepthwiseConv2DOp::verify() {
  RankedTensorType in = getInput().getType();
  if (getDepthMultiplier() < 1)
    return emitOpError() << "depth_multiplier must be positive, got "
                         << getDepthMultiplier();
  if (failed(checkNHWC(*this, "input", in)) ||
      failed(checkPositive(*this, "kernel_size", getKernelSize(), 2)) ||
      failed(checkPositive(*this, "strides", getStrides(), 2)) ||
      failed(checkPositive(*this, "dilation_rate", getDilationRate(), 2)))
    return failure();
  auto pads = layerPads(*this, getPadding(), in, getKernelSize(), getStrides(),
                        getDilationRate());
  if (failed(pads))
    return failure();
  auto type = windowResultType(*this, in, getKernelSize(), getStrides(),
                               getDilationRate(), *pads,
                               in.getDimSize(3) * getDepthMultiplier());
  if (failed(type))
    return failure();
  return checkResult(*this, *type, [&](InFlightDiagnostic &d) {
    d << "input " << in << " with depth_multiplier = " << getDepthMultiplier();
  });
}

/// The pooling layers' strides: Keras's default is the pool size.
template <typename OpTy> static SmallVector<int64_t> poolStrides(OpTy op) {
  if (std::optional<ArrayRef<int64_t>> s = op.getStrides())
    return llvm::to_vector(*s);
  return llvm::to_vector(op.getPoolSize());
}

template <typename OpTy> static LogicalResult verifyPoolLayer(OpTy op) {
  RankedTensorType in = op.getInput().getType();
  SmallVector<int64_t> strides = poolStrides(op);
  if (failed(checkNHWC(op, "input", in)) ||
      failed(checkPositive(op, "pool_size", op.getPoolSize(), 2)) ||
      failed(checkPositive(op, "strides", strides, 2)))
    return failure();
  int64_t ones[] = {1, 1};
  auto pads =
      layerPads(op, op.getPadding(), in, op.getPoolSize(), strides, ones);
  if (failed(pads))
    return failure();
  auto type = poolResultType(op, in, op.getPoolSize(), strides, *pads);
  if (failed(type))
    return failure();
  return checkResult(
      op, *type, [&](InFlightDiagnostic &d) { d << "pooling input " << in; });
}

LogicalResult MaxPool2DOp::verify() { return verifyPoolLayer(*this); }
LogicalResult AvgPool2DOp::verify() { return verifyPoolLayer(*this); }

LogicalResult GlobalAvgPool2DOp::verify() {
  RankedTensorType in = getInput().getType();
  if (in.getRank() != 4)
    return emitOpError() << "input must be (batch, height, width, channels), "
                            "got "
                         << in;
  SmallVector<int64_t> shape = {in.getDimSize(0), in.getDimSize(3)};
  if (getKeepdims())
    shape = {in.getDimSize(0), 1, 1, in.getDimSize(3)};
  return checkResult(
      *this, RankedTensorType::get(shape, in.getElementType()),
      [&](InFlightDiagnostic &d) { d << "averaging input " << in; });
}
