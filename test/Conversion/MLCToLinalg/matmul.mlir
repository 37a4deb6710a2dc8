// RUN: mlc-opt %s --mlc-to-linalg --split-input-file | FileCheck %s

// A plain 2-D matmul is linalg.matmul into a zero-filled accumulator.
// CHECK-LABEL: func.func @matmul
// CHECK-SAME:    (%[[A:.*]]: tensor<?x784xf32>, %[[W:.*]]: tensor<784x128xf32>)
// CHECK:         %[[D:.*]] = tensor.dim %[[A]], %c0
// CHECK:         %[[E:.*]] = tensor.empty(%[[D]]) : tensor<?x128xf32>
// CHECK:         %[[F:.*]] = linalg.fill ins(%{{.*}} : f32) outs(%[[E]] : tensor<?x128xf32>)
// CHECK:         linalg.matmul ins(%[[A]], %[[W]] : tensor<?x784xf32>, tensor<784x128xf32>) outs(%[[F]] : tensor<?x128xf32>)
func.func @matmul(%a: tensor<?x784xf32>, %w: tensor<784x128xf32>) -> tensor<?x128xf32> {
  %r = mlc.matmul %a, %w : (tensor<?x784xf32>, tensor<784x128xf32>) -> tensor<?x128xf32>
  return %r : tensor<?x128xf32>
}

// -----

// Transposed operands stay a linalg.matmul, with explicit maps (Xᵀ·dY, the
// weight-gradient form, needs no transpose copy).
// CHECK-DAG: #[[MT:.*]] = affine_map<(d0, d1, d2) -> (d2, d0)>
// CHECK-DAG: #[[MB:.*]] = affine_map<(d0, d1, d2) -> (d2, d1)>
// CHECK-DAG: #[[MC:.*]] = affine_map<(d0, d1, d2) -> (d0, d1)>
// CHECK-LABEL: func.func @matmul_transpose_lhs
// CHECK:         linalg.matmul indexing_maps = [#[[MT]], #[[MB]], #[[MC]]]
// CHECK-SAME:      ins(%{{.*}}, %{{.*}} : tensor<?x784xf32>, tensor<?x128xf32>) outs(%{{.*}} : tensor<784x128xf32>)
func.func @matmul_transpose_lhs(%x: tensor<?x784xf32>, %dy: tensor<?x128xf32>) -> tensor<784x128xf32> {
  %r = mlc.matmul %x, %dy {transpose_lhs} : (tensor<?x784xf32>, tensor<?x128xf32>) -> tensor<784x128xf32>
  return %r : tensor<784x128xf32>
}

// -----

// Batched on both sides: a generic over (batch, m, n, k).
// CHECK-DAG: #[[L:.*]] = affine_map<(d0, d1, d2, d3) -> (d0, d1, d3)>
// CHECK-DAG: #[[R:.*]] = affine_map<(d0, d1, d2, d3) -> (d0, d3, d2)>
// CHECK-DAG: #[[O:.*]] = affine_map<(d0, d1, d2, d3) -> (d0, d1, d2)>
// CHECK-LABEL: func.func @batched
// CHECK:         linalg.generic {indexing_maps = [#[[L]], #[[R]], #[[O]]], iterator_types = ["parallel", "parallel", "parallel", "reduction"]}
// CHECK:           arith.mulf
// CHECK:           arith.addf
func.func @batched(%a: tensor<?x3x10xf32>, %b: tensor<?x10x7xf32>) -> tensor<?x3x7xf32> {
  %r = mlc.matmul %a, %b : (tensor<?x3x10xf32>, tensor<?x10x7xf32>) -> tensor<?x3x7xf32>
  return %r : tensor<?x3x7xf32>
}

// -----

// A dense layer over a sequence: the rows of all steps times the kernel,
// one 2-D linalg.matmul between a collapse and an expand.
// CHECK-LABEL: func.func @rows_times_matrix
// CHECK:         %[[F:.*]] = tensor.collapse_shape %[[X:.*]] {{\[\[}}0, 1], [2]] : tensor<?x?x3xf32> into tensor<?x3xf32>
// CHECK:         %[[M:.*]] = linalg.matmul ins(%[[F]], %{{.*}} : tensor<?x3xf32>, tensor<3x4xf32>) outs(%{{.*}} : tensor<?x4xf32>)
// CHECK-DAG:     %[[B:.*]] = tensor.dim %[[X]], %c0
// CHECK-DAG:     %[[T:.*]] = tensor.dim %[[X]], %c1
// CHECK:         tensor.expand_shape %[[M]] {{\[\[}}0, 1], [2]] output_shape [%[[B]], %[[T]], 4] : tensor<?x4xf32> into tensor<?x?x4xf32>
func.func @rows_times_matrix(%x: tensor<?x?x3xf32>, %w: tensor<3x4xf32>) -> tensor<?x?x4xf32> {
  %y = mlc.matmul %x, %w : (tensor<?x?x3xf32>, tensor<3x4xf32>) -> tensor<?x?x4xf32>
  return %y : tensor<?x?x4xf32>
}
