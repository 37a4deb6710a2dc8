/* Two model libraries linked statically into one program: each keeps its
 * own symbols. */
#include "mnist_mlp.h"
#include "other_mlp.h"

#include <stdio.h>

int main(void) {
  static float x[2 * 784], a[2 * 10], b[2 * 10];
  mnist_mlp_state *m = NULL;
  other_mlp_state *o = NULL;
  int i;
  for (i = 0; i < 2 * 784; ++i)
    x[i] = (float)(i % 255) / 255.0f;
  if (mnist_mlp_create(&m) || mnist_mlp_init(m, 0) ||
      mnist_mlp_predict(m, x, 2, a) || other_mlp_create(&o) ||
      other_mlp_init(o, 0) || other_mlp_predict(o, x, 2, b)) {
    fprintf(stderr, "error: %s%s\n", mnist_mlp_last_error(),
            other_mlp_last_error());
    return 1;
  }
  printf("mnist_mlp: %d params; other_mlp: %d params\n",
         MNIST_MLP_PARAM_COUNT, OTHER_MLP_PARAM_COUNT);
  for (i = 1; i < 10; ++i)
    a[0] += a[i], b[0] += b[i];
  printf("softmax sums: %.3f %.3f\n", a[0], b[0]);
  mnist_mlp_destroy(m);
  other_mlp_destroy(o);
  return 0;
}
