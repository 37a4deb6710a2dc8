// RUN: mlc-opt %s --mlc-materialize-params --split-input-file | FileCheck %s

// The seed model: two dense layers named like Keras names them.
// CHECK-LABEL: mlc.model @mnist_mlp
// CHECK-NEXT:    %[[X:.*]] = mlc.input "image" : tensor<?x28x28xf32>
// CHECK-NEXT:    mlc.param @dense.kernel : tensor<784x128xf32> = #mlc.glorot_uniform
// CHECK-NEXT:    mlc.param @dense.bias : tensor<128xf32> = #mlc.zeros
// CHECK-NEXT:    mlc.param @dense_1.kernel : tensor<128x10xf32> = #mlc.glorot_uniform
// CHECK-NEXT:    mlc.param @dense_1.bias : tensor<10xf32> = #mlc.zeros
// CHECK-NEXT:    %[[F:.*]] = mlc.reshape %[[X]] : tensor<?x28x28xf32> -> tensor<?x784xf32>
// CHECK-NEXT:    %[[K0:.*]] = mlc.param_ref @dense.kernel : tensor<784x128xf32>
// CHECK-NEXT:    %[[M0:.*]] = mlc.matmul %[[F]], %[[K0]] : (tensor<?x784xf32>, tensor<784x128xf32>) -> tensor<?x128xf32>
// CHECK-NEXT:    %[[B0:.*]] = mlc.param_ref @dense.bias : tensor<128xf32>
// CHECK-NEXT:    %[[A0:.*]] = mlc.add %[[M0]], %[[B0]] : (tensor<?x128xf32>, tensor<128xf32>) -> tensor<?x128xf32>
// CHECK-NEXT:    %[[H:.*]] = mlc.relu %[[A0]] : tensor<?x128xf32>
// CHECK-NEXT:    %[[K1:.*]] = mlc.param_ref @dense_1.kernel : tensor<128x10xf32>
// CHECK-NEXT:    %[[M1:.*]] = mlc.matmul %[[H]], %[[K1]] : (tensor<?x128xf32>, tensor<128x10xf32>) -> tensor<?x10xf32>
// CHECK-NEXT:    %[[B1:.*]] = mlc.param_ref @dense_1.bias : tensor<10xf32>
// CHECK-NEXT:    %[[A1:.*]] = mlc.add %[[M1]], %[[B1]] : (tensor<?x10xf32>, tensor<10xf32>) -> tensor<?x10xf32>
// CHECK-NEXT:    %[[Y:.*]] = mlc.softmax %[[A1]] : tensor<?x10xf32>
// CHECK-NEXT:    mlc.output %[[Y]] : tensor<?x10xf32>
// CHECK-NEXT:  } {loss = #mlc.loss<sparse_categorical_crossentropy>, optimizer = #mlc.adam}
// CHECK-NOT:   mlc.dense
// CHECK-NOT:   mlc.flatten
mlc.model @mnist_mlp {
  %x = mlc.input "image" : tensor<?x28x28xf32>
  %f = mlc.flatten %x : tensor<?x28x28xf32> -> tensor<?x784xf32>
  %h = mlc.dense %f {units = 128, activation = #mlc.act<relu>} : tensor<?x784xf32> -> tensor<?x128xf32>
  %y = mlc.dense %h {units = 10, activation = #mlc.act<softmax>} : tensor<?x128xf32> -> tensor<?x10xf32>
  mlc.output %y : tensor<?x10xf32>
} {loss = #mlc.loss<sparse_categorical_crossentropy>,
   optimizer = #mlc.adam<learning_rate = 1.0e-3>}

// -----

// Explicit names, initializers, no bias, every activation; auto names skip
// names that are taken.
// CHECK-LABEL: mlc.model @options
// CHECK:       mlc.param @existing : tensor<2xf32> = #mlc.ones
// CHECK-NEXT:  mlc.param @dense.kernel : tensor<2xf32> = #mlc.ones
// CHECK-NEXT:  mlc.param @encoder.kernel : tensor<8x4xf32> = #mlc.he_normal
// CHECK-NEXT:  mlc.param @encoder.bias : tensor<4xf32> = #mlc.constant<0.1>
// CHECK-NEXT:  mlc.param @dense_1.kernel : tensor<4x4xf32> = #mlc.glorot_uniform
// CHECK-NEXT:  mlc.param @dense_2.kernel : tensor<4x4xf32> = #mlc.glorot_uniform
// CHECK-NEXT:  mlc.param @dense_2.bias
// CHECK-NEXT:  mlc.param @dense_3.kernel
// CHECK-NEXT:  mlc.param @dense_3.bias
// CHECK-NEXT:  mlc.param @dense_4.kernel
// CHECK-NEXT:  mlc.param @dense_4.bias
// CHECK-NOT:   mlc.param @
// CHECK:       mlc.matmul
// CHECK-NEXT:  mlc.param_ref @encoder.bias
// CHECK-NEXT:  mlc.add
// CHECK-NEXT:  mlc.sigmoid
// CHECK-NEXT:  mlc.param_ref @dense_1.kernel
// CHECK-NEXT:  mlc.matmul
// CHECK-NEXT:  mlc.tanh
// CHECK:       mlc.param_ref @dense_2.bias
// CHECK-NEXT:  mlc.add
// CHECK-NEXT:  mlc.log_softmax
// CHECK:       mlc.param_ref @dense_3.bias
// CHECK-NEXT:  %[[LIN:.*]] = mlc.add
// CHECK:       mlc.param_ref @dense_4.bias
// CHECK-NEXT:  mlc.add
// CHECK-NEXT:  mlc.softmax
// CHECK:       mlc.output
mlc.model @options {
  %x = mlc.input "x" : tensor<?x8xf32>
  mlc.param @existing : tensor<2xf32> = #mlc.ones
  mlc.param @dense.kernel : tensor<2xf32> = #mlc.ones
  %a = mlc.dense %x {units = 4, name = "encoder", activation = #mlc.act<sigmoid>,
                     kernel_initializer = #mlc.he_normal,
                     bias_initializer = #mlc.constant<0.1>}
      : tensor<?x8xf32> -> tensor<?x4xf32>
  %b = mlc.dense %a {units = 4, use_bias = false, activation = #mlc.act<tanh>}
      : tensor<?x4xf32> -> tensor<?x4xf32>
  %c = mlc.dense %b {units = 4, activation = #mlc.act<log_softmax>}
      : tensor<?x4xf32> -> tensor<?x4xf32>
  %d = mlc.dense %c {units = 4} : tensor<?x4xf32> -> tensor<?x4xf32>
  %e = mlc.dense %d {units = 4, activation = #mlc.act<softmax>}
      : tensor<?x4xf32> -> tensor<?x4xf32>
  mlc.output %e : tensor<?x4xf32>
}
