// Adam fused into the weight gradient: in the seed MLP's train_step, the
// tile loop of dW1 = Xᵀ·dZ1 (784x128) accumulates a 4x32 tile of the
// gradient in registers over the batch, then updates W1, m and v for that
// tile and stores them in place. The gradient is never written to memory:
// no 784x128 temporary exists.
// RUN: mlc-opt %mlc_src_root/examples/mnist_mlp.mlir --mlc-graph-to-linalg --mlc-cpu-schedule --mlc-workspace | FileCheck %s

// CHECK-LABEL: func.func @mnist_mlp_train_step
// CHECK-SAME:    (%[[W1:[a-z0-9]+]]: memref<784x128xf32>
// CHECK-SAME:     %[[M1:[a-z0-9]+]]: memref<784x128xf32>, %[[V1:[a-z0-9]+]]: memref<784x128xf32>
// CHECK-NOT:     memref.view {{.*}} to memref<784x128xf32>
// Both operands come from packed panels: X^T in panels of 4 rows, dZ1 in
// panels of 32 columns.
// CHECK:         scf.for %[[I:.*]] = %c0 to %c784 step %c4 {
// CHECK-NEXT:      %[[ROWS:.*]] = affine.apply #{{.*}}(%[[I]])
// CHECK-NEXT:      scf.for %[[J:.*]] = %c0 to %c128 step %c32 {
// CHECK-NEXT:        %[[PANEL:.*]] = affine.apply #{{.*}}(%[[J]])
// CHECK-NEXT:        %[[DW:.*]] = scf.for %[[K:.*]] = %c0 to %{{.*}} step %c1 iter_args(%{{.*}}) -> (vector<4x32xf32>) {
// CHECK-NEXT:          vector.load %{{.*}}[%[[ROWS]], %[[K]], %c0] : memref<196x?x4xf32>, vector<4xf32>
// CHECK-NEXT:          vector.load %{{.*}}[%[[PANEL]], %[[K]], %c0] : memref<4x?x32xf32>, vector<32xf32>
// CHECK-COUNT-4:       vector.fma {{.*}} : vector<32xf32>
// CHECK:             }
// CHECK:             math.sqrt %{{.*}} : vector<4x32xf32>
// CHECK-COUNT-4:     vector.store %{{.*}}, %[[W1]][%{{.*}}, %[[J]]] : memref<784x128xf32>, vector<32xf32>
// CHECK-COUNT-4:     vector.store %{{.*}}, %[[M1]][%{{.*}}, %[[J]]] : memref<784x128xf32>, vector<32xf32>
// CHECK-COUNT-4:     vector.store %{{.*}}, %[[V1]][%{{.*}}, %[[J]]] : memref<784x128xf32>, vector<32xf32>
