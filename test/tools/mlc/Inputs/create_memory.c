/* create() allocates a workspace for the largest batch but must not commit
 * it: prints how much the resident set grew during create and during a
 * step at batch 32, in MiB, and the step's loss. */
#define _DEFAULT_SOURCE
#include "mnist_mlp.h"

#include <stdio.h>
#include <sys/resource.h>

static long maxResidentKiB(void) {
  struct rusage usage;
  getrusage(RUSAGE_SELF, &usage);
  return usage.ru_maxrss;
}

int main(void) {
  static float x[32 * 784];
  static int y[32];
  mnist_mlp_state *s = NULL;
  float loss = 0;
  long before, created;
  int i;
  for (i = 0; i < 32 * 784; ++i)
    x[i] = (float)(i % 255) / 255.0f;
  for (i = 0; i < 32; ++i)
    y[i] = i % 10;
  before = maxResidentKiB();
  if (mnist_mlp_create(&s) || mnist_mlp_init(s, 1))
    return 1;
  created = maxResidentKiB();
  if (mnist_mlp_train_step(s, x, y, 32, &loss))
    return 1;
  printf("create: %ld MiB\n", (created - before) >> 10);
  printf("step: %ld MiB, loss %.3f\n", (maxResidentKiB() - created) >> 10,
         loss);
  mnist_mlp_destroy(s);
  return 0;
}
