// An output with more than one row of scores per sample: mlc train reads
// one class label per sample, so it can't train this.
mlc.model @rank3 {
  %x = mlc.input "image" : tensor<?x28x28xf32>
  %f = mlc.flatten %x : tensor<?x28x28xf32> -> tensor<?x784xf32>
  %h = mlc.dense %f {units = 40} : tensor<?x784xf32> -> tensor<?x40xf32>
  %y = mlc.reshape %h : tensor<?x40xf32> -> tensor<?x4x10xf32>
  mlc.output %y : tensor<?x4x10xf32>
} {loss = #mlc.loss<sparse_categorical_crossentropy>,
   optimizer = #mlc.sgd<learning_rate = 0.01>}
