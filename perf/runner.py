#!/usr/bin/env python3
"""misura's bench runner: the nightly job at a given scale, stage by stage, and the same
KPI SQL in DuckDB on the same Parquet files.

For each scale it
  1. generates the synthetic company as Parquet (`misura generate --format parquet`; kept
     under the work dir and reused when the scale and seed match),
  2. runs the full nightly job (`misura run`) and reads wall time and peak resident memory
     per stage from its manifest (`timings_ms`, `peak_rss_mb`), plus the process's wall
     time and peak RSS as the operating system saw them,
  3. optionally runs it again under `--memory-limit` (spilling),
  4. renders the KPI SQL with the data's parameters (`misura check --render-sql`), loads the
     same Parquet files into DuckDB (from PyPI, in a virtualenv this script creates),
     applies the dialect translations listed in TRANSLATIONS, runs every use-case query
     and times it next to misura's own per-use-case time,
and writes perf/results/scale-<s>.json, then regenerates perf/RESULTS.md from every
JSON file there (command, versions, machine, tables).

Not part of CI. Usage (docs/development.md, "Benchmarks"):
  python3 perf/runner.py --scales 0.1 --profile dev          # quick end-to-end check
  python3 perf/runner.py --scales 0.25,0.5,1,2 --memory-limit 2GB
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import json
import math
import os
import platform
import re
import shutil
import subprocess
import sys
import time
import tomllib
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
DUCKDB_VERSION = "2.0.0"
SEED = 7

# Every rewrite the DuckDB dialect forces on misura's SQL (DataFusion 55), with its reason.
# Nothing else is changed: the same files, the same parameters, the same joins.
TRANSLATIONS: list[tuple[str, str, str]] = [
    (
        r"\bto_char\(",
        "strftime(",
        "to_char(timestamp, '%Y-%m') formats with strftime patterns in DataFusion; DuckDB's "
        "function of the same meaning is strftime (DuckDB's to_char does not exist)",
    ),
]


def log(msg: str) -> None:
    print(f"[bench {dt.datetime.now():%H:%M:%S}] {msg}", flush=True)


def run(cmd: list[str], **kw) -> subprocess.CompletedProcess:
    log("$ " + " ".join(str(c) for c in cmd))
    return subprocess.run(cmd, check=True, text=True, **kw)


def timed(cmd: list[str]) -> float:
    """Runs cmd (output discarded unless it fails); returns its wall time in seconds."""
    log("$ " + " ".join(str(c) for c in cmd))
    start = time.perf_counter()
    proc = subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    if proc.returncode != 0:
        sys.exit(f"{cmd[0]} failed with exit code {proc.returncode}:\n{proc.stderr[-4000:]}")
    return time.perf_counter() - start


def build(profile: str, target_dir: Path) -> Path:
    run(["cargo", "build", "--profile", profile, "--bin", "misura"], cwd=REPO,
        env={**os.environ, "CARGO_TARGET_DIR": str(target_dir)})
    return target_dir / ("debug" if profile == "dev" else profile) / "misura"


def duckdb_module(work: Path):
    venv = work / "venv"
    py = venv / "bin" / "python"
    if not py.exists():
        run([sys.executable, "-m", "venv", str(venv)])
    try:
        out = subprocess.run([str(py), "-c", "import duckdb; print(duckdb.__version__)"],
                             capture_output=True, text=True)
        if out.stdout.strip() != DUCKDB_VERSION:
            run([str(py), "-m", "pip", "install", "--quiet", f"duckdb=={DUCKDB_VERSION}"])
    except OSError as e:
        sys.exit(f"cannot use the virtualenv at {venv}: {e}")
    return py


def generate(misura: Path, scale: float, data: Path) -> float:
    marker = data / ".generated"
    want = f"scale={scale} seed={SEED}"
    if marker.exists() and marker.read_text() == want:
        log(f"reusing {data}")
        return float("nan")
    if data.exists():
        shutil.rmtree(data)
    wall = timed([str(misura), "generate", "--scale", str(scale), "--seed", str(SEED),
                        "--format", "parquet", "--out", str(data)])
    marker.write_text(want)
    return wall


def misura_run(misura: Path, data: Path, out: Path, memory_limit: str | None) -> dict:
    if out.exists():
        shutil.rmtree(out)
    # The default policy (on_invalid = fail): generated data must be valid as it stands on
    # the run's as-of day, so any invalid row is a defect the benchmark should stop at.
    cmd = [str(misura), "run", "--data", str(data), "--out", str(out), "--force",
           "--log-format", "json"]
    if memory_limit:
        cmd += ["--memory-limit", memory_limit, "--spill-dir", str(out.parent / "spill")]
    # A fresh process for the peak: RUSAGE_CHILDREN is the max over all children so far,
    # so measure through a tiny wrapper that reports only this child.
    wrapper = [sys.executable, "-c", WRAPPER] + cmd
    start = time.perf_counter()
    proc = subprocess.run(wrapper, capture_output=True, text=True)
    wall = time.perf_counter() - start
    if proc.returncode not in (0, 1):
        sys.exit(f"misura run failed (exit {proc.returncode}):\n{proc.stderr[-4000:]}")
    child = json.loads(proc.stdout.strip().splitlines()[-1])
    if child["code"] not in (0, 1):
        sys.exit(f"misura run failed (exit {child['code']}):\n{proc.stderr[-4000:]}")
    manifest = json.loads((out / "latest" / "manifest.json").read_text()) \
        if (out / "latest").exists() else json.loads(next(out.glob("*/manifest.json")).read_text())
    rows = sum(i["rows_read"] for i in manifest["inputs"])
    return {
        "wall_s": wall,
        "exit_code": child["code"],
        # misura resets the kernel's peak at every stage (to measure each), so the OS's
        # lifetime maximum only covers the last stage: the run's peak is the largest.
        "peak_rss_mib": max([child["maxrss_mib"], *manifest.get("peak_rss_mb", {}).values()]),
        "rows_read": rows,
        "status": manifest["status"],
        "failures": manifest["failures"],
        "timings_ms": manifest["timings_ms"],
        "peak_rss_mb": manifest.get("peak_rss_mb", {}),
        "memory_limit": memory_limit,
    }


WRAPPER = r"""
import json, os, resource, subprocess, sys
p = subprocess.run(sys.argv[1:], stdout=subprocess.DEVNULL, stderr=sys.stderr)
print(json.dumps({"code": p.returncode,
                  "maxrss_mib": resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024.0}))
"""

DUCK_SCRIPT = r"""
import json, re, sys, time
from pathlib import Path
import duckdb
sql_dir, data, threads, translations = Path(sys.argv[1]), Path(sys.argv[2]), int(sys.argv[3]), json.loads(sys.argv[4])
con = duckdb.connect()
con.execute(f"SET threads = {threads}")
out = {"version": duckdb.__version__, "load_s": 0.0, "queries": {}, "staging_errors": {}}
con.execute((sql_dir / "schema.sql").read_text())
t = time.perf_counter()
for f in sorted(data.glob("*.parquet")):
    con.execute(f"INSERT INTO {f.stem} BY NAME SELECT * FROM read_parquet('{f}')")
out["load_s"] = time.perf_counter() - t
def translate(sql):
    for pattern, repl, _ in translations:
        sql = re.sub(pattern, repl, sql)
    return sql
pending = sorted((sql_dir / "staging").glob("*.sql"))
while pending:
    failed = []
    for f in pending:
        try:
            con.execute(f"CREATE VIEW {f.stem} AS {translate(f.read_text())}")
        except Exception as e:
            failed.append((f, str(e)))
    if len(failed) == len(pending):
        out["staging_errors"] = {f.stem: e.splitlines()[0][:300] for f, e in failed}
        break
    pending = [f for f, _ in failed]
for f in sorted((sql_dir / "kpis").glob("*.sql")):
    sql = translate(f.read_text())
    t = time.perf_counter()
    try:
        cur = con.execute(sql)
        rows = cur.fetchall()
        ms = (time.perf_counter() - t) * 1e3
        cols = [d[0] for d in cur.description]
        pick = lambda r, c: r[cols.index(c)]
        values = [[str(pick(r, "kpi")), str(pick(r, "period")), pick(r, "dimension_value") or "",
                   None if pick(r, "value") is None else float(pick(r, "value"))] for r in rows]
        out["queries"][f.stem] = {"ms": ms, "rows": len(rows), "values": values}
    except Exception as e:
        out["queries"][f.stem] = {"ms": None, "error": str(e).splitlines()[0][:300]}
print(json.dumps(out))
"""


def duckdb_run(py: Path, misura: Path, data: Path, sql_dir: Path, threads: int) -> dict:
    if sql_dir.exists():
        shutil.rmtree(sql_dir)
    proc = subprocess.run([str(misura), "check", "--data", str(data), "--on-invalid", "reject",
                           "--render-sql", str(sql_dir)], capture_output=True, text=True)
    if proc.returncode not in (0, 1):  # 1: the data has rows to reject; rendered anyway
        sys.exit(f"misura check failed (exit {proc.returncode}):\n{proc.stderr[-4000:]}")
    trans = [[p, r, why] for p, r, why in TRANSLATIONS]
    proc = subprocess.run([str(py), "-c", DUCK_SCRIPT, str(sql_dir), str(data), str(threads),
                           json.dumps(trans)], capture_output=True, text=True)
    if proc.returncode != 0:
        sys.exit(f"the DuckDB side failed:\n{proc.stderr[-4000:]}")
    return json.loads(proc.stdout.strip().splitlines()[-1])


def transforms() -> dict[str, str]:
    """KPI id → the transform misura applies after the SQL (sidecars' `transform`)."""
    out = {}
    for toml in (REPO / "queries").rglob("*.toml"):
        for kpi in tomllib.loads(toml.read_text()).get("kpis", []):
            if "transform" in kpi:
                out[kpi["id"]] = kpi["transform"]
    return out


TRANSFORMS = {
    # 2 (1 - Phi(|z|)), as misura does with statrs after the query
    "p_two_sided_from_z": lambda z: math.erfc(abs(z) / math.sqrt(2.0)),
}


def agreement(duck: dict, kpi_values: Path) -> None:
    """Adds to each DuckDB query how many of its values equal misura's (relative 1e-9),
    after the transforms misura applies to a query's output (a z statistic → p-value)."""
    post = transforms()
    ours = {}
    with kpi_values.open() as f:
        for row in csv.DictReader(f):
            v = row["value"]
            ours[(row["kpi"], row["period"], row["dimension_value"])] = float(v) if v else None
    for q in duck["queries"].values():
        values = q.pop("values", None)
        if values is None:
            continue
        same, differ, examples = 0, 0, []
        for kpi, period, dim, v in values:
            if v is not None and kpi in post:
                v = TRANSFORMS[post[kpi]](v)
            key = (kpi, period, dim)
            if key not in ours:
                continue  # misura leaves out rows without a value, or computes the KPI itself
            m = ours[key]
            if (m is None and v is None) or (m is not None and v is not None
                                              and abs(m - v) <= 1e-9 * max(1.0, abs(m))):
                same += 1
            else:
                differ += 1
                if len(examples) < 3:
                    examples.append(f"{kpi} {period} {dim}: misura {m}, DuckDB {v}")
        q["agree"], q["disagree"], q["examples"] = same, differ, examples


def machine() -> dict:
    cpu = "unknown"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
        mem = next(int(l.split()[1]) for l in Path("/proc/meminfo").read_text().splitlines()
                   if l.startswith("MemTotal"))
    except (OSError, StopIteration):
        mem = 0
    return {"cpu": cpu, "cores": os.cpu_count(), "memory_gib": round(mem / 1024 / 1024, 1),
            "os": f"{platform.system()} {platform.release()}"}


def versions(misura: Path) -> dict:
    lock = (REPO / "Cargo.lock").read_text()

    def locked(name: str) -> str:
        m = re.search(rf'name = "{name}"\nversion = "([^"]+)"', lock)
        return m.group(1) if m else "?"

    commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=REPO,
                            capture_output=True, text=True).stdout.strip()
    rustc = subprocess.run(["rustc", "--version"], capture_output=True, text=True).stdout.strip()
    return {"misura": subprocess.run([str(misura), "--version"], capture_output=True,
                                     text=True).stdout.strip(),
            "commit": commit, "datafusion": locked("datafusion"), "ballista": locked("ballista"),
            "rustc": rustc}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--scales", default="0.1", help="comma-separated scales (1.0 ≈ 10 M mentions)")
    ap.add_argument("--profile", default="release", help="cargo profile of the misura binary (release, dev)")
    ap.add_argument("--misura", type=Path, help="use this misura binary instead of building one")
    ap.add_argument("--work", type=Path, default=Path.home() / ".cache" / "misura" / "bench",
                    help="data, runs and the DuckDB virtualenv (large at scale ≥ 1)")
    ap.add_argument("--memory-limit", help="also run under this --memory-limit, e.g. 2GB")
    ap.add_argument("--no-duckdb", action="store_true", help="skip the DuckDB comparison")
    ap.add_argument("--limited-only", action="store_true",
                    help="with --memory-limit: add only the budgeted run to the scales' existing results")
    ap.add_argument("--results", type=Path, default=REPO / "perf" / "results",
                    help="where scale-<s>.json go; RESULTS.md is written next to them")
    args = ap.parse_args()

    target = Path(os.environ.get("CARGO_TARGET_DIR", Path.home() / ".cache" / "misura" / "target"))
    misura = args.misura or build(args.profile, target)
    args.work.mkdir(parents=True, exist_ok=True)
    py = None if args.no_duckdb else duckdb_module(args.work)
    threads = os.cpu_count() or 1
    for scale in [float(s) for s in args.scales.split(",")]:
        log(f"scale {scale}")
        data = args.work / f"data-{scale}"
        existing = args.results / f"scale-{scale}.json"
        if args.limited_only:
            if not (args.memory_limit and existing.exists()):
                sys.exit(f"--limited-only needs --memory-limit and {existing}")
            result = json.loads(existing.read_text())
            result["run_limited"] = misura_run(misura, data, args.work / f"out-{scale}-limited",
                                               args.memory_limit)
            result["command_limited"] = " ".join([Path(sys.argv[0]).name] + sys.argv[1:])
            existing.write_text(json.dumps(result, indent=2))
            continue
        gen_s = generate(misura, scale, data)
        result = {
            "scale": scale,
            "date": dt.datetime.now(dt.timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
            "command": " ".join([Path(sys.argv[0]).name] + sys.argv[1:]),
            "profile": "given binary" if args.misura else args.profile,
            "machine": machine(),
            "versions": versions(misura),
            "generate_s": gen_s,
            "parquet_mib": round(sum(f.stat().st_size for f in data.glob("*.parquet")) / 2**20, 1),
            "run": misura_run(misura, data, args.work / f"out-{scale}", None),
        }
        if args.memory_limit:
            result["run_limited"] = misura_run(misura, data, args.work / f"out-{scale}-limited",
                                               args.memory_limit)
        if py:
            result["duckdb"] = duckdb_run(py, misura, data, args.work / f"sql-{scale}", threads)
            run_dir = next((args.work / f"out-{scale}").glob("2*/"))
            agreement(result["duckdb"], run_dir / "tables" / "kpi_values.csv")
            result["translations"] = [{"from": p, "to": r, "why": w} for p, r, w in TRANSLATIONS]
        args.results.mkdir(parents=True, exist_ok=True)
        (args.results / f"scale-{scale}.json").write_text(json.dumps(result, indent=2))
        log(f"scale {scale}: run {result['run']['wall_s']:.1f} s, peak {result['run']['peak_rss_mib']:.0f} MiB")
    write_markdown(args.results)


def write_markdown(results: Path) -> None:
    from report import render  # perf/report.py: the tables

    runs = sorted((json.loads(p.read_text()) for p in results.glob("scale-*.json")),
                  key=lambda r: r["scale"])
    (results.parent / "RESULTS.md").write_text(render(runs))
    log(f"wrote {results.parent / 'RESULTS.md'}")


if __name__ == "__main__":
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    main()
