// mlc-gpu-scalar-reductions: a sum of every element into a rank-0 buffer
// (the loss) becomes one block of 256 threads: each folds a strided share
// of the flattened iterations (indices recovered innermost-first, the body
// recomputed from its loads, linalg.index replaced by the index), then a
// gpu.all_reduce adds the partial sums and thread 0 adds the total to the
// output.
// RUN: mlc-opt %s --split-input-file --pass-pipeline='builtin.module(func.func(mlc-gpu-scalar-reductions))' | FileCheck %s

#pred = affine_map<(b, c) -> (b, c)>
#label = affine_map<(b, c) -> (b)>
#scalar = affine_map<(b, c) -> ()>
// CHECK-LABEL: func.func @loss(
// CHECK-SAME:    %[[P:.*]]: memref<?x10xf32>, %[[Y:.*]]: memref<?xi32>, %[[L:.*]]: memref<f32>)
// CHECK-NOT:     linalg.generic
// CHECK:         %[[B:.*]] = memref.dim %[[P]], %c0
// CHECK:         gpu.launch blocks({{.*}}) in ({{.*}} = %c1{{.*}}, {{.*}} = %c1{{.*}}, {{.*}} = %c1{{.*}}) threads(%[[TX:.*]], %{{.*}}, %{{.*}}) in ({{.*}} = %c256{{.*}}, {{.*}} = %c1{{.*}}, {{.*}} = %c1{{.*}})
// CHECK:           %[[TOTAL:.*]] = arith.muli %[[B]], %c10
// CHECK:           %[[PART:.*]] = scf.for %[[F:.*]] = %[[TX]] to %[[TOTAL]] step %c256{{.*}} iter_args(%[[ACC:.*]] = %{{.*}}) -> (f32) {
// CHECK-NEXT:        %[[C:.*]] = arith.remui %[[F]], %c10
// CHECK-NEXT:        %[[R:.*]] = arith.divui %[[F]], %c10
// CHECK-NEXT:        %[[PV:.*]] = memref.load %[[P]][%[[R]], %[[C]]]
// CHECK-NEXT:        %[[YV:.*]] = memref.load %[[Y]][%[[R]]]
// CHECK-NEXT:        %[[YI:.*]] = arith.index_cast %[[YV]]
// CHECK-NEXT:        %[[HIT:.*]] = arith.cmpi eq, %[[C]], %[[YI]]
// CHECK-NEXT:        %[[LOG:.*]] = math.log %[[PV]]
// CHECK-NEXT:        %[[V:.*]] = arith.select %[[HIT]], %[[LOG]], %{{.*}}
// CHECK-NEXT:        %[[NEXT:.*]] = arith.addf %[[ACC]], %[[V]]
// CHECK-NEXT:        scf.yield %[[NEXT]]
// CHECK:           %[[SUM:.*]] = gpu.all_reduce add %[[PART]] uniform
// CHECK:           %[[FIRST:.*]] = arith.cmpi eq, %[[TX]], %c0
// CHECK:           scf.if %[[FIRST]] {
// CHECK-NEXT:        %[[OLD:.*]] = memref.load %[[L]][]
// CHECK-NEXT:        %[[NEW:.*]] = arith.addf %[[OLD]], %[[SUM]]
// CHECK-NEXT:        memref.store %[[NEW]], %[[L]][]
func.func @loss(%p: memref<?x10xf32>, %y: memref<?xi32>, %l: memref<f32>) {
  %zero = arith.constant 0.0 : f32
  linalg.generic {indexing_maps = [#pred, #label, #scalar],
                  iterator_types = ["reduction", "reduction"]}
      ins(%p, %y : memref<?x10xf32>, memref<?xi32>) outs(%l : memref<f32>) {
  ^bb0(%pv: f32, %yv: i32, %acc: f32):
    %c = linalg.index 1 : index
    %yi = arith.index_cast %yv : i32 to index
    %hit = arith.cmpi eq, %c, %yi : index
    %log = math.log %pv : f32
    %v = arith.select %hit, %log, %zero : f32
    %s = arith.addf %acc, %v : f32
    linalg.yield %s : f32
  }
  return
}

// -----

// A row sum keeps a parallel dimension: not this pass's.
#in = affine_map<(b, c) -> (b, c)>
#row = affine_map<(b, c) -> (b)>
// CHECK-LABEL: func.func @row_sum
// CHECK-NOT:     gpu.launch
func.func @row_sum(%x: memref<?x10xf32>, %s: memref<?xf32>) {
  linalg.generic {indexing_maps = [#in, #row],
                  iterator_types = ["parallel", "reduction"]}
      ins(%x : memref<?x10xf32>) outs(%s : memref<?xf32>) {
  ^bb0(%v: f32, %acc: f32):
    %r = arith.addf %acc, %v : f32
    linalg.yield %r : f32
  }
  return
}
