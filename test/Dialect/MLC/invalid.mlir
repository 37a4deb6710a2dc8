// Malformed models: each split is one error, checked with its exact message.
// RUN: mlc-opt %s -split-input-file -verify-diagnostics

mlc.model @matmul_k_mismatch {
  %a = mlc.input "a" : tensor<?x784xf32>
  mlc.param @w : tensor<128x10xf32> = #mlc.glorot_uniform
  %w = mlc.param_ref @w : tensor<128x10xf32>
  // expected-error @+1 {{'mlc.matmul' op contracting dimensions differ: lhs 'tensor<?x784xf32>' has K = 784, rhs 'tensor<128x10xf32>' has K = 128}}
  %m = mlc.matmul %a, %w : (tensor<?x784xf32>, tensor<128x10xf32>) -> tensor<?x10xf32>
  mlc.output %m : tensor<?x10xf32>
}

// -----

mlc.model @matmul_rank {
  %a = mlc.input "a" : tensor<?xf32>
  %b = mlc.input "b" : tensor<4x4xf32>
  // expected-error @+1 {{'mlc.matmul' op operands need rank >= 2, got lhs 'tensor<?xf32>' and rhs 'tensor<4x4xf32>'}}
  %m = mlc.matmul %a, %b : (tensor<?xf32>, tensor<4x4xf32>) -> tensor<?x4xf32>
  mlc.output %m : tensor<?x4xf32>
}

// -----

mlc.model @matmul_result {
  %a = mlc.input "a" : tensor<?x3xf32>
  %b = mlc.input "b" : tensor<3x4xf32>
  // expected-error @+1 {{'mlc.matmul' op result has type 'tensor<?x5xf32>', but lhs 'tensor<?x3xf32>' times rhs 'tensor<3x4xf32>' gives 'tensor<?x4xf32>'}}
  %m = mlc.matmul %a, %b : (tensor<?x3xf32>, tensor<3x4xf32>) -> tensor<?x5xf32>
  mlc.output %m : tensor<?x5xf32>
}

// -----

mlc.model @matmul_batch {
  %a = mlc.input "a" : tensor<2x3x4xf32>
  %b = mlc.input "b" : tensor<5x4x6xf32>
  // expected-error @+1 {{'mlc.matmul' op batch dimensions of lhs 'tensor<2x3x4xf32>' and rhs 'tensor<5x4x6xf32>' do not broadcast}}
  %m = mlc.matmul %a, %b : (tensor<2x3x4xf32>, tensor<5x4x6xf32>) -> tensor<2x3x6xf32>
  mlc.output %m : tensor<2x3x6xf32>
}

// -----

mlc.model @add_broadcast {
  %a = mlc.input "a" : tensor<?x128xf32>
  %b = mlc.input "b" : tensor<10xf32>
  // expected-error @+1 {{'mlc.add' op lhs 'tensor<?x128xf32>' and rhs 'tensor<10xf32>' do not broadcast: 128 (dimension 1) vs 10 (dimension 0)}}
  %s = mlc.add %a, %b : (tensor<?x128xf32>, tensor<10xf32>) -> tensor<?x128xf32>
  mlc.output %s : tensor<?x128xf32>
}

// -----

mlc.model @add_result {
  %a = mlc.input "a" : tensor<?x128xf32>
  %b = mlc.input "b" : tensor<128xf32>
  // expected-error @+1 {{'mlc.sub' op result has type 'tensor<?x10xf32>', but broadcasting lhs 'tensor<?x128xf32>' with rhs 'tensor<128xf32>' gives 'tensor<?x128xf32>'}}
  %s = mlc.sub %a, %b : (tensor<?x128xf32>, tensor<128xf32>) -> tensor<?x10xf32>
  mlc.output %s : tensor<?x10xf32>
}

// -----

mlc.model @mul_element_type {
  %a = mlc.input "a" : tensor<?x4xf32>
  %b = mlc.input "b" : tensor<?x4xf16>
  // expected-error @+1 {{'mlc.mul' op operands must have the same element type, got lhs 'tensor<?x4xf32>' and rhs 'tensor<?x4xf16>'}}
  %s = mlc.mul %a, %b : (tensor<?x4xf32>, tensor<?x4xf16>) -> tensor<?x4xf32>
  mlc.output %s : tensor<?x4xf32>
}

// -----

mlc.model @int_operand {
  %a = mlc.input "a" : tensor<?x4xi32>
  // expected-error @+1 {{'mlc.relu' op operand #0 must be ranked tensor of floating-point values, but got 'tensor<?x4xi32>'}}
  %r = mlc.relu %a : tensor<?x4xi32>
  mlc.output %r : tensor<?x4xi32>
}

// -----

mlc.model @softmax_axis {
  %a = mlc.input "a" : tensor<?x10xf32>
  // expected-error @+1 {{'mlc.softmax' op axis 2 is out of range for input 'tensor<?x10xf32>' (rank 2)}}
  %s = mlc.softmax %a {axis = 2} : tensor<?x10xf32>
  mlc.output %s : tensor<?x10xf32>
}

// -----

mlc.model @reduce_axis {
  %a = mlc.input "a" : tensor<?x10xf32>
  // expected-error @+1 {{'mlc.reduce_sum' op axis -3 is out of range for input 'tensor<?x10xf32>' (rank 2)}}
  %s = mlc.reduce_sum %a axes = [-3] : tensor<?x10xf32> -> tensor<?xf32>
  mlc.output %s : tensor<?xf32>
}

// -----

mlc.model @reduce_duplicate_axis {
  %a = mlc.input "a" : tensor<?x10xf32>
  // expected-error @+1 {{'mlc.reduce_max' op axis -1 is listed twice}}
  %s = mlc.reduce_max %a axes = [1, -1] : tensor<?x10xf32> -> tensor<?xf32>
  mlc.output %s : tensor<?xf32>
}

// -----

mlc.model @reduce_result {
  %a = mlc.input "a" : tensor<?x10xf32>
  // expected-error @+1 {{'mlc.reduce_mean' op result has type 'tensor<?xf32>', but reducing input 'tensor<?x10xf32>' over axes [1] with keepdims gives 'tensor<?x1xf32>'}}
  %s = mlc.reduce_mean %a axes = [1] keepdims : tensor<?x10xf32> -> tensor<?xf32>
  mlc.output %s : tensor<?xf32>
}

// -----

mlc.model @reshape_count {
  %a = mlc.input "a" : tensor<?x28x28xf32>
  // expected-error @+1 {{'mlc.reshape' op input 'tensor<?x28x28xf32>' and result 'tensor<?x780xf32>' hold different numbers of elements (784 x ? vs 780 x ?)}}
  %r = mlc.reshape %a : tensor<?x28x28xf32> -> tensor<?x780xf32>
  mlc.output %r : tensor<?x780xf32>
}

// -----

mlc.model @reshape_dynamic {
  %a = mlc.input "a" : tensor<?x4xf32>
  // expected-error @+1 {{'mlc.reshape' op with more than one dynamic dimension, a reshape may only insert or remove size-1 dimensions, got input 'tensor<?x4xf32>' and result 'tensor<?x?xf32>'}}
  %r = mlc.reshape %a : tensor<?x4xf32> -> tensor<?x?xf32>
  mlc.output %r : tensor<?x?xf32>
}

// -----

mlc.model @transpose_perm {
  %a = mlc.input "a" : tensor<?x4x5xf32>
  // expected-error @+1 {{'mlc.transpose' op perm [0, 0, 1] is not a permutation of the 3 dimensions of input 'tensor<?x4x5xf32>'}}
  %t = mlc.transpose %a perm = [0, 0, 1] : tensor<?x4x5xf32> -> tensor<?x?x4xf32>
  mlc.output %t : tensor<?x?x4xf32>
}

// -----

mlc.model @broadcast_to {
  %a = mlc.input "a" : tensor<2x3xf32>
  // expected-error @+1 {{'mlc.broadcast_to' op input 'tensor<2x3xf32>' does not broadcast to result 'tensor<4x3xf32>'}}
  %b = mlc.broadcast_to %a : tensor<2x3xf32> -> tensor<4x3xf32>
  mlc.output %b : tensor<4x3xf32>
}

// -----

mlc.model @sparse_ce_float_labels {
  %p = mlc.input "p" : tensor<?x10xf32>
  %l = mlc.input "l" : tensor<?xf32>
  // expected-error @+1 {{'mlc.sparse_categorical_crossentropy' op operand #1 must be ranked tensor of signless integer values, but got 'tensor<?xf32>'}}
  %loss = mlc.sparse_categorical_crossentropy %p, %l : (tensor<?x10xf32>, tensor<?xf32>) -> tensor<f32>
  mlc.output %loss : tensor<f32>
}

// -----

mlc.model @sparse_ce_label_shape {
  %p = mlc.input "p" : tensor<?x10xf32>
  %l = mlc.input "l" : tensor<?x10xi32>
  // expected-error @+1 {{'mlc.sparse_categorical_crossentropy' op target must hold one integer class label per prediction row: prediction 'tensor<?x10xf32>' needs a target of shape 'tensor<?xi32>', got 'tensor<?x10xi32>'}}
  %loss = mlc.sparse_categorical_crossentropy %p, %l : (tensor<?x10xf32>, tensor<?x10xi32>) -> tensor<f32>
  mlc.output %loss : tensor<f32>
}

// -----

mlc.model @ce_target_shape {
  %p = mlc.input "p" : tensor<?x10xf32>
  %t = mlc.input "t" : tensor<?x9xf32>
  // expected-error @+1 {{'mlc.categorical_crossentropy' op target must have the prediction's shape: prediction 'tensor<?x10xf32>', target 'tensor<?x9xf32>'}}
  %loss = mlc.categorical_crossentropy %p, %t : (tensor<?x10xf32>, tensor<?x9xf32>) -> tensor<f32>
  mlc.output %loss : tensor<f32>
}

// -----

mlc.model @mse_from_logits {
  %p = mlc.input "p" : tensor<?x1xf32>
  %t = mlc.input "t" : tensor<?x1xf32>
  // expected-error @+1 {{'mlc.mse' op takes no from_logits: mse compares values}}
  %loss = mlc.mse %p, %t {from_logits} : (tensor<?x1xf32>, tensor<?x1xf32>) -> tensor<f32>
  mlc.output %loss : tensor<f32>
}

// -----

mlc.model @loss_result {
  %p = mlc.input "p" : tensor<?x1xf32>
  %t = mlc.input "t" : tensor<?x1xf32>
  // expected-error @+1 {{'mlc.binary_crossentropy' op result has type 'tensor<f16>', but prediction 'tensor<?x1xf32>' (a scalar loss) gives 'tensor<f32>'}}
  %loss = mlc.binary_crossentropy %p, %t : (tensor<?x1xf32>, tensor<?x1xf32>) -> tensor<f16>
  mlc.output %loss : tensor<f16>
}

// -----

mlc.model @unknown_activation {
  %x = mlc.input "x" : tensor<?x4xf32>
  // expected-error @+2 {{expected ::mlc::Activation to be one of: linear, relu, sigmoid, tanh, softmax, log_softmax}}
  // expected-error @+1 {{failed to parse MLC_ActivationAttr parameter 'value'}}
  %d = mlc.dense %x {units = 2, activation = #mlc.act<swish>} : tensor<?x4xf32> -> tensor<?x2xf32>
  mlc.output %d : tensor<?x2xf32>
}

// -----

mlc.model @dense_units {
  %x = mlc.input "x" : tensor<?x4xf32>
  // expected-error @+1 {{'mlc.dense' op result has type 'tensor<?x3xf32>', but input 'tensor<?x4xf32>' with units = 2 gives 'tensor<?x2xf32>'}}
  %d = mlc.dense %x {units = 2} : tensor<?x4xf32> -> tensor<?x3xf32>
  mlc.output %d : tensor<?x3xf32>
}

// -----

mlc.model @dense_rank {
  %x = mlc.input "x" : tensor<?xf32>
  // expected-error @+1 {{'mlc.dense' op input must be (batch, ..., features), got 'tensor<?xf32>'}}
  %d = mlc.dense %x {units = 2} : tensor<?xf32> -> tensor<?x2xf32>
  mlc.output %d : tensor<?x2xf32>
}

// -----

mlc.model @dense_sequence_result {
  %x = mlc.input "x" : tensor<?x4x4xf32>
  // expected-error @+1 {{'mlc.dense' op result has type 'tensor<?x2xf32>', but input 'tensor<?x4x4xf32>' with units = 2 gives 'tensor<?x4x2xf32>'}}
  %d = mlc.dense %x {units = 2} : tensor<?x4x4xf32> -> tensor<?x2xf32>
  mlc.output %d : tensor<?x2xf32>
}

// -----

mlc.model @dense_zero_units {
  %x = mlc.input "x" : tensor<?x4xf32>
  // expected-error @+1 {{'mlc.dense' op attribute 'units' failed to satisfy constraint: 64-bit signless integer attribute whose value is positive}}
  %d = mlc.dense %x {units = 0} : tensor<?x4xf32> -> tensor<?x0xf32>
  mlc.output %d : tensor<?x0xf32>
}

// -----

mlc.model @flatten_result {
  %x = mlc.input "x" : tensor<?x28x28xf32>
  // expected-error @+1 {{'mlc.flatten' op result has type 'tensor<?x28xf32>', but flattening input 'tensor<?x28x28xf32>' gives 'tensor<?x784xf32>'}}
  %f = mlc.flatten %x : tensor<?x28x28xf32> -> tensor<?x28xf32>
  mlc.output %f : tensor<?x28xf32>
}

// -----

mlc.model @missing_param {
  // expected-error @+1 {{'mlc.param_ref' op references @nope, which is not an mlc.param of the enclosing model}}
  %w = mlc.param_ref @nope : tensor<4xf32>
  mlc.output %w : tensor<4xf32>
}

// -----

mlc.model @param_ref_type {
  mlc.param @w : tensor<4x4xf32> = #mlc.glorot_uniform
  // expected-error @+1 {{'mlc.param_ref' op result has type 'tensor<4x5xf32>', but param @w has type 'tensor<4x4xf32>'}}
  %w = mlc.param_ref @w : tensor<4x5xf32>
  mlc.output %w : tensor<4x5xf32>
}

// -----

mlc.model @param_dynamic {
  // expected-error @+1 {{'mlc.param' op param @w needs a static shape, got 'tensor<?x4xf32>'}}
  mlc.param @w : tensor<?x4xf32> = #mlc.zeros
  %x = mlc.input "x" : tensor<?x4xf32>
  mlc.output %x : tensor<?x4xf32>
}

// -----

mlc.model @param_not_initializer {
  // expected-error @+1 {{custom op 'mlc.param' invalid kind of attribute specified}}
  mlc.param @w : tensor<4xf32> = #mlc.adam
  %x = mlc.input "x" : tensor<?x4xf32>
  mlc.output %x : tensor<?x4xf32>
}

// -----

mlc.model @duplicate_input {
  %x = mlc.input "x" : tensor<?x4xf32>
  // expected-error @+1 {{'mlc.input' op input name "x" is already used by the input at}}
  %y = mlc.input "x" : tensor<?x4xf32>
  mlc.output %y : tensor<?x4xf32>
}

// -----

mlc.model @duplicate_param {
  // expected-note @+1 {{see existing symbol definition here}}
  mlc.param @w : tensor<4xf32> = #mlc.zeros
  // expected-error @+1 {{redefinition of symbol named 'w'}}
  mlc.param @w : tensor<4xf32> = #mlc.zeros
  %x = mlc.input "x" : tensor<?x4xf32>
  mlc.output %x : tensor<?x4xf32>
}

// -----

// expected-error @+1 {{'mlc.model' op loss sparse_categorical_crossentropy needs a float (batch, classes) output, but output #0 has type 'tensor<?xf32>'}}
mlc.model @loss_vs_output {
  %x = mlc.input "x" : tensor<?xf32>
  mlc.output %x : tensor<?xf32>
} {loss = #mlc.loss<sparse_categorical_crossentropy>}

// -----

mlc.model @bad_optimizer {
  %x = mlc.input "x" : tensor<?x4xf32>
  mlc.output %x : tensor<?x4xf32>
// expected-error @+1 {{#mlc.adam needs 0 <= beta_2 < 1, got 1.5}}
} {optimizer = #mlc.adam<beta_2 = 1.5>}

// -----

// expected-error @+1 {{'mlc.model' op precision must be "f32" or "bf16", not "fp16"}}
mlc.model @unknown_precision {
  %x = mlc.input "x" : tensor<?x4xf32>
  mlc.output %x : tensor<?x4xf32>
} {precision = "fp16"}

// -----

// expected-error @+1 {{'mlc.model' op has an lr_schedule but no optimizer to apply it}}
mlc.model @schedule_without_optimizer {
  %x = mlc.input "x" : tensor<?x4xf32>
  mlc.output %x : tensor<?x4xf32>
} {lr_schedule = #mlc.cosine_decay<decay_steps = 10>}

// -----

mlc.model @schedule_zero_steps {
  %x = mlc.input "x" : tensor<?x4xf32>
  mlc.output %x : tensor<?x4xf32>
// expected-error @+1 {{#mlc.exponential_decay needs decay_steps >= 1, got 0}}
} {optimizer = #mlc.sgd, lr_schedule = #mlc.exponential_decay<decay_steps = 0, decay_rate = 0.5>}

// -----

mlc.model @schedule_target_without_warmup {
  %x = mlc.input "x" : tensor<?x4xf32>
  mlc.output %x : tensor<?x4xf32>
// expected-error @+1 {{#mlc.cosine_decay has a warmup_target but no warmup_steps}}
} {optimizer = #mlc.sgd, lr_schedule = #mlc.cosine_decay<decay_steps = 10, warmup_target = 0.1>}

// -----

mlc.model @schedule_not_schedule {
  %x = mlc.input "x" : tensor<?x4xf32>
  mlc.output %x : tensor<?x4xf32>
// expected-error @+1 {{'mlc.model' op attribute 'lr_schedule' failed to satisfy constraint}}
} {optimizer = #mlc.sgd, lr_schedule = #mlc.sgd}

// -----

mlc.model @optimizer_not_optimizer {
  %x = mlc.input "x" : tensor<?x4xf32>
  mlc.output %x : tensor<?x4xf32>
// expected-error @+1 {{'mlc.model' op attribute 'optimizer' failed to satisfy constraint}}
} {optimizer = #mlc.zeros}

// -----

// expected-error @+1 {{'mlc.output' op expects parent op 'mlc.model'}}
mlc.output

// -----

mlc.model @no_output {
  // expected-error @+1 {{block with no terminator}}
  %x = mlc.input "x" : tensor<?x4xf32>
}

// -----

mlc.model @empty_output {
  %x = mlc.input "x" : tensor<?x4xf32>
  // expected-error @+1 {{'mlc.output' op needs at least one output}}
  mlc.output
}

// -----

// expected-error @+1 {{'mlc.model' op loss binary_crossentropy has from_logits, but output #0 is a sigmoid, not logits: the loss would apply it a second time. Drop from_logits: the loss is computed from the logits anyway}}
mlc.model @from_logits_of_sigmoid {
  %z = mlc.input "z" : tensor<?x1xf32>
  // expected-note @+1 {{output #0 is the sigmoid computed here}}
  %p = mlc.sigmoid %z : tensor<?x1xf32>
  mlc.output %p : tensor<?x1xf32>
} {loss = #mlc.loss<binary_crossentropy, from_logits = true>}

// -----

// expected-error @+1 {{'mlc.model' op loss categorical_crossentropy has from_logits, but output #0 is a softmax, not logits}}
mlc.model @from_logits_of_softmax {
  %z = mlc.input "z" : tensor<?x4xf32>
  // expected-note @+1 {{output #0 is the softmax computed here}}
  %p = mlc.softmax %z : tensor<?x4xf32>
  mlc.output %p : tensor<?x4xf32>
} {loss = #mlc.loss<categorical_crossentropy, from_logits = true>}

// -----

// A zero-sized dimension is refused where it is written (the CPU schedule
// would otherwise tile a loop of no iterations and fail inside mlc).
mlc.model @zero_input_dim {
  // expected-error @+1 {{'mlc.input' op result #0 has type 'tensor<?x0xf32>', with a dimension of size 0: every dimension must be at least 1}}
  %x = mlc.input "x" : tensor<?x0xf32>
  mlc.output %x : tensor<?x0xf32>
}

// -----

mlc.model @zero_param_dim {
  // expected-error @+1 {{'mlc.param' op param @w has type 'tensor<0x4xf32>', with a dimension of size 0: every dimension must be at least 1}}
  mlc.param @w : tensor<0x4xf32> = #mlc.glorot_uniform
  %x = mlc.input "x" : tensor<?x4xf32>
  mlc.output %x : tensor<?x4xf32>
}
// -----

mlc.model @conv_channels {
  %x = mlc.input "x" : tensor<?x8x8x3xf32>
  %k = mlc.input "k" : tensor<3x3x4x8xf32>
  // expected-error @+1 {{'mlc.conv' op kernel 'tensor<3x3x4x8xf32>' takes 4 input channels, but input 'tensor<?x8x8x3xf32>' has 3}}
  %y = mlc.conv %x, %k : (tensor<?x8x8x3xf32>, tensor<3x3x4x8xf32>) -> tensor<?x6x6x8xf32>
  mlc.output %y : tensor<?x6x6x8xf32>
}

// -----

mlc.model @conv_result {
  %x = mlc.input "x" : tensor<?x8x8x3xf32>
  %k = mlc.input "k" : tensor<3x3x3x8xf32>
  // expected-error @+1 {{'mlc.conv' op result has type 'tensor<?x8x8x8xf32>', but input 'tensor<?x8x8x3xf32>' with kernel 'tensor<3x3x3x8xf32>' gives 'tensor<?x6x6x8xf32>'}}
  %y = mlc.conv %x, %k : (tensor<?x8x8x3xf32>, tensor<3x3x3x8xf32>) -> tensor<?x8x8x8xf32>
  mlc.output %y : tensor<?x8x8x8xf32>
}

// -----

mlc.model @conv_dynamic_height {
  %x = mlc.input "x" : tensor<?x?x8x3xf32>
  %k = mlc.input "k" : tensor<3x3x3x8xf32>
  // expected-error @+1 {{'mlc.conv' op input needs static height, width and channels, got 'tensor<?x?x8x3xf32>'}}
  %y = mlc.conv %x, %k : (tensor<?x?x8x3xf32>, tensor<3x3x3x8xf32>) -> tensor<?x?x6x8xf32>
  mlc.output %y : tensor<?x?x6x8xf32>
}

// -----

mlc.model @conv_pad {
  %x = mlc.input "x" : tensor<?x8x8x3xf32>
  %k = mlc.input "k" : tensor<3x3x3x8xf32>
  // expected-error @+1 {{'mlc.conv' op bottom pad must be in [0, 2] (the window's extent minus one), got 3}}
  %y = mlc.conv %x, %k {pads = array<i64: 0, 3, 0, 0>} : (tensor<?x8x8x3xf32>, tensor<3x3x3x8xf32>) -> tensor<?x9x6x8xf32>
  mlc.output %y : tensor<?x9x6x8xf32>
}

// -----

mlc.model @conv_strides {
  %x = mlc.input "x" : tensor<?x8x8x3xf32>
  %k = mlc.input "k" : tensor<3x3x3x8xf32>
  // expected-error @+1 {{'mlc.conv' op strides must be 2 positive numbers (at most 1048576), got [2, 0]}}
  %y = mlc.conv %x, %k {strides = array<i64: 2, 0>} : (tensor<?x8x8x3xf32>, tensor<3x3x3x8xf32>) -> tensor<?x3x6x8xf32>
  mlc.output %y : tensor<?x3x6x8xf32>
}

// -----

mlc.model @conv_too_small {
  %x = mlc.input "x" : tensor<?x2x8x3xf32>
  %k = mlc.input "k" : tensor<3x3x3x8xf32>
  // expected-error @+1 {{'mlc.conv' op window of 3 (dilation 1) does not fit the padded height of input 'tensor<?x2x8x3xf32>'}}
  %y = mlc.conv %x, %k : (tensor<?x2x8x3xf32>, tensor<3x3x3x8xf32>) -> tensor<?x1x6x8xf32>
  mlc.output %y : tensor<?x1x6x8xf32>
}

// -----

mlc.model @pool_pad {
  %x = mlc.input "x" : tensor<?x8x8x3xf32>
  // expected-error @+1 {{'mlc.max_pool' op pads must be smaller than the window, got 2 for a window of 2}}
  %y = mlc.max_pool %x {window = array<i64: 2, 2>, strides = array<i64: 2, 2>, pads = array<i64: 2, 0, 0, 0>} : tensor<?x8x8x3xf32> -> tensor<?x5x4x3xf32>
  mlc.output %y : tensor<?x5x4x3xf32>
}

// -----

mlc.model @pool_rank {
  %x = mlc.input "x" : tensor<?x8x3xf32>
  // expected-error @+1 {{'mlc.avg_pool' op input must be (batch, height, width, channels), got 'tensor<?x8x3xf32>'}}
  %y = mlc.avg_pool %x {window = array<i64: 2, 2>} : tensor<?x8x3xf32> -> tensor<?x4x3xf32>
  mlc.output %y : tensor<?x4x3xf32>
}

// -----

mlc.model @pool_result {
  %x = mlc.input "x" : tensor<?x7x7x3xf32>
  // expected-error @+1 {{'mlc.max_pool2d' op result has type 'tensor<?x4x4x3xf32>', but pooling input 'tensor<?x7x7x3xf32>' gives 'tensor<?x3x3x3xf32>'}}
  %y = mlc.max_pool2d %x : tensor<?x7x7x3xf32> -> tensor<?x4x4x3xf32>
  mlc.output %y : tensor<?x4x4x3xf32>
}

// -----

mlc.model @conv2d_padding {
  %x = mlc.input "x" : tensor<?x8x8x3xf32>
  // expected-error @+1 {{'mlc.conv2d' op padding must be "valid" or "same", got "full"}}
  %y = mlc.conv2d %x {filters = 4, kernel_size = array<i64: 3, 3>, padding = "full"} : tensor<?x8x8x3xf32> -> tensor<?x10x10x4xf32>
  mlc.output %y : tensor<?x10x10x4xf32>
}

// -----

mlc.model @conv2d_kernel_size {
  %x = mlc.input "x" : tensor<?x8x8x3xf32>
  // expected-error @+1 {{'mlc.conv2d' op kernel_size must be 2 positive numbers (at most 1048576), got [3]}}
  %y = mlc.conv2d %x {filters = 4, kernel_size = array<i64: 3>} : tensor<?x8x8x3xf32> -> tensor<?x6x6x4xf32>
  mlc.output %y : tensor<?x6x6x4xf32>
}

// -----

mlc.model @conv2d_same_result {
  %x = mlc.input "x" : tensor<?x7x7x3xf32>
  // expected-error @+1 {{'mlc.conv2d' op result has type 'tensor<?x3x3x4xf32>', but input 'tensor<?x7x7x3xf32>' with filters = 4 gives 'tensor<?x4x4x4xf32>'}}
  %y = mlc.conv2d %x {filters = 4, kernel_size = array<i64: 3, 3>, strides = array<i64: 2, 2>, padding = "same"} : tensor<?x7x7x3xf32> -> tensor<?x3x3x4xf32>
  mlc.output %y : tensor<?x3x3x4xf32>
}

// -----

mlc.model @conv_input_grad_mismatch {
  %g = mlc.input "g" : tensor<?x5x5x8xf32>
  %k = mlc.input "k" : tensor<3x3x3x8xf32>
  // expected-error @+1 {{'mlc.conv_input_grad' op grad has type 'tensor<?x5x5x8xf32>', but the convolution of 'tensor<?x8x8x3xf32>' with 'tensor<3x3x3x8xf32>' gives 'tensor<?x6x6x8xf32>'}}
  %y = mlc.conv_input_grad %g, %k : (tensor<?x5x5x8xf32>, tensor<3x3x3x8xf32>) -> tensor<?x8x8x3xf32>
  mlc.output %y : tensor<?x8x8x3xf32>
}

// -----

mlc.model @global_pool_rank {
  %x = mlc.input "x" : tensor<?x8x3xf32>
  // expected-error @+1 {{'mlc.global_avg_pool2d' op input must be (batch, height, width, channels), got 'tensor<?x8x3xf32>'}}
  %y = mlc.global_avg_pool2d %x : tensor<?x8x3xf32> -> tensor<?x3xf32>
  mlc.output %y : tensor<?x3xf32>
}

// -----

mlc.model @assign_trainable {
  mlc.param @w : tensor<2xf32> = #mlc.zeros
  %w = mlc.param_ref @w : tensor<2xf32>
  // expected-error @+1 {{'mlc.assign' op assigns @w, a trainable param (the optimizer updates those); declare it with {trainable = false}}}
  mlc.assign @w, %w : tensor<2xf32>
  mlc.output %w : tensor<2xf32>
}

// -----

mlc.model @assign_twice {
  mlc.param @s : tensor<2xf32> = #mlc.zeros {trainable = false}
  %s = mlc.param_ref @s : tensor<2xf32>
  mlc.assign @s, %s : tensor<2xf32>
  // expected-error @+1 {{'mlc.assign' op assigns @s a second time}}
  mlc.assign @s, %s : tensor<2xf32>
  mlc.output %s : tensor<2xf32>
}

// -----

mlc.model @dropout_rate {
  %x = mlc.input "x" : tensor<?x4xf32>
  // expected-error @+1 {{'mlc.dropout' op rate must be in [0, 1), got 1}}
  %d = mlc.dropout %x {rate = 1.0} : tensor<?x4xf32>
  mlc.output %d : tensor<?x4xf32>
}

// -----

mlc.model @batch_norm_channels {
  %x = mlc.input "x" : tensor<?x?xf32>
  // expected-error @+1 {{'mlc.batch_norm' op input needs a batch dimension and a static last (channel) dimension, got 'tensor<?x?xf32>'}}
  %b = mlc.batch_norm %x : tensor<?x?xf32>
  mlc.output %b : tensor<?x?xf32>
}

// -----

mlc.model @depthwise_channels {
  %x = mlc.input "x" : tensor<?x8x8x3xf32>
  %k = mlc.input "k" : tensor<3x3x4x2xf32>
  // expected-error @+1 {{'mlc.depthwise_conv' op kernel 'tensor<3x3x4x2xf32>' is for 4 channels, but input 'tensor<?x8x8x3xf32>' has 3}}
  %y = mlc.depthwise_conv %x, %k : (tensor<?x8x8x3xf32>, tensor<3x3x4x2xf32>) -> tensor<?x6x6x8xf32>
  mlc.output %y : tensor<?x6x6x8xf32>
}

// -----

mlc.model @depthwise_result {
  %x = mlc.input "x" : tensor<?x8x8x3xf32>
  // expected-error @+1 {{'mlc.depthwise_conv2d' op result has type 'tensor<?x6x6x3xf32>', but input 'tensor<?x8x8x3xf32>' with depth_multiplier = 2 gives 'tensor<?x6x6x6xf32>'}}
  %y = mlc.depthwise_conv2d %x {kernel_size = array<i64: 3, 3>, depth_multiplier = 2} : tensor<?x8x8x3xf32> -> tensor<?x6x6x3xf32>
  mlc.output %y : tensor<?x6x6x3xf32>
}

// -----

mlc.model @conv_huge_dilation {
  %x = mlc.input "x" : tensor<?x8x8x3xf32>
  %k = mlc.input "k" : tensor<3x3x3x8xf32>
  // expected-error @+1 {{'mlc.conv' op dilations must be 2 positive numbers (at most 1048576), got [4611686018427387904, 1]}}
  %y = mlc.conv %x, %k {dilations = array<i64: 4611686018427387904, 1>} : (tensor<?x8x8x3xf32>, tensor<3x3x3x8xf32>) -> tensor<?x6x6x8xf32>
  mlc.output %y : tensor<?x6x6x8xf32>
}

// -----

mlc.model @pool_huge_input {
  %x = mlc.input "x" : tensor<?x9223372036854775800x8x3xf32>
  // expected-error @+1 {{'mlc.max_pool' op input 'tensor<?x9223372036854775800x8x3xf32>' is too large (height, width and channels at most 2^31)}}
  %y = mlc.max_pool %x {window = array<i64: 2, 2>, strides = array<i64: 2, 2>} : tensor<?x9223372036854775800x8x3xf32> -> tensor<?x4x4x3xf32>
  mlc.output %y : tensor<?x4x4x3xf32>
}

// -----

mlc.model @conv_filter_grad_mismatch {
  %x = mlc.input "x" : tensor<?x8x8x3xf32>
  %g = mlc.input "g" : tensor<?x5x5x8xf32>
  // expected-error @+1 {{'mlc.conv_filter_grad' op grad has type 'tensor<?x5x5x8xf32>', but the convolution of 'tensor<?x8x8x3xf32>' with 'tensor<3x3x3x8xf32>' gives 'tensor<?x6x6x8xf32>'}}
  %k = mlc.conv_filter_grad %x, %g : (tensor<?x8x8x3xf32>, tensor<?x5x5x8xf32>) -> tensor<3x3x3x8xf32>
  mlc.output %k : tensor<3x3x3x8xf32>
}

// -----

mlc.model @depthwise_input_grad_mismatch {
  %g = mlc.input "g" : tensor<?x6x6x3xf32>
  %k = mlc.input "k" : tensor<3x3x3x2xf32>
  // expected-error @+1 {{'mlc.depthwise_conv_input_grad' op grad has type 'tensor<?x6x6x3xf32>', but the depthwise convolution of 'tensor<?x8x8x3xf32>' with 'tensor<3x3x3x2xf32>' gives 'tensor<?x6x6x6xf32>'}}
  %x = mlc.depthwise_conv_input_grad %g, %k : (tensor<?x6x6x3xf32>, tensor<3x3x3x2xf32>) -> tensor<?x8x8x3xf32>
  mlc.output %x : tensor<?x8x8x3xf32>
}

// -----

mlc.model @depthwise_filter_grad_mismatch {
  %x = mlc.input "x" : tensor<?x8x8x3xf32>
  %g = mlc.input "g" : tensor<?x6x6x3xf32>
  // expected-error @+1 {{'mlc.depthwise_conv_filter_grad' op grad has type 'tensor<?x6x6x3xf32>', but the depthwise convolution of 'tensor<?x8x8x3xf32>' with 'tensor<3x3x3x2xf32>' gives 'tensor<?x6x6x6xf32>'}}
  %k = mlc.depthwise_conv_filter_grad %x, %g : (tensor<?x8x8x3xf32>, tensor<?x6x6x3xf32>) -> tensor<3x3x3x2xf32>
  mlc.output %k : tensor<3x3x3x2xf32>
}

// -----

mlc.model @max_pool_grad_type {
  %g = mlc.input "g" : tensor<?x4x4x3xf32>
  %x = mlc.input "x" : tensor<?x8x8x3xf32>
  // expected-error @+1 {{'mlc.max_pool_grad' op result must have the input's type 'tensor<?x8x8x3xf32>', got 'tensor<?x8x8x2xf32>'}}
  %d = mlc.max_pool_grad %g, %x {window = array<i64: 2, 2>, strides = array<i64: 2, 2>} : (tensor<?x4x4x3xf32>, tensor<?x8x8x3xf32>) -> tensor<?x8x8x2xf32>
  mlc.output %d : tensor<?x8x8x2xf32>
}

// -----

mlc.model @avg_pool_grad_mismatch {
  %g = mlc.input "g" : tensor<?x3x4x3xf32>
  // expected-error @+1 {{'mlc.avg_pool_grad' op grad has type 'tensor<?x3x4x3xf32>', but pooling 'tensor<?x8x8x3xf32>' gives 'tensor<?x4x4x3xf32>'}}
  %d = mlc.avg_pool_grad %g {window = array<i64: 2, 2>, strides = array<i64: 2, 2>} : (tensor<?x3x4x3xf32>) -> tensor<?x8x8x3xf32>
  mlc.output %d : tensor<?x8x8x3xf32>
}

// -----

mlc.model @dropout_mask_state {
  %x = mlc.input "x" : tensor<?x4xf32>
  %s = mlc.input "s" : tensor<3xf32>
  // expected-error @+1 {{'mlc.dropout_mask' op state must be tensor<2xf32>, got 'tensor<3xf32>'}}
  %m = mlc.dropout_mask %s, %x {rate = 0.5, stream = 0} : tensor<3xf32>, tensor<?x4xf32> -> tensor<?x4xf32>
  mlc.output %m : tensor<?x4xf32>
}

// -----

mlc.model @apply_dropout_state {
  %x = mlc.input "x" : tensor<?x4xf64>
  %s = mlc.input "s" : tensor<2xf64>
  // expected-error @+1 {{'mlc.apply_dropout' op state must be tensor<2xf32>, got 'tensor<2xf64>'}}
  %y = mlc.apply_dropout %x, %s {rate = 0.5, stream = 0} : tensor<?x4xf64>, tensor<2xf64>
  mlc.output %y : tensor<?x4xf64>
}

// -----

mlc.model @apply_dropout_rate {
  %x = mlc.input "x" : tensor<?x4xf32>
  %s = mlc.input "s" : tensor<2xf32>
  // expected-error @+1 {{'mlc.apply_dropout' op rate must be in [0, 1), got 1}}
  %y = mlc.apply_dropout %x, %s {rate = 1.0, stream = 0} : tensor<?x4xf32>, tensor<2xf32>
  mlc.output %y : tensor<?x4xf32>
}

// -----

mlc.model @apply_batch_norm_channels {
  %x = mlc.input "x" : tensor<?x4xf32>
  %c = mlc.input "c" : tensor<3xf32>
  // expected-error @+1 {{'mlc.apply_batch_norm' op statistics and scales must be 'tensor<4xf32>' (one per channel of 'tensor<?x4xf32>'), got 'tensor<3xf32>'}}
  %y, %m, %v = mlc.apply_batch_norm %x, %c, %c, %c, %c {epsilon = 1.0e-3, momentum = 0.99} : tensor<?x4xf32>, tensor<3xf32>
  mlc.output %y : tensor<?x4xf32>
}

// -----

mlc.model @slice_out_of_range {
  %x = mlc.input "x" : tensor<?x4xf32>
  // expected-error @+1 {{'mlc.slice' op elements 3 .. 3 + 2 are outside axis 1 of 'tensor<?x4xf32>'}}
  %s = mlc.slice %x axis = 1 start = 3 : tensor<?x4xf32> -> tensor<?x2xf32>
  mlc.output %s : tensor<?x2xf32>
}

// -----

mlc.model @slice_dynamic_size {
  %x = mlc.input "x" : tensor<?x4xf32>
  // expected-error @+1 {{'mlc.slice' op the slice's size along axis 0 must be static and positive, got 'tensor<?x4xf32>'}}
  %s = mlc.slice %x axis = 0 start = 0 : tensor<?x4xf32> -> tensor<?x4xf32>
  mlc.output %s : tensor<?x4xf32>
}

// -----

mlc.model @slice_other_dim {
  %x = mlc.input "x" : tensor<?x4x5xf32>
  // expected-error @+1 {{'mlc.slice' op slice 'tensor<?x1x4xf32>' must keep dimension 2 of 'tensor<?x4x5xf32>' (only axis 1 is sliced)}}
  %s = mlc.slice %x axis = 1 start = 0 : tensor<?x4x5xf32> -> tensor<?x1x4xf32>
  mlc.output %s : tensor<?x1x4xf32>
}

// -----

mlc.model @slice_past_dynamic_end {
  %x = mlc.input "x" : tensor<?x?xf32>
  // expected-error @+1 {{'mlc.slice' op a slice of 3 from -2 would run past the end of axis 1}}
  %s = mlc.slice %x axis = 1 start = -2 : tensor<?x?xf32> -> tensor<?x3xf32>
  mlc.output %s : tensor<?x3xf32>
}

// -----

mlc.model @lstm_rank {
  %x = mlc.input "x" : tensor<?x3xf32>
  // expected-error @+1 {{'mlc.lstm' op input must be (batch, time, features), got 'tensor<?x3xf32>'}}
  %h = mlc.lstm %x {units = 4} : tensor<?x3xf32> -> tensor<?x4xf32>
  mlc.output %h : tensor<?x4xf32>
}

// -----

mlc.model @lstm_results {
  %x = mlc.input "x" : tensor<?x?x3xf32>
  // expected-error @+1 {{'mlc.lstm' op with input 'tensor<?x?x3xf32>', units = 4, return_sequences the results must be ('tensor<?x?x4xf32>'), got ('tensor<?x4xf32>')}}
  %h = mlc.lstm %x {units = 4, return_sequences = true} : tensor<?x?x3xf32> -> tensor<?x4xf32>
  mlc.output %h : tensor<?x4xf32>
}

// -----

mlc.model @lstm_softmax {
  %x = mlc.input "x" : tensor<?x?x3xf32>
  // expected-error @+1 {{'mlc.lstm' op recurrent_activation must be tanh, sigmoid, relu or linear, got softmax}}
  %h = mlc.lstm %x {units = 4, recurrent_activation = #mlc.act<softmax>} : tensor<?x?x3xf32> -> tensor<?x4xf32>
  mlc.output %h : tensor<?x4xf32>
}

// -----

mlc.model @lstm_forget_bias_init {
  %x = mlc.input "x" : tensor<?x?x3xf32>
  // expected-error @+1 {{'mlc.lstm' op unit_forget_bias sets the bias to zeros with ones for the forget gate; with bias_initializer #mlc.ones set unit_forget_bias = false}}
  %h = mlc.lstm %x {units = 4, bias_initializer = #mlc.ones} : tensor<?x?x3xf32> -> tensor<?x4xf32>
  mlc.output %h : tensor<?x4xf32>
}

// -----

mlc.model @lstm_scan_units {
  %z = mlc.input "z" : tensor<?x?x10xf32>
  mlc.param @k : tensor<2x10xf32> = #mlc.zeros
  %k = mlc.param_ref @k : tensor<2x10xf32>
  // expected-error @+1 {{'mlc.lstm_scan' op inputs must be (batch, time, 4 * units) with static units, got 'tensor<?x?x10xf32>'}}
  %hs, %c, %cs, %g = mlc.lstm_scan %z, %k : (tensor<?x?x10xf32>, tensor<2x10xf32>) -> (tensor<?x?x2xf32>, tensor<?x2xf32>, tensor<?x?x2xf32>, tensor<?x?x10xf32>)
  mlc.output %c : tensor<?x2xf32>
}

// -----

mlc.model @lstm_scan_kernel {
  %z = mlc.input "z" : tensor<?x?x8xf32>
  mlc.param @k : tensor<8x2xf32> = #mlc.zeros
  %k = mlc.param_ref @k : tensor<8x2xf32>
  // expected-error @+1 {{'mlc.lstm_scan' op recurrent kernel must be 'tensor<2x8xf32>' for inputs 'tensor<?x?x8xf32>', got 'tensor<8x2xf32>'}}
  %hs, %c, %cs, %g = mlc.lstm_scan %z, %k : (tensor<?x?x8xf32>, tensor<8x2xf32>) -> (tensor<?x?x2xf32>, tensor<?x2xf32>, tensor<?x?x2xf32>, tensor<?x?x8xf32>)
  mlc.output %c : tensor<?x2xf32>
}

// -----

mlc.model @lstm_scan_grad_cells {
  %z = mlc.input "z" : tensor<?x?x8xf32>
  %d = mlc.input "d" : tensor<?x?x3xf32>
  mlc.param @k : tensor<2x8xf32> = #mlc.zeros
  %k = mlc.param_ref @k : tensor<2x8xf32>
  %hs, %c, %cs, %g = mlc.lstm_scan %z, %k : (tensor<?x?x8xf32>, tensor<2x8xf32>) -> (tensor<?x?x2xf32>, tensor<?x2xf32>, tensor<?x?x2xf32>, tensor<?x?x8xf32>)
  // expected-error @+1 {{'mlc.lstm_scan_grad' op cells must be 'tensor<?x?x2xf32>', got 'tensor<?x?x3xf32>'}}
  %dz, %dk = mlc.lstm_scan_grad %hs, %c, %k, %hs, %d, %g : (tensor<?x?x2xf32>, tensor<?x2xf32>, tensor<2x8xf32>, tensor<?x?x2xf32>, tensor<?x?x3xf32>, tensor<?x?x8xf32>) -> (tensor<?x?x8xf32>, tensor<2x8xf32>)
  mlc.output %dk : tensor<2x8xf32>
}

// -----

mlc.model @reshape_merge_inner {
  %x = mlc.input "x" : tensor<?x?x8xf32>
  // expected-error @+1 {{'mlc.reshape' op with more than one dynamic dimension, a reshape may only insert or remove size-1 dimensions, got input 'tensor<?x?x8xf32>' and result 'tensor<?x?xf32>'}}
  %r = mlc.reshape %x : tensor<?x?x8xf32> -> tensor<?x?xf32>
  mlc.output %r : tensor<?x?xf32>
}

// -----

mlc.model @embedding_float_ids {
  %t = mlc.input "t" : tensor<?x4xf32>
  // expected-error @+1 {{'mlc.embedding' op operand #0 must be ranked tensor of signless integer values, but got 'tensor<?x4xf32>'}}
  %e = mlc.embedding %t {input_dim = 10, output_dim = 2} : tensor<?x4xf32> -> tensor<?x4x2xf32>
  mlc.output %e : tensor<?x4x2xf32>
}

// -----

mlc.model @embedding_result {
  %t = mlc.input "t" : tensor<?x4xi32>
  // expected-error @+1 {{'mlc.embedding' op result has type 'tensor<?x4x3xf32>', but input 'tensor<?x4xi32>' with output_dim = 2 gives 'tensor<?x4x2xf32>'}}
  %e = mlc.embedding %t {input_dim = 10, output_dim = 2} : tensor<?x4xi32> -> tensor<?x4x3xf32>
  mlc.output %e : tensor<?x4x3xf32>
}

// -----

mlc.model @gather_dynamic_table {
  %t = mlc.input "t" : tensor<?x4xi32>
  %w = mlc.input "w" : tensor<?x2xf32>
  // expected-error @+1 {{'mlc.gather' op table must be a static (rows, width) matrix, got 'tensor<?x2xf32>'}}
  %e = mlc.gather %w, %t : (tensor<?x2xf32>, tensor<?x4xi32>) -> tensor<?x4x2xf32>
  mlc.output %e : tensor<?x4x2xf32>
}

// -----

mlc.model @gather_grad_width {
  %t = mlc.input "t" : tensor<?x4xi32>
  %g = mlc.input "g" : tensor<?x4x3xf32>
  // expected-error @+1 {{'mlc.gather_grad' op gradient must be 'tensor<?x4x2xf32>' for indices 'tensor<?x4xi32>' and table 'tensor<10x2xf32>', got 'tensor<?x4x3xf32>'}}
  %d = mlc.gather_grad %g, %t : (tensor<?x4x3xf32>, tensor<?x4xi32>) -> tensor<10x2xf32>
  mlc.output %d : tensor<10x2xf32>
}

// -----

mlc.model @gru_states {
  %x = mlc.input "x" : tensor<?x?x3xf32>
  // expected-error @+1 {{'mlc.gru' op with input 'tensor<?x?x3xf32>', units = 4, return_state the results must be ('tensor<?x4xf32>', 'tensor<?x4xf32>'), got ('tensor<?x4xf32>', 'tensor<?x4xf32>', 'tensor<?x4xf32>')}}
  %h, %s, %c = mlc.gru %x {units = 4, return_state = true} : tensor<?x?x3xf32> -> tensor<?x4xf32>, tensor<?x4xf32>, tensor<?x4xf32>
  mlc.output %h : tensor<?x4xf32>
}

// -----

mlc.model @gru_scan_bias {
  %z = mlc.input "z" : tensor<?x?x6xf32>
  mlc.param @k : tensor<2x6xf32> = #mlc.zeros
  mlc.param @c : tensor<2xf32> = #mlc.zeros
  %k = mlc.param_ref @k : tensor<2x6xf32>
  %c = mlc.param_ref @c : tensor<2xf32>
  // expected-error @+1 {{'mlc.gru_scan' op recurrent bias must be 'tensor<6xf32>' for inputs 'tensor<?x?x6xf32>', got 'tensor<2xf32>'}}
  %hs, %g, %rh = mlc.gru_scan %z, %k, %c : (tensor<?x?x6xf32>, tensor<2x6xf32>, tensor<2xf32>) -> (tensor<?x?x2xf32>, tensor<?x?x6xf32>, tensor<?x?x2xf32>)
  mlc.output %hs : tensor<?x?x2xf32>
}

// -----

mlc.model @concat_other_dim {
  %a = mlc.input "a" : tensor<?x2xf32>
  %b = mlc.input "b" : tensor<?x3x1xf32>
  // expected-error @+1 {{'mlc.concat' op inputs must have one element type and rank, got 'tensor<?x2xf32>' and 'tensor<?x3x1xf32>'}}
  %c = mlc.concat %a, %b axis = 1 : (tensor<?x2xf32>, tensor<?x3x1xf32>) -> tensor<?x5xf32>
  mlc.output %c : tensor<?x5xf32>
}

// -----

mlc.model @concat_dynamic_axis {
  %a = mlc.input "a" : tensor<?x2xf32>
  // expected-error @+1 {{'mlc.concat' op input 'tensor<?x2xf32>' must have a static size along axis 0}}
  %c = mlc.concat %a, %a axis = 0 : (tensor<?x2xf32>, tensor<?x2xf32>) -> tensor<?x2xf32>
  mlc.output %c : tensor<?x2xf32>
}

// -----

mlc.model @where_broadcast {
  %m = mlc.input "m" : tensor<?x3xi32>
  %a = mlc.input "a" : tensor<?x4xf32>
  // expected-error @+1 {{'mlc.where' op condition 'tensor<?x3xi32>', lhs 'tensor<?x4xf32>' and rhs 'tensor<?x4xf32>' do not broadcast together}}
  %w = mlc.where %m, %a, %a : (tensor<?x3xi32>, tensor<?x4xf32>, tensor<?x4xf32>) -> tensor<?x4xf32>
  mlc.output %w : tensor<?x4xf32>
}

// -----

mlc.model @split_sizes {
  %x = mlc.input "x" : tensor<?x5xf32>
  // expected-error @+1 {{'mlc.split' op parts add up to 4 along axis 1, but the input 'tensor<?x5xf32>' has 5}}
  %a, %b = mlc.split %x axis = 1 : tensor<?x5xf32> -> tensor<?x2xf32>, tensor<?x2xf32>
  mlc.output %a : tensor<?x2xf32>
}

// -----

mlc.model @layer_norm_epsilon {
  %x = mlc.input "x" : tensor<?x5xf32>
  // expected-error @+1 {{'mlc.layer_norm' op epsilon must be positive, got 0}}
  %y = mlc.layer_norm %x {epsilon = 0.0} : tensor<?x5xf32>
  mlc.output %y : tensor<?x5xf32>
}

// -----

mlc.model @attention_heads {
  %x = mlc.input "x" : tensor<?x?x6xf32>
  // expected-error @+1 {{'mlc.attention' op query 'tensor<?x?x6xf32>' and key 'tensor<?x?x6xf32>' need one width and, like value 'tensor<?x?x6xf32>', a multiple of num_heads = 4}}
  %a = mlc.attention %x, %x, %x {num_heads = 4, scale = 0.5} : (tensor<?x?x6xf32>, tensor<?x?x6xf32>, tensor<?x?x6xf32>) -> tensor<?x?x6xf32>
  mlc.output %a : tensor<?x?x6xf32>
}

// -----

mlc.model @attention_lengths {
  %k = mlc.input "k" : tensor<?x5x4xf32>
  %v = mlc.input "v" : tensor<?x6x4xf32>
  // expected-error @+1 {{'mlc.attention' op query 'tensor<?x5x4xf32>', key 'tensor<?x5x4xf32>' and value 'tensor<?x6x4xf32>' need one batch size, and key and value one length}}
  %a = mlc.attention %k, %k, %v {num_heads = 2, scale = 0.5} : (tensor<?x5x4xf32>, tensor<?x5x4xf32>, tensor<?x6x4xf32>) -> tensor<?x5x4xf32>
  mlc.output %a : tensor<?x5x4xf32>
}

// -----

mlc.model @attention_rank {
  %x = mlc.input "x" : tensor<?x4xf32>
  // expected-error @+1 {{'mlc.attention' op query must be (batch, time, features) with static features, got 'tensor<?x4xf32>'}}
  %a = mlc.attention %x, %x, %x {num_heads = 2, scale = 0.5} : (tensor<?x4xf32>, tensor<?x4xf32>, tensor<?x4xf32>) -> tensor<?x4xf32>
  mlc.output %a : tensor<?x4xf32>
}

// -----

mlc.model @attention_result {
  %x = mlc.input "x" : tensor<?x3x4xf32>
  %v = mlc.input "v" : tensor<?x3x2xf32>
  // expected-error @+1 {{'mlc.attention' op result has type 'tensor<?x3x4xf32>', but query 'tensor<?x3x4xf32>' and value 'tensor<?x3x2xf32>' gives 'tensor<?x3x2xf32>'}}
  %a = mlc.attention %x, %x, %v {num_heads = 2, scale = 0.5} : (tensor<?x3x4xf32>, tensor<?x3x4xf32>, tensor<?x3x2xf32>) -> tensor<?x3x4xf32>
  mlc.output %a : tensor<?x3x4xf32>
}

// -----

mlc.model @attention_grad_type {
  %x = mlc.input "x" : tensor<?x3x4xf32>
  %g = mlc.input "g" : tensor<?x3x2xf32>
  // expected-error @+1 {{'mlc.attention_grad' op the result's gradient must be 'tensor<?x3x4xf32>', got 'tensor<?x3x2xf32>'}}
  %dq, %dk, %dv = mlc.attention_grad %x, %x, %x, %g {num_heads = 2, scale = 0.5} : (tensor<?x3x4xf32>, tensor<?x3x4xf32>, tensor<?x3x4xf32>, tensor<?x3x2xf32>) -> (tensor<?x3x4xf32>, tensor<?x3x4xf32>, tensor<?x3x4xf32>)
  mlc.output %dq : tensor<?x3x4xf32>
}

// -----

mlc.model @mha_key_length {
  %q = mlc.input "q" : tensor<?x3x4xf32>
  %k = mlc.input "k" : tensor<?x5x4xf32>
  %v = mlc.input "v" : tensor<?x6x4xf32>
  // expected-error @+1 {{'mlc.multi_head_attention' op key 'tensor<?x5x4xf32>' and value 'tensor<?x6x4xf32>' must have one length}}
  %a = mlc.multi_head_attention %q, %v, %k {num_heads = 2, key_dim = 2} : (tensor<?x3x4xf32>, tensor<?x6x4xf32>, tensor<?x5x4xf32>) -> tensor<?x3x4xf32>
  mlc.output %a : tensor<?x3x4xf32>
}

// -----

mlc.model @mha_result {
  %q = mlc.input "q" : tensor<?x3x4xf32>
  // expected-error @+1 {{'mlc.multi_head_attention' op result has type 'tensor<?x3x8xf32>', but query 'tensor<?x3x4xf32>' gives 'tensor<?x3x4xf32>'}}
  %a = mlc.multi_head_attention %q, %q {num_heads = 2, key_dim = 2} : (tensor<?x3x4xf32>, tensor<?x3x4xf32>) -> tensor<?x3x8xf32>
  mlc.output %a : tensor<?x3x8xf32>
}

// -----

mlc.model @position_embedding_rank {
  %x = mlc.input "x" : tensor<?x4xf32>
  // expected-error @+1 {{'mlc.position_embedding' op input must be (batch, time, features) with static features, got 'tensor<?x4xf32>'}}
  %p = mlc.position_embedding %x {sequence_length = 8} : tensor<?x4xf32>
  mlc.output %p : tensor<?x4xf32>
}

// -----

mlc.model @iota_shape {
  %x = mlc.input "x" : tensor<?x4x3xf32>
  // expected-error @+1 {{'mlc.iota' op result 'tensor<?x5xi32>' must have the leading dimensions of 'tensor<?x4x3xf32>'}}
  %i = mlc.iota %x axis = 1 : tensor<?x4x3xf32> -> tensor<?x5xi32>
  mlc.output %i : tensor<?x5xi32>
}

// -----

mlc.model @iota_axis {
  %x = mlc.input "x" : tensor<?x4x3xf32>
  // expected-error @+1 {{'mlc.iota' op axis 2 is out of range for 'tensor<?x4xi32>'}}
  %i = mlc.iota %x axis = 2 : tensor<?x4x3xf32> -> tensor<?x4xi32>
  mlc.output %i : tensor<?x4xi32>
}
