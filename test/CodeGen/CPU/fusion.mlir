// Elementwise chains after a matmul fuse into one loop nest on tensors: the
// bias add and the relu of a dense layer become a single linalg.generic.
// RUN: mlc-opt %s --mlc-graph-to-linalg | FileCheck %s

// CHECK-LABEL: func.func @dense_relu_predict
// CHECK:         %[[MM:.*]] = linalg.matmul
// CHECK-NEXT:    %[[EW:.*]] = linalg.generic {{.*}} ins(%[[MM]], %{{.*}} : tensor<?x128xf32>, tensor<128xf32>)
// CHECK-NEXT:    ^bb0
// CHECK-NEXT:      arith.addf
// CHECK-NEXT:      arith.maximumf
// CHECK-NEXT:      linalg.yield
// CHECK-NEXT:    } -> tensor<?x128xf32>
// CHECK-NEXT:    bufferization.materialize_in_destination %[[EW]]
mlc.model @dense_relu {
  %x = mlc.input "x" : tensor<?x784xf32>
  %h = mlc.dense %x {units = 128, activation = #mlc.act<relu>} : tensor<?x784xf32> -> tensor<?x128xf32>
  mlc.output %h : tensor<?x128xf32>
}
