// Two matmuls feeding one elementwise op (the gradient of sum(x^T x) adds
// two products of x and the ones): the epilogue is tiled with the first
// matmul only; the second is a group of its own. Claiming it twice made
// the second fusion find no loop ("requires exactly one containing_op
// handle"). Found by mlc-difftest (seed 2, graph 60).
// RUN: mlc-opt %s --mlc-graph-to-linalg --mlc-cpu-schedule="print-schedule=true" -o /dev/null 2>&1 | FileCheck %s
// RUN: mlc-opt %s --mlc-cpu -o /dev/null

// CHECK: group g0: matmul ?x?, register tile
// CHECK: group g1: matmul ?x? + elementwise epilogue, register tile
// CHECK: group g2: matmul ?x?, register tile
// CHECK-NOT: group g3
mlc.model @g {
  %x = mlc.input "x" : tensor<?x?xf32>
  %m = mlc.matmul %x, %x {transpose_lhs} : (tensor<?x?xf32>, tensor<?x?xf32>) -> tensor<?x?xf32>
  %l = mlc.reduce_sum %m axes = [] : tensor<?x?xf32> -> tensor<f32>
  %d = mlc.gradient %l wrt %x : tensor<f32>, tensor<?x?xf32>
  mlc.output %l, %d : tensor<f32>, tensor<?x?xf32>
}
