// mlc-gpu-prepare-loops: copies become linalg.copy (a kernel, not a host
// runtime call), and reductions move inside the parallel dimensions, so a
// column sum over the batch is one launch with a loop per thread rather
// than one launch per row.
// RUN: mlc-opt %s --split-input-file --pass-pipeline='builtin.module(func.func(mlc-gpu-prepare-loops))' | FileCheck %s
// RUN: mlc-opt %s --split-input-file --pass-pipeline='builtin.module(func.func(mlc-gpu-prepare-loops,convert-linalg-to-parallel-loops))' | FileCheck %s --check-prefix=LOOPS

// CHECK-LABEL: func.func @copy
// CHECK-NOT:     memref.copy
// CHECK:         linalg.copy ins(%{{.*}} : memref<?x10xf32>) outs(%{{.*}} : memref<?x10xf32>)
func.func @copy(%a: memref<?x10xf32>, %b: memref<?x10xf32>) {
  memref.copy %a, %b : memref<?x10xf32> to memref<?x10xf32>
  return
}

// -----

// The bias gradient: a sum over rows (dimension 0).
// CHECK-LABEL: func.func @column_sum
// CHECK:         linalg.generic
// CHECK-SAME:      iterator_types = ["parallel", "reduction"]
// LOOPS-LABEL: func.func @column_sum
// LOOPS:         scf.parallel (%[[J:.*]]) = (%c0) to (%c128) step (%c1) {
// LOOPS-NEXT:      scf.for %[[I:.*]] = %c0 to %{{.*}} step %c1 {
// LOOPS:             memref.load %{{.*}}[%[[I]], %[[J]]]
// LOOPS-NOT:     scf.parallel
func.func @column_sum(%dz: memref<?x128xf32>, %db: memref<128xf32>) {
  linalg.reduce ins(%dz : memref<?x128xf32>) outs(%db : memref<128xf32>) dimensions = [0]
    (%in: f32, %acc: f32) {
      %s = arith.addf %in, %acc : f32
      linalg.yield %s : f32
    }
  return
}

// -----

// A generic with its reduction first (x^T dz, as autodiff writes it).
#lhs = affine_map<(k, i, j) -> (k, i)>
#rhs = affine_map<(k, i, j) -> (k, j)>
#out = affine_map<(k, i, j) -> (i, j)>
// CHECK-LABEL: func.func @weight_gradient
// CHECK:         linalg.generic
// CHECK-SAME:      iterator_types = ["parallel", "parallel", "reduction"]
// LOOPS-LABEL: func.func @weight_gradient
// LOOPS:         scf.parallel (%{{.*}}, %{{.*}}) = (%c0, %c0) to (%c784, %c128)
// LOOPS-NEXT:      scf.for
func.func @weight_gradient(%x: memref<?x784xf32>, %dz: memref<?x128xf32>, %dw: memref<784x128xf32>) {
  linalg.generic {indexing_maps = [#lhs, #rhs, #out],
                  iterator_types = ["reduction", "parallel", "parallel"]}
      ins(%x, %dz : memref<?x784xf32>, memref<?x128xf32>) outs(%dw : memref<784x128xf32>) {
  ^bb0(%a: f32, %b: f32, %c: f32):
    %p = arith.mulf %a, %b : f32
    %s = arith.addf %c, %p : f32
    linalg.yield %s : f32
  }
  return
}

// -----

// Already in order: left alone.
// CHECK-LABEL: func.func @matmul
// CHECK-NEXT:    linalg.matmul
func.func @matmul(%a: memref<?x784xf32>, %b: memref<784x128xf32>, %c: memref<?x128xf32>) {
  linalg.matmul ins(%a, %b : memref<?x784xf32>, memref<784x128xf32>) outs(%c : memref<?x128xf32>)
  return
}
