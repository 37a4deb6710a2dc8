// RUN: mlc-opt %s --mlc-materialize-params --split-input-file | FileCheck %s

// The seed model: two dense layers named like Keras names them.
// CHECK-LABEL: mlc.model @mnist_mlp
// CHECK-NEXT:    %[[X:.*]] = mlc.input "image" : tensor<?x28x28xf32>
// CHECK-NEXT:    mlc.param @dense.kernel : tensor<784x128xf32> = #mlc.glorot_uniform
// CHECK-NEXT:    mlc.param @dense.bias : tensor<128xf32> = #mlc.zeros
// CHECK-NEXT:    mlc.param @dense_1.kernel : tensor<128x10xf32> = #mlc.glorot_uniform
// CHECK-NEXT:    mlc.param @dense_1.bias : tensor<10xf32> = #mlc.zeros
// CHECK-NEXT:    %[[F:.*]] = mlc.reshape %[[X]] : tensor<?x28x28xf32> -> tensor<?x784xf32>
// CHECK-NEXT:    %[[K0:.*]] = mlc.param_ref @dense.kernel : tensor<784x128xf32>
// CHECK-NEXT:    %[[M0:.*]] = mlc.matmul %[[F]], %[[K0]] : (tensor<?x784xf32>, tensor<784x128xf32>) -> tensor<?x128xf32>
// CHECK-NEXT:    %[[B0:.*]] = mlc.param_ref @dense.bias : tensor<128xf32>
// CHECK-NEXT:    %[[A0:.*]] = mlc.add %[[M0]], %[[B0]] : (tensor<?x128xf32>, tensor<128xf32>) -> tensor<?x128xf32>
// CHECK-NEXT:    %[[H:.*]] = mlc.relu %[[A0]] : tensor<?x128xf32>
// CHECK-NEXT:    %[[K1:.*]] = mlc.param_ref @dense_1.kernel : tensor<128x10xf32>
// CHECK-NEXT:    %[[M1:.*]] = mlc.matmul %[[H]], %[[K1]] : (tensor<?x128xf32>, tensor<128x10xf32>) -> tensor<?x10xf32>
// CHECK-NEXT:    %[[B1:.*]] = mlc.param_ref @dense_1.bias : tensor<10xf32>
// CHECK-NEXT:    %[[A1:.*]] = mlc.add %[[M1]], %[[B1]] : (tensor<?x10xf32>, tensor<10xf32>) -> tensor<?x10xf32>
// CHECK-NEXT:    %[[Y:.*]] = mlc.softmax %[[A1]] : tensor<?x10xf32>
// CHECK-NEXT:    mlc.output %[[Y]] : tensor<?x10xf32>
// CHECK-NEXT:  } {loss = #mlc.loss<sparse_categorical_crossentropy>, optimizer = #mlc.adam}
// CHECK-NOT:   mlc.dense
// CHECK-NOT:   mlc.flatten
mlc.model @mnist_mlp {
  %x = mlc.input "image" : tensor<?x28x28xf32>
  %f = mlc.flatten %x : tensor<?x28x28xf32> -> tensor<?x784xf32>
  %h = mlc.dense %f {units = 128, activation = #mlc.act<relu>} : tensor<?x784xf32> -> tensor<?x128xf32>
  %y = mlc.dense %h {units = 10, activation = #mlc.act<softmax>} : tensor<?x128xf32> -> tensor<?x10xf32>
  mlc.output %y : tensor<?x10xf32>
} {loss = #mlc.loss<sparse_categorical_crossentropy>,
   optimizer = #mlc.adam<learning_rate = 1.0e-3>}

// -----

// Explicit names, initializers, no bias, every activation; auto names skip
// names that are taken.
// CHECK-LABEL: mlc.model @options
// CHECK:       mlc.param @existing : tensor<2xf32> = #mlc.ones
// CHECK-NEXT:  mlc.param @dense.kernel : tensor<2xf32> = #mlc.ones
// CHECK-NEXT:  mlc.param @encoder.kernel : tensor<8x4xf32> = #mlc.he_normal
// CHECK-NEXT:  mlc.param @encoder.bias : tensor<4xf32> = #mlc.constant<0.1>
// CHECK-NEXT:  mlc.param @dense_1.kernel : tensor<4x4xf32> = #mlc.glorot_uniform
// CHECK-NEXT:  mlc.param @dense_2.kernel : tensor<4x4xf32> = #mlc.glorot_uniform
// CHECK-NEXT:  mlc.param @dense_2.bias
// CHECK-NEXT:  mlc.param @dense_3.kernel
// CHECK-NEXT:  mlc.param @dense_3.bias
// CHECK-NEXT:  mlc.param @dense_4.kernel
// CHECK-NEXT:  mlc.param @dense_4.bias
// CHECK-NOT:   mlc.param @
// CHECK:       mlc.matmul
// CHECK-NEXT:  mlc.param_ref @encoder.bias
// CHECK-NEXT:  mlc.add
// CHECK-NEXT:  mlc.sigmoid
// CHECK-NEXT:  mlc.param_ref @dense_1.kernel
// CHECK-NEXT:  mlc.matmul
// CHECK-NEXT:  mlc.tanh
// CHECK:       mlc.param_ref @dense_2.bias
// CHECK-NEXT:  mlc.add
// CHECK-NEXT:  mlc.log_softmax
// CHECK:       mlc.param_ref @dense_3.bias
// CHECK-NEXT:  %[[LIN:.*]] = mlc.add
// CHECK:       mlc.param_ref @dense_4.bias
// CHECK-NEXT:  mlc.add
// CHECK-NEXT:  mlc.softmax
// CHECK:       mlc.output
mlc.model @options {
  %x = mlc.input "x" : tensor<?x8xf32>
  mlc.param @existing : tensor<2xf32> = #mlc.ones
  mlc.param @dense.kernel : tensor<2xf32> = #mlc.ones
  %a = mlc.dense %x {units = 4, name = "encoder", activation = #mlc.act<sigmoid>,
                     kernel_initializer = #mlc.he_normal,
                     bias_initializer = #mlc.constant<0.1>}
      : tensor<?x8xf32> -> tensor<?x4xf32>
  %b = mlc.dense %a {units = 4, use_bias = false, activation = #mlc.act<tanh>}
      : tensor<?x4xf32> -> tensor<?x4xf32>
  %c = mlc.dense %b {units = 4, activation = #mlc.act<log_softmax>}
      : tensor<?x4xf32> -> tensor<?x4xf32>
  %d = mlc.dense %c {units = 4} : tensor<?x4xf32> -> tensor<?x4xf32>
  %e = mlc.dense %d {units = 4, activation = #mlc.act<softmax>}
      : tensor<?x4xf32> -> tensor<?x4xf32>
  mlc.output %e : tensor<?x4xf32>
}

// -----

// Keras's simple MNIST convnet: conv2d layers get HWIO kernels and biases
// named like Keras's (conv2d, conv2d_1), "same" padding becomes
// TensorFlow's explicit pads (the extra row at the bottom), pooling layers
// become the core pooling ops with strides defaulting to the pool size,
// and global average pooling a mean over height and width.
// CHECK-LABEL: mlc.model @convnet
// CHECK:         mlc.param @conv2d.kernel : tensor<3x3x1x8xf32> = #mlc.glorot_uniform
// CHECK-NEXT:    mlc.param @conv2d.bias : tensor<8xf32> = #mlc.zeros
// CHECK-NEXT:    mlc.param @features.kernel : tensor<2x2x8x4xf32> = #mlc.he_normal
// CHECK-NOT:     mlc.param @features.bias
// CHECK:         %[[K:.*]] = mlc.param_ref @conv2d.kernel
// CHECK-NEXT:    %[[C:.*]] = mlc.conv %{{.*}}, %[[K]] : (tensor<?x28x28x1xf32>, tensor<3x3x1x8xf32>) -> tensor<?x26x26x8xf32>
// CHECK-NEXT:    %[[B:.*]] = mlc.param_ref @conv2d.bias
// CHECK-NEXT:    %[[A:.*]] = mlc.add %[[C]], %[[B]] : (tensor<?x26x26x8xf32>, tensor<8xf32>) -> tensor<?x26x26x8xf32>
// CHECK-NEXT:    %[[R:.*]] = mlc.relu %[[A]]
// CHECK-NEXT:    %[[P:.*]] = mlc.max_pool %[[R]] {strides = array<i64: 2, 2>, window = array<i64: 2, 2>} : tensor<?x26x26x8xf32> -> tensor<?x13x13x8xf32>
// CHECK:         mlc.conv %[[P]], %{{.*}} {pads = array<i64: 0, 1, 0, 1>, strides = array<i64: 2, 2>} : (tensor<?x13x13x8xf32>, tensor<2x2x8x4xf32>) -> tensor<?x7x7x4xf32>
// CHECK:         mlc.avg_pool %{{.*}} {pads = array<i64: 0, 1, 0, 1>, window = array<i64: 2, 2>} : tensor<?x7x7x4xf32> -> tensor<?x7x7x4xf32>
// CHECK:         mlc.reduce_mean %{{.*}} axes = [1, 2] : tensor<?x7x7x4xf32> -> tensor<?x4xf32>
// CHECK-NOT:     mlc.conv2d
// CHECK-NOT:     mlc.max_pool2d
mlc.model @convnet {
  %x = mlc.input "image" : tensor<?x28x28x1xf32>
  %c = mlc.conv2d %x {filters = 8, kernel_size = array<i64: 3, 3>, activation = #mlc.act<relu>} : tensor<?x28x28x1xf32> -> tensor<?x26x26x8xf32>
  %p = mlc.max_pool2d %c : tensor<?x26x26x8xf32> -> tensor<?x13x13x8xf32>
  %d = mlc.conv2d %p {filters = 4, kernel_size = array<i64: 2, 2>, strides = array<i64: 2, 2>, padding = "same", use_bias = false, name = "features", kernel_initializer = #mlc.he_normal} : tensor<?x13x13x8xf32> -> tensor<?x7x7x4xf32>
  %a = mlc.avg_pool2d %d {strides = array<i64: 1, 1>, padding = "same"} : tensor<?x7x7x4xf32> -> tensor<?x7x7x4xf32>
  %g = mlc.global_avg_pool2d %a : tensor<?x7x7x4xf32> -> tensor<?x4xf32>
  mlc.output %g : tensor<?x4xf32>
}

// -----

// Batch norm: Keras's four weights, in Keras's order, the moving
// statistics non-trainable and assigned their next values; a missing
// center (or scale) is a constant. Dropout: one random state per model,
// non-trainable, advanced by one step; each dropout its own stream.
// CHECK-LABEL: mlc.model @regularized
// CHECK:         mlc.param @batch_normalization.gamma : tensor<3xf32> = #mlc.ones
// CHECK-NEXT:    mlc.param @batch_normalization.beta : tensor<3xf32> = #mlc.zeros
// CHECK-NEXT:    mlc.param @batch_normalization.moving_mean : tensor<3xf32> = #mlc.zeros {trainable = false}
// CHECK-NEXT:    mlc.param @batch_normalization.moving_variance : tensor<3xf32> = #mlc.ones {trainable = false}
// CHECK-NEXT:    mlc.param @bn2.gamma : tensor<3xf32> = #mlc.ones
// CHECK-NEXT:    mlc.param @bn2.moving_mean
// CHECK-NEXT:    mlc.param @bn2.moving_variance
// CHECK-NEXT:    mlc.param @seed_generator.state : tensor<2xf32> = #mlc.uniform<minval = 0.0, maxval = 1.0> {trainable = false}
// CHECK:         %[[Y:.*]], %[[M:.*]], %[[V:.*]] = mlc.apply_batch_norm
// CHECK:         %[[ZERO:.*]] = mlc.constant dense<0.000000e+00> : tensor<3xf32>
// CHECK:         mlc.apply_batch_norm %[[Y]], %{{.*}}, %[[ZERO]]
// CHECK:         %[[S:.*]] = mlc.param_ref @seed_generator.state
// CHECK-NEXT:    %[[D:.*]] = mlc.apply_dropout %{{.*}}, %[[S]] {rate = 2.500000e-01 : f64, stream = 0 : i64}
// CHECK:         mlc.apply_dropout %[[D]], %{{.*}} {rate = 5.000000e-01 : f64, stream = 1 : i64}
// CHECK:         mlc.assign @batch_normalization.moving_mean, %[[M]]
// CHECK-NEXT:    mlc.assign @batch_normalization.moving_variance, %[[V]]
// CHECK:         %[[S2:.*]] = mlc.param_ref @seed_generator.state
// CHECK-NEXT:    %[[ONE:.*]] = mlc.constant dense<[0.000000e+00, 1.000000e+00]> : tensor<2xf32>
// CHECK-NEXT:    %[[NEXT:.*]] = mlc.add %[[S2]], %[[ONE]]
// CHECK-NEXT:    mlc.assign @seed_generator.state, %[[NEXT]]
// CHECK-NOT:     mlc.dropout
// CHECK-NOT:     mlc.batch_norm
mlc.model @regularized {
  %x = mlc.input "x" : tensor<?x4x4x3xf32>
  %b = mlc.batch_norm %x : tensor<?x4x4x3xf32>
  %b2 = mlc.batch_norm %b {center = false, name = "bn2"} : tensor<?x4x4x3xf32>
  %d = mlc.dropout %b2 {rate = 0.25} : tensor<?x4x4x3xf32>
  %e = mlc.dropout %d {rate = 0.5} : tensor<?x4x4x3xf32>
  mlc.output %e : tensor<?x4x4x3xf32>
}

// -----

// Depthwise: Keras's weight name (depthwise_kernel), [kh, kw, C, M].
// CHECK-LABEL: mlc.model @depthwise
// CHECK:         mlc.param @depthwise_conv2d.depthwise_kernel : tensor<3x3x4x2xf32> = #mlc.glorot_uniform
// CHECK-NEXT:    mlc.param @depthwise_conv2d.bias : tensor<8xf32> = #mlc.zeros
// CHECK:         mlc.depthwise_conv %{{.*}}, %{{.*}} {pads = array<i64: 1, 1, 1, 1>} : (tensor<?x8x8x4xf32>, tensor<3x3x4x2xf32>) -> tensor<?x8x8x8xf32>
mlc.model @depthwise {
  %x = mlc.input "x" : tensor<?x8x8x4xf32>
  %y = mlc.depthwise_conv2d %x {kernel_size = array<i64: 3, 3>, depth_multiplier = 2, padding = "same"} : tensor<?x8x8x4xf32> -> tensor<?x8x8x8xf32>
  mlc.output %y : tensor<?x8x8x8xf32>
}

// -----

// LSTM: Keras's params (orthogonal recurrent kernel, forget-gate bias of
// ones), the input projection of every step as one matmul, the
// recurrence, and the last step's slice.
// CHECK-LABEL: mlc.model @lstm
// CHECK:         mlc.param @lstm.kernel : tensor<3x16xf32> = #mlc.glorot_uniform
// CHECK-NEXT:    mlc.param @lstm.recurrent_kernel : tensor<4x16xf32> = #mlc.orthogonal
// CHECK-NEXT:    mlc.param @lstm.bias : tensor<16xf32> = #mlc.unit_forget_bias
// CHECK-NEXT:    mlc.param @seq.kernel : tensor<3x8xf32> = #mlc.glorot_uniform
// CHECK-NEXT:    mlc.param @seq.recurrent_kernel : tensor<2x8xf32> = #mlc.orthogonal
// CHECK-NOT:     mlc.param @
// CHECK:         %[[Z:.*]] = mlc.matmul %[[X:.*]], %{{.*}} : (tensor<?x?x3xf32>, tensor<3x16xf32>) -> tensor<?x?x16xf32>
// CHECK:         %[[ZB:.*]] = mlc.add %[[Z]], %{{.*}} : (tensor<?x?x16xf32>, tensor<16xf32>) -> tensor<?x?x16xf32>
// CHECK:         %[[HS:.*]], %{{.*}}, %{{.*}}, %{{.*}} = mlc.lstm_scan %[[ZB]], %{{.*}} : (tensor<?x?x16xf32>, tensor<4x16xf32>)
// CHECK:         %[[L:.*]] = mlc.slice %[[HS]] axis = 1 start = -1 : tensor<?x?x4xf32> -> tensor<?x1x4xf32>
// CHECK:         %[[H:.*]] = mlc.reshape %[[L]] : tensor<?x1x4xf32> -> tensor<?x4xf32>
// CHECK:         %[[Z2:.*]] = mlc.matmul %[[X]], %{{.*}} : (tensor<?x?x3xf32>, tensor<3x8xf32>) -> tensor<?x?x8xf32>
// CHECK:         %[[S:.*]], %[[C:.*]], %{{.*}}, %{{.*}} = mlc.lstm_scan %[[Z2]], %{{.*}} {activation = #mlc.act<relu>}
// CHECK:         %[[L2:.*]] = mlc.slice %[[S]] axis = 1 start = -1
// CHECK:         %[[H2:.*]] = mlc.reshape %[[L2]]
// CHECK:         mlc.output %[[H]], %[[S]], %[[H2]], %[[C]]
mlc.model @lstm {
  %x = mlc.input "x" : tensor<?x?x3xf32>
  %h = mlc.lstm %x {units = 4} : tensor<?x?x3xf32> -> tensor<?x4xf32>
  %s, %sh, %sc = mlc.lstm %x {units = 2, name = "seq", use_bias = false, activation = #mlc.act<relu>, return_sequences = true, return_state = true} : tensor<?x?x3xf32> -> tensor<?x?x2xf32>, tensor<?x2xf32>, tensor<?x2xf32>
  mlc.output %h, %s, %sh, %sc : tensor<?x4xf32>, tensor<?x?x2xf32>, tensor<?x2xf32>, tensor<?x2xf32>
}

// -----

// Embedding: Keras's param name and uniform(-0.05, 0.05) table, a gather.
// CHECK-LABEL: mlc.model @embedding
// CHECK:         mlc.param @embedding.embeddings : tensor<50x4xf32> = #mlc.uniform{{$}}
// CHECK-NEXT:    mlc.param @chars.embeddings : tensor<7x2xf32> = #mlc.normal
// CHECK:         mlc.gather %{{.*}}, %{{.*}} : (tensor<50x4xf32>, tensor<?x?xi32>) -> tensor<?x?x4xf32>
// CHECK:         mlc.gather %{{.*}}, %{{.*}} : (tensor<7x2xf32>, tensor<?x?xi32>) -> tensor<?x?x2xf32>
mlc.model @embedding {
  %t = mlc.input "t" : tensor<?x?xi32>
  %e = mlc.embedding %t {input_dim = 50, output_dim = 4} : tensor<?x?xi32> -> tensor<?x?x4xf32>
  %c = mlc.embedding %t {input_dim = 7, output_dim = 2, name = "chars", embeddings_initializer = #mlc.normal} : tensor<?x?xi32> -> tensor<?x?x2xf32>
  mlc.output %e, %c : tensor<?x?x4xf32>, tensor<?x?x2xf32>
}

// -----

// GRU: Keras's params, the (2, 3 units) bias split into the input bias
// (added to the projection) and the recurrent bias (given to the scan).
// CHECK-LABEL: mlc.model @gru
// CHECK:         mlc.param @gru.kernel : tensor<3x12xf32> = #mlc.glorot_uniform
// CHECK-NEXT:    mlc.param @gru.recurrent_kernel : tensor<4x12xf32> = #mlc.orthogonal
// CHECK-NEXT:    mlc.param @gru.bias : tensor<2x12xf32> = #mlc.zeros
// CHECK:         %[[Z:.*]] = mlc.matmul %{{.*}}, %{{.*}} : (tensor<?x?x3xf32>, tensor<3x12xf32>) -> tensor<?x?x12xf32>
// CHECK:         %[[B0:.*]] = mlc.slice %[[B:.*]] axis = 0 start = 0 : tensor<2x12xf32> -> tensor<1x12xf32>
// CHECK:         %[[I:.*]] = mlc.reshape %[[B0]] : tensor<1x12xf32> -> tensor<12xf32>
// CHECK:         %[[ZB:.*]] = mlc.add %[[Z]], %[[I]]
// CHECK:         %[[B1:.*]] = mlc.slice %[[B]] axis = 0 start = 1 : tensor<2x12xf32> -> tensor<1x12xf32>
// CHECK:         %[[R:.*]] = mlc.reshape %[[B1]] : tensor<1x12xf32> -> tensor<12xf32>
// CHECK:         %[[HS:.*]], %{{.*}}, %{{.*}} = mlc.gru_scan %[[ZB]], %{{.*}}, %[[R]]
// CHECK:         mlc.slice %[[HS]] axis = 1 start = -1
mlc.model @gru {
  %x = mlc.input "x" : tensor<?x?x3xf32>
  %h = mlc.gru %x {units = 4} : tensor<?x?x3xf32> -> tensor<?x4xf32>
  mlc.output %h : tensor<?x4xf32>
}

// -----

// Attention: Keras's params (rank-3 kernels, (heads, dim) biases) read as
// matrices for one matmul over all rows each; the scale is 1/sqrt(key_dim).
// A position embedding gathers its table by the positions along time.
// CHECK-LABEL: mlc.model @attention
// CHECK:         mlc.param @position_embedding.embeddings : tensor<16x8xf32> = #mlc.glorot_uniform
// CHECK-NEXT:    mlc.param @multi_head_attention.query.kernel : tensor<8x2x3xf32> = #mlc.glorot_uniform
// CHECK-NEXT:    mlc.param @multi_head_attention.query.bias : tensor<2x3xf32> = #mlc.zeros
// CHECK-NEXT:    mlc.param @multi_head_attention.key.kernel : tensor<8x2x3xf32>
// CHECK-NEXT:    mlc.param @multi_head_attention.key.bias : tensor<2x3xf32>
// CHECK-NEXT:    mlc.param @multi_head_attention.value.kernel : tensor<8x2x3xf32>
// CHECK-NEXT:    mlc.param @multi_head_attention.value.bias : tensor<2x3xf32>
// CHECK-NEXT:    mlc.param @multi_head_attention.attention_output.kernel : tensor<2x3x8xf32> = #mlc.glorot_uniform
// CHECK-NEXT:    mlc.param @multi_head_attention.attention_output.bias : tensor<8xf32> = #mlc.zeros
// CHECK-NEXT:    mlc.param @cross.query.kernel : tensor<8x2x3xf32>
// CHECK-NEXT:    mlc.param @cross.key.kernel : tensor<8x2x3xf32>
// CHECK-NEXT:    mlc.param @cross.value.kernel : tensor<8x2x5xf32>
// CHECK-NEXT:    mlc.param @cross.attention_output.kernel : tensor<2x5x8xf32>
// CHECK:         %[[IDS:.*]] = mlc.iota %[[X:.*]] axis = 1 : tensor<?x?x8xf32> -> tensor<?x?xi32>
// CHECK:         %[[POS:.*]] = mlc.gather %{{.*}}, %[[IDS]] : (tensor<16x8xf32>, tensor<?x?xi32>) -> tensor<?x?x8xf32>
// CHECK:         %[[XP:.*]] = mlc.add %[[X]], %[[POS]]
// CHECK:         %[[QK:.*]] = mlc.reshape %{{.*}} : tensor<8x2x3xf32> -> tensor<8x6xf32>
// CHECK:         %[[QM:.*]] = mlc.matmul %[[XP]], %[[QK]] : (tensor<?x?x8xf32>, tensor<8x6xf32>) -> tensor<?x?x6xf32>
// CHECK:         %[[QB:.*]] = mlc.reshape %{{.*}} : tensor<2x3xf32> -> tensor<6xf32>
// CHECK:         %[[Q:.*]] = mlc.add %[[QM]], %[[QB]]
// CHECK:         %[[K:.*]] = mlc.add
// CHECK:         %[[V:.*]] = mlc.add
// CHECK:         %[[A:.*]] = mlc.attention %[[Q]], %[[K]], %[[V]] {causal, num_heads = 2 : i64, scale = 0.57735026918962584 : f64}
// CHECK:         %[[OK:.*]] = mlc.reshape %{{.*}} : tensor<2x3x8xf32> -> tensor<6x8xf32>
// CHECK:         %[[O:.*]] = mlc.matmul %[[A]], %[[OK]] : (tensor<?x?x6xf32>, tensor<6x8xf32>) -> tensor<?x?x8xf32>
// CHECK:         %[[Y:.*]] = mlc.add %[[O]], %{{.*}} : (tensor<?x?x8xf32>, tensor<8xf32>)
// CHECK:         %[[CQ:.*]] = mlc.matmul %[[Y]], %{{.*}} : (tensor<?x?x8xf32>, tensor<8x6xf32>)
// CHECK:         %[[CK:.*]] = mlc.matmul %[[X]], %{{.*}} : (tensor<?x?x8xf32>, tensor<8x6xf32>)
// CHECK:         %[[CV:.*]] = mlc.matmul %[[X]], %{{.*}} : (tensor<?x?x8xf32>, tensor<8x10xf32>)
// CHECK:         %[[CA:.*]] = mlc.attention %[[CQ]], %[[CK]], %[[CV]] {num_heads = 2 : i64, scale = 0.57735026918962584 : f64} : (tensor<?x?x6xf32>, tensor<?x?x6xf32>, tensor<?x?x10xf32>) -> tensor<?x?x10xf32>
// CHECK:         mlc.matmul %[[CA]], %{{.*}} : (tensor<?x?x10xf32>, tensor<10x8xf32>) -> tensor<?x?x8xf32>
// CHECK-NEXT:    mlc.output
mlc.model @attention {
  %x = mlc.input "x" : tensor<?x?x8xf32>
  %p = mlc.position_embedding %x {sequence_length = 16} : tensor<?x?x8xf32>
  %xp = mlc.add %x, %p : (tensor<?x?x8xf32>, tensor<?x?x8xf32>) -> tensor<?x?x8xf32>
  %y = mlc.multi_head_attention %xp, %xp {num_heads = 2, key_dim = 3, use_causal_mask = true} : (tensor<?x?x8xf32>, tensor<?x?x8xf32>) -> tensor<?x?x8xf32>
  %c = mlc.multi_head_attention %y, %x {num_heads = 2, key_dim = 3, value_dim = 5, use_bias = false, name = "cross"} : (tensor<?x?x8xf32>, tensor<?x?x8xf32>) -> tensor<?x?x8xf32>
  mlc.output %c : tensor<?x?x8xf32>
}
