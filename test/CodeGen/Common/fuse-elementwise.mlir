// mlc-fuse-elementwise: a forward value that the backward pass reads again
// still fuses into its consumer, and is computed once (the fused op yields
// it); a fused body stays under the cost cap, so a long chain becomes a
// few bounded loops, not one body of unbounded size (which LLVM's register
// allocator and schedulers take super-linear time on) or N bodies that
// recompute each other's prefixes.
// RUN: mlc-opt %s --split-input-file --mlc-fuse-elementwise | FileCheck %s
// RUN: mlc-opt %s --split-input-file "--mlc-fuse-elementwise=max-body-cost=40" | FileCheck %s --check-prefix=CAP

#id = affine_map<(d0, d1) -> (d0, d1)>

// Three tanh ops whose results the "backward" ops read later: one loop
// that yields all three, with each tanh once.
// CHECK-LABEL: func.func @chain_read_later
// CHECK-COUNT-3: math.tanh
// CHECK-NOT:     math.tanh
// CHECK:         linalg.yield %{{.*}}, %{{.*}}, %{{.*}} : f32, f32, f32
// CHECK-NOT:     math.tanh
// CHECK:         return

// The cap of 40 holds two tanh ops (16 each) per body: two loops.
// CAP-LABEL: func.func @chain_read_later
// CAP:         linalg.generic
// CAP-COUNT-2: math.tanh
// CAP:         linalg.yield
// CAP:         linalg.generic
// CAP:         math.tanh
// CAP:         linalg.yield
// CAP-NOT:     math.tanh
// CAP:         return
func.func @chain_read_later(%x: tensor<?x64xf32>, %g: tensor<?x64xf32>) -> tensor<?x64xf32> {
  %c0 = arith.constant 0 : index
  %n = tensor.dim %x, %c0 : tensor<?x64xf32>
  %e = tensor.empty(%n) : tensor<?x64xf32>
  %h1 = linalg.generic {indexing_maps = [#id, #id], iterator_types = ["parallel", "parallel"]} ins(%x : tensor<?x64xf32>) outs(%e : tensor<?x64xf32>) {
  ^bb0(%in: f32, %out: f32):
    %t = math.tanh %in : f32
    linalg.yield %t : f32
  } -> tensor<?x64xf32>
  %h2 = linalg.generic {indexing_maps = [#id, #id], iterator_types = ["parallel", "parallel"]} ins(%h1 : tensor<?x64xf32>) outs(%e : tensor<?x64xf32>) {
  ^bb0(%in: f32, %out: f32):
    %t = math.tanh %in : f32
    linalg.yield %t : f32
  } -> tensor<?x64xf32>
  %h3 = linalg.generic {indexing_maps = [#id, #id], iterator_types = ["parallel", "parallel"]} ins(%h2 : tensor<?x64xf32>) outs(%e : tensor<?x64xf32>) {
  ^bb0(%in: f32, %out: f32):
    %t = math.tanh %in : f32
    linalg.yield %t : f32
  } -> tensor<?x64xf32>
  %g3 = linalg.generic {indexing_maps = [#id, #id, #id], iterator_types = ["parallel", "parallel"]} ins(%g, %h3 : tensor<?x64xf32>, tensor<?x64xf32>) outs(%e : tensor<?x64xf32>) {
  ^bb0(%a: f32, %b: f32, %out: f32):
    %s = arith.mulf %b, %b : f32
    %d = arith.mulf %a, %s : f32
    linalg.yield %d : f32
  } -> tensor<?x64xf32>
  %g2 = linalg.generic {indexing_maps = [#id, #id, #id], iterator_types = ["parallel", "parallel"]} ins(%g3, %h2 : tensor<?x64xf32>, tensor<?x64xf32>) outs(%e : tensor<?x64xf32>) {
  ^bb0(%a: f32, %b: f32, %out: f32):
    %s = arith.mulf %b, %b : f32
    %d = arith.mulf %a, %s : f32
    linalg.yield %d : f32
  } -> tensor<?x64xf32>
  %g1 = linalg.generic {indexing_maps = [#id, #id, #id], iterator_types = ["parallel", "parallel"]} ins(%g2, %h1 : tensor<?x64xf32>, tensor<?x64xf32>) outs(%e : tensor<?x64xf32>) {
  ^bb0(%a: f32, %b: f32, %out: f32):
    %s = arith.mulf %b, %b : f32
    %d = arith.mulf %a, %s : f32
    linalg.yield %d : f32
  } -> tensor<?x64xf32>
  return %g1 : tensor<?x64xf32>
}

// -----

#id = affine_map<(d0, d1) -> (d0, d1)>

// %h1 is also read by a row sum before its consumer %h2: a fused op at
// %h2's position could not define %h1 for that earlier user, and a
// reduction cannot yield an elementwise value, so nothing fuses.
// CHECK-LABEL: func.func @read_before_consumer
// CHECK:         linalg.generic
// CHECK:         math.tanh
// CHECK:         linalg.yield
// CHECK:         linalg.generic {{.*}}"reduction"
// CHECK:         arith.addf
// CHECK:         linalg.yield
// CHECK:         linalg.generic
// CHECK:         math.tanh
// CHECK-NOT:     math.tanh
// CHECK:         linalg.yield
func.func @read_before_consumer(%x: tensor<?x64xf32>) -> (tensor<?xf32>, tensor<?x64xf32>) {
  %c0 = arith.constant 0 : index
  %zero = arith.constant 0.0 : f32
  %n = tensor.dim %x, %c0 : tensor<?x64xf32>
  %e = tensor.empty(%n) : tensor<?x64xf32>
  %er = tensor.empty(%n) : tensor<?xf32>
  %z = linalg.fill ins(%zero : f32) outs(%er : tensor<?xf32>) -> tensor<?xf32>
  %h1 = linalg.generic {indexing_maps = [#id, #id], iterator_types = ["parallel", "parallel"]} ins(%x : tensor<?x64xf32>) outs(%e : tensor<?x64xf32>) {
  ^bb0(%in: f32, %out: f32):
    %t = math.tanh %in : f32
    linalg.yield %t : f32
  } -> tensor<?x64xf32>
  %s = linalg.generic {indexing_maps = [#id, affine_map<(d0, d1) -> (d0)>], iterator_types = ["parallel", "reduction"]} ins(%h1 : tensor<?x64xf32>) outs(%z : tensor<?xf32>) {
  ^bb0(%in: f32, %acc: f32):
    %a = arith.addf %in, %acc : f32
    linalg.yield %a : f32
  } -> tensor<?xf32>
  %h2 = linalg.generic {indexing_maps = [#id, #id], iterator_types = ["parallel", "parallel"]} ins(%h1 : tensor<?x64xf32>) outs(%e : tensor<?x64xf32>) {
  ^bb0(%in: f32, %out: f32):
    %t = math.tanh %in : f32
    linalg.yield %t : f32
  } -> tensor<?x64xf32>
  return %s, %h2 : tensor<?xf32>, tensor<?x64xf32>
}
