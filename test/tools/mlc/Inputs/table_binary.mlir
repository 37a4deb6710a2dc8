// A small model of two features for data-tables.test.
mlc.model @table_binary {
  %x = mlc.input "features" : tensor<?x2xf32>
  %y = mlc.dense %x {units = 1, activation = #mlc.act<sigmoid>} : tensor<?x2xf32> -> tensor<?x1xf32>
  mlc.output %y : tensor<?x1xf32>
} {loss = #mlc.loss<binary_crossentropy>,
   optimizer = #mlc.adam<learning_rate = 5.0e-2>}
