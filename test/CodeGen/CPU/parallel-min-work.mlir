// mlc-parallel-min-work: an omp.parallel around one work-sharing loop forks
// only when the iterations the other threads take hold at least min-work
// units (one per 8 vector lanes, one per scalar op, four times that for a
// load or store, times the loops' trip counts). Known too small: plain loops; known large enough: no clause;
// otherwise an if clause computed from the bounds in front of the region,
// and the exception flags every thread raised are raised again after it
// (libomp clears them when it runs a region serialized).
// RUN: mlc-opt %s --split-input-file --pass-pipeline='builtin.module(mlc-parallel-min-work)' | FileCheck %s
// RUN: mlc-opt %s --split-input-file --pass-pipeline='builtin.module(mlc-parallel-min-work{min-work=0})' | FileCheck %s --check-prefix=ALWAYS
// RUN: mlc-opt %s --split-input-file --pass-pipeline='builtin.module(mlc-parallel-min-work{min-work=100 threads=4})' | FileCheck %s --check-prefix=FOUR
// RUN: mlc-opt %s --split-input-file --pass-pipeline='builtin.module(mlc-parallel-min-work{max-copied-ops=0})' | FileCheck %s --check-prefix=CLAUSE

// 64 stores: 32 of them (128 units) on the other thread, far under 20000.
// CHECK-LABEL: func.func @small
// CHECK-SAME:    (%[[M:.*]]: memref<64xf32>)
// CHECK-NOT:     omp.
// CHECK:         scf.for %[[I:.*]] = %c0 to %c64 step %c1 {
// CHECK-NEXT:      memref.store %{{.*}}, %[[M]][%[[I]]] : memref<64xf32>
// CHECK-NEXT:    }
// CHECK-NEXT:    return
// ALWAYS-LABEL: func.func @small
// ALWAYS:         omp.parallel {
// With 4 threads the others take 48 iterations: 192 units. So with 4
// threads and a minimum of 100 the region forks.
// FOUR-LABEL: func.func @small
// FOUR-NOT:     scf.for
// FOUR:         omp.parallel {
func.func @small(%m: memref<64xf32>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c64 = arith.constant 64 : index
  %cst = arith.constant 1.0 : f32
  omp.parallel {
    omp.wsloop {
      omp.loop_nest (%i) : index = (%c0) to (%c64) step (%c1) {
        memref.store %cst, %m[%i] : memref<64xf32>
        omp.yield
      }
    }
    omp.terminator
  }
  return
}

// -----

// 16 row tiles, each 1024 iterations of a load, an fma and a store on
// vector<16xf32> (8 + 2 + 8 units): 8 x 1024 x 18 units on the other
// thread.
// CHECK-LABEL: func.func @large
// CHECK-NOT:     arith.cmpi
// CHECK:         omp.parallel {
func.func @large(%m: memref<16x1024x16xf32>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c16 = arith.constant 16 : index
  %c1024 = arith.constant 1024 : index
  omp.parallel {
    omp.wsloop {
      omp.loop_nest (%i) : index = (%c0) to (%c16) step (%c1) {
        scf.for %k = %c0 to %c1024 step %c1 {
          %v = vector.load %m[%i, %k, %c0] : memref<16x1024x16xf32>, vector<16xf32>
          %f = vector.fma %v, %v, %v : vector<16xf32>
          vector.store %f, %m[%i, %k, %c0] : memref<16x1024x16xf32>, vector<16xf32>
        }
        omp.yield
      }
    }
    omp.terminator
  }
  return
}

// -----

// One iteration gains nothing from a second thread, however large.
// CHECK-LABEL: func.func @one_tile
// CHECK-NOT:     omp.
// CHECK:         scf.for %{{.*}} = %c0 to %c1 step %c1 {
// CHECK-NEXT:      scf.for %{{.*}} = %c0 to %c65536 step %c1 {
func.func @one_tile(%m: memref<1x65536x16xf32>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c65536 = arith.constant 65536 : index
  omp.parallel {
    omp.wsloop {
      omp.loop_nest (%i) : index = (%c0) to (%c1) step (%c1) {
        scf.for %k = %c0 to %c65536 step %c1 {
          %v = vector.load %m[%i, %k, %c0] : memref<1x65536x16xf32>, vector<16xf32>
          vector.store %v, %m[%i, %k, %c0] : memref<1x65536x16xf32>, vector<16xf32>
        }
        omp.yield
      }
    }
    omp.terminator
  }
  return
}

// -----

// Row tiles of 4 over a batch %n, an inner loop of %k iterations (both
// function arguments): the test is built from them in front of the region.
// Per tile: %k x (load + store) = 8 %k units, plus 4 for the store after;
// the other thread takes trips - ceil(trips / 2) tiles.
// CHECK-LABEL: func.func @dynamic
// CHECK-SAME:    (%[[M:.*]]: memref<?x?xf32>, %[[N:.*]]: index, %[[K:.*]]: index)
// CHECK:         %[[T:.*]] = arith.ceildivsi %[[N]], %c4
// CHECK:         %[[TRIPS:.*]] = arith.maxsi %[[T]], %c0
// CHECK:         %[[HALF:.*]] = arith.ceildivsi %[[TRIPS]], %c2
// CHECK:         %[[OTHERS:.*]] = arith.subi %[[TRIPS]], %[[HALF]]
// CHECK:         %[[INNER:.*]] = arith.maxsi %[[K]], %c0
// CHECK:         %[[EIGHT:.*]] = arith.muli %[[INNER]], %c8
// CHECK:         %[[TILE:.*]] = arith.addi %[[EIGHT]], %c4
// CHECK:         %[[SAVED:.*]] = arith.muli %[[OTHERS]], %[[TILE]]
// CHECK:         %[[ENOUGH:.*]] = arith.cmpi sge, %[[SAVED]], %c20000 : index
// CHECK-NEXT:    scf.if %[[ENOUGH]] {
// CHECK-NEXT:      omp.parallel {
// CHECK-NEXT:        omp.wsloop {
// CHECK-NEXT:          omp.loop_nest (%[[I:.*]]) : index = (%c0) to (%[[N]]) step (%c4) {
// CHECK:             omp.terminator
// CHECK-NEXT:      }
// CHECK-NEXT:    } else {
// CHECK-NEXT:      scf.for %[[J:.*]] = %c0 to %[[N]] step %c4 {
// CHECK-NEXT:        scf.for %[[L:.*]] = %c0 to %[[K]] step %c1 {
// CHECK-NEXT:          memref.load %[[M]][%[[J]], %[[L]]]
// CHECK-NEXT:          memref.store
// CHECK-NEXT:        }
// CHECK-NEXT:        memref.store
// CHECK-NEXT:      }
// CHECK-NEXT:    }
// CHECK-NEXT:    return
// CHECK-NOT:   fetestexcept
// The same test as the clause of a region compiled once.
// CLAUSE-LABEL: func.func @dynamic
// CLAUSE:         %[[ENOUGH:.*]] = arith.cmpi sge, %{{.*}}, %c20000 : index
// CLAUSE:         %[[FLAGS:.*]] = memref.alloca() : memref<i32>
// CLAUSE:         memref.store %[[ZERO:.*]], %[[FLAGS]][] : memref<i32>
// CLAUSE-NEXT:    omp.parallel if(%[[ENOUGH]]) {
// CLAUSE:           omp.yield
// CLAUSE:         }
// CLAUSE-NEXT:    }
// CLAUSE:         %[[RAISED:.*]] = func.call @fetestexcept
// CLAUSE-NEXT:    memref.atomic_rmw ori %[[RAISED]], %[[FLAGS]][]
// CLAUSE-NEXT:    omp.terminator
// CLAUSE-NEXT:  }
// CLAUSE-NEXT:  %[[ALL:.*]] = memref.load %[[FLAGS]][]
// CLAUSE-NEXT:  %[[ANY:.*]] = arith.cmpi ne, %[[ALL]], %[[ZERO]]
// CLAUSE-NEXT:  scf.if %[[ANY]] {
// CLAUSE-NEXT:    func.call @feraiseexcept(%[[ALL]])
// CLAUSE:       func.func private @fetestexcept(i32) -> i32
// CLAUSE:       func.func private @feraiseexcept(i32) -> i32
func.func @dynamic(%m: memref<?x?xf32>, %n: index, %k: index) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c4 = arith.constant 4 : index
  %cst = arith.constant 0.0 : f32
  omp.parallel {
    omp.wsloop {
      omp.loop_nest (%i) : index = (%c0) to (%n) step (%c4) {
        scf.for %j = %c0 to %k step %c1 {
          %v = memref.load %m[%i, %j] : memref<?x?xf32>
          memref.store %v, %m[%j, %i] : memref<?x?xf32>
        }
        memref.store %cst, %m[%i, %i] : memref<?x?xf32>
        omp.yield
      }
    }
    omp.terminator
  }
  return
}

// -----

// A region that already has a condition keeps it.
// CHECK-LABEL: func.func @has_if
// CHECK-SAME:    (%{{.*}}: memref<64xf32>, %[[C:.*]]: i1)
// CHECK:         omp.parallel if(%[[C]]) {
func.func @has_if(%m: memref<64xf32>, %c: i1) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c64 = arith.constant 64 : index
  %cst = arith.constant 1.0 : f32
  omp.parallel if(%c) {
    omp.wsloop {
      omp.loop_nest (%i) : index = (%c0) to (%c64) step (%c1) {
        memref.store %cst, %m[%i] : memref<64xf32>
        omp.yield
      }
    }
    omp.terminator
  }
  return
}
