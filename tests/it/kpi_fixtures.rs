//! Golden KPI fixtures: each folder of `tests/fixtures/kpi/` holds a tiny data set, its
//! `misura.toml`, and `expected.toml` with values worked out by hand (the arithmetic is in
//! the comments). One test per folder; every built-in KPI id must be pinned by at least one
//! fixture. `kpi_values.csv` is read by its header.

use crate::util::run;
use misura::kpi::load::QuerySet;
use serde::Deserialize;
use std::collections::{BTreeSet, HashMap};
use std::path::{Path, PathBuf};

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Expected {
    #[serde(default)]
    expect: Vec<Expect>,
    /// Rows that must not exist.
    #[serde(default)]
    absent: Vec<Absent>,
    /// KPI ids (or use cases) the fixture's data cannot measure.
    #[serde(default)]
    not_measurable: Vec<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Absent {
    kpi: String,
    period: String,
    dimension: Option<String>,
    dimension_value: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Expect {
    kpi: String,
    period: String,
    dimension: Option<String>,
    dimension_value: Option<String>,
    value: Option<f64>,
    #[serde(default)]
    null: bool,
    tolerance: Option<f64>,
    /// Expected `n`, when given.
    n: Option<i64>,
}

type Key = (String, String, String, String);

fn read_values(run_dir: &Path) -> HashMap<Key, (Option<f64>, i64)> {
    crate::util::kpi_rows(run_dir)
        .into_iter()
        .map(|r| {
            (
                (
                    r.kpi,
                    r.period,
                    r.dimension.unwrap_or_default(),
                    r.dimension_value.unwrap_or_default(),
                ),
                (r.value, r.n),
            )
        })
        .collect()
}

fn fixture_dirs() -> Vec<PathBuf> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/kpi");
    let mut dirs: Vec<PathBuf> = std::fs::read_dir(root)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.is_dir())
        .collect();
    dirs.sort();
    dirs
}

/// Runs fixture `name` and compares its KPI values with `expected.toml`; returns the problems.
/// The folder of fixture `name`.
fn fixture_dir(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/kpi")
        .join(name)
}

/// The hand-computed expectations of fixture `name`.
fn expected(name: &str) -> Expected {
    let text = std::fs::read_to_string(fixture_dir(name).join("expected.toml")).unwrap();
    toml::from_str(&text).unwrap_or_else(|e| panic!("{name}/expected.toml: {e}"))
}

async fn check(name: &str) -> Vec<String> {
    let dir = fixture_dir(name);
    let out = tempfile::tempdir().unwrap();
    let result = run(&dir, out.path(), None).await;
    let mut failures = Vec::new();
    let expected = expected(name);
    let summary = match result {
        Ok(s) => s,
        Err(e) => panic!("{name}: run failed: {e}"),
    };
    for f in &summary.manifest.failures {
        failures.push(format!("{name}: {} failed: {}", f.file, f.error));
    }
    let values = read_values(&summary.run_dir);
    for e in &expected.expect {
        let key = (
            e.kpi.clone(),
            e.period.clone(),
            e.dimension.clone().unwrap_or_default(),
            e.dimension_value.clone().unwrap_or_default(),
        );
        let what = format!(
            "{name}: {} {} {:?}={:?}",
            e.kpi, e.period, e.dimension, e.dimension_value
        );
        if let (Some(want), Some((_, got))) = (e.n, values.get(&key))
            && want != *got
        {
            failures.push(format!("{what}: expected n = {want}, got {got}"));
        }
        match (values.get(&key).map(|v| v.0), e.null, e.value) {
            (None, _, _) => failures.push(format!("{what}: no row")),
            (Some(Some(v)), true, _) => failures.push(format!("{what}: expected null, got {v}")),
            (Some(None), false, Some(x)) => {
                failures.push(format!("{what}: expected {x}, got null"))
            }
            (Some(Some(v)), false, Some(x)) if (v - x).abs() > e.tolerance.unwrap_or(1e-9) => {
                failures.push(format!("{what}: expected {x}, got {v}"))
            }
            (Some(_), false, None) => failures.push(format!(
                "{what}: expected.toml gives neither value nor null"
            )),
            _ => {}
        }
    }
    for a in &expected.absent {
        let key = (
            a.kpi.clone(),
            a.period.clone(),
            a.dimension.clone().unwrap_or_default(),
            a.dimension_value.clone().unwrap_or_default(),
        );
        if values.contains_key(&key) {
            failures.push(format!("{name}: {key:?} should have no row"));
        }
    }
    for id in &expected.not_measurable {
        let listed = summary
            .manifest
            .not_measurable
            .iter()
            .any(|n| n.kpi.as_deref() == Some(id) || (n.kpi.is_none() && &n.use_case == id));
        if !listed {
            failures.push(format!("{name}: {id} should be listed as not measurable"));
        }
    }
    failures
}

/// One test per fixture folder, so that one failing fixture does not hide the others.
macro_rules! fixtures {
    ($($name:ident),* $(,)?) => {
        const FIXTURES: &[&str] = &[$(stringify!($name)),*];
        $(
            #[tokio::test]
            async fn $name() {
                let failures = check(stringify!($name)).await;
                assert!(failures.is_empty(), "{} problem(s):\n{}", failures.len(), failures.join("\n"));
            }
        )*
    };
}

fixtures!(
    community_deflection,
    community_params,
    sales_leads,
    support_empty,
    support_tickets,
    uc01_5m_basic,
    uc02_basic,
    uc02_rival_only,
    uc03_alerts,
    uc03_basic,
    uc03_empty,
    uc04_attributed,
    uc04_basic,
    uc04_campaigns_only,
    uc05_basic,
    uc05_events_only,
    uc06_signals,
    uc06_undefined,
    uc12_18_collaboration,
    uc12_18_customer_experience,
    uc12_18_empty_denominators,
    uc12_18_innovation,
);

#[test]
fn every_fixture_folder_has_its_test() {
    let on_disk: Vec<String> = fixture_dirs()
        .iter()
        .map(|d| d.file_name().unwrap().to_string_lossy().to_string())
        .collect();
    assert_eq!(
        on_disk, FIXTURES,
        "add the folder to fixtures!(…) in tests/it/kpi_fixtures.rs"
    );
}

/// Every built-in KPI id is pinned by at least one fixture.
#[test]
fn every_kpi_is_pinned_by_a_fixture() {
    let mut pinned = BTreeSet::new();
    for name in FIXTURES {
        pinned.extend(expected(name).expect.into_iter().map(|e| e.kpi));
    }
    let mut failures = Vec::new();
    let all: BTreeSet<String> = QuerySet::builtin()
        .unwrap()
        .kpis
        .iter()
        .flat_map(|q| q.meta.kpis.iter())
        // The CLV engine's UC18 KPIs rest on fitted models: pinned by hand in tests/it/clv.rs
        // (clv_kpis_are_group_means_with_intervals) rather than by a fixture.
        .filter(|k| k.computed_by.as_deref() != Some("uc18"))
        .map(|k| k.id.clone())
        .collect();
    for id in all.difference(&pinned) {
        failures.push(format!(
            "KPI {id} is pinned by no fixture in tests/fixtures/kpi/"
        ));
    }
    assert!(
        failures.is_empty(),
        "{} problem(s):\n{}",
        failures.len(),
        failures.join("\n")
    );
}
