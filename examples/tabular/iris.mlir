// Iris (150 flowers, 4 measurements, 3 species by name): a small MLP.
// Data: scripts/tabular.sh writes iris/train.csv and test.csv from the
// copy Debian's python3-sklearn ships; train with
//   mlc train examples/tabular/iris.mlir --data train.csv \
//     --test-data test.csv --normalize standardize --epochs 100 --batch-size 16
mlc.model @iris {
  %x = mlc.input "measurements" : tensor<?x4xf32>
  %h = mlc.dense %x {units = 16, activation = #mlc.act<relu>} : tensor<?x4xf32> -> tensor<?x16xf32>
  %y = mlc.dense %h {units = 3, activation = #mlc.act<softmax>} : tensor<?x16xf32> -> tensor<?x3xf32>
  mlc.output %y : tensor<?x3xf32>
} {loss = #mlc.loss<sparse_categorical_crossentropy>,
   optimizer = #mlc.adam<learning_rate = 1.0e-2>}
