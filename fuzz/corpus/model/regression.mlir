mlc.model @reg {
  %x = mlc.input "x" : tensor<?x16xf32>
  %y = mlc.dense %x {units = 4} : tensor<?x16xf32> -> tensor<?x4xf32>
  mlc.output %y : tensor<?x4xf32>
} {loss = #mlc.loss<mse>, optimizer = #mlc.sgd<learning_rate = 0.1>}
