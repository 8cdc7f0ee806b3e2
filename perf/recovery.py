"""The attribution recovery benchmark: for each (scale, seed), `misura generate` a company
with planted per-touch channel effects, `misura run` it, and read each model's row of
`tables/attribution_recovery.csv` (Spearman rho of credit per touch with the planted effect,
credit error against the conversions the touches caused, channels zeroed). Prints Markdown
tables to paste into perf/MEASUREMENTS.md.

  python3 perf/recovery.py                       # scales 0.01-0.25, several seeds (debug build)
  python3 perf/recovery.py --runs 0.01:3,1:1 --bin target/release/misura
"""

import argparse
import csv
import subprocess
from pathlib import Path

DEFAULT_RUNS = "0.01:1,0.01:2,0.01:3,0.01:42,0.05:1,0.05:2,0.05:3,0.1:1,0.1:2,0.25:1"


def run_one(binary: str, work: Path, scale: str, seed: str) -> dict:
    data, out = work / f"data-{scale}-{seed}", work / f"out-{scale}-{seed}"
    if not data.exists():
        subprocess.run([binary, "generate", "--scale", scale, "--seed", seed, "--out", str(data),
                        "--format", "parquet"], check=True, capture_output=True)
    subprocess.run([binary, "run", "--data", str(data), "--out", str(out), "--force"],
                   check=True, capture_output=True)
    with open(out / "latest" / "tables" / "attribution_recovery.csv", newline="") as f:
        return {r["model"]: r for r in csv.DictReader(f)}


def table(runs: list, results: list, column: str, worst) -> str:
    models = list(results[0].keys())
    head = "| model | " + " | ".join(f"{s}/{d}" for s, d in runs) + " | worst |\n"
    head += "|---|" + "---:|" * (len(runs) + 1) + "\n"
    for m in models:
        v = [float(r[m][column]) for r in results]
        head += f"| {m} | " + " | ".join(f"{x:.3f}" for x in v) + f" | {worst(v):.3f} |\n"
    return head


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("--runs", default=DEFAULT_RUNS, help="scale:seed,… (default: %(default)s)")
    ap.add_argument("--bin", default=str(Path.home() / ".cache/misura/target/debug/misura"))
    ap.add_argument("--work", type=Path, default=Path.home() / ".cache/misura/recovery")
    a = ap.parse_args()
    a.work.mkdir(parents=True, exist_ok=True)
    runs = [tuple(r.split(":")) for r in a.runs.split(",")]
    results = [run_one(a.bin, a.work, s, d) for s, d in runs]
    print("Spearman rho of credit per touch with the planted effect (scale/seed):\n")
    print(table(runs, results, "rho_planted", min))
    print("Credit error against caused conversions (0 = credit proportional to what was caused):\n")
    print(table(runs, results, "credit_error", max))
    zeroed = {m: {r[m]["zeroed"] for r in results} - {""} for m in results[0]}
    for m, z in zeroed.items():
        if z:
            print(f"- {m} zeroes {', '.join(sorted(z))}")


if __name__ == "__main__":
    main()
