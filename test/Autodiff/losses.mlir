// The gradients of the losses with respect to the prediction.
// RUN: mlc-opt %s --mlc-autodiff --canonicalize --split-input-file | FileCheck %s

// mse: 2 (p - t) / N
// CHECK-LABEL: mlc.model @mse
// CHECK:         %[[D:.*]] = mlc.sub %[[P:.*]], %[[T:.*]] :
// CHECK:         %[[TW:.*]] = mlc.mul %[[D]], %{{.*}} : (tensor<?x4xf32>, tensor<f32>)
// CHECK:         %[[N:.*]] = mlc.reduce_sum %{{.*}} axes = [] : tensor<?x4xf32> -> tensor<f32>
// CHECK:         %[[GP:.*]] = mlc.div %[[TW]], %[[N]]
mlc.model @mse {
  %p = mlc.input "p" : tensor<?x4xf32>
  %t = mlc.input "t" : tensor<?x4xf32>
  %l = mlc.mse %p, %t : (tensor<?x4xf32>, tensor<?x4xf32>) -> tensor<f32>
  %g = mlc.gradient %l wrt %p : tensor<f32>, tensor<?x4xf32>
  mlc.output %g : tensor<?x4xf32>
}

// -----

// From logits: (softmax(z) - onehot(y)) / rows.
// CHECK-LABEL: mlc.model @sparse_logits
// CHECK:         %[[OH:.*]] = mlc.one_hot %{{.*}} : tensor<?xi32> -> tensor<?x4xf32>
// CHECK:         %[[S:.*]] = mlc.softmax %[[Z:.*]] : tensor<?x4xf32>
// CHECK:         %[[D:.*]] = mlc.sub %[[S]], %[[OH]]
// CHECK:         %[[ROWS:.*]] = mlc.reduce_sum %{{.*}} axes = [0] : tensor<?x4xf32> -> tensor<4xf32>
// CHECK:         mlc.div %[[D]], %[[ROWS]]
mlc.model @sparse_logits {
  %z = mlc.input "z" : tensor<?x4xf32>
  %y = mlc.input "y" : tensor<?xi32>
  %l = mlc.sparse_categorical_crossentropy %z, %y {from_logits} : (tensor<?x4xf32>, tensor<?xi32>) -> tensor<f32>
  %g = mlc.gradient %l wrt %z : tensor<f32>, tensor<?x4xf32>
  mlc.output %g : tensor<?x4xf32>
}

// -----

// From probabilities: -onehot / clip(p) / rows.
// CHECK-LABEL: mlc.model @sparse_probs
// CHECK:         %[[OH:.*]] = mlc.one_hot
// CHECK:         %[[C:.*]] = mlc.clip %[[P:.*]] {max = 0.9999999{{[0-9]*}} : f64, min = 9.99999{{[0-9]*}}E-8 : f64}
// CHECK:         %[[Q:.*]] = mlc.div %[[OH]], %[[C]]
// CHECK:         mlc.neg %[[Q]]
mlc.model @sparse_probs {
  %p = mlc.input "p" : tensor<?x4xf32>
  %y = mlc.input "y" : tensor<?xi32>
  %l = mlc.sparse_categorical_crossentropy %p, %y : (tensor<?x4xf32>, tensor<?xi32>) -> tensor<f32>
  %g = mlc.gradient %l wrt %p : tensor<f32>, tensor<?x4xf32>
  mlc.output %g : tensor<?x4xf32>
}

// -----

// Binary cross-entropy from logits: (sigmoid(z) - t) / N.
// CHECK-LABEL: mlc.model @bce_logits
// CHECK:         %[[S:.*]] = mlc.sigmoid %[[Z:.*]] :
// CHECK:         %[[D:.*]] = mlc.sub %[[S]], %{{.*}} :
// CHECK:         mlc.div %[[D]], %{{.*}} : (tensor<?x1xf32>, tensor<f32>)
mlc.model @bce_logits {
  %z = mlc.input "z" : tensor<?x1xf32>
  %t = mlc.input "t" : tensor<?x1xf32>
  %l = mlc.binary_crossentropy %z, %t {from_logits} : (tensor<?x1xf32>, tensor<?x1xf32>) -> tensor<f32>
  %g = mlc.gradient %l wrt %z : tensor<f32>, tensor<?x1xf32>
  mlc.output %g : tensor<?x1xf32>
}

// -----

// Categorical cross-entropy from logits: softmax(z) sum(t) - t, per row.
// CHECK-LABEL: mlc.model @cce_logits
// CHECK:         %[[TS:.*]] = mlc.reduce_sum %[[T:.*]] axes = [-1] keepdims
// CHECK:         %[[S:.*]] = mlc.softmax
// CHECK:         %[[ST:.*]] = mlc.mul %[[S]], %[[TS]]
// CHECK:         mlc.sub %[[ST]], %[[T]]
mlc.model @cce_logits {
  %z = mlc.input "z" : tensor<?x4xf32>
  %t = mlc.input "t" : tensor<?x4xf32>
  %l = mlc.categorical_crossentropy %z, %t {from_logits} : (tensor<?x4xf32>, tensor<?x4xf32>) -> tensor<f32>
  %g = mlc.gradient %l wrt %z : tensor<f32>, tensor<?x4xf32>
  mlc.output %g : tensor<?x4xf32>
}
