// RUN: mlc-opt %s --mlc-to-linalg --split-input-file | FileCheck %s

// Broadcasting: the row operand is read through a map without the batch dim;
// dynamic result sizes come from the operand that has them.
// CHECK-DAG: #[[ID:.*]] = affine_map<(d0, d1) -> (d0, d1)>
// CHECK-DAG: #[[ROW:.*]] = affine_map<(d0, d1) -> (d1)>
// CHECK-LABEL: func.func @add_row
// CHECK-SAME:    (%[[A:.*]]: tensor<?x33xf32>, %[[B:.*]]: tensor<33xf32>)
// CHECK:         %[[D:.*]] = tensor.dim %[[A]], %c0
// CHECK:         %[[E:.*]] = tensor.empty(%[[D]]) : tensor<?x33xf32>
// CHECK:         linalg.generic {indexing_maps = [#[[ID]], #[[ROW]], #[[ID]]], iterator_types = ["parallel", "parallel"]}
// CHECK-SAME:      ins(%[[A]], %[[B]] : tensor<?x33xf32>, tensor<33xf32>) outs(%[[E]] : tensor<?x33xf32>)
// CHECK:           arith.addf
func.func @add_row(%a: tensor<?x33xf32>, %b: tensor<33xf32>) -> tensor<?x33xf32> {
  %r = mlc.add %a, %b : (tensor<?x33xf32>, tensor<33xf32>) -> tensor<?x33xf32>
  return %r : tensor<?x33xf32>
}

// -----

// A size-1 dim stretches through a constant 0 in the map.
// CHECK-DAG: #[[COL:.*]] = affine_map<(d0, d1) -> (d0, 0)>
// CHECK-DAG: #[[ROW1:.*]] = affine_map<(d0, d1) -> (0, d1)>
// CHECK-LABEL: func.func @div_outer
// CHECK:         linalg.generic {indexing_maps = [#[[COL]], #[[ROW1]], #{{.*}}]
// CHECK:           arith.divf
func.func @div_outer(%a: tensor<?x1xf32>, %b: tensor<1x7xf32>) -> tensor<?x7xf32> {
  %r = mlc.div %a, %b : (tensor<?x1xf32>, tensor<1x7xf32>) -> tensor<?x7xf32>
  return %r : tensor<?x7xf32>
}

// -----

// CHECK-LABEL: func.func @unary
// CHECK:         arith.negf
// CHECK:         math.exp
// CHECK:         math.log
// CHECK:         math.sqrt
// CHECK:         math.tanh
// CHECK-NOT:     mlc.
func.func @unary(%x: tensor<4x7xf32>) -> tensor<4x7xf32> {
  %0 = mlc.neg %x : tensor<4x7xf32>
  %1 = mlc.exp %0 : tensor<4x7xf32>
  %2 = mlc.log %1 : tensor<4x7xf32>
  %3 = mlc.sqrt %2 : tensor<4x7xf32>
  %4 = mlc.tanh %3 : tensor<4x7xf32>
  return %4 : tensor<4x7xf32>
}

// -----

// relu is max(x, 0); sigmoid is 1 / (1 + exp(-x)), which saturates instead
// of overflowing.
// CHECK-LABEL: func.func @activations
// CHECK:         linalg.generic
// CHECK:           %[[Z:.*]] = arith.constant 0.000000e+00 : f32
// CHECK:           arith.maximumf %{{.*}}, %[[Z]] : f32
// CHECK:         linalg.generic
// CHECK:           %[[ONE:.*]] = arith.constant 1.000000e+00 : f32
// CHECK:           %[[N:.*]] = arith.negf
// CHECK:           %[[E:.*]] = math.exp %[[N]]
// CHECK:           %[[S:.*]] = arith.addf %[[ONE]], %[[E]]
// CHECK:           arith.divf %[[ONE]], %[[S]]
func.func @activations(%x: tensor<?x10xf32>) -> tensor<?x10xf32> {
  %0 = mlc.relu %x : tensor<?x10xf32>
  %1 = mlc.sigmoid %0 : tensor<?x10xf32>
  return %1 : tensor<?x10xf32>
}

// -----

// CHECK-LABEL: func.func @constant
// CHECK:         arith.constant dense<[1.000000e+00, 2.000000e+00]> : tensor<2xf32>
func.func @constant() -> tensor<2xf32> {
  %c = mlc.constant dense<[1.0, 2.0]> : tensor<2xf32>
  return %c : tensor<2xf32>
}

// -----

// where: the mask (any element type) compared with zero, then a select.
// CHECK-LABEL: func.func @where_int_mask
// CHECK:         linalg.generic
// CHECK:           %[[NZ:.*]] = arith.cmpi ne, %{{.*}}, %{{.*}} : i32
// CHECK:           arith.select %[[NZ]], %{{.*}}, %{{.*}} : f32
func.func @where_int_mask(%m: tensor<?x1xi32>, %a: tensor<?x4xf32>, %b: tensor<4xf32>) -> tensor<?x4xf32> {
  %r = mlc.where %m, %a, %b : (tensor<?x1xi32>, tensor<?x4xf32>, tensor<4xf32>) -> tensor<?x4xf32>
  return %r : tensor<?x4xf32>
}

// -----

// gelu: exact through math.erf; the tanh form through math.tanh.
// CHECK-LABEL: func.func @gelu
// CHECK:         linalg.generic
// CHECK:           math.erf
// CHECK:         linalg.generic
// CHECK-NOT:       math.erf
// CHECK:           math.tanh
func.func @gelu(%a: tensor<?x4xf32>) -> (tensor<?x4xf32>, tensor<?x4xf32>) {
  %e = mlc.gelu %a : tensor<?x4xf32>
  %t = mlc.gelu %a {approximate} : tensor<?x4xf32>
  return %e, %t : tensor<?x4xf32>, tensor<?x4xf32>
}
