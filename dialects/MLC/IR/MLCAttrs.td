//===- MLCAttrs.td - mlc attributes and enums --------------*- tablegen -*-===//

#ifndef MLC_ATTRS_TD
#define MLC_ATTRS_TD

include "dialects/MLC/IR/MLCDialect.td"
include "mlir/IR/EnumAttr.td"

// A double printed in its shortest form that parses back to the same value
// (`0.95`, `1.0e-07`), instead of the 17-digit or %e forms.
class MLC_F64Param<string desc = "">
    : AttrParameter<"double", desc> {
  let printer = "$_printer << ::mlc::formatDouble($_self)";
}
class MLC_DefaultF64<string value, string desc = "">
    : DefaultValuedParameter<"double", value, desc> {
  let printer = "$_printer << ::mlc::formatDouble($_self)";
}

//===----------------------------------------------------------------------===//
// Enums
//===----------------------------------------------------------------------===//

def MLC_Activation : I32EnumAttr<"Activation", "activation function", [
    I32EnumAttrCase<"linear", 0>,
    I32EnumAttrCase<"relu", 1>,
    I32EnumAttrCase<"sigmoid", 2>,
    I32EnumAttrCase<"tanh", 3>,
    I32EnumAttrCase<"softmax", 4>,
    I32EnumAttrCase<"log_softmax", 5>,
    I32EnumAttrCase<"gelu", 6>]> {
  let cppNamespace = "::mlc";
  let genSpecializedAttr = 0;
}

def MLC_ActivationAttr : EnumAttr<MLC_Dialect, MLC_Activation, "act"> {
  let summary = "Activation function of a layer";
  let assemblyFormat = "`<` $value `>`";
}

def MLC_LossKind : I32EnumAttr<"LossKind", "loss function", [
    I32EnumAttrCase<"mse", 0>,
    I32EnumAttrCase<"categorical_crossentropy", 1>,
    I32EnumAttrCase<"sparse_categorical_crossentropy", 2>,
    I32EnumAttrCase<"binary_crossentropy", 3>]> {
  let cppNamespace = "::mlc";
  let genSpecializedAttr = 0;
}

def MLC_LossAttr : MLC_Attr<"Loss", "loss"> {
  let summary = "Training loss of a model";
  let description = [{
    The loss the training step minimizes, averaged over the batch:
    `#mlc.loss<sparse_categorical_crossentropy>` or
    `#mlc.loss<categorical_crossentropy, from_logits = true>`. With
    `from_logits = false` (the default) the model output is taken to be
    probabilities (softmax or sigmoid already applied), as in Keras; a
    softmax or sigmoid output's loss is then computed from its logits.
    `from_logits = true` on such an output is an error (the model
    verifier's): it would apply the activation twice. The formulas are in
    docs/losses.md.
  }];
  let parameters = (ins EnumParameter<MLC_LossKind>:$kind,
                        DefaultValuedParameter<"bool", "false">:$from_logits);
  let assemblyFormat = "`<` $kind (`,` `from_logits` `=` $from_logits^)? `>`";
}

//===----------------------------------------------------------------------===//
// Initializers
//===----------------------------------------------------------------------===//

def MLC_InitializerAttrInterface : AttrInterface<"InitializerAttrInterface"> {
  let cppNamespace = "::mlc";
  let description = [{
    An attribute that says how to fill a parameter before training. It
    reduces to one of four distributions for a given parameter shape (see
    `InitSpec`), which is all `init(seed)` code generation needs.
  }];
  let methods = [
    InterfaceMethod<
      "Returns the distribution for a parameter of the given static shape.",
      "::mlc::InitSpec", "getSpec", (ins "::llvm::ArrayRef<int64_t>":$shape)>
  ];
}

class MLC_InitAttr<string name, string attrMnemonic>
    : MLC_Attr<name, attrMnemonic,
               [DeclareAttrInterfaceMethods<MLC_InitializerAttrInterface>]>;

def MLC_ZerosAttr : MLC_InitAttr<"Zeros", "zeros"> {
  let summary = "Fills with 0";
}
def MLC_OnesAttr : MLC_InitAttr<"Ones", "ones"> {
  let summary = "Fills with 1";
}
def MLC_ConstantInitAttr : MLC_InitAttr<"ConstantInit", "constant"> {
  let summary = "Fills with one value: `#mlc.constant<0.5>`";
  let parameters = (ins MLC_F64Param<>:$value);
  let assemblyFormat = "`<` $value `>`";
}
def MLC_UniformAttr : MLC_InitAttr<"Uniform", "uniform"> {
  let summary = "Uniform in [minval, maxval) (Keras RandomUniform)";
  let parameters = (ins MLC_DefaultF64<"-0.05">:$minval,
                        MLC_DefaultF64<"0.05">:$maxval);
  let assemblyFormat = "(`<` struct(params)^ `>`)?";
  let genVerifyDecl = 1;
}
def MLC_NormalAttr : MLC_InitAttr<"Normal", "normal"> {
  let summary = "Normal(mean, stddev) (Keras RandomNormal)";
  let parameters = (ins MLC_DefaultF64<"0.0">:$mean,
                        MLC_DefaultF64<"0.05">:$stddev);
  let assemblyFormat = "(`<` struct(params)^ `>`)?";
  let genVerifyDecl = 1;
}
def MLC_GlorotUniformAttr : MLC_InitAttr<"GlorotUniform", "glorot_uniform"> {
  let summary = "Uniform in ±sqrt(6 / (fan_in + fan_out)) (Keras default for kernels)";
}
def MLC_GlorotNormalAttr : MLC_InitAttr<"GlorotNormal", "glorot_normal"> {
  let summary = "Truncated normal, stddev sqrt(2 / (fan_in + fan_out))";
}
def MLC_HeUniformAttr : MLC_InitAttr<"HeUniform", "he_uniform"> {
  let summary = "Uniform in ±sqrt(6 / fan_in)";
}
def MLC_HeNormalAttr : MLC_InitAttr<"HeNormal", "he_normal"> {
  let summary = "Truncated normal, stddev sqrt(2 / fan_in)";
}
def MLC_OrthogonalAttr : MLC_InitAttr<"Orthogonal", "orthogonal"> {
  let summary = "Random orthogonal matrix times `gain` (Keras Orthogonal; LSTM recurrent kernels)";
  let description = [{
    The parameter as a matrix (all dims but the last as rows): normal
    draws, orthonormalized (its columns, or its rows when it has fewer
    rows than columns) as Keras's QR with a positive-diagonal R does.
  }];
  let parameters = (ins MLC_DefaultF64<"1.0">:$gain);
  let assemblyFormat = "(`<` struct(params)^ `>`)?";
}
def MLC_UnitForgetBiasAttr : MLC_InitAttr<"UnitForgetBias", "unit_forget_bias"> {
  let summary = "Zeros with ones for the forget gate (Keras LSTM unit_forget_bias)";
  let description = [{
    For an LSTM bias of `4 * units` in gate order `i, f, c, o`: 1 for the
    `f` quarter, 0 elsewhere.
  }];
}

//===----------------------------------------------------------------------===//
// Optimizers
//===----------------------------------------------------------------------===//

def MLC_OptimizerAttrInterface : AttrInterface<"OptimizerAttrInterface"> {
  let cppNamespace = "::mlc";
  let description = [{
    An optimizer and its hyperparameters, which knows everything about
    itself: its name and Keras's defaults (the attribute's parameters and
    their default values), the state it keeps per parameter, and the
    update it applies. `mlc-build-entry-points` threads the state through
    `train_step`, `mlc-optimizer` asks for the update, and the driver for
    the step-size arguments. Adding an optimizer is adding an attribute
    that implements this interface (MLCAttrs.td and MLCOptimizers.cpp).
  }];
  let methods = [
    InterfaceMethod<"Returns the name `--optimizer` takes (the mnemonic).",
                    "::llvm::StringRef", "getName", (ins), [{}],
                    [{ return $_attr.getMnemonic(); }]>,
    InterfaceMethod<"Returns the base learning rate.", "double",
                    "getLearningRate">,
    InterfaceMethod<"Returns a copy with another learning rate.",
                    "::mlir::Attribute", "withLearningRate",
                    (ins "double":$learningRate)>,
    InterfaceMethod<[{
        Returns the names of the state slots kept per parameter, e.g.
        {"m", "v"} for Adam; checkpoints name a state `<param>.<slot>`.
      }], "::llvm::SmallVector<::llvm::StringRef>", "getStateNames">,
    InterfaceMethod<[{
        Returns the betas of Adam's bias correction when the step size the
        caller passes is `lr * sqrt(1 - beta_2^t) / (1 - beta_1^t)`, or
        nothing when it is the learning rate itself.
      }], "::std::optional<std::pair<double, double>>", "getBiasCorrection",
      (ins), [{}], [{ return std::nullopt; }]>,
    InterfaceMethod<[{
        Builds, at the builder's insertion point, the update of one scalar
        element: from the gradient `grad`, this step's learning rate `lr`
        and step size `stepSize` (scalars), the parameter `param` and its
        `states` (in getStateNames' order), returns the new parameter and
        the new states, in that order.
      }], "::llvm::SmallVector<::mlir::Value>", "buildUpdate",
      (ins "::mlir::OpBuilder &":$builder, "::mlir::Location":$loc,
           "::mlir::Value":$grad, "::mlir::Value":$lr,
           "::mlir::Value":$stepSize, "::mlir::Value":$param,
           "::mlir::ValueRange":$states)>,
  ];
}

// The interface methods every optimizer implements (MLCOptimizers.cpp).
defvar MLC_OptimizerMethods = [{
  ::mlir::Attribute withLearningRate(double learningRate) const;
  ::llvm::SmallVector<::llvm::StringRef> getStateNames() const;
  ::llvm::SmallVector<::mlir::Value>
  buildUpdate(::mlir::OpBuilder &builder, ::mlir::Location loc,
              ::mlir::Value grad, ::mlir::Value lr, ::mlir::Value stepSize,
              ::mlir::Value param, ::mlir::ValueRange states) const;
}];

class MLC_OptimizerAttr<string name, string attrMnemonic>
    : MLC_Attr<name, attrMnemonic, [MLC_OptimizerAttrInterface]> {
  let assemblyFormat = "(`<` struct(params)^ `>`)?";
  let extraClassDeclaration = MLC_OptimizerMethods;
  let genVerifyDecl = 1;
}

// Adam's step size is bias-corrected.
defvar MLC_BiasCorrectedMethods = MLC_OptimizerMethods # [{
  ::std::optional<std::pair<double, double>> getBiasCorrection() const {
    return std::make_pair(double(getBeta_1()), double(getBeta_2()));
  }
}];

def MLC_SGDAttr : MLC_OptimizerAttr<"SGD", "sgd"> {
  let summary = "Stochastic gradient descent, optionally with (Nesterov) momentum";
  let description = [{
    `#mlc.sgd<learning_rate = 0.01, momentum = 0.9, nesterov = true>`.
    Full-batch and mini-batch gradient descent are the same update with a
    different batch size.
  }];
  let parameters = (ins MLC_DefaultF64<"0.01">:$learning_rate,
                        MLC_DefaultF64<"0.0">:$momentum,
                        DefaultValuedParameter<"bool", "false">:$nesterov);
}

def MLC_AdamAttr : MLC_OptimizerAttr<"Adam", "adam"> {
  let summary = "Adam with bias correction";
  let description = [{
    `#mlc.adam<learning_rate = 1.0e-3, beta_1 = 0.9, beta_2 = 0.999,
    epsilon = 1.0e-7>` (these are the defaults).
  }];
  let parameters = (ins MLC_DefaultF64<"0.001">:$learning_rate,
                        MLC_DefaultF64<"0.9">:$beta_1,
                        MLC_DefaultF64<"0.999">:$beta_2,
                        MLC_DefaultF64<"1e-7">:$epsilon);
  let extraClassDeclaration = MLC_BiasCorrectedMethods;
}

def MLC_AdamWAttr : MLC_OptimizerAttr<"AdamW", "adamw"> {
  let summary = "Adam with decoupled weight decay";
  let parameters = (ins MLC_DefaultF64<"0.001">:$learning_rate,
                        MLC_DefaultF64<"0.004">:$weight_decay,
                        MLC_DefaultF64<"0.9">:$beta_1,
                        MLC_DefaultF64<"0.999">:$beta_2,
                        MLC_DefaultF64<"1e-7">:$epsilon);
  let extraClassDeclaration = MLC_BiasCorrectedMethods;
}

def MLC_RMSpropAttr : MLC_OptimizerAttr<"RMSprop", "rmsprop"> {
  let summary = "RMSprop";
  let parameters = (ins MLC_DefaultF64<"0.001">:$learning_rate,
                        MLC_DefaultF64<"0.9">:$rho,
                        MLC_DefaultF64<"0.0">:$momentum,
                        MLC_DefaultF64<"1e-7">:$epsilon,
                        DefaultValuedParameter<"bool", "false">:$centered);
}

//===----------------------------------------------------------------------===//
// Learning-rate schedules
//===----------------------------------------------------------------------===//

def MLC_LRScheduleAttrInterface : AttrInterface<"LRScheduleAttrInterface"> {
  let cppNamespace = "::mlc";
  let description = [{
    A learning-rate schedule (Keras's `keras.optimizers.schedules`): the
    rate of each step as a function of the step count, starting from the
    optimizer's learning rate. The compiled `train_step` takes the rate as
    an argument; the runtime computes it from the spec.
  }];
  let methods = [
    InterfaceMethod<"Returns the schedule's formula and constants.",
                    "::mlc::LRScheduleSpec", "getSpec">,
  ];
}

class MLC_LRScheduleAttr<string name, string attrMnemonic>
    : MLC_Attr<name, attrMnemonic, [MLC_LRScheduleAttrInterface]> {
  let assemblyFormat = "`<` struct(params) `>`";
  let extraClassDeclaration = [{
    ::mlc::LRScheduleSpec getSpec() const;
  }];
  let genVerifyDecl = 1;
}

def MLC_ExponentialDecayAttr
    : MLC_LRScheduleAttr<"ExponentialDecay", "exponential_decay"> {
  let summary = "Keras ExponentialDecay";
  let description = [{
    `#mlc.exponential_decay<decay_steps = 1000, decay_rate = 0.96,
    staircase = true>`: the rate is `lr * decay_rate ^ (step / decay_steps)`,
    the exponent floored with `staircase`.
  }];
  let parameters = (ins "int64_t":$decay_steps, MLC_F64Param<>:$decay_rate,
                        DefaultValuedParameter<"bool", "false">:$staircase);
}

def MLC_CosineDecayAttr : MLC_LRScheduleAttr<"CosineDecay", "cosine_decay"> {
  let summary = "Keras CosineDecay, with its optional linear warm-up";
  let description = [{
    `#mlc.cosine_decay<decay_steps = 10000, alpha = 0.0, warmup_steps = 0,
    warmup_target = 0.0>`. Without warm-up the rate falls from `lr` along a
    half cosine to `alpha * lr` at `decay_steps` and stays there. With
    `warmup_steps > 0` it first rises linearly from `lr` to
    `warmup_target`, then falls from `warmup_target` over `decay_steps`
    more steps to `alpha * warmup_target`.
  }];
  let parameters = (ins "int64_t":$decay_steps,
                        MLC_DefaultF64<"0.0">:$alpha,
                        DefaultValuedParameter<"int64_t", "0">:$warmup_steps,
                        MLC_DefaultF64<"0.0">:$warmup_target);
}

#endif // MLC_ATTRS_TD
