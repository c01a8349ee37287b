/* Timing helpers for the benchmarks (header-only; each bench_*.c is a program). */
#ifndef VDA_BENCH_SUPPORT_H
#define VDA_BENCH_SUPPORT_H

#include <stdlib.h>
#include <string.h>
#include <time.h>

static inline double bench_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static inline int bench_cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* Median of n samples (sorts them). */
static inline double bench_median(double *v, int n)
{
    qsort(v, (size_t)n, sizeof *v, bench_cmp_double);
    return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

static inline int bench_quick(int argc, char **argv)
{
    return argc > 1 && strcmp(argv[1], "--quick") == 0;
}

/* Keeps the compiler from optimising a result away. */
static inline void bench_consume(const void *p)
{
    __asm__ volatile("" : : "r"(p) : "memory");
}

#endif
