#!/usr/bin/env python3
"""check_scipy.py — interval.h against scipy.stats (Debian's python3-scipy 1.10).

Usage: check_scipy.py INTERVAL_CLI. Exit 77 (skip) without scipy.

The Hodges-Lehmann interval is the set of shifts the rank test does not reject, so each bound is checked by
test inversion with scipy's own test: shifting the contender's log times by a point just inside the bound
must give scipy p > alpha, just outside p <= alpha (mannwhitneyu for unpaired samples, wilcoxon for paired
ones; method "exact" and the continuity-corrected normal approximation both). The estimate is checked
against numpy medians of the pairwise differences / Walsh averages, p-values against scipy directly, and
Benjamini-Hochberg against a direct O(n^2) transcription of its definition and a hand-worked example."""
import math
import subprocess
import sys

try:
    import numpy as np
    from scipy import stats
except ImportError:
    print("skip: no numpy/scipy for this python")
    sys.exit(77)

cli = sys.argv[1]
rng = np.random.default_rng(12)
failures = 0
lines_in, checks = [], []


def fail(msg):
    global failures
    failures += 1
    print("FAIL:", msg)


def near(x, y, rel=1e-9):
    return abs(x - y) <= rel * max(abs(x), abs(y)) + 1e-15


def mwu_p(la, lb, delta, exact):
    return stats.mannwhitneyu(lb - delta, la, alternative="two-sided",
                              method="exact" if exact else "asymptotic", use_continuity=True).pvalue


def wil_p(d, delta, exact):
    return stats.wilcoxon(d - delta, alternative="two-sided", zero_method="wilcox",
                          method="exact" if exact else "approx", correction=True).pvalue


def check_bounds(tag, sorted_vals, lo, hi, bounded, alpha, pfun):
    s = sorted_vals
    total = len(s)
    if not bounded:
        # no shift at all is rejected: even beyond the extremes the test keeps p > alpha
        if pfun(s[0] - 1.0) <= alpha or pfun(s[-1] + 1.0) <= alpha:
            fail(f"{tag}: unbounded, but scipy rejects beyond the extremes")
        return
    k = int(np.argmin(np.abs(s - math.log(lo)))) + 1  # 1-based order of the lower bound
    if not near(s[k - 1], math.log(lo)) or not near(s[total - k], math.log(hi)):
        fail(f"{tag}: bounds are not symmetric order statistics (k={k})")
        return
    inside_lo = 0.5 * (s[k - 1] + s[k])
    outside_lo = 0.5 * (s[k - 2] + s[k - 1]) if k >= 2 else s[0] - 1.0
    inside_hi = 0.5 * (s[total - k - 1] + s[total - k])
    outside_hi = 0.5 * (s[total - k] + s[total - k + 1]) if k >= 2 else s[-1] + 1.0
    for where, delta, want_reject in (("inside lo", inside_lo, False), ("outside lo", outside_lo, True),
                                      ("inside hi", inside_hi, False), ("outside hi", outside_hi, True)):
        p = pfun(delta)
        if (p <= alpha) != want_reject:
            fail(f"{tag}: {where}: scipy p={p:.6g} alpha={alpha} (k={k}, total={total})")


def run(cases):
    text = "".join(c[0] for c in cases)
    out = subprocess.run([cli], input=text, capture_output=True, text=True, check=True).stdout.splitlines()
    if len(out) != len(cases):
        fail(f"driver answered {len(out)} lines for {len(cases)} cases")
        return
    for (line, check), answer in zip(cases, out):
        check(answer.split())


def fmt(v):
    return " ".join(repr(float(x)) for x in v)


cases = []


def unpaired_case(m, n, conf, exact, ratio=1.0, rounded=False):
    a = np.exp(rng.normal(0, 0.05, m))
    b = np.exp(rng.normal(math.log(ratio), 0.05, n))
    if rounded:  # ties → the normal approximation with tie correction
        a, b = np.round(a, 2), np.round(b, 2)
    la, lb = np.log(a), np.log(b)
    d = np.sort((lb[None, :] - la[:, None]).ravel())
    alpha = 1 - conf
    tag = f"unpaired m={m} n={n} conf={conf}"

    def check(ans):
        lo, est, hi, p, ex, bd = map(float, ans)
        if bool(ex) != exact:
            fail(f"{tag}: exact={ex}, expected {exact}")
        if not near(est, math.exp(np.median(d))):
            fail(f"{tag}: estimate {est} vs numpy {math.exp(np.median(d))}")
        p_ref = stats.mannwhitneyu(a, b, alternative="two-sided", method="exact" if exact else "asymptotic").pvalue
        if not near(p, p_ref, 1e-7):
            fail(f"{tag}: p {p} vs scipy {p_ref}")
        if not rounded:
            check_bounds(tag, d, lo, hi, bool(bd), alpha, lambda delta: mwu_p(la, lb, delta, exact))
        elif not (lo <= est <= hi):
            fail(f"{tag}: estimate outside its interval")
    cases.append((f"u {conf} {m} {fmt(a)} {n} {fmt(b)}\n", check))


def paired_case(n, conf, exact, ratio=1.0):
    a = np.exp(rng.normal(0, 0.1, n))
    b = a * np.exp(rng.normal(math.log(ratio), 0.02, n))
    d = np.log(b) - np.log(a)
    w = np.sort(np.array([0.5 * (d[i] + d[j]) for i in range(n) for j in range(i, n)]))
    alpha = 1 - conf
    tag = f"paired n={n} conf={conf}"

    def check(ans):
        lo, est, hi, p, ex, bd = map(float, ans)
        if bool(ex) != exact:
            fail(f"{tag}: exact={ex}, expected {exact}")
        if not near(est, math.exp(np.median(w))):
            fail(f"{tag}: estimate {est} vs numpy {math.exp(np.median(w))}")
        p_ref = wil_p(d, 0.0, exact)
        if not near(p, p_ref, 1e-7):
            fail(f"{tag}: p {p} vs scipy {p_ref}")
        check_bounds(tag, w, lo, hi, bool(bd), alpha, lambda delta: wil_p(d, delta, exact))
    cases.append((f"p {conf} {n} {fmt(a)} {fmt(b)}\n", check))


for m, n in ((3, 3), (4, 5), (5, 5), (6, 4), (9, 9), (12, 7), (20, 20), (30, 45), (50, 50)):
    for conf in (0.9, 0.95):
        unpaired_case(m, n, conf, exact=True, ratio=1.04)
for m, n in ((51, 60), (80, 70)):
    unpaired_case(m, n, 0.95, exact=False, ratio=1.02)
unpaired_case(15, 15, 0.95, exact=False, rounded=True)
for n in (4, 5, 6, 9, 10, 15, 25, 50):
    for conf in (0.9, 0.95, 0.99):
        paired_case(n, conf, exact=True, ratio=1.03)
for n in (51, 80):
    paired_case(n, 0.95, exact=False, ratio=1.01)

# Signed-rank p with zeros dropped (zero_method="wilcox").
d0 = np.array([0.0, 0.3, -0.1, 0.25, 0.0, 0.4, 0.05, -0.02, 0.33])


def check_sr(ans):
    p, tp, ex = float(ans[0]), float(ans[1]), int(ans[2])
    ref = stats.wilcoxon(d0[d0 != 0], method="exact")
    if not (ex and near(p, ref.pvalue, 1e-9)):
        fail(f"signed rank with zeros: p {p} exact {ex} vs scipy {ref.pvalue}")
    if tp != 24.0:  # |d| ranks 1..7 = .02- .05+ .1- .25+ .3+ .33+ .4+: T+ = 2+4+5+6+7 = 24
        fail(f"signed rank T+ {tp}, expected 24")


cases.append((f"s {len(d0)} {fmt(d0)}\n", check_sr))

# Benjamini-Hochberg: R's p.adjust(c(0.01, 0.04, 0.03, 0.005, 0.2), "BH") = 0.025 0.05 0.05 0.025 0.2
pv = np.array([0.01, 0.04, 0.03, 0.005, 0.2])


def check_bh_example(ans):
    q = list(map(float, ans))
    if not all(near(x, y, 1e-12) for x, y in zip(q, [0.025, 0.05, 0.05, 0.025, 0.2])):
        fail(f"BH example: {q}")


cases.append((f"b 5 {fmt(pv)}\n", check_bh_example))
pr = rng.uniform(0, 0.2, 40) ** 2


def check_bh_random(ans):
    q = np.array(list(map(float, ans)))
    m = len(pr)
    rank = {i: r + 1 for r, i in enumerate(np.argsort(pr, kind="stable"))}
    ref = [min(1.0, min(pr[j] * m / rank[j] for j in range(m) if pr[j] >= pr[i])) for i in range(m)]
    if not np.allclose(q, ref, rtol=1e-12, atol=0):
        fail("BH random: differs from the definition")


cases.append((f"b {len(pr)} {fmt(pr)}\n", check_bh_random))
# Rejected inputs: a zero time, conf out of range.
cases.append(("u 0.95 2 1 0 2 1 1\n", lambda ans: ans == ["error"] or fail("zero time accepted")))
cases.append(("p 1.5 2 1 1 1 1\n", lambda ans: ans == ["error"] or fail("conf 1.5 accepted")))

run(cases)
print(f"{len(cases)} cases, {failures} failure(s)")
sys.exit(1 if failures else 0)
