/* Refuses to run a tinymlops program on an x86-64 CPU below the instruction-set
 * level the build was compiled for (TINYMLOPS_MARCH; docs/reproducibility.md):
 * one line on stderr naming the build option that makes a binary for this CPU,
 * and exit status 1, instead of an illegal-instruction crash somewhere later.
 *
 * REQUIRES: this file is compiled for baseline x86-64 (CMakeLists.txt sets
 * -march=x86-64 on it), and linked whole into every program, so the check runs as
 * the program's first constructor, before any code built for the higher level.
 * TINYMLOPS_ISA_LEVEL (2, 3 or 4) and TINYMLOPS_MARCH_NAME come from CMake. */
#if defined(__x86_64__) && defined(TINYMLOPS_ISA_LEVEL) && TINYMLOPS_ISA_LEVEL >= 2

#include <stdio.h>
#include <stdlib.h>

/* The highest x86-64 level (1 to 4) this CPU and its operating system support. */
static int cpu_isa_level(void) {
  __builtin_cpu_init();
  if (__builtin_cpu_supports("x86-64-v4")) return 4;
  if (__builtin_cpu_supports("x86-64-v3")) return 3;
  if (__builtin_cpu_supports("x86-64-v2")) return 2;
  return 1;
}

__attribute__((constructor(101))) static void tinymlops_require_isa_level(void) {
  const int cpu_level = cpu_isa_level();
  if (cpu_level >= TINYMLOPS_ISA_LEVEL) return;
  const char* portable = cpu_level >= 2 ? "x86-64-v2" : "x86-64";
  fprintf(stderr,
          "tinymlops: this build needs an x86-64-v%d CPU (built with -march=%s) and this CPU is x86-64-v%d: "
          "rebuild with -DTINYMLOPS_MARCH=%s (make build CMAKE_ARGS=-DTINYMLOPS_MARCH=%s) for a binary that runs here\n",
          TINYMLOPS_ISA_LEVEL, TINYMLOPS_MARCH_NAME, cpu_level, portable, portable);
  _Exit(1);
}

#else
/* Baseline builds and other architectures need no check; ISO C wants a declaration. */
typedef int tinymlops_isa_level_check_unused;
#endif
