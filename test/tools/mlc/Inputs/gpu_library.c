/* A program linked with a --target=cuda model library. Where CUDA cannot
 * run, create fails with the device error and a one-line reason and
 * nothing crashes (the library's kernel loader runs at startup and finds
 * no driver); on a GPU it trains a few steps, and the device-pointer steps
 * agree with the host-pointer ones. */
#include "mnist_mlp.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

int main(void) {
  static float x[64 * 784], predictions[64 * 10], again[64 * 10];
  static int32_t y[64];
  mnist_mlp_state *state = NULL;
  float first = 0, loss = 0;
  int i, status;
  for (i = 0; i < 64 * 784; ++i)
    x[i] = (float)(i % 251) / 251.0f;
  for (i = 0; i < 64; ++i)
    y[i] = i % 10;
  status = mnist_mlp_create(&state);
  if (status != MNIST_MLP_OK) {
    printf("create: %d (%s): %s\n", status,
           status == MNIST_MLP_ERR_DEVICE ? "device" : "other",
           mnist_mlp_last_error());
    return status == MNIST_MLP_ERR_DEVICE ? 0 : 1;
  }
  if (mnist_mlp_init(state, 0) ||
      mnist_mlp_train_step(state, x, y, 64, &first))
    goto fail;
  for (i = 0; i < 20; ++i)
    if (mnist_mlp_train_step(state, x, y, 64, &loss))
      goto fail;
  printf("loss %f -> %f\n", first, loss);
  if (mnist_mlp_predict(state, x, 64, predictions))
    goto fail;
  {
    float *dx = NULL, *dy = NULL;
    if (mnist_mlp_device_alloc(sizeof x, (void **)&dx) ||
        mnist_mlp_device_alloc(sizeof predictions, (void **)&dy))
      goto fail;
    memcpy(dx, x, sizeof x);
    if (mnist_mlp_predict_device(state, dx, 64, dy))
      goto fail;
    memcpy(again, dy, sizeof again);
    mnist_mlp_device_free(dx);
    mnist_mlp_device_free(dy);
  }
  printf("device predict %s\n",
         memcmp(predictions, again, sizeof again) ? "differs" : "matches");
  mnist_mlp_destroy(state);
  return loss < first ? 0 : 1;
fail:
  printf("error: %s\n", mnist_mlp_last_error());
  mnist_mlp_destroy(state);
  return 1;
}
