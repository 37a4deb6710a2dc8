// Pooling runs a window at a time: the batch loop (independent rows,
// marked for mlc-parallelize-tiles) over window rows and columns, the
// channels of each window offset one vector<32xf32> load, the maximum one
// cmpf/select per offset. The gradient of windows that tile the input
// writes each window's 2 x 2 x 32 block from one vector computation.
// RUN: mlc-opt %s --split-input-file --mlc-graph-to-linalg --mlc-cpu-schedule="vector-bits=512 parallel-packs" | FileCheck %s

// CHECK-LABEL: func.func @pool_predict
// CHECK:         scf.for %[[N:.*]] = %c0 to %{{.*}} step %c1 {
// CHECK:           scf.for %{{.*}} = %c0 to %c4 step %c1 {
// CHECK-NEXT:        scf.for %{{.*}} = %c0 to %c4 step %c1 {
// CHECK-COUNT-4:       vector.load {{.*}} vector<32xf32>
// CHECK-COUNT-3:       arith.cmpf olt, {{.*}} : vector<1x1x1x32xf32>
// CHECK:               vector.store {{.*}} vector<32xf32>
// CHECK:         } {mlc.parallel}
// The gradient: 4 loads of the window's values, 1 of its gradient, the
// maximum and the first-maximum masks on the 2 x 2 x 32 block.
// CHECK:         scf.for %{{.*}} = %c0 to %{{.*}} step %c1 {
// CHECK:           scf.for %{{.*}} = %c0 to %c4 step %c1 {
// CHECK-NEXT:        scf.for %{{.*}} = %c0 to %c4 step %c1 {
// CHECK-COUNT-5:       vector.load {{.*}} vector<32xf32>
// CHECK:               arith.cmpf olt, {{.*}} : vector<1x1x1x2x2x32xf32>
// CHECK:               arith.cmpf oeq, {{.*}} : vector<1x1x1x2x2x32xf32>
// CHECK:               vector.store {{.*}} vector<32xf32>
// CHECK:         } {mlc.parallel}
mlc.model @pool {
  %x = mlc.input "x" : tensor<?x8x8x32xf32>
  %w = mlc.input "w" : tensor<?x4x4x32xf32>
  %p = mlc.max_pool %x {window = array<i64: 2, 2>, strides = array<i64: 2, 2>} : tensor<?x8x8x32xf32> -> tensor<?x4x4x32xf32>
  %pw = mlc.mul %p, %w : (tensor<?x4x4x32xf32>, tensor<?x4x4x32xf32>) -> tensor<?x4x4x32xf32>
  %l = mlc.reduce_sum %pw axes = [] : tensor<?x4x4x32xf32> -> tensor<f32>
  %g = mlc.gradient %l wrt %x : tensor<f32>, tensor<?x8x8x32xf32>
  mlc.output %p, %g : tensor<?x4x4x32xf32>, tensor<?x8x8x32xf32>
}

// -----

// Average pooling over windows that all hold 4 elements: elementwise
// fusion folds the splat count operand into the body and rebuilds the op,
// which keeps its mlc.outer_loops mark, so both the pooling and its
// gradient run a window at a time on vectors of the 6 channels (the
// rebuilt op had lost the mark: scalar loops).
// CHECK-LABEL: func.func @avg_predict
// CHECK-NOT:     linalg.generic
// CHECK:         scf.for %{{.*}} = %c0 to %{{.*}} step %c1 {
// CHECK:           scf.for %{{.*}} = %c0 to %c4 step %c1 {
// CHECK-NEXT:        scf.for %{{.*}} = %c0 to %c4 step %c1 {
// CHECK-COUNT-4:       vector.load {{.*}} vector<6xf32>
// CHECK:               arith.divf {{.*}} : vector<1x1x1x6xf32>
// CHECK:               vector.store {{.*}} vector<6xf32>
// CHECK:         } {mlc.parallel}
// The gradient: one load of the window's gradient, its quarter stored to
// the 2 x 2 offsets.
// CHECK-NOT:     linalg.generic
// CHECK:         scf.for %{{.*}} = %c0 to %{{.*}} step %c1 {
// CHECK:           scf.for %{{.*}} = %c0 to %c4 step %c1 {
// CHECK-NEXT:        scf.for %{{.*}} = %c0 to %c4 step %c1 {
// CHECK:               vector.load {{.*}} vector<6xf32>
// CHECK:               arith.divf {{.*}} : vector<1x1x1x2x2x6xf32>
// CHECK-COUNT-4:       vector.store {{.*}} vector<6xf32>
// CHECK:         } {mlc.parallel}
// CHECK-NOT:     linalg.generic
// CHECK:         return
mlc.model @avg {
  %x = mlc.input "x" : tensor<?x8x8x6xf32>
  %w = mlc.input "w" : tensor<?x4x4x6xf32>
  %p = mlc.avg_pool %x {window = array<i64: 2, 2>, strides = array<i64: 2, 2>} : tensor<?x8x8x6xf32> -> tensor<?x4x4x6xf32>
  %pw = mlc.mul %p, %w : (tensor<?x4x4x6xf32>, tensor<?x4x4x6xf32>) -> tensor<?x4x4x6xf32>
  %l = mlc.reduce_sum %pw axes = [] : tensor<?x4x4x6xf32> -> tensor<f32>
  %g = mlc.gradient %l wrt %x : tensor<f32>, tensor<?x8x8x6xf32>
  mlc.output %p, %g : tensor<?x4x4x6xf32>, tensor<?x8x8x6xf32>
}
