// mlc-gpu-tile-matmuls: a matrix product on buffers becomes a gpu.launch
// over 16 x 16 output tiles, x along columns; K is walked in steps of 16
// through two workgroup-memory tiles loaded with zeros past the edges,
// between barriers, with the accumulator in a register. Operands read
// transposed (as autodiff writes x^T dz) are loaded transposed.
// RUN: mlc-opt %s --split-input-file --pass-pipeline='builtin.module(func.func(mlc-gpu-tile-matmuls))' | FileCheck %s

// CHECK-LABEL: func.func @matmul(
// CHECK-SAME:    %[[A:.*]]: memref<?x784xf32>, %[[B:.*]]: memref<784x128xf32>, %[[C:.*]]: memref<?x128xf32>)
// CHECK-NOT:     linalg.matmul
// CHECK-DAG:     %[[M:.*]] = memref.dim %[[C]], %c0
// CHECK-DAG:     %[[N:.*]] = memref.dim %[[C]], %c1
// CHECK-DAG:     %[[K:.*]] = memref.dim %[[A]], %c1
// CHECK:         gpu.launch blocks(%[[BX:.*]], %[[BY:.*]], %{{.*}}) in (%{{.*}} = %[[GX:.*]], %{{.*}} = %[[GY:.*]], %{{.*}} = %c1{{.*}}) threads(%[[TX:.*]], %[[TY:.*]], %{{.*}}) in (%{{.*}} = %c16{{.*}}, %{{.*}} = %c16{{.*}}, %{{.*}} = %c1{{.*}}) workgroup(%[[AT:.*]] : memref<16x16xf32, #gpu.address_space<workgroup>>, %[[BT:.*]] : memref<16x16xf32, #gpu.address_space<workgroup>>)
// CHECK:           %[[ROW:.*]] = arith.addi %{{.*}}, %[[TY]]
// CHECK:           %[[COL:.*]] = arith.addi %{{.*}}, %[[TX]]
// CHECK:           %[[ACC:.*]] = scf.for %[[K0:.*]] = %{{.*}} to %[[K]] step %{{.*}} iter_args(%[[SUM:.*]] = %{{.*}}) -> (f32) {
// CHECK:             %[[KA:.*]] = arith.addi %[[K0]], %[[TX]]
// CHECK:             %[[KB:.*]] = arith.addi %[[K0]], %[[TY]]
// CHECK:             scf.if
// CHECK-NEXT:          memref.load %[[A]][%[[ROW]], %[[KA]]]
// CHECK:             } else {
// CHECK-NEXT:          scf.yield %cst
// CHECK:             memref.store %{{.*}}, %[[AT]][%[[TY]], %[[TX]]]
// CHECK:             scf.if
// CHECK-NEXT:          memref.load %[[B]][%[[KB]], %[[COL]]]
// CHECK:             memref.store %{{.*}}, %[[BT]][%[[TY]], %[[TX]]]
// CHECK-NEXT:        gpu.barrier
// CHECK-NEXT:        %[[PART:.*]] = scf.for %[[KK:.*]] = %{{.*}} to %{{.*}} step %{{.*}} iter_args(%[[S:.*]] = %[[SUM]]) -> (f32) {
// CHECK-NEXT:          %[[X:.*]] = memref.load %[[AT]][%[[TY]], %[[KK]]]
// CHECK-NEXT:          %[[Y:.*]] = memref.load %[[BT]][%[[KK]], %[[TX]]]
// CHECK-NEXT:          %[[P:.*]] = arith.mulf %[[X]], %[[Y]]
// CHECK-NEXT:          %[[NEXT:.*]] = arith.addf %[[S]], %[[P]]
// CHECK-NEXT:          scf.yield %[[NEXT]]
// CHECK:             gpu.barrier
// CHECK-NEXT:        scf.yield %[[PART]]
// CHECK:           scf.if
// CHECK-NEXT:        %[[OLD:.*]] = memref.load %[[C]][%[[ROW]], %[[COL]]]
// CHECK-NEXT:        %[[NEW:.*]] = arith.addf %[[OLD]], %[[ACC]]
// CHECK-NEXT:        memref.store %[[NEW]], %[[C]][%[[ROW]], %[[COL]]]
// CHECK:           gpu.terminator
func.func @matmul(%a: memref<?x784xf32>, %b: memref<784x128xf32>, %c: memref<?x128xf32>) {
  linalg.matmul ins(%a, %b : memref<?x784xf32>, memref<784x128xf32>) outs(%c : memref<?x128xf32>)
  return
}

// -----

// x^T dz as a generic: x is read x[k, i], and K is the batch.
#xt = affine_map<(i, j, k) -> (k, i)>
#dz = affine_map<(i, j, k) -> (k, j)>
#out = affine_map<(i, j, k) -> (i, j)>
// CHECK-LABEL: func.func @weight_gradient(
// CHECK-SAME:    %[[X:.*]]: memref<?x784xf32>, %[[DZ:.*]]: memref<?x128xf32>
// CHECK:         %[[K:.*]] = memref.dim %[[X]], %c0
// CHECK:         gpu.launch
// CHECK:           scf.for %[[K0:.*]] = %{{.*}} to %[[K]]
// CHECK:             %[[KA:.*]] = arith.addi %[[K0]], %{{.*}}
// CHECK:             memref.load %[[X]][%[[KA]], %{{.*}}]
func.func @weight_gradient(%x: memref<?x784xf32>, %dz: memref<?x128xf32>, %dw: memref<784x128xf32>) {
  linalg.generic {indexing_maps = [#xt, #dz, #out],
                  iterator_types = ["parallel", "parallel", "reduction"]}
      ins(%x, %dz : memref<?x784xf32>, memref<?x128xf32>) outs(%dw : memref<784x128xf32>) {
  ^bb0(%a: f32, %b: f32, %c: f32):
    %p = arith.mulf %a, %b : f32
    %s = arith.addf %c, %p : f32
    linalg.yield %s : f32
  }
  return
}

// -----

// Not a plain product (a max-plus "matmul"): left for the generic path.
#lhs = affine_map<(i, j, k) -> (i, k)>
#rhs = affine_map<(i, j, k) -> (k, j)>
#out = affine_map<(i, j, k) -> (i, j)>
// CHECK-LABEL: func.func @max_plus
// CHECK-NOT:     gpu.launch
// CHECK:         linalg.generic
func.func @max_plus(%a: memref<?x8xf32>, %b: memref<8x8xf32>, %c: memref<?x8xf32>) {
  linalg.generic {indexing_maps = [#lhs, #rhs, #out],
                  iterator_types = ["parallel", "parallel", "reduction"]}
      ins(%a, %b : memref<?x8xf32>, memref<8x8xf32>) outs(%c : memref<?x8xf32>) {
  ^bb0(%x: f32, %y: f32, %z: f32):
    %p = arith.addf %x, %y : f32
    %s = arith.maximumf %z, %p : f32
    linalg.yield %s : f32
  }
  return
}
