// A dense layer (matmul + bias + relu) becomes one tiled loop nest: 8x32
// output tiles whose reduction runs on a vector<8x32xf32> accumulator in
// registers (vector.fma), with bias and relu applied to the tile before it
// is stored straight into the output buffer. The last, partial batch tile
// is done row by row on vector<1x32xf32>. Nothing is allocated and nothing
// is masked.
// RUN: mlc-opt %s --mlc-graph-to-linalg --mlc-cpu-schedule | FileCheck %s

// CHECK-LABEL: func.func @dense_relu_predict
// CHECK-SAME:    %[[OUT:[a-z0-9]+]]: memref<?x128xf32>)
// CHECK-NOT:     memref.alloc
// CHECK:         scf.for %[[I:.*]] = %c0 to %{{.*}} step %c8 {
// CHECK-NEXT:      scf.for %[[J:.*]] = %c0 to %c128 step %c32 {
// CHECK-NEXT:        %[[ACC:.*]] = scf.for %{{.*}} = %c0 to %c784 step %c1 iter_args(%{{.*}} = %{{.*}}) -> (vector<8x32xf32>) {
// CHECK-COUNT-8:       vector.fma {{.*}} : vector<32xf32>
// CHECK:               scf.yield %{{.*}} : vector<8x32xf32>
// CHECK-NEXT:        }
// CHECK:             %[[SUM:.*]] = arith.addf %[[ACC]], %{{.*}} : vector<8x32xf32>
// CHECK-NEXT:        %[[RELU:.*]] = arith.maximumf %[[SUM]], %{{.*}} : vector<8x32xf32>
// CHECK-COUNT-8:     vector.store %{{.*}}, %[[OUT]][%{{.*}}, %[[J]]] : memref<?x128xf32>, vector<32xf32>
// CHECK:         scf.for %{{.*}} = %{{.*}} to %{{.*}} step %c8 {
// CHECK:           scf.for %{{.*}} = %c0 to %c128 step %c32 {
// CHECK:             scf.for %{{.*}} = %c0 to %{{.*}} step %c1 {
// CHECK-NEXT:          scf.for {{.*}} -> (vector<1x32xf32>) {
// CHECK-NOT:     memref.alloc
// CHECK-NOT:     vector.mask
// CHECK:         return
mlc.model @dense_relu {
  %x = mlc.input "x" : tensor<?x784xf32>
  %h = mlc.dense %x {units = 128, activation = #mlc.act<relu>} : tensor<?x784xf32> -> tensor<?x128xf32>
  mlc.output %h : tensor<?x128xf32>
}
