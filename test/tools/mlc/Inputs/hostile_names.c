/* The hostile names come back from the library byte for byte. Had the
 * header let them out of its comment, their typedefs would clash with
 * names_state and this would not compile. */
#include "names.h"

#include <stdio.h>
#include <string.h>

int main(void) {
  const char *expected[] = {"w */ typedef int names_state; /*", "b?\?/\001\""};
  int ok = names_param_count() == 15;
  for (int i = 0; i < 2; ++i)
    ok = ok && !strcmp(names_param_name(i), expected[i]);
  printf("%s\n", ok ? "names intact" : "names changed");
  return ok ? 0 : 1;
}
