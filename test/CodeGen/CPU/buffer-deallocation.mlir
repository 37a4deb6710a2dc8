// mlc-buffer-deallocation frees what a module allocates on the heap
// (upstream's ownership-based deallocation and its clean-up), and leaves a
// module without heap allocations as it is: after mlc-workspace most have
// none, and the deallocation passes only walked them.
// RUN: mlc-opt %s --split-input-file --mlc-buffer-deallocation | FileCheck %s

// CHECK-LABEL: func.func @heap
// CHECK:         %[[A:.*]] = memref.alloc
// CHECK:         memref.dealloc %[[A]]
// CHECK:         return
func.func @heap(%n: index, %out: memref<?xf32>) {
  %a = memref.alloc(%n) : memref<?xf32>
  %c0 = arith.constant 0 : index
  %v = memref.load %a[%c0] : memref<?xf32>
  memref.store %v, %out[%c0] : memref<?xf32>
  return
}

// -----

// A stack allocation needs no free, and nothing else runs: the
// arithmetic the canonicalizer would fold stays.
// CHECK-LABEL: func.func @stack
// CHECK:         memref.alloca
// CHECK:         arith.addi
// CHECK-NOT:     dealloc
// CHECK:         return
func.func @stack(%out: memref<4xi64>) {
  %s = memref.alloca() : memref<4xi64>
  %c0 = arith.constant 0 : index
  %one = arith.constant 1 : i64
  %two = arith.addi %one, %one : i64
  memref.store %two, %s[%c0] : memref<4xi64>
  %v = memref.load %s[%c0] : memref<4xi64>
  memref.store %v, %out[%c0] : memref<4xi64>
  return
}
