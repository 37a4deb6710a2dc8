// An output 3 vectors wide (24 columns with 256-bit vectors) is one tile
// of its own width with the rows that fit the register file: 4 rows of 3
// vectors (12 accumulators, 3 vectors of B and a broadcast: AVX2's 16
// registers), each row and vector of the tile a contraction of its own in
// row order. As one vector<6x24xf32> LLVM split it into 128-bit pieces and
// spilled: a 784-24-10 MLP's step ran at 6 % of the FMA peak (now 59 %).
// RUN: mlc-opt %s --mlc-graph-to-linalg --mlc-cpu-schedule="vector-bits=256 print-schedule" 2>&1 >/dev/null | FileCheck %s --check-prefix=SCRIPT
// RUN: mlc-opt %s --mlc-graph-to-linalg --mlc-cpu-schedule="vector-bits=256" | FileCheck %s

// SCRIPT: group g0: matmul ?x24 + elementwise epilogue (mm?x24x100.ew), register tile 4x24
// SCRIPT: group g1: matmul ?x10 + elementwise epilogue (mm?x10x100.ew), register tile 6x8

// CHECK-LABEL: func.func @dense_24_predict
// CHECK-NOT:     vector<24xf32>
// CHECK:         scf.for %{{.*}} = %c0 to %{{.*}} step %c4 {
// CHECK:           scf.for {{.*}} = %c0 to %c100 step %c1 iter_args({{.*}}) -> (vector<1x8xf32>, vector<1x8xf32>, vector<1x8xf32>, vector<1x8xf32>, vector<1x8xf32>, vector<1x8xf32>, vector<1x8xf32>, vector<1x8xf32>, vector<1x8xf32>, vector<1x8xf32>, vector<1x8xf32>, vector<1x8xf32>) {
// CHECK-COUNT-12:    vector.fma {{.*}} : vector<8xf32>
// CHECK-NOT:     vector<4x24xf32>
// CHECK-NOT:     vector<24xf32>
// CHECK:         return

mlc.model @dense_24 {
  %x = mlc.input "x" : tensor<?x100xf32>
  %h = mlc.dense %x {units = 24, activation = #mlc.act<relu>} : tensor<?x100xf32> -> tensor<?x24xf32>
  mlc.output %h : tensor<?x24xf32>
}

// An output wider than one vector but not whole vectors (10 classes with
// 256-bit vectors) is a tile of its whole vectors and a peeled tile of the
// rest. As one vector<6x10xf32> LLVM split each accumulator into lanes at
// the reduction loop's back edge: the 10-class layer's forward ran at 5 %
// of the FMA peak on AVX2 (now 36 %).

// CHECK-LABEL: func.func @dense_10_predict
// CHECK:         scf.for %{{.*}} = %c0 to %{{.*}} step %c6 {
// CHECK:           scf.for {{.*}} = %c0 to %c100 step %c1 iter_args({{.*}}) -> (vector<6x8xf32>) {
// CHECK:           scf.for {{.*}} = %c0 to %c100 step %c1 iter_args({{.*}}) -> (vector<6x2xf32>) {
// CHECK-NOT:     vector<6x10xf32>
// CHECK:         return

mlc.model @dense_10 {
  %x = mlc.input "x" : tensor<?x100xf32>
  %y = mlc.dense %x {units = 10, activation = #mlc.act<softmax>} : tensor<?x100xf32> -> tensor<?x10xf32>
  mlc.output %y : tensor<?x10xf32>
}
