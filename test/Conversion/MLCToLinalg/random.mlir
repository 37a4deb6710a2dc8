// RUN: mlc-opt %s --mlc-to-linalg | FileCheck %s

// The key is mixed once per call from the state's bits and the stream;
// each element mixes the key with its row-major index, keeps the top 24
// bits as a number in [0, 1) and compares it with the rate. The CPU
// schedule vectorizes the rows (mlc.outer_loops).
// CHECK-LABEL: func.func @mask
// CHECK:         %[[S0:.*]] = tensor.extract %{{.*}}[%c0] : tensor<2xf32>
// CHECK:         arith.bitcast %[[S0]] : f32 to i32
// CHECK:         arith.shli
// CHECK:         arith.ori
// CHECK:         %[[K:.*]] = arith.xori
// CHECK:         linalg.generic {{.*}} iterator_types = ["parallel", "parallel"]} outs(%{{.*}} : tensor<?x5xf32>) attrs = {mlc.outer_loops = 1 : i64}
// CHECK:           linalg.index 0
// CHECK:           linalg.index 1
// CHECK:           arith.muli
// CHECK:           arith.shrui %{{.*}}, %{{.*}} : i64
// CHECK:           arith.trunci %{{.*}} : i64 to i32
// CHECK:           arith.sitofp %{{.*}} : i32 to f32
// CHECK:           arith.cmpf oge, %{{.*}}, %{{.*}} : f32
// CHECK:           arith.constant 1.33333337 : f32
// CHECK:           arith.select
func.func @mask(%s: tensor<2xf32>, %x: tensor<?x5xf32>) -> tensor<?x5xf32> {
  %m = mlc.dropout_mask %s, %x {rate = 0.25, stream = 2} : tensor<2xf32>, tensor<?x5xf32> -> tensor<?x5xf32>
  return %m : tensor<?x5xf32>
}
