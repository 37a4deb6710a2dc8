// An output width that is not a whole number of register tiles (200 =
// 6 x 32 + 8 with 512-bit vectors) keeps full 32-wide tiles for columns
// 0..191 and peels the last 8 columns into a tile of their own width, in
// both the full row tiles and the row-by-row remainder: every vector is a
// whole register or half of one, and nothing is masked.
// RUN: mlc-opt %s --mlc-graph-to-linalg --mlc-cpu-schedule="vector-bits=512" | FileCheck %s
// With columns-outer-bytes below B's size (100 x 200 floats: 80000
// bytes), the loop over column tiles is outside the loop over row tiles;
// the same four kinds of tile result.
// RUN: mlc-opt %s --mlc-graph-to-linalg --mlc-cpu-schedule="vector-bits=512 columns-outer-bytes=79999" | FileCheck %s --check-prefix=COLS
// RUN: mlc-opt %s --mlc-graph-to-linalg --mlc-cpu-schedule="vector-bits=512 columns-outer-bytes=80000" | FileCheck %s

// CHECK-LABEL: func.func @dense_200_predict
// CHECK-SAME:    %[[OUT:[a-z0-9]+]]: memref<?x200xf32>)
// CHECK:         scf.for %[[I:.*]] = %c0 to %{{.*}} step %c8 {
// CHECK-NEXT:      scf.for %[[J:.*]] = %c0 to %c192 step %c32 {
// CHECK-NEXT:        scf.for {{.*}} = %c0 to %c100 step %c1 iter_args({{.*}}) -> (vector<8x32xf32>) {
// CHECK-COUNT-8:       vector.fma {{.*}} : vector<32xf32>
// CHECK-COUNT-8:     vector.store %{{.*}}, %[[OUT]][%{{.*}}, %[[J]]] : memref<?x200xf32>, vector<32xf32>
// CHECK:           scf.for {{.*}} = %c0 to %c100 step %c1 iter_args({{.*}}) -> (vector<8x8xf32>) {
// CHECK-COUNT-8:     vector.fma {{.*}} : vector<8xf32>
// CHECK-COUNT-8:   vector.store %{{.*}}, %[[OUT]][%{{.*}}, %c192] : memref<?x200xf32>, vector<8xf32>
// CHECK:         scf.for %{{.*}} = %{{.*}} to %{{.*}} step %c8 {
// CHECK:           scf.for %{{.*}} = %c0 to %c192 step %c32 {
// CHECK:             scf.for {{.*}} -> (vector<1x32xf32>) {
// CHECK:           scf.for {{.*}} -> (vector<1x8xf32>) {
// CHECK-NOT:     vector.mask
// CHECK:         return
// COLS-LABEL: func.func @dense_200_predict
// COLS:         scf.for %[[J:.*]] = %c0 to %c192 step %c32 {
// COLS:           scf.for %{{.*}} = %c0 to %{{.*}} step %c8 {
// COLS-NEXT:        scf.for {{.*}} = %c0 to %c100 step %c1 iter_args({{.*}}) -> (vector<8x32xf32>) {
// COLS:           scf.for %{{.*}} = %{{.*}} to %{{.*}} step %c8 {
// COLS:             scf.for {{.*}} -> (vector<1x32xf32>) {
// COLS:         scf.for %{{.*}} = %c0 to %{{.*}} step %c8 {
// COLS-NEXT:      scf.for {{.*}} = %c0 to %c100 step %c1 iter_args({{.*}}) -> (vector<8x8xf32>) {
// COLS:         scf.for %{{.*}} = %{{.*}} to %{{.*}} step %c8 {
// COLS:           scf.for {{.*}} -> (vector<1x8xf32>) {
// COLS-NOT:     vector.mask
// COLS:         return
mlc.model @dense_200 {
  %x = mlc.input "x" : tensor<?x100xf32>
  %h = mlc.dense %x {units = 200, activation = #mlc.act<relu>} : tensor<?x100xf32> -> tensor<?x200xf32>
  mlc.output %h : tensor<?x200xf32>
}
