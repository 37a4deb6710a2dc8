// A small model of two features for data-tables.test.
mlc.model @table_onehot {
  %x = mlc.input "features" : tensor<?x2xf32>
  %y = mlc.dense %x {units = 3, activation = #mlc.act<softmax>} : tensor<?x2xf32> -> tensor<?x3xf32>
  mlc.output %y : tensor<?x3xf32>
} {loss = #mlc.loss<categorical_crossentropy>,
   optimizer = #mlc.adam<learning_rate = 5.0e-2>}
