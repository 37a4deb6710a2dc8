// mlc-gpu-reductions: a reduction becomes one block per output element.
// Each thread folds a strided share of the block's flattened reduction
// space (indices recovered innermost-first, the body recomputed from its
// loads, linalg.index replaced by the index), a gpu.all_reduce combines
// the threads, and thread 0 folds the total into the output. 256 threads,
// or whole warps for a short static reduction.
// RUN: mlc-opt %s --split-input-file --pass-pipeline='builtin.module(func.func(mlc-gpu-reductions))' | FileCheck %s

#pred = affine_map<(b, c) -> (b, c)>
#label = affine_map<(b, c) -> (b)>
#scalar = affine_map<(b, c) -> ()>
// The loss: every dimension reduced, one block of 256 threads.
// CHECK-LABEL: func.func @loss(
// CHECK-SAME:    %[[P:.*]]: memref<?x10xf32>, %[[Y:.*]]: memref<?xi32>, %[[L:.*]]: memref<f32>)
// CHECK-NOT:     linalg.generic
// CHECK:         %[[B:.*]] = memref.dim %[[P]], %c0
// CHECK:         gpu.launch blocks({{.*}}) in ({{.*}} = %c1{{.*}}, {{.*}} = %c1{{.*}}, {{.*}} = %c1{{.*}}) threads(%[[TX:.*]], %{{.*}}, %{{.*}}) in ({{.*}} = %c256{{.*}}, {{.*}} = %c1{{.*}}, {{.*}} = %c1{{.*}})
// CHECK:           %[[B1:.*]] = arith.muli %c1{{.*}}, %[[B]]
// CHECK:           %[[TOTAL:.*]] = arith.muli %[[B1]], %c10
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

// A row max (softmax's statistic): one block per row, one warp for the
// 10 elements, folded with maximumf from -inf.
#in = affine_map<(b, c) -> (b, c)>
#row = affine_map<(b, c) -> (b)>
// CHECK-LABEL: func.func @row_max(
// CHECK-SAME:    %[[X:.*]]: memref<?x10xf32>, %[[M:.*]]: memref<?xf32>)
// CHECK:         %[[B:.*]] = memref.dim %[[X]], %c0
// CHECK:         %[[ROWS:.*]] = arith.muli %c1{{.*}}, %[[B]]
// CHECK:         gpu.launch blocks(%[[BX:.*]], %{{.*}}, %{{.*}}) in ({{.*}} = %[[ROWS]], {{.*}}) threads(%[[TX:.*]], %{{.*}}, %{{.*}}) in ({{.*}} = %c32{{.*}}, {{.*}} = %c1{{.*}}, {{.*}} = %c1{{.*}})
// CHECK:           %[[NEGINF:.*]] = arith.constant 0xFF800000 : f32
// CHECK:           scf.for %[[C:.*]] = %[[TX]] to %{{.*}} step %c32{{.*}} iter_args(%[[ACC:.*]] = %[[NEGINF]])
// CHECK-NEXT:        %[[V:.*]] = memref.load %[[X]][%[[BX]], %[[C]]]
// CHECK-NEXT:        arith.maximumf %[[ACC]], %[[V]]
// CHECK:           %[[ALL:.*]] = gpu.all_reduce maximumf %{{.*}} uniform
// CHECK:           scf.if
// CHECK-NEXT:        %[[OLD:.*]] = memref.load %[[M]][%[[BX]]]
// CHECK-NEXT:        %[[NEW:.*]] = arith.maximumf %[[OLD]], %[[ALL]]
// CHECK-NEXT:        memref.store %[[NEW]], %[[M]][%[[BX]]]
func.func @row_max(%x: memref<?x10xf32>, %m: memref<?xf32>) {
  linalg.generic {indexing_maps = [#in, #row],
                  iterator_types = ["parallel", "reduction"]}
      ins(%x : memref<?x10xf32>) outs(%m : memref<?xf32>) {
  ^bb0(%v: f32, %acc: f32):
    %r = arith.maximumf %acc, %v : f32
    linalg.yield %r : f32
  }
  return
}

// -----

// A bias gradient: a sum over the dynamic batch (dimension 1 after
// mlc-gpu-prepare-loops), 256 threads per column.
#dz = affine_map<(j, b) -> (b, j)>
#db = affine_map<(j, b) -> (j)>
// CHECK-LABEL: func.func @bias_gradient(
// CHECK-SAME:    %[[DZ:.*]]: memref<?x128xf32>, %[[DB:.*]]: memref<128xf32>)
// CHECK:         gpu.launch blocks(%[[BX:.*]], %{{.*}}, %{{.*}}) in ({{.*}}) threads(%[[TX:.*]], %{{.*}}, %{{.*}}) in ({{.*}} = %c256{{.*}}, {{.*}})
// CHECK:           scf.for %[[I:.*]] = %[[TX]] to %{{.*}} step %c256
// CHECK-NEXT:        memref.load %[[DZ]][%[[I]], %[[BX]]]
// CHECK:           gpu.all_reduce add
// CHECK:           memref.store %{{.*}}, %[[DB]][%[[BX]]]
func.func @bias_gradient(%dz: memref<?x128xf32>, %db: memref<128xf32>) {
  linalg.generic {indexing_maps = [#dz, #db],
                  iterator_types = ["parallel", "reduction"]}
      ins(%dz : memref<?x128xf32>) outs(%db : memref<128xf32>) {
  ^bb0(%v: f32, %acc: f32):
    %r = arith.addf %acc, %v : f32
    linalg.yield %r : f32
  }
  return
}

// -----

// Not a fold this pass knows (a product): left alone.
#in2 = affine_map<(b, c) -> (b, c)>
#row2 = affine_map<(b, c) -> (b)>
// CHECK-LABEL: func.func @row_product
// CHECK-NOT:     gpu.launch
// CHECK:         linalg.generic
func.func @row_product(%x: memref<?x10xf32>, %p: memref<?xf32>) {
  linalg.generic {indexing_maps = [#in2, #row2],
                  iterator_types = ["parallel", "reduction"]}
      ins(%x : memref<?x10xf32>) outs(%p : memref<?xf32>) {
  ^bb0(%v: f32, %acc: f32):
    %r = arith.mulf %acc, %v : f32
    linalg.yield %r : f32
  }
  return
}
