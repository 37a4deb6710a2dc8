// mlc-linalg-to-gpu: every loop nest of an entry point becomes an outlined
// kernel in the one gpu.module @mlc_kernels: matmuls tiled in shared
// memory, reductions as one block per output with shuffles, everything else
// over 16 x 16 thread blocks (16 threads for 1-D nests) with the bounds
// guarded inside. Temporaries come from the workspace.
// RUN: mlc-opt %s --split-input-file --mlc-graph-to-linalg --mlc-linalg-to-gpu | FileCheck %s

// A matmul: a shared-memory tiled kernel (mlc-gpu-tile-matmuls), blocks
// along x over the 50 columns; the zero fill before it is its own kernel.
// CHECK-LABEL: func.func @mm_predict
// CHECK-NOT:     memref.alloc
// CHECK:         gpu.launch_func @mlc_kernels::@{{[a-z_0-9]+}} blocks in (%{{.*}}, %c4, %c1) threads in (%c16, %c16, %c1)
// CHECK:         gpu.launch_func @mlc_kernels::@[[MM:[a-z_0-9]+]] blocks in (%c4, %{{.*}}, %c1) threads in (%c16, %c16, %c1)
// CHECK-NOT:     scf.
// CHECK:         return
// CHECK:       gpu.module @mlc_kernels
// CHECK:         gpu.func @[[MM]](%{{.*}}: memref<?x64xf32>, %{{.*}}: memref<64x50xf32>, %{{.*}}: memref<?x50xf32>) workgroup(%[[AT:.*]] : memref<16x16xf32, #gpu.address_space<workgroup>>, %[[BT:.*]] : memref<16x16xf32, #gpu.address_space<workgroup>>) kernel
// CHECK:           scf.for %{{.*}} = %c0 to %c64 step %c16 iter_args
// CHECK:             memref.store %{{.*}}, %[[AT]][%thread_id_y, %thread_id_x]
// CHECK:             memref.store %{{.*}}, %[[BT]][%thread_id_y, %thread_id_x]
// CHECK-NEXT:        gpu.barrier
// CHECK-NEXT:        scf.for %{{.*}} = %c0 to %c16 step %c1 iter_args
// CHECK-NEXT:          memref.load %[[AT]][%thread_id_y, %{{.*}}]
// CHECK-NEXT:          memref.load %[[BT]][%{{.*}}, %thread_id_x]
// CHECK-NEXT:          arith.mulf
// CHECK-NEXT:          arith.addf
// CHECK:             gpu.barrier
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

// A row reduction: one block per row, one warp for its 32 elements, the
// partial sums combined with a shuffle all-reduce (mlc-gpu-reductions).
// CHECK-LABEL: func.func @rs_predict
// CHECK:         gpu.launch_func @mlc_kernels::@[[SUM:[a-z_0-9]+]] blocks in (%{{.*}}, %c1, %c1) threads in (%c32, %c1, %c1)
// CHECK:       gpu.func @[[SUM]](
// CHECK:         scf.for %{{.*}} = %thread_id_x to %c32 step %c32
// CHECK:           arith.addf
// CHECK:         gpu.all_reduce add
mlc.model @rs {
  %x = mlc.input "x" : tensor<?x32xf32>
  %s = mlc.reduce_sum %x axes = [1] : tensor<?x32xf32> -> tensor<?xf32>
  mlc.output %s : tensor<?xf32>
}

// -----

// The seed model's train step: everything runs in kernels; the host only
// sets and scales the scalar loss and passes scalars to the kernels.
// CHECK-LABEL: func.func @mnist_mlp_train_step(
// CHECK-NOT:     memref.alloc
// CHECK-NOT:     scf.
// CHECK:         return
// CHECK:       gpu.module @mlc_kernels
// CHECK:         gpu.func @mnist_mlp_train_step_kernel(
// The forward matmul x w1: tiled.
// CHECK:         gpu.func @mnist_mlp_train_step_kernel_{{[0-9]+}}({{(%[a-z0-9]+: index, )?}}%{{[a-z0-9]+}}: memref<?x784xf32>, %{{[a-z0-9]+}}: memref<784x128xf32>, %{{[a-z0-9]+}}: memref<?x128xf32>) workgroup(
// The loss, from the row maximum and sum of exponentials the softmax
// shares and each row's labelled logit: one block of 256 threads, a
// strided partial sum per thread, then a shuffle all-reduce
// (mlc-gpu-reductions).
// CHECK:         gpu.func @mnist_mlp_train_step_kernel_{{[0-9]+}}(%{{[a-z0-9]+}}: memref<?xi32>, %{{[a-z0-9]+}}: memref<?xf32>, %{{[a-z0-9]+}}: memref<?xf32>, %{{[a-z0-9]+}}: memref<?x10xf32>, %{{[a-z0-9]+}}: memref<f32>) kernel attributes {known_block_size = array<i32: 256, 1, 1>, known_grid_size = array<i32: 1, 1, 1>}
// CHECK:           scf.for %{{.*}} = %thread_id_x to %{{.*}} step %c256 iter_args
// CHECK:             memref.load %{{.*}} : memref<?x10xf32>
// CHECK:             math.log
// CHECK:           gpu.all_reduce add %{{.*}} uniform
// CHECK:           arith.cmpi eq, %thread_id_x, %c0
// The softmax (the predictions) and the CE gradient (softmax - onehot) /
// batch, from one exp, in one kernel that writes both.
// CHECK:         gpu.func @mnist_mlp_train_step_kernel_{{[0-9]+}}({{[^)]*}}memref<?xi32>, %{{[a-z0-9]+}}: memref<10xf32>, %[[P:[a-z0-9]+]]: memref<?x10xf32>, %[[G:[a-z0-9]+]]: memref<?x10xf32>)
// CHECK-NOT:     gpu.func
// CHECK:           arith.cmpi eq
// CHECK-NEXT:      arith.select
// CHECK-NEXT:      arith.subf
// CHECK-NEXT:      math.exp
// CHECK-NEXT:      %[[S:.*]] = arith.divf
// CHECK-NEXT:      arith.subf
// CHECK-NEXT:      %[[D:.*]] = arith.divf
// CHECK-NEXT:      memref.store %[[S]], %[[P]]
// CHECK-NEXT:      memref.store %[[D]], %[[G]]
// The weight gradient x^T dz: tiled, x read transposed, the batch as K.
// CHECK:         gpu.func @mnist_mlp_train_step_kernel_{{[0-9]+}}(%[[X:[a-z0-9]+]]: memref<?x784xf32>, %{{[a-z0-9]+}}: memref<?x128xf32>, %{{[a-z0-9]+}}: memref<784x128xf32>) workgroup(
// CHECK:           %[[B:.*]] = memref.dim %[[X]], %c0 : memref<?x784xf32>
// CHECK:           scf.for %{{.*}} = %c0 to %[[B]] step %c16 iter_args
// The Adam update of the 784 x 128 kernel.
// CHECK:         gpu.func @mnist_mlp_train_step_kernel_{{[0-9]+}}({{[^)]*}}: memref<784x128xf32>, %{{[a-z0-9]+}}: f32) kernel
// CHECK:           math.sqrt
mlc.model @mnist_mlp {
  %x = mlc.input "image" : tensor<?x28x28xf32>
  %f = mlc.flatten %x : tensor<?x28x28xf32> -> tensor<?x784xf32>
  %h = mlc.dense %f {units = 128, activation = #mlc.act<relu>} : tensor<?x784xf32> -> tensor<?x128xf32>
  %y = mlc.dense %h {units = 10, activation = #mlc.act<softmax>} : tensor<?x128xf32> -> tensor<?x10xf32>
  mlc.output %y : tensor<?x10xf32>
} {loss = #mlc.loss<sparse_categorical_crossentropy>, optimizer = #mlc.adam}
