// A small character-level Transformer block for the text tests: context 8,
// width 16, 2 causal heads, logits for 12 characters.
mlc.model @char_attention {
  %t = mlc.input "tokens" : tensor<?x8xi32>
  %e = mlc.embedding %t {input_dim = 12, output_dim = 16} : tensor<?x8xi32> -> tensor<?x8x16xf32>
  %p = mlc.position_embedding %e {sequence_length = 8} : tensor<?x8x16xf32>
  %x = mlc.add %e, %p : (tensor<?x8x16xf32>, tensor<?x8x16xf32>) -> tensor<?x8x16xf32>
  %n = mlc.layer_norm %x : tensor<?x8x16xf32>
  %a = mlc.multi_head_attention %n, %n {num_heads = 2, key_dim = 8, use_causal_mask = true} : (tensor<?x8x16xf32>, tensor<?x8x16xf32>) -> tensor<?x8x16xf32>
  %y = mlc.add %x, %a : (tensor<?x8x16xf32>, tensor<?x8x16xf32>) -> tensor<?x8x16xf32>
  %f = mlc.dense %y {units = 32, activation = #mlc.act<gelu>} : tensor<?x8x16xf32> -> tensor<?x8x32xf32>
  %logits = mlc.dense %f {units = 12} : tensor<?x8x32xf32> -> tensor<?x8x12xf32>
  mlc.output %logits : tensor<?x8x12xf32>
} {loss = #mlc.loss<sparse_categorical_crossentropy, from_logits = true>,
   optimizer = #mlc.adam<learning_rate = 1.0e-2>}
