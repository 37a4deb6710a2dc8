// A 10-layer MLP (784-256x9-10, relu, softmax, Adam): issue #18's compile-time
// target for a deeper model (<= 1 s). bench/ measures it with mlc-step-bench.
mlc.model @deep_mlp {
  %x = mlc.input "image" : tensor<?x28x28xf32>
  %h0 = mlc.flatten %x : tensor<?x28x28xf32> -> tensor<?x784xf32>
  %h1 = mlc.dense %h0 {units = 256, activation = #mlc.act<relu>} : tensor<?x784xf32> -> tensor<?x256xf32>
  %h2 = mlc.dense %h1 {units = 256, activation = #mlc.act<relu>} : tensor<?x256xf32> -> tensor<?x256xf32>
  %h3 = mlc.dense %h2 {units = 256, activation = #mlc.act<relu>} : tensor<?x256xf32> -> tensor<?x256xf32>
  %h4 = mlc.dense %h3 {units = 256, activation = #mlc.act<relu>} : tensor<?x256xf32> -> tensor<?x256xf32>
  %h5 = mlc.dense %h4 {units = 256, activation = #mlc.act<relu>} : tensor<?x256xf32> -> tensor<?x256xf32>
  %h6 = mlc.dense %h5 {units = 256, activation = #mlc.act<relu>} : tensor<?x256xf32> -> tensor<?x256xf32>
  %h7 = mlc.dense %h6 {units = 256, activation = #mlc.act<relu>} : tensor<?x256xf32> -> tensor<?x256xf32>
  %h8 = mlc.dense %h7 {units = 256, activation = #mlc.act<relu>} : tensor<?x256xf32> -> tensor<?x256xf32>
  %h9 = mlc.dense %h8 {units = 256, activation = #mlc.act<relu>} : tensor<?x256xf32> -> tensor<?x256xf32>
  %y = mlc.dense %h9 {units = 10, activation = #mlc.act<softmax>} : tensor<?x256xf32> -> tensor<?x10xf32>
  mlc.output %y : tensor<?x10xf32>
} {loss = #mlc.loss<sparse_categorical_crossentropy>,
   optimizer = #mlc.adam<learning_rate = 1.0e-3>}
