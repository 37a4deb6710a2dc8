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
