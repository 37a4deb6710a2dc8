// A layer too large for any machine: 784 x 2^40 floats.
mlc.model @mnist_mlp {
  %x = mlc.input "image" : tensor<?x28x28xf32>
  %f = mlc.flatten %x : tensor<?x28x28xf32> -> tensor<?x784xf32>
  %h = mlc.dense %f {units = 1099511627776, activation = #mlc.act<relu>} : tensor<?x784xf32> -> tensor<?x1099511627776xf32>
  %y = mlc.dense %h {units = 10, activation = #mlc.act<softmax>} : tensor<?x1099511627776xf32> -> tensor<?x10xf32>
  mlc.output %y : tensor<?x10xf32>
} {loss = #mlc.loss<sparse_categorical_crossentropy>,
   optimizer = #mlc.adam<learning_rate = 1.0e-3>}
