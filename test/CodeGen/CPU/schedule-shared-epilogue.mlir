// Two matmuls feeding one elementwise op (the gradient of sum(x^T x) adds
// two products of x and the ones): the epilogue is tiled with the first
// matmul only; the second is a group of its own. Claiming it twice made
// the second fusion find no loop ("requires exactly one containing_op
// handle"). Found by mlc-difftest (seed 2, graph 60).
// RUN: mlc-opt %s --split-input-file --mlc-graph-to-linalg --mlc-cpu-schedule="print-schedule=true" -o /dev/null 2>&1 | FileCheck %s
// RUN: mlc-opt %s --split-input-file --mlc-cpu -o /dev/null

// CHECK: group g0: matmul 6x6 (mm6x6x?.at), register tile
// CHECK: group g1: matmul ?x6 + elementwise epilogue (mm?x6x6.bt.ew), register tile
// CHECK: group g2: matmul ?x6 (mm?x6x6), register tile
// CHECK-NOT: group g3
mlc.model @g {
  %x = mlc.input "x" : tensor<?x6xf32>
  %m = mlc.matmul %x, %x {transpose_lhs} : (tensor<?x6xf32>, tensor<?x6xf32>) -> tensor<6x6xf32>
  %l = mlc.reduce_sum %m axes = [] : tensor<6x6xf32> -> tensor<f32>
  %d = mlc.gradient %l wrt %x : tensor<f32>, tensor<?x6xf32>
  mlc.output %l, %d : tensor<f32>, tensor<?x6xf32>
}

// -----

// A dynamic column count (x x^T: batch x batch) gets masked tiles, which
// take no multi-op epilogue: the tanh stays a loop of its own. Found by
// mlc-difftest (seed 3, graph 106: 'vector.mask' op expects only one
// operation to mask).
// CHECK: group g0: matmul ?x? (mm?x?x4.bt), register tile
// CHECK-NOT: epilogue
mlc.model @dynamic_cols {
  %x = mlc.input "x" : tensor<?x4xf32>
  %m = mlc.matmul %x, %x {transpose_rhs} : (tensor<?x4xf32>, tensor<?x4xf32>) -> tensor<?x?xf32>
  %t = mlc.tanh %m : tensor<?x?xf32>
  mlc.output %t : tensor<?x?xf32>
}
