//! The flow of a run: lock → locate inputs (checksums; skip when nothing changed) → ingest
//! (read + validate, as of a date; parameters derived from the data) → each stage of
//! [`stages::all`] in order (KPI SQL, the engines, the analyses) → result tables and report →
//! manifest, published atomically as `<out>/<as-of>/`, then `latest` and the history.

mod derive;
mod manifest;
pub mod notes;
pub mod stage;
pub mod stages;
mod write;

use crate::catalog::{Catalog, Inputs};
use crate::config::run_params::RunParams;
use crate::config::{DataSource, Settings};
use crate::engine::EngineOptions;
use crate::error::{Error, Result};
use crate::kpi::load::QuerySet;
use crate::kpi::use_cases::UseCases;
use crate::ops::lock::RunLock;
use crate::ops::{atomic, faults, fingerprint, history, retention, run_dirs};
use crate::report::manifest::{Manifest, OutputFile};
use crate::report::{kpi_values, writer};
use chrono::NaiveDate;
use manifest::{Attempt, PUBLISHED, base_manifest, record_stopped, up_to_date};
use stage::{Results, RunContext};
use std::path::{Path, PathBuf};
use tracing::{error, info, warn};

/// Options of `misura run` beyond the settings.
#[derive(Debug, Clone)]
pub struct RunOptions {
    /// Output root; the run writes `<out>/<as_of>/`.
    pub out: PathBuf,
    /// The run sees the data as it stood at the end of this day, and is named after it.
    pub as_of: NaiveDate,
    /// A project directory of extra queries.
    pub queries: Option<PathBuf>,
    /// Run even when an identical successful run for this as-of exists.
    pub force: bool,
    /// Keep only this many run folders (history is never pruned).
    pub keep: Option<usize>,
    /// Pseudonymise contact ids in contact-level tables.
    pub pseudonymize: Option<crate::report::pseudonym::Pseudonymizer>,
    /// Memory budget and spilling of the run's queries.
    pub engine: EngineOptions,
    /// Run the KPI SQL on this Ballista cluster instead of in process.
    pub cluster: Option<crate::cluster::ClusterOptions>,
    /// Whether the run prints `report.pdf` (with a headless Chromium, when one is found).
    pub pdf: crate::report::pdf::Pdf,
}

impl RunOptions {
    /// Options with defaults: no extra queries, no force, no retention.
    pub fn new(out: impl Into<PathBuf>, as_of: NaiveDate) -> Self {
        RunOptions {
            out: out.into(),
            as_of,
            queries: None,
            force: false,
            keep: None,
            pseudonymize: None,
            engine: EngineOptions::default(),
            cluster: None,
            pdf: crate::report::pdf::Pdf::Auto,
        }
    }
}

/// What a finished run reports to its caller.
#[derive(Debug, Clone)]
pub struct RunSummary {
    /// The run folder.
    pub run_dir: PathBuf,
    /// The manifest written (or, when skipped, the one found).
    pub manifest: Manifest,
    /// Nothing changed since the last successful run for this as-of: nothing was done.
    pub skipped: bool,
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

/// Loads the data and derives the parameters that default to the data (brand, window); what
/// the derivation noticed is in the catalog's warnings.
pub async fn load(settings: &mut Settings) -> Result<Catalog> {
    let inputs = Inputs::locate(settings)?;
    let mut catalog = Catalog::load(settings, &inputs, None).await?;
    let notes = derive::derive(settings, &catalog, None).await?;
    catalog.warnings.extend(notes);
    Ok(catalog)
}

/// Runs the whole job and writes the run folder, atomically, under the output lock.
///
/// A successful run is published as `<out>/<as-of>/` and `latest` moves to it; a run that
/// fails anywhere after taking the lock — a use case, invalid data, an unreadable file — is
/// published beside it as `<out>/<as-of>.failed-<n>/` (with its manifest, and its report when
/// it got that far), so the previous good folder and `latest` stay as they were.
pub async fn run(mut settings: Settings, opts: &RunOptions) -> Result<RunSummary> {
    let mut attempt = Attempt::start();
    let lock = RunLock::acquire(&opts.out)?;
    if let Some(pid) = lock.taken_over_from {
        attempt.warnings.push(format!(
            "took over the lock of process {pid}, which ended without releasing it"
        ));
    }
    for p in atomic::clean_leftovers(&opts.out) {
        attempt.warnings.push(format!(
            "removed {} left by an interrupted run",
            p.display()
        ));
    }
    if matches!(settings.data, DataSource::EmbeddedSample) {
        let note = "no --data given: this run measures misura's embedded demo sample, not your data (the report says so)";
        // Logged now, so it is seen whatever happens next; the manifest's `data` says
        // `<embedded sample>` and the report opens with a banner.
        warn!(stage = "locate", "{note}");
    }
    faults::pause_point("locked");
    let outcome = run_locked(&mut settings, opts, &mut attempt).await;
    let outcome = match outcome {
        Ok(summary) => Ok(summary),
        Err(e) if attempt.step == PUBLISHED => {
            error!(
                stage = "publish",
                "the run was published, but finishing it failed: {e}"
            );
            Err(e)
        }
        Err(e) => {
            match record_stopped(&settings, opts, &attempt, &e) {
                Ok(dir) => {
                    error!(stage = "publish", run = %dir.display(), "the run stopped; its record is in {} (misura status lists it; latest is unchanged)", dir.display())
                }
                Err(w) => error!(
                    stage = "publish",
                    "the run stopped and could not be recorded: {w}"
                ),
            }
            Err(e)
        }
    };
    drop(lock);
    outcome
}

/// Where the run's inputs are and what it would be: the fingerprint of inputs, settings
/// and queries, and the folder it publishes to.
struct Located {
    inputs: Inputs,
    queries: QuerySet,
    run_dir: PathBuf,
}

/// Locates the inputs and queries; `Err(summary)` when the last successful run for this
/// as-of saw the same fingerprint (nothing to do).
fn locate(
    settings: &Settings,
    opts: &RunOptions,
    attempt: &mut Attempt,
) -> Result<std::result::Result<Located, RunSummary>> {
    attempt.step = "locate";
    let inputs = Inputs::locate(settings)?;
    let mut queries = QuerySet::builtin()?;
    if let Some(dir) = &opts.queries {
        queries.add_dir(dir)?;
    }
    let mut fingerprint = fingerprint::fingerprint(settings, &inputs.discovery, &queries);
    if let Some(p) = &opts.pseudonymize {
        // Another key must rerun; the key itself never enters the fingerprint.
        fingerprint = format!("{fingerprint}+{}", p.id("misura:fingerprint"));
    }
    attempt.fingerprint = fingerprint.clone();
    attempt.queries = fingerprint::query_checksums(&queries);
    let run_dir = run_dirs::ok_folder(&opts.out, opts.as_of);
    if !opts.force
        && let Some(manifest) = up_to_date(&run_dir, &fingerprint)
    {
        info!(stage = "skip", as_of = %opts.as_of, "inputs, settings and queries unchanged since the last successful run; nothing to do (--force reruns)");
        return Ok(Err(RunSummary {
            run_dir,
            manifest,
            skipped: true,
        }));
    }
    Ok(Ok(Located {
        inputs,
        queries,
        run_dir,
    }))
}

/// Reads and validates the tables as of the run's day and derives the data's parameters;
/// stops the run on invalid data (under `fail`) or an as-of before every row.
async fn ingest(
    settings: &mut Settings,
    opts: &RunOptions,
    inputs: &Inputs,
    attempt: &mut Attempt,
) -> Result<(Catalog, Vec<String>)> {
    attempt.step = "ingest_and_validate";
    let catalog = Catalog::load_with(settings, inputs, Some(opts.as_of), &opts.engine).await?;
    attempt.inputs = catalog.reports.clone();
    let derived = derive::derive(settings, &catalog, Some(opts.as_of)).await?;
    if let Some(err) = catalog.failure(settings.on_invalid) {
        return Err(err);
    }
    derive::no_data_before(&catalog, opts.as_of)?;
    for r in &catalog.reports {
        info!(
            stage = "ingest",
            table = r.table,
            rows = r.rows_read,
            accepted = r.rows_accepted,
            rejected = r.rows_rejected,
            "table read"
        );
    }
    attempt.stopwatch.end("ingest_and_validate");
    faults::pause_point("ingested");
    attempt.warnings.extend(catalog.warnings.iter().cloned());
    for name in ["brand", "window_start", "window_end"] {
        if settings.parameters.get(name).is_none() {
            attempt.warnings.push(format!("parameter `{name}` could not be derived from the data; queries that need it fail. Set it in [parameters] of misura.toml"));
        }
    }
    Ok((catalog, derived))
}

/// Runs every stage in order, each timed; what a reader must know starts with `notes`.
async fn run_stages(
    cx: &RunContext<'_>,
    notes: Vec<String>,
    attempt: &mut Attempt,
) -> Result<Results> {
    let mut done = Results {
        notes,
        ..Results::default()
    };
    let all = stages::all();
    let progress = crate::progress::Progress::start("stages", all.len() as u64, "stages");
    for stage in all {
        attempt.stopwatch.start();
        attempt.step = stage.name();
        progress.now(stage.name());
        let (warnings, parts) = stage::run_one(stage.as_ref(), cx, &mut done).await?;
        progress.done(stage.name());
        for (name, ms, peak) in parts {
            attempt.stopwatch.record(name, ms, peak);
        }
        attempt.warnings.extend(warnings);
        attempt.stopwatch.end(stage.name());
    }
    faults::pause_point("computed");
    Ok(done)
}

async fn run_locked(
    settings: &mut Settings,
    opts: &RunOptions,
    attempt: &mut Attempt,
) -> Result<RunSummary> {
    let located = match locate(settings, opts, attempt)? {
        Ok(l) => l,
        Err(skipped) => return Ok(skipped),
    };
    let (catalog, derived) = ingest(settings, opts, &located.inputs, attempt).await?;
    // The typed parameters the analyses read, resolved once after the data-derived ones.
    let run = RunParams::resolve(&settings.parameters)?;
    attempt.seed = Some(run.seed);
    attempt.stopwatch.start();
    let catalogue = UseCases::load(&located.queries, &settings.use_cases)?;
    let cx = RunContext {
        catalog: &catalog,
        queries: &located.queries,
        run: &run,
        settings,
        catalogue: &catalogue,
        opts,
        data_root: &located.inputs.root,
    };
    let mut done = run_stages(&cx, derived, attempt).await?;

    attempt.stopwatch.start();
    attempt.step = "write";
    let staging = atomic::staging_for(&located.run_dir);
    if staging.exists() {
        std::fs::remove_dir_all(&staging).map_err(|e| Error::io(&staging, e))?;
    }
    let kpi_values = kpi_values::kpi_values_batch(&done.kpis.values)?;
    let pseudonymize = opts.pseudonymize.as_ref();
    let mut outputs = write::write_all(&staging, &kpi_values, &catalog, &done, pseudonymize)?;
    attempt.stopwatch.end("write");

    attempt.stopwatch.start();
    attempt.step = "report";
    outputs.extend(write_report(&cx, &mut done, &staging));
    attempt.stopwatch.end("report");
    if outputs.iter().any(|o| o.path == "index.html") {
        attempt.stopwatch.start();
        attempt.step = "pdf";
        outputs.extend(print_pdf(opts.pdf, &staging, &mut attempt.warnings));
        attempt.stopwatch.end("pdf");
    }

    attempt.step = "publish";
    let published = Publish {
        staging: &staging,
        run_dir: located.run_dir,
        kpi_values: &kpi_values,
        outputs,
    };
    publish(settings, opts, attempt, done, published)
}

/// Writes the page, charts and workbook into `staging`; a failure is recorded (the run then
/// ends `failed`), not fatal: the tables stand.
fn write_report(cx: &RunContext<'_>, done: &mut Results, staging: &Path) -> Vec<OutputFile> {
    let (settings, run) = (cx.settings, cx.run);
    let p = &settings.parameters;
    let day = |name: &str, back: u64| {
        p.date(name)
            .map(|d| (d - chrono::Days::new(back)).to_string())
            .unwrap_or_default()
    };
    let report = crate::report::page::ReportInput {
        as_of: cx.opts.as_of.to_string(),
        window: (day("window_start", 0), day("window_end", 1)),
        currency: settings.currency.clone(),
        catalogue: cx.catalogue,
        queries: cx.queries,
        kpis: &done.kpis,
        roi: done.roi.as_ref(),
        attribution: done.attribution.as_deref(),
        attribution_recovery: done.attribution_recovery.as_deref(),
        experiments: done.experiments.as_deref(),
        plans: done.plans.as_deref(),
        alerts: done.alerts.as_ref().map_or(&[], |a| a.fired.as_slice()),
        perception: done.perception.as_ref(),
        channel_mix: done.channel_mix.as_deref(),
        maturity: done.maturity.as_ref(),
        impact: done.impact.as_ref(),
        rejected: cx.catalog.reports.iter().map(|r| r.rows_rejected).sum(),
        rows_read: cx.catalog.reports.iter().map(|r| r.rows_read).sum(),
        bootstrap: (run.bootstrap_samples as i64, run.seed as i64),
        default_model: run.default_attribution_model.clone(),
        allocation: run.shared_cost_allocation.clone(),
        failures: &done.failures,
        demo_data: matches!(settings.data, DataSource::EmbeddedSample),
        notes: &done.notes,
        labels: done.labels.as_ref(),
    };
    // Polars plans on its own threads and must not run inside the async runtime's context.
    let written = std::thread::scope(|s| {
        s.spawn(|| crate::report::write_report(&report, staging))
            .join()
            .unwrap_or_else(|_| Err(Error::report("report", "the report writer panicked")))
    });
    match written {
        Ok(files) => files
            .into_iter()
            .map(|path| OutputFile { path, rows: 0 })
            .collect(),
        Err(e) => {
            done.fail("report", "src/report/templates/report.html", &e);
            Vec::new()
        }
    }
}

/// Prints `report.pdf` from the staged page when asked and a headless Chromium is found;
/// a browser that fails leaves a warning (the page and the tables stand).
fn print_pdf(
    pdf: crate::report::pdf::Pdf,
    staging: &Path,
    warnings: &mut Vec<String>,
) -> Option<OutputFile> {
    use crate::report::pdf;
    if pdf == pdf::Pdf::Off {
        return None;
    }
    let Some(browser) = pdf::browser() else {
        info!(
            "report.pdf not written: no headless Chromium found (install chromium, or set MISURA_CHROMIUM to its path; --pdf off silences this)"
        );
        return None;
    };
    match pdf::print(&browser, staging) {
        Ok(()) => Some(OutputFile {
            path: "report.pdf".into(),
            rows: 0,
        }),
        Err(e) => {
            warn!("report.pdf not written: {e}");
            warnings.push(format!("report.pdf not written: {e}"));
            None
        }
    }
}

/// What publishing needs beyond the results: the staged folder and what was written in it.
struct Publish<'a> {
    staging: &'a Path,
    run_dir: PathBuf,
    kpi_values: &'a datafusion::arrow::array::RecordBatch,
    outputs: Vec<OutputFile>,
}

/// Writes the manifest and publishes the staged folder: as the day's folder and `latest`
/// when the run succeeded (with its night of the KPI history), beside it as
/// `<as-of>.failed-<n>/` when anything failed; then applies retention.
fn publish(
    settings: &Settings,
    opts: &RunOptions,
    attempt: &mut Attempt,
    done: Results,
    run: Publish<'_>,
) -> Result<RunSummary> {
    attempt.warnings.extend(done.notes.iter().cloned());
    let mut manifest = base_manifest(settings, opts, attempt);
    manifest.outputs = run.outputs;
    manifest.not_measurable = done.kpis.not_measurable.clone();
    manifest.hidden_use_cases = done.kpis.hidden.clone();
    manifest.failures = done.failures;
    manifest.alerts = done
        .alerts
        .as_ref()
        .map(|a| crate::report::manifest::AlertCounts {
            fired: a.fired.len(),
            judged: a.judged,
            not_judged: a.not_judged.clone(),
        });
    let ok = manifest.failures.is_empty();
    manifest.status = if ok { "ok" } else { "failed" }.into();
    if ok {
        // Only a successful run writes its night of the history.
        manifest.outputs.push(OutputFile {
            path: format!("../history/kpi_values/as_of={}/part-0.parquet", opts.as_of),
            rows: done.kpis.values.len() as u64,
        });
    }
    // A failed run never replaces the day's good folder: it is published beside it.
    let target = if ok {
        run.run_dir
    } else {
        run_dirs::next_failed_folder(&opts.out, opts.as_of)
    };
    writer::write_manifest(run.staging, &manifest)?;
    faults::pause_point("written");
    atomic::replace_dir(run.staging, &target)?;
    // Published: what fails from here on (history, `latest`, retention) is an error of the
    // run, but its folder stands and no failed attempt is recorded beside it.
    attempt.step = PUBLISHED;
    if ok {
        // The history holds the published successful runs: written after the folder, so a
        // run killed before publishing changes neither.
        history::write_partition(
            &opts.out,
            "kpi_values",
            opts.as_of,
            &kpi_values::kpi_values_schema(),
            std::slice::from_ref(run.kpi_values),
        )?;
        atomic::point_latest(&opts.out, &manifest.as_of)?;
    }
    if let Some(keep) = opts.keep {
        for p in retention::prune(&opts.out, keep)? {
            info!(stage = "retention", removed = %p.display(), "old run folder removed");
        }
    }
    Ok(RunSummary {
        run_dir: target,
        manifest,
        skipped: false,
    })
}
