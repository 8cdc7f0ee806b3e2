#!/usr/bin/env python3
"""How fast `misura impact` fits a BSTS counterfactual, against bsts-causalimpact (PyPI), the
Python CausalImpact with a compiled Gibbs sampler, measured in the same run on the same data.

One series of T points (default 1000) with one covariate, the launch at 70 % of it; both
tools draw the same number of MCMC iterations (1,500: bsts-causalimpact's default 1,000 draws
after 500 warm-up; misura counts its burn-in inside niter). `misura impact` also fits its
in-time placebo (the same model on the pre-period), which bsts-causalimpact does not: its
time is the whole command a user runs, and the placebo's share is timed beside it by running
misura on the pre-period alone.

    pip install bsts-causalimpact==1.7.0
    cargo build --release
    python3 perf/impact_bench.py [--binary target/release/misura] [--points 1000] [--repeat 5]

Writes perf/results/impact.json and prints a Markdown table.
"""

import argparse
import json
import math
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time


def series(points: int, seed: int = 11):
    """y = 2 + 1.2 x + noise with x a random walk; an effect of +3 from 70 % on."""
    rng = random.Random(seed)
    x, y = [], []
    level = 10.0
    t0 = int(points * 0.7)
    for t in range(points):
        level += rng.gauss(0, 0.3)
        x.append(level)
        y.append(2 + 1.2 * level + rng.gauss(0, 0.5) + (3.0 if t >= t0 else 0.0))
    return x, y, t0


def timed(fn, repeat):
    times = []
    out = None
    for _ in range(repeat):
        start = time.perf_counter()
        out = fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times), out


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--binary", default=os.path.join(
        os.environ.get("CARGO_TARGET_DIR", "target"), "release", "misura"))
    ap.add_argument("--points", type=int, default=1000)
    ap.add_argument("--repeat", type=int, default=5)
    ap.add_argument("--out", default=os.path.join(os.path.dirname(__file__), "results", "impact.json"))
    a = ap.parse_args()
    x, y, t0 = series(a.points)
    iterations = 1500
    with tempfile.TemporaryDirectory() as d:
        path = os.path.join(d, "series.csv")
        with open(path, "w") as f:
            f.write("t,y,x\n")
            for t, (yv, xv) in enumerate(zip(y, x)):
                f.write(f"{t + 1},{yv!r},{xv!r}\n")
        pre = os.path.join(d, "pre.csv")
        with open(pre, "w") as f:
            f.write("t,y,x\n")
            for t in range(t0):
                f.write(f"{t + 1},{y[t]!r},{x[t]!r}\n")

        def misura(file, intervention):
            r = subprocess.run(
                [a.binary, "impact", "--series", file, "--intervention", str(intervention),
                 "--niter", str(iterations), "--format", "json"],
                capture_output=True, text=True, check=True)
            return json.loads(r.stdout)

        m_time, m = timed(lambda: misura(path, t0 + 1), a.repeat)
        # The placebo's share: the same command on the pre-period with its own fake launch.
        p_time, _ = timed(lambda: misura(pre, int(t0 * 0.7) + 1), a.repeat)

    try:
        import numpy as np
        import pandas as pd
        from causal_impact import CausalImpact
    except ImportError as e:
        print(f"bsts-causalimpact is not installed ({e}): pip install bsts-causalimpact==1.7.0",
              file=sys.stderr)
        return 2
    data = pd.DataFrame({"y": np.array(y), "x": np.array(x)})

    def python():
        ci = CausalImpact(data, [0, t0 - 1], [t0, a.points - 1],
                          model_args={"niter": 1000, "nwarmup": 500, "seed": 1})
        return ci.summary_stats

    py_time, py = timed(python, a.repeat)
    result = {
        "points": a.points,
        "covariates": 1,
        "iterations": iterations,
        "repeat": a.repeat,
        "binary": a.binary,
        "misura_impact_s": m_time,
        "misura_placebo_share_s": p_time,
        "bsts_causalimpact_s": py_time,
        "ratio_misura_over_bsts_causalimpact": m_time / py_time,
        "misura_effect": [m["point_effect_mean"], m["ci_lower"], m["ci_upper"]],
        "bsts_causalimpact_effect": [py["point_effect_mean"], py["ci_lower"], py["ci_upper"]],
        "planted_effect": 3.0,
        "machine": f"{os.cpu_count()} cores",
        "date": time.strftime("%Y-%m-%d"),
    }
    os.makedirs(os.path.dirname(a.out), exist_ok=True)
    with open(a.out, "w") as f:
        json.dump(result, f, indent=2)
        f.write("\n")
    print(f"| tool | time (median of {a.repeat}) | average effect (95 % interval), planted 3.0 |")
    print("|---|---:|---|")
    print(f"| misura impact (with its in-time placebo, {p_time:.2f} s of it) | {m_time:.2f} s | "
          f"{m['point_effect_mean']:.3f} ({m['ci_lower']:.3f} to {m['ci_upper']:.3f}) |")
    print(f"| bsts-causalimpact 1.7.0 | {py_time:.2f} s | "
          f"{py['point_effect_mean']:.3f} ({py['ci_lower']:.3f} to {py['ci_upper']:.3f}) |")
    print(f"ratio misura / bsts-causalimpact: {m_time / py_time:.2f}")
    return 0 if all(math.isfinite(v) for v in (m_time, py_time)) else 1


if __name__ == "__main__":
    sys.exit(main())
