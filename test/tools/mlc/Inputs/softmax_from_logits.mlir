// from_logits on a softmax output: an error at the model.
mlc.model @softmax_logits {
  %x = mlc.input "x" : tensor<?x8xf32>
  %y = mlc.dense %x {units = 3, activation = #mlc.act<softmax>} : tensor<?x8xf32> -> tensor<?x3xf32>
  mlc.output %y : tensor<?x3xf32>
} {loss = #mlc.loss<sparse_categorical_crossentropy, from_logits = true>,
   optimizer = #mlc.sgd}
