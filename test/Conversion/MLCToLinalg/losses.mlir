// RUN: mlc-opt %s --mlc-to-linalg --split-input-file | FileCheck %s

// Sparse CE from probabilities, in Keras's order: a row sum of the
// probabilities clipped to [1e-7, 1 - 1e-7], then one reduction over the
// rows that reads each row's labelled class (clamped; a label outside the
// classes adds 0) and takes log(S) - log(clip(p)) = -log(clip(p) / S);
// then the mean over the runtime batch size.
// CHECK-LABEL: func.func @sparse_ce
// CHECK:         %[[S:.*]] = linalg.generic {{.*}} iterator_types = ["parallel", "reduction"]} ins(%{{.*}} : tensor<?x10xf32>) outs(%{{.*}} : tensor<?xf32>)
// CHECK:           arith.constant 1.000000e-07 : f32
// CHECK:           arith.constant 0.99999988 : f32
// CHECK:           arith.maximumf
// CHECK:           arith.minimumf
// CHECK:           arith.addf
// CHECK:         %[[N:.*]] = tensor.dim %{{.*}}, %c1
// CHECK:         linalg.generic {{.*}} iterator_types = ["reduction"]} ins(%{{.*}}, %[[S]] : tensor<?xi32>, tensor<?xf32>) outs(%{{.*}} : tensor<f32>)
// CHECK:           %[[Y:.*]] = arith.index_cast %{{.*}} : i32 to index
// CHECK:           %[[GE:.*]] = arith.cmpi sge, %[[Y]], %c0
// CHECK:           %[[LT:.*]] = arith.cmpi slt, %[[Y]], %[[N]]
// CHECK:           %[[IN:.*]] = arith.andi %[[GE]], %[[LT]]
// CHECK:           %[[C:.*]] = arith.select %[[IN]], %[[Y]], %c0
// CHECK:           %[[R:.*]] = linalg.index 0 : index
// CHECK:           %[[P:.*]] = tensor.extract %{{.*}}[%[[R]], %[[C]]] : tensor<?x10xf32>
// CHECK:           arith.constant 1.000000e-07 : f32
// CHECK:           arith.constant 0.99999988 : f32
// CHECK:           %[[LP:.*]] = math.log
// CHECK:           %[[LS:.*]] = math.log
// CHECK:           %[[T:.*]] = arith.subf %[[LS]], %[[LP]]
// CHECK:           arith.select %[[IN]], %[[T]]
// CHECK:         tensor.dim
// CHECK:         arith.divf
// CHECK:         linalg.generic
// CHECK:           arith.mulf
func.func @sparse_ce(%p: tensor<?x10xf32>, %y: tensor<?xi32>) -> tensor<f32> {
  %r = mlc.sparse_categorical_crossentropy %p, %y : (tensor<?x10xf32>, tensor<?xi32>) -> tensor<f32>
  return %r : tensor<f32>
}

// -----

// From logits: log-sum-exp from the max and sum-of-exp passes, then
// lse - z[y], one term per row.
// CHECK-LABEL: func.func @sparse_ce_logits
// CHECK:         %[[M:.*]] = linalg.generic {{.*}} iterator_types = ["parallel", "reduction"]
// CHECK:           arith.maximumf
// CHECK:         %[[S:.*]] = linalg.generic {{.*}} iterator_types = ["parallel", "reduction"]
// CHECK:           math.exp
// CHECK:         linalg.generic {{.*}} ins(%{{.*}}, %[[M]], %[[S]] : tensor<?xi64>, tensor<?xf32>, tensor<?xf32>)
// CHECK:           tensor.extract
// CHECK:           math.log
// CHECK:           arith.addf
// CHECK:           arith.subf
// CHECK:           arith.select
func.func @sparse_ce_logits(%z: tensor<?x10xf32>, %y: tensor<?xi64>) -> tensor<f32> {
  %r = mlc.sparse_categorical_crossentropy %z, %y {from_logits} : (tensor<?x10xf32>, tensor<?xi64>) -> tensor<f32>
  return %r : tensor<f32>
}

// -----

// Categorical CE from probabilities renormalizes each row (as Keras does).
// CHECK-LABEL: func.func @cce
// CHECK:         linalg.generic {{.*}} iterator_types = ["parallel", "reduction"]
// CHECK:           arith.addf
// CHECK:         linalg.generic {{.*}} iterator_types = ["reduction", "reduction"]
// CHECK:           arith.divf
// CHECK:           math.log
func.func @cce(%p: tensor<?x10xf32>, %t: tensor<?x10xf32>) -> tensor<f32> {
  %r = mlc.categorical_crossentropy %p, %t : (tensor<?x10xf32>, tensor<?x10xf32>) -> tensor<f32>
  return %r : tensor<f32>
}

// -----

// CHECK-LABEL: func.func @cce_logits
// CHECK:         linalg.generic {{.*}} iterator_types = ["parallel", "reduction"]
// CHECK:           arith.maximumf
// CHECK:         linalg.generic {{.*}} iterator_types = ["parallel", "reduction"]
// CHECK:           math.exp
// CHECK:         linalg.generic {{.*}} iterator_types = ["reduction", "reduction"]
// CHECK:           math.log
func.func @cce_logits(%z: tensor<?x10xf32>, %t: tensor<?x10xf32>) -> tensor<f32> {
  %r = mlc.categorical_crossentropy %z, %t {from_logits} : (tensor<?x10xf32>, tensor<?x10xf32>) -> tensor<f32>
  return %r : tensor<f32>
}

// -----

// Binary CE from logits: max(z, 0) - z t + log1p(exp(-|z|)).
// CHECK-LABEL: func.func @bce_logits
// CHECK:         linalg.generic
// CHECK:           arith.maximumf
// CHECK:           arith.mulf
// CHECK:           math.absf
// CHECK:           arith.negf
// CHECK:           math.exp
// CHECK:           math.log1p
func.func @bce_logits(%z: tensor<?x1xf32>, %t: tensor<?x1xf32>) -> tensor<f32> {
  %r = mlc.binary_crossentropy %z, %t {from_logits} : (tensor<?x1xf32>, tensor<?x1xf32>) -> tensor<f32>
  return %r : tensor<f32>
}

// -----

// CHECK-LABEL: func.func @bce_and_mse
// CHECK:         linalg.generic
// CHECK:           math.log
// CHECK:           arith.subf
// CHECK:           math.log
// CHECK:         linalg.generic
// CHECK:           %[[D:.*]] = arith.subf
// CHECK:           arith.mulf %[[D]], %[[D]]
func.func @bce_and_mse(%p: tensor<?x1xf32>, %t: tensor<?x1xf32>) -> (tensor<f32>, tensor<f32>) {
  %b = mlc.binary_crossentropy %p, %t : (tensor<?x1xf32>, tensor<?x1xf32>) -> tensor<f32>
  %m = mlc.mse %p, %t : (tensor<?x1xf32>, tensor<?x1xf32>) -> tensor<f32>
  return %b, %m : tensor<f32>, tensor<f32>
}
