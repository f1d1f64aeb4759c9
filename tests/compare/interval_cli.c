/* interval_cli.c — a line-oriented driver of interval.h for check_scipy.py, which checks every answer
 * against scipy. Input lines (stdin):
 *   u CONF NA a… NB b…   → "lo est hi p exact bounded" (tb_ratio_interval_ex)
 *   p CONF N a… b…       → the same (tb_paired_ratio_interval)
 *   s N d…               → "p t_plus exact" (tb_signed_rank_p)
 *   b N p…               → the N q-values (tb_bh_adjust)
 * Prints "error" for a rejected input. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#include "tritbench/interval.h"

static double *read_values(size_t n)
{
    double *v = malloc((n ? n : 1) * sizeof *v);
    for (size_t i = 0; v && i < n; i++)
        if (scanf("%lf", &v[i]) != 1) {
            free(v);
            return NULL;
        }
    return v;
}

static void print_interval(int rc, const tb_interval *r)
{
    if (rc != 0)
        printf("error\n");
    else
        printf("%.17g %.17g %.17g %.17g %d %d\n", r->lo, r->est, r->hi, r->p, r->exact, r->bounded);
}

int main(void)
{
    char kind[8];
    while (scanf("%7s", kind) == 1) {
        double conf = 0;
        size_t na = 0, nb = 0;
        tb_interval r;
        if (kind[0] == 'u' && scanf("%lf %zu", &conf, &na) == 2) {
            double *a = read_values(na);
            if (!a || scanf("%zu", &nb) != 1)
                return 2;
            double *b = read_values(nb);
            if (!b)
                return 2;
            print_interval(tb_ratio_interval_ex(a, na, b, nb, conf, &r), &r);
            free(a);
            free(b);
        } else if (kind[0] == 'p' && scanf("%lf %zu", &conf, &na) == 2) {
            double *a = read_values(na), *b = read_values(na);
            if (!a || !b)
                return 2;
            print_interval(tb_paired_ratio_interval(a, b, na, conf, &r), &r);
            free(a);
            free(b);
        } else if (kind[0] == 's' && scanf("%zu", &na) == 1) {
            double *d = read_values(na), tp = NAN;
            bool exact;
            if (!d)
                return 2;
            const double p = tb_signed_rank_p(d, na, &tp, &exact);
            printf("%.17g %.17g %d\n", p, tp, exact);
            free(d);
        } else if (kind[0] == 'b' && scanf("%zu", &na) == 1) {
            double *p = read_values(na);
            if (!p || tb_bh_adjust(p, na, p) != 0)
                return 2;
            for (size_t i = 0; i < na; i++)
                printf("%s%.17g", i ? " " : "", p[i]);
            printf("\n");
            free(p);
        } else {
            return 2;
        }
        fflush(stdout);
    }
    return 0;
}
