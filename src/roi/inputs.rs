//! What the ROI reads from the catalog through its model queries: prorated costs per use
//! case (`roi_costs.sql`), per-unit savings and innovation values (`roi_units.sql`) and
//! per-contact experiment margins (`experiment_units.sql`).

use crate::config::params::Parameters;
use crate::error::Result;
use crate::kpi::load::QuerySet;
use datafusion::arrow::array::{Array, ArrayRef, AsArray, RecordBatch};
use datafusion::prelude::SessionContext;
use std::collections::BTreeMap;

/// Costs prorated to the window.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Costs {
    /// Direct cost per use case.
    pub direct: BTreeMap<String, f64>,
    /// Shared costs (use_case null).
    pub shared: f64,
}

/// The units of one measured value driver of one use case.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct UnitValues {
    /// Value of each unit.
    pub values: Vec<f64>,
    /// Units whose value rests on data present for them.
    pub covered: u64,
}

/// One experiment's contacts: margin per contact in each arm.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ExperimentUnits {
    /// Experiment id.
    pub experiment_id: String,
    /// Its use case.
    pub use_case: String,
    /// Margin per treatment contact.
    pub treatment: Vec<f64>,
    /// Margin per control contact.
    pub control: Vec<f64>,
}

fn bools(a: &ArrayRef) -> Vec<bool> {
    let b = a.as_boolean();
    (0..b.len()).map(|i| b.is_valid(i) && b.value(i)).collect()
}

/// Reads the costs.
pub async fn costs(ctx: &SessionContext, q: &QuerySet, p: &Parameters) -> Result<Costs> {
    let mut out = Costs::default();
    for b in q.run_model(ctx, p, "roi_costs").await? {
        let uc = crate::catalog::text(b.column(0));
        let cost = crate::catalog::floats(b.column(1), "reading roi costs")?;
        for (i, c) in cost.into_iter().enumerate() {
            let c = c.unwrap_or(0.0);
            if uc.is_valid(i) {
                *out.direct.entry(uc.value(i).to_string()).or_default() += c;
            } else {
                out.shared += c;
            }
        }
    }
    Ok(out)
}

/// Reads the per-unit drivers: (driver, use case) → units.
pub async fn units(
    ctx: &SessionContext,
    q: &QuerySet,
    p: &Parameters,
) -> Result<BTreeMap<(String, String), UnitValues>> {
    let mut out: BTreeMap<(String, String), UnitValues> = BTreeMap::new();
    for b in q.run_model(ctx, p, "roi_units").await? {
        let (driver, uc) = (
            crate::catalog::text(b.column(0)),
            crate::catalog::text(b.column(1)),
        );
        let values = crate::catalog::floats(b.column(3), "reading roi units")?;
        let covered = bools(b.column(4));
        for i in 0..b.num_rows() {
            let e = out
                .entry((driver.value(i).to_string(), uc.value(i).to_string()))
                .or_default();
            e.values.push(values[i].unwrap_or(0.0));
            e.covered += u64::from(covered[i]);
        }
    }
    Ok(out)
}

/// Reads the experiments' contacts.
pub async fn experiments(
    ctx: &SessionContext,
    q: &QuerySet,
    p: &Parameters,
) -> Result<Vec<ExperimentUnits>> {
    let batches: Vec<RecordBatch> = q.run_model(ctx, p, "experiment_units").await?;
    let mut out: Vec<ExperimentUnits> = Vec::new();
    for b in &batches {
        let (id, uc, arm) = (
            crate::catalog::text(b.column(0)),
            crate::catalog::text(b.column(1)),
            crate::catalog::text(b.column(3)),
        );
        let margin = crate::catalog::floats(b.column(5), "reading experiment units")?;
        for (i, m) in margin.into_iter().enumerate() {
            if out.last().is_none_or(|e| e.experiment_id != id.value(i)) {
                out.push(ExperimentUnits {
                    experiment_id: id.value(i).to_string(),
                    use_case: uc.value(i).to_string(),
                    ..Default::default()
                });
            }
            let e = out.last_mut().expect("pushed above");
            let m = m.unwrap_or(0.0);
            match arm.value(i) {
                "treatment" => e.treatment.push(m),
                _ => e.control.push(m),
            }
        }
    }
    out.retain(|e| !e.treatment.is_empty() && !e.control.is_empty());
    Ok(out)
}
