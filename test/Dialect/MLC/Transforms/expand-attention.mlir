// RUN: mlc-opt %s --mlc-expand-attention --split-input-file | FileCheck %s

// Causal attention of 2 heads (widths 4 and 2): loops over the batch rows
// and the heads; a head's q, k and v columns are 2-D slices, the scores one
// matmul, scaled and masked (-1e9 where the key comes after the query) in
// one elementwise op before the softmax, and the head's result is written
// into its columns.
// CHECK-LABEL: func.func @forward
// CHECK:         %[[OUT:.*]] = tensor.empty(%{{.*}}, %{{.*}}) : tensor<?x?x4xf32>
// CHECK:         %[[B:.*]] = tensor.dim %[[Q:.*]], %c0
// CHECK:         scf.for %[[ROW:.*]] = %{{.*}} to %[[B]] step %{{.*}} iter_args(%[[A:.*]] = %[[OUT]])
// CHECK:           scf.for %[[H:.*]] = %{{.*}} to %c2 step %{{.*}} iter_args(%[[A2:.*]] = %[[A]])
// CHECK:             %[[QC:.*]] = arith.muli %[[H]], %c4
// CHECK:             %[[QH:.*]] = tensor.extract_slice %[[Q]][%[[ROW]], 0, %[[QC]]] [1, %{{.*}}, 4] [1, 1, 1] : tensor<?x?x8xf32> to tensor<?x4xf32>
// CHECK:             %[[KH:.*]] = tensor.extract_slice %{{.*}} : tensor<?x?x8xf32> to tensor<?x4xf32>
// CHECK:             %[[VH:.*]] = tensor.extract_slice %{{.*}} : tensor<?x?x4xf32> to tensor<?x2xf32>
// CHECK:             %[[S:.*]] = mlc.matmul %[[QH]], %[[KH]] {transpose_rhs} : (tensor<?x4xf32>, tensor<?x4xf32>) -> tensor<?x?xf32>
// CHECK:             %[[M:.*]] = linalg.generic {{.*}} ins(%[[S]] : tensor<?x?xf32>)
// CHECK:               %[[I:.*]] = linalg.index 0
// CHECK:               %[[J:.*]] = linalg.index 1
// CHECK:               %[[AFTER:.*]] = arith.cmpi ugt, %[[J]], %[[I]]
// CHECK:               %[[X:.*]] = arith.mulf %{{.*}}, %{{.*}} : f32
// CHECK:               arith.select %[[AFTER]], %{{.*}}, %[[X]] : f32
// CHECK:             %[[P:.*]] = mlc.softmax %[[M]] : tensor<?x?xf32>
// CHECK:             %[[O:.*]] = mlc.matmul %[[P]], %[[VH]] : (tensor<?x?xf32>, tensor<?x2xf32>) -> tensor<?x2xf32>
// CHECK:             %[[OC:.*]] = arith.muli %[[H]], %c2
// CHECK:             %[[W:.*]] = tensor.insert_slice %[[O]] into %[[A2]][%[[ROW]], 0, %[[OC]]] [1, %{{.*}}, 2] [1, 1, 1]
// CHECK:             scf.yield %[[W]]
func.func @forward(%q: tensor<?x?x8xf32>, %k: tensor<?x?x8xf32>, %v: tensor<?x?x4xf32>) -> tensor<?x?x4xf32> {
  %y = mlc.attention %q, %k, %v {num_heads = 2, scale = 0.5, causal} : (tensor<?x?x8xf32>, tensor<?x?x8xf32>, tensor<?x?x4xf32>) -> tensor<?x?x4xf32>
  return %y : tensor<?x?x4xf32>
}

// -----

// The backward recomputes the head's probabilities (no mask here: a
// scaled softmax), then dv = P^T g, dP = g v^T, dS = P (dP - rowsum(dP P))
// scaled, dq = dS k, dk = dS^T q, each written into its head's columns.
// CHECK-LABEL: func.func @backward
// CHECK:         scf.for {{.*}} -> (tensor<?x?x8xf32>, tensor<?x?x8xf32>, tensor<?x?x4xf32>)
// CHECK:           scf.for {{.*}} iter_args(%[[DQ:.*]] = %{{.*}}, %[[DK:.*]] = %{{.*}}, %[[DV:.*]] = %{{.*}})
// CHECK:             %[[QH:.*]] = tensor.extract_slice %{{.*}} to tensor<?x4xf32>
// CHECK:             %[[KH:.*]] = tensor.extract_slice %{{.*}} to tensor<?x4xf32>
// CHECK:             %[[VH:.*]] = tensor.extract_slice %{{.*}} to tensor<?x2xf32>
// CHECK:             %[[GH:.*]] = tensor.extract_slice %{{.*}} to tensor<?x2xf32>
// CHECK:             %[[S:.*]] = mlc.matmul %[[QH]], %[[KH]] {transpose_rhs}
// CHECK:             %[[SS:.*]] = mlc.mul %[[S]], %{{.*}} : (tensor<?x?xf32>, tensor<f32>)
// CHECK:             %[[P:.*]] = mlc.softmax %[[SS]]
// CHECK:             %[[DVH:.*]] = mlc.matmul %[[P]], %[[GH]] {transpose_lhs}
// CHECK:             %[[DP:.*]] = mlc.matmul %[[GH]], %[[VH]] {transpose_rhs}
// CHECK:             %[[PP:.*]] = mlc.mul %[[DP]], %[[P]]
// CHECK:             %[[RS:.*]] = mlc.reduce_sum %[[PP]] axes = [1] keepdims
// CHECK:             %[[C:.*]] = mlc.sub %[[DP]], %[[RS]]
// CHECK:             %[[DS0:.*]] = mlc.mul %[[P]], %[[C]]
// CHECK:             %[[DS:.*]] = mlc.mul %[[DS0]], %{{.*}}
// CHECK:             %[[DQH:.*]] = mlc.matmul %[[DS]], %[[KH]] :
// CHECK:             %[[DKH:.*]] = mlc.matmul %[[DS]], %[[QH]] {transpose_lhs}
// CHECK:             %[[A:.*]] = tensor.insert_slice %[[DQH]] into %[[DQ]]
// CHECK:             %[[B:.*]] = tensor.insert_slice %[[DKH]] into %[[DK]]
// CHECK:             %[[C2:.*]] = tensor.insert_slice %[[DVH]] into %[[DV]]
// CHECK:             scf.yield %[[A]], %[[B]], %[[C2]]
func.func @backward(%q: tensor<?x?x8xf32>, %k: tensor<?x?x8xf32>, %v: tensor<?x?x4xf32>, %g: tensor<?x?x4xf32>) -> (tensor<?x?x8xf32>, tensor<?x?x8xf32>, tensor<?x?x4xf32>) {
  %dq, %dk, %dv = mlc.attention_grad %q, %k, %v, %g {num_heads = 2, scale = 0.5} : (tensor<?x?x8xf32>, tensor<?x?x8xf32>, tensor<?x?x4xf32>, tensor<?x?x4xf32>) -> (tensor<?x?x8xf32>, tensor<?x?x8xf32>, tensor<?x?x4xf32>)
  return %dq, %dk, %dv : tensor<?x?x8xf32>, tensor<?x?x8xf32>, tensor<?x?x4xf32>
}
