mlc.model @bad {
  %x = mlc.input "image" : tensor<?x784xf32>
  mlc.param @w : tensor<128x10xf32> = #mlc.glorot_uniform
  %w = mlc.param_ref @w : tensor<128x10xf32>
  %y = mlc.matmul %x, %w : (tensor<?x784xf32>, tensor<128x10xf32>) -> tensor<?x10xf32>
  mlc.output %y : tensor<?x10xf32>
}
