// The kernel gradient of a convolution with one input channel takes the
// whole 3 x 3 window into its register tile (9 rows of 8 output channels
// kept in registers across the batch loops, each load of the result
// gradient feeding 9 FMAs); the optimizer update of the kernel follows
// its batch loop.
// RUN: mlc-opt %s --mlc-graph-to-linalg --mlc-cpu-schedule="vector-bits=512" | FileCheck %s

// CHECK-LABEL: func.func @grads_train_step
// CHECK:         scf.for {{.*}} iter_args({{.*}}) -> (vector<3x3x1x8xf32>)
// CHECK:           scf.for {{.*}} iter_args({{.*}}) -> (vector<3x3x1x8xf32>)
// CHECK:               math.fma {{.*}} : vector<3x3x1x8xf32>
// CHECK:         math.sqrt
mlc.model @grads {
  %x = mlc.input "image" : tensor<?x12x12x1xf32>
  %c1 = mlc.conv2d %x {filters = 8, kernel_size = array<i64: 3, 3>, activation = #mlc.act<relu>} : tensor<?x12x12x1xf32> -> tensor<?x10x10x8xf32>
  %c2 = mlc.conv2d %c1 {filters = 32, kernel_size = array<i64: 3, 3>, activation = #mlc.act<relu>} : tensor<?x10x10x8xf32> -> tensor<?x8x8x32xf32>
  %f = mlc.flatten %c2 : tensor<?x8x8x32xf32> -> tensor<?x2048xf32>
  %y = mlc.dense %f {units = 10, activation = #mlc.act<softmax>} : tensor<?x2048xf32> -> tensor<?x10xf32>
  mlc.output %y : tensor<?x10xf32>
} {loss = #mlc.loss<sparse_categorical_crossentropy>, optimizer = #mlc.adam}
