// RUN: mlc-opt %s --mlc-autodiff --split-input-file | FileCheck %s

// The seed MLP's loss: the sparse cross-entropy of a softmax becomes the
// cross-entropy of its logits, whose gradient is (softmax - onehot) / batch;
// relu backward selects on the forward output;
// dW = Xᵀ·dZ with no transpose op; bias gradients sum over the batch; the
// loss value itself is not recomputed.
// CHECK-LABEL: mlc.model @mlp
// CHECK:         %[[X:.*]] = mlc.input "x"
// CHECK:         %[[Y:.*]] = mlc.input "y"
// CHECK:         %[[W1:.*]] = mlc.param_ref @w1
// CHECK:         %[[W2:.*]] = mlc.param_ref @w2
// CHECK:         %[[Z1:.*]] = mlc.matmul %[[X]], %[[W1]]
// CHECK:         %[[H:.*]] = mlc.relu %[[Z1]]
// CHECK:         %[[Z2:.*]] = mlc.matmul %[[H]], %[[W2]]
// CHECK:         mlc.sparse_categorical_crossentropy %[[Z2]], %[[Y]] {from_logits}
// CHECK:         %[[OH:.*]] = mlc.one_hot %[[Y]] : tensor<?xi32> -> tensor<?x10xf32>
// CHECK:         %[[P:.*]] = mlc.softmax %[[Z2]]
// CHECK:         %[[D:.*]] = mlc.sub %[[P]], %[[OH]]
// CHECK:         %[[DZ2:.*]] = mlc.mul %{{.*}}, %{{.*}} : (tensor<?x10xf32>, tensor<f32>) -> tensor<?x10xf32>
// CHECK-DAG:     %[[DH:.*]] = mlc.matmul %[[DZ2]], %[[W2]] {transpose_rhs}
// CHECK-DAG:     %[[DW2:.*]] = mlc.matmul %[[H]], %[[DZ2]] {transpose_lhs}
// CHECK:         %[[DZ1:.*]] = mlc.relu_grad %[[DH]], %[[H]]
// CHECK:         %[[DW1:.*]] = mlc.matmul %[[X]], %[[DZ1]] {transpose_lhs}
// CHECK:         mlc.output %[[DW1]], %[[DW2]]
// CHECK-NOT:     mlc.gradient
mlc.model @mlp {
  %x = mlc.input "x" : tensor<?x784xf32>
  %y = mlc.input "y" : tensor<?xi32>
  mlc.param @w1 : tensor<784x128xf32> = #mlc.glorot_uniform
  mlc.param @w2 : tensor<128x10xf32> = #mlc.glorot_uniform
  %w1 = mlc.param_ref @w1 : tensor<784x128xf32>
  %w2 = mlc.param_ref @w2 : tensor<128x10xf32>
  %z1 = mlc.matmul %x, %w1 : (tensor<?x784xf32>, tensor<784x128xf32>) -> tensor<?x128xf32>
  %h = mlc.relu %z1 : tensor<?x128xf32>
  %z2 = mlc.matmul %h, %w2 : (tensor<?x128xf32>, tensor<128x10xf32>) -> tensor<?x10xf32>
  %p = mlc.softmax %z2 : tensor<?x10xf32>
  %l = mlc.sparse_categorical_crossentropy %p, %y : (tensor<?x10xf32>, tensor<?xi32>) -> tensor<f32>
  %g1, %g2 = mlc.gradient %l wrt %w1, %w2 : tensor<f32>, tensor<784x128xf32>, tensor<128x10xf32>
  mlc.output %g1, %g2 : tensor<784x128xf32>, tensor<128x10xf32>
}

// -----

// Fan-out: a value used twice gets the sum of both gradients. Broadcast
// operands get gradients summed back to their shape.
// CHECK-LABEL: mlc.model @fanout
// CHECK:         %[[A:.*]] = mlc.input "a" : tensor<?x4xf32>
// CHECK:         %[[B:.*]] = mlc.input "b" : tensor<4xf32>
// CHECK:         %[[GB:.*]] = mlc.reduce_sum %{{.*}} axes = [0] : tensor<?x4xf32> -> tensor<4xf32>
// CHECK:         %[[GA:.*]] = mlc.add %{{.*}}, %{{.*}} : (tensor<?x4xf32>, tensor<?x4xf32>) -> tensor<?x4xf32>
// CHECK:         mlc.output %[[GA]], %[[GB]]
mlc.model @fanout {
  %a = mlc.input "a" : tensor<?x4xf32>
  %b = mlc.input "b" : tensor<4xf32>
  %s = mlc.add %a, %b : (tensor<?x4xf32>, tensor<4xf32>) -> tensor<?x4xf32>
  %m = mlc.mul %s, %a : (tensor<?x4xf32>, tensor<?x4xf32>) -> tensor<?x4xf32>
  %l = mlc.reduce_sum %m axes = [] : tensor<?x4xf32> -> tensor<f32>
  %ga, %gb = mlc.gradient %l wrt %a, %b : tensor<f32>, tensor<?x4xf32>, tensor<4xf32>
  mlc.output %ga, %gb : tensor<?x4xf32>, tensor<4xf32>
}

// -----

// Only what is needed: nothing is computed for values that do not lead
// from the differentiated value to the loss, and an unrelated value gets
// zeros of its runtime shape.
// CHECK-LABEL: mlc.model @needed
// CHECK:         %[[E:.*]] = mlc.exp
// CHECK-NOT:     mlc.mul
// CHECK:         mlc.neg
// CHECK:         %[[GA:.*]] = mlc.neg %{{.*}} : tensor<?x4xf32>
// CHECK-NOT:     mlc.mul
// CHECK:         %[[Z:.*]] = mlc.constant dense<0.000000e+00> : tensor<f32>
// CHECK:         %[[GC:.*]] = mlc.broadcast_like %[[Z]], %{{.*}} : tensor<f32>, tensor<?x4xf32> -> tensor<?x4xf32>
// CHECK:         mlc.output %[[GA]], %[[GC]], %[[E]]
mlc.model @needed {
  %a = mlc.input "a" : tensor<?x4xf32>
  %c = mlc.input "c" : tensor<?x4xf32>
  %e = mlc.exp %c : tensor<?x4xf32>
  %n = mlc.neg %a : tensor<?x4xf32>
  %l = mlc.reduce_sum %n axes = [] : tensor<?x4xf32> -> tensor<f32>
  %ga, %gc = mlc.gradient %l wrt %a, %c : tensor<f32>, tensor<?x4xf32>, tensor<?x4xf32>
  mlc.output %ga, %gc, %e : tensor<?x4xf32>, tensor<?x4xf32>, tensor<?x4xf32>
}
