// Diabetes (442 patients, 10 baseline variables, disease progression after
// a year): linear regression by mean squared error, as scikit-learn's
// LinearRegression fits it in closed form.
mlc.model @diabetes {
  %x = mlc.input "baseline" : tensor<?x10xf32>
  %y = mlc.dense %x {units = 1} : tensor<?x10xf32> -> tensor<?x1xf32>
  mlc.output %y : tensor<?x1xf32>
} {loss = #mlc.loss<mse>,
   optimizer = #mlc.sgd<learning_rate = 5.0e-2>}
