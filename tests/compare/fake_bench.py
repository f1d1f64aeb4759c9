#!/usr/bin/env python3
"""fake_bench.py — stands in for a tritbench binary in the `tritbench ab` tests: `fake_bench.py run [flags]
--benchmark_repetitions=R --benchmark_out=PATH --benchmark_out_format=json` writes google/benchmark JSON.

Deterministic and timing-free. The machine "drifts" by up to ±25 % from round to round (far more than the
planted effect), identically for both launches of a round; each launch adds its own ±0.5 % noise. Invoked
through a name containing "slow", every fake/kernel_a row is 5 % slower. FAKE_BENCH_STATE names a
directory holding the launch counter; FAKE_BENCH_FAIL=1 makes the launch fail (exit 3)."""
import json
import math
import os
import random
import sys

if os.environ.get("FAKE_BENCH_FAIL") == "1":
    print("fake_bench: failing on purpose", file=sys.stderr)
    sys.exit(3)
args = sys.argv[1:]
if not args or args[0] != "run":
    print("fake_bench: expected `run`", file=sys.stderr)
    sys.exit(2)
flags = dict(a[2:].split("=", 1) for a in args[1:] if a.startswith("--") and "=" in a)
reps = int(flags.get("benchmark_repetitions", "1"))
out = flags["benchmark_out"]
state = os.environ["FAKE_BENCH_STATE"]
counter = os.path.join(state, "launches")
launch = int(open(counter).read()) if os.path.exists(counter) else 0
with open(counter, "w") as f:
    f.write(str(launch + 1))
with open(os.path.join(state, "last_args"), "w") as f:  # what ab forwarded, for the test to check
    f.write(" ".join(args) + "\n")
round_no = launch // 2  # ab launches both sides of a round back to back
drift = 1.0 + 0.25 * math.sin(1.7 * round_no + 0.3)
slow = "slow" in os.path.basename(sys.argv[0])

rows = []
names = [f"fake/kernel_{k}/{i}/threads:1" for k in ("a", "b") for i in range(1, 21)]
for idx, name in enumerate(names):
    base_us = 10.0 * (idx + 1)
    factor = 1.05 if slow and "/kernel_a/" in name else 1.0
    rng = random.Random(f"{name}#{launch}")
    for r in range(reps):
        t = base_us * drift * factor * (1.0 + 0.005 * (2 * rng.random() - 1))
        rows.append({"name": name, "family_index": 0, "per_family_instance_index": idx, "run_name": name,
                     "run_type": "iteration", "repetitions": reps, "repetition_index": r, "threads": 1,
                     "iterations": 1000, "real_time": t, "cpu_time": t, "time_unit": "us"})
rows.append({"name": "fake/skipped/threads:1", "family_index": 1, "per_family_instance_index": 0,
             "run_name": "fake/skipped/threads:1", "run_type": "iteration", "repetitions": reps,
             "repetition_index": 0, "threads": 1, "skipped": True, "skip_message": "no device",
             "iterations": 0, "real_time": 0.0, "cpu_time": 0.0})
with open(out, "w") as f:
    json.dump({"context": {"host_name": "fake", "num_cpus": 2}, "benchmarks": rows}, f, indent=1)
