// RUN: mlc-opt %s --mlc-materialize-params --mlc-build-entry-points --split-input-file | FileCheck %s

// The predict ABI: params, then inputs, then one buffer per output, all
// memrefs; reads through restrict to_tensor, writes with
// materialize_in_destination, returns nothing. The model is gone.
// CHECK-LABEL: func.func @mnist_mlp_predict
// CHECK-SAME:    (%[[K0:.*]]: memref<784x128xf32>, %[[B0:.*]]: memref<128xf32>, %[[K1:.*]]: memref<128x10xf32>, %[[B1:.*]]: memref<10xf32>, %[[X:.*]]: memref<?x28x28xf32>, %[[Y:.*]]: memref<?x10xf32>)
// CHECK-SAME:    attributes {llvm.emit_c_interface, mlc.entry = "predict", mlc.inputs = ["image"], mlc.model = "mnist_mlp", mlc.num_outputs = 1 : i64, mlc.params = ["dense.kernel", "dense.bias", "dense_1.kernel", "dense_1.bias"]}
// CHECK:         %[[TK0:.*]] = bufferization.to_tensor %[[K0]] restrict : memref<784x128xf32> to tensor<784x128xf32>
// CHECK:         %[[TX:.*]] = bufferization.to_tensor %[[X]] restrict : memref<?x28x28xf32> to tensor<?x28x28xf32>
// CHECK:         %[[F:.*]] = mlc.reshape %[[TX]]
// CHECK:         mlc.matmul %[[F]], %[[TK0]]
// CHECK:         %[[P:.*]] = mlc.softmax
// CHECK:         bufferization.materialize_in_destination %[[P]] in restrict writable %[[Y]] : (tensor<?x10xf32>, memref<?x10xf32>) -> ()
// CHECK-NEXT:    return
// CHECK-NOT:   mlc.model
mlc.model @mnist_mlp {
  %x = mlc.input "image" : tensor<?x28x28xf32>
  %f = mlc.flatten %x : tensor<?x28x28xf32> -> tensor<?x784xf32>
  %h = mlc.dense %f {units = 128, activation = #mlc.act<relu>} : tensor<?x784xf32> -> tensor<?x128xf32>
  %y = mlc.dense %h {units = 10, activation = #mlc.act<softmax>} : tensor<?x128xf32> -> tensor<?x10xf32>
  mlc.output %y : tensor<?x10xf32>
}

// -----

// Two outputs, one of them an input passed through.
// CHECK-LABEL: func.func @two_outputs_predict
// CHECK-SAME:    (%[[A:.*]]: memref<?x4xf32>, %[[O0:.*]]: memref<?x4xf32>, %[[O1:.*]]: memref<?x4xf32>)
// CHECK:         %[[T:.*]] = bufferization.to_tensor %[[A]]
// CHECK:         %[[R:.*]] = mlc.relu %[[T]]
// CHECK:         bufferization.materialize_in_destination %[[R]] in restrict writable %[[O0]]
// CHECK:         bufferization.materialize_in_destination %[[T]] in restrict writable %[[O1]]
mlc.model @two_outputs {
  %a = mlc.input "a" : tensor<?x4xf32>
  %r = mlc.relu %a : tensor<?x4xf32>
  mlc.output %r, %a : tensor<?x4xf32>, tensor<?x4xf32>
}

// -----

// Training and inference forms: predict passes the dropout's input through
// and normalizes with the moving statistics; train_step masks, normalizes
// with the batch's statistics, differentiates the trainable params only,
// and writes the assigned values into the non-trainable ones.
// CHECK-LABEL: func.func @modes_predict
// CHECK-NOT:     mlc.dropout_mask
// CHECK-NOT:     mlc.reduce_mean
// CHECK:         return
// CHECK-LABEL: func.func @modes_train_step
// CHECK-SAME:    (%[[G:[^:]*]]: memref<2xf32>, %[[B:[^:]*]]: memref<2xf32>, %[[MM:[^:]*]]: memref<2xf32>, %[[MV:[^:]*]]: memref<2xf32>, %[[S:[^:]*]]: memref<2xf32>,
// CHECK:         %[[MEAN:.*]] = mlc.reduce_mean %{{.*}} axes = [0] : tensor<?x2xf32> -> tensor<2xf32>
// CHECK:         mlc.dropout_mask %{{.*}}, %{{.*}} {rate = 5.000000e-01 : f64, stream = 0 : i64}
// CHECK:         %{{.*}}:2 = mlc.gradient %{{.*}} wrt %{{.*}}, %{{.*}} : tensor<f32>, tensor<2xf32>, tensor<2xf32>
// CHECK-COUNT-2: mlc.optimizer_update
// CHECK-NOT:     mlc.optimizer_update
// CHECK:         bufferization.materialize_in_destination %{{.*}} in restrict writable %[[MM]]
// CHECK:         bufferization.materialize_in_destination %{{.*}} in restrict writable %[[MV]]
// CHECK:         bufferization.materialize_in_destination %{{.*}} in restrict writable %[[S]]
mlc.model @modes {
  %x = mlc.input "x" : tensor<?x2xf32>
  %b = mlc.batch_norm %x : tensor<?x2xf32>
  %d = mlc.dropout %b {rate = 0.5} : tensor<?x2xf32>
  mlc.output %d : tensor<?x2xf32>
} {loss = #mlc.loss<mse>, optimizer = #mlc.sgd}
