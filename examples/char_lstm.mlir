// The LSTM baseline of examples/char_transformer.mlir: a character-level
// language model of about the same size (360k parameters against 430k):
// Embedding(96, 64) -> LSTM(256, every step) -> Dense(96) logits per
// position, context 64, Adam 1e-3. Train it on a text file:
//   mlc train examples/char_lstm.mlir --data text:/usr/share/dict/words
mlc.model @char_lstm {
  %t = mlc.input "tokens" : tensor<?x64xi32>
  %e = mlc.embedding %t {input_dim = 96, output_dim = 64} : tensor<?x64xi32> -> tensor<?x64x64xf32>
  %h = mlc.lstm %e {units = 256, return_sequences = true} : tensor<?x64x64xf32> -> tensor<?x64x256xf32>
  %logits = mlc.dense %h {units = 96} : tensor<?x64x256xf32> -> tensor<?x64x96xf32>
  mlc.output %logits : tensor<?x64x96xf32>
} {loss = #mlc.loss<sparse_categorical_crossentropy, from_logits = true>,
   optimizer = #mlc.adam<learning_rate = 1.0e-3>}
