// A character-level language model: a decoder-only Transformer of 2
// blocks (width 128, 4 heads of 32, context 64, GELU feed-forward of 512),
// pre-layer-normalized as GPT-2 is, over up to 96 distinct characters.
// Each position predicts the next character (logits; sparse categorical
// cross-entropy from logits), Adam 1e-3. Train it on a text file:
//   mlc train examples/char_transformer.mlir --data text:/usr/share/dict/words
mlc.model @char_transformer {
  %t = mlc.input "tokens" : tensor<?x64xi32>
  %e = mlc.embedding %t {input_dim = 96, output_dim = 128} : tensor<?x64xi32> -> tensor<?x64x128xf32>
  %p = mlc.position_embedding %e {sequence_length = 64} : tensor<?x64x128xf32>
  %x0 = mlc.add %e, %p : (tensor<?x64x128xf32>, tensor<?x64x128xf32>) -> tensor<?x64x128xf32>

  %n1 = mlc.layer_norm %x0 : tensor<?x64x128xf32>
  %a1 = mlc.multi_head_attention %n1, %n1 {num_heads = 4, key_dim = 32, use_causal_mask = true} : (tensor<?x64x128xf32>, tensor<?x64x128xf32>) -> tensor<?x64x128xf32>
  %x1 = mlc.add %x0, %a1 : (tensor<?x64x128xf32>, tensor<?x64x128xf32>) -> tensor<?x64x128xf32>
  %m1 = mlc.layer_norm %x1 : tensor<?x64x128xf32>
  %f1 = mlc.dense %m1 {units = 512, activation = #mlc.act<gelu>} : tensor<?x64x128xf32> -> tensor<?x64x512xf32>
  %g1 = mlc.dense %f1 {units = 128} : tensor<?x64x512xf32> -> tensor<?x64x128xf32>
  %x2 = mlc.add %x1, %g1 : (tensor<?x64x128xf32>, tensor<?x64x128xf32>) -> tensor<?x64x128xf32>

  %n2 = mlc.layer_norm %x2 : tensor<?x64x128xf32>
  %a2 = mlc.multi_head_attention %n2, %n2 {num_heads = 4, key_dim = 32, use_causal_mask = true} : (tensor<?x64x128xf32>, tensor<?x64x128xf32>) -> tensor<?x64x128xf32>
  %x3 = mlc.add %x2, %a2 : (tensor<?x64x128xf32>, tensor<?x64x128xf32>) -> tensor<?x64x128xf32>
  %m2 = mlc.layer_norm %x3 : tensor<?x64x128xf32>
  %f2 = mlc.dense %m2 {units = 512, activation = #mlc.act<gelu>} : tensor<?x64x128xf32> -> tensor<?x64x512xf32>
  %g2 = mlc.dense %f2 {units = 128} : tensor<?x64x512xf32> -> tensor<?x64x128xf32>
  %x4 = mlc.add %x3, %g2 : (tensor<?x64x128xf32>, tensor<?x64x128xf32>) -> tensor<?x64x128xf32>

  %n = mlc.layer_norm %x4 : tensor<?x64x128xf32>
  %logits = mlc.dense %n {units = 96} : tensor<?x64x128xf32> -> tensor<?x64x96xf32>
  mlc.output %logits : tensor<?x64x96xf32>
} {loss = #mlc.loss<sparse_categorical_crossentropy, from_logits = true>,
   optimizer = #mlc.adam<learning_rate = 1.0e-3>}
