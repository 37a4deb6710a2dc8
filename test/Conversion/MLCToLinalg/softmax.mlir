// RUN: mlc-opt %s --mlc-to-linalg --split-input-file | FileCheck %s

// Softmax: one pass for the row max m, one for s = sum(exp(x - m)), one
// that writes exp(x - m) / s. One exp per element in each of the last two
// (a running-max single pass would need a second exp to rescale s). No
// overflow.
// CHECK-DAG: #[[ID:.*]] = affine_map<(d0, d1) -> (d0, d1)>
// CHECK-DAG: #[[ROW:.*]] = affine_map<(d0, d1) -> (d0)>
// CHECK-LABEL: func.func @softmax
// CHECK-SAME:    (%[[X:.*]]: tensor<?x10xf32>)
// CHECK:         %[[MAX:.*]] = linalg.generic {indexing_maps = [#[[ID]], #[[ROW]]], iterator_types = ["parallel", "reduction"]} ins(%[[X]] : tensor<?x10xf32>)
// CHECK-NEXT:    ^bb0(%[[V:.*]]: f32, %[[ACC:.*]]: f32):
// CHECK-NEXT:      %[[M:.*]] = arith.maximumf %[[ACC]], %[[V]]
// CHECK-NEXT:      linalg.yield %[[M]] : f32
// CHECK:         %[[SUM:.*]] = linalg.generic {indexing_maps = [#[[ID]], #[[ROW]], #[[ROW]]], iterator_types = ["parallel", "reduction"]} ins(%[[X]], %[[MAX]] : tensor<?x10xf32>, tensor<?xf32>)
// CHECK-NEXT:    ^bb0(%[[V2:.*]]: f32, %[[M2:.*]]: f32, %[[S:.*]]: f32):
// CHECK-NEXT:      %[[D:.*]] = arith.subf %[[V2]], %[[M2]]
// CHECK-NEXT:      %[[E:.*]] = math.exp %[[D]]
// CHECK-NEXT:      %[[NS:.*]] = arith.addf %[[S]], %[[E]]
// CHECK-NEXT:      linalg.yield %[[NS]] : f32
// CHECK:         linalg.generic {indexing_maps = [#[[ID]], #[[ROW]], #[[ROW]], #[[ID]]], iterator_types = ["parallel", "parallel"]} ins(%[[X]], %[[MAX]], %[[SUM]]
// CHECK:           %[[SH:.*]] = arith.subf
// CHECK:           %[[E2:.*]] = math.exp %[[SH]]
// CHECK:           arith.divf %[[E2]]
// CHECK-NOT:     linalg.generic
func.func @softmax(%x: tensor<?x10xf32>) -> tensor<?x10xf32> {
  %r = mlc.softmax %x : tensor<?x10xf32>
  return %r : tensor<?x10xf32>
}

// -----

// log_softmax = x - m - log(s), the same passes; axis 0 reduces over rows.
// CHECK-DAG: #[[COLS:.*]] = affine_map<(d0, d1) -> (d1)>
// CHECK-LABEL: func.func @log_softmax_axis0
// CHECK:         linalg.generic {indexing_maps = [#{{.*}}, #[[COLS]]], iterator_types = ["reduction", "parallel"]}
// CHECK:         linalg.generic {indexing_maps = [#{{.*}}, #[[COLS]], #[[COLS]]], iterator_types = ["reduction", "parallel"]}
// CHECK:           math.exp
// CHECK:         linalg.generic
// CHECK:           %[[SH:.*]] = arith.subf
// CHECK:           %[[L:.*]] = math.log
// CHECK:           arith.subf %[[SH]], %[[L]]
func.func @log_softmax_axis0(%x: tensor<?x10xf32>) -> tensor<?x10xf32> {
  %r = mlc.log_softmax %x {axis = 0} : tensor<?x10xf32>
  return %r : tensor<?x10xf32>
}
