// Wine (178 wines, 13 chemical measurements, 3 cultivars): one-hot
// targets from the class column, categorical cross-entropy.
mlc.model @wine {
  %x = mlc.input "measurements" : tensor<?x13xf32>
  %h = mlc.dense %x {units = 16, activation = #mlc.act<relu>} : tensor<?x13xf32> -> tensor<?x16xf32>
  %y = mlc.dense %h {units = 3, activation = #mlc.act<softmax>} : tensor<?x16xf32> -> tensor<?x3xf32>
  mlc.output %y : tensor<?x3xf32>
} {loss = #mlc.loss<categorical_crossentropy>,
   optimizer = #mlc.adam<learning_rate = 1.0e-2>}
