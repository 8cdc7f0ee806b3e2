//! Test helpers: a small valid data set written into a temp dir, edits of it, and runs of
//! the library pipeline with a chosen policy.

use misura::config::{OnInvalid, Overrides, Settings};
use misura::pipeline::{self, RunOptions, RunSummary};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// The valid fixture: file name → content. Expected KPI values are computed by hand from it.
pub const FIXTURE: &[(&str, &str)] = &[
    (
        "contacts.csv",
        "contact_id,account_id,created_at,segment,industry,country,lifecycle_stage,churned_at,is_advocate
C1,,2025-01-01T00:00:00Z,consumer,retail,IT,customer,,false
C2,,2025-01-02T00:00:00Z,consumer,retail,DE,customer,,true
C3,,2025-01-03 08:00:00,smb,automotive,,prospect,,no
",
    ),
    (
        "social_mentions.csv",
        "mention_id,network,author_handle,posted_at,brand,is_brand_post,sentiment,sentiment_score,intent,topic,reach,likes,shares,comments,campaign_id,event_id
M1,x,alice,2026-01-05T10:00:00Z,acme,false,positive,0.5,praise,app,100,1,0,0,K1,
M2,x,bob,2026-01-06T10:00:00Z,acme,false,negative,-0.5,complaint,,20000,5,1,2,,
M3,facebook,carol,2026-02-01T10:00:00Z,rival,false,neutral,,question,,10,0,0,0,,
M4,x,acme,2026-02-02T10:00:00Z,acme,true,positive,,other,,50000,100,10,5,,
M5,x,alice,2026-02-03T10:00:00Z,acme,false,negative,,question,app,100,0,0,0,,
",
    ),
    (
        "social_identities.csv",
        "network,author_handle,contact_id,match_method,matched_at
x,alice,C1,email,2025-06-01T00:00:00Z
facebook,carol,C3,login,2025-06-01T00:00:00Z
",
    ),
    (
        "social_responses.csv",
        "response_id,mention_id,responded_at,team,employee_id,outcome
R1,M2,2026-01-06T10:30:00Z,support,,ticket_created
R2,M2,2026-01-06T11:00:00Z,support,,answered
",
    ),
    (
        "campaigns.csv",
        "campaign_id,name,use_case,channel,start_date,end_date,budget
K1,Spring,UC04,social_paid,2026-01-01,2026-01-31,1000
",
    ),
    (
        "orders.csv",
        "order_id,contact_id,ordered_at,revenue,margin,opportunity_id
O1,C1,2026-01-10T12:00:00Z,100.50,30,P1
O2,C2,2026-02-10T12:00:00Z,80,,
",
    ),
    (
        "opportunities.csv",
        "opportunity_id,contact_id,created_at,source,lead_id,stage,amount,closed_at
P1,C1,2026-01-01T00:00:00Z,social,,won,500,2026-01-09T00:00:00Z
",
    ),
    (
        "tickets.csv",
        "ticket_id,contact_id,channel,opened_at,first_response_at,resolved_at,topic,priority,csat,escalated,source_mention_id,handle_minutes
T1,C1,social,2026-01-06T10:30:00Z,2026-01-06T10:40:00Z,2026-01-07T10:00:00Z,app,normal,4,false,M2,12.5
",
    ),
    (
        "costs.csv",
        "cost_id,period_start,period_end,use_case,category,amount
X1,2026-01-01,2026-01-31,UC01,staff,310
X2,2025-12-01,2026-01-31,,technology,620
",
    ),
    ("misura.toml", "[parameters]\nbrand = \"acme\"\nwindow_start = \"2026-01-01\"\nwindow_end = \"2026-03-01\"\n"),
];

/// A temp dir holding the valid fixture.
pub fn fixture() -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("temp dir");
    for (name, text) in FIXTURE {
        std::fs::write(dir.path().join(name), text).expect("write fixture");
    }
    dir
}

/// A temp dir holding a copy of the embedded sample (to edit).
pub fn sample_copy() -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("temp dir");
    for f in std::fs::read_dir(sample_dir()).expect("sample") {
        let f = f.expect("entry").path();
        std::fs::copy(&f, dir.path().join(f.file_name().expect("name"))).expect("copy");
    }
    dir
}

/// Rewrites `file` of `dir` by replacing `from` with `to` (which must occur).
pub fn edit(dir: &Path, file: &str, from: &str, to: &str) {
    let path = dir.join(file);
    let text = std::fs::read_to_string(&path).expect("read fixture file");
    assert!(text.contains(from), "{file} does not contain {from:?}");
    std::fs::write(&path, text.replacen(from, to, 1)).expect("write fixture file");
}

/// Resolved settings for `dir` with a policy and `--param` overrides.
pub fn settings(
    dir: &Path,
    policy: Option<OnInvalid>,
    params: &[&str],
) -> misura::Result<Settings> {
    Settings::resolve(
        &Overrides {
            data: Some(dir.to_path_buf()),
            config: None,
            params: params.iter().map(|p| p.to_string()).collect(),
            on_invalid: policy,
        },
        &BTreeMap::new(),
    )
}

/// Runs the pipeline on `dir` into `out`.
pub async fn run(dir: &Path, out: &Path, policy: Option<OnInvalid>) -> misura::Result<RunSummary> {
    let s = settings(dir, policy, &[])?;
    let mut opts = RunOptions::new(
        out,
        chrono::NaiveDate::from_ymd_opt(2026, 11, 22).expect("date"),
    );
    opts.pdf = misura::report::pdf::Pdf::Off; // report.pdf has its own test
    opts.force = true;
    pipeline::run(s, &opts).await
}

/// One row of a run's kpi_values.csv, read by its header.
#[derive(Debug, Clone, serde::Deserialize)]
pub struct KpiRow {
    pub kpi: String,
    pub period: String,
    pub dimension: Option<String>,
    pub dimension_value: Option<String>,
    pub value: Option<f64>,
    pub n: i64,
}

/// Every row of a run's kpi_values.csv.
pub fn kpi_rows(run_dir: &Path) -> Vec<KpiRow> {
    let mut rdr =
        csv::Reader::from_path(run_dir.join("tables/kpi_values.csv")).expect("kpi_values.csv");
    rdr.deserialize()
        .map(|r| r.expect("kpi_values row"))
        .collect()
}

/// The value of `kpi` for `period` (no breakdown) in a run's kpi_values.csv.
pub fn kpi(run_dir: &Path, kpi: &str, period: &str) -> Option<f64> {
    kpi_rows(run_dir)
        .into_iter()
        .find(|r| r.kpi == kpi && r.period == period && r.dimension_value.is_none())
        .unwrap_or_else(|| panic!("no row for {kpi} {period} in {}", run_dir.display()))
        .value
}

/// The sample directory in the repository.
pub fn sample_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("datasets/sample")
}

/// Asserts `|a - b| <= tol`.
pub fn close(a: f64, b: f64, tol: f64, what: &str) {
    assert!((a - b).abs() <= tol, "{what}: {a} vs {b} (tolerance {tol})");
}

/// The value of `kpi` for `period` and breakdown value `dimension_value`.
pub fn kpi_by(run_dir: &Path, kpi: &str, period: &str, dimension_value: &str) -> Option<f64> {
    kpi_rows(run_dir)
        .into_iter()
        .find(|r| {
            r.kpi == kpi
                && r.period == period
                && r.dimension_value.as_deref() == Some(dimension_value)
        })
        .and_then(|r| r.value)
}

/// The real binary (without report.pdf, which has its own test: `report::the_pdf_...`).
pub fn misura() -> std::process::Command {
    let mut c = std::process::Command::new(env!("CARGO_BIN_EXE_misura"));
    c.env("MISURA_PDF", "off");
    c
}

/// `misura run --data dir --out out --as-of as_of extra…` through the real binary.
pub fn run_binary(dir: &Path, out: &Path, as_of: &str, extra: &[&str]) -> std::process::Output {
    misura()
        .args(["run", "--data"])
        .arg(dir)
        .arg("--out")
        .arg(out)
        .args(["--as-of", as_of])
        .args(extra)
        .output()
        .expect("misura runs")
}

/// The manifest of a run folder.
pub fn manifest(run_dir: &Path) -> serde_json::Value {
    let text = std::fs::read_to_string(run_dir.join("manifest.json")).expect("manifest.json");
    serde_json::from_str(&text).expect("manifest parses")
}

/// The names in `dir` that are not hidden, sorted.
pub fn visible_entries(dir: &Path) -> Vec<String> {
    let mut v: Vec<String> = std::fs::read_dir(dir)
        .expect("readable dir")
        .map(|e| e.expect("entry").file_name().to_string_lossy().to_string())
        .filter(|n| !n.starts_with('.'))
        .collect();
    v.sort();
    v
}

/// A query directory with one use-case query (UC02, `uc02.broken`) that fails at run time.
pub fn broken_queries() -> tempfile::TempDir {
    let q = tempfile::tempdir().expect("temp dir");
    let sub = q.path().join("custom");
    std::fs::create_dir_all(&sub).expect("query dir");
    std::fs::write(sub.join("broken.sql"), "SELECT kpi FROM no_such_table").expect("write");
    std::fs::write(
        sub.join("broken.toml"),
        "use_case = \"UC02\"\nobjective = \"marketing\"\nname = \"x\"\ndescription = \"x\"\ngrain = \"x\"\nrequires = []\n[[kpis]]\nid = \"uc02.broken\"\nname = \"x\"\nunit = \"count\"\nformula = \"x\"\n",
    )
    .expect("write");
    q
}

/// The one bless workflow for every file the tests keep as a snapshot (the generated
/// references in `docs/` and `datasets/README.md`, the golden ROI tables): passes when
/// `path` holds exactly `actual`; with `MISURA_BLESS=1` in the environment it writes
/// `actual` there instead. `from` names what the file is derived from, for the message.
/// After an intended change: `MISURA_BLESS=1 cargo test`, then review `git diff`.
pub fn snapshot(path: &Path, actual: &str, from: &str) {
    if std::env::var_os("MISURA_BLESS").is_some() {
        if let Some(dir) = path.parent() {
            std::fs::create_dir_all(dir).unwrap();
        }
        std::fs::write(path, actual).unwrap();
        return;
    }
    let kept = std::fs::read_to_string(path).unwrap_or_default();
    assert!(
        kept == actual,
        "{} disagrees with {from}; if the change is intended, run MISURA_BLESS=1 cargo test and review git diff\n--- actual\n{actual}",
        path.display()
    );
}

/// Standard normal draws from a small deterministic generator (a 64-bit LCG through
/// Box–Muller): the tests need no crate and the same seed gives the same data.
pub fn gauss(seed: u64) -> impl FnMut() -> f64 {
    let mut state = seed;
    let mut uniform = move || {
        state = state
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        ((state >> 11) as f64 + 0.5) / (1u64 << 53) as f64
    };
    move || {
        let (u, v) = (uniform(), uniform());
        (-2.0 * u.ln()).sqrt() * (2.0 * std::f64::consts::PI * v).cos()
    }
}

/// Removes the sample's social responses of October 2026 (the last complete month).
pub fn without_october_responses(dir: &Path) -> usize {
    let path = dir.join("social_responses.csv");
    let text = std::fs::read_to_string(&path).unwrap();
    let mut lines = text.lines();
    let header = lines.next().unwrap();
    let at = header.split(',').position(|c| c == "responded_at").unwrap();
    let (kept, removed): (Vec<&str>, Vec<&str>) =
        lines.partition(|l| !l.split(',').nth(at).unwrap().starts_with("2026-10"));
    std::fs::write(&path, format!("{header}\n{}\n", kept.join("\n"))).unwrap();
    removed.len()
}
