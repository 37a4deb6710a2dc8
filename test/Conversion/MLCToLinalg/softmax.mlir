// RUN: mlc-opt %s --mlc-to-linalg --split-input-file | FileCheck %s

// Softmax reads its row twice: one pass keeps the running max m and
// s = sum(exp(x - m)) (rescaled by exp(m_old - m_new) when m grows), the
// second writes exp(x - m) / s. No third pass, no overflow.
// CHECK-DAG: #[[ID:.*]] = affine_map<(d0, d1) -> (d0, d1)>
// CHECK-DAG: #[[ROW:.*]] = affine_map<(d0, d1) -> (d0)>
// CHECK-LABEL: func.func @softmax
// CHECK-SAME:    (%[[X:.*]]: tensor<?x10xf32>)
// CHECK:         %[[STATS:.*]]:2 = linalg.generic {indexing_maps = [#[[ID]], #[[ROW]], #[[ROW]]], iterator_types = ["parallel", "reduction"]} ins(%[[X]] : tensor<?x10xf32>)
// CHECK:           %[[M:.*]] = arith.maximumf
// CHECK:           arith.subf %{{.*}}, %[[M]]
// CHECK:           math.exp
// CHECK:           math.exp
// CHECK:           linalg.yield %[[M]], %{{.*}} : f32, f32
// CHECK:         linalg.generic {indexing_maps = [#[[ID]], #[[ROW]], #[[ROW]], #[[ID]]], iterator_types = ["parallel", "parallel"]} ins(%[[X]], %[[STATS]]#0, %[[STATS]]#1
// CHECK:           %[[SH:.*]] = arith.subf
// CHECK:           %[[E:.*]] = math.exp %[[SH]]
// CHECK:           arith.divf %[[E]]
// CHECK-NOT:     linalg.generic
func.func @softmax(%x: tensor<?x10xf32>) -> tensor<?x10xf32> {
  %r = mlc.softmax %x : tensor<?x10xf32>
  return %r : tensor<?x10xf32>
}

// -----

// log_softmax = x - m - log(s), same two passes; axis 0 reduces over rows.
// CHECK-DAG: #[[COLS:.*]] = affine_map<(d0, d1) -> (d1)>
// CHECK-LABEL: func.func @log_softmax_axis0
// CHECK:         linalg.generic {indexing_maps = [#{{.*}}, #[[COLS]], #[[COLS]]], iterator_types = ["reduction", "parallel"]}
// CHECK:         linalg.generic
// CHECK:           %[[SH:.*]] = arith.subf
// CHECK:           %[[L:.*]] = math.log
// CHECK:           arith.subf %[[SH]], %[[L]]
func.func @log_softmax_axis0(%x: tensor<?x10xf32>) -> tensor<?x10xf32> {
  %r = mlc.log_softmax %x {axis = 0} : tensor<?x10xf32>
  return %r : tensor<?x10xf32>
}
