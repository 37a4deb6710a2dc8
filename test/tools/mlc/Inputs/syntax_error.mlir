mlc.model @oops {
  %x = mlc.input "image" : tensor<?x28x28xf32>
  %f = mlc.flatten %x : tensor<?x28x28xf32> -> 
  mlc.output %f : tensor<?x784xf32>
}
