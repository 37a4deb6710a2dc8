// Round trip of every op and attribute: print, parse the printed form again,
// and also go through the generic form.
// RUN: mlc-opt %s | mlc-opt | FileCheck %s
// RUN: mlc-opt %s --mlir-print-op-generic | mlc-opt | FileCheck %s

// CHECK-LABEL: mlc.model @structure
// CHECK:         %[[X:.*]] = mlc.input "image" : tensor<?x28x28xf32>
// CHECK:         %[[L:.*]] = mlc.input "label" : tensor<?xi32>
// CHECK:         mlc.param @w : tensor<784x10xf32> = #mlc.glorot_uniform
// CHECK:         mlc.param @b : tensor<10xf32> = #mlc.zeros
// CHECK:         mlc.param @p0 : tensor<2xf32> = #mlc.ones
// CHECK:         mlc.param @p1 : tensor<2xf32> = #mlc.constant<0.5>
// CHECK:         mlc.param @p2 : tensor<2xf32> = #mlc.uniform
// CHECK:         mlc.param @p3 : tensor<2xf32> = #mlc.uniform<minval = -1.0, maxval = 1.0>
// CHECK:         mlc.param @p4 : tensor<2xf32> = #mlc.normal<mean = 1.0, stddev = 0.01>
// CHECK:         mlc.param @p5 : tensor<2x2xf32> = #mlc.glorot_normal
// CHECK:         mlc.param @p6 : tensor<3x3x1x8xf32> = #mlc.he_uniform
// CHECK:         mlc.param @p7 : tensor<3x3x8x8xf32> = #mlc.he_normal
// CHECK:         %[[F:.*]] = mlc.flatten %[[X]] : tensor<?x28x28xf32> -> tensor<?x784xf32>
// CHECK:         %[[D:.*]] = mlc.dense %[[F]] {activation = #mlc.act<relu>, kernel_initializer = #mlc.he_normal, name = "hidden", units = 10 : i64, use_bias = false}
// CHECK:         %[[W:.*]] = mlc.param_ref @w : tensor<784x10xf32>
// CHECK:         mlc.output %[[D]], %[[W]] : tensor<?x10xf32>, tensor<784x10xf32>
// CHECK:       } {loss = #mlc.loss<sparse_categorical_crossentropy>, optimizer = #mlc.adam<learning_rate = 0.01>}
mlc.model @structure {
  %x = mlc.input "image" : tensor<?x28x28xf32>
  %l = mlc.input "label" : tensor<?xi32>
  mlc.param @w : tensor<784x10xf32> = #mlc.glorot_uniform
  mlc.param @b : tensor<10xf32> = #mlc.zeros
  mlc.param @p0 : tensor<2xf32> = #mlc.ones
  mlc.param @p1 : tensor<2xf32> = #mlc.constant<0.5>
  mlc.param @p2 : tensor<2xf32> = #mlc.uniform
  mlc.param @p3 : tensor<2xf32> = #mlc.uniform<minval = -1.0, maxval = 1.0>
  mlc.param @p4 : tensor<2xf32> = #mlc.normal<mean = 1.0, stddev = 1.0e-2>
  mlc.param @p5 : tensor<2x2xf32> = #mlc.glorot_normal
  mlc.param @p6 : tensor<3x3x1x8xf32> = #mlc.he_uniform
  mlc.param @p7 : tensor<3x3x8x8xf32> = #mlc.he_normal
  %f = mlc.flatten %x : tensor<?x28x28xf32> -> tensor<?x784xf32>
  %d = mlc.dense %f {units = 10, activation = #mlc.act<relu>, use_bias = false,
                     name = "hidden", kernel_initializer = #mlc.he_normal}
      : tensor<?x784xf32> -> tensor<?x10xf32>
  %w = mlc.param_ref @w : tensor<784x10xf32>
  mlc.output %d, %w : tensor<?x10xf32>, tensor<784x10xf32>
} {loss = #mlc.loss<sparse_categorical_crossentropy>,
   optimizer = #mlc.adam<learning_rate = 0.01>}

// CHECK-LABEL: mlc.model @core_ops
// CHECK: mlc.constant dense<1.000000e+00> : tensor<4xf32>
// CHECK: mlc.matmul %{{.*}}, %{{.*}} : (tensor<?x4xf32>, tensor<4x3xf32>) -> tensor<?x3xf32>
// CHECK: mlc.matmul %{{.*}}, %{{.*}} {transpose_lhs} : (tensor<?x4xf32>, tensor<?x3xf32>) -> tensor<4x3xf32>
// CHECK: mlc.matmul %{{.*}}, %{{.*}} {transpose_rhs} : (tensor<2x5x4xf32>, tensor<3x4xf32>) -> tensor<2x5x3xf32>
// CHECK: mlc.add %{{.*}}, %{{.*}} : (tensor<?x4xf32>, tensor<4xf32>) -> tensor<?x4xf32>
// CHECK: mlc.sub %{{.*}}, %{{.*}} : (tensor<?x4xf32>, tensor<?x1xf32>) -> tensor<?x4xf32>
// CHECK: mlc.mul %{{.*}}, %{{.*}} : (tensor<?x4xf32>, tensor<f32>) -> tensor<?x4xf32>
// CHECK: mlc.div %{{.*}}, %{{.*}} : (tensor<1x4xf32>, tensor<?x1xf32>) -> tensor<?x4xf32>
// CHECK: mlc.neg %{{.*}} : tensor<?x4xf32>
// CHECK: mlc.exp %{{.*}} : tensor<?x4xf32>
// CHECK: mlc.log %{{.*}} : tensor<?x4xf32>
// CHECK: mlc.sqrt %{{.*}} : tensor<?x4xf32>
// CHECK: mlc.relu %{{.*}} : tensor<?x4xf32>
// CHECK: mlc.sigmoid %{{.*}} : tensor<?x4xf32>
// CHECK: mlc.tanh %{{.*}} : tensor<?x4xf32>
// CHECK: mlc.softmax %{{.*}} : tensor<?x4xf32>
// CHECK: mlc.softmax %{{.*}} {axis = 0 : i64} : tensor<?x4xf32>
// CHECK: mlc.log_softmax %{{.*}} : tensor<?x4xf32>
// CHECK: mlc.reduce_sum %{{.*}} axes = [1] : tensor<?x4xf32> -> tensor<?xf32>
// CHECK: mlc.reduce_mean %{{.*}} axes = [] : tensor<?x4xf32> -> tensor<f32>
// CHECK: mlc.reduce_max %{{.*}} axes = [-1] keepdims : tensor<?x4xf32> -> tensor<?x1xf32>
// CHECK: mlc.reshape %{{.*}} : tensor<?x4xf32> -> tensor<?x2x2xf32>
// CHECK: mlc.transpose %{{.*}} perm = [1, 0] : tensor<?x4xf32> -> tensor<4x?xf32>
// CHECK: mlc.broadcast_to %{{.*}} : tensor<4xf32> -> tensor<3x4xf32>
mlc.model @core_ops {
  %x = mlc.input "x" : tensor<?x4xf32>
  %c = mlc.input "c" : tensor<?x1xf32>
  %r = mlc.input "r" : tensor<1x4xf32>
  %y = mlc.input "y" : tensor<?x3xf32>
  %b3 = mlc.input "b3" : tensor<2x5x4xf32>
  mlc.param @k : tensor<4x3xf32> = #mlc.glorot_uniform
  mlc.param @s : tensor<f32> = #mlc.ones
  %k = mlc.param_ref @k : tensor<4x3xf32>
  %s = mlc.param_ref @s : tensor<f32>
  %k34 = mlc.constant dense<1.0> : tensor<3x4xf32>
  %one = mlc.constant dense<1.0> : tensor<4xf32>
  %m0 = mlc.matmul %x, %k : (tensor<?x4xf32>, tensor<4x3xf32>) -> tensor<?x3xf32>
  %m1 = mlc.matmul %x, %y {transpose_lhs} : (tensor<?x4xf32>, tensor<?x3xf32>) -> tensor<4x3xf32>
  %m2 = mlc.matmul %b3, %k34 {transpose_rhs} : (tensor<2x5x4xf32>, tensor<3x4xf32>) -> tensor<2x5x3xf32>
  %a = mlc.add %x, %one : (tensor<?x4xf32>, tensor<4xf32>) -> tensor<?x4xf32>
  %sb = mlc.sub %a, %c : (tensor<?x4xf32>, tensor<?x1xf32>) -> tensor<?x4xf32>
  %ml = mlc.mul %sb, %s : (tensor<?x4xf32>, tensor<f32>) -> tensor<?x4xf32>
  %dv = mlc.div %r, %c : (tensor<1x4xf32>, tensor<?x1xf32>) -> tensor<?x4xf32>
  %n = mlc.neg %ml : tensor<?x4xf32>
  %e = mlc.exp %n : tensor<?x4xf32>
  %lg = mlc.log %e : tensor<?x4xf32>
  %sq = mlc.sqrt %lg : tensor<?x4xf32>
  %re = mlc.relu %sq : tensor<?x4xf32>
  %sg = mlc.sigmoid %re : tensor<?x4xf32>
  %th = mlc.tanh %sg : tensor<?x4xf32>
  %sm = mlc.softmax %th : tensor<?x4xf32>
  %sm0 = mlc.softmax %sm {axis = 0} : tensor<?x4xf32>
  %ls = mlc.log_softmax %sm0 {axis = -1} : tensor<?x4xf32>
  %rs = mlc.reduce_sum %ls axes = [1] : tensor<?x4xf32> -> tensor<?xf32>
  %rm = mlc.reduce_mean %ls axes = [] : tensor<?x4xf32> -> tensor<f32>
  %rx = mlc.reduce_max %ls axes = [-1] keepdims : tensor<?x4xf32> -> tensor<?x1xf32>
  %rh = mlc.reshape %dv : tensor<?x4xf32> -> tensor<?x2x2xf32>
  %tp = mlc.transpose %dv perm = [1, 0] : tensor<?x4xf32> -> tensor<4x?xf32>
  %bc = mlc.broadcast_to %one : tensor<4xf32> -> tensor<3x4xf32>
  mlc.output %m0, %m1, %m2, %rs, %rm, %rx, %rh, %tp, %bc
      : tensor<?x3xf32>, tensor<4x3xf32>, tensor<2x5x3xf32>, tensor<?xf32>,
        tensor<f32>, tensor<?x1xf32>, tensor<?x2x2xf32>, tensor<4x?xf32>,
        tensor<3x4xf32>
}

// CHECK-LABEL: mlc.model @losses
// CHECK: mlc.mse %{{.*}}, %{{.*}} : (tensor<?x1xf32>, tensor<?x1xf32>) -> tensor<f32>
// CHECK: mlc.categorical_crossentropy %{{.*}}, %{{.*}} : (tensor<?x10xf32>, tensor<?x10xf32>) -> tensor<f32>
// CHECK: mlc.categorical_crossentropy %{{.*}}, %{{.*}} {from_logits} : (tensor<?x10xf32>, tensor<?x10xf32>) -> tensor<f32>
// CHECK: mlc.sparse_categorical_crossentropy %{{.*}}, %{{.*}} : (tensor<?x10xf32>, tensor<?xi32>) -> tensor<f32>
// CHECK: mlc.sparse_categorical_crossentropy %{{.*}}, %{{.*}} {from_logits} : (tensor<?x10xf32>, tensor<?xi64>) -> tensor<f32>
// CHECK: mlc.binary_crossentropy %{{.*}}, %{{.*}} {from_logits} : (tensor<?x1xf32>, tensor<?x1xf32>) -> tensor<f32>
// CHECK: } {loss = #mlc.loss<binary_crossentropy, from_logits = true>, optimizer = #mlc.sgd<learning_rate = 0.1, momentum = 0.9, nesterov = true>}
mlc.model @losses {
  %p = mlc.input "p" : tensor<?x1xf32>
  %t = mlc.input "t" : tensor<?x1xf32>
  %q = mlc.input "q" : tensor<?x10xf32>
  %u = mlc.input "u" : tensor<?x10xf32>
  %i = mlc.input "i" : tensor<?xi32>
  %j = mlc.input "j" : tensor<?xi64>
  %l0 = mlc.mse %p, %t : (tensor<?x1xf32>, tensor<?x1xf32>) -> tensor<f32>
  %l1 = mlc.categorical_crossentropy %q, %u : (tensor<?x10xf32>, tensor<?x10xf32>) -> tensor<f32>
  %l2 = mlc.categorical_crossentropy %q, %u {from_logits} : (tensor<?x10xf32>, tensor<?x10xf32>) -> tensor<f32>
  %l3 = mlc.sparse_categorical_crossentropy %q, %i : (tensor<?x10xf32>, tensor<?xi32>) -> tensor<f32>
  %l4 = mlc.sparse_categorical_crossentropy %q, %j {from_logits} : (tensor<?x10xf32>, tensor<?xi64>) -> tensor<f32>
  %l5 = mlc.binary_crossentropy %p, %t {from_logits} : (tensor<?x1xf32>, tensor<?x1xf32>) -> tensor<f32>
  mlc.output %p, %l0, %l1, %l2, %l3, %l4, %l5
      : tensor<?x1xf32>, tensor<f32>, tensor<f32>, tensor<f32>, tensor<f32>, tensor<f32>, tensor<f32>
} {loss = #mlc.loss<binary_crossentropy, from_logits = true>,
   optimizer = #mlc.sgd<learning_rate = 0.1, momentum = 0.9, nesterov = true>}

// CHECK-LABEL: mlc.model @optimizers_adamw
// CHECK: } {loss = #mlc.loss<mse>, optimizer = #mlc.adamw<weight_decay = 0.01, beta_2 = 0.99>}
mlc.model @optimizers_adamw {
  %p = mlc.input "p" : tensor<?x1xf32>
  mlc.output %p : tensor<?x1xf32>
} {loss = #mlc.loss<mse>, optimizer = #mlc.adamw<weight_decay = 0.01, beta_2 = 0.99>}

// CHECK-LABEL: mlc.model @precision_bf16
// CHECK: } {loss = #mlc.loss<mse>, optimizer = #mlc.sgd, precision = "bf16"}
mlc.model @precision_bf16 {
  %p = mlc.input "p" : tensor<?x1xf32>
  mlc.output %p : tensor<?x1xf32>
} {loss = #mlc.loss<mse>, optimizer = #mlc.sgd, precision = "bf16"}

// CHECK-LABEL: mlc.model @schedules_exponential
// CHECK: } {lr_schedule = #mlc.exponential_decay<decay_steps = 100, decay_rate = 0.5, staircase = true>, optimizer = #mlc.sgd}
mlc.model @schedules_exponential {
  %p = mlc.input "p" : tensor<?x1xf32>
  mlc.output %p : tensor<?x1xf32>
} {optimizer = #mlc.sgd,
   lr_schedule = #mlc.exponential_decay<decay_steps = 100, decay_rate = 0.5, staircase = true>}

// CHECK-LABEL: mlc.model @schedules_cosine
// CHECK: } {lr_schedule = #mlc.cosine_decay<decay_steps = 1000, alpha = 0.1, warmup_steps = 10, warmup_target = 0.01>, optimizer = #mlc.adam}
mlc.model @schedules_cosine {
  %p = mlc.input "p" : tensor<?x1xf32>
  mlc.output %p : tensor<?x1xf32>
} {optimizer = #mlc.adam,
   lr_schedule = #mlc.cosine_decay<decay_steps = 1000, alpha = 0.1, warmup_steps = 10, warmup_target = 0.01>}

// CHECK-LABEL: mlc.model @schedules_cosine_defaults
// CHECK: } {lr_schedule = #mlc.cosine_decay<decay_steps = 1000>, optimizer = #mlc.adam}
mlc.model @schedules_cosine_defaults {
  %p = mlc.input "p" : tensor<?x1xf32>
  mlc.output %p : tensor<?x1xf32>
} {optimizer = #mlc.adam, lr_schedule = #mlc.cosine_decay<decay_steps = 1000>}

// CHECK-LABEL: mlc.model @optimizers_rmsprop
// CHECK: } {loss = #mlc.loss<categorical_crossentropy, from_logits = true>, optimizer = #mlc.rmsprop<rho = 0.95, momentum = 0.5, epsilon = 1.0e-06, centered = true>}
mlc.model @optimizers_rmsprop {
  %p = mlc.input "p" : tensor<?x10xf32>
  mlc.output %p : tensor<?x10xf32>
} {loss = #mlc.loss<categorical_crossentropy, from_logits = true>,
   optimizer = #mlc.rmsprop<rho = 0.95, momentum = 0.5, epsilon = 1.0e-6, centered = true>}

// Activations: every enum value parses and prints.
// CHECK-LABEL: mlc.model @activations
// CHECK: } {act_linear = #mlc.act<linear>
// CHECK-SAME: act_log_softmax = #mlc.act<log_softmax>
// CHECK-SAME: act_relu = #mlc.act<relu>
// CHECK-SAME: act_sigmoid = #mlc.act<sigmoid>
// CHECK-SAME: act_softmax = #mlc.act<softmax>
// CHECK-SAME: act_tanh = #mlc.act<tanh>
mlc.model @activations {
  %p = mlc.input "p" : tensor<?x10xf32>
  mlc.output %p : tensor<?x10xf32>
} {act_linear = #mlc.act<linear>, act_relu = #mlc.act<relu>,
   act_sigmoid = #mlc.act<sigmoid>, act_tanh = #mlc.act<tanh>,
   act_softmax = #mlc.act<softmax>, act_log_softmax = #mlc.act<log_softmax>}

// CHECK-LABEL: mlc.model @windows
// CHECK:         mlc.conv2d %{{.*}} {activation = #mlc.act<relu>, dilation_rate = array<i64: 1, 2>, filters = 4 : i64, kernel_size = array<i64: 3, 3>, padding = "same", strides = array<i64: 2, 1>} : tensor<?x8x8x2xf32> -> tensor<?x4x8x4xf32>
// CHECK:         mlc.max_pool2d %{{.*}} {pool_size = array<i64: 3, 3>, strides = array<i64: 1, 1>} : tensor<?x4x8x4xf32> -> tensor<?x2x6x4xf32>
// CHECK:         mlc.avg_pool2d %{{.*}} {padding = "same"} : tensor<?x2x6x4xf32> -> tensor<?x1x3x4xf32>
// CHECK:         mlc.global_avg_pool2d %{{.*}} {keepdims} : tensor<?x1x3x4xf32> -> tensor<?x1x1x4xf32>
// CHECK:         %[[C:.*]] = mlc.conv %{{.*}}, %[[K:.*]] {dilations = array<i64: 2, 1>, pads = array<i64: 2, 2, 0, 1>, strides = array<i64: 1, 2>} : (tensor<?x8x8x2xf32>, tensor<3x2x2x4xf32>) -> tensor<?x8x4x4xf32>
// CHECK:         mlc.conv_input_grad %[[C]], %[[K]] {dilations = array<i64: 2, 1>, pads = array<i64: 2, 2, 0, 1>, strides = array<i64: 1, 2>} : (tensor<?x8x4x4xf32>, tensor<3x2x2x4xf32>) -> tensor<?x8x8x2xf32>
// CHECK:         mlc.conv_filter_grad %{{.*}}, %[[C]] {dilations = array<i64: 2, 1>, pads = array<i64: 2, 2, 0, 1>, strides = array<i64: 1, 2>} : (tensor<?x8x8x2xf32>, tensor<?x8x4x4xf32>) -> tensor<3x2x2x4xf32>
// CHECK:         %[[M:.*]] = mlc.max_pool %{{.*}} {pads = array<i64: 0, 1, 0, 1>, strides = array<i64: 2, 2>, window = array<i64: 2, 2>} : tensor<?x8x8x2xf32> -> tensor<?x4x4x2xf32>
// CHECK:         mlc.max_pool_grad %[[M]], %{{.*}} {pads = array<i64: 0, 1, 0, 1>, strides = array<i64: 2, 2>, window = array<i64: 2, 2>} : (tensor<?x4x4x2xf32>, tensor<?x8x8x2xf32>) -> tensor<?x8x8x2xf32>
// CHECK:         %[[A:.*]] = mlc.avg_pool %{{.*}} {window = array<i64: 2, 2>} : tensor<?x8x8x2xf32> -> tensor<?x7x7x2xf32>
// CHECK:         mlc.avg_pool_grad %[[A]] {window = array<i64: 2, 2>} : (tensor<?x7x7x2xf32>) -> tensor<?x8x8x2xf32>
// CHECK:         mlc.depthwise_conv2d %{{.*}} {depth_multiplier = 2 : i64, kernel_size = array<i64: 3, 3>} : tensor<?x8x8x2xf32> -> tensor<?x6x6x4xf32>
// CHECK:         %[[D:.*]] = mlc.depthwise_conv %{{.*}}, %{{.*}} : (tensor<?x8x8x2xf32>, tensor<3x2x2x2xf32>) -> tensor<?x6x7x4xf32>
// CHECK:         mlc.depthwise_conv_input_grad %[[D]], %{{.*}} : (tensor<?x6x7x4xf32>, tensor<3x2x2x2xf32>) -> tensor<?x8x8x2xf32>
// CHECK:         mlc.depthwise_conv_filter_grad %{{.*}}, %[[D]] : (tensor<?x8x8x2xf32>, tensor<?x6x7x4xf32>) -> tensor<3x2x2x2xf32>
mlc.model @windows {
  %x = mlc.input "x" : tensor<?x8x8x2xf32>
  %k = mlc.input "k" : tensor<3x2x2x4xf32>
  %c2 = mlc.conv2d %x {filters = 4, kernel_size = array<i64: 3, 3>, strides = array<i64: 2, 1>, dilation_rate = array<i64: 1, 2>, padding = "same", activation = #mlc.act<relu>} : tensor<?x8x8x2xf32> -> tensor<?x4x8x4xf32>
  %mp = mlc.max_pool2d %c2 {pool_size = array<i64: 3, 3>, strides = array<i64: 1, 1>} : tensor<?x4x8x4xf32> -> tensor<?x2x6x4xf32>
  %ap = mlc.avg_pool2d %mp {padding = "same"} : tensor<?x2x6x4xf32> -> tensor<?x1x3x4xf32>
  %gp = mlc.global_avg_pool2d %ap {keepdims} : tensor<?x1x3x4xf32> -> tensor<?x1x1x4xf32>
  %c = mlc.conv %x, %k {strides = array<i64: 1, 2>, dilations = array<i64: 2, 1>, pads = array<i64: 2, 2, 0, 1>} : (tensor<?x8x8x2xf32>, tensor<3x2x2x4xf32>) -> tensor<?x8x4x4xf32>
  %gx = mlc.conv_input_grad %c, %k {strides = array<i64: 1, 2>, dilations = array<i64: 2, 1>, pads = array<i64: 2, 2, 0, 1>} : (tensor<?x8x4x4xf32>, tensor<3x2x2x4xf32>) -> tensor<?x8x8x2xf32>
  %gk = mlc.conv_filter_grad %x, %c {strides = array<i64: 1, 2>, dilations = array<i64: 2, 1>, pads = array<i64: 2, 2, 0, 1>} : (tensor<?x8x8x2xf32>, tensor<?x8x4x4xf32>) -> tensor<3x2x2x4xf32>
  %m = mlc.max_pool %x {window = array<i64: 2, 2>, strides = array<i64: 2, 2>, pads = array<i64: 0, 1, 0, 1>} : tensor<?x8x8x2xf32> -> tensor<?x4x4x2xf32>
  %gm = mlc.max_pool_grad %m, %x {window = array<i64: 2, 2>, strides = array<i64: 2, 2>, pads = array<i64: 0, 1, 0, 1>} : (tensor<?x4x4x2xf32>, tensor<?x8x8x2xf32>) -> tensor<?x8x8x2xf32>
  %a = mlc.avg_pool %x {window = array<i64: 2, 2>} : tensor<?x8x8x2xf32> -> tensor<?x7x7x2xf32>
  %ga = mlc.avg_pool_grad %a {window = array<i64: 2, 2>} : (tensor<?x7x7x2xf32>) -> tensor<?x8x8x2xf32>
  %dl = mlc.depthwise_conv2d %x {kernel_size = array<i64: 3, 3>, depth_multiplier = 2} : tensor<?x8x8x2xf32> -> tensor<?x6x6x4xf32>
  %dk = mlc.constant dense<0.5> : tensor<3x2x2x2xf32>
  %d = mlc.depthwise_conv %x, %dk : (tensor<?x8x8x2xf32>, tensor<3x2x2x2xf32>) -> tensor<?x6x7x4xf32>
  %dgx = mlc.depthwise_conv_input_grad %d, %dk : (tensor<?x6x7x4xf32>, tensor<3x2x2x2xf32>) -> tensor<?x8x8x2xf32>
  %dgk = mlc.depthwise_conv_filter_grad %x, %d : (tensor<?x8x8x2xf32>, tensor<?x6x7x4xf32>) -> tensor<3x2x2x2xf32>
  mlc.output %gp, %gx, %gk, %gm, %ga : tensor<?x1x1x4xf32>, tensor<?x8x8x2xf32>, tensor<3x2x2x4xf32>, tensor<?x8x8x2xf32>, tensor<?x8x8x2xf32>
}

// CHECK-LABEL: mlc.model @training_modes
// CHECK:         mlc.param @s : tensor<2xf32> = #mlc.zeros {trainable = false}
// CHECK:         mlc.dropout %{{.*}} {rate = 5.000000e-01 : f64} : tensor<?x4xf32>
// CHECK:         mlc.batch_norm %{{.*}} {center = false, epsilon = 1.000000e-02 : f64, momentum = 5.000000e-01 : f64} : tensor<?x4xf32>
// CHECK:         mlc.apply_dropout %{{.*}}, %{{.*}} {rate = 2.500000e-01 : f64, stream = 1 : i64} : tensor<?x4xf32>, tensor<2xf32>
// CHECK:         mlc.dropout_mask %{{.*}}, %{{.*}} {rate = 2.500000e-01 : f64, stream = 1 : i64} : tensor<2xf32>, tensor<?x4xf32> -> tensor<?x4xf32>
// CHECK:         mlc.apply_batch_norm %{{.*}}, %{{.*}}, %{{.*}}, %{{.*}}, %{{.*}} {epsilon = 1.000000e-03 : f64, momentum = 0.98999999999999999 : f64} : tensor<?x4xf32>, tensor<4xf32>
// CHECK:         mlc.assign @s, %{{.*}} : tensor<2xf32>
mlc.model @training_modes {
  %x = mlc.input "x" : tensor<?x4xf32>
  %c = mlc.input "c" : tensor<4xf32>
  mlc.param @s : tensor<2xf32> = #mlc.zeros {trainable = false}
  %s = mlc.param_ref @s : tensor<2xf32>
  %d = mlc.dropout %x {rate = 0.5} : tensor<?x4xf32>
  %b = mlc.batch_norm %d {center = false, epsilon = 0.01, momentum = 0.5} : tensor<?x4xf32>
  %a = mlc.apply_dropout %b, %s {rate = 0.25, stream = 1} : tensor<?x4xf32>, tensor<2xf32>
  %m = mlc.dropout_mask %s, %a {rate = 0.25, stream = 1} : tensor<2xf32>, tensor<?x4xf32> -> tensor<?x4xf32>
  %y, %nm, %nv = mlc.apply_batch_norm %m, %c, %c, %c, %c {epsilon = 1.0e-3, momentum = 0.99} : tensor<?x4xf32>, tensor<4xf32>
  mlc.assign @s, %s : tensor<2xf32>
  mlc.output %y : tensor<?x4xf32>
}

// CHECK-LABEL: mlc.model @sequences
// CHECK:         mlc.param @r : tensor<4x4xf32> = #mlc.orthogonal
// CHECK:         mlc.param @q : tensor<4x4xf32> = #mlc.orthogonal<gain = 2.0>
// CHECK:         mlc.param @u : tensor<16xf32> = #mlc.unit_forget_bias
// CHECK:         mlc.lstm %{{.*}} {units = 4 : i64} : tensor<?x?x3xf32> -> tensor<?x4xf32>
// CHECK:         mlc.lstm %{{.*}} {return_sequences = true, return_state = true, units = 4 : i64} : tensor<?x?x3xf32> -> tensor<?x?x4xf32>, tensor<?x4xf32>, tensor<?x4xf32>
// CHECK:         mlc.slice %{{.*}} axis = 1 start = -1 : tensor<?x?x3xf32> -> tensor<?x1x3xf32>
// CHECK:         mlc.slice_grad %{{.*}}, %{{.*}} axis = 1 start = -1 : tensor<?x1x3xf32>, tensor<?x?x3xf32> -> tensor<?x?x3xf32>
// CHECK:         mlc.lstm_scan %{{.*}}, %{{.*}} {activation = #mlc.act<relu>} : (tensor<?x?x16xf32>, tensor<4x16xf32>) -> (tensor<?x?x4xf32>, tensor<?x4xf32>, tensor<?x?x4xf32>, tensor<?x?x16xf32>)
// CHECK:         mlc.lstm_scan_grad %{{.*}}, %{{.*}}, %{{.*}}, %{{.*}}, %{{.*}}, %{{.*}} : (tensor<?x?x4xf32>, tensor<?x4xf32>, tensor<4x16xf32>, tensor<?x?x4xf32>, tensor<?x?x4xf32>, tensor<?x?x16xf32>) -> (tensor<?x?x16xf32>, tensor<4x16xf32>)
mlc.model @sequences {
  %x = mlc.input "x" : tensor<?x?x3xf32>
  %z = mlc.input "z" : tensor<?x?x16xf32>
  mlc.param @r : tensor<4x4xf32> = #mlc.orthogonal
  mlc.param @q : tensor<4x4xf32> = #mlc.orthogonal<gain = 2.0>
  mlc.param @u : tensor<16xf32> = #mlc.unit_forget_bias
  mlc.param @k : tensor<4x16xf32> = #mlc.orthogonal
  %k = mlc.param_ref @k : tensor<4x16xf32>
  %h = mlc.lstm %x {units = 4} : tensor<?x?x3xf32> -> tensor<?x4xf32>
  %s, %sh, %sc = mlc.lstm %x {units = 4, return_sequences = true, return_state = true} : tensor<?x?x3xf32> -> tensor<?x?x4xf32>, tensor<?x4xf32>, tensor<?x4xf32>
  %l = mlc.slice %x axis = 1 start = -1 : tensor<?x?x3xf32> -> tensor<?x1x3xf32>
  %lg = mlc.slice_grad %l, %x axis = 1 start = -1 : tensor<?x1x3xf32>, tensor<?x?x3xf32> -> tensor<?x?x3xf32>
  %hs, %c, %cs, %g = mlc.lstm_scan %z, %k {activation = #mlc.act<relu>} : (tensor<?x?x16xf32>, tensor<4x16xf32>) -> (tensor<?x?x4xf32>, tensor<?x4xf32>, tensor<?x?x4xf32>, tensor<?x?x16xf32>)
  %dz, %dk = mlc.lstm_scan_grad %hs, %c, %k, %hs, %cs, %g : (tensor<?x?x4xf32>, tensor<?x4xf32>, tensor<4x16xf32>, tensor<?x?x4xf32>, tensor<?x?x4xf32>, tensor<?x?x16xf32>) -> (tensor<?x?x16xf32>, tensor<4x16xf32>)
  mlc.output %h, %s, %lg, %dz, %dk : tensor<?x4xf32>, tensor<?x?x4xf32>, tensor<?x?x3xf32>, tensor<?x?x16xf32>, tensor<4x16xf32>
}

// CHECK-LABEL: mlc.model @embeddings
// CHECK:         mlc.embedding %{{.*}} {input_dim = 96 : i64, output_dim = 8 : i64} : tensor<?x?xi32> -> tensor<?x?x8xf32>
// CHECK:         mlc.gather %{{.*}}, %{{.*}} : (tensor<96x8xf32>, tensor<?x?xi32>) -> tensor<?x?x8xf32>
// CHECK:         mlc.gather_grad %{{.*}}, %{{.*}} : (tensor<?x?x8xf32>, tensor<?x?xi32>) -> tensor<96x8xf32>
mlc.model @embeddings {
  %t = mlc.input "tokens" : tensor<?x?xi32>
  mlc.param @table : tensor<96x8xf32> = #mlc.uniform
  %table = mlc.param_ref @table : tensor<96x8xf32>
  %e = mlc.embedding %t {input_dim = 96, output_dim = 8} : tensor<?x?xi32> -> tensor<?x?x8xf32>
  %g = mlc.gather %table, %t : (tensor<96x8xf32>, tensor<?x?xi32>) -> tensor<?x?x8xf32>
  %d = mlc.gather_grad %g, %t : (tensor<?x?x8xf32>, tensor<?x?xi32>) -> tensor<96x8xf32>
  mlc.output %e, %d : tensor<?x?x8xf32>, tensor<96x8xf32>
}

// CHECK-LABEL: mlc.model @gru
// CHECK:         mlc.gru %{{.*}} {return_state = true, units = 4 : i64} : tensor<?x?x3xf32> -> tensor<?x4xf32>, tensor<?x4xf32>
// CHECK:         mlc.gru_scan %{{.*}}, %{{.*}}, %{{.*}} : (tensor<?x?x12xf32>, tensor<4x12xf32>, tensor<12xf32>) -> (tensor<?x?x4xf32>, tensor<?x?x12xf32>, tensor<?x?x4xf32>)
// CHECK:         mlc.gru_scan_grad %{{.*}}, %{{.*}}, %{{.*}}, %{{.*}}, %{{.*}} : (tensor<?x?x4xf32>, tensor<4x12xf32>, tensor<?x?x4xf32>, tensor<?x?x12xf32>, tensor<?x?x4xf32>) -> (tensor<?x?x12xf32>, tensor<4x12xf32>, tensor<12xf32>)
mlc.model @gru {
  %x = mlc.input "x" : tensor<?x?x3xf32>
  %z = mlc.input "z" : tensor<?x?x12xf32>
  mlc.param @k : tensor<4x12xf32> = #mlc.orthogonal
  mlc.param @c : tensor<12xf32> = #mlc.zeros
  %k = mlc.param_ref @k : tensor<4x12xf32>
  %c = mlc.param_ref @c : tensor<12xf32>
  %h, %s = mlc.gru %x {units = 4, return_state = true} : tensor<?x?x3xf32> -> tensor<?x4xf32>, tensor<?x4xf32>
  %hs, %g, %rh = mlc.gru_scan %z, %k, %c : (tensor<?x?x12xf32>, tensor<4x12xf32>, tensor<12xf32>) -> (tensor<?x?x4xf32>, tensor<?x?x12xf32>, tensor<?x?x4xf32>)
  %dz, %dk, %dc = mlc.gru_scan_grad %hs, %k, %hs, %g, %rh : (tensor<?x?x4xf32>, tensor<4x12xf32>, tensor<?x?x4xf32>, tensor<?x?x12xf32>, tensor<?x?x4xf32>) -> (tensor<?x?x12xf32>, tensor<4x12xf32>, tensor<12xf32>)
  mlc.output %h, %dz, %dk, %dc : tensor<?x4xf32>, tensor<?x?x12xf32>, tensor<4x12xf32>, tensor<12xf32>
}

// CHECK-LABEL: mlc.model @attention
// CHECK:         mlc.position_embedding %{{.*}} {sequence_length = 64 : i64} : tensor<?x?x8xf32>
// CHECK:         mlc.multi_head_attention %{{.*}}, %{{.*}} {key_dim = 4 : i64, num_heads = 2 : i64, use_causal_mask = true} : (tensor<?x?x8xf32>, tensor<?x?x8xf32>) -> tensor<?x?x8xf32>
// CHECK:         mlc.multi_head_attention %{{.*}}, %{{.*}}, %{{.*}} {key_dim = 4 : i64, num_heads = 2 : i64, value_dim = 3 : i64} : (tensor<?x3x8xf32>, tensor<?x?x6xf32>, tensor<?x?x8xf32>) -> tensor<?x3x8xf32>
// CHECK:         mlc.iota %{{.*}} axis = 1 : tensor<?x?x8xf32> -> tensor<?x?xi32>
// CHECK:         mlc.attention %{{.*}}, %{{.*}}, %{{.*}} {causal, num_heads = 2 : i64, scale = 5.000000e-01 : f64} : (tensor<?x?x8xf32>, tensor<?x?x8xf32>, tensor<?x?x8xf32>) -> tensor<?x?x8xf32>
// CHECK:         mlc.attention_grad %{{.*}}, %{{.*}}, %{{.*}}, %{{.*}} {causal, num_heads = 2 : i64, scale = 5.000000e-01 : f64} : (tensor<?x?x8xf32>, tensor<?x?x8xf32>, tensor<?x?x8xf32>, tensor<?x?x8xf32>) -> (tensor<?x?x8xf32>, tensor<?x?x8xf32>, tensor<?x?x8xf32>)
mlc.model @attention {
  %x = mlc.input "x" : tensor<?x?x8xf32>
  %q = mlc.input "q" : tensor<?x3x8xf32>
  %v = mlc.input "v" : tensor<?x?x6xf32>
  %p = mlc.position_embedding %x {sequence_length = 64} : tensor<?x?x8xf32>
  %y = mlc.multi_head_attention %x, %x {num_heads = 2, key_dim = 4, use_causal_mask = true} : (tensor<?x?x8xf32>, tensor<?x?x8xf32>) -> tensor<?x?x8xf32>
  %c = mlc.multi_head_attention %q, %v, %x {num_heads = 2, key_dim = 4, value_dim = 3} : (tensor<?x3x8xf32>, tensor<?x?x6xf32>, tensor<?x?x8xf32>) -> tensor<?x3x8xf32>
  %i = mlc.iota %x axis = 1 : tensor<?x?x8xf32> -> tensor<?x?xi32>
  %a = mlc.attention %x, %x, %x {num_heads = 2, scale = 0.5, causal} : (tensor<?x?x8xf32>, tensor<?x?x8xf32>, tensor<?x?x8xf32>) -> tensor<?x?x8xf32>
  %dq, %dk, %dv = mlc.attention_grad %x, %x, %x, %a {num_heads = 2, scale = 0.5, causal} : (tensor<?x?x8xf32>, tensor<?x?x8xf32>, tensor<?x?x8xf32>, tensor<?x?x8xf32>) -> (tensor<?x?x8xf32>, tensor<?x?x8xf32>, tensor<?x?x8xf32>)
  mlc.output %p, %y, %c, %i, %dq : tensor<?x?x8xf32>, tensor<?x?x8xf32>, tensor<?x3x8xf32>, tensor<?x?xi32>, tensor<?x?x8xf32>
}
