//! The run's tables, written into the staging folder: `kpi_values`, the catalog's rejects,
//! then each analysis' result table in a fixed order (the manifest lists them in it).

use super::stage::Results;
use crate::catalog::Catalog;
use crate::error::Result;
use crate::report::manifest::OutputFile;
use crate::report::pseudonym::Pseudonymizer;
use crate::report::writer;
use datafusion::arrow::array::RecordBatch;
use std::path::Path;

/// The result tables of the stages that ran, by name, in the order they are written.
fn result_tables(done: &Results) -> Result<Vec<(&'static str, RecordBatch)>> {
    let mut out: Vec<(&'static str, RecordBatch)> = Vec::new();
    if let Some(rows) = &done.attribution {
        out.push(("attribution", crate::analyses::attribution::to_batch(rows)?));
    }
    if let Some(rows) = &done.attribution_recovery {
        out.push((
            "attribution_recovery",
            crate::analyses::attribution::recovery::to_batch(rows)?,
        ));
    }
    if let Some(roi) = &done.roi {
        out.push(("roi", crate::analyses::roi::table::roi_batch(&roi.rows)?));
        out.push((
            "roi_drivers",
            crate::analyses::roi::table::drivers_batch(&roi.drivers)?,
        ));
        out.push((
            "roi_by_model",
            crate::analyses::roi::table::by_model_batch(&roi.by_model)?,
        ));
    }
    if let Some(p) = &done.plans {
        out.push(("experiment_plans", crate::analyses::plans::to_batch(p)?));
    }
    if let Some(i) = &done.impact {
        out.push((
            "impact",
            crate::analyses::impact::table::impact_batch(&i.rows)?,
        ));
        out.push((
            "impact_series",
            crate::analyses::impact::table::series_batch(&i.series)?,
        ));
    }
    if let Some(c) = &done.clv {
        out.push(("clv_model", crate::analyses::clv::model_batch(c)?));
        out.push(("clv", crate::analyses::clv::clv_batch(c)?));
    }
    if let Some(m) = &done.maturity {
        out.push(("maturity", crate::analyses::maturity::to_batch(&m.rows)?));
    }
    if let Some(rows) = &done.channel_mix {
        out.push(("channel_mix", crate::analyses::channel_mix::to_batch(rows)?));
    }
    if let Some(p) = &done.perception {
        out.push((
            "perception_gap",
            crate::analyses::perception::gaps_batch(&p.gaps)?,
        ));
        out.push((
            "perception_rank",
            crate::analyses::perception::ranks_batch(&p.ranks)?,
        ));
    }
    if let Some(r) = &done.experiments {
        out.push((
            "experiments_result",
            crate::analyses::experiments::to_batch(r)?,
        ));
    }
    Ok(out)
}

/// Writes every table of the run into `staging`; returns the files written.
pub(super) fn write_all(
    staging: &Path,
    kpi_values: &RecordBatch,
    catalog: &Catalog,
    done: &Results,
    pseudonymize: Option<&Pseudonymizer>,
) -> Result<Vec<OutputFile>> {
    let mut outputs = writer::write_tables(staging, kpi_values, catalog, pseudonymize)?;
    if let Some(a) = &done.alerts {
        outputs.push(writer::write_json(staging, "alerts.json", &a.fired)?);
    }
    for (name, batch) in &result_tables(done)? {
        let batch = match pseudonymize {
            Some(p) => p.apply_all(batch)?,
            None => batch.clone(),
        };
        outputs.extend(writer::write_table(staging, name, &batch)?);
    }
    Ok(outputs)
}
