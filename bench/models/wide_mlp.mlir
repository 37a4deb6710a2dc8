// One size up from the seed: 784-1024-1024-10, relu, softmax, Adam (issue #18's
// wide MLP). bench/ measures it with mlc-step-bench.
mlc.model @wide_mlp {
  %x = mlc.input "image" : tensor<?x28x28xf32>
  %f = mlc.flatten %x : tensor<?x28x28xf32> -> tensor<?x784xf32>
  %h = mlc.dense %f {units = 1024, activation = #mlc.act<relu>} : tensor<?x784xf32> -> tensor<?x1024xf32>
  %h2 = mlc.dense %h {units = 1024, activation = #mlc.act<relu>} : tensor<?x1024xf32> -> tensor<?x1024xf32>
  %y = mlc.dense %h2 {units = 10, activation = #mlc.act<softmax>} : tensor<?x1024xf32> -> tensor<?x10xf32>
  mlc.output %y : tensor<?x10xf32>
} {loss = #mlc.loss<sparse_categorical_crossentropy>,
   optimizer = #mlc.adam<learning_rate = 1.0e-3>}
