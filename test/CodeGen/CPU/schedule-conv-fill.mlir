// A convolution or input gradient with no elementwise epilogue (a batch
// norm reads the first layer's output; the second layer's input gradient
// goes to the batch norm's gradient) starts its register tiles from zero:
// the zero fill of the output is tiled into the tile loops, a tile's
// zeros stored where the tile then accumulates, instead of a pass that
// zeroes the whole [batch, 10, 10, 4] output first (a scalar loop over
// 4 floats at a time: 7 % of LeNet's step). A tile one vector wide takes
// up to 14 rows (AVX2's 16 registers less B's vector and the broadcast):
// here each whole output row of 10.
// RUN: mlc-opt %s --mlc-graph-to-linalg --mlc-cpu-schedule="vector-bits=256" | FileCheck %s

// CHECK-LABEL: func.func @bn_train_step(
// CHECK:         %[[ZERO:.*]] = arith.constant dense<0.000000e+00> : vector<4xf32>
// CHECK-NOT:     linalg.fill {{.*}} memref<?x10x10x4xf32
// The first layer:
// CHECK:         vector.store %[[ZERO]], %{{.*}}[%c0, %c0, %c0, %c0] : memref<1x1x10x4xf32
// CHECK:         scf.for {{.*}} -> (vector<10x4xf32>)
// The second layer's input gradient (after its kernel, flipped):
// CHECK:         memref.alloc() {{.*}} : memref<3x3x8x4xf32>
// CHECK:         vector.store %[[ZERO]], %{{.*}}[%c0, %c0, %c0, %c0] : memref<1x1x10x4xf32
// CHECK:         scf.for {{.*}} -> (vector<10x4xf32>)
// CHECK-NOT:     linalg.fill {{.*}} memref<?x10x10x4xf32
mlc.model @bn {
  %x = mlc.input "image" : tensor<?x12x12x1xf32>
  %c1 = mlc.conv2d %x {filters = 4, kernel_size = array<i64: 3, 3>, use_bias = false} : tensor<?x12x12x1xf32> -> tensor<?x10x10x4xf32>
  %b1 = mlc.batch_norm %c1 : tensor<?x10x10x4xf32>
  %c2 = mlc.conv2d %b1 {filters = 8, kernel_size = array<i64: 3, 3>} : tensor<?x10x10x4xf32> -> tensor<?x8x8x8xf32>
  %f = mlc.flatten %c2 : tensor<?x8x8x8xf32> -> tensor<?x512xf32>
  %y = mlc.dense %f {units = 10, activation = #mlc.act<softmax>} : tensor<?x512xf32> -> tensor<?x10xf32>
  mlc.output %y : tensor<?x10xf32>
} {loss = #mlc.loss<sparse_categorical_crossentropy>, optimizer = #mlc.sgd}
