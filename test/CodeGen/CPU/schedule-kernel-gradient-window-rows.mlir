// A one-channel kernel gradient whose whole 5 x 5 window does not fit
// AVX2's 16 registers (25 accumulators) takes one window row at a time:
// 5 rows of 6 output channels stay in registers across the batch loops,
// each load of the result gradient feeding 5 FMAs, in a loop over the 5
// window rows. (It had fallen back to a one-row tile whose accumulator
// went through memory at every step: 8 % of the FMA peak.)
// RUN: mlc-opt %s --mlc-graph-to-linalg --mlc-cpu-schedule="vector-bits=256" | FileCheck %s
// With AVX-512's 32 registers the whole window fits.
// RUN: mlc-opt %s --mlc-graph-to-linalg --mlc-cpu-schedule="vector-bits=512" | FileCheck %s --check-prefix=WIDE

// CHECK-LABEL: func.func @lenet_train_step
// CHECK:         scf.for {{.*}} = %c0 to %c5 step %c1
// CHECK:           scf.for {{.*}} iter_args({{.*}}) -> (vector<1x5x1x6xf32>)
// CHECK:             scf.for {{.*}} iter_args({{.*}}) -> (vector<1x5x1x6xf32>)
// CHECK:                 math.fma {{.*}} : vector<1x5x1x6xf32>
// CHECK:         math.sqrt

// WIDE-LABEL: func.func @lenet_train_step
// WIDE:         scf.for {{.*}} iter_args({{.*}}) -> (vector<5x5x1x6xf32>)
// WIDE:               math.fma {{.*}} : vector<5x5x1x6xf32>
mlc.model @lenet {
  %x = mlc.input "image" : tensor<?x14x14x1xf32>
  %c1 = mlc.conv2d %x {filters = 6, kernel_size = array<i64: 5, 5>, activation = #mlc.act<relu>} : tensor<?x14x14x1xf32> -> tensor<?x10x10x6xf32>
  %f = mlc.flatten %c1 : tensor<?x10x10x6xf32> -> tensor<?x600xf32>
  %y = mlc.dense %f {units = 10, activation = #mlc.act<softmax>} : tensor<?x600xf32> -> tensor<?x10xf32>
  mlc.output %y : tensor<?x10xf32>
} {loss = #mlc.loss<sparse_categorical_crossentropy>, optimizer = #mlc.adam}
