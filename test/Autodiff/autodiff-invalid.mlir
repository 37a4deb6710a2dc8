// RUN: mlc-opt %s --mlc-autodiff -verify-diagnostics

mlc.model @no_rule {
  %a = mlc.input "a" : tensor<?x4xf32>
  // expected-error @+1 {{'mlc.equal' op has no gradient rule, but the loss differentiated at}}
  %c = mlc.equal %a, %a : (tensor<?x4xf32>, tensor<?x4xf32>) -> tensor<?x4xf32>
  %l = mlc.reduce_sum %c axes = [] : tensor<?x4xf32> -> tensor<f32>
  %g = mlc.gradient %l wrt %a : tensor<f32>, tensor<?x4xf32>
  mlc.output %g : tensor<?x4xf32>
}
