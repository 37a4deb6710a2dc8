// An LSTM over sequences whose batch and length are both dynamic, trained:
// the recurrence and its gradient are loops over the runtime length (in
// the LLVM dialect, branches back to a loop header per function), and the
// dense layer over every step splits its merged rows back into two
// dynamic sizes (an expand_shape upstream's expand-strided-metadata
// crashed on; mlc-workspace makes it a reinterpret_cast).
// The state a step hands to the next is written back into the buffers the
// loop carries, and every temporary of a step is one buffer carved from
// the workspace: no allocation per step or call.
// RUN: mlc-opt %s --mlc-cpu | FileCheck %s
// RUN: mlc-opt %s --mlc-cpu | FileCheck %s --check-prefix=NOMALLOC
// NOMALLOC-NOT: llvm.call @malloc

// CHECK:       llvm.func @seq_predict(
// CHECK:       llvm.func @seq_train_step(
// CHECK-NOT:   memref.
mlc.model @seq {
  %x = mlc.input "x" : tensor<?x?x3xf32>
  %h = mlc.lstm %x {units = 4, return_sequences = true} : tensor<?x?x3xf32> -> tensor<?x?x4xf32>
  %y = mlc.dense %h {units = 2} : tensor<?x?x4xf32> -> tensor<?x?x2xf32>
  mlc.output %y : tensor<?x?x2xf32>
} {loss = #mlc.loss<mse>, optimizer = #mlc.sgd<learning_rate = 0.1>}
