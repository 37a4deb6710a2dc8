// mlc-cpu-schedule writes and runs one transform script per function, on
// that function: the script's matches and canonicalizations then cost the
// function's size, not the module's, so a file of many models compiles in
// time linear in the number of models (one script for the module made it
// quadratic: 8.1 s of the schedule for 10 seed models, 2.3 s now).
// RUN: mlc-opt %s --mlc-graph-to-linalg --mlc-cpu-schedule="print-schedule=true" -o /dev/null 2>&1 | FileCheck %s

// Each script holds its function's matmul groups only.
// CHECK-LABEL: // mlc-cpu-schedule: tile and fuse first_predict
// CHECK:       group g0:
// CHECK-NOT:   group g1:
// CHECK-LABEL: // mlc-cpu-schedule: tile and fuse first_eval_step
// CHECK:       group g1:
// CHECK-NOT:   group g2:
// CHECK-LABEL: // mlc-cpu-schedule: tile and fuse first_train_step
// CHECK:       group g2:
// CHECK:       group g3:
// CHECK-NOT:   group g4:
// CHECK-LABEL: // mlc-cpu-schedule: tile and fuse second_predict
// CHECK:       group g4:
// CHECK-NOT:   group g5:
// CHECK-LABEL: // mlc-cpu-schedule: tile and fuse second_eval_step
// CHECK:       group g5:
// CHECK-LABEL: // mlc-cpu-schedule: tile and fuse second_train_step
// CHECK:       group g6:
// CHECK:       group g7:
// CHECK-LABEL: // mlc-cpu-schedule: bufferize
// CHECK-LABEL: // mlc-cpu-schedule: lower vectors

mlc.model @first {
  %x = mlc.input "x" : tensor<?x8xf32>
  %y = mlc.dense %x {units = 4, activation = #mlc.act<softmax>} : tensor<?x8xf32> -> tensor<?x4xf32>
  mlc.output %y : tensor<?x4xf32>
} {loss = #mlc.loss<sparse_categorical_crossentropy>, optimizer = #mlc.sgd<learning_rate = 0.1>}

mlc.model @second {
  %x = mlc.input "x" : tensor<?x8xf32>
  %y = mlc.dense %x {units = 4, activation = #mlc.act<softmax>} : tensor<?x8xf32> -> tensor<?x4xf32>
  mlc.output %y : tensor<?x4xf32>
} {loss = #mlc.loss<sparse_categorical_crossentropy>, optimizer = #mlc.sgd<learning_rate = 0.1>}
