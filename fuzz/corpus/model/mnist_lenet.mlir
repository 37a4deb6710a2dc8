// A LeNet-5-style convnet with batch normalization and average pooling:
// Conv2D(6, 5x5, same) -> BatchNormalization -> relu -> AveragePooling2D(2)
// -> Conv2D(16, 5x5) -> BatchNormalization -> relu -> AveragePooling2D(2)
// -> Flatten -> Dense(120, relu) -> Dense(84, relu) -> Dense(10, softmax);
// Adam, batch 128. The convolutions have no bias: the batch norm's beta
// takes its place, as Keras models written this way do.
mlc.model @mnist_lenet {
  %x = mlc.input "image" : tensor<?x28x28x1xf32>
  %c1 = mlc.conv2d %x {filters = 6, kernel_size = array<i64: 5, 5>, padding = "same", use_bias = false} : tensor<?x28x28x1xf32> -> tensor<?x28x28x6xf32>
  %b1 = mlc.batch_norm %c1 : tensor<?x28x28x6xf32>
  %r1 = mlc.relu %b1 : tensor<?x28x28x6xf32>
  %p1 = mlc.avg_pool2d %r1 : tensor<?x28x28x6xf32> -> tensor<?x14x14x6xf32>
  %c2 = mlc.conv2d %p1 {filters = 16, kernel_size = array<i64: 5, 5>, use_bias = false} : tensor<?x14x14x6xf32> -> tensor<?x10x10x16xf32>
  %b2 = mlc.batch_norm %c2 : tensor<?x10x10x16xf32>
  %r2 = mlc.relu %b2 : tensor<?x10x10x16xf32>
  %p2 = mlc.avg_pool2d %r2 : tensor<?x10x10x16xf32> -> tensor<?x5x5x16xf32>
  %f = mlc.flatten %p2 : tensor<?x5x5x16xf32> -> tensor<?x400xf32>
  %h1 = mlc.dense %f {units = 120, activation = #mlc.act<relu>} : tensor<?x400xf32> -> tensor<?x120xf32>
  %h2 = mlc.dense %h1 {units = 84, activation = #mlc.act<relu>} : tensor<?x120xf32> -> tensor<?x84xf32>
  %y = mlc.dense %h2 {units = 10, activation = #mlc.act<softmax>} : tensor<?x84xf32> -> tensor<?x10xf32>
  mlc.output %y : tensor<?x10xf32>
} {loss = #mlc.loss<sparse_categorical_crossentropy>,
   optimizer = #mlc.adam<learning_rate = 1.0e-3>}
