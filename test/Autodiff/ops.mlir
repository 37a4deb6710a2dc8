// One gradient per op: the vector-Jacobian products mlc-autodiff builds.
// The loss is reduce_sum(op(...)); %G is its gradient spread over the result.
// RUN: mlc-opt %s --mlc-autodiff --canonicalize --split-input-file | FileCheck %s

// CHECK-LABEL: mlc.model @add
// CHECK:       %[[G:.*]] = mlc.broadcast_like
// CHECK:       %[[GB:.*]] = mlc.reduce_sum %[[G]] axes = [0] : tensor<?x4xf32> -> tensor<4xf32>
// CHECK:       mlc.output %[[G]], %[[GB]]
mlc.model @add {
  %a = mlc.input "a" : tensor<?x4xf32>
  %b = mlc.input "b" : tensor<4xf32>
  %c = mlc.input "c" : tensor<?x4xf32>
  mlc.param @w : tensor<4x4xf32> = #mlc.glorot_uniform
  %w = mlc.param_ref @w : tensor<4x4xf32>
  %y = mlc.add %a, %b : (tensor<?x4xf32>, tensor<4xf32>) -> tensor<?x4xf32>
  %l = mlc.reduce_sum %y axes = [] : tensor<?x4xf32> -> tensor<f32>
  %ga, %gb = mlc.gradient %l wrt %a, %b : tensor<f32>, tensor<?x4xf32>, tensor<4xf32>
  mlc.output %ga, %gb : tensor<?x4xf32>, tensor<4xf32>
}
// -----

// CHECK-LABEL: mlc.model @sub
// CHECK:       %[[G:.*]] = mlc.broadcast_like
// CHECK:       %[[N:.*]] = mlc.neg %[[G]] : tensor<?x4xf32>
// CHECK:       mlc.output %[[G]], %[[N]]
mlc.model @sub {
  %a = mlc.input "a" : tensor<?x4xf32>
  %b = mlc.input "b" : tensor<4xf32>
  %c = mlc.input "c" : tensor<?x4xf32>
  mlc.param @w : tensor<4x4xf32> = #mlc.glorot_uniform
  %w = mlc.param_ref @w : tensor<4x4xf32>
  %y = mlc.sub %a, %c : (tensor<?x4xf32>, tensor<?x4xf32>) -> tensor<?x4xf32>
  %l = mlc.reduce_sum %y axes = [] : tensor<?x4xf32> -> tensor<f32>
  %ga, %gc = mlc.gradient %l wrt %a, %c : tensor<f32>, tensor<?x4xf32>, tensor<?x4xf32>
  mlc.output %ga, %gc : tensor<?x4xf32>, tensor<?x4xf32>
}
// -----

// CHECK-LABEL: mlc.model @mul
// CHECK:       %[[G:.*]] = mlc.broadcast_like
// CHECK-DAG:   %[[GA:.*]] = mlc.mul %[[G]], %[[C:.*]] :
// CHECK-DAG:   %[[GC:.*]] = mlc.mul %[[G]], %[[A:.*]] :
// CHECK:       mlc.output %[[GA]], %[[GC]]
mlc.model @mul {
  %a = mlc.input "a" : tensor<?x4xf32>
  %b = mlc.input "b" : tensor<4xf32>
  %c = mlc.input "c" : tensor<?x4xf32>
  mlc.param @w : tensor<4x4xf32> = #mlc.glorot_uniform
  %w = mlc.param_ref @w : tensor<4x4xf32>
  %y = mlc.mul %a, %c : (tensor<?x4xf32>, tensor<?x4xf32>) -> tensor<?x4xf32>
  %l = mlc.reduce_sum %y axes = [] : tensor<?x4xf32> -> tensor<f32>
  %ga, %gc = mlc.gradient %l wrt %a, %c : tensor<f32>, tensor<?x4xf32>, tensor<?x4xf32>
  mlc.output %ga, %gc : tensor<?x4xf32>, tensor<?x4xf32>
}
// -----

// CHECK-LABEL: mlc.model @div
// CHECK:       %[[G:.*]] = mlc.broadcast_like
// CHECK:       %[[GA:.*]] = mlc.div %[[G]], %[[C:.*]] :
// CHECK:       %[[T:.*]] = mlc.mul %[[G]], %[[Y:.*]] :
// CHECK:       %[[Q:.*]] = mlc.div %[[T]], %[[C]] :
// CHECK:       %[[GC:.*]] = mlc.neg %[[Q]]
// CHECK:       mlc.output %[[GA]], %[[GC]]
mlc.model @div {
  %a = mlc.input "a" : tensor<?x4xf32>
  %b = mlc.input "b" : tensor<4xf32>
  %c = mlc.input "c" : tensor<?x4xf32>
  mlc.param @w : tensor<4x4xf32> = #mlc.glorot_uniform
  %w = mlc.param_ref @w : tensor<4x4xf32>
  %y = mlc.div %a, %c : (tensor<?x4xf32>, tensor<?x4xf32>) -> tensor<?x4xf32>
  %l = mlc.reduce_sum %y axes = [] : tensor<?x4xf32> -> tensor<f32>
  %ga, %gc = mlc.gradient %l wrt %a, %c : tensor<f32>, tensor<?x4xf32>, tensor<?x4xf32>
  mlc.output %ga, %gc : tensor<?x4xf32>, tensor<?x4xf32>
}
// -----

// CHECK-LABEL: mlc.model @neg
// CHECK:       %[[G:.*]] = mlc.broadcast_like
// CHECK:       %[[GA:.*]] = mlc.neg %{{.*}} : tensor<?x4xf32>
// CHECK:       mlc.output %[[GA]]
mlc.model @neg {
  %a = mlc.input "a" : tensor<?x4xf32>
  %b = mlc.input "b" : tensor<4xf32>
  %c = mlc.input "c" : tensor<?x4xf32>
  mlc.param @w : tensor<4x4xf32> = #mlc.glorot_uniform
  %w = mlc.param_ref @w : tensor<4x4xf32>
  %y = mlc.neg %a : tensor<?x4xf32>
  %l = mlc.reduce_sum %y axes = [] : tensor<?x4xf32> -> tensor<f32>
  %ga = mlc.gradient %l wrt %a : tensor<f32>, tensor<?x4xf32>
  mlc.output %ga : tensor<?x4xf32>
}
// -----

// CHECK-LABEL: mlc.model @exp
// CHECK:       %[[Y:.*]] = mlc.exp %[[A:.*]] :
// CHECK:       %[[G:.*]] = mlc.broadcast_like
// CHECK:       %[[GA:.*]] = mlc.mul %{{.*}}, %[[Y]] :
// CHECK:       mlc.output %[[GA]]
mlc.model @exp {
  %a = mlc.input "a" : tensor<?x4xf32>
  %b = mlc.input "b" : tensor<4xf32>
  %c = mlc.input "c" : tensor<?x4xf32>
  mlc.param @w : tensor<4x4xf32> = #mlc.glorot_uniform
  %w = mlc.param_ref @w : tensor<4x4xf32>
  %y = mlc.exp %a : tensor<?x4xf32>
  %l = mlc.reduce_sum %y axes = [] : tensor<?x4xf32> -> tensor<f32>
  %ga = mlc.gradient %l wrt %a : tensor<f32>, tensor<?x4xf32>
  mlc.output %ga : tensor<?x4xf32>
}
// -----

// CHECK-LABEL: mlc.model @log
// CHECK:       %[[G:.*]] = mlc.broadcast_like
// CHECK:       %[[GA:.*]] = mlc.div %{{.*}}, %[[A:.*]] :
// CHECK:       mlc.output %[[GA]]
mlc.model @log {
  %a = mlc.input "a" : tensor<?x4xf32>
  %b = mlc.input "b" : tensor<4xf32>
  %c = mlc.input "c" : tensor<?x4xf32>
  mlc.param @w : tensor<4x4xf32> = #mlc.glorot_uniform
  %w = mlc.param_ref @w : tensor<4x4xf32>
  %y = mlc.log %a : tensor<?x4xf32>
  %l = mlc.reduce_sum %y axes = [] : tensor<?x4xf32> -> tensor<f32>
  %ga = mlc.gradient %l wrt %a : tensor<f32>, tensor<?x4xf32>
  mlc.output %ga : tensor<?x4xf32>
}
// -----

// CHECK-LABEL: mlc.model @sqrt
// CHECK:       %[[Y:.*]] = mlc.sqrt
// CHECK:       %[[G:.*]] = mlc.broadcast_like
// CHECK:       %[[D:.*]] = mlc.mul %[[Y]], %{{.*}} : (tensor<?x4xf32>, tensor<f32>)
// CHECK:       %[[GA:.*]] = mlc.div %{{.*}}, %[[D]]
// CHECK:       mlc.output %[[GA]]
mlc.model @sqrt {
  %a = mlc.input "a" : tensor<?x4xf32>
  %b = mlc.input "b" : tensor<4xf32>
  %c = mlc.input "c" : tensor<?x4xf32>
  mlc.param @w : tensor<4x4xf32> = #mlc.glorot_uniform
  %w = mlc.param_ref @w : tensor<4x4xf32>
  %y = mlc.sqrt %a : tensor<?x4xf32>
  %l = mlc.reduce_sum %y axes = [] : tensor<?x4xf32> -> tensor<f32>
  %ga = mlc.gradient %l wrt %a : tensor<f32>, tensor<?x4xf32>
  mlc.output %ga : tensor<?x4xf32>
}
// -----

// CHECK-LABEL: mlc.model @relu
// CHECK:       %[[Y:.*]] = mlc.relu
// CHECK:       %[[G:.*]] = mlc.broadcast_like
// CHECK:       %[[GA:.*]] = mlc.relu_grad %{{.*}}, %[[Y]] : tensor<?x4xf32>
// CHECK:       mlc.output %[[GA]]
mlc.model @relu {
  %a = mlc.input "a" : tensor<?x4xf32>
  %b = mlc.input "b" : tensor<4xf32>
  %c = mlc.input "c" : tensor<?x4xf32>
  mlc.param @w : tensor<4x4xf32> = #mlc.glorot_uniform
  %w = mlc.param_ref @w : tensor<4x4xf32>
  %y = mlc.relu %a : tensor<?x4xf32>
  %l = mlc.reduce_sum %y axes = [] : tensor<?x4xf32> -> tensor<f32>
  %ga = mlc.gradient %l wrt %a : tensor<f32>, tensor<?x4xf32>
  mlc.output %ga : tensor<?x4xf32>
}
// -----

// CHECK-LABEL: mlc.model @sigmoid
// CHECK:       %[[Y:.*]] = mlc.sigmoid
// CHECK:       %[[G:.*]] = mlc.broadcast_like
// CHECK:       %[[OM:.*]] = mlc.sub %{{.*}}, %[[Y]]
// CHECK:       %[[D:.*]] = mlc.mul %[[Y]], %[[OM]]
// CHECK:       %[[GA:.*]] = mlc.mul %{{.*}}, %[[D]]
// CHECK:       mlc.output %[[GA]]
mlc.model @sigmoid {
  %a = mlc.input "a" : tensor<?x4xf32>
  %b = mlc.input "b" : tensor<4xf32>
  %c = mlc.input "c" : tensor<?x4xf32>
  mlc.param @w : tensor<4x4xf32> = #mlc.glorot_uniform
  %w = mlc.param_ref @w : tensor<4x4xf32>
  %y = mlc.sigmoid %a : tensor<?x4xf32>
  %l = mlc.reduce_sum %y axes = [] : tensor<?x4xf32> -> tensor<f32>
  %ga = mlc.gradient %l wrt %a : tensor<f32>, tensor<?x4xf32>
  mlc.output %ga : tensor<?x4xf32>
}
// -----

// CHECK-LABEL: mlc.model @tanh
// CHECK:       %[[Y:.*]] = mlc.tanh
// CHECK:       %[[G:.*]] = mlc.broadcast_like
// CHECK:       %[[Y2:.*]] = mlc.mul %[[Y]], %[[Y]]
// CHECK:       %[[D:.*]] = mlc.sub %{{.*}}, %[[Y2]]
// CHECK:       %[[GA:.*]] = mlc.mul %{{.*}}, %[[D]]
// CHECK:       mlc.output %[[GA]]
mlc.model @tanh {
  %a = mlc.input "a" : tensor<?x4xf32>
  %b = mlc.input "b" : tensor<4xf32>
  %c = mlc.input "c" : tensor<?x4xf32>
  mlc.param @w : tensor<4x4xf32> = #mlc.glorot_uniform
  %w = mlc.param_ref @w : tensor<4x4xf32>
  %y = mlc.tanh %a : tensor<?x4xf32>
  %l = mlc.reduce_sum %y axes = [] : tensor<?x4xf32> -> tensor<f32>
  %ga = mlc.gradient %l wrt %a : tensor<f32>, tensor<?x4xf32>
  mlc.output %ga : tensor<?x4xf32>
}
// -----

// CHECK-LABEL: mlc.model @softmax
// CHECK:       %[[Y:.*]] = mlc.softmax
// CHECK:       %[[G:.*]] = mlc.broadcast_like
// CHECK:       %[[GY:.*]] = mlc.mul %[[G]], %[[Y]]
// CHECK:       %[[S:.*]] = mlc.reduce_sum %[[GY]] axes = [-1] keepdims
// CHECK:       %[[D:.*]] = mlc.sub %[[G]], %[[S]]
// CHECK:       %[[GA:.*]] = mlc.mul %[[Y]], %[[D]]
// CHECK:       mlc.output %[[GA]]
mlc.model @softmax {
  %a = mlc.input "a" : tensor<?x4xf32>
  %b = mlc.input "b" : tensor<4xf32>
  %c = mlc.input "c" : tensor<?x4xf32>
  mlc.param @w : tensor<4x4xf32> = #mlc.glorot_uniform
  %w = mlc.param_ref @w : tensor<4x4xf32>
  %y = mlc.softmax %a : tensor<?x4xf32>
  %l = mlc.reduce_sum %y axes = [] : tensor<?x4xf32> -> tensor<f32>
  %ga = mlc.gradient %l wrt %a : tensor<f32>, tensor<?x4xf32>
  mlc.output %ga : tensor<?x4xf32>
}
// -----

// CHECK-LABEL: mlc.model @log_softmax
// CHECK:       %[[Y:.*]] = mlc.log_softmax
// CHECK:       %[[G:.*]] = mlc.broadcast_like
// CHECK:       %[[S:.*]] = mlc.reduce_sum %[[G]] axes = [-1] keepdims
// CHECK:       %[[P:.*]] = mlc.exp %[[Y]]
// CHECK:       %[[PS:.*]] = mlc.mul %[[P]], %[[S]]
// CHECK:       %[[GA:.*]] = mlc.sub %[[G]], %[[PS]]
// CHECK:       mlc.output %[[GA]]
mlc.model @log_softmax {
  %a = mlc.input "a" : tensor<?x4xf32>
  %b = mlc.input "b" : tensor<4xf32>
  %c = mlc.input "c" : tensor<?x4xf32>
  mlc.param @w : tensor<4x4xf32> = #mlc.glorot_uniform
  %w = mlc.param_ref @w : tensor<4x4xf32>
  %y = mlc.log_softmax %a : tensor<?x4xf32>
  %l = mlc.reduce_sum %y axes = [] : tensor<?x4xf32> -> tensor<f32>
  %ga = mlc.gradient %l wrt %a : tensor<f32>, tensor<?x4xf32>
  mlc.output %ga : tensor<?x4xf32>
}
// -----

// CHECK-LABEL: mlc.model @reduce_sum
// CHECK:       %[[G:.*]] = mlc.broadcast_like
// CHECK:       %[[K:.*]] = mlc.reshape %{{.*}} : tensor<?xf32> -> tensor<?x1xf32>
// CHECK:       %[[GA:.*]] = mlc.broadcast_like %[[K]], %[[A:.*]] : tensor<?x1xf32>, tensor<?x4xf32> -> tensor<?x4xf32>
// CHECK:       mlc.output %[[GA]]
mlc.model @reduce_sum {
  %a = mlc.input "a" : tensor<?x4xf32>
  %b = mlc.input "b" : tensor<4xf32>
  %c = mlc.input "c" : tensor<?x4xf32>
  mlc.param @w : tensor<4x4xf32> = #mlc.glorot_uniform
  %w = mlc.param_ref @w : tensor<4x4xf32>
  %y = mlc.reduce_sum %a axes = [1] : tensor<?x4xf32> -> tensor<?xf32>
  %l = mlc.reduce_sum %y axes = [] : tensor<?xf32> -> tensor<f32>
  %ga = mlc.gradient %l wrt %a : tensor<f32>, tensor<?x4xf32>
  mlc.output %ga : tensor<?x4xf32>
}
// -----

// CHECK-LABEL: mlc.model @reduce_mean
// CHECK:       %[[G:.*]] = mlc.broadcast_like
// CHECK:       %[[N:.*]] = mlc.reduce_sum %{{.*}} axes = [0] keepdims : tensor<?x4xf32> -> tensor<1x4xf32>
// CHECK:       %[[B:.*]] = mlc.broadcast_like %{{.*}}, %{{.*}} : tensor<1x4xf32>, tensor<?x4xf32> -> tensor<?x4xf32>
// CHECK:       %[[GA:.*]] = mlc.div %[[B]], %[[N]]
// CHECK:       mlc.output %[[GA]]
mlc.model @reduce_mean {
  %a = mlc.input "a" : tensor<?x4xf32>
  %b = mlc.input "b" : tensor<4xf32>
  %c = mlc.input "c" : tensor<?x4xf32>
  mlc.param @w : tensor<4x4xf32> = #mlc.glorot_uniform
  %w = mlc.param_ref @w : tensor<4x4xf32>
  %y = mlc.reduce_mean %a axes = [0] keepdims : tensor<?x4xf32> -> tensor<1x4xf32>
  %l = mlc.reduce_sum %y axes = [] : tensor<1x4xf32> -> tensor<f32>
  %ga = mlc.gradient %l wrt %a : tensor<f32>, tensor<?x4xf32>
  mlc.output %ga : tensor<?x4xf32>
}
// -----

// Tied maxima share the gradient evenly: mask / (number of ties) * g.
// CHECK-LABEL: mlc.model @reduce_max
// CHECK:       %[[Y:.*]] = mlc.reduce_max %[[A:.*]] axes = [1]
// CHECK:       %[[G:.*]] = mlc.reshape %{{.*}} : tensor<?xf32> -> tensor<?x1xf32>
// CHECK:       %[[YK:.*]] = mlc.reshape %[[Y]] : tensor<?xf32> -> tensor<?x1xf32>
// CHECK:       %[[M:.*]] = mlc.equal %[[A]], %[[YK]]
// CHECK:       %[[N:.*]] = mlc.reduce_sum %[[M]] axes = [1] keepdims : tensor<?x4xf32> -> tensor<?x1xf32>
// CHECK:       %[[GN:.*]] = mlc.div %[[G]], %[[N]]
// CHECK:       %[[GA:.*]] = mlc.mul %[[M]], %[[GN]]
// CHECK:       mlc.output %[[GA]]
mlc.model @reduce_max {
  %a = mlc.input "a" : tensor<?x4xf32>
  %b = mlc.input "b" : tensor<4xf32>
  %c = mlc.input "c" : tensor<?x4xf32>
  mlc.param @w : tensor<4x4xf32> = #mlc.glorot_uniform
  %w = mlc.param_ref @w : tensor<4x4xf32>
  %y = mlc.reduce_max %a axes = [1] : tensor<?x4xf32> -> tensor<?xf32>
  %l = mlc.reduce_sum %y axes = [] : tensor<?xf32> -> tensor<f32>
  %ga = mlc.gradient %l wrt %a : tensor<f32>, tensor<?x4xf32>
  mlc.output %ga : tensor<?x4xf32>
}
// -----

// clip passes the gradient where min <= x <= max (clip(x) == x, bounds
// included, as TensorFlow's clip_by_value), zero elsewhere.
// CHECK-LABEL: mlc.model @clip
// CHECK:       %[[A:.*]] = mlc.input "a"
// CHECK:       %[[C:.*]] = mlc.clip %[[A]] {max = 1.000000e+00 : f64, min = -1.000000e+00 : f64}
// CHECK:       %[[G:.*]] = mlc.broadcast_like
// CHECK:       %[[M:.*]] = mlc.equal %[[C]], %[[A]]
// CHECK:       %[[GA:.*]] = mlc.mul %[[G]], %[[M]]
// CHECK:       mlc.output %[[GA]]
mlc.model @clip {
  %a = mlc.input "a" : tensor<?x4xf32>
  %c = mlc.clip %a {min = -1.0 : f64, max = 1.0 : f64} : tensor<?x4xf32>
  %l = mlc.reduce_sum %c axes = [] : tensor<?x4xf32> -> tensor<f32>
  %ga = mlc.gradient %l wrt %a : tensor<f32>, tensor<?x4xf32>
  mlc.output %ga : tensor<?x4xf32>
}
// -----

// CHECK-LABEL: mlc.model @matmul
// CHECK:       %[[G:.*]] = mlc.broadcast_like
// CHECK-DAG:   %[[GA:.*]] = mlc.matmul %[[G]], %[[W:.*]] {transpose_rhs}
// CHECK-DAG:   %[[GW:.*]] = mlc.matmul %[[A:.*]], %[[G]] {transpose_lhs}
// CHECK:       mlc.output %[[GA]], %[[GW]]
mlc.model @matmul {
  %a = mlc.input "a" : tensor<?x4xf32>
  %b = mlc.input "b" : tensor<4xf32>
  %c = mlc.input "c" : tensor<?x4xf32>
  mlc.param @w : tensor<4x4xf32> = #mlc.glorot_uniform
  %w = mlc.param_ref @w : tensor<4x4xf32>
  %y = mlc.matmul %a, %w : (tensor<?x4xf32>, tensor<4x4xf32>) -> tensor<?x4xf32>
  %l = mlc.reduce_sum %y axes = [] : tensor<?x4xf32> -> tensor<f32>
  %ga, %gw = mlc.gradient %l wrt %a, %w : tensor<f32>, tensor<?x4xf32>, tensor<4x4xf32>
  mlc.output %ga, %gw : tensor<?x4xf32>, tensor<4x4xf32>
}
// -----

// CHECK-LABEL: mlc.model @reshape
// CHECK:       %[[G:.*]] = mlc.broadcast_like
// CHECK:       %[[GA:.*]] = mlc.reshape %{{.*}} : tensor<?x2x2xf32> -> tensor<?x4xf32>
// CHECK:       mlc.output %[[GA]]
mlc.model @reshape {
  %a = mlc.input "a" : tensor<?x4xf32>
  %b = mlc.input "b" : tensor<4xf32>
  %c = mlc.input "c" : tensor<?x4xf32>
  mlc.param @w : tensor<4x4xf32> = #mlc.glorot_uniform
  %w = mlc.param_ref @w : tensor<4x4xf32>
  %y = mlc.reshape %a : tensor<?x4xf32> -> tensor<?x2x2xf32>
  %l = mlc.reduce_sum %y axes = [] : tensor<?x2x2xf32> -> tensor<f32>
  %ga = mlc.gradient %l wrt %a : tensor<f32>, tensor<?x4xf32>
  mlc.output %ga : tensor<?x4xf32>
}
// -----

// CHECK-LABEL: mlc.model @transpose
// CHECK:       %[[G:.*]] = mlc.broadcast_like
// CHECK:       %[[GA:.*]] = mlc.transpose %{{.*}} perm = [1, 0] : tensor<4x?xf32> -> tensor<?x4xf32>
// CHECK:       mlc.output %[[GA]]
mlc.model @transpose {
  %a = mlc.input "a" : tensor<?x4xf32>
  %b = mlc.input "b" : tensor<4xf32>
  %c = mlc.input "c" : tensor<?x4xf32>
  mlc.param @w : tensor<4x4xf32> = #mlc.glorot_uniform
  %w = mlc.param_ref @w : tensor<4x4xf32>
  %y = mlc.transpose %a perm = [1, 0] : tensor<?x4xf32> -> tensor<4x?xf32>
  %l = mlc.reduce_sum %y axes = [] : tensor<4x?xf32> -> tensor<f32>
  %ga = mlc.gradient %l wrt %a : tensor<f32>, tensor<?x4xf32>
  mlc.output %ga : tensor<?x4xf32>
}
// -----

// CHECK-LABEL: mlc.model @broadcast_to
// CHECK:       %[[G:.*]] = mlc.broadcast_like
// CHECK:       %[[GB:.*]] = mlc.reduce_sum %{{.*}} axes = [0] : tensor<3x4xf32> -> tensor<4xf32>
// CHECK:       mlc.output %[[GB]]
mlc.model @broadcast_to {
  %a = mlc.input "a" : tensor<?x4xf32>
  %b = mlc.input "b" : tensor<4xf32>
  %c = mlc.input "c" : tensor<?x4xf32>
  mlc.param @w : tensor<4x4xf32> = #mlc.glorot_uniform
  %w = mlc.param_ref @w : tensor<4x4xf32>
  %y = mlc.broadcast_to %b : tensor<4xf32> -> tensor<3x4xf32>
  %l = mlc.reduce_sum %y axes = [] : tensor<3x4xf32> -> tensor<f32>
  %gb = mlc.gradient %l wrt %b : tensor<f32>, tensor<4xf32>
  mlc.output %gb : tensor<4xf32>
}

// -----

// A convolution's gradients: the input's from the kernel, the kernel's
// from the input, with the convolution's window attributes.
// CHECK-LABEL: mlc.model @conv
// CHECK:         %[[C:.*]] = mlc.conv %[[X:.*]], %[[K:.*]] {pads = array<i64: 1, 1, 1, 1>, strides = array<i64: 2, 2>}
// CHECK:         %[[GX:.*]] = mlc.conv_input_grad %[[G:.*]], %[[K]] {pads = array<i64: 1, 1, 1, 1>, strides = array<i64: 2, 2>} : (tensor<?x4x4x8xf32>, tensor<3x3x2x8xf32>) -> tensor<?x8x8x2xf32>
// CHECK:         %[[GK:.*]] = mlc.conv_filter_grad %[[X]], %[[G]] {pads = array<i64: 1, 1, 1, 1>, strides = array<i64: 2, 2>} : (tensor<?x8x8x2xf32>, tensor<?x4x4x8xf32>) -> tensor<3x3x2x8xf32>
// CHECK:         mlc.output %{{.*}}, %[[GX]], %[[GK]]
mlc.model @conv {
  %x = mlc.input "x" : tensor<?x8x8x2xf32>
  %k = mlc.input "k" : tensor<3x3x2x8xf32>
  %c = mlc.conv %x, %k {strides = array<i64: 2, 2>, pads = array<i64: 1, 1, 1, 1>} : (tensor<?x8x8x2xf32>, tensor<3x3x2x8xf32>) -> tensor<?x4x4x8xf32>
  %l = mlc.reduce_sum %c axes = [] : tensor<?x4x4x8xf32> -> tensor<f32>
  %gx, %gk = mlc.gradient %l wrt %x, %k : tensor<f32>, tensor<?x8x8x2xf32>, tensor<3x3x2x8xf32>
  mlc.output %l, %gx, %gk : tensor<f32>, tensor<?x8x8x2xf32>, tensor<3x3x2x8xf32>
}

// -----

// Pooling gradients: max pooling's reads the input (to find each
// window's first maximum), average pooling's only the gradient.
// CHECK-LABEL: mlc.model @pools
// CHECK:         %[[M:.*]] = mlc.max_pool %[[X:.*]] {strides = array<i64: 2, 2>, window = array<i64: 2, 2>}
// CHECK:         mlc.avg_pool %[[M]] {pads = array<i64: 0, 1, 0, 1>, window = array<i64: 2, 2>}
// CHECK:         %[[GM:.*]] = mlc.avg_pool_grad %{{.*}} {pads = array<i64: 0, 1, 0, 1>, window = array<i64: 2, 2>} : (tensor<?x2x2x3xf32>) -> tensor<?x2x2x3xf32>
// CHECK:         mlc.max_pool_grad %[[GM]], %[[X]] {strides = array<i64: 2, 2>, window = array<i64: 2, 2>} : (tensor<?x2x2x3xf32>, tensor<?x4x4x3xf32>) -> tensor<?x4x4x3xf32>
mlc.model @pools {
  %x = mlc.input "x" : tensor<?x4x4x3xf32>
  %m = mlc.max_pool %x {window = array<i64: 2, 2>, strides = array<i64: 2, 2>} : tensor<?x4x4x3xf32> -> tensor<?x2x2x3xf32>
  %a = mlc.avg_pool %m {window = array<i64: 2, 2>, pads = array<i64: 0, 1, 0, 1>} : tensor<?x2x2x3xf32> -> tensor<?x2x2x3xf32>
  %l = mlc.reduce_sum %a axes = [] : tensor<?x2x2x3xf32> -> tensor<f32>
  %g = mlc.gradient %l wrt %x : tensor<f32>, tensor<?x4x4x3xf32>
  mlc.output %l, %g : tensor<f32>, tensor<?x4x4x3xf32>
}
