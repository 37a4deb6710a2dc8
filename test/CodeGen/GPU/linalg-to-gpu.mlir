// mlc-linalg-to-gpu: every loop nest of an entry point becomes an outlined
// kernel in the one gpu.module @mlc_kernels, launched over 16 x 16 thread
// blocks (16 threads for 1-D nests) with the bounds guarded inside, and
// temporaries come from the workspace.
// RUN: mlc-opt %s --split-input-file --mlc-graph-to-linalg --mlc-linalg-to-gpu | FileCheck %s

// A matmul: one thread per output element, the K loop inside the kernel.
// CHECK-LABEL: func.func @mm_predict
// CHECK-NOT:     memref.alloc
// CHECK:         gpu.launch_func @mlc_kernels::@[[FILL:[a-z_0-9]+]] blocks in (%{{.*}}, %c4, %c1) threads in (%c16, %c16, %c1)
// CHECK:         gpu.launch_func @mlc_kernels::@[[MM:[a-z_0-9]+]] blocks in (%{{.*}}, %c4, %c1) threads in (%c16, %c16, %c1)
// CHECK-NOT:     scf.
// CHECK:         return
// CHECK:       gpu.module @mlc_kernels
// CHECK:         gpu.func @[[MM]](
// CHECK-SAME:      kernel
// CHECK:           gpu.block_id x
// CHECK:           gpu.thread_id x
// CHECK:           scf.if
// CHECK-NEXT:        scf.for %{{.*}} = %c0 to %c64 step %c1 {
// CHECK:               arith.mulf
// CHECK-NEXT:          arith.addf
mlc.model @mm {
  %x = mlc.input "x" : tensor<?x64xf32>
  %w = mlc.input "w" : tensor<64x50xf32>
  %y = mlc.matmul %x, %w : (tensor<?x64xf32>, tensor<64x50xf32>) -> tensor<?x50xf32>
  mlc.output %y : tensor<?x50xf32>
}

// -----

// Elementwise ops fuse into one 2-D kernel (the next launch copies the
// result to the output buffer).
// CHECK-LABEL: func.func @ew_predict
// CHECK:         gpu.launch_func @mlc_kernels::@[[EW:[a-z_0-9]+]] blocks in (%{{.*}}, %c2, %c1) threads in (%c16, %c16, %c1)
// CHECK:       gpu.func @[[EW]](
// CHECK-NOT:     gpu.func
// CHECK:         math.exp
// CHECK-NOT:     gpu.func
// CHECK:         arith.maximumf
mlc.model @ew {
  %x = mlc.input "x" : tensor<?x32xf32>
  %e = mlc.exp %x : tensor<?x32xf32>
  %r = mlc.relu %e : tensor<?x32xf32>
  mlc.output %r : tensor<?x32xf32>
}

// -----

// A row reduction: one thread per row, the sum inside it.
// CHECK-LABEL: func.func @rs_predict
// CHECK:         gpu.launch_func @mlc_kernels::@[[SUM:[a-z_0-9]+]] blocks in (%{{.*}}, %c1, %c1) threads in (%c16, %c1, %c1)
// CHECK:       gpu.func @[[SUM]](
// CHECK:         scf.for %{{.*}} = %c0 to %c32 step %c1 {
// CHECK:           arith.addf
mlc.model @rs {
  %x = mlc.input "x" : tensor<?x32xf32>
  %s = mlc.reduce_sum %x axes = [1] : tensor<?x32xf32> -> tensor<?xf32>
  mlc.output %s : tensor<?xf32>
}

// -----

// The seed model's train step: forward, softmax-CE backward, weight
// gradients and the Adam update are all kernels; only the scalar loss is
// summed on the host.
// CHECK-LABEL: func.func @mnist_mlp_train_step(
// CHECK-NOT:     memref.alloc
// CHECK-NOT:     scf.parallel
// CHECK:         gpu.launch_func
// CHECK:         scf.for
// CHECK:           math.log
// CHECK:         gpu.launch_func
// CHECK:         return
// CHECK:       gpu.module @mlc_kernels
// The fused softmax-CE gradient, (softmax - onehot) / batch, in one kernel.
// CHECK:         gpu.func @{{.*}}(%{{.*}}: memref<?x10xf32>, %{{.*}}: memref<?xi32>,
// CHECK-NOT:     gpu.func
// CHECK:           arith.cmpi eq
// CHECK-NEXT:      arith.select
// CHECK-NEXT:      arith.subf
// CHECK-NEXT:      arith.divf
// The weight gradient x^T dz: one thread per weight, the batch loop inside.
// CHECK:         gpu.func @{{.*}}(%{{.*}}: memref<?x784xf32>, %{{.*}}: index, %{{.*}}: index, %{{.*}}: memref<?x128xf32>, %{{.*}}: memref<784x128xf32>) kernel
// CHECK:           %[[B:.*]] = memref.dim %{{.*}}, %c0 : memref<?x784xf32>
// CHECK:           scf.for %{{.*}} = %c0 to %[[B]] step %c1 {
// CHECK:             arith.mulf
// CHECK-NEXT:        arith.addf
// The Adam update of the 784 x 128 kernel.
// CHECK:         gpu.func @{{.*}}(%{{.*}}: index, %{{.*}}: index, %{{.*}}: memref<784x128xf32>, %{{.*}}: memref<784x128xf32>, %{{.*}}: memref<784x128xf32>, %{{.*}}: memref<784x128xf32>, %{{.*}}: f32) kernel
// CHECK:           math.sqrt
mlc.model @mnist_mlp {
  %x = mlc.input "image" : tensor<?x28x28xf32>
  %f = mlc.flatten %x : tensor<?x28x28xf32> -> tensor<?x784xf32>
  %h = mlc.dense %f {units = 128, activation = #mlc.act<relu>} : tensor<?x784xf32> -> tensor<?x128xf32>
  %y = mlc.dense %h {units = 10, activation = #mlc.act<softmax>} : tensor<?x128xf32> -> tensor<?x10xf32>
  mlc.output %y : tensor<?x10xf32>
} {loss = #mlc.loss<sparse_categorical_crossentropy>, optimizer = #mlc.adam}
