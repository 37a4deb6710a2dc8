// mlc-outline-kernels: each loop directly in a function body (with no
// results, and at least min-ops ops) moves into a private function called in
// its place; the values it uses become arguments, constants are copied in;
// loop nests that are the same ops on the same argument types share one
// function, whichever function they came from.
// RUN: mlc-opt %s --mlc-outline-kernels --canonicalize | FileCheck %s
// RUN: mlc-opt %s --mlc-outline-kernels=min-ops=100 | FileCheck %s --check-prefix=LARGE
// RUN: mlc-opt %s --mlc-outline-kernels=share=false | FileCheck %s --check-prefix=OWN
// RUN: mlc-opt %s --mlc-outline-kernels=min-ops=4 | FileCheck %s --check-prefix=SMALL

// Two layers of the same shape in one function and a third in another: one
// kernel. The scale differs (a constant copied in): a kernel of its own.
// CHECK-LABEL: func.func @first
// CHECK-SAME:    (%[[A:.*]]: memref<?x16xf32>, %[[B:.*]]: memref<?x16xf32>, %[[C:.*]]: memref<?x16xf32>, %[[N:.*]]: index)
// CHECK-NOT:     scf.for
// CHECK:         call @first_k0(%[[N]], %[[A]], %[[B]]) : (index, memref<?x16xf32>, memref<?x16xf32>) -> ()
// CHECK-NEXT:    call @first_k0(%[[N]], %[[B]], %[[C]]) : (index, memref<?x16xf32>, memref<?x16xf32>) -> ()
// CHECK-NEXT:    call @first_k2(%[[N]], %[[C]], %[[A]]) : (index, memref<?x16xf32>, memref<?x16xf32>) -> ()
// CHECK-NEXT:    return

// CHECK:       func.func private @first_k0(%[[KN:.*]]: index, %[[KX:.*]]: memref<?x16xf32>, %[[KY:.*]]: memref<?x16xf32>)
// CHECK-DAG:     %[[C0:.*]] = arith.constant 0 : index
// CHECK-DAG:     %[[C1:.*]] = arith.constant 1 : index
// CHECK-DAG:     %[[TWO:.*]] = arith.constant 2.000000e+00 : f32
// CHECK:         scf.for %[[I:.*]] = %[[C0]] to %[[KN]] step %[[C1]] {
// CHECK:           memref.load %[[KX]]
// CHECK:           arith.mulf %{{.*}}, %[[TWO]]
// CHECK:           memref.store %{{.*}}, %[[KY]]
// CHECK:         return
// CHECK-NOT:   func.func private @first_k1
// CHECK:       func.func private @first_k2
// CHECK:         arith.constant 3.000000e+00 : f32

// The same loop nest in another function calls the first's kernel; a loop
// with results stays where it is. A fill (a loop of one store: 3 ops) is
// outlined too: left in the entry points, LLVM vectorizes each into three
// loops, whose loop strength reduction cost 7-9 ms per entry point.
// CHECK-LABEL: func.func @second
// CHECK:         call @first_k0(
// CHECK-NEXT:    %[[SUM:.*]] = scf.for
// CHECK:         call @second_k1(
// CHECK-NEXT:    return %[[SUM]]
// CHECK:       func.func private @second_k1
// CHECK:         scf.for
// CHECK-NEXT:      memref.store

// With min-ops=4 the fill stays.
// SMALL-LABEL: func.func @second
// SMALL:         call @first_k0(
// SMALL-NEXT:    %[[SUM:.*]] = scf.for
// SMALL:         scf.for
// SMALL-NEXT:      memref.store
// SMALL-NEXT:    }
// SMALL-NEXT:    return %[[SUM]]
// SMALL-NOT:   func.func private @second_k

// LARGE-NOT: call
// LARGE-NOT: func.func private

// share=false (mlc compile --debug-info): every loop nest a function of its
// own, so each keeps its own locations.
// OWN-LABEL: func.func @first
// OWN:         call @first_k0(
// OWN-NEXT:    call @first_k1(
// OWN-NEXT:    call @first_k2(
// OWN:       func.func private @first_k0
// OWN:       func.func private @first_k1
// OWN:       func.func private @first_k2
// OWN-LABEL: func.func @second
// OWN:         call @second_k0(
// OWN:       func.func private @second_k0

func.func @first(%a: memref<?x16xf32>, %b: memref<?x16xf32>,
                 %c: memref<?x16xf32>, %n: index) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c16 = arith.constant 16 : index
  %two = arith.constant 2.0 : f32
  %three = arith.constant 3.0 : f32
  scf.for %i = %c0 to %n step %c1 {
    scf.for %j = %c0 to %c16 step %c1 {
      %x = memref.load %a[%i, %j] : memref<?x16xf32>
      %y = arith.mulf %x, %two : f32
      memref.store %y, %b[%i, %j] : memref<?x16xf32>
    }
  }
  scf.for %i = %c0 to %n step %c1 {
    scf.for %j = %c0 to %c16 step %c1 {
      %x = memref.load %b[%i, %j] : memref<?x16xf32>
      %y = arith.mulf %x, %two : f32
      memref.store %y, %c[%i, %j] : memref<?x16xf32>
    }
  }
  scf.for %i = %c0 to %n step %c1 {
    scf.for %j = %c0 to %c16 step %c1 {
      %x = memref.load %c[%i, %j] : memref<?x16xf32>
      %y = arith.mulf %x, %three : f32
      memref.store %y, %a[%i, %j] : memref<?x16xf32>
    }
  }
  return
}

func.func @second(%a: memref<?x16xf32>, %b: memref<?x16xf32>, %n: index)
    -> f32 {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c16 = arith.constant 16 : index
  %two = arith.constant 2.0 : f32
  %zero = arith.constant 0.0 : f32
  scf.for %i = %c0 to %n step %c1 {
    scf.for %j = %c0 to %c16 step %c1 {
      %x = memref.load %a[%i, %j] : memref<?x16xf32>
      %y = arith.mulf %x, %two : f32
      memref.store %y, %b[%i, %j] : memref<?x16xf32>
    }
  }
  %sum = scf.for %i = %c0 to %n step %c1 iter_args(%s = %zero) -> f32 {
    %x = memref.load %a[%i, %c0] : memref<?x16xf32>
    %t = arith.addf %s, %x : f32
    scf.yield %t : f32
  }
  scf.for %i = %c0 to %n step %c1 {
    memref.store %zero, %b[%i, %c0] : memref<?x16xf32>
  }
  return %sum : f32
}
