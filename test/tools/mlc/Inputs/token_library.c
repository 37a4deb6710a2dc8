/* Trains the token-input library (char_attention.mlir: int32 ids in,
 * logits per position out) to predict the next id of counting sequences
 * (id i + 1 mod 12 after id i): the loss must fall by 10x and predict's
 * argmax must be right at 90 % of the positions. Labels are checked at
 * every position, not only the first of each sample. */
#include "char_attention.h"

#include <stdio.h>
#include <string.h>

enum { B = 16, T = 8, V = 12 };

int main(void) {
  static int32_t x[B * T], y[B * T];
  static float out[B * T * V];
  char_attention_state *s = NULL;
  float first = 0, loss = 0;
  int i, t, step, right = 0;
  for (i = 0; i < B; ++i)
    for (t = 0; t < T; ++t) {
      x[i * T + t] = (i * 5 + t) % V;
      y[i * T + t] = (i * 5 + t + 1) % V;
    }
  if (char_attention_create(&s) || char_attention_init(s, 1) ||
      char_attention_train_step(s, x, y, B, &first))
    goto fail;
  for (step = 0; step < 150; ++step)
    if (char_attention_train_step(s, x, y, B, &loss))
      goto fail;
  if (char_attention_predict(s, x, B, out))
    goto fail;
  for (i = 0; i < B * T; ++i) {
    int best = 0, k;
    for (k = 1; k < V; ++k)
      if (out[i * V + k] > out[i * V + best])
        best = k;
    right += best == y[i];
  }
  printf("loss %.4f -> %.4f, %d of %d positions right\n", first, loss, right,
         B * T);
  y[1 * T + 3] = V; /* sample 1, position 3 */
  if (char_attention_train_step(s, x, y, B, &loss) == CHAR_ATTENTION_OK) {
    printf("a label out of range was accepted\n");
    return 1;
  }
  printf("%s\n", char_attention_last_error());
  char_attention_destroy(s);
  return loss < 0.1f * first && right >= B * T * 9 / 10 ? 0 : 1;
fail:
  printf("error: %s\n", char_attention_last_error());
  return 1;
}
