// Each optimizer update becomes one elementwise loop that writes the
// parameter and its state into their own tensors (updated in place once
// bufferized). The formulas are Keras's (docs/optimizers.md).
// RUN: mlc-opt %s --mlc-optimizer --split-input-file | FileCheck %s

// CHECK-LABEL: func.func @sgd
// CHECK:         %[[LR:.*]] = tensor.extract %{{.*}}[] : tensor<f32>
// CHECK:         linalg.generic {{.*}} ins(%[[G:.*]] : tensor<4x3xf32>) outs(%[[P:.*]] : tensor<4x3xf32>)
// CHECK-NEXT:    ^bb0(%[[GI:.*]]: f32, %[[PI:.*]]: f32):
// CHECK-NEXT:      %[[STEP:.*]] = arith.mulf %[[GI]], %[[LR]] : f32
// CHECK-NEXT:      %[[NEW:.*]] = arith.subf %[[PI]], %[[STEP]] : f32
// CHECK-NEXT:      linalg.yield %[[NEW]] : f32
func.func @sgd(%p: tensor<4x3xf32>, %g: tensor<4x3xf32>, %lr: tensor<f32>, %a: tensor<f32>) -> tensor<4x3xf32> {
  %r = mlc.optimizer_update %p, %g lr %lr step %a {optimizer = #mlc.sgd} : tensor<4x3xf32>, tensor<4x3xf32>, tensor<f32>, tensor<f32>
  return %r : tensor<4x3xf32>
}

// -----

// Nesterov momentum: m = m * momentum - g lr; p += m * momentum - g lr.
// CHECK-LABEL: func.func @nesterov
// CHECK:         linalg.generic {{.*}} ins(%{{.*}} : tensor<3xf32>) outs(%{{.*}}, %{{.*}} : tensor<3xf32>, tensor<3xf32>)
// CHECK-NEXT:    ^bb0(%[[G:.*]]: f32, %[[P:.*]]: f32, %[[M:.*]]: f32):
// CHECK:           %[[STEP:.*]] = arith.mulf %[[G]], %{{.*}} : f32
// CHECK:           %[[MM:.*]] = arith.mulf %[[M]], %[[MOM:.*]] : f32
// CHECK:           %[[NEWM:.*]] = arith.subf %[[MM]], %[[STEP]] : f32
// CHECK:           %[[LOOK:.*]] = arith.mulf %[[NEWM]], %[[MOM]] : f32
// CHECK:           %[[DELTA:.*]] = arith.subf %[[LOOK]], %[[STEP]] : f32
// CHECK:           %[[NEWP:.*]] = arith.addf %[[P]], %[[DELTA]] : f32
// CHECK:           linalg.yield %[[NEWP]], %[[NEWM]] : f32, f32
func.func @nesterov(%p: tensor<3xf32>, %g: tensor<3xf32>, %m: tensor<3xf32>, %lr: tensor<f32>, %a: tensor<f32>) -> (tensor<3xf32>, tensor<3xf32>) {
  %r:2 = mlc.optimizer_update %p, %g states(%m) lr %lr step %a {optimizer = #mlc.sgd<momentum = 0.9, nesterov = true>} : tensor<3xf32>, tensor<3xf32> states(tensor<3xf32>), tensor<f32>, tensor<f32>
  return %r#0, %r#1 : tensor<3xf32>, tensor<3xf32>
}

// -----

// Adam: m += (g - m)(1 - b1); v += (g^2 - v)(1 - b2);
// p -= m alpha / (sqrt(v) + eps), alpha the bias-corrected step.
// CHECK-LABEL: func.func @adam
// CHECK:         %[[ALPHA:.*]] = tensor.extract %arg5[] : tensor<f32>
// CHECK:         linalg.generic {{.*}} outs(%{{.*}}, %{{.*}}, %{{.*}} : tensor<?x3xf32>, tensor<?x3xf32>, tensor<?x3xf32>)
// CHECK-NEXT:    ^bb0(%[[G:.*]]: f32, %[[P:.*]]: f32, %[[M:.*]]: f32, %[[V:.*]]: f32):
// CHECK-NEXT:      %[[C1:.*]] = arith.constant 1.000000e-01 : f32
// CHECK-NEXT:      %[[D:.*]] = arith.subf %[[G]], %[[M]] : f32
// CHECK-NEXT:      %[[DM:.*]] = arith.mulf %[[D]], %[[C1]] : f32
// CHECK-NEXT:      %[[NEWM:.*]] = arith.addf %[[M]], %[[DM]] : f32
// CHECK-NEXT:      %[[C2:.*]] = arith.constant 1.000000e-03 : f32
// CHECK-NEXT:      %[[G2:.*]] = arith.mulf %[[G]], %[[G]] : f32
// CHECK-NEXT:      %[[D2:.*]] = arith.subf %[[G2]], %[[V]] : f32
// CHECK-NEXT:      %[[DV:.*]] = arith.mulf %[[D2]], %[[C2]] : f32
// CHECK-NEXT:      %[[NEWV:.*]] = arith.addf %[[V]], %[[DV]] : f32
// CHECK-NEXT:      %[[EPS:.*]] = arith.constant 1.000000e-07 : f32
// CHECK-NEXT:      %[[S:.*]] = math.sqrt %[[NEWV]] : f32
// CHECK-NEXT:      %[[DEN:.*]] = arith.addf %[[S]], %[[EPS]] : f32
// CHECK-NEXT:      %[[NUM:.*]] = arith.mulf %[[NEWM]], %[[ALPHA]] : f32
// CHECK-NEXT:      %[[Q:.*]] = arith.divf %[[NUM]], %[[DEN]] : f32
// CHECK-NEXT:      %[[NEWP:.*]] = arith.subf %[[P]], %[[Q]] : f32
// CHECK-NEXT:      linalg.yield %[[NEWP]], %[[NEWM]], %[[NEWV]] : f32, f32, f32
func.func @adam(%p: tensor<?x3xf32>, %g: tensor<?x3xf32>, %m: tensor<?x3xf32>, %v: tensor<?x3xf32>, %lr: tensor<f32>, %a: tensor<f32>) -> tensor<?x3xf32> {
  %r:3 = mlc.optimizer_update %p, %g states(%m, %v) lr %lr step %a {optimizer = #mlc.adam} : tensor<?x3xf32>, tensor<?x3xf32> states(tensor<?x3xf32>, tensor<?x3xf32>), tensor<f32>, tensor<f32>
  return %r#0 : tensor<?x3xf32>
}

// -----

// AdamW decays the weights with the learning rate before the Adam step.
// CHECK-LABEL: func.func @adamw
// CHECK:         %[[LR:.*]] = tensor.extract %arg4[] : tensor<f32>
// CHECK:         ^bb0(%[[G:.*]]: f32, %[[P:.*]]: f32, %{{.*}}: f32, %{{.*}}: f32):
// CHECK:           %[[WD:.*]] = arith.constant 4.000000e-03 : f32
// CHECK:           %[[R:.*]] = arith.mulf %[[WD]], %[[LR]] : f32
// CHECK:           %[[DEC:.*]] = arith.mulf %[[P]], %[[R]] : f32
// CHECK:           %[[PD:.*]] = arith.subf %[[P]], %[[DEC]] : f32
// CHECK:           arith.subf %[[PD]], %{{.*}} : f32
func.func @adamw(%p: tensor<3xf32>, %g: tensor<3xf32>, %m: tensor<3xf32>, %v: tensor<3xf32>, %lr: tensor<f32>, %a: tensor<f32>) -> tensor<3xf32> {
  %r:3 = mlc.optimizer_update %p, %g states(%m, %v) lr %lr step %a {optimizer = #mlc.adamw} : tensor<3xf32>, tensor<3xf32> states(tensor<3xf32>, tensor<3xf32>), tensor<f32>, tensor<f32>
  return %r#0 : tensor<3xf32>
}

// -----

// RMSprop, centered, with momentum: three state tensors.
// CHECK-LABEL: func.func @rmsprop
// CHECK:         ^bb0(%[[G:.*]]: f32, %[[P:.*]]: f32, %[[V:.*]]: f32, %[[A:.*]]: f32, %[[M:.*]]: f32):
// CHECK:           math.sqrt
// CHECK:           linalg.yield %{{.*}}, %{{.*}}, %{{.*}}, %{{.*}} : f32, f32, f32, f32
func.func @rmsprop(%p: tensor<3xf32>, %g: tensor<3xf32>, %v: tensor<3xf32>, %avg: tensor<3xf32>, %m: tensor<3xf32>, %lr: tensor<f32>, %a: tensor<f32>) -> tensor<3xf32> {
  %r:4 = mlc.optimizer_update %p, %g states(%v, %avg, %m) lr %lr step %a {optimizer = #mlc.rmsprop<momentum = 0.5, centered = true>} : tensor<3xf32>, tensor<3xf32> states(tensor<3xf32>, tensor<3xf32>, tensor<3xf32>), tensor<f32>, tensor<f32>
  return %r#0 : tensor<3xf32>
}
