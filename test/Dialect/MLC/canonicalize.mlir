// RUN: mlc-opt %s --canonicalize --split-input-file | FileCheck %s

// CHECK-LABEL: mlc.model @reshape_chain
// CHECK-NEXT:    %[[X:.*]] = mlc.input
// CHECK-NEXT:    %[[R:.*]] = mlc.reshape %[[X]] : tensor<?x28x28xf32> -> tensor<?x784xf32>
// CHECK-NEXT:    mlc.output %[[R]], %[[X]]
mlc.model @reshape_chain {
  %x = mlc.input "x" : tensor<?x28x28xf32>
  %a = mlc.reshape %x : tensor<?x28x28xf32> -> tensor<?x14x56xf32>
  %b = mlc.reshape %a : tensor<?x14x56xf32> -> tensor<?x784xf32>
  %c = mlc.reshape %x : tensor<?x28x28xf32> -> tensor<?x28x28xf32>
  mlc.output %b, %c : tensor<?x784xf32>, tensor<?x28x28xf32>
}

// -----

// CHECK-LABEL: mlc.model @flatten_then_reshape
// CHECK-NEXT:    %[[X:.*]] = mlc.input
// CHECK-NEXT:    %[[R:.*]] = mlc.reshape %[[X]] : tensor<?x4x4xf32> -> tensor<?x2x8xf32>
// CHECK-NEXT:    mlc.output %[[R]], %[[X]]
mlc.model @flatten_then_reshape {
  %x = mlc.input "x" : tensor<?x4x4xf32>
  %f = mlc.flatten %x : tensor<?x4x4xf32> -> tensor<?x16xf32>
  %r = mlc.reshape %f : tensor<?x16xf32> -> tensor<?x2x8xf32>
  %g = mlc.flatten %x : tensor<?x4x4xf32> -> tensor<?x16xf32>
  %back = mlc.reshape %g : tensor<?x16xf32> -> tensor<?x4x4xf32>
  mlc.output %r, %back : tensor<?x2x8xf32>, tensor<?x4x4xf32>
}

// -----

// CHECK-LABEL: mlc.model @transposes
// CHECK-NEXT:    %[[X:.*]] = mlc.input
// CHECK-NEXT:    %[[T:.*]] = mlc.transpose %[[X]] perm = [2, 0, 1] : tensor<2x3x4xf32> -> tensor<4x2x3xf32>
// CHECK-NEXT:    mlc.output %[[X]], %[[T]], %[[X]]
mlc.model @transposes {
  %x = mlc.input "x" : tensor<2x3x4xf32>
  %a = mlc.transpose %x perm = [1, 0, 2] : tensor<2x3x4xf32> -> tensor<3x2x4xf32>
  %b = mlc.transpose %a perm = [1, 0, 2] : tensor<3x2x4xf32> -> tensor<2x3x4xf32>
  %c = mlc.transpose %a perm = [2, 1, 0] : tensor<3x2x4xf32> -> tensor<4x2x3xf32>
  %d = mlc.transpose %x perm = [0, 1, 2] : tensor<2x3x4xf32> -> tensor<2x3x4xf32>
  mlc.output %b, %c, %d : tensor<2x3x4xf32>, tensor<4x2x3xf32>, tensor<2x3x4xf32>
}

// -----

// CHECK-LABEL: mlc.model @neg_neg
// CHECK-NEXT:    %[[X:.*]] = mlc.input
// CHECK-NEXT:    mlc.output %[[X]]
mlc.model @neg_neg {
  %x = mlc.input "x" : tensor<?x4xf32>
  %a = mlc.neg %x : tensor<?x4xf32>
  %b = mlc.neg %a : tensor<?x4xf32>
  mlc.output %b : tensor<?x4xf32>
}

// -----

// CHECK-LABEL: mlc.model @constants
// CHECK-DAG:     %[[R:.*]] = mlc.constant dense<{{\[}}[1.000000e+00, 2.000000e+00], [3.000000e+00, 4.000000e+00]]> : tensor<2x2xf32>
// CHECK-DAG:     %[[B:.*]] = mlc.constant dense<5.000000e-01> : tensor<3x4xf32>
// CHECK:         mlc.output %[[R]], %[[B]]
mlc.model @constants {
  %c = mlc.constant dense<[1.0, 2.0, 3.0, 4.0]> : tensor<4xf32>
  %r = mlc.reshape %c : tensor<4xf32> -> tensor<2x2xf32>
  %s = mlc.constant dense<0.5> : tensor<4xf32>
  %b = mlc.broadcast_to %s : tensor<4xf32> -> tensor<3x4xf32>
  mlc.output %r, %b : tensor<2x2xf32>, tensor<3x4xf32>
}

// -----

// CHECK-LABEL: mlc.model @broadcast_identity
// CHECK-NEXT:    %[[X:.*]] = mlc.input
// CHECK-NEXT:    mlc.output %[[X]]
mlc.model @broadcast_identity {
  %x = mlc.input "x" : tensor<?x4xf32>
  %b = mlc.broadcast_to %x : tensor<?x4xf32> -> tensor<?x4xf32>
  mlc.output %b : tensor<?x4xf32>
}

// -----

// Cross-entropies of a softmax (last axis) or sigmoid take its logits with
// from_logits; the activation stays for its other users.
// CHECK-LABEL: mlc.model @loss_from_logits
// CHECK:         %[[Z:.*]] = mlc.input "z"
// CHECK:         %[[Y:.*]] = mlc.input "y"
// CHECK:         %[[T:.*]] = mlc.input "t"
// CHECK:         %[[P:.*]] = mlc.softmax %[[Z]]
// CHECK:         %[[S:.*]] = mlc.sparse_categorical_crossentropy %[[Z]], %[[Y]] {from_logits}
// CHECK:         %[[C:.*]] = mlc.categorical_crossentropy %[[Z]], %[[T]] {from_logits}
// CHECK:         %[[B:.*]] = mlc.binary_crossentropy %[[Z]], %[[T]] {from_logits}
// CHECK:         mlc.output %[[P]], %[[S]], %[[C]], %[[B]]
mlc.model @loss_from_logits {
  %z = mlc.input "z" : tensor<?x4xf32>
  %y = mlc.input "y" : tensor<?xi32>
  %t = mlc.input "t" : tensor<?x4xf32>
  %p = mlc.softmax %z {axis = -1} : tensor<?x4xf32>
  %s = mlc.sparse_categorical_crossentropy %p, %y : (tensor<?x4xf32>, tensor<?xi32>) -> tensor<f32>
  %c = mlc.categorical_crossentropy %p, %t : (tensor<?x4xf32>, tensor<?x4xf32>) -> tensor<f32>
  %q = mlc.sigmoid %z : tensor<?x4xf32>
  %b = mlc.binary_crossentropy %q, %t : (tensor<?x4xf32>, tensor<?x4xf32>) -> tensor<f32>
  mlc.output %p, %s, %c, %b : tensor<?x4xf32>, tensor<f32>, tensor<f32>, tensor<f32>
}

// -----

// Not rewritten: a loss already from logits (the softmax is applied twice,
// as written), a softmax over the batch axis, a sigmoid under a
// categorical loss, a softmax under binary cross-entropy.
// CHECK-LABEL: mlc.model @loss_not_from_logits
// CHECK:         %[[P:.*]] = mlc.softmax %{{.*}} : tensor<?x4xf32>
// CHECK:         mlc.sparse_categorical_crossentropy %[[P]], %{{.*}} {from_logits}
// CHECK:         %[[P0:.*]] = mlc.softmax %{{.*}} {axis = 0 : i64}
// CHECK:         mlc.categorical_crossentropy %[[P0]], %{{.*}} :
// CHECK:         %[[Q:.*]] = mlc.sigmoid
// CHECK:         mlc.categorical_crossentropy %[[Q]], %{{.*}} :
// CHECK:         mlc.binary_crossentropy %[[P]], %{{.*}} :
mlc.model @loss_not_from_logits {
  %z = mlc.input "z" : tensor<?x4xf32>
  %y = mlc.input "y" : tensor<?xi32>
  %t = mlc.input "t" : tensor<?x4xf32>
  %p = mlc.softmax %z : tensor<?x4xf32>
  %s = mlc.sparse_categorical_crossentropy %p, %y {from_logits} : (tensor<?x4xf32>, tensor<?xi32>) -> tensor<f32>
  %p0 = mlc.softmax %z {axis = 0} : tensor<?x4xf32>
  %c = mlc.categorical_crossentropy %p0, %t : (tensor<?x4xf32>, tensor<?x4xf32>) -> tensor<f32>
  %q = mlc.sigmoid %z : tensor<?x4xf32>
  %c2 = mlc.categorical_crossentropy %q, %t : (tensor<?x4xf32>, tensor<?x4xf32>) -> tensor<f32>
  %b = mlc.binary_crossentropy %p, %t : (tensor<?x4xf32>, tensor<?x4xf32>) -> tensor<f32>
  mlc.output %s, %c, %c2, %b : tensor<f32>, tensor<f32>, tensor<f32>, tensor<f32>
}

// -----

// Relu's gradient after max pooling's applies to the pooled gradient: the
// pool's gradient reaches only each window's maximum, whose value is the
// pooled one. Not when the pool's gradient has another use.
// CHECK-LABEL: mlc.model @relu_grad_through_max_pool
// CHECK:         %[[X:.*]] = mlc.input "x"
// CHECK:         %[[G:.*]] = mlc.input "g"
// CHECK:         %[[P:.*]] = mlc.max_pool %[[X]] {strides = array<i64: 2, 2>, window = array<i64: 2, 2>}
// CHECK:         %[[M:.*]] = mlc.relu_grad %[[G]], %[[P]] : tensor<?x2x2x3xf32>
// CHECK:         %[[D:.*]] = mlc.max_pool_grad %[[M]], %[[X]] {strides = array<i64: 2, 2>, window = array<i64: 2, 2>}
// CHECK:         %[[D2:.*]] = mlc.max_pool_grad %[[G]], %[[X]]
// CHECK:         %[[R2:.*]] = mlc.relu_grad %[[D2]], %[[X]] : tensor<?x4x4x3xf32>
// CHECK:         mlc.output %[[D]], %[[R2]], %[[D2]]
mlc.model @relu_grad_through_max_pool {
  %x = mlc.input "x" : tensor<?x4x4x3xf32>
  %g = mlc.input "g" : tensor<?x2x2x3xf32>
  %d = mlc.max_pool_grad %g, %x {window = array<i64: 2, 2>, strides = array<i64: 2, 2>} : (tensor<?x2x2x3xf32>, tensor<?x4x4x3xf32>) -> tensor<?x4x4x3xf32>
  %r = mlc.relu_grad %d, %x : tensor<?x4x4x3xf32>
  %d2 = mlc.max_pool_grad %g, %x {window = array<i64: 2, 2>, strides = array<i64: 2, 2>} : (tensor<?x2x2x3xf32>, tensor<?x4x4x3xf32>) -> tensor<?x4x4x3xf32>
  %r2 = mlc.relu_grad %d2, %x : tensor<?x4x4x3xf32>
  mlc.output %r, %r2, %d2 : tensor<?x4x4x3xf32>, tensor<?x4x4x3xf32>, tensor<?x4x4x3xf32>
}

// -----

// A sum over height and width of max pooling's gradient is the sum of the
// pooled gradient (each window's goes whole to one element), unless pads
// could take a window's gradient, or the sum keeps a spatial axis.
// CHECK-LABEL: mlc.model @sum_of_max_pool_grad
// CHECK:         %[[G:.*]] = mlc.input "g"
// CHECK:         %[[S:.*]] = mlc.reduce_sum %[[G]] axes = [0, 1, 2] : tensor<?x2x2x3xf32> -> tensor<3xf32>
// CHECK:         %[[T:.*]] = mlc.reduce_sum %[[G]] axes = [] keepdims : tensor<?x2x2x3xf32> -> tensor<1x1x1x1xf32>
// CHECK:         mlc.reduce_sum %{{.*}} axes = [0, 1] : tensor<?x4x4x3xf32> -> tensor<4x3xf32>
// CHECK:         mlc.reduce_sum %{{.*}} axes = [0, 1, 2] : tensor<?x4x4x3xf32> -> tensor<3xf32>
mlc.model @sum_of_max_pool_grad {
  %x = mlc.input "x" : tensor<?x4x4x3xf32>
  %g = mlc.input "g" : tensor<?x2x2x3xf32>
  %d = mlc.max_pool_grad %g, %x {window = array<i64: 2, 2>, strides = array<i64: 2, 2>} : (tensor<?x2x2x3xf32>, tensor<?x4x4x3xf32>) -> tensor<?x4x4x3xf32>
  %s = mlc.reduce_sum %d axes = [0, 1, 2] : tensor<?x4x4x3xf32> -> tensor<3xf32>
  %t = mlc.reduce_sum %d axes = [] keepdims : tensor<?x4x4x3xf32> -> tensor<1x1x1x1xf32>
  %u = mlc.reduce_sum %d axes = [0, 1] : tensor<?x4x4x3xf32> -> tensor<4x3xf32>
  %gp = mlc.input "gp" : tensor<?x3x3x3xf32>
  %dp = mlc.max_pool_grad %gp, %x {window = array<i64: 2, 2>, strides = array<i64: 2, 2>, pads = array<i64: 1, 1, 1, 1>} : (tensor<?x3x3x3xf32>, tensor<?x4x4x3xf32>) -> tensor<?x4x4x3xf32>
  %v = mlc.reduce_sum %dp axes = [0, 1, 2] : tensor<?x4x4x3xf32> -> tensor<3xf32>
  mlc.output %s, %t, %u, %v : tensor<3xf32>, tensor<1x1x1x1xf32>, tensor<4x3xf32>, tensor<3xf32>
}
