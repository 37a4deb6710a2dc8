mlc.model @other {
  %x = mlc.input "image" : tensor<?x28x28xf32>
  %f = mlc.flatten %x : tensor<?x28x28xf32> -> tensor<?x784xf32>
  %h = mlc.dense %f {units = 64, activation = #mlc.act<relu>} : tensor<?x784xf32> -> tensor<?x64xf32>
  %y = mlc.dense %h {units = 10, activation = #mlc.act<softmax>, name = "out"} : tensor<?x64xf32> -> tensor<?x10xf32>
  mlc.output %y : tensor<?x10xf32>
} {loss = #mlc.loss<sparse_categorical_crossentropy>, optimizer = #mlc.adam}
