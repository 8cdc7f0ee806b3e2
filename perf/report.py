"""Renders perf/RESULTS.md from the bench runner's per-scale JSON files."""

from __future__ import annotations

# Stages of `misura run` in the order they happen (manifest `timings_ms` keys).
STAGES = [
    ("ingest_and_validate", "ingest + validation"),
    ("kpis", "KPI SQL (18 use cases + 5 M's)"),
    ("experiments", "experiments"),
    ("attribution", "attribution (journeys, models, UC04 by campaign)"),
    ("perception", "perception gap"),
    ("channel_mix", "channel mix"),
    ("maturity", "maturity"),
    ("clv", "CLV (BG/NBD + Gamma-Gamma + bootstrap)"),
    ("roi", "ROI (bootstrap)"),
    ("write", "write tables"),
    ("report", "report (charts, HTML, xlsx)"),
]


def fmt_s(ms: float | None) -> str:
    return "–" if ms is None else f"{ms / 1000:.2f}"


def render(runs: list[dict]) -> str:
    if not runs:
        return "# Benchmark results\n\nNo results yet: run `python3 perf/runner.py`.\n"
    first = runs[0]
    m, v = first["machine"], first["versions"]
    out = [
        "# Benchmark results",
        "",
        "Written by `perf/runner.py` (see docs/development.md, \"Benchmarks\"); regenerate, do not edit. Hand-written: perf/MEASUREMENTS.md.",
        "",
        f"- Machine: {m['cpu']}, {m['cores']} cores, {m['memory_gib']} GiB, {m['os']}",
        f"- {v['misura']} (commit {v['commit']}), DataFusion {v['datafusion']}, "
        f"Ballista {v['ballista']}, {v['rustc']}; binary profile: {first['profile']}",
    ]
    duck = next((r["duckdb"] for r in runs if "duckdb" in r), None)
    if duck:
        out.append(f"- DuckDB {duck['version']} (PyPI), same Parquet files loaded into memory, "
                   f"threads = cores")
    out += ["", "Per scale: " + "; ".join(f"{r['scale']}: `{r['command']}` ({r['date']})"
                                           for r in runs), ""]

    # Whole run per scale, and linearity.
    out += ["## The nightly run", "",
            "| scale | rows read | Parquet MiB | wall s | peak RSS MiB | s per M rows | status |",
            "|---:|---:|---:|---:|---:|---:|---|"]
    for r in runs:
        run = r["run"]
        per_m = run["wall_s"] / (run["rows_read"] / 1e6) if run["rows_read"] else float("nan")
        out.append(f"| {r['scale']} | {run['rows_read']:,} | {r['parquet_mib']} | "
                   f"{run['wall_s']:.1f} | {run['peak_rss_mib']:.0f} | {per_m:.2f} | {run['status']} |")
    limited = [r for r in runs if "run_limited" in r]
    if limited:
        out += ["", "Under a memory budget (`--memory-limit`; the budget bounds query execution, "
                "the loaded tables are outside it):", "",
                "| scale | limit | wall s | peak RSS MiB | status | failures |", "|---:|---|---:|---:|---|---|"]
        for r in limited:
            run = r["run_limited"]
            fails = "; ".join(f["use_case"] + ": " + f["error"][:80] for f in run["failures"]) or "none"
            out.append(f"| {r['scale']} | {run['memory_limit']} | {run['wall_s']:.1f} | "
                       f"{run['peak_rss_mib']:.0f} | {run['status']} | {fails} |")

    # Stage by stage.
    columns = [(f"scale {r['scale']}", r["run"]) for r in runs] + [
        (f"scale {r['scale']}, {r['run_limited']['memory_limit']} budget", r["run_limited"])
        for r in limited]
    out += ["", "## Stage by stage (wall s / peak RSS MiB during the stage)", "",
            "| stage | " + " | ".join(name for name, _ in columns) + " |",
            "|---|" + "---:|" * len(columns)]
    for key, label in STAGES:
        cells = []
        for _, run in columns:
            t = run["timings_ms"].get(key)
            p = run["peak_rss_mb"].get(key)
            cells.append(f"{fmt_s(t)} / {p:.0f}" if p is not None else fmt_s(t))
        out.append(f"| {label} | " + " | ".join(cells) + " |")

    # KPI SQL against DuckDB.
    with_duck = [r for r in runs if "duckdb" in r]
    if with_duck:
        out += ["", "## KPI SQL: misura (DataFusion) and DuckDB, per use case (ms)", "",
                "Both sides run the rendered query of each use case (staging views inlined) on "
                "in-memory tables; misura's time is its own per-use-case time in the run "
                "(`timings_ms.kpis.<uc>`), DuckDB's the query's execution and fetch. "
                "Ratio = misura / DuckDB (≤ 1.0: misura as fast or faster).", ""]
        out += ["| use case | " + " | ".join(f"{r['scale']}: misura | DuckDB | ratio" for r in with_duck) + " |",
                "|---|" + "---:|---:|---:|" * len(with_duck)]
        names = sorted({q for r in with_duck for q in r["duckdb"]["queries"]})
        totals = [[0.0, 0.0] for _ in with_duck]
        agree = [[0, 0] for _ in with_duck]
        examples: list[str] = []
        for q in names:
            cells = []
            for i, r in enumerate(with_duck):
                ours = r["run"]["timings_ms"].get("kpis." + q.upper())  # uc01 → UC01, 5m → 5M
                d = r["duckdb"]["queries"].get(q, {})
                theirs = d.get("ms")
                if ours is not None and theirs is not None:
                    totals[i][0] += ours
                    totals[i][1] += theirs
                    cells.append(f"{ours:.0f} | {theirs:.0f} | {ours / theirs:.2f}")
                    agree[i][0] += d.get("agree", 0)
                    agree[i][1] += d.get("disagree", 0)
                    examples += d.get("examples", [])
                else:
                    why = d.get("error", "not run")[:60].replace("|", "/")
                    cells.append(f"{'–' if ours is None else f'{ours:.0f}'} | error: {why} | –")
            out.append(f"| {q} | " + " | ".join(cells) + " |")
        out.append("| **total** | " + " | ".join(
            f"**{a:.0f}** | **{b:.0f}** | **{a / b:.2f}**" if b else "– | – | –" for a, b in totals) + " |")
        out += ["", "Same answers: " + ", ".join(
            f"scale {r['scale']}: {a} of {a + b} KPI values equal (relative 1e-9)"
            for r, (a, b) in zip(with_duck, agree))]
        if examples:
            out += ["", "Values that differ (first few): " + "; ".join(examples[:6])]
        out += ["", "DuckDB load of the Parquet files (s): " + ", ".join(
            f"scale {r['scale']}: {r['duckdb']['load_s']:.1f}" for r in with_duck)]
        errs = {k: e for r in with_duck for k, e in r["duckdb"].get("staging_errors", {}).items()}
        if errs:
            out += ["", "Staging views DuckDB could not create: " + "; ".join(f"{k}: {e}" for k, e in errs.items())]
        trans = with_duck[0].get("translations", [])
        out += ["", "### Dialect translations applied to the DuckDB side", ""]
        out += [f"- `{t['from']}` → `{t['to']}`: {t['why']}" for t in trans] or ["- none"]
    out.append("")
    return "\n".join(out)
