/* Predicts the classes of raw CSV rows (two numbers each, after a header)
 * through the table_classes library and a checkpoint of `mlc train`:
 * table_classes_normalize_input applies the checkpoint's standardization,
 * table_classes_metadata names the classes. Prints one class per row. */
#include "table_classes.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int main(int argc, char **argv) {
  if (argc != 3)
    return 2;
  table_classes_state *s = NULL;
  if (table_classes_create(&s) || table_classes_load(s, argv[1])) {
    fprintf(stderr, "%s\n", table_classes_last_error());
    return 1;
  }
  /* The class names, a JSON array of plain names here. */
  const char *classes = table_classes_metadata(s, "table.classes");
  char names[3][16] = {{0}};
  if (!classes || sscanf(classes, "[\"%15[^\"]\",\"%15[^\"]\",\"%15[^\"]\"]",
                         names[0], names[1], names[2]) != 3)
    return 1;
  FILE *f = fopen(argv[2], "r");
  char line[256];
  if (!f || !fgets(line, sizeof line, f))
    return 1;
  float x[2], y[3];
  while (fscanf(f, "%f,%f%*[^\n]\n", &x[0], &x[1]) == 2) {
    if (table_classes_normalize_input(s, x, 1) ||
        table_classes_predict(s, x, 1, y)) {
      fprintf(stderr, "%s\n", table_classes_last_error());
      return 1;
    }
    int best = 0;
    for (int k = 1; k < 3; ++k)
      if (y[k] > y[best])
        best = k;
    printf("%s\n", names[best]);
  }
  fclose(f);
  table_classes_destroy(s);
  return 0;
}
