// RUN: mlc-opt %s --mlc-to-linalg --split-input-file | FileCheck %s

// The input goes into a zero-padded tensor (an insert, no per-element
// loop), then one multiply-accumulate generic over (n, i, j, a, b, c, o)
// reads it at i*stride + a, with the output channel innermost.
// CHECK-DAG: #[[X:.*]] = affine_map<(d0, d1, d2, d3, d4, d5, d6) -> (d0, d1 * 2 + d3, d2 * 2 + d4, d5)>
// CHECK-DAG: #[[K:.*]] = affine_map<(d0, d1, d2, d3, d4, d5, d6) -> (d3, d4, d5, d6)>
// CHECK-DAG: #[[Y:.*]] = affine_map<(d0, d1, d2, d3, d4, d5, d6) -> (d0, d1, d2, d6)>
// CHECK-LABEL: func.func @conv
// CHECK:         %[[P:.*]] = linalg.fill {{.*}} -> tensor<?x11x9x3xf32>
// CHECK:         %[[XP:.*]] = tensor.insert_slice %{{.*}} into %[[P]][0, 1, 1, 0] [%{{.*}}, 9, 8, 3] [1, 1, 1, 1]
// CHECK:         linalg.generic {indexing_maps = [#[[X]], #[[K]], #[[Y]]], iterator_types = ["parallel", "parallel", "parallel", "reduction", "reduction", "reduction", "parallel"]}
// CHECK-SAME:      ins(%[[XP]], %{{.*}} : tensor<?x11x9x3xf32>, tensor<3x3x3x8xf32>)
// CHECK:           arith.mulf
// CHECK:           arith.addf
func.func @conv(%x: tensor<?x9x8x3xf32>, %k: tensor<3x3x3x8xf32>) -> tensor<?x5x4x8xf32> {
  %r = mlc.conv %x, %k {strides = array<i64: 2, 2>, pads = array<i64: 1, 1, 1, 0>} : (tensor<?x9x8x3xf32>, tensor<3x3x3x8xf32>) -> tensor<?x5x4x8xf32>
  return %r : tensor<?x5x4x8xf32>
}

// -----

// The input gradient is a stride-1 convolution of the result gradient,
// spread `stride` apart inside pads of the kernel's extent, with the
// kernel flipped in space and its channels swapped.
// CHECK-DAG: #[[FLIP:.*]] = affine_map<(d0, d1, d2, d3) -> (-d0 + 2, -d1 + 2, d3, d2)>
// CHECK-DAG: #[[G:.*]] = affine_map<(d0, d1, d2, d3, d4, d5, d6) -> (d0, d1 + d3, d2 + d4, d5)>
// CHECK-LABEL: func.func @conv_input_grad
// CHECK:         %[[P:.*]] = linalg.fill {{.*}} -> tensor<?x11x10x8xf32>
// CHECK:         %[[GP:.*]] = tensor.insert_slice %{{.*}} into %[[P]][0, 1, 1, 0] [%{{.*}}, 5, 4, 8] [1, 2, 2, 1]
// CHECK:         %[[KF:.*]] = linalg.generic {indexing_maps = [#[[FLIP]], #{{.*}}]{{.*}} ins(%{{.*}} : tensor<3x3x3x8xf32>) outs(%{{.*}} : tensor<3x3x8x3xf32>)
// CHECK:         linalg.generic {indexing_maps = [#[[G]], #{{.*}}, #{{.*}}], iterator_types = ["parallel", "parallel", "parallel", "reduction", "reduction", "reduction", "parallel"]}
// CHECK-SAME:      ins(%[[GP]], %[[KF]] : tensor<?x11x10x8xf32>, tensor<3x3x8x3xf32>)
func.func @conv_input_grad(%g: tensor<?x5x4x8xf32>, %k: tensor<3x3x3x8xf32>) -> tensor<?x9x8x3xf32> {
  %r = mlc.conv_input_grad %g, %k {strides = array<i64: 2, 2>, pads = array<i64: 1, 1, 1, 0>} : (tensor<?x5x4x8xf32>, tensor<3x3x3x8xf32>) -> tensor<?x9x8x3xf32>
  return %r : tensor<?x9x8x3xf32>
}

// -----

// The kernel gradient reduces over (n, i, j) of the padded input times the
// result gradient, loops (a, b, n, i, j, c, o).
// CHECK-DAG: #[[X:.*]] = affine_map<(d0, d1, d2, d3, d4, d5, d6) -> (d2, d3 * 2 + d0 * 2, d1 + d4, d5)>
// CHECK-DAG: #[[G:.*]] = affine_map<(d0, d1, d2, d3, d4, d5, d6) -> (d2, d3, d4, d6)>
// CHECK-DAG: #[[K:.*]] = affine_map<(d0, d1, d2, d3, d4, d5, d6) -> (d0, d1, d5, d6)>
// CHECK-LABEL: func.func @conv_filter_grad
// CHECK:         linalg.generic {indexing_maps = [#[[X]], #[[G]], #[[K]]], iterator_types = ["parallel", "parallel", "reduction", "reduction", "reduction", "parallel", "parallel"]}
// CHECK-SAME:      outs(%{{.*}} : tensor<2x3x3x8xf32>)
func.func @conv_filter_grad(%x: tensor<?x9x8x3xf32>, %g: tensor<?x4x6x8xf32>) -> tensor<2x3x3x8xf32> {
  %r = mlc.conv_filter_grad %x, %g {strides = array<i64: 2, 1>, dilations = array<i64: 2, 1>} : (tensor<?x9x8x3xf32>, tensor<?x4x6x8xf32>) -> tensor<2x3x3x8xf32>
  return %r : tensor<2x3x3x8xf32>
}

// -----

// Pooling is unrolled over the window: one op reads a strided slice per
// window offset and folds them with std::max's `acc < next ? next : acc`
// (one vmaxps); marked mlc.outer_loops for the CPU schedule.
// CHECK-LABEL: func.func @max_pool
// CHECK:         %[[S0:.*]] = tensor.extract_slice %{{.*}}[0, 0, 0, 0] [%{{.*}}, 2, 3, 3] [1, 2, 2, 1]
// CHECK:         %[[S1:.*]] = tensor.extract_slice %{{.*}}[0, 0, 1, 0] [%{{.*}}, 2, 3, 3] [1, 2, 2, 1]
// CHECK:         %[[S2:.*]] = tensor.extract_slice %{{.*}}[0, 1, 0, 0] [%{{.*}}, 2, 3, 3] [1, 2, 2, 1]
// CHECK:         %[[S3:.*]] = tensor.extract_slice %{{.*}}[0, 1, 1, 0] [%{{.*}}, 2, 3, 3] [1, 2, 2, 1]
// CHECK:         linalg.generic {{.*}} ins(%[[S0]], %[[S1]], %[[S2]], %[[S3]] : {{.*}} attrs = {mlc.outer_loops = 3 : i64}
// CHECK-COUNT-3:   arith.cmpf olt
// CHECK-NOT:     linalg.generic
func.func @max_pool(%x: tensor<?x4x6x3xf32>) -> tensor<?x2x3x3xf32> {
  %r = mlc.max_pool %x {window = array<i64: 2, 2>, strides = array<i64: 2, 2>} : tensor<?x4x6x3xf32> -> tensor<?x2x3x3xf32>
  return %r : tensor<?x2x3x3xf32>
}

// -----

// Average pooling with pads: the padded positions (zeros) are left out of
// each window's count, a constant per output position.
// CHECK-LABEL: func.func @avg_pool
// CHECK:         tensor.insert_slice %{{.*}}[0, 1, 0, 0] [%{{.*}}, 5, 4, 2] [1, 1, 1, 1] : tensor<?x5x4x2xf32> into tensor<?x7x5x2xf32>
// CHECK:         arith.constant dense<{{\[\[}}4.000000e+00, 4.000000e+00, 4.000000e+00, 2.000000e+00], [6.000000e+00, {{.*}} : tensor<3x4xf32>
// CHECK:         linalg.generic
// CHECK-COUNT-5:   arith.addf
// CHECK:           arith.divf
func.func @avg_pool(%x: tensor<?x5x4x2xf32>) -> tensor<?x3x4x2xf32> {
  %r = mlc.avg_pool %x {window = array<i64: 3, 2>, strides = array<i64: 2, 1>, pads = array<i64: 1, 1, 0, 1>} : tensor<?x5x4x2xf32> -> tensor<?x3x4x2xf32>
  return %r : tensor<?x3x4x2xf32>
}

// -----

// The gradient of max pooling of windows that tile the input (stride =
// window, no pads): one op over (n, window row, window column, a, b, c),
// writing a [n, 2, 2, 3, 2, c] view of the gradient: each window's maximum,
// then the gradient to the first offset equal to it (earlier equal ones
// block later ones), each element taking its own offset's (a * 2 + b).
// CHECK-DAG: #[[POOLED:.*]] = affine_map<(d0, d1, d2, d3, d4, d5) -> (d0, d1, d2, d5)>
// CHECK-DAG: #[[VIEW:.*]] = affine_map<(d0, d1, d2, d3, d4, d5) -> (d0, d1, d3, d2, d4, d5)>
// CHECK-LABEL: func.func @max_pool_grad
// CHECK:         %[[E:.*]] = tensor.empty(%{{.*}}) : tensor<?x4x6x3xf32>
// CHECK:         %[[V:.*]] = tensor.expand_shape %[[E]] {{\[\[}}0], [1, 2], [3, 4], [5]] {{.*}} into tensor<?x2x2x3x2x3xf32>
// CHECK:         %[[G:.*]] = linalg.generic {indexing_maps = [#[[POOLED]], #[[POOLED]], #[[POOLED]], #[[POOLED]], #[[POOLED]], #[[VIEW]]]{{.*}} outs(%[[V]] : tensor<?x2x2x3x2x3xf32>) attrs = {mlc.outer_loops = 3 : i64}
// CHECK-COUNT-3:   arith.cmpf olt
// CHECK:           arith.cmpf oeq
// CHECK:           arith.xori
// CHECK:           arith.andi
// CHECK:           linalg.index 3
// CHECK:           linalg.index 4
// CHECK-COUNT-3:   arith.cmpi eq
// CHECK:         tensor.collapse_shape %[[G]] {{\[\[}}0], [1, 2], [3, 4], [5]] : tensor<?x2x2x3x2x3xf32> into tensor<?x4x6x3xf32>
// CHECK-NOT:     tensor.insert_slice
func.func @max_pool_grad(%g: tensor<?x2x3x3xf32>, %x: tensor<?x4x6x3xf32>) -> tensor<?x4x6x3xf32> {
  %r = mlc.max_pool_grad %g, %x {window = array<i64: 2, 2>, strides = array<i64: 2, 2>} : (tensor<?x2x3x3xf32>, tensor<?x4x6x3xf32>) -> tensor<?x4x6x3xf32>
  return %r : tensor<?x4x6x3xf32>
}

// -----

// Depthwise: on a [..., C, M] view of the output channels, the input
// channel innermost; the result collapses back to C * M channels.
// CHECK-DAG: #[[X:.*]] = affine_map<(d0, d1, d2, d3, d4, d5, d6) -> (d0, d1 + d3, d2 + d4, d6)>
// CHECK-DAG: #[[K:.*]] = affine_map<(d0, d1, d2, d3, d4, d5, d6) -> (d3, d4, d6, d5)>
// CHECK-DAG: #[[Y:.*]] = affine_map<(d0, d1, d2, d3, d4, d5, d6) -> (d0, d1, d2, d6, d5)>
// CHECK-LABEL: func.func @depthwise
// CHECK:         %[[Y5:.*]] = linalg.generic {indexing_maps = [#[[X]], #[[K]], #[[Y]]], iterator_types = ["parallel", "parallel", "parallel", "reduction", "reduction", "parallel", "parallel"]}
// CHECK-SAME:      outs(%{{.*}} : tensor<?x6x6x3x2xf32>) attrs = {mlc.conv = "depthwise"}
// CHECK:         tensor.collapse_shape %[[Y5]] {{\[\[}}0], [1], [2], [3, 4]] : tensor<?x6x6x3x2xf32> into tensor<?x6x6x6xf32>
func.func @depthwise(%x: tensor<?x8x8x3xf32>, %k: tensor<3x3x3x2xf32>) -> tensor<?x6x6x6xf32> {
  %r = mlc.depthwise_conv %x, %k : (tensor<?x8x8x3xf32>, tensor<3x3x3x2xf32>) -> tensor<?x6x6x6xf32>
  return %r : tensor<?x6x6x6xf32>
}

// -----

// Overlapping windows add each offset's share into a strided slice of the
// padded gradient, in place.
// CHECK-LABEL: func.func @max_pool_grad_overlapping
// CHECK:         linalg.fill {{.*}} -> tensor<?x7x7x2xf32>
// CHECK:         %[[DX:.*]] = linalg.fill {{.*}} -> tensor<?x7x7x2xf32>
// CHECK-NOT:     linalg.fill
// CHECK:         %[[PART:.*]] = tensor.extract_slice %[[DX]][0, 0, 0, 0] [%{{.*}}, 3, 3, 2] [1, 2, 2, 1]
// CHECK:         %[[SUM:.*]] = linalg.generic {{.*}} outs(%[[PART]] : tensor<?x3x3x2xf32>)
// CHECK:         tensor.insert_slice %[[SUM]] into %[[DX]][0, 0, 0, 0] [%{{.*}}, 3, 3, 2] [1, 2, 2, 1]
// CHECK-COUNT-8: tensor.insert_slice
// CHECK:         tensor.extract_slice %{{.*}}[0, 1, 1, 0] [%{{.*}}, 5, 5, 2] [1, 1, 1, 1]
func.func @max_pool_grad_overlapping(%g: tensor<?x3x3x2xf32>, %x: tensor<?x5x5x2xf32>) -> tensor<?x5x5x2xf32> {
  %r = mlc.max_pool_grad %g, %x {window = array<i64: 3, 3>, strides = array<i64: 2, 2>, pads = array<i64: 1, 1, 1, 1>} : (tensor<?x3x3x2xf32>, tensor<?x5x5x2xf32>) -> tensor<?x5x5x2xf32>
  return %r : tensor<?x5x5x2xf32>
}

// -----

// Average pooling's gradient of tiling windows: one op, every offset of
// a window its gradient over the window's count (4).
// CHECK-DAG: #[[COUNTS:.*]] = affine_map<(d0, d1, d2, d3, d4, d5) -> (d1, d2)>
// CHECK-LABEL: func.func @avg_pool_grad
// CHECK:         arith.constant dense<4.000000e+00> : tensor<2x3xf32>
// CHECK:         linalg.generic {indexing_maps = [#{{.*}}, #[[COUNTS]], #{{.*}}]{{.*}} outs(%{{.*}} : tensor<?x2x2x3x2x3xf32>) attrs = {mlc.outer_loops = 3 : i64}
// CHECK:           arith.divf
// CHECK:         tensor.collapse_shape
// CHECK-NOT:     tensor.insert_slice
func.func @avg_pool_grad(%g: tensor<?x2x3x3xf32>) -> tensor<?x4x6x3xf32> {
  %r = mlc.avg_pool_grad %g {window = array<i64: 2, 2>, strides = array<i64: 2, 2>} : (tensor<?x2x3x3xf32>) -> tensor<?x4x6x3xf32>
  return %r : tensor<?x4x6x3xf32>
}

// -----

// Depthwise gradients: the input's over the result gradient spread into
// pads of the window with the kernel flipped, the kernel's over the
// batch; both on the [..., C, M] view.
// CHECK-LABEL: func.func @depthwise_grads
// CHECK:         tensor.expand_shape %{{.*}} {{\[\[}}0], [1], [2], [3, 4]] {{.*}} : tensor<?x6x6x6xf32> into tensor<?x6x6x3x2xf32>
// CHECK:         tensor.insert_slice %{{.*}} into %{{.*}}[0, 2, 2, 0, 0] [%{{.*}}, 6, 6, 3, 2] [1, 1, 1, 1, 1]
// CHECK:         linalg.generic {{.*}} iterator_types = ["parallel", "parallel", "parallel", "reduction", "reduction", "reduction", "parallel"]{{.*}} outs(%{{.*}} : tensor<?x8x8x3xf32>) attrs = {mlc.conv = "depthwise"}
// CHECK:         linalg.generic {{.*}} iterator_types = ["parallel", "parallel", "reduction", "reduction", "reduction", "parallel", "parallel"]{{.*}} outs(%{{.*}} : tensor<3x3x3x2xf32>) attrs = {mlc.conv = "depthwise"}
func.func @depthwise_grads(%x: tensor<?x8x8x3xf32>, %g: tensor<?x6x6x6xf32>, %k: tensor<3x3x3x2xf32>) -> (tensor<?x8x8x3xf32>, tensor<3x3x3x2xf32>) {
  %dx = mlc.depthwise_conv_input_grad %g, %k : (tensor<?x6x6x6xf32>, tensor<3x3x3x2xf32>) -> tensor<?x8x8x3xf32>
  %dk = mlc.depthwise_conv_filter_grad %x, %g : (tensor<?x8x8x3xf32>, tensor<?x6x6x6xf32>) -> tensor<3x3x3x2xf32>
  return %dx, %dk : tensor<?x8x8x3xf32>, tensor<3x3x3x2xf32>
}
