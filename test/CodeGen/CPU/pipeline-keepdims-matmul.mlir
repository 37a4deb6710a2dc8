// A keepdims reduction to 1x1 feeding matmuls (mlc-difftest seed 100,
// graphs 3070, 8482, 8556): the 1x1 operand is a view of a rank-0 buffer,
// and the pipeline used to stop with "'vector.load' op destination memref
// has lower rank than the result vector".
// RUN: mlc-opt %s --mlc-cpu | FileCheck %s

// CHECK:       llvm.func @m_predict(
mlc.model @m {
  %x0 = mlc.input "x0" : tensor<2x1xf32>
  %v0 = mlc.reduce_mean %x0 axes = [] keepdims : tensor<2x1xf32> -> tensor<1x1xf32>
  %x1 = mlc.input "x1" : tensor<4x1xf32>
  %v1 = mlc.matmul %v0, %x1 {transpose_rhs} : (tensor<1x1xf32>, tensor<4x1xf32>) -> tensor<1x4xf32>
  %l = mlc.reduce_sum %v1 axes = [] : tensor<1x4xf32> -> tensor<f32>
  %d0, %d1 = mlc.gradient %l wrt %x0, %x1 : tensor<f32>, tensor<2x1xf32>, tensor<4x1xf32>
  mlc.output %d0, %d1 : tensor<2x1xf32>, tensor<4x1xf32>
}
