// RUN: mlc-opt %s --pass-pipeline='builtin.module(func.func(mlc-widen-channels{vector-bits=256}))' -split-input-file | FileCheck %s

// A batch norm's normalization over 6 channels: 4 pixels make 24 floats,
// 3 vectors of 8; 28 pixels (168 floats) is the most that divides the 28
// pixels of each image. The per-channel scale is repeated 28 times.
// CHECK-LABEL: func.func @normalize
// CHECK-SAME:    (%[[X:.*]]: tensor<?x4x7x6xf32>, %[[S:.*]]: tensor<6xf32>
// CHECK-DAG:     %[[REP:.*]] = linalg.generic {{.*}} ins(%[[S]] : tensor<6xf32>) outs(%{{.*}} : tensor<28x6xf32>)
// CHECK-DAG:     %[[SR:.*]] = tensor.collapse_shape %[[REP]] {{\[\[}}0, 1]] : tensor<28x6xf32> into tensor<168xf32>
// CHECK-DAG:     %[[XF:.*]] = tensor.collapse_shape %[[X]] {{\[\[}}0], [1, 2, 3]] : tensor<?x4x7x6xf32> into tensor<?x168xf32>
// CHECK-DAG:     %[[XR:.*]] = tensor.expand_shape %[[XF]] {{\[\[}}0], [1, 2]] {{.*}} into tensor<?x1x168xf32>
// CHECK:         %[[R:.*]] = linalg.generic {{.*}} iterator_types = ["parallel", "parallel", "parallel"]} ins(%[[XR]], %[[SR]] : tensor<?x1x168xf32>, tensor<168xf32>) outs(%{{.*}} : tensor<?x1x168xf32>)
// CHECK:           arith.mulf
// CHECK:         %[[RF:.*]] = tensor.collapse_shape %[[R]] {{\[\[}}0], [1, 2]] : tensor<?x1x168xf32> into tensor<?x168xf32>
// CHECK:         %[[Y:.*]] = tensor.expand_shape %[[RF]] {{\[\[}}0], [1, 2, 3]] {{.*}} into tensor<?x4x7x6xf32>
// CHECK:         return %[[Y]]
#full = affine_map<(n, h, w, c) -> (n, h, w, c)>
#chan = affine_map<(n, h, w, c) -> (c)>
func.func @normalize(%x: tensor<?x4x7x6xf32>, %s: tensor<6xf32>, %init: tensor<?x4x7x6xf32>) -> tensor<?x4x7x6xf32> {
  %0 = linalg.generic {indexing_maps = [#full, #chan, #full], iterator_types = ["parallel", "parallel", "parallel", "parallel"]} ins(%x, %s : tensor<?x4x7x6xf32>, tensor<6xf32>) outs(%init : tensor<?x4x7x6xf32>) {
  ^bb0(%a: f32, %b: f32, %o: f32):
    %m = arith.mulf %a, %b : f32
    linalg.yield %m : f32
  } -> tensor<?x4x7x6xf32>
  return %0 : tensor<?x4x7x6xf32>
}

// -----

// Per-channel sums over the batch and 4 x 5 pixels ([1, 1, 1, 6], as a
// kernel-gradient-shaped batch norm gradient has them, broadcast as
// (0, 0, 0, c)): 20 pixels of 6 channels make rows of 120 partial sums
// from zero, added into the output per channel after.
// CHECK-LABEL: func.func @channel_sums
// CHECK-SAME:    (%[[X:.*]]: tensor<?x4x5x6xf32>, %[[M:.*]]: tensor<1x1x1x6xf32>, %[[INIT:.*]]: tensor<1x1x1x6xf32>)
// CHECK-DAG:     %[[MF:.*]] = tensor.collapse_shape %[[M]] {{\[\[}}0, 1, 2, 3]] : tensor<1x1x1x6xf32> into tensor<6xf32>
// CHECK-DAG:     linalg.generic {{.*}} ins(%[[MF]] : tensor<6xf32>) outs(%{{.*}} : tensor<20x6xf32>)
// CHECK-DAG:     %[[ZERO:.*]] = linalg.fill ins(%{{.*}} : f32) outs(%{{.*}} : tensor<120xf32>)
// CHECK:         %[[P:.*]] = linalg.generic {{.*}} iterator_types = ["reduction", "reduction", "parallel"]} ins({{.*}} : tensor<?x1x120xf32>, tensor<120xf32>) outs(%[[ZERO]] : tensor<120xf32>)
// CHECK:           arith.subf
// CHECK:           arith.mulf
// CHECK:           arith.addf
// CHECK:         %[[PE:.*]] = tensor.expand_shape %[[P]] {{\[\[}}0, 1]] output_shape [20, 6] : tensor<120xf32> into tensor<20x6xf32>
// CHECK:         %[[IF:.*]] = tensor.collapse_shape %[[INIT]] {{\[\[}}0, 1, 2, 3]] : tensor<1x1x1x6xf32> into tensor<6xf32>
// CHECK:         %[[S:.*]] = linalg.generic {{.*}} iterator_types = ["reduction", "parallel"]} ins(%[[PE]] : tensor<20x6xf32>) outs(%[[IF]] : tensor<6xf32>)
// CHECK:           arith.addf
// CHECK:         %[[R:.*]] = tensor.expand_shape %[[S]] {{\[\[}}0, 1, 2, 3]] output_shape [1, 1, 1, 6] : tensor<6xf32> into tensor<1x1x1x6xf32>
// CHECK:         return %[[R]]
#full = affine_map<(n, h, w, c) -> (n, h, w, c)>
#bcast = affine_map<(n, h, w, c) -> (0, 0, 0, c)>
func.func @channel_sums(%x: tensor<?x4x5x6xf32>, %m: tensor<1x1x1x6xf32>, %init: tensor<1x1x1x6xf32>) -> tensor<1x1x1x6xf32> {
  %0 = linalg.generic {indexing_maps = [#full, #bcast, #bcast], iterator_types = ["reduction", "reduction", "reduction", "parallel"]} ins(%x, %m : tensor<?x4x5x6xf32>, tensor<1x1x1x6xf32>) outs(%init : tensor<1x1x1x6xf32>) {
  ^bb0(%a: f32, %b: f32, %o: f32):
    %d = arith.subf %a, %b : f32
    %sq = arith.mulf %d, %d : f32
    %s = arith.addf %o, %sq : f32
    linalg.yield %s : f32
  } -> tensor<1x1x1x6xf32>
  return %0 : tensor<1x1x1x6xf32>
}

// -----

// What the body computes from per-channel operands alone (a batch norm's
// gamma over its standard deviation) is computed once per channel, in the
// op that repeats it, not once per element.
// CHECK-LABEL: func.func @per_channel_part
// CHECK-SAME:    (%[[X:.*]]: tensor<?x4x7x6xf32>, %[[G:.*]]: tensor<6xf32>, %[[S:.*]]: tensor<6xf32>
// CHECK:         %[[R:.*]] = linalg.generic {{.*}} ins(%[[G]], %[[S]] : tensor<6xf32>, tensor<6xf32>) outs(%{{.*}} : tensor<28x6xf32>)
// CHECK:           arith.divf
// CHECK:         %[[RF:.*]] = tensor.collapse_shape %[[R]]
// CHECK:         linalg.generic {{.*}} ins(%{{.*}}, %[[RF]] : tensor<?x1x168xf32>, tensor<168xf32>)
// CHECK-NOT:       arith.divf
// CHECK:           arith.mulf
// CHECK-NOT:       arith.divf
// CHECK:         return
#full = affine_map<(n, h, w, c) -> (n, h, w, c)>
#chan = affine_map<(n, h, w, c) -> (c)>
func.func @per_channel_part(%x: tensor<?x4x7x6xf32>, %g: tensor<6xf32>, %s: tensor<6xf32>, %init: tensor<?x4x7x6xf32>) -> tensor<?x4x7x6xf32> {
  %0 = linalg.generic {indexing_maps = [#full, #chan, #chan, #full], iterator_types = ["parallel", "parallel", "parallel", "parallel"]} ins(%x, %g, %s : tensor<?x4x7x6xf32>, tensor<6xf32>, tensor<6xf32>) outs(%init : tensor<?x4x7x6xf32>) {
  ^bb0(%a: f32, %b: f32, %c: f32, %o: f32):
    %q = arith.divf %b, %c : f32
    %m = arith.mulf %a, %q : f32
    linalg.yield %m : f32
  } -> tensor<?x4x7x6xf32>
  return %0 : tensor<?x4x7x6xf32>
}

// -----

// Whole tensors only: one row of every pixel, whether or not it is whole
// vectors (25 x 6 = 150 floats).
// CHECK-LABEL: func.func @relu_gradient
// CHECK:         linalg.generic {{.*}} ins({{.*}} : tensor<?x1x150xf32>, tensor<?x1x150xf32>) outs({{.*}} : tensor<?x1x150xf32>)
#full = affine_map<(n, h, w, c) -> (n, h, w, c)>
func.func @relu_gradient(%g: tensor<?x5x5x6xf32>, %y: tensor<?x5x5x6xf32>, %init: tensor<?x5x5x6xf32>) -> tensor<?x5x5x6xf32> {
  %0 = linalg.generic {indexing_maps = [#full, #full, #full], iterator_types = ["parallel", "parallel", "parallel", "parallel"]} ins(%g, %y : tensor<?x5x5x6xf32>, tensor<?x5x5x6xf32>) outs(%init : tensor<?x5x5x6xf32>) {
  ^bb0(%a: f32, %b: f32, %o: f32):
    %zero = arith.constant 0.0 : f32
    %p = arith.cmpf ogt, %b, %zero : f32
    %r = arith.select %p, %a, %zero : f32
    linalg.yield %r : f32
  } -> tensor<?x5x5x6xf32>
  return %0 : tensor<?x5x5x6xf32>
}

// -----

// Left alone: channels a whole number of vectors; a per-channel maximum
// (not a sum); an op that reads its indices; a per-channel operand when
// no k * 6 up to 512 divides the pixels (5 x 5: k would be a multiple
// of 4).
// CHECK-LABEL: func.func @left_alone
// CHECK-NOT:     tensor.collapse_shape
// CHECK:         linalg.generic {{.*}} ins({{.*}} : tensor<?x4x4x8xf32>, tensor<8xf32>)
// CHECK:         linalg.generic {{.*}} ins({{.*}} : tensor<?x4x4x6xf32>) outs({{.*}} : tensor<6xf32>)
// CHECK:           arith.maximumf
// CHECK:         linalg.generic {{.*}} ins({{.*}} : tensor<?x4x4x6xf32>) outs({{.*}} : tensor<?x4x4x6xf32>)
// CHECK:           linalg.index 3
// CHECK:         linalg.generic {{.*}} ins({{.*}} : tensor<?x5x5x6xf32>, tensor<6xf32>)
// CHECK-NOT:     tensor.collapse_shape
// CHECK:         return
#full = affine_map<(n, h, w, c) -> (n, h, w, c)>
#chan = affine_map<(n, h, w, c) -> (c)>
func.func @left_alone(%a: tensor<?x4x4x8xf32>, %s8: tensor<8xf32>, %b: tensor<?x4x4x6xf32>, %m: tensor<6xf32>, %c: tensor<?x5x5x6xf32>, %s6: tensor<6xf32>) -> (tensor<?x4x4x8xf32>, tensor<6xf32>, tensor<?x4x4x6xf32>, tensor<?x5x5x6xf32>) {
  %0 = linalg.generic {indexing_maps = [#full, #chan, #full], iterator_types = ["parallel", "parallel", "parallel", "parallel"]} ins(%a, %s8 : tensor<?x4x4x8xf32>, tensor<8xf32>) outs(%a : tensor<?x4x4x8xf32>) {
  ^bb0(%x: f32, %y: f32, %o: f32):
    %r = arith.addf %x, %y : f32
    linalg.yield %r : f32
  } -> tensor<?x4x4x8xf32>
  %1 = linalg.generic {indexing_maps = [#full, #chan], iterator_types = ["reduction", "reduction", "reduction", "parallel"]} ins(%b : tensor<?x4x4x6xf32>) outs(%m : tensor<6xf32>) {
  ^bb0(%x: f32, %o: f32):
    %r = arith.maximumf %o, %x : f32
    linalg.yield %r : f32
  } -> tensor<6xf32>
  %2 = linalg.generic {indexing_maps = [#full, #full], iterator_types = ["parallel", "parallel", "parallel", "parallel"]} ins(%b : tensor<?x4x4x6xf32>) outs(%b : tensor<?x4x4x6xf32>) {
  ^bb0(%x: f32, %o: f32):
    %i = linalg.index 3 : index
    %j = arith.index_cast %i : index to i32
    %f = arith.sitofp %j : i32 to f32
    %r = arith.addf %x, %f : f32
    linalg.yield %r : f32
  } -> tensor<?x4x4x6xf32>
  %3 = linalg.generic {indexing_maps = [#full, #chan, #full], iterator_types = ["parallel", "parallel", "parallel", "parallel"]} ins(%c, %s6 : tensor<?x5x5x6xf32>, tensor<6xf32>) outs(%c : tensor<?x5x5x6xf32>) {
  ^bb0(%x: f32, %y: f32, %o: f32):
    %r = arith.addf %x, %y : f32
    linalg.yield %r : f32
  } -> tensor<?x5x5x6xf32>
  return %0, %1, %2, %3 : tensor<?x4x4x8xf32>, tensor<6xf32>, tensor<?x4x4x6xf32>, tensor<?x5x5x6xf32>
}
