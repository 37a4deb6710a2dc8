// Keras's "simple MNIST convnet" (keras.io/examples/vision/mnist_convnet):
// Conv2D(32, 3x3, relu) -> MaxPooling2D(2) -> Conv2D(64, 3x3, relu) ->
// MaxPooling2D(2) -> Flatten -> Dropout(0.5) -> Dense(10, softmax); Adam,
// batch 128 (`mlc train examples/mnist_cnn.mlir --batch-size=128`). Keras
// trains it on one-hot labels with categorical cross-entropy; with integer
// labels that is the sparse loss.
mlc.model @mnist_cnn {
  %x = mlc.input "image" : tensor<?x28x28x1xf32>
  %c1 = mlc.conv2d %x {filters = 32, kernel_size = array<i64: 3, 3>, activation = #mlc.act<relu>} : tensor<?x28x28x1xf32> -> tensor<?x26x26x32xf32>
  %p1 = mlc.max_pool2d %c1 : tensor<?x26x26x32xf32> -> tensor<?x13x13x32xf32>
  %c2 = mlc.conv2d %p1 {filters = 64, kernel_size = array<i64: 3, 3>, activation = #mlc.act<relu>} : tensor<?x13x13x32xf32> -> tensor<?x11x11x64xf32>
  %p2 = mlc.max_pool2d %c2 : tensor<?x11x11x64xf32> -> tensor<?x5x5x64xf32>
  %f = mlc.flatten %p2 : tensor<?x5x5x64xf32> -> tensor<?x1600xf32>
  %d = mlc.dropout %f {rate = 0.5} : tensor<?x1600xf32>
  %y = mlc.dense %d {units = 10, activation = #mlc.act<softmax>} : tensor<?x1600xf32> -> tensor<?x10xf32>
  mlc.output %y : tensor<?x10xf32>
} {loss = #mlc.loss<sparse_categorical_crossentropy>,
   optimizer = #mlc.adam<learning_rate = 1.0e-3>}
