//! Golden KPI fixtures: each folder of `tests/fixtures/kpi/` holds a tiny data set, its
//! `misura.toml`, and `expected.toml` with values worked out by hand (the arithmetic is in
//! the comments). Every built-in KPI id must be pinned by at least one fixture.

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
    let mut rdr = csv::Reader::from_path(run_dir.join("tables/kpi_values.csv")).unwrap();
    rdr.records()
        .map(|r| {
            let r = r.unwrap();
            let v = if r[5].is_empty() {
                None
            } else {
                Some(r[5].parse().unwrap())
            };
            (
                (
                    r[1].to_string(),
                    r[2].to_string(),
                    r[3].to_string(),
                    r[4].to_string(),
                ),
                (v, r[7].parse().unwrap()),
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

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_kpi_fixture_matches_its_hand_computed_values() {
    let mut failures = Vec::new();
    let mut pinned = BTreeSet::new();
    // Run every fixture concurrently, then compare.
    let dirs = fixture_dirs();
    let outs: Vec<tempfile::TempDir> = dirs.iter().map(|_| tempfile::tempdir().unwrap()).collect();
    let results =
        futures::future::join_all(dirs.iter().zip(&outs).map(|(d, o)| run(d, o.path(), None)))
            .await;
    for (dir, result) in dirs.iter().zip(results) {
        let name = dir.file_name().unwrap().to_string_lossy().to_string();
        let expected: Expected =
            toml::from_str(&std::fs::read_to_string(dir.join("expected.toml")).unwrap())
                .unwrap_or_else(|e| panic!("{name}/expected.toml: {e}"));
        let summary = match result {
            Ok(s) => s,
            Err(e) => {
                failures.push(format!("{name}: run failed: {e}"));
                continue;
            }
        };
        for f in &summary.manifest.failures {
            failures.push(format!("{name}: {} failed: {}", f.file, f.error));
        }
        let values = read_values(&summary.run_dir);
        for e in &expected.expect {
            pinned.insert(e.kpi.clone());
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
                (Some(Some(v)), true, _) => {
                    failures.push(format!("{what}: expected null, got {v}"))
                }
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
            let listed =
                summary.manifest.not_measurable.iter().any(|n| {
                    n.kpi.as_deref() == Some(id) || (n.kpi.is_none() && &n.use_case == id)
                });
            if !listed {
                failures.push(format!("{name}: {id} should be listed as not measurable"));
            }
        }
    }
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
