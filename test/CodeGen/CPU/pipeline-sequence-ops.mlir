// Every sequence op in one trained model: embedding, layer norm, GRU,
// split, concat, where with an integer mask, dense with gelu over every
// step, LSTM. The CPU build allocates nothing per call; GPU/shapes.test
// builds the same model for --target=cuda (ptxas).
// RUN: mlc-opt %s --mlc-cpu | FileCheck %s
// CHECK: llvm.func @allops_train_step(
// CHECK-NOT: llvm.call @malloc
mlc.model @allops {
  %t = mlc.input "tokens" : tensor<?x16xi32>
  %e = mlc.embedding %t {input_dim = 50, output_dim = 8} : tensor<?x16xi32> -> tensor<?x16x8xf32>
  %n = mlc.layer_norm %e : tensor<?x16x8xf32>
  %g = mlc.gru %n {units = 8, return_sequences = true} : tensor<?x16x8xf32> -> tensor<?x16x8xf32>
  %a, %b = mlc.split %g axis = 2 : tensor<?x16x8xf32> -> tensor<?x16x4xf32>, tensor<?x16x4xf32>
  %c = mlc.concat %b, %a axis = 2 : (tensor<?x16x4xf32>, tensor<?x16x4xf32>) -> tensor<?x16x8xf32>
  %m = mlc.reshape %t : tensor<?x16xi32> -> tensor<?x16x1xi32>
  %w = mlc.where %m, %c, %n : (tensor<?x16x1xi32>, tensor<?x16x8xf32>, tensor<?x16x8xf32>) -> tensor<?x16x8xf32>
  %d = mlc.dense %w {units = 8, activation = #mlc.act<gelu>} : tensor<?x16x8xf32> -> tensor<?x16x8xf32>
  %h = mlc.lstm %d {units = 8} : tensor<?x16x8xf32> -> tensor<?x8xf32>
  %y = mlc.dense %h {units = 4} : tensor<?x8xf32> -> tensor<?x4xf32>
  mlc.output %y : tensor<?x4xf32>
} {loss = #mlc.loss<sparse_categorical_crossentropy, from_logits = true>, optimizer = #mlc.adam}
