// Names that try to end the generated header's comment, and one with a
// trigraph ("??/" is a backslash under -std=c11), a control character and
// a quote, which the C string tables must carry intact.
mlc.model @names {
  %x = mlc.input "image */ typedef float names_state; /*" : tensor<?x4xf32>
  mlc.param @"w */ typedef int names_state; /*" : tensor<4x3xf32> = #mlc.zeros
  %w = mlc.param_ref @"w */ typedef int names_state; /*" : tensor<4x3xf32>
  mlc.param @"b??/\01\22" : tensor<3xf32> = #mlc.zeros
  %b = mlc.param_ref @"b??/\01\22" : tensor<3xf32>
  %z = mlc.matmul %x, %w : (tensor<?x4xf32>, tensor<4x3xf32>) -> tensor<?x3xf32>
  %y = mlc.add %z, %b : (tensor<?x3xf32>, tensor<3xf32>) -> tensor<?x3xf32>
  mlc.output %y : tensor<?x3xf32>
} {loss = #mlc.loss<sparse_categorical_crossentropy>, optimizer = #mlc.sgd<learning_rate = 0.01>}
