// RUN: mlc-opt %s --mlc-expand-recurrences --split-input-file | FileCheck %s

// The forward recurrence: one iteration per step of the runtime sequence
// length, carrying h and c (zeros first); a step adds h · rk to its slice
// of the input projection, activates the four gate column blocks and
// writes its h. h and c are written back into the buffers the loop
// carries (no allocation per step). The saved cells and gates are not
// written when nothing reads them.
// CHECK-LABEL: func.func @scan_predict
// CHECK-DAG:     %[[B:.*]] = tensor.dim %[[Z:.*]], %c0
// CHECK-DAG:     %[[T:.*]] = tensor.dim %[[Z]], %c1
// CHECK:         %[[H0:.*]] = linalg.fill ins(%{{.*}} : f32) outs(%{{.*}} : tensor<?x2xf32>)
// CHECK:         %[[C0:.*]] = linalg.fill ins(%{{.*}} : f32) outs(%{{.*}} : tensor<?x2xf32>)
// CHECK:         %[[HS0:.*]] = tensor.empty(%[[B]], %[[T]]) : tensor<?x?x2xf32>
// CHECK:         %[[R:.*]]:3 = scf.for %[[I:.*]] = %{{.*}} to %[[T]] step %{{.*}} iter_args(%[[H:.*]] = %[[H0]], %[[C:.*]] = %[[C0]], %[[HS:.*]] = %[[HS0]])
// CHECK:           %[[ZT:.*]] = tensor.extract_slice %[[Z]][0, %[[I]], 0] [%[[B]], 1, 8] [1, 1, 1] : tensor<?x?x8xf32> to tensor<?x8xf32>
// CHECK:           %[[M:.*]] = mlc.matmul %[[H]], %{{.*}} : (tensor<?x2xf32>, tensor<2x8xf32>) -> tensor<?x8xf32>
// CHECK:           %[[P:.*]] = mlc.add %[[M]], %[[ZT]]
// CHECK-DAG:       tensor.extract_slice %[[P]][0, 0] [%[[B]], 2] [1, 1]
// CHECK-DAG:       tensor.extract_slice %[[P]][0, 2] [%[[B]], 2] [1, 1]
// CHECK-DAG:       tensor.extract_slice %[[P]][0, 4] [%[[B]], 2] [1, 1]
// CHECK-DAG:       tensor.extract_slice %[[P]][0, 6] [%[[B]], 2] [1, 1]
// CHECK:           %[[C2:.*]] = mlc.add
// CHECK:           %[[TC:.*]] = mlc.tanh %[[C2]]
// CHECK:           %[[H2:.*]] = mlc.mul %{{.*}}, %[[TC]]
// CHECK:           %[[HS2:.*]] = tensor.insert_slice %[[H2]] into %[[HS]][0, %[[I]], 0] [%[[B]], 1, 2] [1, 1, 1]
// CHECK:           %[[HN:.*]] = bufferization.materialize_in_destination %[[H2]] in %[[H]]
// CHECK:           %[[CN:.*]] = bufferization.materialize_in_destination %[[C2]] in %[[C]]
// CHECK:           scf.yield %[[HN]], %[[CN]], %[[HS2]]
// CHECK:         return %[[R]]#2, %[[R]]#1
func.func @scan_predict(%z: tensor<?x?x8xf32>, %rk: tensor<2x8xf32>) -> (tensor<?x?x2xf32>, tensor<?x2xf32>) {
  %hs, %c, %cs, %g = mlc.lstm_scan %z, %rk : (tensor<?x?x8xf32>, tensor<2x8xf32>) -> (tensor<?x?x2xf32>, tensor<?x2xf32>, tensor<?x?x2xf32>, tensor<?x?x8xf32>)
  return %hs, %c : tensor<?x?x2xf32>, tensor<?x2xf32>
}

// -----

// For training, every step's c and activated gates are written too.
// CHECK-LABEL: func.func @scan_train
// CHECK:         scf.for {{.*}} -> (tensor<?x2xf32>, tensor<?x2xf32>, tensor<?x?x2xf32>, tensor<?x?x2xf32>, tensor<?x?x8xf32>)
// CHECK-COUNT-6:   tensor.insert_slice
// CHECK:           scf.yield
func.func @scan_train(%z: tensor<?x?x8xf32>, %rk: tensor<2x8xf32>) -> (tensor<?x?x2xf32>, tensor<?x?x2xf32>, tensor<?x?x8xf32>) {
  %hs, %c, %cs, %g = mlc.lstm_scan %z, %rk : (tensor<?x?x8xf32>, tensor<2x8xf32>) -> (tensor<?x?x2xf32>, tensor<?x2xf32>, tensor<?x?x2xf32>, tensor<?x?x8xf32>)
  return %hs, %cs, %g : tensor<?x?x2xf32>, tensor<?x?x2xf32>, tensor<?x?x8xf32>
}

// -----

// Backpropagation through time: steps T-1 .. 1 in the loop (iteration j
// is step T-1-j, whose predecessor is step T-2-j), sending dz · rk^T to
// the previous step (written back into the carried buffers); step 0 after
// it, from the zero state. The recurrent kernel's gradient is then one
// matmul of all rows: the steps' predecessors (zeros, then h of steps
// 0 .. T-2) transposed times dz.
// CHECK-LABEL: func.func @scan_grad
// CHECK:         %[[T:.*]] = tensor.dim %{{.*}}, %c1
// CHECK:         %[[LAST:.*]] = arith.subi %[[T]], %c1
// CHECK:         %[[R:.*]]:3 = scf.for %[[J:.*]] = %{{.*}} to %[[LAST]] step %{{.*}} iter_args(%[[DH:.*]] = %{{.*}}, %[[DC:.*]] = %{{.*}}, %{{.*}} = %{{.*}})
// CHECK:           %[[S:.*]] = arith.subi %[[LAST]], %[[J]]
// CHECK:           arith.subi %[[S]], %c1
// CHECK:           %[[M:.*]] = mlc.matmul %{{.*}}, %{{.*}} {transpose_rhs} : (tensor<?x8xf32>, tensor<2x8xf32>) -> tensor<?x2xf32>
// CHECK:           bufferization.materialize_in_destination %[[M]] in %[[DH]]
// CHECK:           bufferization.materialize_in_destination %{{.*}} in %[[DC]]
// CHECK:           scf.yield
// CHECK:         %[[DZ:.*]] = tensor.insert_slice %{{.*}} into %{{.*}}[0, %c0{{.*}}, 6]
// CHECK:         %[[N:.*]] = arith.subi %{{.*}}, %c1
// CHECK:         %[[HEAD:.*]] = tensor.extract_slice %{{.*}}[0, 0, 0] [%{{.*}}, %[[N]], 2] [1, 1, 1] : tensor<?x?x2xf32> to tensor<?x?x2xf32>
// CHECK:         %[[PREV:.*]] = tensor.insert_slice %[[HEAD]] into %{{.*}}[0, 1, 0] [%{{.*}}, %[[N]], 2]
// CHECK:         %[[PR:.*]] = mlc.reshape %[[PREV]] : tensor<?x?x2xf32> -> tensor<?x2xf32>
// CHECK:         %[[DR:.*]] = mlc.reshape %[[DZ]] : tensor<?x?x8xf32> -> tensor<?x8xf32>
// CHECK:         %[[DRK:.*]] = mlc.matmul %[[PR]], %[[DR]] {transpose_lhs} : (tensor<?x2xf32>, tensor<?x8xf32>) -> tensor<2x8xf32>
// CHECK:         return %[[DZ]], %[[DRK]]
func.func @scan_grad(%dhs: tensor<?x?x2xf32>, %dc: tensor<?x2xf32>, %rk: tensor<2x8xf32>, %hs: tensor<?x?x2xf32>, %cs: tensor<?x?x2xf32>, %g: tensor<?x?x8xf32>) -> (tensor<?x?x8xf32>, tensor<2x8xf32>) {
  %dz, %drk = mlc.lstm_scan_grad %dhs, %dc, %rk, %hs, %cs, %g : (tensor<?x?x2xf32>, tensor<?x2xf32>, tensor<2x8xf32>, tensor<?x?x2xf32>, tensor<?x?x2xf32>, tensor<?x?x8xf32>) -> (tensor<?x?x8xf32>, tensor<2x8xf32>)
  return %dz, %drk : tensor<?x?x8xf32>, tensor<2x8xf32>
}

// -----

// The GRU step: g = h · rk + rb, gates z and r from the projection plus g,
// the candidate from r * g_h, h' = hh + z (h - hh).
// CHECK-LABEL: func.func @gru_scan
// CHECK:         scf.for
// CHECK:           %[[M:.*]] = mlc.matmul %{{.*}}, %{{.*}} : (tensor<?x2xf32>, tensor<2x6xf32>) -> tensor<?x6xf32>
// CHECK:           %[[G:.*]] = mlc.add %[[M]], %{{.*}} : (tensor<?x6xf32>, tensor<6xf32>) -> tensor<?x6xf32>
// CHECK:           %[[GH:.*]] = tensor.extract_slice %[[G]][0, 4] [%{{.*}}, 2] [1, 1]
// CHECK:           mlc.mul %{{.*}}, %[[GH]]
// CHECK:           mlc.tanh
// CHECK:           mlc.sub
// CHECK:           scf.yield
func.func @gru_scan(%z: tensor<?x?x6xf32>, %rk: tensor<2x6xf32>, %rb: tensor<6xf32>) -> tensor<?x?x2xf32> {
  %hs, %g, %rh = mlc.gru_scan %z, %rk, %rb : (tensor<?x?x6xf32>, tensor<2x6xf32>, tensor<6xf32>) -> (tensor<?x?x2xf32>, tensor<?x?x6xf32>, tensor<?x?x2xf32>)
  return %hs : tensor<?x?x2xf32>
}

// -----

// A static length whose loop would run once (one step forward, two steps
// backward) is written without the loop: a folded loop would leave its
// in-place writes aimed at values that are no loop's state, which one-shot
// bufferization could not always place (difftest seed 61, graphs 90-92).
// CHECK-LABEL: func.func @scan_one_step
// CHECK-NOT:     scf.for
// CHECK-NOT:     materialize_in_destination
// CHECK:         mlc.matmul
// CHECK:         return
func.func @scan_one_step(%z: tensor<?x1x8xf32>, %rk: tensor<2x8xf32>) -> tensor<?x1x2xf32> {
  %hs, %c, %cs, %g = mlc.lstm_scan %z, %rk : (tensor<?x1x8xf32>, tensor<2x8xf32>) -> (tensor<?x1x2xf32>, tensor<?x2xf32>, tensor<?x1x2xf32>, tensor<?x1x8xf32>)
  return %hs : tensor<?x1x2xf32>
}

// -----

// CHECK-LABEL: func.func @scan_grad_two_steps
// CHECK-NOT:     scf.for
// CHECK-NOT:     materialize_in_destination
// CHECK:         mlc.matmul %{{.*}}, %{{.*}} {transpose_rhs}
// CHECK:         mlc.matmul %{{.*}}, %{{.*}} {transpose_lhs}
// CHECK:         return
func.func @scan_grad_two_steps(%dhs: tensor<3x2x2xf32>, %dc: tensor<3x2xf32>, %rk: tensor<2x8xf32>, %hs: tensor<3x2x2xf32>, %cs: tensor<3x2x2xf32>, %g: tensor<3x2x8xf32>) -> (tensor<3x2x8xf32>, tensor<2x8xf32>) {
  %dz, %drk = mlc.lstm_scan_grad %dhs, %dc, %rk, %hs, %cs, %g : (tensor<3x2x2xf32>, tensor<3x2xf32>, tensor<2x8xf32>, tensor<3x2x2xf32>, tensor<3x2x2xf32>, tensor<3x2x8xf32>) -> (tensor<3x2x8xf32>, tensor<2x8xf32>)
  return %dz, %drk : tensor<3x2x8xf32>, tensor<2x8xf32>
}
