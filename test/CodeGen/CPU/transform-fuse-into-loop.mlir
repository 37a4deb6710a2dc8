// transform.mlc.fuse_into_loop: a producer's slice in the loop becomes the
// producer tiled to that slice (the matmul, then its fill); the loop stays
// the same op. A producer with no slice in the loop is a silenceable error.
// RUN: mlc-opt %s --split-input-file --transform-interpreter --verify-diagnostics | FileCheck %s

// CHECK-LABEL: func.func @dense
// CHECK:         scf.for %{{.*}} = %{{.*}} to %{{.*}} step %c4
// CHECK:           scf.for %{{.*}} = %{{.*}} to %c16 step %c8
// CHECK:             %[[ZERO:.*]] = linalg.fill {{.*}} -> tensor<?x8xf32>
// CHECK:             %[[MM:.*]] = linalg.matmul {{.*}}ins(%{{.*}}, %{{.*}} : tensor<?x32xf32>, tensor<32x8xf32>) outs(%[[ZERO]] : tensor<?x8xf32>)
// CHECK:             linalg.generic {{.*}} ins(%[[MM]], %{{.*}} : tensor<?x8xf32>, tensor<8xf32>)
// CHECK-NOT:     linalg.matmul
func.func @dense(%x: tensor<?x32xf32>, %w: tensor<32x16xf32>,
                 %b: tensor<16xf32>) -> tensor<?x16xf32> {
  %c0 = arith.constant 0 : index
  %zero = arith.constant 0.0 : f32
  %n = tensor.dim %x, %c0 : tensor<?x32xf32>
  %e = tensor.empty(%n) : tensor<?x16xf32>
  %fill = linalg.fill {tag = "fill"} ins(%zero : f32) outs(%e : tensor<?x16xf32>) -> tensor<?x16xf32>
  %mm = linalg.matmul {tag = "mm"} ins(%x, %w : tensor<?x32xf32>, tensor<32x16xf32>) outs(%fill : tensor<?x16xf32>) -> tensor<?x16xf32>
  %e2 = tensor.empty(%n) : tensor<?x16xf32>
  %y = linalg.generic {tag = "ew",
      indexing_maps = [affine_map<(i, j) -> (i, j)>, affine_map<(i, j) -> (j)>,
                       affine_map<(i, j) -> (i, j)>],
      iterator_types = ["parallel", "parallel"]}
      ins(%mm, %b : tensor<?x16xf32>, tensor<16xf32>) outs(%e2 : tensor<?x16xf32>) {
  ^bb0(%a: f32, %c: f32, %out: f32):
    %s = arith.addf %a, %c : f32
    %r = arith.maximumf %s, %zero : f32
    linalg.yield %r : f32
  } -> tensor<?x16xf32>
  return %y : tensor<?x16xf32>
}

module attributes {transform.with_named_sequence} {
  transform.named_sequence @__transform_main(%root: !transform.any_op {transform.readonly}) {
    %ew = transform.structured.match attributes {tag = "ew"} in %root : (!transform.any_op) -> !transform.any_op
    %mm = transform.structured.match attributes {tag = "mm"} in %root : (!transform.any_op) -> !transform.any_op
    %fill = transform.structured.match attributes {tag = "fill"} in %root : (!transform.any_op) -> !transform.any_op
    %t, %li, %lj = transform.structured.tile_using_for %ew tile_sizes [4, 8] : (!transform.any_op) -> (!transform.any_op, !transform.any_op, !transform.any_op)
    %mmf, %l1 = transform.mlc.fuse_into_loop %mm into %lj : (!transform.any_op, !transform.any_op) -> (!transform.any_op, !transform.any_op)
    %fillf, %l2 = transform.mlc.fuse_into_loop %fill into %l1 : (!transform.any_op, !transform.any_op) -> (!transform.any_op, !transform.any_op)
    transform.yield
  }
}

// -----

func.func @unrelated(%x: tensor<8x8xf32>, %y: tensor<8x8xf32>) -> (tensor<8x8xf32>, tensor<8x8xf32>) {
  %zero = arith.constant 0.0 : f32
  %fill = linalg.fill {tag = "fill"} ins(%zero : f32) outs(%y : tensor<8x8xf32>) -> tensor<8x8xf32>
  %r = linalg.generic {tag = "ew",
      indexing_maps = [affine_map<(i, j) -> (i, j)>, affine_map<(i, j) -> (i, j)>],
      iterator_types = ["parallel", "parallel"]}
      ins(%x : tensor<8x8xf32>) outs(%y : tensor<8x8xf32>) {
  ^bb0(%a: f32, %out: f32):
    %s = arith.addf %a, %a : f32
    linalg.yield %s : f32
  } -> tensor<8x8xf32>
  return %r, %fill : tensor<8x8xf32>, tensor<8x8xf32>
}

module attributes {transform.with_named_sequence} {
  transform.named_sequence @__transform_main(%root: !transform.any_op {transform.readonly}) {
    %ew = transform.structured.match attributes {tag = "ew"} in %root : (!transform.any_op) -> !transform.any_op
    %fill = transform.structured.match attributes {tag = "fill"} in %root : (!transform.any_op) -> !transform.any_op
    %t, %l = transform.structured.tile_using_for %ew tile_sizes [4] : (!transform.any_op) -> (!transform.any_op, !transform.any_op)
    // expected-error @below {{a producer (linalg.fill) has no slice in the loop}}
    %fillf, %l2 = transform.mlc.fuse_into_loop %fill into %l : (!transform.any_op, !transform.any_op) -> (!transform.any_op, !transform.any_op)
    transform.yield
  }
}
