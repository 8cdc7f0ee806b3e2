//! The flow of a run: settings → catalog (read + validate) → parameters derived from the data
//! → KPI queries → result tables and manifest, written atomically into `<out>/<as-of>/`.

use crate::catalog::{Catalog, reports_by_table};
use crate::config::params::{ParamValue, Source};
use crate::config::{DataSource, Settings};
use crate::error::{Error, Result};
use crate::kpi::load::QuerySet;
use crate::report::manifest::{Manifest, ManifestParam, OutputFile};
use crate::report::tables;
use chrono::{NaiveDate, Utc};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::time::Instant;

/// Options of `misura run` beyond the settings.
#[derive(Debug, Clone)]
pub struct RunOptions {
    /// Output root; the run writes `<out>/<as_of>/`.
    pub out: PathBuf,
    /// Date naming the run folder.
    pub as_of: NaiveDate,
    /// A project directory of extra queries.
    pub queries: Option<PathBuf>,
}

/// What a finished run reports to its caller.
#[derive(Debug, Clone)]
pub struct RunSummary {
    /// The run folder.
    pub run_dir: PathBuf,
    /// The manifest written.
    pub manifest: Manifest,
}

impl RunSummary {
    /// 0 when everything ran, 1 when a use case failed.
    pub fn exit_code(&self) -> u8 {
        if self.manifest.failures.is_empty() {
            0
        } else {
            1
        }
    }
}

/// Loads the data and derives the parameters that default to the data (brand, window).
pub async fn load(settings: &mut Settings) -> Result<Catalog> {
    let catalog = Catalog::load(settings).await?;
    if catalog.failure(settings.on_invalid).is_none() {
        derive_parameters(settings, &catalog).await?;
    }
    Ok(catalog)
}

async fn derive_parameters(settings: &mut Settings, catalog: &Catalog) -> Result<()> {
    let p = &mut settings.parameters;
    if p.get("brand").is_none()
        && let Some(brand) = catalog.dominant_brand().await?
    {
        p.set_if_unset("brand", ParamValue::Text(brand), Source::Data);
    }
    if let Some((lo, hi)) = catalog.data_span().await? {
        p.set_if_unset("window_start", ParamValue::Date(lo.date()), Source::Data);
        p.set_if_unset(
            "window_end",
            ParamValue::Date(hi.date() + chrono::Days::new(1)),
            Source::Data,
        );
    }
    Ok(())
}

/// Runs the whole job and writes the run folder.
pub async fn run(mut settings: Settings, opts: &RunOptions) -> Result<RunSummary> {
    let started_at = Utc::now();
    let mut timings = BTreeMap::new();
    let t = Instant::now();
    let catalog = load(&mut settings).await?;
    if let Some(err) = catalog.failure(settings.on_invalid) {
        return Err(err);
    }
    timings.insert(
        "ingest_and_validate".to_string(),
        t.elapsed().as_secs_f64() * 1e3,
    );
    let mut warnings = catalog.warnings.clone();
    for name in ["brand", "window_start", "window_end"] {
        if settings.parameters.get(name).is_none() {
            warnings.push(format!("parameter `{name}` could not be derived from the data; queries that need it fail. Set it in [parameters] of misura.toml"));
        }
    }

    let t = Instant::now();
    let mut queries = QuerySet::builtin()?;
    if let Some(dir) = &opts.queries {
        queries.add_dir(dir)?;
    }
    let catalogue = crate::kpi::catalogue::Catalogue::load(&settings.use_cases)?;
    let kpis = crate::kpi::run_all(
        &catalog.ctx,
        &queries,
        &settings.parameters,
        &catalog.present,
        &catalogue,
    )
    .await?;
    timings.insert("kpis".to_string(), t.elapsed().as_secs_f64() * 1e3);
    for (uc, ms) in &kpis.timings_ms {
        timings.insert(format!("kpis.{uc}"), *ms);
    }

    let t = Instant::now();
    std::fs::create_dir_all(&opts.out).map_err(|e| Error::io(&opts.out, e))?;
    let name = opts.as_of.to_string();
    let staging = opts
        .out
        .join(format!(".{name}.partial-{}", std::process::id()));
    if staging.exists() {
        std::fs::remove_dir_all(&staging).map_err(|e| Error::io(&staging, e))?;
    }
    let mut outputs = Vec::new();
    let tables_dir = staging.join("tables");
    std::fs::create_dir_all(&tables_dir).map_err(|e| Error::io(&tables_dir, e))?;
    let batch = tables::kpi_values_batch(&kpis.values)?;
    let schema = tables::kpi_values_schema();
    tables::write_csv(
        &tables_dir.join("kpi_values.csv"),
        &schema,
        std::slice::from_ref(&batch),
    )?;
    tables::write_parquet(
        &tables_dir.join("kpi_values.parquet"),
        &schema,
        std::slice::from_ref(&batch),
    )?;
    for ext in ["csv", "parquet"] {
        outputs.push(OutputFile {
            path: format!("tables/kpi_values.{ext}"),
            rows: kpis.values.len() as u64,
        });
    }
    let mut rejected: BTreeMap<String, u64> = BTreeMap::new();
    for r in &catalog.reports {
        rejected.insert(r.table.to_string(), r.rows_rejected);
    }
    if !catalog.rejected.is_empty() {
        let dir = staging.join("rejects");
        std::fs::create_dir_all(&dir).map_err(|e| Error::io(&dir, e))?;
        let mut by_table: BTreeMap<&str, Vec<_>> = BTreeMap::new();
        for r in &catalog.rejected {
            by_table.entry(r.table).or_default().push(r.batch.clone());
        }
        for (table, batches) in by_table {
            let path = dir.join(format!("{table}.csv"));
            tables::write_csv(&path, &batches[0].schema(), &batches)?;
            outputs.push(OutputFile {
                path: format!("rejects/{table}.csv"),
                rows: batches.iter().map(|b| b.num_rows() as u64).sum(),
            });
        }
    }
    timings.insert("write".to_string(), t.elapsed().as_secs_f64() * 1e3);

    let p = &settings.parameters;
    let manifest = Manifest {
        misura_version: env!("CARGO_PKG_VERSION").to_string(),
        status: if kpis.failures.is_empty() {
            "ok".into()
        } else {
            "failed".into()
        },
        as_of: name.clone(),
        started_at: started_at.to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
        finished_at: Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
        data: match &settings.data {
            DataSource::EmbeddedSample => crate::sample::DISPLAY.to_string(),
            DataSource::Dir(d) => d.display().to_string(),
        },
        config: settings
            .config_path
            .as_ref()
            .map(|p| p.display().to_string()),
        currency: settings.currency.clone(),
        on_invalid: format!("{:?}", settings.on_invalid).to_lowercase(),
        window: (
            p.date("window_start")
                .map(|d| d.to_string())
                .unwrap_or_default(),
            p.date("window_end")
                .map(|d| d.to_string())
                .unwrap_or_default(),
        ),
        seed: p.int("seed").unwrap_or_default(),
        parameters: p
            .iter()
            .map(|(k, v, s)| {
                (
                    k.to_string(),
                    ManifestParam {
                        value: v.clone(),
                        source: s,
                    },
                )
            })
            .collect(),
        inputs: reports_by_table(&catalog.reports)
            .into_values()
            .cloned()
            .collect(),
        rejected,
        outputs,
        not_measurable: kpis.not_measurable.clone(),
        hidden_use_cases: kpis.hidden.clone(),
        failures: kpis.failures.clone(),
        timings_ms: timings,
        warnings,
    };
    let manifest_path = staging.join("manifest.json");
    let json = serde_json::to_string_pretty(&manifest).expect("manifest serialises");
    std::fs::write(&manifest_path, json + "\n").map_err(|e| Error::io(&manifest_path, e))?;
    let run_dir = opts.out.join(&name);
    publish(&staging, &run_dir)?;
    Ok(RunSummary { run_dir, manifest })
}

/// Moves a complete staging folder into place, replacing an earlier run of the same date.
fn publish(staging: &Path, target: &Path) -> Result<()> {
    if target.exists() {
        let old = target.with_file_name(format!(
            ".{}.old-{}",
            target
                .file_name()
                .map(|n| n.to_string_lossy().to_string())
                .unwrap_or_default(),
            std::process::id()
        ));
        std::fs::rename(target, &old).map_err(|e| Error::io(target, e))?;
        std::fs::rename(staging, target).map_err(|e| Error::io(target, e))?;
        std::fs::remove_dir_all(&old).map_err(|e| Error::io(&old, e))?;
    } else {
        std::fs::rename(staging, target).map_err(|e| Error::io(target, e))?;
    }
    Ok(())
}
