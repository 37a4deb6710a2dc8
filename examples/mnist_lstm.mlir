// MNIST as a sequence: each image is 28 time steps of one 28-pixel row.
// LSTM(128) -> Dense(10, softmax), Adam 1e-3, sparse categorical
// cross-entropy (Keras's defaults: tanh / sigmoid, orthogonal recurrent
// kernel, unit forget bias).
mlc.model @mnist_lstm {
  %x = mlc.input "image" : tensor<?x28x28xf32>
  %h = mlc.lstm %x {units = 128} : tensor<?x28x28xf32> -> tensor<?x128xf32>
  %y = mlc.dense %h {units = 10, activation = #mlc.act<softmax>} : tensor<?x128xf32> -> tensor<?x10xf32>
  mlc.output %y : tensor<?x10xf32>
} {loss = #mlc.loss<sparse_categorical_crossentropy>,
   optimizer = #mlc.adam<learning_rate = 1.0e-3>}
