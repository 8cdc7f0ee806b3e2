//! `misura diff RUN_A RUN_B` (docs/operations.md, comparing runs): what changed between two
//! runs and why — inputs (files, rows, checksums), parameters, query files — then every KPI
//! and ROI value that moved, sorted by how far beyond its noise it moved: z = |B − A| / the
//! noise of the difference (a share of n: the pooled two-proportion standard error; a count
//! of events: √(A + B), Poisson; a value with a 95 % interval in both runs: the intervals'
//! standard errors combined; others: no noise known, listed after, by relative change).

pub mod read;

use crate::analyses::alerts::{chart::Family, family};
use crate::kpi::sidecar::KpiMeta;
use read::{KpiCell, RunRead};
use serde::Serialize;
use std::collections::{BTreeMap, BTreeSet};

/// A table whose input changed.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct InputChange {
    /// Canonical table.
    pub table: String,
    /// Rows read in A and B (None: absent).
    pub rows: (Option<u64>, Option<u64>),
    /// Its files' SHA-256 in A and B, joined.
    pub sha256: (Option<String>, Option<String>),
}

/// A setting that changed (a parameter or a query file's SQL).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SettingChange {
    /// Parameter name or query file.
    pub name: String,
    /// In A and B (None: absent).
    pub values: (Option<String>, Option<String>),
}

/// A value that moved.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ValueChange {
    /// `kpi` or `roi`.
    pub kind: &'static str,
    /// KPI id, or the use case of an ROI.
    pub id: String,
    /// `all`, a month, or (ROI) empty.
    pub period: String,
    /// Breakdown `dimension=value`, or empty.
    pub breakdown: String,
    /// In A and B.
    pub values: (Option<f64>, Option<f64>),
    /// How many noise standard errors it moved; None when its noise is not known.
    pub z: Option<f64>,
}

/// What changed between two runs.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Diff {
    /// The two run folders as given.
    pub runs: (String, String),
    /// Their as-of days.
    pub as_of: (String, String),
    /// Inputs changed.
    pub inputs: Vec<InputChange>,
    /// Parameters changed.
    pub parameters: Vec<SettingChange>,
    /// Query files changed.
    pub queries: Vec<SettingChange>,
    /// Values moved, furthest beyond noise first.
    pub values: Vec<ValueChange>,
}

impl Diff {
    /// Nothing changed at all.
    pub fn is_empty(&self) -> bool {
        self.inputs.is_empty()
            && self.parameters.is_empty()
            && self.queries.is_empty()
            && self.values.is_empty()
    }
}

/// Why two runs cannot be compared, when they cannot.
pub fn comparable(a: &RunRead, b: &RunRead) -> Result<(), String> {
    if a.manifest.currency != b.manifest.currency {
        return Err(format!(
            "the runs report money in different currencies ({} and {}): their values cannot be compared",
            a.manifest.currency, b.manifest.currency
        ));
    }
    Ok(())
}

fn inputs(a: &RunRead, b: &RunRead) -> Vec<InputChange> {
    let side = |r: &RunRead| -> BTreeMap<String, (u64, String)> {
        r.manifest
            .inputs
            .iter()
            .map(|t| {
                let sha: Vec<&str> = t.files.iter().map(|f| f.sha256.as_str()).collect();
                (t.table.clone(), (t.rows_read, sha.join(",")))
            })
            .collect()
    };
    let (sa, sb) = (side(a), side(b));
    let tables: BTreeSet<&String> = sa.keys().chain(sb.keys()).collect();
    tables
        .into_iter()
        .filter(|t| sa.get(*t) != sb.get(*t))
        .map(|t| InputChange {
            table: t.clone(),
            rows: (sa.get(t).map(|x| x.0), sb.get(t).map(|x| x.0)),
            sha256: (
                sa.get(t).map(|x| x.1.clone()),
                sb.get(t).map(|x| x.1.clone()),
            ),
        })
        .collect()
}

fn changed(a: &BTreeMap<String, String>, b: &BTreeMap<String, String>) -> Vec<SettingChange> {
    let names: BTreeSet<&String> = a.keys().chain(b.keys()).collect();
    names
        .into_iter()
        .filter(|n| a.get(*n) != b.get(*n))
        .map(|n| SettingChange {
            name: n.clone(),
            values: (a.get(n).cloned(), b.get(n).cloned()),
        })
        .collect()
}

fn parameters(r: &RunRead) -> BTreeMap<String, String> {
    r.manifest
        .parameters
        .iter()
        .map(|(k, p)| {
            (
                k.clone(),
                serde_json::to_string(&p.value).unwrap_or_default(),
            )
        })
        .collect()
}

/// The standard error of an interval's estimate (95 %, normal).
fn se_of(ci: Option<(f64, f64)>) -> Option<f64> {
    ci.map(|(lo, hi)| (hi - lo) / (2.0 * 1.959_963_984_540_054))
}

/// The noise (standard error) of B − A for a KPI.
fn kpi_noise(meta: Option<&KpiMeta>, a: &KpiCell, b: &KpiCell) -> Option<f64> {
    let (va, vb) = (a.value?, b.value?);
    if let (Some(sa), Some(sb)) = (se_of(a.ci), se_of(b.ci)) {
        return Some((sa * sa + sb * sb).sqrt());
    }
    match meta.map(family)? {
        Family::Share if a.n > 0.0 && b.n > 0.0 => {
            let p = (va * a.n + vb * b.n) / (a.n + b.n);
            Some((p * (1.0 - p) * (1.0 / a.n + 1.0 / b.n)).sqrt())
        }
        Family::Count if va == a.n && vb == b.n => Some((va + vb).sqrt()),
        _ => None,
    }
}

fn z_of(a: Option<f64>, b: Option<f64>, se: Option<f64>) -> Option<f64> {
    let (a, b, se) = (a?, b?, se?);
    (se > 0.0).then(|| (b - a).abs() / se)
}

/// Relative size of a move, for ordering the moves whose noise is not known.
fn relative(c: &ValueChange) -> f64 {
    match c.values {
        (Some(a), Some(b)) => (b - a).abs() / a.abs().max(1e-12),
        _ => f64::INFINITY,
    }
}

/// What changed between `a` and `b` (already checked [`comparable`]); `metas` are the KPI
/// definitions, for the noise of each KPI.
pub fn diff(
    names: (&str, &str),
    a: &RunRead,
    b: &RunRead,
    metas: &BTreeMap<String, KpiMeta>,
) -> Diff {
    let mut values = Vec::new();
    let keys: BTreeSet<&read::KpiKey> = a.kpis.keys().chain(b.kpis.keys()).collect();
    for k in keys {
        let (ca, cb) = (a.kpis.get(k), b.kpis.get(k));
        let (va, vb) = (ca.and_then(|c| c.value), cb.and_then(|c| c.value));
        if ca.is_some() && cb.is_some() && va == vb {
            continue;
        }
        let se = ca
            .zip(cb)
            .and_then(|(x, y)| kpi_noise(metas.get(&k.0), x, y));
        values.push(ValueChange {
            kind: "kpi",
            id: k.0.clone(),
            period: k.1.clone(),
            breakdown: if k.2.is_empty() {
                String::new()
            } else {
                format!("{}={}", k.2, k.3)
            },
            values: (va, vb),
            z: z_of(va, vb, se),
        });
    }
    let ucs: BTreeSet<&String> = a.roi.keys().chain(b.roi.keys()).collect();
    for uc in ucs {
        let (ra, rb) = (a.roi.get(uc), b.roi.get(uc));
        let (va, vb) = (ra.and_then(|r| r.roi), rb.and_then(|r| r.roi));
        if ra.is_some() && rb.is_some() && va == vb && ra.map(|r| r.value) == rb.map(|r| r.value) {
            continue;
        }
        let se = match (ra.and_then(|r| se_of(r.ci)), rb.and_then(|r| se_of(r.ci))) {
            (Some(x), Some(y)) => Some((x * x + y * y).sqrt()),
            _ => None,
        };
        values.push(ValueChange {
            kind: "roi",
            id: uc.clone(),
            period: String::new(),
            breakdown: String::new(),
            values: (va, vb),
            z: z_of(va, vb, se),
        });
    }
    values.sort_by(|x, y| match (x.z, y.z) {
        (Some(a), Some(b)) => b.total_cmp(&a),
        (Some(_), None) => std::cmp::Ordering::Less,
        (None, Some(_)) => std::cmp::Ordering::Greater,
        (None, None) => relative(y).total_cmp(&relative(x)),
    });
    Diff {
        runs: (names.0.to_string(), names.1.to_string()),
        as_of: (a.manifest.as_of.clone(), b.manifest.as_of.clone()),
        inputs: inputs(a, b),
        parameters: changed(&parameters(a), &parameters(b)),
        queries: changed(&a.manifest.queries, &b.manifest.queries),
        values,
    }
}
