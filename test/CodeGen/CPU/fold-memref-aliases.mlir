// RUN: mlc-opt %s --mlc-fold-memref-aliases --split-input-file | FileCheck %s

// Accesses through an expand_shape of a rank-0 memref (a keepdims reduction
// to 1x1) become scalar accesses of the rank-0 memref; upstream's fold alone
// would make a vector.load of memref<f32>, which does not verify.

// CHECK-LABEL: func.func @load_store
// CHECK-SAME: (%[[A:.*]]: memref<f32>, %[[B:.*]]: memref<f32>)
// CHECK: %[[S:.*]] = memref.load %[[A]][] : memref<f32>
// CHECK: %[[V:.*]] = vector.broadcast %[[S]] : f32 to vector<1xf32>
// CHECK: %[[R:.*]] = arith.addf %[[V]], %[[V]]
// CHECK: %[[E:.*]] = vector.extract %[[R]][0] : f32 from vector<1xf32>
// CHECK: memref.store %[[E]], %[[B]][] : memref<f32>
// CHECK-NOT: vector.load
// CHECK-NOT: vector.store
func.func @load_store(%a: memref<f32>, %b: memref<f32>) {
  %c0 = arith.constant 0 : index
  %ea = memref.expand_shape %a [] output_shape [1, 1] : memref<f32> into memref<1x1xf32>
  %eb = memref.expand_shape %b [] output_shape [1, 1] : memref<f32> into memref<1x1xf32>
  %v = vector.load %ea[%c0, %c0] : memref<1x1xf32>, vector<1xf32>
  %r = arith.addf %v, %v : vector<1xf32>
  vector.store %r, %eb[%c0, %c0] : memref<1x1xf32>, vector<1xf32>
  return
}

// -----

// Masked: the load selects by the mask; the store happens only when the
// mask's single lane is set.

// CHECK-LABEL: func.func @masked
// CHECK-SAME: (%[[A:.*]]: memref<f32>, %[[M:.*]]: vector<1xi1>, %[[P:.*]]: vector<1xf32>)
// CHECK: %[[S:.*]] = memref.load %[[A]][] : memref<f32>
// CHECK: %[[V:.*]] = vector.broadcast %[[S]] : f32 to vector<1xf32>
// CHECK: %[[L:.*]] = arith.select %[[M]], %[[V]], %[[P]] : vector<1xi1>, vector<1xf32>
// CHECK: %[[ON:.*]] = vector.extract %[[M]][0] : i1 from vector<1xi1>
// CHECK: %[[E:.*]] = vector.extract %[[L]][0] : f32 from vector<1xf32>
// CHECK: scf.if %[[ON]] {
// CHECK-NEXT: memref.store %[[E]], %[[A]][] : memref<f32>
func.func @masked(%a: memref<f32>, %m: vector<1xi1>, %p: vector<1xf32>) {
  %c0 = arith.constant 0 : index
  %e = memref.expand_shape %a [] output_shape [1, 1] : memref<f32> into memref<1x1xf32>
  %v = vector.maskedload %e[%c0, %c0], %m, %p : memref<1x1xf32>, vector<1xi1>, vector<1xf32> into vector<1xf32>
  vector.maskedstore %e[%c0, %c0], %m, %v : memref<1x1xf32>, vector<1xi1>, vector<1xf32>
  return
}

// -----

// Everything else is upstream's fold: an expand_shape of a rank-1 memref
// folds into index arithmetic on the source.

// CHECK-LABEL: func.func @upstream
// CHECK-SAME: (%[[A:.*]]: memref<8xf32>, %[[I:.*]]: index)
// CHECK: %[[IDX:.*]] = affine.linearize_index [%[[I]], %{{.*}}] by (2, 4)
// CHECK: vector.load %[[A]][%[[IDX]]] : memref<8xf32>, vector<4xf32>
func.func @upstream(%a: memref<8xf32>, %i: index) -> vector<4xf32> {
  %c0 = arith.constant 0 : index
  %e = memref.expand_shape %a [[0, 1]] output_shape [2, 4] : memref<8xf32> into memref<2x4xf32>
  %v = vector.load %e[%i, %c0] : memref<2x4xf32>, vector<4xf32>
  return %v : vector<4xf32>
}
