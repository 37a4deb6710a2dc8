// RUN: mlc-opt %s --canonicalize --split-input-file | FileCheck %s

// CHECK-LABEL: mlc.model @reshape_chain
// CHECK-NEXT:    %[[X:.*]] = mlc.input
// CHECK-NEXT:    %[[R:.*]] = mlc.reshape %[[X]] : tensor<?x28x28xf32> -> tensor<?x784xf32>
// CHECK-NEXT:    mlc.output %[[R]], %[[X]]
mlc.model @reshape_chain {
  %x = mlc.input "x" : tensor<?x28x28xf32>
  %a = mlc.reshape %x : tensor<?x28x28xf32> -> tensor<?x14x56xf32>
  %b = mlc.reshape %a : tensor<?x14x56xf32> -> tensor<?x784xf32>
  %c = mlc.reshape %x : tensor<?x28x28xf32> -> tensor<?x28x28xf32>
  mlc.output %b, %c : tensor<?x784xf32>, tensor<?x28x28xf32>
}

// -----

// CHECK-LABEL: mlc.model @flatten_then_reshape
// CHECK-NEXT:    %[[X:.*]] = mlc.input
// CHECK-NEXT:    %[[R:.*]] = mlc.reshape %[[X]] : tensor<?x4x4xf32> -> tensor<?x2x8xf32>
// CHECK-NEXT:    mlc.output %[[R]], %[[X]]
mlc.model @flatten_then_reshape {
  %x = mlc.input "x" : tensor<?x4x4xf32>
  %f = mlc.flatten %x : tensor<?x4x4xf32> -> tensor<?x16xf32>
  %r = mlc.reshape %f : tensor<?x16xf32> -> tensor<?x2x8xf32>
  %g = mlc.flatten %x : tensor<?x4x4xf32> -> tensor<?x16xf32>
  %back = mlc.reshape %g : tensor<?x16xf32> -> tensor<?x4x4xf32>
  mlc.output %r, %back : tensor<?x2x8xf32>, tensor<?x4x4xf32>
}

// -----

// CHECK-LABEL: mlc.model @transposes
// CHECK-NEXT:    %[[X:.*]] = mlc.input
// CHECK-NEXT:    %[[T:.*]] = mlc.transpose %[[X]] perm = [2, 0, 1] : tensor<2x3x4xf32> -> tensor<4x2x3xf32>
// CHECK-NEXT:    mlc.output %[[X]], %[[T]], %[[X]]
mlc.model @transposes {
  %x = mlc.input "x" : tensor<2x3x4xf32>
  %a = mlc.transpose %x perm = [1, 0, 2] : tensor<2x3x4xf32> -> tensor<3x2x4xf32>
  %b = mlc.transpose %a perm = [1, 0, 2] : tensor<3x2x4xf32> -> tensor<2x3x4xf32>
  %c = mlc.transpose %a perm = [2, 1, 0] : tensor<3x2x4xf32> -> tensor<4x2x3xf32>
  %d = mlc.transpose %x perm = [0, 1, 2] : tensor<2x3x4xf32> -> tensor<2x3x4xf32>
  mlc.output %b, %c, %d : tensor<2x3x4xf32>, tensor<4x2x3xf32>, tensor<2x3x4xf32>
}

// -----

// CHECK-LABEL: mlc.model @neg_neg
// CHECK-NEXT:    %[[X:.*]] = mlc.input
// CHECK-NEXT:    mlc.output %[[X]]
mlc.model @neg_neg {
  %x = mlc.input "x" : tensor<?x4xf32>
  %a = mlc.neg %x : tensor<?x4xf32>
  %b = mlc.neg %a : tensor<?x4xf32>
  mlc.output %b : tensor<?x4xf32>
}

// -----

// CHECK-LABEL: mlc.model @constants
// CHECK-DAG:     %[[R:.*]] = mlc.constant dense<{{\[}}[1.000000e+00, 2.000000e+00], [3.000000e+00, 4.000000e+00]]> : tensor<2x2xf32>
// CHECK-DAG:     %[[B:.*]] = mlc.constant dense<5.000000e-01> : tensor<3x4xf32>
// CHECK:         mlc.output %[[R]], %[[B]]
mlc.model @constants {
  %c = mlc.constant dense<[1.0, 2.0, 3.0, 4.0]> : tensor<4xf32>
  %r = mlc.reshape %c : tensor<4xf32> -> tensor<2x2xf32>
  %s = mlc.constant dense<0.5> : tensor<4xf32>
  %b = mlc.broadcast_to %s : tensor<4xf32> -> tensor<3x4xf32>
  mlc.output %r, %b : tensor<2x2xf32>, tensor<3x4xf32>
}

// -----

// CHECK-LABEL: mlc.model @broadcast_identity
// CHECK-NEXT:    %[[X:.*]] = mlc.input
// CHECK-NEXT:    mlc.output %[[X]]
mlc.model @broadcast_identity {
  %x = mlc.input "x" : tensor<?x4xf32>
  %b = mlc.broadcast_to %x : tensor<?x4xf32> -> tensor<?x4xf32>
  mlc.output %b : tensor<?x4xf32>
}
