// Temporaries (here the packed panels of the first weight and the hidden
// layer) come from one caller-provided workspace: no allocation is
// left in the entry point, and @<entry>_workspace_bytes tells the caller
// how big the workspace must be for the given shapes.
// RUN: mlc-opt %s --mlc-graph-to-linalg --mlc-cpu-schedule --mlc-workspace | FileCheck %s
// RUN: mlc-opt %s --mlc-cpu | FileCheck %s --check-prefix=LLVM

// CHECK-LABEL: func.func @mnist_mlp_predict
// CHECK-SAME:    %[[X:[a-z0-9]+]]: memref<?x28x28xf32>, %{{.*}}: memref<?x10xf32>, %[[WS:[a-z0-9]+]]: memref<?xi8>)
// CHECK-NOT:     memref.alloc
// CHECK:         memref.view %[[WS]][%c0{{.*}}][] : memref<?xi8> to memref<4x784x32xf32>
// CHECK:         %[[B:.*]] = memref.dim %{{.*}}, %c0
// CHECK:         memref.view %[[WS]][%{{.*}}][%[[B]]] : memref<?xi8> to memref<?x128xf32>
// CHECK-NOT:     memref.alloc
// CHECK:         return
// CHECK:       func.func @mnist_mlp_predict_workspace_bytes(%{{.*}}: memref<784x128xf32>, %{{.*}}: memref<128xf32>, %{{.*}}: memref<128x10xf32>, %{{.*}}: memref<10xf32>, %[[X2:.*]]: memref<?x28x28xf32>, %{{.*}}: memref<?x10xf32>) -> index
// CHECK:         memref.dim %{{.*}}, %c0
// CHECK:         arith.muli
// CHECK:         return %{{.*}} : index

// LLVM-NOT: llvm.call @malloc
// LLVM-NOT: llvm.call @free
// LLVM: llvm.func @_mlir_ciface_mnist_mlp_predict_workspace_bytes
mlc.model @mnist_mlp {
  %x = mlc.input "image" : tensor<?x28x28xf32>
  %f = mlc.flatten %x : tensor<?x28x28xf32> -> tensor<?x784xf32>
  %h = mlc.dense %f {units = 128, activation = #mlc.act<relu>} : tensor<?x784xf32> -> tensor<?x128xf32>
  %y = mlc.dense %h {units = 10, activation = #mlc.act<softmax>} : tensor<?x128xf32> -> tensor<?x10xf32>
  mlc.output %y : tensor<?x10xf32>
}
