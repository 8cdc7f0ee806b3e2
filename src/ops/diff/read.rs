//! Reading a run folder for `misura diff`: its manifest and the value tables it compares.

use crate::report::manifest::Manifest;
use std::collections::BTreeMap;
use std::path::Path;

/// One KPI value: key (kpi, period, dimension, dimension value) → (value, n, ci).
pub type KpiKey = (String, String, String, String);

/// A KPI value as written.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct KpiCell {
    /// The value (None: undefined).
    pub value: Option<f64>,
    /// Its n.
    pub n: f64,
    /// Its 95 % interval, when it has one.
    pub ci: Option<(f64, f64)>,
}

/// A use case's ROI as written.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct RoiCell {
    /// Value.
    pub value: Option<f64>,
    /// ROI and its 95 % interval.
    pub roi: Option<f64>,
    /// The interval.
    pub ci: Option<(f64, f64)>,
}

/// A run folder, read.
#[derive(Debug, Clone)]
pub struct RunRead {
    /// Its manifest.
    pub manifest: Manifest,
    /// `kpi_values`.
    pub kpis: BTreeMap<KpiKey, KpiCell>,
    /// `roi`, by use case.
    pub roi: BTreeMap<String, RoiCell>,
}

fn rows(path: &Path) -> Result<Vec<BTreeMap<String, String>>, String> {
    let mut rdr = csv::Reader::from_path(path)
        .map_err(|e| format!("{} cannot be read: {e}", path.display()))?;
    let h = rdr
        .headers()
        .map_err(|e| format!("{}: {e}", path.display()))?
        .clone();
    rdr.records()
        .map(|r| {
            let r = r.map_err(|e| format!("{}: {e}", path.display()))?;
            Ok(h.iter()
                .zip(r.iter())
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect())
        })
        .collect()
}

fn num(r: &BTreeMap<String, String>, k: &str) -> Option<f64> {
    r.get(k).and_then(|v| v.parse().ok())
}

/// Reads `dir`; the problem in words when it is not a complete run folder.
pub fn read(dir: &Path) -> Result<RunRead, String> {
    let mpath = dir.join("manifest.json");
    let text = std::fs::read_to_string(&mpath).map_err(|e| {
        format!(
            "{} is not a run folder: {} ({e}); give a folder misura run wrote, e.g. reports/2026-11-22 or reports/latest",
            dir.display(),
            mpath.display()
        )
    })?;
    let manifest: Manifest = serde_json::from_str(&text)
        .map_err(|e| format!("{}: not a manifest misura wrote: {e}", mpath.display()))?;
    let tables = dir.join("tables");
    let kpis = rows(&tables.join("kpi_values.csv"))
        .map_err(|e| format!("{e} (the run stopped before writing its tables?)"))?
        .into_iter()
        .map(|r| {
            let key = |k: &str| r.get(k).cloned().unwrap_or_default();
            let ci = num(&r, "ci_low").zip(num(&r, "ci_high"));
            (
                (
                    key("kpi"),
                    key("period"),
                    key("dimension"),
                    key("dimension_value"),
                ),
                KpiCell {
                    value: num(&r, "value"),
                    n: num(&r, "n").unwrap_or(0.0),
                    ci,
                },
            )
        })
        .collect();
    let roi_path = tables.join("roi.csv");
    let roi = if roi_path.exists() {
        rows(&roi_path)?
            .into_iter()
            .map(|r| {
                (
                    r.get("use_case").cloned().unwrap_or_default(),
                    RoiCell {
                        value: num(&r, "value"),
                        roi: num(&r, "roi"),
                        ci: num(&r, "roi_ci_low").zip(num(&r, "roi_ci_high")),
                    },
                )
            })
            .collect()
    } else {
        BTreeMap::new()
    };
    Ok(RunRead {
        manifest,
        kpis,
        roi,
    })
}
