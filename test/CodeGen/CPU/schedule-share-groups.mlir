// share-groups: a matmul group (fill, matmul, epilogue) that is the same
// ops on the same types as another is scheduled once. Each distinct group
// moves into a function of its own, which is tiled and vectorized there,
// and is copied back into every caller before bufferization: predict's
// layers serve eval_step and train_step's forward pass, and the hidden
// layers of one shape share one schedule.
// RUN: mlc-opt %s --mlc-graph-to-linalg --mlc-cpu-schedule="print-schedule=true share-groups=true vector-bits=256" -o /dev/null 2>&1 | FileCheck %s --check-prefix=SCRIPT
// RUN: mlc-opt %s --mlc-graph-to-linalg --mlc-cpu-schedule="share-groups=true vector-bits=256" | FileCheck %s
// The same code as without sharing (compared as sorted lines, names apart).
// RUN: mlc-opt %s --mlc-graph-to-linalg --mlc-cpu-schedule="share-groups=true vector-bits=256" | sed -E 's/%[a-z_0-9#]+/%%v/g; s/#map[0-9]+/#m/g; s/mlc_sched = "[^"]*"/T/g' | sort > %t.shared
// RUN: mlc-opt %s --mlc-graph-to-linalg --mlc-cpu-schedule="vector-bits=256" | sed -E 's/%[a-z_0-9#]+/%%v/g; s/#map[0-9]+/#m/g; s/mlc_sched = "[^"]*"/T/g' | sort > %t.own
// RUN: diff %t.own %t.shared
// RUN: mlc-opt %s --mlc-cpu -o /dev/null

// The entry points keep no group of their own; the three hidden layers of
// 8 take one schedule, the output layer another.
// SCRIPT-LABEL: // mlc-cpu-schedule: tile and fuse m_predict
// SCRIPT-NOT:   group g
// SCRIPT-LABEL: // mlc-cpu-schedule: tile and fuse m_predict_mm0
// SCRIPT:       group g0: matmul ?x8 + elementwise epilogue (mm?x8x8.ew)
// SCRIPT-NOT:   tile and fuse m_predict_mm{{[12]$}}
// SCRIPT-LABEL: // mlc-cpu-schedule: tile and fuse m_predict_mm3
// SCRIPT:       group g1: matmul ?x4 + elementwise epilogue (mm?x4x8.ew)
// eval_step's and train_step's forward layers are predict's.
// SCRIPT-NOT:   tile and fuse m_eval_step_mm
// SCRIPT-LABEL: // mlc-cpu-schedule: tile and fuse m_train_step
// SCRIPT-NOT:   tile and fuse m_train_step_mm{{[0-3]$}}
// SCRIPT:       tile and fuse m_train_step_mm4
// SCRIPT:       group g2: matmul ?x8 + elementwise epilogue (mm?x8x4.bt.ew)
// SCRIPT-LABEL: // mlc-cpu-schedule: bufferize

// The group functions are gone; each entry point holds its tiles.
// CHECK-NOT:   func.func private @m_{{.*}}_mm
// CHECK-LABEL: func.func @m_predict(
// CHECK-COUNT-4: vector.fma
// CHECK-LABEL: func.func @m_eval_step(
// CHECK-LABEL: func.func @m_train_step(
// CHECK-NOT:   func.func private @m_{{.*}}_mm

mlc.model @m {
  %x = mlc.input "x" : tensor<?x8xf32>
  %h1 = mlc.dense %x {units = 8, activation = #mlc.act<relu>} : tensor<?x8xf32> -> tensor<?x8xf32>
  %h2 = mlc.dense %h1 {units = 8, activation = #mlc.act<relu>} : tensor<?x8xf32> -> tensor<?x8xf32>
  %h3 = mlc.dense %h2 {units = 8, activation = #mlc.act<relu>} : tensor<?x8xf32> -> tensor<?x8xf32>
  %y = mlc.dense %h3 {units = 4, activation = #mlc.act<softmax>} : tensor<?x8xf32> -> tensor<?x4xf32>
  mlc.output %y : tensor<?x4xf32>
} {loss = #mlc.loss<sparse_categorical_crossentropy>, optimizer = #mlc.sgd<learning_rate = 0.1>}
