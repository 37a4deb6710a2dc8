// RUN: mlc-opt %s --mlc-to-linalg --split-input-file | FileCheck %s

// gather: a parallel generic over the result that reads the table at the
// clamped id (zeros outside the table).
// CHECK-LABEL: func.func @gather
// CHECK:         linalg.generic {{.*}}iterator_types = ["parallel", "parallel", "parallel"]{{.*}} ins(%{{.*}} : tensor<?x?xi32>)
// CHECK:           arith.index_cast
// CHECK:           %[[IN:.*]] = arith.andi
// CHECK:           %[[V:.*]] = tensor.extract %{{.*}}[%{{.*}}, %{{.*}}] : tensor<5x3xf32>
// CHECK:           arith.select %[[IN]], %[[V]], %{{.*}} : f32
func.func @gather(%t: tensor<5x3xf32>, %ids: tensor<?x?xi32>) -> tensor<?x?x3xf32> {
  %r = mlc.gather %t, %ids : (tensor<5x3xf32>, tensor<?x?xi32>) -> tensor<?x?x3xf32>
  return %r : tensor<?x?x3xf32>
}

// -----

// Its gradient: a loop over the gathered rows (merged to one dim) adding
// each into its table row.
// CHECK-LABEL: func.func @gather_grad
// CHECK:         %[[IDS:.*]] = tensor.collapse_shape %{{.*}} {{\[\[}}0, 1]] : tensor<?x?xi32> into tensor<?xi32>
// CHECK:         %[[G:.*]] = tensor.collapse_shape %{{.*}} {{\[\[}}0, 1], [2]] : tensor<?x?x3xf32> into tensor<?x3xf32>
// CHECK:         %[[Z:.*]] = linalg.fill ins(%{{.*}} : f32) outs(%{{.*}} : tensor<5x3xf32>)
// CHECK:         scf.for %[[N:.*]] = %{{.*}} to %{{.*}} step %{{.*}} iter_args(%[[ACC:.*]] = %[[Z]])
// CHECK:           tensor.extract %[[IDS]][%[[N]]]
// CHECK:           %[[ROW:.*]] = tensor.extract_slice %[[ACC]][%{{.*}}, 0] [1, 3] [1, 1]
// CHECK:           %[[SRC:.*]] = tensor.extract_slice %[[G]][%[[N]], 0] [1, 3] [1, 1]
// CHECK:           %[[SUM:.*]] = linalg.generic {{.*}} ins(%[[SRC]] : tensor<1x3xf32>) outs(%[[ROW]] : tensor<1x3xf32>)
// CHECK:           tensor.insert_slice %[[SUM]] into %[[ACC]]
func.func @gather_grad(%g: tensor<?x?x3xf32>, %ids: tensor<?x?xi32>) -> tensor<5x3xf32> {
  %r = mlc.gather_grad %g, %ids : (tensor<?x?x3xf32>, tensor<?x?xi32>) -> tensor<5x3xf32>
  return %r : tensor<5x3xf32>
}

// -----

// iota: a parallel generic over the leading dims of its operand that writes
// each element's index along the axis (the operand's values are not read).
// CHECK-LABEL: func.func @iota
// CHECK-DAG:     %[[B:.*]] = tensor.dim %[[X:.*]], %c0 : tensor<?x?x8xf32>
// CHECK-DAG:     %[[T:.*]] = tensor.dim %[[X]], %c1 : tensor<?x?x8xf32>
// CHECK:         %[[E:.*]] = tensor.empty(%[[B]], %[[T]]) : tensor<?x?xi32>
// CHECK:         linalg.generic {{.*}} iterator_types = ["parallel", "parallel"]} outs(%[[E]] : tensor<?x?xi32>)
// CHECK:           %[[I:.*]] = linalg.index 1 : index
// CHECK:           %[[C:.*]] = arith.index_cast %[[I]] : index to i32
// CHECK:           linalg.yield %[[C]] : i32
func.func @iota(%x: tensor<?x?x8xf32>) -> tensor<?x?xi32> {
  %r = mlc.iota %x axis = 1 : tensor<?x?x8xf32> -> tensor<?x?xi32>
  return %r : tensor<?x?xi32>
}
