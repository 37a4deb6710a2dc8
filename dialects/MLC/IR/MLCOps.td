//===- MLCOps.td - mlc operations --------------------------*- tablegen -*-===//

#ifndef MLC_OPS_TD
#define MLC_OPS_TD

include "dialects/MLC/IR/MLCAttrs.td"
include "dialects/MLC/IR/MLCInterfaces.td"
include "mlir/Interfaces/InferTypeOpInterface.td"
include "mlir/IR/SymbolInterfaces.td"
include "mlir/IR/BuiltinAttributeInterfaces.td"
include "mlir/Interfaces/SideEffectInterfaces.td"
include "mlir/Interfaces/ControlFlowInterfaces.td"

def MLC_FloatTensor : RankedTensorOf<[AnyFloat]>;
def MLC_IntTensor : RankedTensorOf<[AnySignlessInteger]>;
def MLC_AnyTensor : RankedTensorOf<[AnyFloat, AnySignlessInteger]>;

//===----------------------------------------------------------------------===//
// Model structure
//===----------------------------------------------------------------------===//

def MLC_ModelOp : MLC_Op<"model", [Symbol, SymbolTable, IsolatedFromAbove,
                                   SingleBlock, NoRegionArguments]> {
  let summary = "A neural-network model";
  let description = [{
    A model is a symbol table holding its inputs, named parameters, and a
    graph of tensor ops that ends in `mlc.output`. The loss, optimizer and
    learning-rate schedule (`lr_schedule`, e.g. `#mlc.cosine_decay<...>`;
    constant without one) used by `mlc train` are optional attributes (the
    command line can supply or override them). `precision = "bf16"` asks
    for bf16 matmuls with f32 sums and f32 parameters, as `--precision=bf16`
    does (the flag overrides it); `"f32"` is the default.

    ```mlir
    mlc.model @mnist_mlp {
      %x = mlc.input "image" : tensor<?x28x28xf32>
      %f = mlc.flatten %x : tensor<?x28x28xf32> -> tensor<?x784xf32>
      %y = mlc.dense %f {units = 10, activation = #mlc.act<softmax>}
          : tensor<?x784xf32> -> tensor<?x10xf32>
      mlc.output %y : tensor<?x10xf32>
    } {loss = #mlc.loss<sparse_categorical_crossentropy>,
       optimizer = #mlc.adam<learning_rate = 1.0e-3>}
    ```
  }];
  let arguments = (ins SymbolNameAttr:$sym_name,
                       OptionalAttr<MLC_LossAttr>:$loss,
                       OptionalAttr<MLC_OptimizerAttrInterface>:$optimizer,
                       OptionalAttr<MLC_LRScheduleAttrInterface>:$lr_schedule,
                       OptionalAttr<StrAttr>:$precision);
  let regions = (region SizedRegion<1>:$body);
  let assemblyFormat = "$sym_name $body attr-dict";
  let hasVerifier = 1;
  let hasRegionVerifier = 1;
  let extraClassDeclaration = [{
    /// The terminator of the body.
    OutputOp getOutputOp();
    /// Inputs and params, in the order they appear.
    ::llvm::SmallVector<InputOp, 4> getInputOps();
    ::llvm::SmallVector<ParamOp, 8> getParamOps();
    /// Number of scalars in all parameters.
    int64_t getNumParamElements();
  }];
}

def MLC_InputOp : MLC_Op<"input", [HasParent<"ModelOp">]> {
  let summary = "A named model input";
  let description = [{
    `%x = mlc.input "image" : tensor<?x28x28xf32>` declares an input fed by
    the caller. Its leading dimension is the batch; any dimension may be
    dynamic (`tensor<?x?xi32>`: batch and sequence length), and dynamic
    dimensions at the same position of all entry-point buffers have the
    same size in a call.
  }];
  let arguments = (ins StrAttr:$name);
  let results = (outs MLC_AnyTensor:$result);
  let assemblyFormat = "$name attr-dict `:` type($result)";
  let hasVerifier = 1;
}

def MLC_ParamOp : MLC_Op<"param", [Symbol, HasParent<"ModelOp">]> {
  let summary = "A named, trained parameter";
  let description = [{
    `mlc.param @dense.kernel : tensor<784x128xf32> = #mlc.glorot_uniform`
    declares a parameter with a static type and an initializer. The graph
    reads it with `mlc.param_ref`. With `{trainable = false}` (batch
    normalization's moving statistics, a dropout's random state) the
    optimizer leaves it alone; the graph sets its next value with
    `mlc.assign`. Checkpoints and the C API hold both kinds, as Keras's
    `model.weights` does.
  }];
  let arguments = (ins SymbolNameAttr:$sym_name,
                       TypeAttrOf<MLC_FloatTensor>:$type,
                       MLC_InitializerAttrInterface:$init,
                       DefaultValuedAttr<BoolAttr, "true">:$trainable);
  let assemblyFormat = "$sym_name `:` $type `=` $init attr-dict";
  let hasVerifier = 1;
  let extraClassDeclaration = [{
    ::mlir::RankedTensorType getTensorType() {
      return ::llvm::cast<::mlir::RankedTensorType>(getType());
    }
  }];
}

def MLC_ParamRefOp : MLC_Op<"param_ref",
    [Pure, DeclareOpInterfaceMethods<SymbolUserOpInterface>]> {
  let summary = "Reads a parameter inside the model graph";
  let description = [{
    `%w = mlc.param_ref @dense.kernel : tensor<784x128xf32>`. The result type
    must be the param's type.
  }];
  let arguments = (ins FlatSymbolRefAttr:$param);
  let results = (outs MLC_FloatTensor:$result);
  let assemblyFormat = "$param attr-dict `:` type($result)";
}

def MLC_AssignOp : MLC_Op<"assign", [HasParent<"ModelOp">,
    DeclareOpInterfaceMethods<SymbolUserOpInterface>]> {
  let summary = "The value a non-trainable param takes after a train step";
  let description = [{
    `mlc.assign @bn.moving_mean, %m : tensor<32xf32>`: `train_step` writes
    `%m` into the param once the step is done (reads in the step see the
    old value); `predict` and `eval_step` ignore it. The param must be
    non-trainable, of the value's type, and assigned once.
  }];
  let arguments = (ins FlatSymbolRefAttr:$param, MLC_FloatTensor:$value);
  let assemblyFormat = "$param `,` $value attr-dict `:` type($value)";
}

def MLC_OutputOp : MLC_Op<"output", [Terminator, HasParent<"ModelOp">, Pure,
                                     ReturnLike]> {
  let summary = "The model's outputs (predictions)";
  let arguments = (ins Variadic<MLC_AnyTensor>:$outputs);
  let assemblyFormat = "attr-dict ($outputs^ `:` type($outputs))?";
  let hasVerifier = 1;
}

//===----------------------------------------------------------------------===//
// Layers (sugar expanded by mlc-materialize-params)
//===----------------------------------------------------------------------===//

def MLC_DenseOp : MLC_Op<"dense"> {
  let summary = "Fully connected layer: activation(x · kernel + bias)";
  let description = [{
    Keras `Dense`. The input is `(batch, features)`, or `(batch, ...,
    features)` (the kernel applies to the last axis, as Keras's does); the
    result has `units` in place of `features`. `mlc-materialize-params` creates `<name>.kernel`
    (`features x units`) and `<name>.bias` (`units`) params. Without `name`,
    layers are named like Keras: `dense`, `dense_1`, `dense_2`, ...
    Initializers default to Glorot uniform (kernel) and zeros (bias).
  }];
  let arguments = (ins
      MLC_FloatTensor:$input,
      ConfinedAttr<I64Attr, [IntPositive]>:$units,
      DefaultValuedAttr<MLC_ActivationAttr, "::mlc::Activation::linear">:$activation,
      DefaultValuedAttr<BoolAttr, "true">:$use_bias,
      OptionalAttr<StrAttr>:$name,
      OptionalAttr<MLC_InitializerAttrInterface>:$kernel_initializer,
      OptionalAttr<MLC_InitializerAttrInterface>:$bias_initializer);
  let results = (outs MLC_FloatTensor:$result);
  let assemblyFormat =
      "$input attr-dict `:` type($input) `->` type($result)";
  let hasVerifier = 1;
}

def MLC_FlattenOp : MLC_Op<"flatten", [Pure]> {
  let summary = "Flattens all but the batch dimension";
  let arguments = (ins MLC_AnyTensor:$input);
  let results = (outs MLC_AnyTensor:$result);
  let assemblyFormat =
      "$input attr-dict `:` type($input) `->` type($result)";
  let hasVerifier = 1;
  let hasFolder = 1;
  let builders = [OpBuilder<(ins "::mlir::Value":$input)>];
}

def MLC_Conv2DOp : MLC_Op<"conv2d"> {
  let summary = "2-D convolution layer: activation(conv(x, kernel) + bias)";
  let description = [{
    Keras `Conv2D` on NHWC tensors (`channels_last`). The input is
    `(batch, height, width, channels)` with static height, width and
    channels; the result is `(batch, out_height, out_width, filters)`.
    `padding` is `"valid"` (none) or `"same"` (TensorFlow's: the output
    has `ceil(in / stride)` rows, the zero padding split with the extra
    row at the bottom and the extra column at the right).
    `mlc-materialize-params` creates `<name>.kernel` (`kh x kw x channels x
    filters`, Glorot uniform with Keras's fans) and `<name>.bias`
    (`filters`, zeros) and expands the layer into `mlc.conv`. Unnamed
    layers are named `conv2d`, `conv2d_1`, ...

    ```mlir
    %y = mlc.conv2d %x {filters = 32, kernel_size = array<i64: 3, 3>,
                        activation = #mlc.act<relu>}
        : tensor<?x28x28x1xf32> -> tensor<?x26x26x32xf32>
    ```
  }];
  let arguments = (ins
      MLC_FloatTensor:$input,
      ConfinedAttr<I64Attr, [IntPositive]>:$filters,
      DenseI64ArrayAttr:$kernel_size,
      DefaultValuedAttr<DenseI64ArrayAttr, "{1, 1}">:$strides,
      DefaultValuedAttr<StrAttr, "\"valid\"">:$padding,
      DefaultValuedAttr<DenseI64ArrayAttr, "{1, 1}">:$dilation_rate,
      DefaultValuedAttr<MLC_ActivationAttr, "::mlc::Activation::linear">:$activation,
      DefaultValuedAttr<BoolAttr, "true">:$use_bias,
      OptionalAttr<StrAttr>:$name,
      OptionalAttr<MLC_InitializerAttrInterface>:$kernel_initializer,
      OptionalAttr<MLC_InitializerAttrInterface>:$bias_initializer);
  let results = (outs MLC_FloatTensor:$result);
  let assemblyFormat =
      "$input attr-dict `:` type($input) `->` type($result)";
  let hasVerifier = 1;
}

def MLC_DepthwiseConv2DOp : MLC_Op<"depthwise_conv2d"> {
  let summary = "Depthwise 2-D convolution layer";
  let description = [{
    Keras `DepthwiseConv2D`: each input channel is convolved with its own
    `depth_multiplier` filters; output channel `c * depth_multiplier + m`
    is filter `m` of channel `c`. Params `<name>.depthwise_kernel` (`kh x kw
    x channels x depth_multiplier`, Glorot uniform) and `<name>.bias`
    (zeros); unnamed layers are `depthwise_conv2d`, `depthwise_conv2d_1`,
    ... Padding, strides and dilation as `mlc.conv2d`.
  }];
  let arguments = (ins
      MLC_FloatTensor:$input,
      DenseI64ArrayAttr:$kernel_size,
      DefaultValuedAttr<I64Attr, "1">:$depth_multiplier,
      DefaultValuedAttr<DenseI64ArrayAttr, "{1, 1}">:$strides,
      DefaultValuedAttr<StrAttr, "\"valid\"">:$padding,
      DefaultValuedAttr<DenseI64ArrayAttr, "{1, 1}">:$dilation_rate,
      DefaultValuedAttr<MLC_ActivationAttr, "::mlc::Activation::linear">:$activation,
      DefaultValuedAttr<BoolAttr, "true">:$use_bias,
      OptionalAttr<StrAttr>:$name,
      OptionalAttr<MLC_InitializerAttrInterface>:$depthwise_initializer,
      OptionalAttr<MLC_InitializerAttrInterface>:$bias_initializer);
  let results = (outs MLC_FloatTensor:$result);
  let assemblyFormat =
      "$input attr-dict `:` type($input) `->` type($result)";
  let hasVerifier = 1;
}

class MLC_Pool2DLayerOp<string mnemonic, string what, string core>
    : MLC_Op<mnemonic> {
  let summary = what # " pooling layer";
  let description = [{
    Keras `}] # what # [{Pooling2D` on NHWC tensors: windows of
    `pool_size`, moved by `strides` (default: `pool_size`), with
    `padding` `"valid"` or `"same"` as TensorFlow pads. Expanded by
    `mlc-materialize-params` into `mlc.}] # core # [{` with explicit pads.
  }];
  let arguments = (ins
      MLC_FloatTensor:$input,
      DefaultValuedAttr<DenseI64ArrayAttr, "{2, 2}">:$pool_size,
      OptionalAttr<DenseI64ArrayAttr>:$strides,
      DefaultValuedAttr<StrAttr, "\"valid\"">:$padding);
  let results = (outs MLC_FloatTensor:$result);
  let assemblyFormat =
      "$input attr-dict `:` type($input) `->` type($result)";
  let hasVerifier = 1;
}

def MLC_MaxPool2DOp : MLC_Pool2DLayerOp<"max_pool2d", "Max", "max_pool">;
def MLC_AvgPool2DOp : MLC_Pool2DLayerOp<"avg_pool2d", "Average", "avg_pool">;

def MLC_GlobalAvgPool2DOp : MLC_Op<"global_avg_pool2d"> {
  let summary = "Global average pooling layer";
  let description = [{
    Keras `GlobalAveragePooling2D`: the mean over height and width of an
    NHWC tensor, `(batch, channels)`, or `(batch, 1, 1, channels)` with
    `keepdims`. Expanded into `mlc.reduce_mean`.
  }];
  let arguments = (ins MLC_FloatTensor:$input, UnitAttr:$keepdims);
  let results = (outs MLC_FloatTensor:$result);
  let assemblyFormat =
      "$input attr-dict `:` type($input) `->` type($result)";
  let hasVerifier = 1;
}

def MLC_DropoutOp : MLC_Op<"dropout", [AllTypesMatch<["input", "result"]>]> {
  let summary = "Dropout layer";
  let description = [{
    Keras `Dropout(rate)`: in `train_step`, each element is zeroed with
    probability `rate` and the others scaled by `1 / (1 - rate)`; in
    `predict` and `eval_step` the input passes unchanged. The random bits
    come from a counter-based generator keyed by the model's random state
    (`seed_generator.state`, a non-trainable param drawn from `--seed` and
    advanced once per step), the layer and the element: runs, resumed runs
    and libraries give the same masks.
  }];
  let arguments = (ins MLC_FloatTensor:$input,
                       F64Attr:$rate);
  let results = (outs MLC_FloatTensor:$result);
  let assemblyFormat = "$input attr-dict `:` type($input)";
  let hasVerifier = 1;
}

def MLC_BatchNormOp : MLC_Op<"batch_norm",
    [AllTypesMatch<["input", "result"]>]> {
  let summary = "Batch normalization layer";
  let description = [{
    Keras `BatchNormalization` over the last axis (channels): in
    `train_step` each channel is normalized with the batch's mean and
    (biased) variance and the moving statistics become `moving * momentum
    + batch * (1 - momentum)`; in `predict` and `eval_step` the moving
    statistics normalize. `y = gamma * (x - mean) / sqrt(var + epsilon) +
    beta`. Params `<name>.gamma` (ones; with `scale`), `<name>.beta`
    (zeros; with `center`), and the non-trainable `<name>.moving_mean`
    (zeros) and `<name>.moving_variance` (ones). Unnamed layers are named
    `batch_normalization`, `batch_normalization_1`, ...
  }];
  let arguments = (ins MLC_FloatTensor:$input,
                       DefaultValuedAttr<F64Attr, "0.99">:$momentum,
                       DefaultValuedAttr<F64Attr, "1.0e-3">:$epsilon,
                       DefaultValuedAttr<BoolAttr, "true">:$center,
                       DefaultValuedAttr<BoolAttr, "true">:$scale,
                       OptionalAttr<StrAttr>:$name);
  let results = (outs MLC_FloatTensor:$result);
  let assemblyFormat = "$input attr-dict `:` type($input)";
  let hasVerifier = 1;
}

def MLC_EmbeddingOp : MLC_Op<"embedding"> {
  let summary = "Embedding layer: a row of a table per integer token";
  let description = [{
    Keras `Embedding(input_dim, output_dim)`: token ids `(batch, ...)`
    (integers; batch and length may be dynamic) become rows of
    `<name>.embeddings` (`input_dim x output_dim`, uniform in [-0.05, 0.05)
    as Keras's default), `(batch, ..., output_dim)`. An id outside
    `[0, input_dim)` gives a row of zeros (TensorFlow on a CPU would stop
    with an error). Expanded into `mlc.gather`; unnamed layers are
    `embedding`, `embedding_1`, ...

    ```mlir
    %e = mlc.embedding %tokens {input_dim = 96, output_dim = 128}
        : tensor<?x?xi32> -> tensor<?x?x128xf32>
    ```
  }];
  let arguments = (ins
      MLC_IntTensor:$input,
      ConfinedAttr<I64Attr, [IntPositive]>:$input_dim,
      ConfinedAttr<I64Attr, [IntPositive]>:$output_dim,
      OptionalAttr<StrAttr>:$name,
      OptionalAttr<MLC_InitializerAttrInterface>:$embeddings_initializer);
  let results = (outs MLC_FloatTensor:$result);
  let assemblyFormat =
      "$input attr-dict `:` type($input) `->` type($result)";
  let hasVerifier = 1;
}

def MLC_LayerNormOp : MLC_Op<"layer_norm",
    [AllTypesMatch<["input", "result"]>]> {
  let summary = "Layer normalization over the last axis";
  let description = [{
    Keras `LayerNormalization` (axis -1): each row of the last axis is
    normalized by its own mean and (biased) variance, `y = (x - mean) /
    sqrt(var + epsilon) * gamma + beta`. Params `<name>.gamma` (ones; with
    `scale`) and `<name>.beta` (zeros; with `center`); unnamed layers are
    `layer_normalization`, `layer_normalization_1`, ... Expanded into core
    ops (reductions and elementwise), whose gradients autodiff derives.
  }];
  let arguments = (ins MLC_FloatTensor:$input,
                       DefaultValuedAttr<F64Attr, "1.0e-3">:$epsilon,
                       DefaultValuedAttr<BoolAttr, "true">:$center,
                       DefaultValuedAttr<BoolAttr, "true">:$scale,
                       OptionalAttr<StrAttr>:$name);
  let results = (outs MLC_FloatTensor:$result);
  let assemblyFormat = "$input attr-dict `:` type($input)";
  let hasVerifier = 1;
}

def MLC_SplitOp : MLC_Op<"split"> {
  let summary = "Splits a tensor into consecutive parts along one axis";
  let description = [{
    `%a, %b = mlc.split %x axis = 2 : tensor<?x?x8xf32> -> tensor<?x?x2xf32>,
    tensor<?x?x6xf32>`: the parts' sizes along `axis` are their types'
    (static) and add up to the input's. Sugar for one `mlc.slice` per
    part, expanded by `mlc-materialize-params`.
  }];
  let arguments = (ins MLC_AnyTensor:$input, I64Attr:$axis);
  let results = (outs Variadic<MLC_AnyTensor>:$parts);
  let assemblyFormat = "$input `axis` `=` $axis attr-dict `:` type($input) "
                       "`->` type($parts)";
  let hasVerifier = 1;
}

def MLC_MultiHeadAttentionOp : MLC_Op<"multi_head_attention"> {
  let summary = "Multi-head attention layer";
  let description = [{
    Keras `MultiHeadAttention(num_heads, key_dim)` called as
    `mha(query, value, key)` (`key` defaults to `value`) on `(batch, time,
    features)` sequences; batch and time may be dynamic. Per head `h`:
    `softmax(q_h k_h^T / sqrt(key_dim)) v_h`, with `use_causal_mask` a
    query position attending only to keys at or before it (Keras's
    lower-triangular mask, aligned at the first position); the heads' results
    are projected back to the query's width.

    Params as Keras names and shapes them: `<name>.query.kernel`
    (`features x num_heads x key_dim`), `<name>.key.kernel` (the same
    for the key's features), `<name>.value.kernel` (`features x
    num_heads x value_dim`), each with a `(num_heads, dim)` bias, and
    `<name>.attention_output.kernel` (`num_heads x value_dim x
    features`) with a `(features)` bias. Kernels are Glorot uniform with
    Keras's fans for their rank-3 shapes, biases zeros. Expanded into the
    projections (one matmul each over all rows) and `mlc.attention`.
    Unnamed layers are `multi_head_attention`, `multi_head_attention_1`,
    ...

    ```mlir
    %y = mlc.multi_head_attention %x, %x {num_heads = 4, key_dim = 32,
        use_causal_mask = true}
        : (tensor<?x?x128xf32>, tensor<?x?x128xf32>) -> tensor<?x?x128xf32>
    ```
  }];
  let arguments = (ins
      MLC_FloatTensor:$query, MLC_FloatTensor:$value,
      Optional<MLC_FloatTensor>:$key,
      ConfinedAttr<I64Attr, [IntPositive]>:$num_heads,
      ConfinedAttr<I64Attr, [IntPositive]>:$key_dim,
      OptionalAttr<ConfinedAttr<I64Attr, [IntPositive]>>:$value_dim,
      DefaultValuedAttr<BoolAttr, "true">:$use_bias,
      DefaultValuedAttr<BoolAttr, "false">:$use_causal_mask,
      OptionalAttr<StrAttr>:$name,
      OptionalAttr<MLC_InitializerAttrInterface>:$kernel_initializer,
      OptionalAttr<MLC_InitializerAttrInterface>:$bias_initializer);
  let results = (outs MLC_FloatTensor:$result);
  let assemblyFormat = "$query `,` $value (`,` $key^)? attr-dict `:` "
                       "functional-type(operands, results)";
  let hasVerifier = 1;
}

def MLC_PositionEmbeddingOp : MLC_Op<"position_embedding",
    [AllTypesMatch<["input", "result"]>]> {
  let summary = "Learned position embedding";
  let description = [{
    KerasHub `PositionEmbedding(sequence_length)`: for an input `(batch,
    time, features)` the result holds row `t` of `<name>.embeddings`
    (`sequence_length x features`, Glorot uniform) at every position `t`
    of every sequence; the input's values are not read (add the result to
    it). A position at or past `sequence_length` gets zeros. Expanded into
    `mlc.gather` of the table by `mlc.iota` along time. Unnamed layers are
    `position_embedding`, `position_embedding_1`, ...
  }];
  let arguments = (ins MLC_FloatTensor:$input,
                       ConfinedAttr<I64Attr, [IntPositive]>:$sequence_length,
                       OptionalAttr<StrAttr>:$name,
                       OptionalAttr<MLC_InitializerAttrInterface>:$embeddings_initializer);
  let results = (outs MLC_FloatTensor:$result);
  let assemblyFormat = "$input attr-dict `:` type($input)";
  let hasVerifier = 1;
}

def MLC_GRUOp : MLC_Op<"gru"> {
  let summary = "Gated recurrent unit layer";
  let description = [{
    Keras `GRU` (version 3, `reset_after`) over a `(batch, time,
    features)` sequence, gates in Keras's order `z, r, h`:
    `z = rec_act(x W_z + b_z + h U_z + c_z)`, `r = rec_act(x W_r + b_r + h
    U_r + c_r)`, `hh = act(x W_h + b_h + r * (h U_h + c_h))`,
    `h' = z * h + (1 - z) * hh`, from a zero state. Results as
    `mlc.lstm`'s: the last `h` or every step's (`return_sequences`), and
    with `return_state` the last `h` once more. Params `<name>.kernel`
    (`features x 3 units`, Glorot uniform), `<name>.recurrent_kernel`
    (`units x 3 units`, orthogonal), `<name>.bias` (`2 x 3 units`: the
    input bias `b` and the recurrent bias `c`, zeros). Unnamed layers are
    `gru`, `gru_1`, ...
  }];
  let arguments = (ins
      MLC_FloatTensor:$input,
      ConfinedAttr<I64Attr, [IntPositive]>:$units,
      DefaultValuedAttr<MLC_ActivationAttr, "::mlc::Activation::tanh">:$activation,
      DefaultValuedAttr<MLC_ActivationAttr, "::mlc::Activation::sigmoid">:$recurrent_activation,
      DefaultValuedAttr<BoolAttr, "true">:$use_bias,
      DefaultValuedAttr<BoolAttr, "false">:$return_sequences,
      DefaultValuedAttr<BoolAttr, "false">:$return_state,
      OptionalAttr<StrAttr>:$name,
      OptionalAttr<MLC_InitializerAttrInterface>:$kernel_initializer,
      OptionalAttr<MLC_InitializerAttrInterface>:$recurrent_initializer,
      OptionalAttr<MLC_InitializerAttrInterface>:$bias_initializer);
  let results = (outs Variadic<MLC_FloatTensor>:$results);
  let assemblyFormat =
      "$input attr-dict `:` type($input) `->` type($results)";
  let hasVerifier = 1;
}

def MLC_LSTMOp : MLC_Op<"lstm"> {
  let summary = "Long short-term memory layer";
  let description = [{
    Keras `LSTM` over a `(batch, time, features)` sequence (both batch and
    time may be dynamic), with Keras's gate order `i, f, c, o`:
    `z = x_t · kernel + h · recurrent_kernel + bias`,
    `c' = f * c + i * activation(z_c)`, `h' = o * activation(c')`, the
    gates `i, f, o` through `recurrent_activation`. The state starts at
    zeros. The result is the last `h` (`batch, units`), or every step's
    (`batch, time, units`) with `return_sequences`; `return_state` adds
    the last `h` and `c` as two more results.

    `mlc-materialize-params` creates `<name>.kernel` (`features x 4 units`,
    Glorot uniform), `<name>.recurrent_kernel` (`units x 4 units`,
    orthogonal) and `<name>.bias` (`4 units`: zeros, with the forget
    gate's ones under `unit_forget_bias`), computes the input projection
    of all steps as one matmul, and runs the recurrence as
    `mlc.lstm_scan`. Unnamed layers are `lstm`, `lstm_1`, ...

    ```mlir
    %h = mlc.lstm %rows {units = 128} : tensor<?x28x28xf32> -> tensor<?x128xf32>
    ```
  }];
  let arguments = (ins
      MLC_FloatTensor:$input,
      ConfinedAttr<I64Attr, [IntPositive]>:$units,
      DefaultValuedAttr<MLC_ActivationAttr, "::mlc::Activation::tanh">:$activation,
      DefaultValuedAttr<MLC_ActivationAttr, "::mlc::Activation::sigmoid">:$recurrent_activation,
      DefaultValuedAttr<BoolAttr, "true">:$use_bias,
      DefaultValuedAttr<BoolAttr, "false">:$return_sequences,
      DefaultValuedAttr<BoolAttr, "false">:$return_state,
      DefaultValuedAttr<BoolAttr, "true">:$unit_forget_bias,
      OptionalAttr<StrAttr>:$name,
      OptionalAttr<MLC_InitializerAttrInterface>:$kernel_initializer,
      OptionalAttr<MLC_InitializerAttrInterface>:$recurrent_initializer,
      OptionalAttr<MLC_InitializerAttrInterface>:$bias_initializer);
  let results = (outs Variadic<MLC_FloatTensor>:$results);
  let assemblyFormat =
      "$input attr-dict `:` type($input) `->` type($results)";
  let hasVerifier = 1;
}

//===----------------------------------------------------------------------===//
// Core tensor ops
//===----------------------------------------------------------------------===//

def MLC_ConstantOp : MLC_Op<"constant", [ConstantLike, Pure,
    AllTypesMatch<["value", "result"]>]> {
  let summary = "A constant tensor";
  let arguments = (ins ElementsAttr:$value);
  let results = (outs MLC_AnyTensor:$result);
  let assemblyFormat = "$value attr-dict";
  let hasFolder = 1;
}

def MLC_MatmulOp : MLC_Op<"matmul", [Pure, DeclareOpInterfaceMethods<MLC_DifferentiableOpInterface>]> {
  let summary = "Matrix product, optionally batched and transposed";
  let description = [{
    `lhs: [..., M, K]`, `rhs: [..., K, N]` give `[..., M, N]`. Leading
    (batch) dimensions broadcast. `transpose_lhs` / `transpose_rhs` swap the
    last two dimensions of an operand before the product.
  }];
  let arguments = (ins MLC_FloatTensor:$lhs, MLC_FloatTensor:$rhs,
                       UnitAttr:$transpose_lhs, UnitAttr:$transpose_rhs);
  let results = (outs MLC_FloatTensor:$result);
  let assemblyFormat =
      "$lhs `,` $rhs attr-dict `:` functional-type(operands, results)";
  let hasVerifier = 1;
  let builders = [OpBuilder<(ins "::mlir::Value":$lhs, "::mlir::Value":$rhs,
      CArg<"bool", "false">:$transposeLhs,
      CArg<"bool", "false">:$transposeRhs)>];
}

class MLC_BinaryOp<string mnemonic, string what, list<Trait> traits = []>
    : MLC_Op<mnemonic, !listconcat([Pure, DeclareOpInterfaceMethods<MLC_DifferentiableOpInterface>], traits)> {
  let summary = "Elementwise " # what # " with NumPy broadcasting";
  let arguments = (ins MLC_FloatTensor:$lhs, MLC_FloatTensor:$rhs);
  let results = (outs MLC_FloatTensor:$result);
  let assemblyFormat =
      "$lhs `,` $rhs attr-dict `:` functional-type(operands, results)";
  let hasVerifier = 1;
  let builders = [OpBuilder<(ins "::mlir::Value":$lhs, "::mlir::Value":$rhs)>];
}

def MLC_AddOp : MLC_BinaryOp<"add", "addition", [Commutative]>;
def MLC_SubOp : MLC_BinaryOp<"sub", "subtraction">;
def MLC_MulOp : MLC_BinaryOp<"mul", "multiplication", [Commutative]>;
def MLC_DivOp : MLC_BinaryOp<"div", "division">;

class MLC_UnaryOp<string mnemonic, string what>
    : MLC_Op<mnemonic, [Pure, AllTypesMatch<["input", "result"]>, DeclareOpInterfaceMethods<MLC_DifferentiableOpInterface>]> {
  let summary = "Elementwise " # what;
  let arguments = (ins MLC_FloatTensor:$input);
  let results = (outs MLC_FloatTensor:$result);
  let assemblyFormat = "$input attr-dict `:` type($input)";
  let builders = [OpBuilder<(ins "::mlir::Value":$input), [{
    build($_builder, $_state, input.getType(), input);
  }]>];
}

def MLC_NegOp : MLC_UnaryOp<"neg", "negation: -x"> { let hasFolder = 1; }
def MLC_ExpOp : MLC_UnaryOp<"exp", "exponential: e^x">;
def MLC_LogOp : MLC_UnaryOp<"log", "natural logarithm">;
def MLC_SqrtOp : MLC_UnaryOp<"sqrt", "square root">;
def MLC_ReluOp : MLC_UnaryOp<"relu", "rectified linear unit: max(x, 0)">;
def MLC_SigmoidOp : MLC_UnaryOp<"sigmoid", "logistic sigmoid: 1 / (1 + e^-x)">;
def MLC_TanhOp : MLC_UnaryOp<"tanh", "hyperbolic tangent">;

class MLC_SoftmaxLikeOp<string mnemonic, string what>
    : MLC_Op<mnemonic, [Pure, AllTypesMatch<["input", "result"]>, DeclareOpInterfaceMethods<MLC_DifferentiableOpInterface>]> {
  let summary = what # " along one axis";
  let arguments = (ins MLC_FloatTensor:$input,
                       DefaultValuedAttr<I64Attr, "-1">:$axis);
  let results = (outs MLC_FloatTensor:$result);
  let assemblyFormat = "$input attr-dict `:` type($input)";
  let hasVerifier = 1;
  let builders = [OpBuilder<(ins "::mlir::Value":$input,
                                 CArg<"int64_t", "-1">:$axis), [{
    build($_builder, $_state, input.getType(), input,
          $_builder.getI64IntegerAttr(axis));
  }]>];
}

def MLC_SoftmaxOp : MLC_SoftmaxLikeOp<"softmax", "Softmax">;
def MLC_LogSoftmaxOp : MLC_SoftmaxLikeOp<"log_softmax", "Log-softmax">;

class MLC_ReduceOp<string mnemonic, string what>
    : MLC_Op<mnemonic, [Pure, DeclareOpInterfaceMethods<MLC_DifferentiableOpInterface>]> {
  let summary = what # " over the given axes";
  let description = [{
    Reduces over `axes` (all axes when the list is empty). With `keepdims`
    the reduced dimensions stay as size 1.
  }];
  let arguments = (ins MLC_FloatTensor:$input, DenseI64ArrayAttr:$axes,
                       UnitAttr:$keepdims);
  let results = (outs MLC_FloatTensor:$result);
  let assemblyFormat = "$input `axes` `=` $axes (`keepdims` $keepdims^)? "
                       "attr-dict `:` type($input) `->` type($result)";
  let hasVerifier = 1;
  let builders = [OpBuilder<(ins "::mlir::Value":$input,
      "::llvm::ArrayRef<int64_t>":$axes, CArg<"bool", "false">:$keepdims)>];
}

def MLC_ReduceSumOp : MLC_ReduceOp<"reduce_sum", "Sum"> {
  let hasCanonicalizer = 1;
}
def MLC_ReduceMeanOp : MLC_ReduceOp<"reduce_mean", "Mean">;
def MLC_ReduceMaxOp : MLC_ReduceOp<"reduce_max", "Maximum"> {
  let description = [{
    Reduces over `axes` (all axes when the list is empty). With `keepdims`
    the reduced dimensions stay as size 1. The gradient of a slice's
    maximum is split evenly among the elements equal to it, as in
    TensorFlow and PyTorch.
  }];
}

def MLC_ReshapeOp : MLC_Op<"reshape", [Pure, DeclareOpInterfaceMethods<MLC_DifferentiableOpInterface>]> {
  let summary = "Changes the shape, keeping the elements in row-major order";
  let description = [{
    Operand and result must hold the same number of elements. With at most
    one dynamic dimension on each side, the static dimensions must multiply
    to the same number (the dynamic one carries the batch). With more, the
    reshape may only insert or remove size-1 dimensions (the dynamic sizes
    keep their order). Any reshape may also merge leading dimensions, a
    dynamic one among them, into one dynamic first dimension (`[?, 28, 8]
    -> [?, 8]`, `[?, ?, 8] -> [?, 8]`); such a reshape has no gradient.
  }];
  let arguments = (ins MLC_AnyTensor:$input);
  let results = (outs MLC_AnyTensor:$result);
  let assemblyFormat =
      "$input attr-dict `:` type($input) `->` type($result)";
  let hasVerifier = 1;
  let hasFolder = 1;
  let extraClassDeclaration = [{
    /// Whether leading dims of the input, a dynamic one among them, merge
    /// into the result's first (dynamic) dim and the others stay:
    /// `[?, 28, 8] -> [?, 8]`. Allowed, but not differentiable.
    bool mergesDynamicDims();
  }];
}

def MLC_TransposeOp : MLC_Op<"transpose", [Pure, DeclareOpInterfaceMethods<MLC_DifferentiableOpInterface>]> {
  let summary = "Permutes dimensions: result dim i is input dim perm[i]";
  let arguments = (ins MLC_AnyTensor:$input, DenseI64ArrayAttr:$perm);
  let results = (outs MLC_AnyTensor:$result);
  let assemblyFormat = "$input `perm` `=` $perm attr-dict `:` "
                       "type($input) `->` type($result)";
  let hasVerifier = 1;
  let hasFolder = 1;
  let builders = [OpBuilder<(ins "::mlir::Value":$input,
                                 "::llvm::ArrayRef<int64_t>":$perm)>];
}

def MLC_BroadcastToOp : MLC_Op<"broadcast_to", [Pure, DeclareOpInterfaceMethods<MLC_DifferentiableOpInterface>]> {
  let summary = "Broadcasts to a shape with NumPy rules";
  let arguments = (ins MLC_AnyTensor:$input);
  let results = (outs MLC_AnyTensor:$result);
  let assemblyFormat =
      "$input attr-dict `:` type($input) `->` type($result)";
  let hasVerifier = 1;
  let hasFolder = 1;
}

def MLC_GatherOp : MLC_Op<"gather", [Pure,
    DeclareOpInterfaceMethods<MLC_DifferentiableOpInterface>]> {
  let summary = "Rows of a table picked by integer indices";
  let description = [{
    `mlc.gather %table, %ids : (tensor<96x128xf32>, tensor<?x?xi32>) ->
    tensor<?x?x128xf32>`: `result[i..., :] = table[ids[i...], :]`, zeros
    where an id is outside `[0, rows)`. The gradient with respect to the
    table is `mlc.gather_grad` (a scatter-add); ids have none.
  }];
  let arguments = (ins MLC_FloatTensor:$table, MLC_IntTensor:$indices);
  let results = (outs MLC_FloatTensor:$result);
  let assemblyFormat = "$table `,` $indices attr-dict `:` "
                       "functional-type(operands, results)";
  let hasVerifier = 1;
}

def MLC_GatherGradOp : MLC_Op<"gather_grad", [Pure]> {
  let summary = "Gradient of mlc.gather with respect to its table";
  let description = [{
    `mlc.gather_grad %g, %ids : (tensor<?x?x128xf32>, tensor<?x?xi32>) ->
    tensor<96x128xf32>`: zeros, plus each row of `%g` added into the row its
    id picked (ids outside the table add nothing). A loop over the rows of
    `%g`: its cost is the rows gathered, not the table.
  }];
  let arguments = (ins MLC_FloatTensor:$grad, MLC_IntTensor:$indices);
  let results = (outs MLC_FloatTensor:$result);
  let assemblyFormat = "$grad `,` $indices attr-dict `:` "
                       "functional-type(operands, results)";
  let hasVerifier = 1;
}

def MLC_ConcatOp : MLC_Op<"concat", [Pure,
    DeclareOpInterfaceMethods<MLC_DifferentiableOpInterface>]> {
  let summary = "Joins tensors along one axis";
  let description = [{
    `mlc.concat %a, %b axis = 1 : (tensor<?x2xf32>, tensor<?x3xf32>) ->
    tensor<?x5xf32>`: the operands in order along `axis`, where their sizes
    are static; every other dimension is the same in all of them. The
    gradient of each operand is its slice of the result's.
  }];
  let arguments = (ins Variadic<MLC_AnyTensor>:$inputs, I64Attr:$axis);
  let results = (outs MLC_AnyTensor:$result);
  let assemblyFormat = "$inputs `axis` `=` $axis attr-dict `:` "
                       "functional-type($inputs, results)";
  let hasVerifier = 1;
}

def MLC_WhereOp : MLC_Op<"where", [Pure,
    DeclareOpInterfaceMethods<MLC_DifferentiableOpInterface>]> {
  let summary = "Picks from two tensors by a condition (NumPy broadcasting)";
  let description = [{
    `mlc.where %c, %a, %b`: `a` where `c` is nonzero, `b` elsewhere (Keras
    `ops.where`), the three broadcast together. `c` is an integer or float
    tensor (a mask); `a` and `b` are float. The gradient goes to `a` where
    `c` holds and to `b` where it does not; `c` has none.
  }];
  let arguments = (ins MLC_AnyTensor:$condition, MLC_FloatTensor:$lhs,
                       MLC_FloatTensor:$rhs);
  let results = (outs MLC_FloatTensor:$result);
  let assemblyFormat = "$condition `,` $lhs `,` $rhs attr-dict `:` "
                       "functional-type(operands, results)";
  let hasVerifier = 1;
}

def MLC_GeluOp : MLC_Op<"gelu", [Pure, AllTypesMatch<["input", "result"]>,
    DeclareOpInterfaceMethods<MLC_DifferentiableOpInterface>]> {
  let summary = "Gaussian error linear unit";
  let description = [{
    Keras `gelu`: `x * Phi(x) = 0.5 x (1 + erf(x / sqrt(2)))`, or with
    `approximate` the tanh form `0.5 x (1 + tanh(sqrt(2 / pi) (x + 0.044715
    x^3)))`. Keras's default (and `#mlc.act<gelu>`'s) is the exact form.
  }];
  let arguments = (ins MLC_FloatTensor:$input, UnitAttr:$approximate);
  let results = (outs MLC_FloatTensor:$result);
  let assemblyFormat = "$input attr-dict `:` type($input)";
  let builders = [OpBuilder<(ins "::mlir::Value":$input,
                                 CArg<"bool", "false">:$approximate), [{
    build($_builder, $_state, input.getType(), input, approximate);
  }]>];
}

def MLC_GeluGradOp : MLC_Op<"gelu_grad", [Pure,
    AllTypesMatch<["grad", "input", "result"]>]> {
  let summary = "Backward of gelu: the gradient times gelu'(x)";
  let description = [{
    Exact: `g * (Phi(x) + x phi(x))` with the normal's cdf `Phi` and
    density `phi`; with `approximate`, the derivative of the tanh form.
  }];
  let arguments = (ins MLC_FloatTensor:$grad, MLC_FloatTensor:$input,
                       UnitAttr:$approximate);
  let results = (outs MLC_FloatTensor:$result);
  let assemblyFormat = "$grad `,` $input attr-dict `:` type($result)";
}

def MLC_SliceOp : MLC_Op<"slice", [Pure,
    DeclareOpInterfaceMethods<MLC_DifferentiableOpInterface>]> {
  let summary = "Consecutive elements along one axis";
  let description = [{
    `mlc.slice %x axis = 1 start = -1 : tensor<?x?x8xf32> ->
    tensor<?x1x8xf32>` takes `n` elements of `axis` from `start`, `n`
    being the result's (static) size there; a negative `start` counts from
    the end, as Python's `x[:, -1:]`. The other dimensions are the
    input's. The slice must lie inside the input at run time.
  }];
  let arguments = (ins MLC_AnyTensor:$input, I64Attr:$axis, I64Attr:$start);
  let results = (outs MLC_AnyTensor:$result);
  let assemblyFormat = "$input `axis` `=` $axis `start` `=` $start attr-dict "
                       "`:` type($input) `->` type($result)";
  let hasVerifier = 1;
}

def MLC_SliceGradOp : MLC_Op<"slice_grad", [Pure]> {
  let summary = "Gradient of mlc.slice: zeros with the slice's gradient in place";
  let description = [{
    `mlc.slice_grad %g, %x axis = 1 start = -1` has `%x`'s type and
    runtime shape: zeros, with `%g` where `mlc.slice %x` with the same
    `axis` and `start` took its elements.
  }];
  let arguments = (ins MLC_FloatTensor:$grad, MLC_FloatTensor:$like,
                       I64Attr:$axis, I64Attr:$start);
  let results = (outs MLC_FloatTensor:$result);
  let assemblyFormat = "$grad `,` $like `axis` `=` $axis `start` `=` $start "
                       "attr-dict `:` type($grad) `,` type($like) `->` "
                       "type($result)";
  let hasVerifier = 1;
}

def MLC_IotaOp : MLC_Op<"iota", [Pure]> {
  let summary = "Each element's index along one axis";
  let description = [{
    `mlc.iota %x axis = 1 : tensor<?x?x128xf32> -> tensor<?x?xi32>`: an
    integer tensor whose shape is the leading dimensions of `%x` (as many
    as the result's rank, which includes `axis`), holding at each element
    its index along `axis`. `%x`'s values are not read; nothing flows back
    to it.
  }];
  let arguments = (ins MLC_AnyTensor:$like, I64Attr:$axis);
  let results = (outs MLC_IntTensor:$result);
  let assemblyFormat = "$like `axis` `=` $axis attr-dict `:` type($like) "
                       "`->` type($result)";
  let hasVerifier = 1;
}

def MLC_AttentionOp : MLC_Op<"attention", [Pure,
    DeclareOpInterfaceMethods<MLC_DifferentiableOpInterface>]> {
  let summary = "Scaled dot-product attention of several heads";
  let description = [{
    `mlc.attention %q, %k, %v {num_heads = 4, scale = 0.17677669529663687}`
    on `q: (batch, tq, heads x dk)`, `k: (batch, tk, heads x dk)`, `v:
    (batch, tk, heads x dv)`, head `h` taking columns `[h d, (h + 1) d)`:
    `result[b, :, head h] = softmax(scale q_h k_h^T) v_h`. With `causal`,
    query `i` sees keys `j <= i` only (the others' scores are -1e9 before
    the softmax, as Keras masks). The gradient is `mlc.attention_grad`,
    which recomputes the scores rather than keeping them.

    `mlc-expand-attention` turns it into a loop over batch and heads whose
    body is one head's 2-D matmuls and the masked softmax between them.
  }];
  let arguments = (ins MLC_FloatTensor:$query, MLC_FloatTensor:$key,
                       MLC_FloatTensor:$value,
                       ConfinedAttr<I64Attr, [IntPositive]>:$num_heads,
                       F64Attr:$scale, UnitAttr:$causal);
  let results = (outs MLC_FloatTensor:$result);
  let assemblyFormat = "$query `,` $key `,` $value attr-dict `:` "
                       "functional-type(operands, results)";
  let hasVerifier = 1;
}

def MLC_AttentionGradOp : MLC_Op<"attention_grad", [Pure]> {
  let summary = "Gradient of mlc.attention with respect to q, k and v";
  let description = [{
    `%dq, %dk, %dv = mlc.attention_grad %q, %k, %v, %g` with the forward's
    attributes. Per batch row and head it recomputes the probabilities `P`
    from `q` and `k`, then `dv = P^T g`, `dP = g v^T`, `dS = P (dP -
    rowsum(dP P))`, `dq = scale dS k`, `dk = scale dS^T q`: the score
    tensor of all heads is never stored, one head's lives in the loop.
  }];
  let arguments = (ins MLC_FloatTensor:$query, MLC_FloatTensor:$key,
                       MLC_FloatTensor:$value, MLC_FloatTensor:$grad,
                       ConfinedAttr<I64Attr, [IntPositive]>:$num_heads,
                       F64Attr:$scale, UnitAttr:$causal);
  let results = (outs MLC_FloatTensor:$query_grad, MLC_FloatTensor:$key_grad,
                      MLC_FloatTensor:$value_grad);
  let assemblyFormat = "$query `,` $key `,` $value `,` $grad attr-dict `:` "
                       "functional-type(operands, results)";
  let hasVerifier = 1;
}

//===----------------------------------------------------------------------===//
// Recurrences
//===----------------------------------------------------------------------===//

def MLC_LSTMScanOp : MLC_Op<"lstm_scan", [Pure,
    DeclareOpInterfaceMethods<MLC_DifferentiableOpInterface, ["buildVJPs"]>]> {
  let summary = "The recurrence of an LSTM over all time steps";
  let description = [{
    `%hs, %c, %cs, %gates = mlc.lstm_scan %z, %rk` runs an LSTM from a
    zero state over `%z` (`batch, time, 4 units`: every step's input
    projection plus bias, gates in Keras's order `i, f, c, o`) with the
    recurrent kernel `%rk` (`units, 4 units`). Step `t` adds `h · rk` to
    `z[:, t]`, then `c' = f * c + i * activation(z_c)` and
    `h' = o * activation(c')` with `i, f, o` through
    `recurrent_activation`. Results: every step's `h` (`batch, time,
    units`), the last `c` (`batch, units`), and for the gradient every
    step's `c` and activated gates (`mlc.lstm_scan_grad` reads them; they
    have no gradient of their own). `mlc-expand-recurrences` lowers it to
    a loop over time, whatever the sequence length.
  }];
  let arguments = (ins MLC_FloatTensor:$inputs,
      MLC_FloatTensor:$recurrent_kernel,
      DefaultValuedAttr<MLC_ActivationAttr, "::mlc::Activation::tanh">:$activation,
      DefaultValuedAttr<MLC_ActivationAttr, "::mlc::Activation::sigmoid">:$recurrent_activation);
  let results = (outs MLC_FloatTensor:$sequence, MLC_FloatTensor:$cell,
                      MLC_FloatTensor:$cells, MLC_FloatTensor:$gates);
  let assemblyFormat = "$inputs `,` $recurrent_kernel attr-dict `:` "
                       "functional-type(operands, results)";
  let hasVerifier = 1;
  let builders = [OpBuilder<(ins "::mlir::Value":$inputs,
      "::mlir::Value":$recurrentKernel, "::mlc::Activation":$activation,
      "::mlc::Activation":$recurrentActivation)>];
}

def MLC_GRUScanOp : MLC_Op<"gru_scan", [Pure,
    DeclareOpInterfaceMethods<MLC_DifferentiableOpInterface, ["buildVJPs"]>]> {
  let summary = "The recurrence of a GRU over all time steps";
  let description = [{
    `%hs, %gates, %rh = mlc.gru_scan %zx, %rk, %rb` runs Keras's GRU
    (`reset_after`) from a zero state over `%zx` (`batch, time, 3 units`:
    every step's input projection plus input bias, gates `z, r, h`), with
    the recurrent kernel `%rk` (`units, 3 units`) and recurrent bias `%rb`
    (`3 units`). Step `t`: `g = h · rk + rb`; `z, r` are
    `recurrent_activation` of `zx_z + g_z`, `zx_r + g_r`; `hh =
    activation(zx_h + r * g_h)`; `h' = z h + (1 - z) hh`. Results: every
    step's `h`, and for the gradient every step's activated gates
    `z, r, hh` and `g_h` (no gradients of their own).
    `mlc-expand-recurrences` lowers it to a loop over time.
  }];
  let arguments = (ins MLC_FloatTensor:$inputs,
      MLC_FloatTensor:$recurrent_kernel, MLC_FloatTensor:$recurrent_bias,
      DefaultValuedAttr<MLC_ActivationAttr, "::mlc::Activation::tanh">:$activation,
      DefaultValuedAttr<MLC_ActivationAttr, "::mlc::Activation::sigmoid">:$recurrent_activation);
  let results = (outs MLC_FloatTensor:$sequence, MLC_FloatTensor:$gates,
                      MLC_FloatTensor:$recurrent_candidate);
  let assemblyFormat = "$inputs `,` $recurrent_kernel `,` $recurrent_bias "
                       "attr-dict `:` functional-type(operands, results)";
  let hasVerifier = 1;
}

def MLC_GRUScanGradOp : MLC_Op<"gru_scan_grad", [Pure]> {
  let summary = "Backpropagation through time of mlc.gru_scan";
  let description = [{
    `%dzx, %drk, %drb = mlc.gru_scan_grad %dhs, %rk, %hs, %gates, %rh`: the
    gradients of an `mlc.gru_scan`'s inputs, recurrent kernel and
    recurrent bias from the gradient of its step outputs and its results.
  }];
  let arguments = (ins MLC_FloatTensor:$sequence_grad,
      MLC_FloatTensor:$recurrent_kernel, MLC_FloatTensor:$sequence,
      MLC_FloatTensor:$gates, MLC_FloatTensor:$recurrent_candidate,
      DefaultValuedAttr<MLC_ActivationAttr, "::mlc::Activation::tanh">:$activation,
      DefaultValuedAttr<MLC_ActivationAttr, "::mlc::Activation::sigmoid">:$recurrent_activation);
  let results = (outs MLC_FloatTensor:$inputs_grad,
                      MLC_FloatTensor:$recurrent_kernel_grad,
                      MLC_FloatTensor:$recurrent_bias_grad);
  let assemblyFormat = "operands attr-dict `:` functional-type(operands, results)";
  let hasVerifier = 1;
}

def MLC_LSTMScanGradOp : MLC_Op<"lstm_scan_grad", [Pure]> {
  let summary = "Backpropagation through time of mlc.lstm_scan";
  let description = [{
    `%dz, %drk = mlc.lstm_scan_grad %dhs, %dc, %rk, %hs, %cs, %gates`:
    given the gradients of an `mlc.lstm_scan`'s step outputs `%dhs` and
    last cell `%dc`, its recurrent kernel and its results, the gradients
    of its inputs `%z` and of `%rk`. Lowered to a loop from the last step
    to the first.
  }];
  let arguments = (ins MLC_FloatTensor:$sequence_grad,
      MLC_FloatTensor:$cell_grad, MLC_FloatTensor:$recurrent_kernel,
      MLC_FloatTensor:$sequence, MLC_FloatTensor:$cells,
      MLC_FloatTensor:$gates,
      DefaultValuedAttr<MLC_ActivationAttr, "::mlc::Activation::tanh">:$activation,
      DefaultValuedAttr<MLC_ActivationAttr, "::mlc::Activation::sigmoid">:$recurrent_activation);
  let results = (outs MLC_FloatTensor:$inputs_grad,
                      MLC_FloatTensor:$recurrent_kernel_grad);
  let assemblyFormat = "operands attr-dict `:` functional-type(operands, results)";
  let hasVerifier = 1;
}

//===----------------------------------------------------------------------===//
// Convolution and pooling (NHWC)
//===----------------------------------------------------------------------===//

// strides [sh, sw], dilations [dh, dw], pads [top, bottom, left, right].
defvar MLC_ConvAttrs = (ins
    DefaultValuedAttr<DenseI64ArrayAttr, "{1, 1}">:$strides,
    DefaultValuedAttr<DenseI64ArrayAttr, "{1, 1}">:$dilations,
    DefaultValuedAttr<DenseI64ArrayAttr, "{0, 0, 0, 0}">:$pads);

def MLC_ConvOp : MLC_Op<"conv", [Pure, DeclareOpInterfaceMethods<MLC_DifferentiableOpInterface>]> {
  let summary = "2-D convolution, NHWC input and HWIO kernel";
  let description = [{
    `result[n, i, j, o] = sum(x[n, i*sh + a*dh - top, j*sw + b*dw - left, c]
    * kernel[a, b, c, o])` over the window `a, b` and the channels `c`,
    with zeros outside the input. `pads` is `[top, bottom, left, right]`;
    each pad is at most the dilated kernel's extent minus one. The input
    `(batch, height, width, channels)` has static height, width and
    channels; the result has `(height + top + bottom - (kh - 1) * dh - 1)
    / sh + 1` rows, and columns alike.
  }];
  let arguments = !con((ins MLC_FloatTensor:$input, MLC_FloatTensor:$kernel),
                       MLC_ConvAttrs);
  let results = (outs MLC_FloatTensor:$result);
  let assemblyFormat =
      "$input `,` $kernel attr-dict `:` functional-type(operands, results)";
  let hasVerifier = 1;
}

def MLC_DepthwiseConvOp : MLC_Op<"depthwise_conv", [Pure, DeclareOpInterfaceMethods<MLC_DifferentiableOpInterface>]> {
  let summary = "Depthwise 2-D convolution, NHWC input, kernel [kh, kw, C, M]";
  let description = [{
    `result[n, i, j, c * M + m] = sum(x[n, i*sh + a*dh - top, j*sw + b*dw
    - left, c] * kernel[a, b, c, m])` over the window `a, b`, zeros outside
    the input. Attributes and shape rules as `mlc.conv`.
  }];
  let arguments = !con((ins MLC_FloatTensor:$input, MLC_FloatTensor:$kernel),
                       MLC_ConvAttrs);
  let results = (outs MLC_FloatTensor:$result);
  let assemblyFormat =
      "$input `,` $kernel attr-dict `:` functional-type(operands, results)";
  let hasVerifier = 1;
}

def MLC_DepthwiseConvInputGradOp : MLC_Op<"depthwise_conv_input_grad", [Pure]> {
  let summary = "Gradient of mlc.depthwise_conv with respect to its input";
  let arguments = !con((ins MLC_FloatTensor:$grad, MLC_FloatTensor:$kernel),
                       MLC_ConvAttrs);
  let results = (outs MLC_FloatTensor:$result);
  let assemblyFormat =
      "$grad `,` $kernel attr-dict `:` functional-type(operands, results)";
  let hasVerifier = 1;
}

def MLC_DepthwiseConvFilterGradOp : MLC_Op<"depthwise_conv_filter_grad", [Pure]> {
  let summary = "Gradient of mlc.depthwise_conv with respect to its kernel";
  let arguments = !con((ins MLC_FloatTensor:$input, MLC_FloatTensor:$grad),
                       MLC_ConvAttrs);
  let results = (outs MLC_FloatTensor:$result);
  let assemblyFormat =
      "$input `,` $grad attr-dict `:` functional-type(operands, results)";
  let hasVerifier = 1;
}

def MLC_ConvInputGradOp : MLC_Op<"conv_input_grad", [Pure]> {
  let summary = "Gradient of mlc.conv with respect to its input";
  let description = [{
    Given the gradient of a convolution's result and its kernel, the
    gradient with respect to the input, whose type is the result's (the
    convolution's attributes must be the ones given). Built by
    `mlc-autodiff`.
  }];
  let arguments = !con((ins MLC_FloatTensor:$grad, MLC_FloatTensor:$kernel),
                       MLC_ConvAttrs);
  let results = (outs MLC_FloatTensor:$result);
  let assemblyFormat =
      "$grad `,` $kernel attr-dict `:` functional-type(operands, results)";
  let hasVerifier = 1;
}

def MLC_ConvFilterGradOp : MLC_Op<"conv_filter_grad", [Pure]> {
  let summary = "Gradient of mlc.conv with respect to its kernel";
  let description = [{
    Given a convolution's input and the gradient of its result, the
    gradient with respect to the kernel (the result's type). Built by
    `mlc-autodiff`.
  }];
  let arguments = !con((ins MLC_FloatTensor:$input, MLC_FloatTensor:$grad),
                       MLC_ConvAttrs);
  let results = (outs MLC_FloatTensor:$result);
  let assemblyFormat =
      "$input `,` $grad attr-dict `:` functional-type(operands, results)";
  let hasVerifier = 1;
}

// window [kh, kw], strides [sh, sw], pads [top, bottom, left, right].
defvar MLC_PoolAttrs = (ins
    DenseI64ArrayAttr:$window,
    DefaultValuedAttr<DenseI64ArrayAttr, "{1, 1}">:$strides,
    DefaultValuedAttr<DenseI64ArrayAttr, "{0, 0, 0, 0}">:$pads);

def MLC_MaxPoolOp : MLC_Op<"max_pool", [Pure, DeclareOpInterfaceMethods<MLC_DifferentiableOpInterface>]> {
  let summary = "2-D max pooling, NHWC";
  let description = [{
    The maximum of each `window` (`[height, width]`) moved by `strides`;
    `pads` (`[top, bottom, left, right]`, each smaller than the window)
    add rows and columns that never win. The gradient of a window goes to
    its first maximum in row-major order, as TensorFlow's does; windows
    that overlap add up.
  }];
  let arguments = !con((ins MLC_FloatTensor:$input), MLC_PoolAttrs);
  let results = (outs MLC_FloatTensor:$result);
  let assemblyFormat = "$input attr-dict `:` type($input) `->` type($result)";
  let hasVerifier = 1;
}

def MLC_MaxPoolGradOp : MLC_Op<"max_pool_grad", [Pure]> {
  let summary = "Gradient of mlc.max_pool with respect to its input";
  let arguments = !con((ins MLC_FloatTensor:$grad, MLC_FloatTensor:$input),
                       MLC_PoolAttrs);
  let results = (outs MLC_FloatTensor:$result);
  let assemblyFormat =
      "$grad `,` $input attr-dict `:` functional-type(operands, results)";
  let hasVerifier = 1;
}

def MLC_AvgPoolOp : MLC_Op<"avg_pool", [Pure, DeclareOpInterfaceMethods<MLC_DifferentiableOpInterface>]> {
  let summary = "2-D average pooling, NHWC";
  let description = [{
    The mean of each `window` moved by `strides`. Padded positions (`pads`,
    `[top, bottom, left, right]`, each smaller than the window) are left
    out of the mean, as TensorFlow's `SAME` average pooling does.
  }];
  let arguments = !con((ins MLC_FloatTensor:$input), MLC_PoolAttrs);
  let results = (outs MLC_FloatTensor:$result);
  let assemblyFormat = "$input attr-dict `:` type($input) `->` type($result)";
  let hasVerifier = 1;
}

def MLC_AvgPoolGradOp : MLC_Op<"avg_pool_grad", [Pure]> {
  let summary = "Gradient of mlc.avg_pool with respect to its input";
  let description = [{
    Spreads each window's gradient evenly over the window's input elements;
    the result has the pooled input's type.
  }];
  let arguments = !con((ins MLC_FloatTensor:$grad), MLC_PoolAttrs);
  let results = (outs MLC_FloatTensor:$result);
  let assemblyFormat =
      "$grad attr-dict `:` functional-type(operands, results)";
  let hasVerifier = 1;
}

//===----------------------------------------------------------------------===//
// Training-mode ops (expanded by mlc-build-entry-points)
//===----------------------------------------------------------------------===//

def MLC_DropoutMaskOp : MLC_Op<"dropout_mask", [Pure,
    DeclareOpInterfaceMethods<MLC_DifferentiableOpInterface>]> {
  let summary = "A dropout mask from a counter-based random generator";
  let description = [{
    `mlc.dropout_mask %state, %like {rate = 0.5, stream = 3}` has `%like`'s
    type (and runtime sizes): `1 / (1 - rate)` where the element's uniform
    number in [0, 1) is at least `rate`, else 0. Element `i`'s number is a
    function of the bits of the two floats of `%state`, `stream` and `i`
    only (splitmix64's finalizer over a 64-bit mix of them), so masks are
    the same on every run, thread count and target. Only `%like`'s shape
    is read: the mask has no gradient.
  }];
  let arguments = (ins MLC_FloatTensor:$state, MLC_FloatTensor:$like,
                       F64Attr:$rate, I64Attr:$stream);
  let results = (outs MLC_FloatTensor:$result);
  let assemblyFormat = "$state `,` $like attr-dict `:` type($state) `,` "
                       "type($like) `->` type($result)";
  let hasVerifier = 1;
}

def MLC_ApplyDropoutOp : MLC_Op<"apply_dropout", [Pure,
    AllTypesMatch<["input", "result"]>,
    DeclareOpInterfaceMethods<MLC_TrainingModeOpInterface>]> {
  let summary = "Dropout with an explicit random state";
  let description = [{
    What `mlc.dropout` becomes: in training, `x` times
    `mlc.dropout_mask %state, x {rate, stream}` (TensorFlow's dropout keeps
    an element where its uniform number is at least `rate` and scales it by
    `1 / (1 - rate)`); in inference, `x`.
  }];
  let arguments = (ins MLC_FloatTensor:$input, MLC_FloatTensor:$state,
                       F64Attr:$rate, I64Attr:$stream);
  let results = (outs MLC_FloatTensor:$result);
  let assemblyFormat = "$input `,` $state attr-dict `:` type($input) `,` "
                       "type($state)";
  let hasVerifier = 1;
}

def MLC_ApplyBatchNormOp : MLC_Op<"apply_batch_norm", [Pure,
    AllTypesMatch<["input", "result"]>,
    AllTypesMatch<["gamma", "beta", "moving_mean", "moving_variance",
                   "new_mean", "new_variance"]>,
    DeclareOpInterfaceMethods<MLC_TrainingModeOpInterface>]> {
  let summary = "Batch normalization over the last axis";
  let description = [{
    `%y, %mean2, %var2 = mlc.apply_batch_norm %x, %gamma, %beta, %mean,
    %var`: what `mlc.batch_norm` becomes. In training, the batch's
    per-channel mean and biased variance normalize `x` (TensorFlow's
    `x * inv + (beta - mean * inv)`, `inv = gamma / sqrt(var + epsilon)`)
    and `%mean2`, `%var2` are the moving statistics' next values; in
    inference `%mean`, `%var` normalize and come back unchanged.
  }];
  let arguments = (ins MLC_FloatTensor:$input, MLC_FloatTensor:$gamma,
                       MLC_FloatTensor:$beta, MLC_FloatTensor:$moving_mean,
                       MLC_FloatTensor:$moving_variance, F64Attr:$momentum,
                       F64Attr:$epsilon);
  let results = (outs MLC_FloatTensor:$result, MLC_FloatTensor:$new_mean,
                      MLC_FloatTensor:$new_variance);
  let assemblyFormat = "$input `,` $gamma `,` $beta `,` $moving_mean `,` "
                       "$moving_variance attr-dict `:` type($input) `,` "
                       "type($gamma)";
  let hasVerifier = 1;
}

//===----------------------------------------------------------------------===//
// Losses
//===----------------------------------------------------------------------===//

class MLC_LossOp<string mnemonic, string what, Type targetType>
    : MLC_Op<mnemonic, [Pure, DeclareOpInterfaceMethods<MLC_DifferentiableOpInterface>]> {
  let summary = what # ", averaged over the batch";
  let arguments = (ins MLC_FloatTensor:$prediction, targetType:$target,
                       UnitAttr:$from_logits);
  let results = (outs 0DTensorOf<[AnyFloat]>:$result);
  let assemblyFormat = "$prediction `,` $target attr-dict `:` "
                       "functional-type(operands, results)";
  let hasVerifier = 1;
  let builders = [OpBuilder<(ins "::mlir::Value":$prediction,
      "::mlir::Value":$target, CArg<"bool", "false">:$fromLogits), [{
    auto elt = ::llvm::cast<::mlir::ShapedType>(prediction.getType())
                   .getElementType();
    build($_builder, $_state, ::mlir::RankedTensorType::get({}, elt),
          prediction, target, fromLogits);
  }]>];
}

def MLC_MSEOp : MLC_LossOp<"mse", "Mean squared error", MLC_FloatTensor> {
  let description = [{
    `mean((prediction - target)^2)` over all elements. `from_logits` is
    not allowed.
  }];
}
def MLC_CategoricalCrossentropyOp
    : MLC_LossOp<"categorical_crossentropy",
                 "Cross-entropy with one-hot (or soft) targets", MLC_FloatTensor> {
  let description = [{
    Prediction and target are `[batch, classes]`. With `from_logits`, per
    row `-sum(t * log_softmax(z))`. Without, the prediction holds
    probabilities: each row is divided by its sum, then clipped to
    `[1e-7, 1 - 1e-7]`, and the row's loss is `-sum(t * log(p))`. The mean
    is over the rows. Like Keras, the cross-entropy of a softmax (over the
    last axis) is computed from the softmax's input: canonicalization, and
    `mlc-autodiff` before it differentiates, rewrite
    `categorical_crossentropy(softmax(z))` to
    `categorical_crossentropy(z) {from_logits}`. See docs/losses.md.
  }];
  let hasCanonicalizer = 1;
}
def MLC_SparseCategoricalCrossentropyOp
    : MLC_LossOp<"sparse_categorical_crossentropy",
                 "Cross-entropy with integer class labels", MLC_IntTensor> {
  let description = [{
    Prediction is `[batch, classes]`, target is `[batch]` of integer class
    indices. With `from_logits`, a row's loss is `logsumexp(z) - z[y]`.
    Without, the prediction holds probabilities: they are clipped to
    `[1e-7, 1 - 1e-7]`, then divided by the row's sum of clipped values
    (Keras's order), and the loss is `-log(p[y])`. The mean is over the
    rows; a label outside `[0, classes)` contributes 0. A softmax
    prediction (over the last axis) is computed from its logits, as for
    `categorical_crossentropy`.
  }];
  let hasCanonicalizer = 1;
}
def MLC_BinaryCrossentropyOp
    : MLC_LossOp<"binary_crossentropy",
                 "Binary cross-entropy with 0/1 targets", MLC_FloatTensor> {
  let description = [{
    Prediction and target have the same shape. With `from_logits`, an
    element's loss is `max(z, 0) - z * t + log1p(exp(-|z|))`. Without, the
    prediction holds probabilities, clipped to `[1e-7, 1 - 1e-7]`, and the
    loss is `-(t log(p) + (1 - t) log(1 - p))`. The mean is over all
    elements. Like Keras, the cross-entropy of a sigmoid is computed from
    the sigmoid's input: `binary_crossentropy(sigmoid(z))` becomes
    `binary_crossentropy(z) {from_logits}`.
  }];
  let hasCanonicalizer = 1;
}

//===----------------------------------------------------------------------===//
// Differentiation
//===----------------------------------------------------------------------===//

def MLC_GradientOp : MLC_Op<"gradient", [Pure,
    DeclareOpInterfaceMethods<InferTypeOpInterface>]> {
  let summary = "Gradient of a scalar loss with respect to some values";
  let description = [{
    `%ga, %gb = mlc.gradient %loss wrt %a, %b : tensor<f32>, tensor<4xf32>,
    tensor<?x4xf32>` is the gradient of the rank-0 `%loss` with respect to
    `%a` and `%b` (one result per value, of its type). `mlc-autodiff`
    replaces it by the reverse-mode computation; a value the loss does not
    depend on gets a zero gradient.
  }];
  let arguments = (ins 0DTensorOf<[AnyFloat]>:$loss,
                       Variadic<MLC_FloatTensor>:$wrt);
  let results = (outs Variadic<MLC_FloatTensor>:$grads);
  let assemblyFormat =
      "$loss `wrt` $wrt attr-dict `:` type($loss) `,` type($wrt)";
}

def MLC_OneHotOp : MLC_Op<"one_hot", [Pure]> {
  let summary = "One-hot encoding of integer class labels";
  let description = [{
    `mlc.one_hot %y : tensor<?xi32> -> tensor<?x10xf32>`: the result's last
    dimension is the number of classes; a label outside [0, classes) gives
    an all-zero row.
  }];
  let arguments = (ins MLC_IntTensor:$labels);
  let results = (outs MLC_FloatTensor:$result);
  let assemblyFormat =
      "$labels attr-dict `:` type($labels) `->` type($result)";
  let hasVerifier = 1;
}

def MLC_ReluGradOp : MLC_Op<"relu_grad", [Pure,
    AllTypesMatch<["grad", "output", "result"]>]> {
  let summary = "Backward of relu: the gradient where the output is positive";
  let arguments = (ins MLC_FloatTensor:$grad, MLC_FloatTensor:$output);
  let results = (outs MLC_FloatTensor:$result);
  let assemblyFormat = "$grad `,` $output attr-dict `:` type($result)";
  let hasCanonicalizer = 1;
}

def MLC_BroadcastLikeOp : MLC_Op<"broadcast_like", [Pure]> {
  let summary = "Broadcasts a tensor to the runtime shape of another";
  let description = [{
    Like `broadcast_to`, with the result's dynamic sizes taken from `like`
    (whose type the result has). Autodiff uses it to spread the gradient of
    a reduction over a batch of any size.
  }];
  let arguments = (ins MLC_FloatTensor:$input, MLC_FloatTensor:$like);
  let results = (outs MLC_FloatTensor:$result);
  let assemblyFormat = "$input `,` $like attr-dict `:` type($input) `,` "
                       "type($like) `->` type($result)";
  let hasVerifier = 1;
  let builders = [OpBuilder<(ins "::mlir::Value":$input, "::mlir::Value":$like), [{
    build($_builder, $_state, ::mlir::RankedTensorType::get(
        ::llvm::cast<::mlir::RankedTensorType>(like.getType()).getShape(),
        ::llvm::cast<::mlir::RankedTensorType>(input.getType()).getElementType()),
        input, like);
  }]>];
}

def MLC_EqualOp : MLC_Op<"equal", [Pure]> {
  let summary = "1.0 where lhs == rhs, else 0.0 (NumPy broadcasting)";
  let arguments = (ins MLC_FloatTensor:$lhs, MLC_FloatTensor:$rhs);
  let results = (outs MLC_FloatTensor:$result);
  let assemblyFormat =
      "$lhs `,` $rhs attr-dict `:` functional-type(operands, results)";
  let hasVerifier = 1;
  let builders = [OpBuilder<(ins "::mlir::Value":$lhs, "::mlir::Value":$rhs)>];
}

def MLC_ClipOp : MLC_Op<"clip", [Pure, AllTypesMatch<["input", "result"]>,
    DeclareOpInterfaceMethods<MLC_DifferentiableOpInterface>]> {
  let summary = "Clamps every element to [min, max]";
  let description = [{
    The gradient passes where `min <= x <= max` (at the bounds too, as in
    TensorFlow's `clip_by_value`) and is zero outside.
  }];
  let arguments = (ins MLC_FloatTensor:$input, F64Attr:$min, F64Attr:$max);
  let results = (outs MLC_FloatTensor:$result);
  let assemblyFormat = "$input attr-dict `:` type($input)";
  let hasVerifier = 1;
}

//===----------------------------------------------------------------------===//
// Training
//===----------------------------------------------------------------------===//

def MLC_OptimizerUpdateOp : MLC_Op<"optimizer_update", [Pure,
    DeclareOpInterfaceMethods<InferTypeOpInterface>]> {
  let summary = "One optimizer step for one parameter";
  let description = [{
    `%p2, %m2, %v2 = mlc.optimizer_update %p, %g states(%m, %v) lr %lr
    step %alpha {optimizer = #mlc.adam} : ...` returns the updated parameter
    and optimizer state (the states the optimizer keeps: none for plain SGD,
    the velocity for momentum, `m` and `v` for Adam and AdamW, the mean
    square (and mean gradient, when centered, and momentum) for RMSprop).
    `%lr` is this step's learning rate (after any schedule) and `%alpha`
    Adam's bias-corrected step `lr * sqrt(1 - beta_2^t) / (1 - beta_1^t)`,
    both rank-0 and computed by the caller. The formulas are Keras's; see
    docs/optimizers.md. `mlc-optimizer` lowers it to one elementwise loop
    that updates the parameter and its state in place.
  }];
  let arguments = (ins MLC_OptimizerAttrInterface:$optimizer,
                       MLC_FloatTensor:$param, MLC_FloatTensor:$grad,
                       Variadic<MLC_FloatTensor>:$states,
                       0DTensorOf<[AnyFloat]>:$learning_rate,
                       0DTensorOf<[AnyFloat]>:$step_size);
  let results = (outs MLC_FloatTensor:$new_param,
                      Variadic<MLC_FloatTensor>:$new_states);
  let assemblyFormat =
      "$param `,` $grad (`states` `(` $states^ `)`)? `lr` $learning_rate "
      "`step` $step_size attr-dict `:` type($param) `,` type($grad) "
      "(`states` `(` type($states)^ `)`)? `,` type($learning_rate) `,` "
      "type($step_size)";
  let hasVerifier = 1;
}

#endif // MLC_OPS_TD
