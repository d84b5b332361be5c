#include <stdio.h>
#include <math.h>

int main(void) { printf("%.0f\n", sqrt(16.0)); return 0; }
