// Breast cancer Wisconsin (569 tumours, 30 features, malignant or
// benign): logistic regression, binary cross-entropy on the class names.
mlc.model @breast_cancer {
  %x = mlc.input "features" : tensor<?x30xf32>
  %y = mlc.dense %x {units = 1, activation = #mlc.act<sigmoid>} : tensor<?x30xf32> -> tensor<?x1xf32>
  mlc.output %y : tensor<?x1xf32>
} {loss = #mlc.loss<binary_crossentropy>,
   optimizer = #mlc.adam<learning_rate = 1.0e-2>}
