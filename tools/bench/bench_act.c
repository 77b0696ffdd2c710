/* In-process A/B of the smooth activations: ns per element of the library's vectorized
 * float kernels (act/vmath.h) against the per-element double libm loops they replaced
 * (tests/act_ref_double.h), back to back in one process on a 256 x 64 block (one hidden
 * layer's batch), medians of several rounds. relu is the floor. Prints the load average
 * before and after: quote it with the figures.
 *
 *   build/bench_act [calls per round, default 200] */
#include "act_ref_double.h"
#include "tinynet/activation.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define N (256 * 64)
#define ROUNDS 7

static double now(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + 1e-9 * (double)t.tv_nsec;
}

static void old_fwd(double (*f)(double), const float *x, float *y, size_t n)
{
    for (size_t i = 0; i < n; i++)
        y[i] = (float)f((double)x[i]);
}
static void old_bwd(double (*df)(double), const float *x, const float *dy, float *dx, size_t n)
{
    for (size_t i = 0; i < n; i++)
        dx[i] = (float)(df((double)x[i]) * (double)dy[i]);
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

static void load(const char *when)
{
    char buf[128] = "?";
    FILE *f = fopen("/proc/loadavg", "r");
    if (f) {
        if (!fgets(buf, sizeof buf, f))
            strcpy(buf, "?\n");
        fclose(f);
    }
    printf("load average %s: %s", when, buf);
}

static float x[N], y[N], dy[N], dx[N];

int main(int argc, char **argv)
{
    int calls = argc > 1 ? atoi(argv[1]) : 200;
    if (calls < 1)
        calls = 1;
    static const struct {
        const char *name;
        double (*f)(double), (*df)(double);
    } acts[] = {
        {"relu", NULL, NULL},          {"sigmoid", r_sigmoid, r_sigmoid_d},
        {"tanh", r_tanh, r_tanh_d},    {"gelu", r_gelu, r_gelu_d},
        {"gelu_tanh", r_gelu_tanh, r_gelu_tanh_d}, {"silu", r_silu, r_silu_d},
        {"elu", r_elu, r_elu_d},       {"selu", r_selu, r_selu_d},
        {"mish", r_mish, r_mish_d},    {"softplus", r_softplus, r_softplus_d},
    };
    unsigned s = 12345u;
    for (size_t i = 0; i < N; i++) {
        s = s * 1664525u + 1013904223u;
        x[i] = 8.0f * ((float)(s >> 8) / 16777216.0f) - 4.0f; /* [-4, 4) */
        s = s * 1664525u + 1013904223u;
        dy[i] = 2.0f * ((float)(s >> 8) / 16777216.0f) - 1.0f;
    }
    load("before");
    printf("%-10s %10s %10s %8s %10s %10s %8s   (ns/element, 256x64 block, median of %d x %d"
           " calls)\n", "activation", "fwd old", "fwd new", "ratio", "bwd old", "bwd new",
           "ratio", ROUNDS, calls);
    tn_act_ctx ctx;
    memset(&ctx, 0, sizeof ctx);
    for (size_t a = 0; a < sizeof acts / sizeof acts[0]; a++) {
        const tn_activation *m = tn_activation_find(acts[a].name);
        if (!m)
            return 1;
        double t[4][ROUNDS];
        for (int r = 0; r < ROUNDS; r++) {
            for (int k = 0; k < 4; k++) {
                int old = k % 2 == 0;
                if (old && !acts[a].f) {
                    t[k][r] = 0.0;
                    continue;
                }
                double t0 = now();
                for (int c = 0; c < calls; c++) {
                    if (k == 0)
                        old_fwd(acts[a].f, x, y, N);
                    else if (k == 1)
                        m->forward(&ctx, x, y, 1, N);
                    else if (k == 2)
                        old_bwd(acts[a].df, x, dy, dx, N);
                    else
                        m->backward(&ctx, x, y, dy, dx, NULL, 1, N);
                }
                t[k][r] = (now() - t0) / calls / N * 1e9;
            }
        }
        double med[4];
        for (int k = 0; k < 4; k++) {
            qsort(t[k], ROUNDS, sizeof t[k][0], cmp_double);
            med[k] = t[k][ROUNDS / 2];
        }
        if (!acts[a].f)
            printf("%-10s %10s %10.3f %8s %10s %10.3f %8s\n", acts[a].name, "-", med[1], "-", "-",
                   med[3], "-");
        else
            printf("%-10s %10.3f %10.3f %8.1f %10.3f %10.3f %8.1f\n", acts[a].name, med[0],
                   med[1], med[0] / med[1], med[2], med[3], med[2] / med[3]);
    }
    load("after");
    return 0;
}
