mlc.model @twin {
  %x = mlc.input "x" : tensor<?x16xf32>
  %h1 = mlc.dense %x {units = 16, activation = #mlc.act<relu>} : tensor<?x16xf32> -> tensor<?x16xf32>
  %h2 = mlc.dense %h1 {units = 16, activation = #mlc.act<relu>} : tensor<?x16xf32> -> tensor<?x16xf32>
  %y = mlc.dense %h2 {units = 10, activation = #mlc.act<softmax>} : tensor<?x16xf32> -> tensor<?x10xf32>
  mlc.output %y : tensor<?x10xf32>
} {loss = #mlc.loss<sparse_categorical_crossentropy>,
   optimizer = #mlc.adam<learning_rate = 1.0e-3>}
