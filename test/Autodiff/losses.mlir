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

// From probabilities, clipped then normalized by their row sum S (Keras):
// (sum(onehot) / S - onehot / clip(p)) / rows where the clip lets p
// through, 0 where it clamps p.
// CHECK-LABEL: mlc.model @sparse_probs
// CHECK:         %[[P:.*]] = mlc.input "p"
// CHECK:         %[[OH:.*]] = mlc.one_hot
// CHECK:         %[[C:.*]] = mlc.clip %[[P]] {max = 0.9999999{{[0-9]*}} : f64, min = 9.99999{{[0-9]*}}E-8 : f64}
// CHECK:         %[[N:.*]] = mlc.reduce_sum %[[OH]] axes = [-1] keepdims
// CHECK:         %[[Q:.*]] = mlc.div %[[OH]], %[[C]]
// CHECK:         %[[S:.*]] = mlc.reduce_sum %[[C]] axes = [-1] keepdims
// CHECK:         %[[NS:.*]] = mlc.div %[[N]], %[[S]]
// CHECK:         %[[D:.*]] = mlc.sub %[[NS]], %[[Q]]
// CHECK:         %[[M:.*]] = mlc.equal %[[C]], %[[P]]
// CHECK:         mlc.mul %[[M]], %[[D]]
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

// -----

// A cross-entropy of a softmax is computed and differentiated from the
// logits (as Keras does): the loss takes %z with from_logits, its gradient
// is (softmax(z) - onehot(y)) / rows, and the softmax stays for the output.
// CHECK-LABEL: mlc.model @softmax_sparse
// CHECK:         %[[Z:.*]] = mlc.input "z"
// CHECK:         %[[Y:.*]] = mlc.input "y"
// CHECK:         %[[P:.*]] = mlc.softmax %[[Z]]
// CHECK:         %[[L:.*]] = mlc.sparse_categorical_crossentropy %[[Z]], %[[Y]] {from_logits}
// CHECK:         %[[OH:.*]] = mlc.one_hot %[[Y]]
// CHECK:         %[[S:.*]] = mlc.softmax %[[Z]]
// CHECK:         %[[D:.*]] = mlc.sub %[[S]], %[[OH]]
// CHECK-NOT:     mlc.clip
// CHECK:         mlc.output %[[L]], %[[P]], %{{.*}}
mlc.model @softmax_sparse {
  %z = mlc.input "z" : tensor<?x4xf32>
  %y = mlc.input "y" : tensor<?xi32>
  %p = mlc.softmax %z : tensor<?x4xf32>
  %l = mlc.sparse_categorical_crossentropy %p, %y : (tensor<?x4xf32>, tensor<?xi32>) -> tensor<f32>
  %g = mlc.gradient %l wrt %z : tensor<f32>, tensor<?x4xf32>
  mlc.output %l, %p, %g : tensor<f32>, tensor<?x4xf32>, tensor<?x4xf32>
}

// -----

// CHECK-LABEL: mlc.model @softmax_categorical
// CHECK:         %[[Z:.*]] = mlc.input "z"
// CHECK:         %[[T:.*]] = mlc.input "t"
// CHECK:         %[[L:.*]] = mlc.categorical_crossentropy %[[Z]], %[[T]] {from_logits}
// CHECK-NOT:     mlc.clip
// CHECK:         mlc.output %[[L]]
mlc.model @softmax_categorical {
  %z = mlc.input "z" : tensor<?x4xf32>
  %t = mlc.input "t" : tensor<?x4xf32>
  %p = mlc.softmax %z {axis = 1} : tensor<?x4xf32>
  %l = mlc.categorical_crossentropy %p, %t : (tensor<?x4xf32>, tensor<?x4xf32>) -> tensor<f32>
  %g = mlc.gradient %l wrt %z : tensor<f32>, tensor<?x4xf32>
  mlc.output %l, %g : tensor<f32>, tensor<?x4xf32>
}

// -----

// Binary cross-entropy of a sigmoid: from the logits, (sigmoid(z) - t) / N.
// CHECK-LABEL: mlc.model @sigmoid_binary
// CHECK:         %[[Z:.*]] = mlc.input "z"
// CHECK:         %[[T:.*]] = mlc.input "t"
// CHECK:         %[[L:.*]] = mlc.binary_crossentropy %[[Z]], %[[T]] {from_logits}
// CHECK:         %[[S:.*]] = mlc.sigmoid %[[Z]]
// CHECK:         mlc.sub %[[S]], %[[T]]
// CHECK-NOT:     mlc.clip
// CHECK:         mlc.output %[[L]]
mlc.model @sigmoid_binary {
  %z = mlc.input "z" : tensor<?x1xf32>
  %t = mlc.input "t" : tensor<?x1xf32>
  %p = mlc.sigmoid %z : tensor<?x1xf32>
  %l = mlc.binary_crossentropy %p, %t : (tensor<?x1xf32>, tensor<?x1xf32>) -> tensor<f32>
  %g = mlc.gradient %l wrt %z : tensor<f32>, tensor<?x1xf32>
  mlc.output %l, %g : tensor<f32>, tensor<?x1xf32>
}

// -----

// A softmax over another axis than the classes is not the losses' softmax:
// the loss stays on probabilities.
// CHECK-LABEL: mlc.model @softmax_axis0
// CHECK:         mlc.categorical_crossentropy %{{.*}}, %{{.*}} :
// CHECK:         mlc.clip
mlc.model @softmax_axis0 {
  %z = mlc.input "z" : tensor<?x4xf32>
  %t = mlc.input "t" : tensor<?x4xf32>
  %p = mlc.softmax %z {axis = 0} : tensor<?x4xf32>
  %l = mlc.categorical_crossentropy %p, %t : (tensor<?x4xf32>, tensor<?x4xf32>) -> tensor<f32>
  %g = mlc.gradient %l wrt %z : tensor<f32>, tensor<?x4xf32>
  mlc.output %l, %g : tensor<f32>, tensor<?x4xf32>
}

// -----

// Inside a larger loss (here halved) too.
// CHECK-LABEL: mlc.model @softmax_in_sum
// CHECK:         %[[Z:.*]] = mlc.input "z"
// CHECK:         mlc.sparse_categorical_crossentropy %[[Z]], %{{.*}} {from_logits}
// CHECK-NOT:     mlc.clip
// CHECK:         mlc.output
mlc.model @softmax_in_sum {
  %z = mlc.input "z" : tensor<?x4xf32>
  %y = mlc.input "y" : tensor<?xi32>
  %half = mlc.constant dense<0.5> : tensor<f32>
  %p = mlc.softmax %z : tensor<?x4xf32>
  %s = mlc.sparse_categorical_crossentropy %p, %y : (tensor<?x4xf32>, tensor<?xi32>) -> tensor<f32>
  %l = mlc.mul %s, %half : (tensor<f32>, tensor<f32>) -> tensor<f32>
  %g = mlc.gradient %l wrt %z : tensor<f32>, tensor<?x4xf32>
  mlc.output %l, %g : tensor<f32>, tensor<?x4xf32>
}
