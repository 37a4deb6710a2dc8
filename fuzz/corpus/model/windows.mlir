mlc.model @windows {
  %x = mlc.input "x" : tensor<?x9x8x3xf32>
  %a = mlc.depthwise_conv2d %x {kernel_size = array<i64: 3, 2>, depth_multiplier = 2, strides = array<i64: 2, 1>, padding = "same"} : tensor<?x9x8x3xf32> -> tensor<?x5x8x6xf32>
  %b = mlc.avg_pool2d %a {pool_size = array<i64: 3, 3>, strides = array<i64: 2, 2>, padding = "same"} : tensor<?x5x8x6xf32> -> tensor<?x3x4x6xf32>
  %c = mlc.conv2d %b {filters = 4, kernel_size = array<i64: 2, 2>, dilation_rate = array<i64: 1, 2>, padding = "same"} : tensor<?x3x4x6xf32> -> tensor<?x3x4x4xf32>
  %d = mlc.batch_norm %c {momentum = 0.9} : tensor<?x3x4x4xf32>
  %e = mlc.max_pool2d %d {pool_size = array<i64: 2, 2>, strides = array<i64: 1, 1>} : tensor<?x3x4x4xf32> -> tensor<?x2x3x4xf32>
  %f = mlc.global_avg_pool2d %e : tensor<?x2x3x4xf32> -> tensor<?x4xf32>
  %g = mlc.dropout %f {rate = 0.25} : tensor<?x4xf32>
  mlc.output %g : tensor<?x4xf32>
} {loss = #mlc.loss<mse>, optimizer = #mlc.adam}
