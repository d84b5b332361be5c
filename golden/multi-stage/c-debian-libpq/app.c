#include <libpq-fe.h>
#include <stdio.h>

int main(void) { printf("%d\n", PQlibVersion()); return 0; }
