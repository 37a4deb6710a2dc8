// RUN: mlc-opt %s --mlc-build-entry-points -verify-diagnostics

mlc.model @m {
  %x = mlc.input "x" : tensor<?x4xf32>
  // expected-error @+1 {{'mlc.dense' op is a layer; run mlc-materialize-params before mlc-build-entry-points}}
  %d = mlc.dense %x {units = 2} : tensor<?x4xf32> -> tensor<?x2xf32>
  mlc.output %d : tensor<?x2xf32>
}
