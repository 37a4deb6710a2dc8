// Every temporary of every entry point is sized from the entry's arguments,
// whatever the rank, the number of dynamic dimensions, or the reshapes and
// keepdims views between them (the gradient's reshapes view temporaries
// whose sizes mlc-workspace resolves back to the arguments).
// RUN: mlc-opt %s --split-input-file --mlc-cpu | FileCheck %s
// RUN: mlc-opt %s --split-input-file --mlc-graph-to-linalg --mlc-cpu-schedule --mlc-workspace | FileCheck %s --check-prefix=VIEWS

// CHECK-LABEL: llvm.func @rank3_train_step
// CHECK-NOT:   llvm.call @malloc
// CHECK:       llvm.func @_mlir_ciface_rank3_train_step_workspace_bytes
// VIEWS-LABEL: func.func @rank3_train_step
// VIEWS-NOT:   memref.alloc
// VIEWS:       return
// VIEWS-LABEL: func.func @rank3_train_step_workspace_bytes
mlc.model @rank3 {
  %x = mlc.input "x" : tensor<?x8x16xf32>
  mlc.param @w : tensor<16x4xf32> = #mlc.glorot_uniform
  %w = mlc.param_ref @w : tensor<16x4xf32>
  %sq = mlc.mul %x, %x : (tensor<?x8x16xf32>, tensor<?x8x16xf32>) -> tensor<?x8x16xf32>
  %m = mlc.matmul %sq, %w : (tensor<?x8x16xf32>, tensor<16x4xf32>) -> tensor<?x8x4xf32>
  %r = mlc.reduce_mean %m axes = [1] : tensor<?x8x4xf32> -> tensor<?x4xf32>
  mlc.output %r : tensor<?x4xf32>
} {loss = #mlc.loss<mse>, optimizer = #mlc.sgd<learning_rate = 0.1>}

// -----

// CHECK-LABEL: llvm.func @keep_train_step
// CHECK-NOT:   llvm.call @malloc
// VIEWS-LABEL: func.func @keep_train_step
// VIEWS-NOT:   memref.alloc
// VIEWS:       return
mlc.model @keep {
  %x = mlc.input "x" : tensor<?x16xf32>
  mlc.param @w : tensor<16x4xf32> = #mlc.glorot_uniform
  %w = mlc.param_ref @w : tensor<16x4xf32>
  %m = mlc.matmul %x, %w : (tensor<?x16xf32>, tensor<16x4xf32>) -> tensor<?x4xf32>
  %s = mlc.reduce_max %m axes = [1] keepdims : tensor<?x4xf32> -> tensor<?x1xf32>
  %t = mlc.reduce_sum %m axes = [1] keepdims : tensor<?x4xf32> -> tensor<?x1xf32>
  %d = mlc.sub %m, %s : (tensor<?x4xf32>, tensor<?x1xf32>) -> tensor<?x4xf32>
  %e = mlc.mul %d, %t : (tensor<?x4xf32>, tensor<?x1xf32>) -> tensor<?x4xf32>
  mlc.output %e : tensor<?x4xf32>
} {loss = #mlc.loss<mse>, optimizer = #mlc.sgd<learning_rate = 0.1>}

// -----

// reduce_mean over the batch: the gradient divides by the batch size.
// CHECK-LABEL: llvm.func @meanbatch_train_step
// CHECK-NOT:   llvm.call @malloc
// VIEWS-LABEL: func.func @meanbatch_train_step
// VIEWS-NOT:   memref.alloc
// VIEWS:       return
mlc.model @meanbatch {
  %x = mlc.input "x" : tensor<?x16xf32>
  mlc.param @w : tensor<16x4xf32> = #mlc.glorot_uniform
  %w = mlc.param_ref @w : tensor<16x4xf32>
  %m = mlc.matmul %x, %w : (tensor<?x16xf32>, tensor<16x4xf32>) -> tensor<?x4xf32>
  %mu = mlc.reduce_mean %m axes = [0] : tensor<?x4xf32> -> tensor<4xf32>
  %d = mlc.sub %m, %mu : (tensor<?x4xf32>, tensor<4xf32>) -> tensor<?x4xf32>
  mlc.output %d : tensor<?x4xf32>
} {loss = #mlc.loss<mse>, optimizer = #mlc.sgd<learning_rate = 0.1>}

// -----

// CHECK-LABEL: llvm.func @reshape_train_step
// CHECK-NOT:   llvm.call @malloc
// VIEWS-LABEL: func.func @reshape_train_step
// VIEWS-NOT:   memref.alloc
// VIEWS:       return
mlc.model @reshape {
  %x = mlc.input "x" : tensor<?x16xf32>
  mlc.param @w : tensor<16x8xf32> = #mlc.glorot_uniform
  %w = mlc.param_ref @w : tensor<16x8xf32>
  %m = mlc.matmul %x, %w : (tensor<?x16xf32>, tensor<16x8xf32>) -> tensor<?x8xf32>
  %t = mlc.tanh %m : tensor<?x8xf32>
  %r = mlc.reshape %t : tensor<?x8xf32> -> tensor<?x2x4xf32>
  %s = mlc.reduce_sum %r axes = [1] : tensor<?x2x4xf32> -> tensor<?x4xf32>
  mlc.output %s : tensor<?x4xf32>
} {loss = #mlc.loss<mse>, optimizer = #mlc.sgd<learning_rate = 0.1>}

// -----

// An attention-like block: batched matmuls on rank-4 tensors.
// CHECK-LABEL: llvm.func @attention_train_step
// CHECK-NOT:   llvm.call @malloc
// VIEWS-LABEL: func.func @attention_train_step
// VIEWS-NOT:   memref.alloc
// VIEWS:       return
mlc.model @attention {
  %x = mlc.input "x" : tensor<?x4x8x16xf32>
  mlc.param @w : tensor<16x16xf32> = #mlc.glorot_uniform
  %w = mlc.param_ref @w : tensor<16x16xf32>
  %q = mlc.matmul %x, %w : (tensor<?x4x8x16xf32>, tensor<16x16xf32>) -> tensor<?x4x8x16xf32>
  %s = mlc.matmul %q, %x {transpose_rhs} : (tensor<?x4x8x16xf32>, tensor<?x4x8x16xf32>) -> tensor<?x4x8x8xf32>
  %p = mlc.softmax %s : tensor<?x4x8x8xf32>
  %o = mlc.matmul %p, %x : (tensor<?x4x8x8xf32>, tensor<?x4x8x16xf32>) -> tensor<?x4x8x16xf32>
  %r = mlc.reduce_mean %o axes = [1, 2] : tensor<?x4x8x16xf32> -> tensor<?x16xf32>
  mlc.output %r : tensor<?x16xf32>
} {loss = #mlc.loss<mse>, optimizer = #mlc.adam}

// -----

// Two dynamic dimensions (batch and sequence length).
// CHECK-LABEL: llvm.func @seq_train_step
// CHECK-NOT:   llvm.call @malloc
// VIEWS-LABEL: func.func @seq_train_step
// VIEWS-NOT:   memref.alloc
// VIEWS:       return
mlc.model @seq {
  %x = mlc.input "x" : tensor<?x?x16xf32>
  mlc.param @w : tensor<16x4xf32> = #mlc.glorot_uniform
  %w = mlc.param_ref @w : tensor<16x4xf32>
  %m = mlc.matmul %x, %w : (tensor<?x?x16xf32>, tensor<16x4xf32>) -> tensor<?x?x4xf32>
  %t = mlc.tanh %m : tensor<?x?x4xf32>
  %r = mlc.reduce_max %t axes = [1] : tensor<?x?x4xf32> -> tensor<?x4xf32>
  mlc.output %r : tensor<?x4xf32>
} {loss = #mlc.loss<mse>, optimizer = #mlc.sgd<learning_rate = 0.1>}
