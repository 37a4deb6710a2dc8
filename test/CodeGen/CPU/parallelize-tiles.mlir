// mlc-parallelize-tiles: a loop directly in a function body that holds a
// register tile (an scf.for carrying vectors, at any depth) is a row-tile
// loop of mlc-cpu-schedule; it becomes an scf.parallel with the same bounds
// and body, ended by scf.reduce. Loops without a register tile, loops that
// carry values, and loops nested in other ops stay serial.
// RUN: mlc-opt %s --split-input-file --pass-pipeline='builtin.module(func.func(mlc-parallelize-tiles))' | FileCheck %s

// A dense layer as the schedule leaves it after bufferization: a fill
// loop (no register tile) stays serial; the full row tiles and the
// remainder rows (a register tile one loop deeper) run in parallel, their
// inner loops serial.
// CHECK-LABEL: func.func @row_tiles
// CHECK-SAME:    (%[[A:.*]]: memref<?x64xf32>, %[[OUT:.*]]: memref<?x32xf32>, %[[N:.*]]: index, %[[FULL:.*]]: index)
// CHECK:         scf.for %{{.*}} = %c0 to %[[N]] step %c1 {
// CHECK-NEXT:      memref.store
// CHECK-NEXT:    }
// CHECK-NEXT:    scf.parallel (%[[I:.*]]) = (%c0) to (%[[FULL]]) step (%c8) {
// CHECK-NEXT:      scf.for %[[J:.*]] = %c0 to %c32 step %c32 {
// CHECK-NEXT:        %[[ACC:.*]] = scf.for %{{.*}} = %c0 to %c64 step %c1 iter_args(%{{.*}} = %{{.*}}) -> (vector<8x32xf32>) {
// CHECK:             vector.store %[[ACC]], %[[OUT]][%[[I]], %[[J]]] : memref<?x32xf32>, vector<8x32xf32>
// CHECK-NEXT:      }
// CHECK-NEXT:      scf.reduce
// CHECK-NEXT:    }
// CHECK-NEXT:    scf.parallel (%[[R:.*]]) = (%[[FULL]]) to (%[[N]]) step (%c1) {
// CHECK-NEXT:      scf.for %{{.*}} = %c0 to %c32 step %c32 {
// CHECK-NEXT:        scf.for %{{.*}} = %c0 to %c1 step %c1 {
// CHECK-NEXT:          scf.for {{.*}} -> (vector<1x32xf32>) {
// CHECK:               vector.store %{{.*}}, %[[OUT]][%[[R]], %{{.*}}] : memref<?x32xf32>, vector<1x32xf32>
// CHECK:           scf.reduce
// CHECK-NEXT:    }
// CHECK-NEXT:    return
func.func @row_tiles(%a: memref<?x64xf32>, %out: memref<?x32xf32>, %n: index,
                     %full: index) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c8 = arith.constant 8 : index
  %c32 = arith.constant 32 : index
  %c64 = arith.constant 64 : index
  %f0 = arith.constant 0.0 : f32
  %zero8 = arith.constant dense<0.0> : vector<8x32xf32>
  %zero1 = arith.constant dense<0.0> : vector<1x32xf32>
  scf.for %i = %c0 to %n step %c1 {
    memref.store %f0, %out[%i, %c0] : memref<?x32xf32>
  }
  scf.for %i = %c0 to %full step %c8 {
    scf.for %j = %c0 to %c32 step %c32 {
      %acc = scf.for %k = %c0 to %c64 step %c1 iter_args(%v = %zero8) -> (vector<8x32xf32>) {
        %s = memref.load %a[%i, %k] : memref<?x64xf32>
        %b = vector.broadcast %s : f32 to vector<8x32xf32>
        %w = arith.addf %v, %b : vector<8x32xf32>
        scf.yield %w : vector<8x32xf32>
      }
      vector.store %acc, %out[%i, %j] : memref<?x32xf32>, vector<8x32xf32>
    }
  }
  scf.for %i = %full to %n step %c1 {
    scf.for %j = %c0 to %c32 step %c32 {
      scf.for %r = %c0 to %c1 step %c1 {
        %acc = scf.for %k = %c0 to %c64 step %c1 iter_args(%v = %zero1) -> (vector<1x32xf32>) {
          %s = memref.load %a[%i, %k] : memref<?x64xf32>
          %b = vector.broadcast %s : f32 to vector<1x32xf32>
          %w = arith.addf %v, %b : vector<1x32xf32>
          scf.yield %w : vector<1x32xf32>
        }
        vector.store %acc, %out[%i, %j] : memref<?x32xf32>, vector<1x32xf32>
      }
    }
  }
  return
}

// -----

// A scalar accumulator is not a register tile: the loop stays serial.
// CHECK-LABEL: func.func @scalar_reduction
// CHECK-NOT:     scf.parallel
// CHECK:         scf.for %{{.*}} = %c0 to %{{.*}} step %c1 {
// CHECK-NEXT:      scf.for {{.*}} -> (f32) {
// CHECK-NOT:     scf.parallel
// CHECK:         return
func.func @scalar_reduction(%a: memref<?x64xf32>, %out: memref<?xf32>,
                            %n: index) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c64 = arith.constant 64 : index
  %f0 = arith.constant 0.0 : f32
  scf.for %i = %c0 to %n step %c1 {
    %sum = scf.for %k = %c0 to %c64 step %c1 iter_args(%s = %f0) -> (f32) {
      %x = memref.load %a[%i, %k] : memref<?x64xf32>
      %t = arith.addf %s, %x : f32
      scf.yield %t : f32
    }
    memref.store %sum, %out[%i] : memref<?xf32>
  }
  return
}

// -----

// A loop that carries a value across its iterations is not a tile loop,
// even with a register tile inside: it stays serial.
// CHECK-LABEL: func.func @carried_value
// CHECK-NOT:     scf.parallel
// CHECK:         scf.for {{.*}} -> (f32) {
// CHECK:           scf.for {{.*}} -> (vector<8xf32>) {
// CHECK-NOT:     scf.parallel
// CHECK:         return
func.func @carried_value(%a: memref<?x8xf32>, %n: index) -> f32 {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c4 = arith.constant 4 : index
  %f0 = arith.constant 0.0 : f32
  %zero = arith.constant dense<0.0> : vector<8xf32>
  %total = scf.for %i = %c0 to %n step %c1 iter_args(%t = %f0) -> (f32) {
    %acc = scf.for %k = %c0 to %c4 step %c1 iter_args(%v = %zero) -> (vector<8xf32>) {
      %x = vector.load %a[%i, %c0] : memref<?x8xf32>, vector<8xf32>
      %w = arith.addf %v, %x : vector<8xf32>
      scf.yield %w : vector<8xf32>
    }
    %e = vector.extract %acc[0] : f32 from vector<8xf32>
    %u = arith.addf %t, %e : f32
    scf.yield %u : f32
  }
  return %total : f32
}

// -----

// Only loops directly in the function body are tile loops: one under an
// scf.if is left alone.
// CHECK-LABEL: func.func @not_in_the_body
// CHECK-NOT:     scf.parallel
// CHECK:         scf.if
// CHECK-NEXT:      scf.for %{{.*}} = %c0 to %{{.*}} step %c1 {
// CHECK-NOT:     scf.parallel
// CHECK:         return
func.func @not_in_the_body(%a: memref<?x8xf32>, %n: index, %go: i1) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c4 = arith.constant 4 : index
  %zero = arith.constant dense<0.0> : vector<8xf32>
  scf.if %go {
    scf.for %i = %c0 to %n step %c1 {
      %acc = scf.for %k = %c0 to %c4 step %c1 iter_args(%v = %zero) -> (vector<8xf32>) {
        %x = vector.load %a[%i, %c0] : memref<?x8xf32>, vector<8xf32>
        %w = arith.addf %v, %x : vector<8xf32>
        scf.yield %w : vector<8xf32>
      }
      vector.store %acc, %a[%i, %c0] : memref<?x8xf32>, vector<8xf32>
    }
  }
  return
}

// -----

// A loop the schedule marked `mlc.parallel` (a copy into packed panels, one
// panel per iteration) runs in parallel too, though it holds no register
// tile.
// CHECK-LABEL: func.func @marked_copy
// CHECK:         scf.parallel (%[[P:.*]]) = (%c0) to (%c4) step (%c1) {
// CHECK-NEXT:      scf.for %[[K:.*]] = %c0 to %c16 step %c1 {
// CHECK-NEXT:        %[[V:.*]] = vector.load %{{.*}}[%[[K]], %[[P]], %c0] : memref<16x4x8xf32>, vector<8xf32>
// CHECK-NEXT:        vector.store %[[V]], %{{.*}}[%[[P]], %[[K]], %c0] : memref<4x16x8xf32>, vector<8xf32>
// CHECK-NEXT:      }
// CHECK-NEXT:      scf.reduce
// CHECK-NEXT:    }
func.func @marked_copy(%src: memref<16x4x8xf32>, %dst: memref<4x16x8xf32>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c4 = arith.constant 4 : index
  %c16 = arith.constant 16 : index
  scf.for %p = %c0 to %c4 step %c1 {
    scf.for %k = %c0 to %c16 step %c1 {
      %v = vector.load %src[%k, %p, %c0] : memref<16x4x8xf32>, vector<8xf32>
      vector.store %v, %dst[%p, %k, %c0] : memref<4x16x8xf32>, vector<8xf32>
    }
  } {mlc.parallel}
  return
}
