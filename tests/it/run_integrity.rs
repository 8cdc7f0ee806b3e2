//! What a scheduler relies on, through the real binary: a failed rerun never replaces the
//! day's good report or moves `latest`; a run stopped by invalid data or an unreadable file
//! leaves a record `misura status` shows; `status` reports the whole run's wall time and
//! speaks JSON; a reader closing the pipe early is a normal end.

use crate::util::{broken_queries, edit, fixture, manifest, misura, visible_entries as entries};
use std::io::Read;
use std::path::Path;
use std::process::Stdio;

fn run(data: &Path, out: &Path, extra: &[&str]) -> std::process::Output {
    misura()
        .args(["run", "--force", "--as-of", "2026-03-01", "--data"])
        .arg(data)
        .arg("--out")
        .arg(out)
        .args(extra)
        .output()
        .unwrap()
}

fn status_json(out: &Path) -> (Option<i32>, serde_json::Value) {
    let s = misura()
        .args(["status", "--format", "json", "--out"])
        .arg(out)
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&s.stdout).to_string();
    (
        s.status.code(),
        serde_json::from_str(&text).unwrap_or_else(|e| panic!("{e}: {text}")),
    )
}

#[test]
fn a_failed_rerun_is_published_beside_the_good_report_and_latest_stays() {
    let dir = fixture();
    let out = tempfile::tempdir().unwrap();
    let ok = run(dir.path(), out.path(), &[]);
    assert_eq!(
        ok.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&ok.stderr)
    );
    let good = out.path().join("2026-03-01");
    let before = std::fs::read(good.join("tables/kpi_values.csv")).unwrap();
    let index_before = std::fs::read(good.join("index.html")).unwrap();

    let q = broken_queries();
    let failed = run(
        dir.path(),
        out.path(),
        &["--queries", q.path().to_str().unwrap()],
    );
    let stderr = String::from_utf8_lossy(&failed.stderr);
    assert_eq!(failed.status.code(), Some(1), "{stderr}");
    assert!(stderr.contains("2026-03-01.failed-1"), "{stderr}");
    assert_eq!(
        entries(out.path()),
        ["2026-03-01", "2026-03-01.failed-1", "history", "latest"]
    );
    assert_eq!(
        std::fs::read_link(out.path().join("latest")).unwrap(),
        Path::new("2026-03-01"),
        "latest still points at the good run"
    );
    assert_eq!(
        std::fs::read(good.join("tables/kpi_values.csv")).unwrap(),
        before
    );
    assert_eq!(
        std::fs::read(good.join("index.html")).unwrap(),
        index_before
    );
    let bad = out.path().join("2026-03-01.failed-1");
    assert_eq!(manifest(&bad)["status"], "failed");
    let page = std::fs::read_to_string(bad.join("index.html")).unwrap();
    assert!(
        page.contains("id=\"banner-failed\"") && page.contains("This run failed"),
        "the failed run's report says so"
    );
    assert!(page.contains("no_such_table"), "and names what failed");
    // So does the workbook, whose strings live in sharedStrings.xml.
    let mut xlsx =
        zip::ZipArchive::new(std::fs::File::open(bad.join("report.xlsx")).unwrap()).unwrap();
    let mut strings = String::new();
    xlsx.by_name("xl/sharedStrings.xml")
        .unwrap()
        .read_to_string(&mut strings)
        .unwrap();
    assert!(
        strings.contains("This run failed"),
        "report.xlsx says the run failed"
    );
    assert!(
        !std::fs::read_to_string(good.join("index.html"))
            .unwrap()
            .contains("banner-failed")
    );

    // A second failure is numbered after the first; the history keeps the good night only.
    let again = run(
        dir.path(),
        out.path(),
        &["--queries", q.path().to_str().unwrap()],
    );
    assert_eq!(again.status.code(), Some(1));
    assert!(out.path().join("2026-03-01.failed-2").is_dir());
    let history = out
        .path()
        .join("history/kpi_values/as_of=2026-03-01/part-0.parquet");
    assert!(history.is_file());

    // status: the newest attempt first, failed, exit 1; latest marked on the good one.
    let (code, doc) = status_json(out.path());
    assert_eq!(code, Some(1), "{doc}");
    let runs = doc["runs"].as_array().unwrap();
    assert_eq!(runs[0]["run"], "2026-03-01.failed-2", "{doc}");
    assert_eq!(runs[0]["status"], "failed");
    assert_eq!(runs[0]["failed"][0], "UC02");
    let good_line = runs.iter().find(|r| r["run"] == "2026-03-01").unwrap();
    assert_eq!(good_line["latest"], true);
    assert_eq!(doc["latest"], "2026-03-01");
}

#[test]
fn a_run_stopped_by_invalid_data_leaves_a_record_that_status_shows() {
    let dir = fixture();
    let out = tempfile::tempdir().unwrap();
    assert_eq!(run(dir.path(), out.path(), &[]).status.code(), Some(0));
    edit(dir.path(), "orders.csv", "O2,C2", "O2,C9");
    let bad = run(dir.path(), out.path(), &[]);
    let stderr = String::from_utf8_lossy(&bad.stderr);
    assert_eq!(bad.status.code(), Some(1), "{stderr}");
    let record = out.path().join("2026-03-01.failed-1");
    let m = manifest(&record);
    assert_eq!(m["status"], "failed");
    assert!(
        m["error"].as_str().unwrap().contains("\"C9\" is not found"),
        "{m}"
    );
    assert_eq!(m["failures"][0]["use_case"], "ingest_and_validate");
    let orders = m["inputs"]
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["table"] == "orders")
        .expect("the rows read are accounted for");
    assert_eq!(
        (
            orders["rows_read"].as_u64(),
            orders["rows_rejected"].as_u64()
        ),
        (Some(2), Some(1))
    );
    assert_eq!(
        std::fs::read_link(out.path().join("latest")).unwrap(),
        Path::new("2026-03-01")
    );

    // An unreadable file too.
    std::fs::write(dir.path().join("tickets.csv"), b"").unwrap();
    let unreadable = run(dir.path(), out.path(), &[]);
    assert_eq!(unreadable.status.code(), Some(1));
    let m = manifest(&out.path().join("2026-03-01.failed-2"));
    assert!(m["error"].as_str().unwrap().contains("tickets.csv"), "{m}");

    let text = misura()
        .args(["status", "--out"])
        .arg(out.path())
        .output()
        .unwrap();
    let table = String::from_utf8_lossy(&text.stdout);
    assert_eq!(text.status.code(), Some(1), "{table}");
    let first = table.lines().nth(1).unwrap();
    assert!(
        first.starts_with("2026-03-01.failed-2")
            && first.contains("failed")
            && first.contains("tickets.csv"),
        "{table}"
    );
    assert!(table.contains("<- latest"), "{table}");
}

#[test]
fn status_reports_the_whole_runs_wall_time() {
    let dir = fixture();
    let out = tempfile::tempdir().unwrap();
    let started = std::time::Instant::now();
    assert_eq!(run(dir.path(), out.path(), &[]).status.code(), Some(0));
    let wall = started.elapsed().as_secs_f64();
    let m = manifest(&out.path().join("2026-03-01"));
    let duration = m["duration_ms"].as_f64().unwrap() / 1e3;
    let stages: f64 = ["ingest_and_validate", "kpis", "write"]
        .iter()
        .map(|k| m["timings_ms"][k].as_f64().unwrap_or(0.0) / 1e3)
        .sum();
    assert!(
        duration > stages && duration <= wall,
        "whole run {duration} s, three stages {stages} s, process {wall} s"
    );
    let (code, doc) = status_json(out.path());
    assert_eq!(code, Some(0), "status said {doc}");
    // Equal up to the last digit: serde_json's default float parsing may land one ulp
    // apart from the value printed (1.5639011649999999 read back as 1.563901165).
    let said = doc["runs"][0]["seconds"].as_f64().unwrap();
    assert!(
        (said - duration).abs() <= 1e-9 * duration,
        "status said {doc}"
    );
    // --log-format json makes status speak JSON as well.
    let s = misura()
        .args(["--log-format", "json", "status", "--out"])
        .arg(out.path())
        .output()
        .unwrap();
    let v: serde_json::Value = serde_json::from_slice(&s.stdout).unwrap();
    assert_eq!(v["runs"][0]["status"], "ok");
}

#[test]
fn a_reader_closing_the_pipe_is_a_normal_end() {
    let dir = fixture();
    // Enough output that the pipe fills (64 KiB) before the command is done: 2,000 files
    // no table claims, each a warning line of `check`.
    for i in 0..2000 {
        std::fs::write(dir.path().join(format!("export_{i:04}.csv")), "a\n1\n").unwrap();
    }
    for args in [
        vec!["check", "--show-settings", "--data"],
        vec![
            "sql",
            "--format",
            "csv",
            "-e",
            "SELECT * FROM generate_series(1, 200000)",
            "--data",
        ],
    ] {
        let mut child = misura()
            .args(&args)
            .arg(dir.path())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        // Read one byte, then close our end, as `| head -c 1` does.
        let mut stdout = child.stdout.take().unwrap();
        let mut first = [0u8; 1];
        stdout.read_exact(&mut first).unwrap();
        drop(stdout);
        let mut stderr = String::new();
        child
            .stderr
            .take()
            .unwrap()
            .read_to_string(&mut stderr)
            .unwrap();
        let status = child.wait().unwrap();
        assert_eq!(status.code(), Some(0), "{args:?}: {stderr}");
        assert!(!stderr.contains("panicked"), "{args:?}: {stderr}");
    }
}
