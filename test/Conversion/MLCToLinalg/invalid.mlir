// Ops that cannot be lowered are reported at their own location with why.
// RUN: mlc-opt %s --mlc-to-linalg --split-input-file -verify-diagnostics

func.func @layer(%x: tensor<?x4xf32>) -> tensor<?x2xf32> {
  // expected-error @+1 {{'mlc.dense' op is a layer and cannot be lowered directly; run mlc-materialize-params first}}
  %r = mlc.dense %x {units = 2} : tensor<?x4xf32> -> tensor<?x2xf32>
  return %r : tensor<?x2xf32>
}

// -----

func.func @broadcast_dynamic(%x: tensor<4xf32>) -> tensor<?x4xf32> {
  // expected-error @+1 {{'mlc.broadcast_to' op cannot be lowered: result 'tensor<?x4xf32>' has dynamic dimensions the input does not give}}
  %r = mlc.broadcast_to %x : tensor<4xf32> -> tensor<?x4xf32>
  return %r : tensor<?x4xf32>
}
