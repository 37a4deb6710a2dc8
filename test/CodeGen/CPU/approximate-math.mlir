// mlc-approximate-math: exp, log and erf on f32, scalar or vector, become
// inline arithmetic (no call is left for convert-math-to-libm); f64 and
// other math ops are left alone, but for erf on f64 vectors (below).
// RUN: mlc-opt %s --mlc-approximate-math | FileCheck %s

// CHECK-LABEL: func.func @exp_f32
// CHECK-NOT:     math.exp
// CHECK:         math.fma
// CHECK:         arith.bitcast
// CHECK-NOT:     math.exp
// CHECK:         return
func.func @exp_f32(%x: f32) -> f32 {
  %0 = math.exp %x : f32
  return %0 : f32
}

// CHECK-LABEL: func.func @log_vector
// CHECK-NOT:     math.log
// CHECK:         arith.bitcast {{.*}} : vector<16xf32> to vector<16xi32>
// CHECK-NOT:     math.log
// CHECK:         return
func.func @log_vector(%x: vector<16xf32>) -> vector<16xf32> {
  %0 = math.log %x : vector<16xf32>
  return %0 : vector<16xf32>
}

// CHECK-LABEL: func.func @left_alone
// CHECK:         math.exp %{{.*}} : f64
// CHECK:         math.sqrt %{{.*}} : f32
// CHECK:         math.tanh %{{.*}} : f32
func.func @left_alone(%x: f64, %y: f32) -> (f64, f32, f32) {
  %0 = math.exp %x : f64
  %1 = math.sqrt %y : f32
  %2 = math.tanh %y : f32
  return %0, %1, %2 : f64, f32, f32
}

// erf on a vector of f64 (an f64 GELU): one scalar erf per element, for
// libm calls later; math-to-libm would split it after the vector lowering,
// leaving vector ops nothing lowers.
// CHECK-LABEL: func.func @erf_f64_vector
// CHECK-COUNT-3: math.erf %{{.*}} : f64
// CHECK:         %[[E:.*]] = vector.from_elements %{{.*}}, %{{.*}}, %{{.*}} : vector<3xf64>
// CHECK:         vector.shape_cast %[[E]] : vector<3xf64> to vector<1x3xf64>
// CHECK-NOT:     math.erf
func.func @erf_f64_vector(%x: vector<1x3xf64>) -> vector<1x3xf64> {
  %0 = math.erf %x : vector<1x3xf64>
  return %0 : vector<1x3xf64>
}
