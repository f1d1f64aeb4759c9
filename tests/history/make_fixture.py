#!/usr/bin/env python3
"""make_fixture.py — turns real `tritbench run --benchmark_format=json` files into the compact fixture of
the detection evaluation (tests/history/data/gemv_i2_runs.tsv): one line per run × benchmark, the run's
repetition times in ns (4 significant digits). Each run is one real process launch on this machine, so the
differences between runs are real between-run drift.

    python3 tests/history/make_fixture.py OUT.tsv RUN.json...
"""
import json
import sys


def main():
    out, files = sys.argv[1], sys.argv[2:]
    lines = ["# run\tbenchmark\treal_time_ns per repetition (tab-separated)"]
    for k, path in enumerate(files):
        with open(path) as f:
            doc = json.load(f)
        ctx = doc["context"]
        lines.append("# run %d: %s load_avg %s" % (k, ctx.get("date"), ctx.get("load_avg")))
        reps = {}
        for b in doc["benchmarks"]:
            if b.get("run_type") != "iteration" or b.get("skipped") or b.get("error_occurred"):
                continue
            scale = {"ns": 1, "us": 1e3, "ms": 1e6, "s": 1e9}[b.get("time_unit", "ns")]
            reps.setdefault(b["run_name"], []).append(b["real_time"] * scale)
        for name, times in reps.items():
            lines.append("%d\t%s\t%s" % (k, name, "\t".join("%.4g" % t for t in times)))
    with open(out, "w") as f:
        f.write("\n".join(lines) + "\n")


if __name__ == "__main__":
    main()
