mlc.model @five_classes {
  %x = mlc.input "image" : tensor<?x28x28xf32>
  %f = mlc.flatten %x : tensor<?x28x28xf32> -> tensor<?x784xf32>
  %y = mlc.dense %f {units = 5, activation = #mlc.act<softmax>} : tensor<?x784xf32> -> tensor<?x5xf32>
  mlc.output %y : tensor<?x5xf32>
} {loss = #mlc.loss<sparse_categorical_crossentropy>, optimizer = #mlc.sgd}
