// The whole CPU pipeline on the seed model: only the LLVM dialect is left,
// with the C interface wrapper the JIT and AOT callers use.
// RUN: mlc-opt %s --mlc-cpu | FileCheck %s

// CHECK-NOT:   mlc.
// CHECK-NOT:   linalg.
// CHECK-NOT:   memref.
// CHECK:       llvm.func @mnist_mlp_predict(
// CHECK:       llvm.func @_mlir_ciface_mnist_mlp_predict(%{{.*}}: !llvm.ptr, %{{.*}}: !llvm.ptr, %{{.*}}: !llvm.ptr, %{{.*}}: !llvm.ptr, %{{.*}}: !llvm.ptr, %{{.*}}: !llvm.ptr)
mlc.model @mnist_mlp {
  %x = mlc.input "image" : tensor<?x28x28xf32>
  %f = mlc.flatten %x : tensor<?x28x28xf32> -> tensor<?x784xf32>
  %h = mlc.dense %f {units = 128, activation = #mlc.act<relu>} : tensor<?x784xf32> -> tensor<?x128xf32>
  %y = mlc.dense %h {units = 10, activation = #mlc.act<softmax>} : tensor<?x128xf32> -> tensor<?x10xf32>
  mlc.output %y : tensor<?x10xf32>
}
