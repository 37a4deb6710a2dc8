// A dilated convolution's kernel gradient in f64 with one input channel
// (mlc-difftest seed 22, graph 60): its window is a rank-reducing subview
// with strides 2, and upstream's fold of loads through subviews crashed on
// it (the dropped dims derived from the source's strides alone);
// mlc-fold-memref-aliases now makes such subviews reinterpret_casts.
// RUN: mlc-opt %s --mlc-cpu | FileCheck %s

// CHECK: llvm.func @g_train_step(
mlc.model @g {
  %x = mlc.input "x" : tensor<?x4x3x1xf64>
  mlc.param @k : tensor<2x2x1x2xf64> = #mlc.zeros
  %k = mlc.param_ref @k : tensor<2x2x1x2xf64>
  %y = mlc.conv %x, %k {strides = array<i64: 2, 2>, dilations = array<i64: 2, 2>, pads = array<i64: 0, 1, 0, 0>} : (tensor<?x4x3x1xf64>, tensor<2x2x1x2xf64>) -> tensor<?x2x1x2xf64>
  mlc.output %y : tensor<?x2x1x2xf64>
} {loss = #mlc.loss<mse>, optimizer = #mlc.sgd<learning_rate = 0.1>}
