/* kernels_plots.c — the kernels section's plots. Everything here reads what the section already judged (its
 * checks: verdict, measured value, interval) or what the harness measured in this run (records); nothing is
 * timed and no threshold is re-decided.
 *   speedup   one panel per kind (GEMV, GEMM, BitLinear GEMV/GEMM), one horizontal bar per sign-off row on a
 *             log axis, coloured by verdict, the interval as an error bar, the threshold in red;
 *   memory    signed-off reductions coloured by verdict, information-only figures hollow and grey;
 *   roofline  arithmetic intensity vs GOP/s, log-log: every kernel row a point, the stream read roofs and the
 *             compute roofs measured in the same run;
 *   error_distribution  the quantization error histogram per weight distribution. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "validate/sections/kernels_plots.h"
#include "validate/sections/kernels_section.h"
#include "validate/vr_internal.h"
#include "tritbench/suites.h"

#define C_FAIL "#d50000"
#define C_INCONCLUSIVE "#ff8f00"
#define C_PASS "#1e88e5"
#define C_NA "#9e9e9e"
#define C_THRESHOLD "#6a1b9a" /* strong, and not the FAIL red of the bars */

static const char *verdict_colour(vr_verdict v)
{
    switch (v) {
    case VR_FAIL: return C_FAIL;
    case VR_INCONCLUSIVE: return C_INCONCLUSIVE;
    case VR_PASS: return C_PASS;
    default: return C_NA;
    }
}

static unsigned rgb(const char *hex) { return (unsigned)strtoul(hex + 1, NULL, 16); }

/* ---- instances for the roofs ---- */

void vk_roof_instances(const vr_options *o, int threads, unsigned group, vr_instances *out)
{
    size_t n_suites;
    const tb_suite *suites = tb_suites(&n_suites);
    tb_suite_config cfg;
    char lists[1024];
    tb_suite_config_for_validation(&cfg, threads, o->quick, o->shapes, o->variants, o->formats, lists, sizeof lists);
    tb_registry *reg = tb_registry_new();
    for (size_t i = 0; reg && i < n_suites; i++)
        if ((strcmp(suites[i].name, "stream") == 0 || strcmp(suites[i].name, "roof") == 0) &&
            suites[i].register_fn(reg, &cfg) != 0) {
            out->oom = true;
            break;
        }
    for (size_t i = 0; reg && i < tb_registry_count(reg); i++) {
        const char *name = tb_registry_name(reg, i);
        /* the clock probe bounds nothing: the roofs are the instruction probes */
        if (strncmp(name, "stream/read/", 12) == 0 || (strncmp(name, "roof/", 5) == 0 && !strstr(name, "/clock/")))
            vr_instances_add(out, group, "%s", name);
    }
    if (reg)
        tb_registry_free(reg);
    else
        out->oom = true;
}

/* ---- speedup ---- */

static const char *const speed_targets[] = {"speedup_gemv", "speedup_gemm", "speedup_bitlinear_gemv",
                                            "speedup_bitlinear_gemm"};
static const char *const speed_titles[] = {"GEMV (decode, N=1)", "GEMM (prefill)", "BitLinear layer, N=1",
                                           "BitLinear layer, prefill"};

/* The bar label: the subject without the kind the panel already names. */
static void short_subject(const char *subject, char *buf, size_t len)
{
    static const char *const ops[] = {" bitlinear gemm", " bitlinear gemv", " gemm", " gemv"};
    snprintf(buf, len, "%s", subject);
    for (size_t i = 0; i < sizeof ops / sizeof ops[0]; i++) {
        char *p = strstr(buf, ops[i]);
        if (p) {
            memmove(p, p + strlen(ops[i]), strlen(p + strlen(ops[i])) + 1);
            break;
        }
    }
    for (char *c = buf; *c; c++)
        if (*c == '\t' || *c == '\n' || *c == '"' || *c == '\'')
            *c = ' ';
}

static void speedup_plot(vr_report *r, const vr_options *o, int threads, int repetitions)
{
    vk_buf d = {0}, body = {0};
    size_t rows[4] = {0}, max_rows = 0;
    double lo = 1.0, hi = 1.0;
    bool any_interval = false;
    vk_printf(&d, "# one block per kind (gnuplot index): y\tlabel\tmeasured\tbar low\tbar high\tcolour\tinterval low\t"
                  "interval high\tverdict\tvalue\tvalue x\n");
    for (int k = 0; k < 4; k++) {
        for (size_t i = 0; i < r->n_checks; i++) {
            const vr_check_row *c = &r->checks[i];
            if (strcmp(c->section, VK_SECTION) != 0 || strcmp(c->target, speed_targets[k]) != 0 ||
                !isfinite(c->measured) || c->measured <= 0)
                continue;
            char label[200];
            short_subject(c->subject, label, sizeof label);
            const bool iv = c->has_interval && isfinite(c->lo) && isfinite(c->hi) && c->lo > 0;
            any_interval |= iv;
            vk_printf(&d, "%zu\t%s\t%.5g\t%.5g\t%.5g\t%u\t", rows[k], label, c->measured, fmin(1.0, c->measured),
                      fmax(1.0, c->measured), rgb(verdict_colour(c->verdict)));
            vk_printf(&d, iv ? "%.5g\t%.5g" : "nan\tnan", c->lo, c->hi);
            vk_printf(&d, "\t%s\t%.2f×\t%.5g\n", c->verdict == VR_NA ? "N/A" : vr_verdict_name(c->verdict), c->measured,
                      (iv ? fmax(c->hi, c->measured) : c->measured) * 1.07);
            lo = fmin(lo, iv ? c->lo : c->measured);
            hi = fmax(hi, iv ? c->hi : c->measured);
            rows[k]++;
        }
        if (rows[k] > max_rows)
            max_rows = rows[k];
        vk_printf(&d, "\n\n");
    }
    if (max_rows == 0 || d.failed) {
        vk_buf_free(&d);
        return;
    }
    const vr_target *t = vr_profile_find(&r->profile, "speedup_gemv");
    const double req = t && t->has_min ? t->min : 2.0, opt = t && t->has_optimal ? t->optimal : NAN;
    hi = fmax(hi, isfinite(opt) ? opt : req) * 2.2;
    lo = fmin(lo, req) / 1.6;
    const unsigned panel_h = 110 + 24 * (unsigned)max_rows;
    vk_printf(&body, "#size 1400,%u\n", 2 * panel_h + 60);
    vk_printf(&body, "set datafile separator '\\t'\nunset title\nset logscale x 10\n"
                     "set xrange [%.4g:%.4g]\nset grid xtics mxtics\nset ytics scale 0 noenhanced font ',9'\n"
                     "set xlabel 'fastest FP32 baseline time / ternary time (x, log scale)'\nset key off\n"
                     "set style fill solid 0.85 border lc rgb '#333333'\nset lmargin 34\nset rmargin 4\n"
                     "set multiplot layout 2,2 title plot_title noenhanced font ',12'\n",
              lo, hi);
    for (int k = 0; k < 4; k++) {
        vk_printf(&body, "unset arrow\nunset label\nset yrange [%.1f:-0.7]\n", (double)(rows[k] ? rows[k] : 1) - 0.3);
        /* the required speedup in red, the stretch goal dashed */
        vk_printf(&body, "set arrow from %.4g, graph 0 to %.4g, graph 1 nohead front lw 3 lc rgb '%s'\n"
                         "set label 'required %.3g× ' at %.4g, graph 1.04 right textcolor rgb '%s' font ',9'\n",
                  req, req, C_THRESHOLD, req, req, C_THRESHOLD);
        if (isfinite(opt))
            vk_printf(&body, "set arrow from %.4g, graph 0 to %.4g, graph 1 nohead front lw 1.5 dt 2 lc rgb '#444444'\n"
                             "set label ' optimal %.3g×' at %.4g, graph 1.04 left font ',8'\n",
                      opt, opt, opt, opt);
        vk_printf(&body, "set title '%s — %zu rows' font ',11'\n", speed_titles[k], rows[k]);
        if (rows[k] == 0) {
            vk_printf(&body, "set label 'no sign-off rows' at graph 0.5, graph 0.5 center\nset ytics ()\n"
                             "plot 1/0 notitle\nset ytics auto\n");
            continue;
        }
        vk_printf(&body,
                  "plot datafile index %d using 3:1:4:5:($1-0.38):($1+0.38):6:ytic(2) with boxxyerror lc rgb variable, \\\n"
                  "     '' index %d using 3:1:7:8 with xerrorbars lc rgb 'black' lw 1.5 pt 0, \\\n"
                  "     '' index %d using 11:1:10 with labels left font ',8' tc rgb '#222222'\n",
                  k, k, k);
    }
    /* the legend as a last, empty panel overlay */
    vk_printf(&body, "unset multiplot\n");
    char title[256];
    snprintf(title, sizeof title,
             "Speedup over the fastest FP32 baseline (%s, %d thread%s, median of %d; bar colour: red FAIL, orange "
             "INCONCLUSIVE, blue PASS, grey N/A; purple line: required%s%s)",
             o->shapes ? o->shapes : o->quick ? "quick" : "bitnet-2b", threads, threads > 1 ? "s" : "", repetitions,
             o->quick ? " — --quick: not signed off" : "", any_interval ? "; whiskers: confidence interval" : "");
    if (!body.failed)
        vr_plot(r, VK_SECTION, "speedup", title, body.s, d.s);
    vk_buf_free(&d);
    vk_buf_free(&body);
}

/* ---- memory ---- */

static void memory_plot(vr_report *r)
{
    vk_buf d = {0}, body = {0};
    size_t n = 0;
    double hi = 0;
    vk_printf(&d, "# y\tlabel\treduction\tfill colour\tborder colour\tsigned off\tvalue\n");
    for (size_t i = 0; i < r->n_checks; i++) {
        const vr_check_row *c = &r->checks[i];
        if (strcmp(c->section, VK_SECTION) != 0 || strcmp(c->target, "memory_reduction") != 0 || !isfinite(c->measured))
            continue;
        char label[200];
        short_subject(c->subject, label, sizeof label);
        vk_printf(&d, "%zu\t%s\t%.5g\t%u\t%u\t1\t%.2f×\n", n++, label, c->measured, rgb(verdict_colour(c->verdict)),
                  rgb("#333333"), c->measured);
        hi = fmax(hi, c->measured);
    }
    /* The whole-model figures are information here (the e2e section signs off the profile's head): hollow. */
    for (size_t i = 0; i < r->n_metrics; i++) {
        const vr_metric_item *m = &r->metrics[i];
        char fmt[32], emb[32];
        if (strcmp(m->section, VK_SECTION) != 0 || !isfinite(m->value) ||
            sscanf(m->key, "model_memory_reduction/%31[^/]/%31s", fmt, emb) != 2)
            continue;
        vk_printf(&d, "%zu\twhole model %s, %s embeddings/lm_head (info)\t%.5g\t%u\t%u\t0\t%.2f×\n", n++, fmt,
                  strcmp(emb, "emb_fp16") == 0 ? "FP16" : strcmp(emb, "emb_fp32") == 0 ? "FP32" : emb, m->value,
                  rgb("#ffffff"), rgb(C_NA), m->value);
        hi = fmax(hi, m->value);
    }
    if (n == 0 || d.failed) {
        vk_buf_free(&d);
        return;
    }
    const vr_target *t = vr_profile_find(&r->profile, "memory_reduction");
    const double req = t && t->has_min ? t->min : NAN;
    const double xmax = fmax(hi, isfinite(req) ? req : 0) * 1.18;
    vk_printf(&body, "#size 1100,%zu\nset tmargin 4\n", 150 + 22 * n);
    vk_printf(&body, "set datafile separator '\\t'\nset xrange [0:%.4g]\nset yrange [%zu-0.4:-0.6]\n"
                     "set ytics scale 0 noenhanced font ',9'\nset grid xtics\nset lmargin 52\nset key off\n"
                     "set xlabel 'FP32 bytes / packed bytes (x)'\nset style fill solid 0.85\n",
              xmax, n);
    if (isfinite(req))
        vk_printf(&body, "set arrow from %.4g, graph 0 to %.4g, graph 1 nohead front lw 3 lc rgb '%s'\n"
                         "set label 'required %.3g×' at %.4g, graph 1.02 center textcolor rgb '%s'\n",
                  req, req, C_THRESHOLD, req, req, C_THRESHOLD);
    vk_printf(&body, "plot datafile using (($3)/2):1:(0):3:($1-0.38):($1+0.38):4:ytic(2) with boxxyerror "
                     "fs solid 0.85 noborder lc rgb variable, \\\n"
                     "     '' using (($3)/2):1:(0):3:($1-0.38):($1+0.38):5 with boxxyerror fs empty lw 1.5 lc rgb variable, \\\n"
                     "     '' using ($3+%.4g):1:7 with labels left font ',8'\n",
              xmax * 0.01);
    if (!body.failed)
        vr_plot(r, VK_SECTION, "memory",
                "Memory reduction vs FP32 (filled: signed off, coloured by verdict; hollow: information only)",
                body.s, d.s);
    vk_buf_free(&d);
    vk_buf_free(&body);
}

/* ---- roofline ---- */

enum { RK_GEMV, RK_GEMM, RK_BL_GEMV, RK_BL_GEMM, RK_COUNT };
static const char *const rk_names[RK_COUNT] = {"GEMV", "GEMM", "BitLinear N=1", "BitLinear prefill"};
static const int rk_pt[RK_COUNT] = {7, 5, 9, 13};

typedef struct roof_point {
    char format[16];
    int kind;
    double ai, gops;
} roof_point;

static int format_slot(const char *f)
{
    if (strcmp(f, "i2") == 0)
        return 0;
    if (strcmp(f, "t5") == 0)
        return 1;
    if (strcmp(f, "fp32") == 0)
        return 2;
    return 3;
}
static const char *const fmt_names[4] = {"I2", "T5", "FP32", "other"};
static const char *const fmt_colours[4] = {"#1e88e5", "#2e7d32", "#212121", "#8e24aa"};

/* A kernel row's point from its median record: GOP/s = 2·M·K·N / time; bytes = the packed weights (the suite's
 * GB/s counter × time) + activations (int8 for the bare ternary matmul, FP32 otherwise) + FP32 outputs, each
 * touched once. 0 when the name is not a kernel row or it did not run. */
static int kernel_point(const tb_record *rec, roof_point *p)
{
    char op[16], fmt[16], var[64], shape[64];
    if (sscanf(rec->run_name, "%15[^/]/%15[^/]/%63[^/]/%63[^/]/", op, fmt, var, shape) != 4)
        return 0;
    size_t M = 0, K = 0, N = 1;
    const int ns = sscanf(shape, "%zux%zux%zu", &M, &K, &N);
    const bool bl = strcmp(op, "bitlinear") == 0;
    if (!bl && strcmp(op, "gemv") != 0 && strcmp(op, "gemm") != 0)
        return 0;
    if (ns < 2 || M == 0 || K == 0 || N == 0 || rec->error_occurred || rec->skipped)
        return 0;
    if (strcmp(op, "gemv") == 0)
        N = 1;
    const double t = rec->real_time * tb_time_unit_seconds(rec->time_unit);
    if (!(t > 0))
        return 0;
    const double ops = 2.0 * (double)M * (double)K * (double)N;
    double wbytes = tb_record_counter(rec, "GB/s", NAN) * 1e9 * t;
    if (!(wbytes > 0))
        wbytes = (double)M * (double)K * (strcmp(fmt, "fp32") == 0 ? 4.0 : strcmp(fmt, "t5") == 0 ? 0.2 : 0.25);
    const bool int8_in = !bl && strcmp(fmt, "fp32") != 0;
    const double bytes = wbytes + (double)N * (double)K * (int8_in ? 1.0 : 4.0) + 4.0 * (double)M * (double)N;
    snprintf(p->format, sizeof p->format, "%s", fmt);
    p->kind = bl ? (N == 1 ? RK_BL_GEMV : RK_BL_GEMM) : (strcmp(op, "gemv") == 0 ? RK_GEMV : RK_GEMM);
    p->ai = ops / bytes;
    p->gops = ops / t / 1e9;
    return 1;
}

static void roofline_plot(vr_report *r, int threads, const tb_results *records)
{
    if (!records || records->count == 0)
        return;
    roof_point *pts = calloc(records->count, sizeof *pts);
    if (!pts) {
        r->oom = true;
        return;
    }
    size_t np = 0;
    struct {
        char name[64];
        double gbps;
    } mem[8];
    memset(mem, 0, sizeof mem);
    size_t nm = 0;
    double int8_roof = 0, fp_roof = 0;
    char int8_probe[48] = "", fp_probe[48] = "";
    for (size_t i = 0; i < records->count; i++) {
        const tb_record *rec = &records->records[i];
        if (rec->run_type != TB_RUN_AGGREGATE || strcmp(rec->aggregate_name, "median") != 0)
            continue;
        char size[48], probe[48];
        if (sscanf(rec->run_name, "stream/read/%47[^/]/", size) == 1) {
            const double g = tb_record_counter(rec, "GB/s", 0.0);
            if (g > 0 && nm < sizeof mem / sizeof mem[0]) {
                snprintf(mem[nm].name, sizeof mem[nm].name, "%s", size);
                mem[nm++].gbps = g;
            }
        } else if (sscanf(rec->run_name, "roof/%47[^/]/", probe) == 1) {
            const double g = tb_record_counter(rec, "roof_GOP/s", 0.0) * threads;
            const bool is_int8 = tb_record_counter(rec, "i2_roof_GB/s", 0.0) > 0;
            if (is_int8 && g > int8_roof) {
                int8_roof = g;
                snprintf(int8_probe, sizeof int8_probe, "%s", probe);
            } else if (!is_int8 && strncmp(probe, "fma", 3) == 0 && g > fp_roof) {
                fp_roof = g;
                snprintf(fp_probe, sizeof fp_probe, "%s", probe);
            }
        } else if (kernel_point(rec, &pts[np])) {
            np++;
        }
    }
    if (np == 0) {
        free(pts);
        return;
    }
    vk_buf d = {0}, body = {0};
    double ai_lo = INFINITY, ai_hi = 0, g_lo = INFINITY, g_hi = 0;
    int block = 0;
    vk_printf(&body, "#size 1200,900\nset datafile separator '\\t'\nset logscale xy 10\n"
                     "set xlabel 'arithmetic intensity (ops per byte: packed weights + activations + outputs, log)'\n"
                     "set ylabel 'GOP/s (2·M·K·N per second, log)'\nset grid xtics ytics mxtics mytics\n"
                     "set key below center horizontal maxcols 4 noenhanced font ',9' spacing 1.1\nset samples 400\n");
    vk_buf plot = {0};
    vk_printf(&d, "# one block per (format, kind): arithmetic intensity\tGOP/s\n");
    for (int f = 0; f < 4; f++)
        for (int k = 0; k < RK_COUNT; k++) {
            size_t cnt = 0;
            for (size_t i = 0; i < np; i++) {
                if (format_slot(pts[i].format) != f || pts[i].kind != k)
                    continue;
                vk_printf(&d, "%.5g\t%.5g\n", pts[i].ai, pts[i].gops);
                ai_lo = fmin(ai_lo, pts[i].ai);
                ai_hi = fmax(ai_hi, pts[i].ai);
                g_lo = fmin(g_lo, pts[i].gops);
                g_hi = fmax(g_hi, pts[i].gops);
                cnt++;
            }
            if (!cnt)
                continue;
            vk_printf(&d, "\n\n");
            vk_printf(&plot, "%s datafile index %d using 1:2 with points pt %d ps 1.3 lc rgb '%s' title '%s %s'",
                      block ? ", \\\n    " : "plot", block, rk_pt[k], fmt_colours[f], fmt_names[f], rk_names[k]);
            block++;
        }
    const double peak = fmax(int8_roof, fp_roof);
    double xlo = ai_lo / 4, xhi = ai_hi * 4;
    double ylo = g_lo / 4, yhi = fmax(g_hi, peak) * 2.5;
    vk_printf(&body, "set xrange [%.4g:%.4g]\nset yrange [%.4g:%.4g]\n", xlo, xhi, ylo, yhi);
    /* oranges and browns: apart from the compute roofs (dark red, purple) and the points */
    static const char *const mem_colours[] = {"#e65100", "#ef6c00", "#fb8c00", "#795548", "#6d4c41", "#5d4037",
                                              "#4e342e", "#3e2723"};
    for (size_t m = 0; m < nm; m++) {
        /* a memory roof: bandwidth × intensity, up to the highest compute roof */
        vk_printf(&body, "mem%zu(x) = (%.5g*x <= %.5g || %.5g <= 0) ? %.5g*x : 1/0\n", m, mem[m].gbps,
                  peak > 0 ? peak : INFINITY, peak, mem[m].gbps);
        vk_printf(&plot, "%s mem%zu(x) with lines lw 2.5 dt %d lc rgb '%s' title 'memory roof: stream read %s, %.0f GB/s'",
                  block ? ", \\\n    " : "plot", m, m + 1 == nm ? 1 : 2, mem_colours[m], mem[m].name, mem[m].gbps);
        block++;
    }
    if (int8_roof > 0) {
        vk_printf(&plot, "%s %.5g with lines lw 3 lc rgb '#b71c1c' title 'compute roof int8 (%s × %d thread%s): %.0f GOP/s'",
                  block ? ", \\\n    " : "plot", int8_roof, int8_probe, threads, threads > 1 ? "s" : "", int8_roof);
        block++;
    }
    if (fp_roof > 0) {
        vk_printf(&plot, "%s %.5g with lines lw 3 dt 4 lc rgb '#4a148c' title 'compute roof FP32 (%s × %d thread%s): %.0f GFLOP/s'",
                  block ? ", \\\n    " : "plot", fp_roof, fp_probe, threads, threads > 1 ? "s" : "", fp_roof);
        block++;
    }
    vk_printf(&body, "%s\n", plot.s ? plot.s : "plot 1/0 notitle");
    char title[256];
    snprintf(title, sizeof title, "Roofline: every kernel row (%d thread%s, medians), roofs measured in this run%s",
             threads, threads > 1 ? "s" : "", nm == 0 ? " (no stream read: no memory roof)" : "");
    if (!body.failed && !d.failed && !plot.failed)
        vr_plot(r, VK_SECTION, "roofline", title, body.s, d.s);
    if (nm == 0)
        vr_note(r, VK_SECTION, "Roofline: no stream read bandwidth was measured in this run, so the plot has no memory roof.");
    vk_buf_free(&d);
    vk_buf_free(&body);
    vk_buf_free(&plot);
    free(pts);
}

/* ---- quantization error ---- */

static void error_plot(vr_report *r, const double hist[TRIT_DIST_COUNT][VK_HIST_BINS])
{
    vk_buf d = {0}, body = {0};
    vk_printf(&d, "# normalized error");
    for (int k = 0; k < TRIT_DIST_COUNT; k++)
        vk_printf(&d, "\t%s", trit_dist_name((trit_dist)k));
    vk_printf(&d, "\n");
    double tot[TRIT_DIST_COUNT] = {0};
    for (int k = 0; k < TRIT_DIST_COUNT; k++)
        for (int b = 0; b < VK_HIST_BINS; b++)
            tot[k] += hist[k][b];
    for (int b = 0; b < VK_HIST_BINS; b++) {
        vk_printf(&d, "%.3f", -VK_HIST_RANGE + 2 * VK_HIST_RANGE * b / (VK_HIST_BINS - 1));
        for (int k = 0; k < TRIT_DIST_COUNT; k++)
            vk_printf(&d, "\t%.6g", tot[k] > 0 ? hist[k][b] / tot[k] : 0.0);
        vk_printf(&d, "\n");
    }
    vk_printf(&body, "set datafile separator '\\t'\nset xlabel 'normalized error'\nset ylabel 'fraction of outputs'\n"
                     "plot");
    for (int k = 0; k < TRIT_DIST_COUNT; k++)
        vk_printf(&body, "%s datafile using 1:%d with linespoints title '%s weights'", k ? "," : "", k + 2,
                  trit_dist_name((trit_dist)k));
    if (!d.failed && !body.failed)
        vr_plot(r, VK_SECTION, "error_distribution",
                "Output error of the ternary layer vs the FP32 layer, (y - y_fp32) / rms(y_fp32)", body.s, d.s);
    vk_buf_free(&body);
    vk_buf_free(&d);
}

void vk_add_plots(vr_report *r, const vr_options *o, int threads, int repetitions, const tb_results *records,
                  const double hist[TRIT_DIST_COUNT][VK_HIST_BINS])
{
    speedup_plot(r, o, threads, repetitions);
    roofline_plot(r, threads, records);
    memory_plot(r);
    error_plot(r, hist);
}
