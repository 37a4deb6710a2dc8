// A dense layer (matmul + bias + relu) becomes one tiled loop nest: 8x32
// output tiles whose reduction runs on a vector<8x32xf32> accumulator in
// registers (vector.fma), with bias and relu applied to the tile before it
// is stored straight into the output buffer. The last, partial batch tile
// is done row by row on vector<1x32xf32>. The weight is first copied into
// panels of 32 columns, so each tile reads its K x 32 slice of the weight
// contiguously. Nothing else is allocated and nothing is masked.
// RUN: mlc-opt %s --mlc-graph-to-linalg --mlc-cpu-schedule | FileCheck %s
// RUN: mlc-opt %s --mlc-graph-to-linalg --mlc-cpu-schedule="pack-operands=false" | FileCheck %s --check-prefix=NOPACK

// CHECK-LABEL: func.func @dense_relu_predict
// CHECK-SAME:    (%[[W:[a-z0-9]+]]: memref<784x128xf32>
// CHECK-SAME:    %[[OUT:[a-z0-9]+]]: memref<?x128xf32>)
// CHECK:         %[[WX:.*]] = memref.expand_shape %[[W]] {{\[}}[0], [1, 2]] output_shape [784, 4, 32] : memref<784x128xf32> into memref<784x4x32xf32>
// CHECK-NEXT:    %[[P:.*]] = memref.alloc() {alignment = 64 : i64} : memref<4x784x32xf32>
// CHECK:           vector.load %{{.*}} : memref<1x1x32xf32, {{.*}}>, vector<32xf32>
// CHECK-NEXT:      vector.store %{{.*}} : memref<1x1x32xf32, {{.*}}>, vector<32xf32>
// CHECK-NOT:     memref.alloc
// CHECK:         scf.for %[[I:.*]] = %c0 to %{{.*}} step %c8 {
// CHECK-NEXT:      scf.for %[[J:.*]] = %c0 to %c128 step %c32 {
// CHECK-NEXT:        %[[PJ:.*]] = affine.apply #{{.*}}(%[[J]])
// CHECK-NEXT:        %[[ACC:.*]] = scf.for %[[K:.*]] = %c0 to %c784 step %c1 iter_args(%{{.*}} = %{{.*}}) -> (vector<8x32xf32>) {
// CHECK:               vector.load %[[P]][%[[PJ]], %[[K]], %c0] : memref<4x784x32xf32>, vector<32xf32>
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
// CHECK:                 vector.load %[[P]]
// CHECK-NOT:     memref.alloc
// CHECK-NOT:     vector.mask
// CHECK:         return

// Without packing, the tiles read the weight in place.
// NOPACK-LABEL: func.func @dense_relu_predict
// NOPACK-NOT:     memref.alloc
// NOPACK:         scf.for {{.*}} -> (vector<8x32xf32>) {
// NOPACK:           vector.load %arg0[%{{.*}}, %{{.*}}] : memref<784x128xf32>, vector<32xf32>
// NOPACK-NOT:     memref.alloc
// NOPACK:         return
mlc.model @dense_relu {
  %x = mlc.input "x" : tensor<?x784xf32>
  %h = mlc.dense %x {units = 128, activation = #mlc.act<relu>} : tensor<?x784xf32> -> tensor<?x128xf32>
  mlc.output %h : tensor<?x128xf32>
}
