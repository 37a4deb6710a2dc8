// RUN: mlc-opt %s --mlc-to-linalg --split-input-file | FileCheck %s

// Reshape collapses to 1-D and expands; the batch size is recomputed.
// CHECK-LABEL: func.func @reshape
// CHECK:         %[[F:.*]] = tensor.collapse_shape %{{.*}} {{\[\[}}0, 1, 2]] : tensor<?x4x6xf32> into tensor<?xf32>
// CHECK:         %[[N:.*]] = tensor.dim %[[F]]
// CHECK:         %[[B:.*]] = arith.divui %[[N]], %c24
// CHECK:         tensor.expand_shape %[[F]] {{\[\[}}0, 1, 2]] output_shape [%[[B]], 2, 12]
func.func @reshape(%x: tensor<?x4x6xf32>) -> tensor<?x2x12xf32> {
  %r = mlc.reshape %x : tensor<?x4x6xf32> -> tensor<?x2x12xf32>
  return %r : tensor<?x2x12xf32>
}

// -----

// Two dynamic sizes (batch, sequence): only size-1 dimensions come or go,
// so the reshape is one expand_shape whose groups each hold one non-unit
// size, read from the input.
// CHECK-LABEL: func.func @reshape_keepdims
// CHECK-DAG:     %[[B:.*]] = tensor.dim %[[X:.*]], %c0
// CHECK-DAG:     %[[S:.*]] = tensor.dim %[[X]], %c1
// CHECK:         tensor.expand_shape %[[X]] {{\[\[}}0], [1, 2]] output_shape [%[[B]], %[[S]], 1]
func.func @reshape_keepdims(%x: tensor<?x?xf32>) -> tensor<?x?x1xf32> {
  %r = mlc.reshape %x : tensor<?x?xf32> -> tensor<?x?x1xf32>
  return %r : tensor<?x?x1xf32>
}

// -----

// Size-1 dimensions move: squeezed out (each joins the size before it, or
// the first one), then inserted where the result
// has them.
// CHECK-LABEL: func.func @reshape_units
// CHECK:         %[[C:.*]] = tensor.collapse_shape %{{.*}} {{\[\[}}0, 1, 2], [3]] : tensor<1x?x1x?xf32> into tensor<?x?xf32>
// CHECK:         tensor.expand_shape %[[C]] {{\[\[}}0, 1], [2]] output_shape [%{{.*}}, 1, %{{.*}}]
func.func @reshape_units(%x: tensor<1x?x1x?xf32>) -> tensor<?x1x?xf32> {
  %r = mlc.reshape %x : tensor<1x?x1x?xf32> -> tensor<?x1x?xf32>
  return %r : tensor<?x1x?xf32>
}

// -----

// CHECK-LABEL: func.func @transpose
// CHECK:         linalg.transpose ins(%{{.*}} : tensor<?x7xf32>) outs(%{{.*}} : tensor<7x?xf32>) permutation = [1, 0]
func.func @transpose(%x: tensor<?x7xf32>) -> tensor<7x?xf32> {
  %r = mlc.transpose %x perm = [1, 0] : tensor<?x7xf32> -> tensor<7x?xf32>
  return %r : tensor<7x?xf32>
}

// -----

// CHECK-DAG: #[[IN:.*]] = affine_map<(d0, d1) -> (d1)>
// CHECK-DAG: #[[OUT:.*]] = affine_map<(d0, d1) -> (d0, d1)>
// CHECK-LABEL: func.func @broadcast_to
// CHECK:         linalg.generic {indexing_maps = [#[[IN]], #[[OUT]]]
func.func @broadcast_to(%x: tensor<10xf32>) -> tensor<3x10xf32> {
  %r = mlc.broadcast_to %x : tensor<10xf32> -> tensor<3x10xf32>
  return %r : tensor<3x10xf32>
}

// -----

// A slice from the end of a dynamic axis: its offset is the runtime size
// minus the count.
// CHECK-LABEL: func.func @slice_last
// CHECK-DAG:     %[[B:.*]] = tensor.dim %[[X:.*]], %c0
// CHECK-DAG:     %[[T:.*]] = tensor.dim %[[X]], %c1
// CHECK:         %[[O:.*]] = arith.subi %[[T]], %c1
// CHECK:         tensor.extract_slice %[[X]][0, %[[O]], 0] [%[[B]], 1, 3] [1, 1, 1] : tensor<?x?x3xf32> to tensor<?x1x3xf32>
func.func @slice_last(%x: tensor<?x?x3xf32>) -> tensor<?x1x3xf32> {
  %s = mlc.slice %x axis = 1 start = -1 : tensor<?x?x3xf32> -> tensor<?x1x3xf32>
  return %s : tensor<?x1x3xf32>
}

// -----

// Its gradient: zeros of the whole, the slice's gradient inserted.
// CHECK-LABEL: func.func @slice_grad
// CHECK:         %[[Z:.*]] = linalg.fill ins(%{{.*}} : f32) outs(%{{.*}} : tensor<?x5xf32>)
// CHECK:         tensor.insert_slice %{{.*}} into %[[Z]][0, 1] [%{{.*}}, 2] [1, 1] : tensor<?x2xf32> into tensor<?x5xf32>
func.func @slice_grad(%g: tensor<?x2xf32>, %x: tensor<?x5xf32>) -> tensor<?x5xf32> {
  %s = mlc.slice_grad %g, %x axis = 1 start = 1 : tensor<?x2xf32>, tensor<?x5xf32> -> tensor<?x5xf32>
  return %s : tensor<?x5xf32>
}

// -----

// Leading dims (a dynamic one among them) merged into rows.
// CHECK-LABEL: func.func @reshape_merge_rows
// CHECK:         tensor.collapse_shape %{{.*}} {{\[\[}}0, 1], [2]] : tensor<?x28x8xf32> into tensor<?x8xf32>
func.func @reshape_merge_rows(%x: tensor<?x28x8xf32>) -> tensor<?x8xf32> {
  %r = mlc.reshape %x : tensor<?x28x8xf32> -> tensor<?x8xf32>
  return %r : tensor<?x8xf32>
}

// -----

// concat: each input inserted at its offset along the axis.
// CHECK-LABEL: func.func @concat
// CHECK:         %[[E:.*]] = tensor.empty(%{{.*}}) : tensor<?x5xf32>
// CHECK:         %[[A:.*]] = tensor.insert_slice %{{.*}} into %[[E]][0, 0] [%{{.*}}, 2] [1, 1]
// CHECK:         tensor.insert_slice %{{.*}} into %[[A]][0, 2] [%{{.*}}, 3] [1, 1]
func.func @concat(%a: tensor<?x2xf32>, %b: tensor<?x3xf32>) -> tensor<?x5xf32> {
  %r = mlc.concat %a, %b axis = 1 : (tensor<?x2xf32>, tensor<?x3xf32>) -> tensor<?x5xf32>
  return %r : tensor<?x5xf32>
}
