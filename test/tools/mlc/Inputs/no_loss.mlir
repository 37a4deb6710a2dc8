mlc.model @plain {
  %x = mlc.input "x" : tensor<?x16xf32>
  %y = mlc.dense %x {units = 4, activation = #mlc.act<relu>} : tensor<?x16xf32> -> tensor<?x4xf32>
  mlc.output %y : tensor<?x4xf32>
}
