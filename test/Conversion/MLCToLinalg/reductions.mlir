// RUN: mlc-opt %s --mlc-to-linalg --split-input-file | FileCheck %s

// CHECK-LABEL: func.func @sum_rows
// CHECK:         %[[Z:.*]] = linalg.fill ins(%cst : f32)
// CHECK:         linalg.generic {indexing_maps = [#{{.*}}, #{{.*}}], iterator_types = ["parallel", "reduction"]} ins(%{{.*}} : tensor<?x33xf32>) outs(%[[Z]] : tensor<?xf32>)
// CHECK:           arith.addf
func.func @sum_rows(%x: tensor<?x33xf32>) -> tensor<?xf32> {
  %r = mlc.reduce_sum %x axes = [1] : tensor<?x33xf32> -> tensor<?xf32>
  return %r : tensor<?xf32>
}

// -----

// The mean divides by the runtime count of the reduced (batch) dim and
// keepdims puts the dim back with tensor.expand_shape.
// CHECK-LABEL: func.func @mean_batch_keepdims
// CHECK:         linalg.generic {{.*}} iterator_types = ["reduction", "parallel"]
// CHECK:         %[[N:.*]] = tensor.dim
// CHECK:         arith.sitofp
// CHECK:         arith.divf
// CHECK:         linalg.generic
// CHECK:           arith.mulf
// CHECK:         tensor.expand_shape %{{.*}} {{\[\[}}0, 1]] output_shape [1, 33] : tensor<33xf32> into tensor<1x33xf32>
func.func @mean_batch_keepdims(%x: tensor<?x33xf32>) -> tensor<1x33xf32> {
  %r = mlc.reduce_mean %x axes = [0] keepdims : tensor<?x33xf32> -> tensor<1x33xf32>
  return %r : tensor<1x33xf32>
}

// -----

// Max starts from -inf; an empty axes list reduces everything.
// CHECK-LABEL: func.func @max_all
// CHECK:         arith.constant 0xFF800000 : f32
// CHECK:         linalg.generic {{.*}} iterator_types = ["reduction", "reduction"]
// CHECK:           arith.maximumf
func.func @max_all(%x: tensor<?x33xf32>) -> tensor<f32> {
  %r = mlc.reduce_max %x axes = [] : tensor<?x33xf32> -> tensor<f32>
  return %r : tensor<f32>
}
