// A tile table (what `mlc tune` measured) overrides the register tile the
// schedule derives, per matmul shape: here the forward matmul of a dense
// layer (key mm?x64x100.ew) gets 12 rows of one 256-bit vector instead of
// 6 rows of two. The key is printed with each group of the script.
// RUN: mlc-opt %s --mlc-graph-to-linalg --mlc-cpu-schedule="vector-bits=256 print-schedule" 2>&1 >/dev/null | FileCheck %s --check-prefix=DERIVED
// RUN: mlc-opt %s --mlc-graph-to-linalg --mlc-cpu-schedule="vector-bits=256 print-schedule tile-table=mm?x64x100.ew=12x1" 2>&1 >/dev/null | FileCheck %s --check-prefix=TABLE
// RUN: mlc-opt %s --mlc-graph-to-linalg --mlc-cpu-schedule="vector-bits=256 tile-table=mm?x64x100.ew=12x1" | FileCheck %s
// A tile 3 vectors wide (4 x 24 on AVX2) is 12 accumulators of one
// vector each, in row order (a row's broadcast meets the 3 vectors of B):
// no 24-lane vector anywhere, not in the packed panels' copies either
// (LLVM splits those into 128-bit pieces). 64 columns: 2 tiles of 24 and a
// last tile of 16.
// RUN: mlc-opt %s --mlc-graph-to-linalg --mlc-cpu-schedule="vector-bits=256 tile-table=mm?x64x100.ew=4x3" | FileCheck %s --check-prefix=THREE
// "mm*" is the tile of every matmul without an entry of its own.
// RUN: mlc-opt %s --mlc-graph-to-linalg --mlc-cpu-schedule="vector-bits=256 print-schedule tile-table=mm*=12x1" 2>&1 >/dev/null | FileCheck %s --check-prefix=TABLE
// RUN: mlc-opt %s --mlc-graph-to-linalg --mlc-cpu-schedule="vector-bits=256 print-schedule tile-table=mm*=4x3;mm?x64x100.ew=12x1" 2>&1 >/dev/null | FileCheck %s --check-prefix=TABLE
// Entries for shapes the module lacks change nothing.
// RUN: mlc-opt %s --mlc-graph-to-linalg --mlc-cpu-schedule="vector-bits=256 print-schedule tile-table=mm?x32x100.ew=12x1" 2>&1 >/dev/null | FileCheck %s --check-prefix=DERIVED
// RUN: not mlc-opt %s --mlc-graph-to-linalg --mlc-cpu-schedule="vector-bits=256 tile-table=mm?x64x100.ew=6x5" 2>&1 | FileCheck %s --check-prefix=BAD

// DERIVED: group g0: matmul ?x64 + elementwise epilogue (mm?x64x100.ew), register tile 6x16
// TABLE: group g0: matmul ?x64 + elementwise epilogue (mm?x64x100.ew), register tile 12x8

// B's packed panels are the tile's width: 8 panels of 100 x 8.
// CHECK-LABEL: func.func @dense_64_predict
// CHECK:         %[[PANELS:.*]] = memref.alloc() {{.*}} : memref<8x100x8xf32>
// CHECK:         scf.for %{{.*}} = %c0 to %{{.*}} step %c12 {
// CHECK-NEXT:      scf.for %{{.*}} = %c0 to %c64 step %c8 {
// CHECK:             scf.for {{.*}} = %c0 to %c100 step %c1 iter_args({{.*}}) -> (vector<12x8xf32>) {
// CHECK:               vector.load %[[PANELS]]{{.*}} : memref<8x100x8xf32>, vector<8xf32>
// CHECK-COUNT-12:      vector.fma {{.*}} : vector<8xf32>

// THREE-LABEL: func.func @dense_64_predict
// THREE-NOT:     vector<24xf32>
// THREE:         scf.for %{{.*}} = %c0 to %c48 step %c24 {
// THREE:           scf.for {{.*}} = %c0 to %c100 step %c1 iter_args({{.*}}) -> (vector<1x8xf32>, vector<1x8xf32>, vector<1x8xf32>, vector<1x8xf32>, vector<1x8xf32>, vector<1x8xf32>, vector<1x8xf32>, vector<1x8xf32>, vector<1x8xf32>, vector<1x8xf32>, vector<1x8xf32>, vector<1x8xf32>) {
// THREE-COUNT-12:    vector.fma {{.*}} : vector<8xf32>
// THREE-NOT:     vector<4x24xf32>
// THREE-NOT:     vector<24xf32>
// THREE:         return

// BAD: error: mlc-cpu-schedule: tile-table: bad tile '6x5': vectors must be 1 to 4

mlc.model @dense_64 {
  %x = mlc.input "x" : tensor<?x100xf32>
  %h = mlc.dense %x {units = 64, activation = #mlc.act<relu>} : tensor<?x100xf32> -> tensor<?x64xf32>
  mlc.output %h : tensor<?x64xf32>
}
