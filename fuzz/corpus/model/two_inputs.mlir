mlc.model @two {
  %a = mlc.input "a" : tensor<?x4xf32>
  %b = mlc.input "b" : tensor<?x4xf32>
  %y = mlc.add %a, %b : (tensor<?x4xf32>, tensor<?x4xf32>) -> tensor<?x4xf32>
  mlc.output %y : tensor<?x4xf32>
}
