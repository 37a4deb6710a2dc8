mlc.model @tiny {
  %x = mlc.input "x" : tensor<?x16xf32>
  %h = mlc.dense %x {units = 32, activation = #mlc.act<relu>} : tensor<?x16xf32> -> tensor<?x32xf32>
  %y = mlc.dense %h {units = 10, activation = #mlc.act<softmax>} : tensor<?x32xf32> -> tensor<?x10xf32>
  mlc.output %y : tensor<?x10xf32>
} {loss = #mlc.loss<sparse_categorical_crossentropy>,
   optimizer = #mlc.adam<learning_rate = 1.0e-3>}
