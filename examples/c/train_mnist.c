/* train_mnist.c - trains an MNIST model through its mlc library: the seed
 * MLP by default, or any model that takes 28x28 images and outputs class
 * scores (MODEL names its library, e.g. the convnet mnist_cnn).
 *
 * Plain C99 and the generated library, nothing else:
 *
 *   mlc compile examples/mnist_mlp.mlir -o out/
 *   cc -O2 -std=c99 examples/c/train_mnist.c -Iout -Lout -lmnist_mlp \
 *      -Wl,-rpath,"$PWD/out" -o train_mnist
 *   ./train_mnist data/mnist --epochs 5
 *
 *   mlc compile examples/mnist_cnn.mlir -o cnn/
 *   cc -O2 -std=c99 -DMODEL=mnist_cnn examples/c/train_mnist.c -Icnn \
 *      -Lcnn -lmnist_cnn -Wl,-rpath,"$PWD/cnn" -o train_cnn
 *   ./train_cnn data/mnist --epochs 12 --batch-size 128
 *
 * or with CMake: examples/c/CMakeLists.txt (find_package(mnist_mlp)).
 *
 * DIR holds the four MNIST IDX files (train-images-idx3-ubyte, ...),
 * plain or gzipped (read through `gzip -dc`). Pixels are scaled to [0, 1]
 * as `mlc train` does, so checkpoints move freely between the two.
 */
#define _POSIX_C_SOURCE 200809L

#ifndef MODEL
#define MODEL mnist_mlp
#endif
#define CAT2(a, b) a##b
#define CAT(a, b) CAT2(a, b)
#define STR2(a) #a
#define STR(a) STR2(a)
/* M(train_step) is M(train_step) for MODEL=mnist_mlp. */
#define M(name) CAT(MODEL, CAT(_, name))
#include STR(MODEL.h)

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

typedef struct {
  int64_t count;
  float *images; /* count x M(input_size)(), scaled to [0, 1] */
  int32_t *labels;
} Dataset;

/* Reads a whole file, or FILE.gz through gzip. */
static unsigned char *readAll(const char *dir, const char *name, size_t *size) {
  char path[4096];
  FILE *f;
  int piped = 0;
  snprintf(path, sizeof path, "%s/%s", dir, name);
  f = fopen(path, "rb");
  if (!f) {
    char command[4200];
    snprintf(path, sizeof path, "%s/%s.gz", dir, name);
    f = fopen(path, "rb");
    if (!f) {
      fprintf(stderr, "error: cannot read %s/%s or %s\n", dir, name, path);
      return NULL;
    }
    fclose(f);
    snprintf(command, sizeof command, "gzip -dc '%s'", path);
    f = popen(command, "r");
    piped = 1;
    if (!f) {
      fprintf(stderr, "error: cannot run gzip for %s\n", path);
      return NULL;
    }
  }
  {
    size_t capacity = 1 << 20, n = 0, got;
    unsigned char *data = malloc(capacity);
    while (data && (got = fread(data + n, 1, capacity - n, f)) > 0) {
      n += got;
      if (n == capacity) {
        unsigned char *grown = realloc(data, capacity *= 2);
        if (!grown)
          free(data);
        data = grown;
      }
    }
    if ((piped ? pclose(f) : fclose(f)) != 0 || !data) {
      fprintf(stderr, "error: cannot read %s\n", path);
      free(data);
      return NULL;
    }
    *size = n;
    return data;
  }
}

static uint32_t bigEndian(const unsigned char *p) {
  return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 |
         p[3];
}

static int loadSet(const char *dir, const char *images, const char *labels,
                   int64_t limit, Dataset *set) {
  size_t imageBytes, labelBytes;
  unsigned char *x = readAll(dir, images, &imageBytes);
  unsigned char *y = x ? readAll(dir, labels, &labelBytes) : NULL;
  int64_t n, i;
  if (!y) {
    free(x);
    return 0;
  }
  if (imageBytes < 16 || bigEndian(x) != 0x803 || labelBytes < 8 ||
      bigEndian(y) != 0x801 ||
      bigEndian(x + 8) * bigEndian(x + 12) != M(input_size)() ||
      bigEndian(x + 4) != bigEndian(y + 4) ||
      imageBytes < 16 + (size_t)bigEndian(x + 4) * M(input_size)() ||
      labelBytes < 8 + (size_t)bigEndian(y + 4)) {
    fprintf(stderr, "error: %s/%s and %s are not matching MNIST IDX files\n",
            dir, images, labels);
    free(x);
    free(y);
    return 0;
  }
  n = bigEndian(x + 4);
  if (limit > 0 && limit < n)
    n = limit;
  set->count = n;
  set->images = malloc(sizeof(float) * (size_t)n * M(input_size)());
  set->labels = malloc(sizeof(int32_t) * (size_t)n);
  if (!set->images || !set->labels) {
    fprintf(stderr, "error: out of memory\n");
    return 0;
  }
  for (i = 0; i < n * M(input_size)(); ++i)
    set->images[i] = x[16 + i] / 255.0f;
  for (i = 0; i < n; ++i)
    set->labels[i] = y[8 + i];
  free(x);
  free(y);
  return 1;
}

static int check(int status, M(state) * state) {
  if (status != 0) {
    fprintf(stderr, "error: %s\n", M(last_error)());
    M(destroy)(state);
    exit(1);
  }
  return status;
}

/* Loss and accuracy of the model on a whole set. */
static void evaluate(M(state) * state, const Dataset *set, int64_t batchSize,
                     double *loss, double *accuracy) {
  float *predictions =
      malloc(sizeof(float) * (size_t)(batchSize * M(output_size)()));
  double lossSum = 0;
  int64_t correct = 0, begin, i, k;
  for (begin = 0; begin < set->count; begin += batchSize) {
    int64_t n = set->count - begin < batchSize ? set->count - begin : batchSize;
    float batchLoss;
    check(M(eval_step)(state, set->images + begin * M(input_size)(),
                       set->labels + begin, n, &batchLoss, predictions),
          state);
    lossSum += batchLoss * n;
    for (i = 0; i < n; ++i) {
      int best = 0;
      for (k = 1; k < M(output_size)(); ++k)
        if (predictions[i * M(output_size)() + k] >
            predictions[i * M(output_size)() + best])
          best = (int)k;
      correct += best == set->labels[begin + i];
    }
  }
  free(predictions);
  *loss = lossSum / set->count;
  *accuracy = (double)correct / set->count;
}

int main(int argc, char **argv) {
  const char *dir = NULL, *load = NULL, *save = NULL;
  int64_t epochs = 5, batchSize = 32, limit = 0, epoch, step, i;
  uint64_t seed = 0, random;
  Dataset train, test;
  M(state) *state = NULL;
  float *x;
  int32_t *y;
  int64_t *order;
  double loss, accuracy;

  for (i = 1; i < argc; ++i) {
    const char *value = i + 1 < argc ? argv[i + 1] : NULL;
    if (!strcmp(argv[i], "--epochs") && value)
      epochs = atoll(argv[++i]);
    else if (!strcmp(argv[i], "--batch-size") && value)
      batchSize = atoll(argv[++i]);
    else if (!strcmp(argv[i], "--seed") && value)
      seed = strtoull(argv[++i], NULL, 10);
    else if (!strcmp(argv[i], "--limit") && value)
      limit = atoll(argv[++i]);
    else if (!strcmp(argv[i], "--load") && value)
      load = argv[++i];
    else if (!strcmp(argv[i], "--save") && value)
      save = argv[++i];
    else if (argv[i][0] != '-' && !dir)
      dir = argv[i];
    else
      dir = NULL, i = argc;
  }
  if (!dir || epochs < 0 || batchSize < 1 || batchSize > M(max_batch)()) {
    fprintf(stderr,
            "usage: %s DIR [--epochs N] [--batch-size 1..%lld] [--seed S]\n"
            "       [--limit TRAIN_SAMPLES] [--load CKPT] [--save CKPT]\n",
            argv[0], (long long)M(max_batch)());
    return 1;
  }
  if (!loadSet(dir, "train-images-idx3-ubyte", "train-labels-idx1-ubyte", limit,
               &train) ||
      !loadSet(dir, "t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte", 0,
               &test))
    return 1;

  check(M(create)(&state), state);
  if (load)
    check(M(load)(state, load), state);
  else
    check(M(init)(state, seed), state);
  printf("%s: %lld parameters, %lld training samples, batch %lld\n", STR(MODEL),
         (long long)M(param_count)(), (long long)train.count,
         (long long)batchSize);

  x = malloc(sizeof(float) * (size_t)batchSize * M(input_size)());
  y = malloc(sizeof(int32_t) * (size_t)batchSize);
  order = malloc(sizeof(int64_t) * (size_t)train.count);
  if (!x || !y || !order)
    return 1;
  for (i = 0; i < train.count; ++i)
    order[i] = i;
  random = seed * 2654435761u + 1;
  for (epoch = 0; epoch < epochs; ++epoch) {
    double lossSum = 0;
    clock_t start = clock();
    /* Fisher-Yates with a 64-bit LCG: a new order every epoch. */
    for (i = train.count - 1; i > 0; --i) {
      int64_t j, t;
      random = random * 6364136223846793005ull + 1442695040888963407ull;
      j = (int64_t)((random >> 33) % (uint64_t)(i + 1));
      t = order[i], order[i] = order[j], order[j] = t;
    }
    for (step = 0; step * batchSize < train.count; ++step) {
      int64_t begin = step * batchSize, n = train.count - begin;
      float batchLoss;
      if (n > batchSize)
        n = batchSize;
      for (i = 0; i < n; ++i) {
        memcpy(x + i * M(input_size)(),
               train.images + order[begin + i] * M(input_size)(),
               sizeof(float) * M(input_size)());
        y[i] = train.labels[order[begin + i]];
      }
      check(M(train_step)(state, x, y, n, &batchLoss), state);
      lossSum += batchLoss * n;
    }
    check(M(set_epoch)(state, epoch + 1), state);
    printf("Epoch %lld/%lld - %.1fs - loss: %.4f\n", (long long)(epoch + 1),
           (long long)epochs, (double)(clock() - start) / CLOCKS_PER_SEC,
           lossSum / train.count);
  }
  evaluate(state, &test, 32, &loss, &accuracy);
  printf("Test: %lld samples - loss: %.4f - accuracy: %.4f\n",
         (long long)test.count, loss, accuracy);
  if (save)
    check(M(save)(state, save), state);
  M(destroy)(state);
  free(x), free(y), free(order);
  free(train.images), free(train.labels), free(test.images), free(test.labels);
  return 0;
}
