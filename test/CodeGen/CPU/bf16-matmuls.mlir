// bf16-matmuls: a matmul with an even or dynamic K (the batch of a weight
// gradient, padded with a zero row when odd) and a width of whole vectors
// multiplies bf16 copies of its operands into f32 accumulators.
// A becomes pairs of consecutive k, [M, K/2, 2]; B becomes [K/2, N, 2] in
// rows 16 pairs longer than N (rows of 4 KiB would share a cache set). The
// register tile is the f32 one (8 x 32 with 512-bit vectors); each k pair
// is 16 x86vector.avx512.dot (vdpbf16ps): a 32-bit broadcast of A's pair
// against 32 bf16 of B. The 10-wide output layer stays f32 (vector.fma).
// The IR is the same on any host; running it needs AVX512-BF16.
// RUN: mlc-opt %s --mlc-graph-to-linalg --mlc-cpu-schedule="vector-bits=512 bf16-matmuls" | FileCheck %s
// RUN: mlc-opt %s --mlc-graph-to-linalg --mlc-cpu-schedule="vector-bits=512" | FileCheck %s --check-prefix=F32

// CHECK-LABEL: func.func @dense_bf16_predict
// CHECK:         %[[A:.*]] = memref.alloc(%{{.*}}) {{.*}} : memref<?x392x2xbf16>
// CHECK:           arith.truncf %{{.*}} : vector<8x2xf32> to vector<8x2xbf16>
// CHECK:         %[[BP:.*]] = memref.alloc() {{.*}} : memref<392x80x2xbf16>
// CHECK:         memref.subview %[[BP]][0, 0, 0] [392, 64, 2] [1, 1, 1]
// CHECK:           arith.truncf %{{.*}} : vector<16x2xf32> to vector<16x2xbf16>
// CHECK:         scf.for %{{.*}} step %c8 {
// CHECK:           scf.for %{{.*}} = %c0 to %c64 step %c32 {
// CHECK-NEXT:        scf.for %{{.*}} = %c0 to %c392 step %c1 iter_args({{.*}}) -> (vector<{{(1x)?}}16xf32>, {{.*}}vector<{{(1x)?}}16xf32>) {
// CHECK:               vector.load %[[A]]{{.*}} : memref<?x392x2xbf16>, vector<2xbf16>
// CHECK-COUNT-16:      x86vector.avx512.dot {{.*}} : vector<32xbf16> -> vector<16xf32>
// CHECK:               scf.yield
// CHECK:         scf.for {{.*}} -> (vector<8x10xf32>) {
// CHECK-COUNT-8:   vector.fma {{.*}} : vector<10xf32>
// CHECK:         return

// F32-LABEL: func.func @dense_bf16_predict
// F32-NOT:     xbf16>
// F32:         return
mlc.model @dense_bf16 {
  %x = mlc.input "x" : tensor<?x784xf32>
  %h = mlc.dense %x {units = 64, activation = #mlc.act<relu>} : tensor<?x784xf32> -> tensor<?x64xf32>
  %y = mlc.dense %h {units = 10} : tensor<?x64xf32> -> tensor<?x10xf32>
  mlc.output %y : tensor<?x10xf32>
}
