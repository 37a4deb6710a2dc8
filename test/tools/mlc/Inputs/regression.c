/* Trains the regression library (mse, float labels, SGD) on a linear target
 * y = x A: the loss must fall by 10x. The loss-less library only predicts. */
#include "plain.h"
#include "reg.h"

#include <stdio.h>

int main(void) {
  static float x[64 * 16], y[64 * 4], out[64 * 4];
  reg_state *r = NULL;
  plain_state *p = NULL;
  float first = 0, loss = 0;
  int i, j, step;
  for (i = 0; i < 64; ++i)
    for (j = 0; j < 16; ++j)
      x[i * 16 + j] = (float)((i * 7 + j * 3) % 17) / 17.0f - 0.5f;
  for (i = 0; i < 64; ++i)
    for (j = 0; j < 4; ++j)
      y[i * 4 + j] = x[i * 16 + j] - 0.5f * x[i * 16 + j + 4];
  if (reg_create(&r) || reg_init(r, 1) ||
      reg_train_step(r, x, y, 64, &first))
    goto fail;
  for (step = 0; step < 300; ++step)
    if (reg_train_step(r, x, y, 64, &loss))
      goto fail;
  printf("mse %.4f -> %.4f\n", first, loss);
  if (plain_create(&p) || plain_init(p, 0) || plain_predict(p, x, 64, out))
    goto fail;
  for (i = 0; i < 64 * 4; ++i)
    if (out[i] < 0)
      goto fail; /* relu */
  printf("plain: %d outputs, relu holds\n", 64 * 4);
  reg_destroy(r);
  plain_destroy(p);
  return loss < 0.1f * first ? 0 : 1;
fail:
  printf("error: %s%s\n", reg_last_error(), plain_last_error());
  return 1;
}
