// RUN: mlc-opt %s --mlc-materialize-params --split-input-file -verify-diagnostics

mlc.model @duplicate_layer_name {
  %x = mlc.input "x" : tensor<?x8xf32>
  %a = mlc.dense %x {units = 4, name = "fc"} : tensor<?x8xf32> -> tensor<?x4xf32>
  // expected-error @+1 {{'mlc.dense' op layer name "fc" is already used by the layer at}}
  %b = mlc.dense %a {units = 4, name = "fc"} : tensor<?x4xf32> -> tensor<?x4xf32>
  mlc.output %b : tensor<?x4xf32>
}

// -----

mlc.model @param_clash {
  %x = mlc.input "x" : tensor<?x8xf32>
  mlc.param @fc.bias : tensor<4xf32> = #mlc.zeros
  // expected-error @+1 {{'mlc.dense' op layer "fc" would define param @fc.bias, which is already declared at}}
  %a = mlc.dense %x {units = 4, name = "fc"} : tensor<?x8xf32> -> tensor<?x4xf32>
  mlc.output %a : tensor<?x4xf32>
}
