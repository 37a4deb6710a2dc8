// mlc-cpu-schedule bufferizes each function on its own thread. A tensor
// constant becomes a module global (a symbol) when bufferized, so the
// schedule makes the globals first, in module order: the functions then
// only read them. The result is what bufferizing the module at once gave:
// the same value in two functions is one global, read by both, threaded
// or not. (The race itself is not deterministic; this checks the output.)
// RUN: mlc-opt %s --mlc-cpu-schedule="vector-bits=256" | FileCheck %s
// RUN: mlc-opt %s --mlir-disable-threading --mlc-cpu-schedule="vector-bits=256" | FileCheck %s

// CHECK:       memref.global "private" constant @__constant_8xf32 : memref<8xf32> = dense<[1.000000e+00, 2.000000e+00, 3.000000e+00, 4.000000e+00, 5.000000e+00, 6.000000e+00, 7.000000e+00, 8.000000e+00]> {alignment = 64 : i64}
// CHECK-NOT:   memref.global
// CHECK-LABEL: func.func @first
// CHECK:         memref.get_global @__constant_8xf32 : memref<8xf32>
// CHECK-LABEL: func.func @second
// CHECK:         memref.get_global @__constant_8xf32 : memref<8xf32>
#map = affine_map<(d0, d1) -> (d0, d1)>
#bias = affine_map<(d0, d1) -> (d1)>
func.func @first(%x: memref<?x8xf32>, %y: memref<?x8xf32>) {
  %c0 = arith.constant 0 : index
  %b = arith.constant dense<[1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0, 8.0]> : tensor<8xf32>
  %t = bufferization.to_tensor %x restrict : memref<?x8xf32> to tensor<?x8xf32>
  %n = tensor.dim %t, %c0 : tensor<?x8xf32>
  %e = tensor.empty(%n) : tensor<?x8xf32>
  %r = linalg.generic {indexing_maps = [#map, #bias, #map], iterator_types = ["parallel", "parallel"]} ins(%t, %b : tensor<?x8xf32>, tensor<8xf32>) outs(%e : tensor<?x8xf32>) {
  ^bb0(%in: f32, %bi: f32, %out: f32):
    %s = arith.addf %in, %bi : f32
    linalg.yield %s : f32
  } -> tensor<?x8xf32>
  bufferization.materialize_in_destination %r in restrict writable %y : (tensor<?x8xf32>, memref<?x8xf32>) -> ()
  return
}
func.func @second(%x: memref<?x8xf32>, %y: memref<?x8xf32>) {
  %c0 = arith.constant 0 : index
  %b = arith.constant dense<[1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0, 8.0]> : tensor<8xf32>
  %t = bufferization.to_tensor %x restrict : memref<?x8xf32> to tensor<?x8xf32>
  %n = tensor.dim %t, %c0 : tensor<?x8xf32>
  %e = tensor.empty(%n) : tensor<?x8xf32>
  %r = linalg.generic {indexing_maps = [#map, #bias, #map], iterator_types = ["parallel", "parallel"]} ins(%t, %b : tensor<?x8xf32>, tensor<8xf32>) outs(%e : tensor<?x8xf32>) {
  ^bb0(%in: f32, %bi: f32, %out: f32):
    %s = arith.mulf %in, %bi : f32
    linalg.yield %s : f32
  } -> tensor<?x8xf32>
  bufferization.materialize_in_destination %r in restrict writable %y : (tensor<?x8xf32>, memref<?x8xf32>) -> ()
  return
}
