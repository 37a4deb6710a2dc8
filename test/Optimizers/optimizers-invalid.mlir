// RUN: mlc-opt %s -split-input-file -verify-diagnostics

func.func @wrong_state_count(%p: tensor<3xf32>, %g: tensor<3xf32>, %lr: tensor<f32>) -> tensor<3xf32> {
  // expected-error @+1 {{'mlc.optimizer_update' op #mlc.adam keeps 2 state tensor(s) per parameter, got 0}}
  %r = mlc.optimizer_update %p, %g lr %lr step %lr {optimizer = #mlc.adam} : tensor<3xf32>, tensor<3xf32>, tensor<f32>, tensor<f32>
  return %r : tensor<3xf32>
}

// -----

func.func @wrong_grad(%p: tensor<3xf32>, %g: tensor<4xf32>, %lr: tensor<f32>) -> tensor<3xf32> {
  // expected-error @+1 {{'mlc.optimizer_update' op gradient has type 'tensor<4xf32>', but the parameter has type 'tensor<3xf32>'}}
  %r = mlc.optimizer_update %p, %g lr %lr step %lr {optimizer = #mlc.sgd} : tensor<3xf32>, tensor<4xf32>, tensor<f32>, tensor<f32>
  return %r : tensor<3xf32>
}
