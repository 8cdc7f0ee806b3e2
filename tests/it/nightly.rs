//! Nightly operations: as-of cut-off, `latest`, history across nights, the up-to-date skip,
//! retention, and fault injection through the real binary (SIGKILL at each stage, a second
//! concurrent run, a stale lock, corrupted input, an unwritable output).

use crate::util::{edit, fixture, kpi, settings, visible_entries};
use misura::pipeline::{self, RunOptions};
use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Child, Command, Stdio};

fn day(s: &str) -> chrono::NaiveDate {
    chrono::NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
}

async fn run_as_of(data: &Path, out: &Path, as_of: &str, force: bool) -> pipeline::RunSummary {
    let mut opts = RunOptions::new(out, day(as_of));
    opts.pdf = misura::report::pdf::Pdf::Off; // report.pdf has its own test
    opts.force = force;
    pipeline::run(settings(data, None, &[]).unwrap(), &opts)
        .await
        .unwrap()
}

#[tokio::test]
async fn as_of_leaves_later_rows_out_and_accounts_for_them() {
    let dir = fixture();
    let out = tempfile::tempdir().unwrap();
    // Mentions M1 (Jan 5) and M2 (Jan 6) are on or before Jan 31; M3-M5 are in February.
    let s = run_as_of(dir.path(), out.path(), "2026-01-31", true).await;
    assert_eq!(kpi(&s.run_dir, "uc01.mention_volume", "all"), Some(2.0));
    let m = s
        .manifest
        .inputs
        .iter()
        .find(|i| i.table == "social_mentions")
        .unwrap();
    assert_eq!(
        (m.rows_read, m.rows_accepted, m.rows_after_as_of),
        (5, 2, 3)
    );
    assert!(
        s.manifest
            .inputs
            .iter()
            .all(|i| i.rows_accepted + i.rows_rejected + i.rows_after_as_of == i.rows_read)
    );
}

#[tokio::test]
async fn rows_after_as_of_are_left_out_before_their_references_are_checked() {
    // A reply on Feb 4 to M5 (Feb 3): both after the Jan 31 cut-off. The reply is not part of
    // the data as it stood then, so its reference to the (also cut) mention is not checked.
    let dir = fixture();
    edit(
        dir.path(),
        "social_responses.csv",
        "R2,M2,2026-01-06T11:00:00Z,support,,answered\n",
        "R2,M2,2026-01-06T11:00:00Z,support,,answered\nR3,M5,2026-02-04T09:00:00Z,support,,answered\n",
    );
    let out = tempfile::tempdir().unwrap();
    // (read, accepted, rejected, after as-of) of social_responses in a run on `as_of`
    let responses = async |as_of: &str| {
        let s = run_as_of(dir.path(), out.path(), as_of, true).await;
        assert_eq!(s.exit_code(), 0, "{:?}", s.manifest.failures);
        let r = s
            .manifest
            .inputs
            .iter()
            .find(|i| i.table == "social_responses");
        let r = r.unwrap();
        (
            r.rows_read,
            r.rows_accepted,
            r.rows_rejected,
            r.rows_after_as_of,
        )
    };
    assert_eq!(responses("2026-01-31").await, (3, 2, 0, 1));
    // A run on Feb 28 sees both, and the reference holds.
    assert_eq!(responses("2026-02-28").await, (3, 3, 0, 0));
}

#[tokio::test]
async fn history_accumulates_one_partition_per_night_and_latest_follows() {
    let dir = fixture();
    let out = tempfile::tempdir().unwrap();
    for d in ["2026-01-15", "2026-02-15", "2026-03-15", "2026-02-15"] {
        run_as_of(dir.path(), out.path(), d, true).await;
    }
    assert_eq!(
        std::fs::read_link(out.path().join("latest")).unwrap(),
        Path::new("2026-02-15"),
        "latest = the newest completed run"
    );
    let ctx = datafusion::prelude::SessionContext::new();
    let opts = datafusion::prelude::ParquetReadOptions::default().table_partition_cols(vec![(
        "as_of".to_string(),
        datafusion::arrow::datatypes::DataType::Utf8,
    )]);
    let history = out.path().join("history/kpi_values/");
    ctx.register_parquet("kpi_history", history.to_str().unwrap(), opts)
        .await
        .unwrap();
    let sql = "SELECT as_of, value FROM kpi_history WHERE kpi = 'uc01.mention_volume' AND period = 'all' ORDER BY as_of";
    let batches = ctx.sql(sql).await.unwrap().collect().await.unwrap();
    let text = datafusion::arrow::util::pretty::pretty_format_batches(&batches)
        .unwrap()
        .to_string();
    // Jan 15: M1, M2. Feb 15: + M5 (Feb 3). Mar 15: the same three. The re-run of Feb 15
    // replaced its partition instead of adding one.
    for (as_of, v) in [
        ("2026-01-15", "2.0"),
        ("2026-02-15", "3.0"),
        ("2026-03-15", "3.0"),
    ] {
        assert!(text.contains(&format!("| {as_of} | {v}")), "{text}");
    }
    assert_eq!(text.matches("| 2026-").count(), 3, "{text}");
}

#[tokio::test]
async fn an_unchanged_night_is_skipped_and_retention_keeps_history() {
    let dir = fixture();
    let out = tempfile::tempdir().unwrap();
    let first = run_as_of(dir.path(), out.path(), "2026-03-01", false).await;
    assert!(!first.skipped);
    let second = run_as_of(dir.path(), out.path(), "2026-03-01", false).await;
    assert!(
        second.skipped,
        "same inputs, settings and queries: nothing to do"
    );
    assert_eq!(second.manifest.fingerprint, first.manifest.fingerprint);
    edit(dir.path(), "orders.csv", "100.50", "101.50");
    let third = run_as_of(dir.path(), out.path(), "2026-03-01", false).await;
    assert!(!third.skipped, "an input changed");
    assert_ne!(third.manifest.fingerprint, first.manifest.fingerprint);

    for d in ["2026-03-02", "2026-03-03"] {
        run_as_of(dir.path(), out.path(), d, false).await;
    }
    let mut opts = RunOptions::new(out.path(), day("2026-03-04"));
    opts.pdf = misura::report::pdf::Pdf::Off; // report.pdf has its own test
    opts.keep = Some(2);
    pipeline::run(settings(dir.path(), None, &[]).unwrap(), &opts)
        .await
        .unwrap();
    let folders: Vec<String> = misura::ops::run_dirs::successful(out.path())
        .iter()
        .map(|f| f.name())
        .collect();
    assert_eq!(folders, ["2026-03-03", "2026-03-04"]);
    assert_eq!(
        std::fs::read_dir(out.path().join("history/kpi_values"))
            .unwrap()
            .count(),
        4,
        "history is never pruned"
    );
}

fn misura(data: &Path, out: &Path, pause: Option<&str>) -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_misura"));
    c.args(["run", "--force", "--as-of", "2026-03-01", "--data"])
        .arg(data)
        .arg("--out")
        .arg(out);
    if let Some(stage) = pause {
        c.env(misura::ops::faults::PAUSE_VAR, stage);
    }
    c
}

/// Starts a run that pauses at `stage`, and returns once it has reached it.
fn paused(data: &Path, out: &Path, stage: &str) -> Child {
    let mut child = misura(data, out, Some(stage))
        .stderr(Stdio::piped())
        .stdout(Stdio::null())
        .spawn()
        .unwrap();
    let mut lines = BufReader::new(child.stderr.take().unwrap()).lines();
    loop {
        let line = lines.next().expect("run ended before pausing").unwrap();
        if line.contains(&format!("paused at {stage}")) {
            break;
        }
    }
    child
}

#[test]
fn sigkill_at_any_stage_leaves_the_previous_report_intact() {
    let dir = fixture();
    let out = tempfile::tempdir().unwrap();
    let ok = misura(dir.path(), out.path(), None).output().unwrap();
    assert_eq!(
        ok.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&ok.stderr)
    );
    let manifest = std::fs::read(out.path().join("2026-03-01/manifest.json")).unwrap();
    let tables = std::fs::read(out.path().join("2026-03-01/tables/kpi_values.csv")).unwrap();
    // A change the interrupted runs would publish if they were not atomic.
    edit(dir.path(), "orders.csv", "100.50", "101.50");
    for stage in ["locked", "ingested", "computed", "written"] {
        let mut child = paused(dir.path(), out.path(), stage);
        child.kill().unwrap(); // SIGKILL
        child.wait().unwrap();
        assert_eq!(
            std::fs::read(out.path().join("2026-03-01/manifest.json")).unwrap(),
            manifest,
            "killed at {stage}"
        );
        assert_eq!(
            std::fs::read(out.path().join("2026-03-01/tables/kpi_values.csv")).unwrap(),
            tables
        );
        assert_eq!(
            visible_entries(out.path()),
            ["2026-03-01", "history", "latest"],
            "killed at {stage}"
        );
        assert_eq!(
            std::fs::read_link(out.path().join("latest")).unwrap(),
            Path::new("2026-03-01")
        );
    }
    // The next run takes the dead run's lock over, cleans its leftovers and completes.
    let next = misura(dir.path(), out.path(), None).output().unwrap();
    let stderr = String::from_utf8_lossy(&next.stderr);
    assert_eq!(next.status.code(), Some(0), "{stderr}");
    assert!(stderr.contains("took over the lock of process"), "{stderr}");
    assert!(stderr.contains("left by an interrupted run"), "{stderr}");
    assert!(!std::fs::read_dir(out.path()).unwrap().any(|e| {
        e.unwrap()
            .file_name()
            .to_string_lossy()
            .contains(".partial-")
    }));
    assert_ne!(
        std::fs::read(out.path().join("2026-03-01/manifest.json")).unwrap(),
        manifest,
        "the new run published"
    );
}

#[test]
fn a_second_concurrent_run_exits_with_the_lock_code() {
    let dir = fixture();
    let out = tempfile::tempdir().unwrap();
    let mut first = paused(dir.path(), out.path(), "locked");
    let second = misura(dir.path(), out.path(), None).output().unwrap();
    let stderr = String::from_utf8_lossy(&second.stderr);
    assert_eq!(second.status.code(), Some(3), "{stderr}");
    assert!(
        stderr.contains(&format!(
            "another misura run (pid {}) is writing to this output directory",
            first.id()
        )),
        "{stderr}"
    );
    first.kill().unwrap();
    first.wait().unwrap();
}

#[test]
fn corrupted_input_fails_with_1_and_keeps_latest() {
    let dir = fixture();
    let out = tempfile::tempdir().unwrap();
    assert_eq!(
        misura(dir.path(), out.path(), None)
            .output()
            .unwrap()
            .status
            .code(),
        Some(0)
    );
    std::fs::write(
        dir.path().join("orders.csv"),
        b"order_id,contact_id\n\"O1,C1\n\xff\xfe",
    )
    .unwrap();
    let bad = misura(dir.path(), out.path(), None).output().unwrap();
    let stderr = String::from_utf8_lossy(&bad.stderr);
    assert_eq!(bad.status.code(), Some(1), "{stderr}");
    assert!(stderr.contains("orders.csv"), "{stderr}");
    assert_eq!(
        std::fs::read_link(out.path().join("latest")).unwrap(),
        Path::new("2026-03-01")
    );
}

#[test]
fn an_unwritable_output_is_a_clear_error() {
    let dir = fixture();
    let out = misura(dir.path(), Path::new("/dev/null/reports"), None)
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(
        stderr.contains("cannot access /dev/null/reports"),
        "{stderr}"
    );
}

#[test]
fn json_logs_are_one_object_per_line() {
    let dir = fixture();
    let out = tempfile::tempdir().unwrap();
    let run = misura(dir.path(), out.path(), None)
        .args(["--log-format", "json"])
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&run.stderr);
    assert_eq!(run.status.code(), Some(0), "{stderr}");
    let lines: Vec<serde_json::Value> = stderr
        .lines()
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("{e}: {l}")))
        .collect();
    assert!(
        lines
            .iter()
            .any(|l| l["stage"] == "ingest" && l["table"] == "contacts" && l["rows"] == 3),
        "{stderr}"
    );
    assert!(
        lines.iter().any(|l| l["stage"] == "kpis"
            && l["use_case"] == "UC01"
            && l["duration_ms"].is_number()),
        "{stderr}"
    );
    assert!(
        lines
            .iter()
            .all(|l| l["timestamp"].is_string() && l["level"].is_string())
    );
    let status = Command::new(env!("CARGO_BIN_EXE_misura"))
        .args(["status", "--out"])
        .arg(out.path())
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&status.stdout);
    assert_eq!(status.status.code(), Some(0), "{text}");
    assert!(
        text.lines().any(|l| l.starts_with("2026-03-01 ")
            && l.split_whitespace().nth(1) == Some("ok")
            && l.ends_with("<- latest")),
        "{text}"
    );
}
