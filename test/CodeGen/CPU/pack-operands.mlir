// Operand packing and register tiles for AVX2 (16 vector registers).
//
// The backward matmul dH = dY * W2^T reads W2 transposed: its register
// tiles would gather every vector lane by lane. W2 is copied once per call
// into panels of 16 columns of W2^T (8x8 blocks, transposed in registers),
// and the tiles read the panels with plain vector loads. W1 (64x32) gets
// panels of its own for the forward matmul; W2 read untransposed by the
// forward matmul is one 16-column panel already and is read in place.
// The weight gradient's X^T gets panels of a row tile's 4 rows.
//
// With 16 registers a tile has 6 rows (12 accumulators, 2 vectors of B and
// a broadcast); with the optimizer fused after the weight gradient, 4.
// RUN: mlc-opt %s --mlc-graph-to-linalg --mlc-cpu-schedule="vector-bits=256" | FileCheck %s

// CHECK-LABEL: func.func @two_layers_train_step
// CHECK-SAME:    %[[W1:[a-z0-9]+]]: memref<64x32xf32>, %{{.*}}: memref<32xf32>, %[[W2:[a-z0-9]+]]: memref<32x16xf32>

// Forward panels of W1: a plain copy, a vector row at a time, in blocks of
// 8 rows of W1 (each block panel after panel: W1 is read 8 rows at a time
// front to back, not a panel's column of rows a row apart). The blocks are
// the parallel loop.
// CHECK:         memref.expand_shape %[[W1]] {{\[}}[0], [1, 2]] output_shape [64, 2, 16] : memref<64x32xf32> into memref<64x2x16xf32>
// CHECK-NEXT:    %[[P1:.*]] = memref.alloc() {alignment = 64 : i64} : memref<2x64x16xf32>
// CHECK-NEXT:    scf.for %{{.*}} = %c0 to %c64 step %c8 {
// CHECK:           scf.for %{{.*}} = %c0 to %c2 step %c1 {
// CHECK-NEXT:        scf.for %{{.*}} = %c0 to %c8 step %c1 {
// CHECK:               vector.load {{.*}} : memref<1x1x16xf32, strided<[32, 16, 1], offset: ?>>, vector<16xf32>
// CHECK-NEXT:          vector.store {{.*}} : memref<1x1x16xf32, strided<[1024, 16, 1], offset: ?>>, vector<16xf32>
// CHECK:         } {mlc.parallel}

// Backward panels of W2^T: 8 x 8 blocks read and transposed (a 16 x 8
// block was one 128-lane shuffle, twice as costly for LLVM to select).
// CHECK:         memref.expand_shape %[[W2]] {{\[}}[0, 1], [2]] output_shape [2, 16, 16] : memref<32x16xf32> into memref<2x16x16xf32>
// CHECK-NEXT:    %[[PT:.*]] = memref.alloc() {alignment = 64 : i64} : memref<2x16x16xf32>
// CHECK:         scf.for
// CHECK-NEXT:      scf.for %{{.*}} step %c8
// CHECK-NEXT:        scf.for %{{.*}} step %c8
// CHECK-COUNT-8:       vector.load {{.*}} : memref<1x8x8xf32, {{.*}}>, vector<8xf32>
// CHECK-NOT:           vector.load
// CHECK:               vector.shuffle {{.*}} : vector<64xf32>, vector<64xf32>

// X^T's panels for the weight gradient: K is the batch (dynamic), and the
// copy is not blocked. The blocks are for weights, read from memory; over
// a dynamic K the last block's loop of at most 8 rows was unrolled by LLVM
// with an exit after every row (the seed's dH copy: 21 ms of instruction
// selection in llc).
// CHECK:         memref.expand_shape %{{.*}} {{\[}}[0], [1, 2]] output_shape [%{{.*}}, 16, 4] : memref<?x64xf32> into memref<?x16x4xf32>
// CHECK-NOT:     step %c8
// CHECK:         scf.for %{{.*}} = %c0 to %c16 step %c1 {
// CHECK-NEXT:      scf.for %{{.*}} = %c0 to %{{.*}} step %c1 {
// CHECK:         } {mlc.parallel}

// Forward: 6-row tiles over the batch, W1 from its panels.
// CHECK:         scf.for %{{.*}} = %c0 to %{{.*}} step %c6 {
// CHECK-NEXT:      scf.for %[[J:.*]] = %c0 to %c32 step %c16 {
// CHECK-NEXT:        %[[PJ:.*]] = affine.apply #{{.*}}(%[[J]])
// CHECK-NEXT:        scf.for %[[K:.*]] = %c0 to %c64 step %c1 iter_args({{.*}}) -> (vector<6x16xf32>) {
// CHECK:               vector.load %[[P1]][%[[PJ]], %[[K]], %c0] : memref<2x64x16xf32>, vector<16xf32>

// dH = dY * W2^T, B from the transposed panels.
// CHECK:             scf.for %[[K2:.*]] = %c0 to %c16 step %c1 iter_args({{.*}}) -> (vector<6x16xf32>) {
// CHECK:               vector.load %[[PT]][%{{.*}}, %[[K2]], %c0] : memref<2x16x16xf32>, vector<16xf32>

// dW1 = X^T * dH with SGD fused: 4-row tiles (64 rows: no remainder),
// X^T from panels of 4 rows (X is read transposed: a row tile's 4 values
// of one k lie next to each other, but a whole row of X apart from the
// next k's).
// CHECK:         scf.for %{{.*}} = %c0 to %c64 step %c4 {
// CHECK:           -> (vector<4x16xf32>)
// CHECK-NEXT:        vector.load %{{.*}} : memref<16x?x4xf32>, vector<4xf32>
// CHECK:           vector.store %{{.*}}, %[[W1]]

mlc.model @two_layers {
  %x = mlc.input "x" : tensor<?x64xf32>
  %h = mlc.dense %x {units = 32, activation = #mlc.act<tanh>} : tensor<?x64xf32> -> tensor<?x32xf32>
  %y = mlc.dense %h {units = 16, activation = #mlc.act<softmax>} : tensor<?x32xf32> -> tensor<?x16xf32>
  mlc.output %y : tensor<?x16xf32>
} {loss = #mlc.loss<sparse_categorical_crossentropy>, optimizer = #mlc.sgd<learning_rate = 0.1>}
