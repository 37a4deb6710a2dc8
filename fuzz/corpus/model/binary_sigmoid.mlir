// A binary classifier whose output is a sigmoid (probabilities).
mlc.model @binary {
  %x = mlc.input "x" : tensor<?x8xf32>
  %h = mlc.dense %x {units = 1} : tensor<?x8xf32> -> tensor<?x1xf32>
  %y = mlc.sigmoid %h : tensor<?x1xf32>
  mlc.output %y : tensor<?x1xf32>
} {loss = #mlc.loss<binary_crossentropy>, optimizer = #mlc.sgd}
