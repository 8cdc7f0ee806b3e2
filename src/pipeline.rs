//! The flow of a run: lock → locate inputs (checksums; skip when nothing changed) → catalog
//! (read + validate, as of a date) → parameters derived from the data → KPI queries → result
//! tables, history and manifest, written atomically into `<out>/<as-of>/`, then `latest`.

use crate::catalog::{Catalog, Inputs, reports_by_table};
use crate::config::params::{ParamValue, Source};
use crate::config::run_params::RunParams;
use crate::config::{DataSource, Settings};
use crate::engine::EngineOptions;
use crate::error::{Error, Result};
use crate::kpi::load::QuerySet;
use crate::ops::lock::RunLock;
use crate::ops::stages::Stages;
use crate::ops::{atomic, faults, fingerprint, history, retention, run_dirs};
use crate::report::manifest::{Manifest, ManifestParam, OutputFile};
use crate::report::{tables, writer};
use chrono::{NaiveDate, Utc};
use std::path::{Path, PathBuf};
use std::time::Instant;
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
    pub pseudonymize: Option<crate::ops::pseudonym::Pseudonymizer>,
    /// Memory budget and spilling of the run's queries.
    pub engine: EngineOptions,
    /// Run the KPI SQL on this Ballista cluster instead of in process.
    pub cluster: Option<crate::cluster::ClusterOptions>,
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
    let notes = derive(settings, &catalog, None).await?;
    catalog.warnings.extend(notes);
    Ok(catalog)
}

/// Derives the parameters that default to the data (brand, window) from a loaded catalog;
/// returns the notes a reader of the figures must see (brand, window).
async fn derive(
    settings: &mut Settings,
    catalog: &Catalog,
    as_of: Option<NaiveDate>,
) -> Result<Vec<String>> {
    let mut notes = Vec::new();
    // Nothing to derive from data that is not there (the run says "no data on or before").
    let no_data = as_of.is_some_and(|d| no_data_before(catalog, d).is_err());
    if catalog.failure(settings.on_invalid).is_none() && !no_data {
        derive_parameters(settings, catalog, as_of, &mut notes).await?;
    }
    Ok(notes)
}

/// An as-of before every row leaves nothing to measure: said as such, not as empty KPIs.
fn no_data_before(catalog: &Catalog, as_of: NaiveDate) -> Result<()> {
    // Tables without a time column (campaigns, costs, …) are reference data, not data as of
    // a day: they do not count as data before it.
    let dated = catalog
        .reports
        .iter()
        .filter(|r| crate::model::tables::table(&r.table).is_some_and(|t| t.time_column.is_some()));
    let (kept, later) = dated.fold((0, 0), |(k, l), r| {
        (k + r.rows_accepted, l + r.rows_after_as_of)
    });
    if kept == 0 && later > 0 {
        return Err(Error::NoDataBefore {
            as_of: as_of.to_string(),
            later,
        });
    }
    Ok(())
}

async fn derive_parameters(
    settings: &mut Settings,
    catalog: &Catalog,
    as_of: Option<NaiveDate>,
    notes: &mut Vec<String>,
) -> Result<()> {
    let p = &mut settings.parameters;
    if p.get("brand").is_none() {
        if let Some(brand) = catalog.dominant_brand().await? {
            p.set_if_unset("brand", ParamValue::Text(brand), Source::Data);
        } else if !catalog.present.contains("social_mentions") {
            // Nothing filters on the brand without mentions: the listening use cases are not
            // measurable, and the others do not need it.
            p.set_if_unset("brand", ParamValue::Text(String::new()), Source::Data);
        }
    }
    if let Some(brand) = p.text("brand").filter(|b| !b.is_empty())
        && let Some(note) = catalog.brand_check(brand).await?
    {
        notes.push(note);
    }
    let today = Utc::now().date_naive();
    if let Some(d) = as_of
        && d > today
    {
        notes.push(format!(
            "--as-of {d} is after today ({today}, UTC): the run is named after a day that has not ended, and its last month is read as complete only if the data says so"
        ));
    }
    let activity = catalog.activity_span().await?;
    let span = match activity {
        Some(s) => Some(s),
        None => catalog.data_span().await?,
    };
    if let Some((lo, hi)) = span {
        let window =
            crate::config::window::default_window(lo.date(), hi.date(), as_of.unwrap_or(today));
        if let Some(n) = &window.note
            && p.get("window_end").is_none()
        {
            notes.push(n.clone());
        }
        p.set_if_unset("window_start", ParamValue::Date(window.start), Source::Data);
        p.set_if_unset("window_end", ParamValue::Date(window.end), Source::Data);
    }
    // The window never reaches past the as-of: rows stop there, so costs must too.
    if let (Some(d), Some(end)) = (as_of, p.date("window_end")) {
        let limit = d + chrono::Days::new(1);
        if end > limit {
            let from = match p.source("window_end") {
                Some(Source::File) => "from misura.toml",
                Some(Source::Env) => "from the environment",
                Some(Source::Cli) => "from --param",
                _ => "derived",
            };
            p.set("window_end", ParamValue::Date(limit), Source::Data);
            notes.push(format!(
                "the window_end {end} ({from}) lies after --as-of {d}: the window is clipped to end {limit} (exclusive), so costs and value cover the same days"
            ));
        }
    }
    if let (Some(start), Some(end)) = (p.date("window_start"), p.date("window_end")) {
        if start >= end {
            return Err(Error::EmptyWindow {
                start: start.to_string(),
                end: end.to_string(),
            });
        }
        let first = activity.map(|(lo, _)| lo.date());
        if let Some(n) = crate::config::window::partial_first_month(start, first) {
            notes.push(n);
        }
        if let Some(n) = crate::config::window::partial_last_month(start, end) {
            notes.push(n);
        }
    }
    Ok(())
}

/// The stage of a run whose folder has been published.
const PUBLISHED: &str = "published";

/// What a run has gathered so far: enough to record it even when it stops early.
struct Attempt {
    started_at: chrono::DateTime<Utc>,
    clock: Instant,
    /// The stage running now (named in the record of a run that stopped).
    stage: &'static str,
    warnings: Vec<String>,
    fingerprint: String,
    /// Row accounting of the tables read, once they are.
    inputs: Vec<crate::catalog::TableReport>,
    stages: Stages,
}

/// Runs the whole job and writes the run folder, atomically, under the output lock.
///
/// A successful run is published as `<out>/<as-of>/` and `latest` moves to it; a run that
/// fails anywhere after taking the lock — a use case, invalid data, an unreadable file — is
/// published beside it as `<out>/<as-of>.failed-<n>/` (with its manifest, and its report when
/// it got that far), so the previous good folder and `latest` stay as they were.
pub async fn run(mut settings: Settings, opts: &RunOptions) -> Result<RunSummary> {
    let mut attempt = Attempt {
        started_at: Utc::now(),
        clock: Instant::now(),
        stage: "lock",
        warnings: Vec::new(),
        fingerprint: String::new(),
        inputs: Vec::new(),
        stages: Stages::new(),
    };
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
        Err(e) if attempt.stage == PUBLISHED => {
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

/// Publishes the record of a run that stopped before its results: a folder
/// `<as-of>.failed-<n>/` holding its manifest (status `failed`, the error, the stage it
/// stopped in, the rows read so far).
fn record_stopped(
    settings: &Settings,
    opts: &RunOptions,
    attempt: &Attempt,
    error: &Error,
) -> Result<PathBuf> {
    let dir = run_dirs::next_failed_folder(&opts.out, opts.as_of);
    let staging = atomic::staging_for(&dir);
    std::fs::create_dir_all(&staging).map_err(|e| Error::io(&staging, e))?;
    let text = format!("{error:#}");
    let failure = crate::kpi::run::QueryFailure {
        use_case: attempt.stage.to_string(),
        file: String::new(),
        error: text.clone(),
    };
    let mut manifest = base_manifest(settings, opts, attempt);
    manifest.status = "failed".into();
    manifest.error = Some(text);
    manifest.failures = vec![failure];
    writer::write_manifest(&staging, &manifest)?;
    atomic::replace_dir(&staging, &dir)?;
    Ok(dir)
}

async fn run_locked(
    settings: &mut Settings,
    opts: &RunOptions,
    attempt: &mut Attempt,
) -> Result<RunSummary> {
    attempt.stage = "locate";
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
    let run_dir = run_dirs::ok_folder(&opts.out, opts.as_of);
    if !opts.force
        && let Some(manifest) = up_to_date(&run_dir, &fingerprint)
    {
        info!(stage = "skip", as_of = %opts.as_of, "inputs, settings and queries unchanged since the last successful run; nothing to do (--force reruns)");
        return Ok(RunSummary {
            run_dir,
            manifest,
            skipped: true,
        });
    }

    attempt.stage = "ingest_and_validate";
    let catalog = Catalog::load_with(settings, &inputs, Some(opts.as_of), &opts.engine).await?;
    attempt.inputs = catalog.reports.clone();
    let derived = derive(settings, &catalog, Some(opts.as_of)).await?;
    if let Some(err) = catalog.failure(settings.on_invalid) {
        return Err(err);
    }
    no_data_before(&catalog, opts.as_of)?;
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
    let stages = &mut attempt.stages;
    stages.end("ingest_and_validate");
    faults::pause_point("ingested");
    let warnings = &mut attempt.warnings;
    warnings.extend(catalog.warnings.iter().cloned());
    for name in ["brand", "window_start", "window_end"] {
        if settings.parameters.get(name).is_none() {
            warnings.push(format!("parameter `{name}` could not be derived from the data; queries that need it fail. Set it in [parameters] of misura.toml"));
        }
    }

    // The typed parameters the analyses read, resolved once after the data-derived ones.
    let run = RunParams::resolve(&settings.parameters)?;

    // What a reader of the figures must know: the report's "Read with care" and the
    // manifest's warnings (logged with them when the run ends).
    let mut notes: Vec<String> = derived;

    stages.start();
    attempt.stage = "kpis";
    let catalogue = crate::kpi::catalogue::Catalogue::load(&settings.use_cases)?;
    // On a cluster, the KPI SQL runs there on a shared copy of the validated tables; the
    // models after it read the staging views locally.
    let cluster = match &opts.cluster {
        Some(c) => {
            let share = c
                .share_dir
                .clone()
                .unwrap_or_else(|| opts.out.join(".cluster"))
                .join(format!("{}-{}", opts.as_of, std::process::id()));
            let ctx = crate::cluster::connect(&c.url).await?;
            let shared = crate::cluster::share::share(&catalog.ctx, &ctx, &share).await?;
            info!(stage = "kpis", cluster = %c.url, share = %shared.dir().display(), "KPI SQL runs on the cluster");
            crate::kpi::run::register_staging(&catalog.ctx, &queries, &settings.parameters).await?;
            Some((ctx, shared))
        }
        None => None,
    };
    let watch = opts
        .cluster
        .as_ref()
        .map(|c| (c.query_timeout, crate::cluster::ExecutorWatch::new(&c.url)));
    let remote = watch.as_ref().map(|(timeout, w)| crate::kpi::run::Remote {
        timeout: *timeout,
        executors: w,
    });
    let mut kpis = crate::kpi::run_all(
        cluster.as_ref().map_or(&catalog.ctx, |(ctx, _)| ctx),
        &queries,
        &settings.parameters,
        &catalog.present,
        &catalogue,
        remote.as_ref(),
    )
    .await?;
    notes.extend(kpis.notes.iter().cloned());
    for (uc, ms) in &kpis.timings_ms {
        info!(stage = "kpis", use_case = %uc, duration_ms = *ms, "use case computed");
        let peak = kpis.peaks_mb.iter().find(|(u, _)| u == uc).map(|(_, p)| *p);
        stages.record(format!("kpis.{uc}"), *ms, peak);
    }
    for f in &kpis.failures {
        error!(stage = "kpis", use_case = %f.use_case, file = %f.file, "{}", f.error);
    }
    drop(cluster);
    let conversions = run.conversion_table;
    notes.extend(crate::notes::absent_tables(
        &catalog.present,
        &kpis.not_measurable,
        conversions,
    ));
    stages.end("kpis");

    stages.start();
    attempt.stage = "experiments";
    let mut failures = kpis.failures.clone();
    let p = &settings.parameters;
    let has = |t: &str| catalog.present.contains(t);
    // An experiment is read on its arms' conversions: without them it measures nothing.
    let experiments = if has("experiments") && has("experiment_assignments") && has(conversions) {
        let r = crate::experiments::run(&catalog.ctx, &queries, p).await;
        recover(
            r,
            "experiments",
            "queries/models/experiment_arms.sql",
            &mut failures,
        )
    } else {
        None
    };
    for r in experiments.iter().flatten() {
        info!(stage = "experiments", experiment = %r.experiment_id, label = %r.label, "experiment evaluated");
    }
    stages.end("experiments");

    stages.start();
    attempt.stage = "attribution";
    let (attribution, journeys) = if has("touchpoints") && (has("orders") || has("opportunities")) {
        let r = attribute(&catalog, &queries, &run).await;
        recover(
            r,
            "attribution",
            "queries/models/journeys.sql",
            &mut failures,
        )
        .unzip()
    } else {
        (None, None)
    };
    // UC04's attributed revenue and ROAS: the default model again, crediting campaigns (part
    // of the attribution stage's time).
    if let Some(j) = journeys.as_ref().filter(|_| has("campaigns")) {
        let r = crate::roi::uc04::kpis(
            j,
            &run.default_attribution_model,
            &crate::roi::model_params(&run),
            &kpis.values,
        );
        if let Some(mut rows) = recover(r, "UC04", "queries/models/journeys.sql", &mut failures) {
            kpis.values.append(&mut rows);
            crate::kpi::run::sort_values(&mut kpis.values);
        }
    }
    stages.end("attribution");

    stages.start();
    attempt.stage = "perception";
    let perception = if has("survey_responses") {
        let r = crate::perception::run(&catalog.ctx, &queries, &run).await;
        recover(
            r,
            "perception_gap",
            "queries/models/perception_gap.sql",
            &mut failures,
        )
    } else {
        None
    };
    stages.end("perception");

    stages.start();
    attempt.stage = "channel_mix";
    let channel_mix = if has("tickets") {
        let r = crate::channel_mix::run(&catalog.ctx, &queries, &run, &kpis.values).await;
        recover(
            r,
            "channel_mix",
            "queries/models/channel_mix.sql",
            &mut failures,
        )
    } else {
        None
    };
    stages.end("channel_mix");

    stages.start();
    attempt.stage = "maturity";
    let r = crate::maturity::run(
        &catalog.ctx,
        &queries,
        p,
        &catalog.present,
        &kpis.values,
        &settings.maturity_thresholds,
    )
    .await;
    let maturity = recover(
        r,
        "maturity",
        "queries/models/maturity_indicators.sql",
        &mut failures,
    );
    stages.end("maturity");

    stages.start();
    attempt.stage = "clv";
    let clv = if has("orders") {
        let r = crate::clv::run(&catalog.ctx, &queries, &run).await;
        recover(r, "clv", "queries/models/clv_rfm.sql", &mut failures)
    } else {
        None
    };
    if let Some(c) = &clv {
        if let Err(e) = &c.fit {
            warnings.push(format!("CLV: the BG/NBD model could not be fitted: {e}"));
        }
        if let Err(e) = &c.spend {
            warnings.push(format!(
                "CLV: the Gamma-Gamma spend model could not be fitted: {e}"
            ));
        }
        // A fit that stopped before converging still gives estimates: said where they are read.
        let unconverged = [
            c.fit
                .as_ref()
                .ok()
                .filter(|f| !f.converged)
                .map(|f| ("BG/NBD", &f.message)),
            c.spend
                .as_ref()
                .ok()
                .filter(|f| !f.converged)
                .map(|f| ("Gamma-Gamma", &f.message)),
        ];
        for (model, why) in unconverged.into_iter().flatten() {
            notes.push(format!(
                "CLV: the {model} fit did not converge ({why}): customer lifetime values, and the retention value of UC03/UC17 built on them, rest on estimates that may be far from the maximum likelihood"
            ));
        }
        let r = crate::clv::uc18::kpis(c, run.bootstrap_samples, run.seed);
        if let Some(mut rows) = recover(r, "UC18", "queries/models/clv_rfm.sql", &mut failures) {
            kpis.values.append(&mut rows);
            crate::kpi::run::sort_values(&mut kpis.values);
        }
    }
    stages.end("clv");

    stages.start();
    attempt.stage = "roi";
    let r = crate::roi::run(
        &catalog.ctx,
        &queries,
        &run,
        &catalog.present,
        journeys.as_ref(),
        &catalogue,
        clv.as_ref(),
    )
    .await;
    let roi = recover(r, "roi", "queries/models/roi_units.sql", &mut failures);
    for r in roi.iter().flat_map(|roi| &roi.rows) {
        info!(stage = "roi", use_case = %r.use_case, cost = r.cost, value = r.value, evidence = r.evidence.as_deref().unwrap_or("none"), "use case valued");
    }
    notes.extend(
        roi.iter()
            .flat_map(|r| crate::notes::unmeasured_drivers(&r.unmeasured)),
    );
    stages.end("roi");
    faults::pause_point("computed");

    stages.start();
    attempt.stage = "write";
    let staging = atomic::staging_for(&run_dir);
    if staging.exists() {
        std::fs::remove_dir_all(&staging).map_err(|e| Error::io(&staging, e))?;
    }
    let kpi_values = tables::kpi_values_batch(&kpis.values)?;
    let mut outputs =
        writer::write_tables(&staging, &kpi_values, &catalog, opts.pseudonymize.as_ref())?;
    let mut results: Vec<(&str, datafusion::arrow::array::RecordBatch)> = Vec::new();
    if let Some(rows) = &attribution {
        results.push(("attribution", crate::attribution::to_batch(rows)?));
    }
    if let Some(roi) = &roi {
        results.push(("roi", crate::roi::table::roi_batch(&roi.rows)?));
        results.push((
            "roi_drivers",
            crate::roi::table::drivers_batch(&roi.drivers)?,
        ));
    }
    if let Some(c) = &clv {
        results.push(("clv_model", crate::clv::model_batch(c)?));
        results.push(("clv", crate::clv::clv_batch(c)?));
    }
    if let Some(m) = &maturity {
        results.push(("maturity", crate::maturity::to_batch(&m.rows)?));
    }
    if let Some(rows) = &channel_mix {
        results.push(("channel_mix", crate::channel_mix::to_batch(rows)?));
    }
    if let Some(p) = &perception {
        results.push(("perception_gap", crate::perception::gaps_batch(&p.gaps)?));
        results.push(("perception_rank", crate::perception::ranks_batch(&p.ranks)?));
    }
    if let Some(r) = &experiments {
        results.push(("experiments_result", crate::experiments::to_batch(r)?));
    }
    for (name, batch) in &results {
        let batch = match &opts.pseudonymize {
            Some(p) => p.apply_all(batch)?,
            None => batch.clone(),
        };
        outputs.extend(writer::write_table(&staging, name, &batch)?);
    }
    stages.end("write");

    stages.start();
    attempt.stage = "report";
    let p = &settings.parameters;
    let day = |name: &str, back: u64| {
        p.date(name)
            .map(|d| (d - chrono::Days::new(back)).to_string())
            .unwrap_or_default()
    };
    let report = crate::report::page::ReportInput {
        as_of: opts.as_of.to_string(),
        window: (day("window_start", 0), day("window_end", 1)),
        currency: settings.currency.clone(),
        catalogue: &catalogue,
        queries: &queries,
        kpis: &kpis,
        roi: roi.as_ref(),
        attribution: attribution.as_deref(),
        experiments: experiments.as_deref(),
        perception: perception.as_ref(),
        channel_mix: channel_mix.as_deref(),
        maturity: maturity.as_ref(),
        rejected: catalog.reports.iter().map(|r| r.rows_rejected).sum(),
        rows_read: catalog.reports.iter().map(|r| r.rows_read).sum(),
        bootstrap: (run.bootstrap_samples as i64, run.seed as i64),
        default_model: run.default_attribution_model.clone(),
        allocation: run.shared_cost_allocation.clone(),
        failures: &failures,
        demo_data: matches!(settings.data, DataSource::EmbeddedSample),
        notes: &notes,
    };
    // Polars plans on its own threads and must not run inside the async runtime's context.
    let written = std::thread::scope(|s| {
        s.spawn(|| crate::report::write_report(&report, &staging))
            .join()
            .unwrap_or_else(|_| Err(Error::report("report", "the report writer panicked")))
    });
    if let Some(files) = recover(
        written,
        "report",
        "src/report/templates/report.html",
        &mut failures,
    ) {
        outputs.extend(files.into_iter().map(|path| OutputFile { path, rows: 0 }));
    }
    stages.end("report");

    attempt.stage = "publish";
    warnings.extend(notes.iter().cloned());
    let mut manifest = base_manifest(settings, opts, attempt);
    manifest.outputs = outputs;
    manifest.not_measurable = kpis.not_measurable.clone();
    manifest.hidden_use_cases = kpis.hidden.clone();
    manifest.failures = failures;
    manifest.status = if manifest.failures.is_empty() {
        "ok".into()
    } else {
        "failed".into()
    };
    if manifest.status == "ok" {
        // Only a successful run writes its night of the history.
        manifest.outputs.push(OutputFile {
            path: format!("../history/kpi_values/as_of={}/part-0.parquet", opts.as_of),
            rows: kpis.values.len() as u64,
        });
    }
    // A failed run never replaces the day's good folder: it is published beside it.
    let target = if manifest.status == "ok" {
        run_dir
    } else {
        run_dirs::next_failed_folder(&opts.out, opts.as_of)
    };
    writer::write_manifest(&staging, &manifest)?;
    faults::pause_point("written");
    atomic::replace_dir(&staging, &target)?;
    // Published: what fails from here on (history, `latest`, retention) is an error of the
    // run, but its folder stands and no failed attempt is recorded beside it.
    attempt.stage = PUBLISHED;
    if manifest.status == "ok" {
        // The history holds the published successful runs: written after the folder, so a
        // run killed before publishing changes neither.
        history::write_partition(
            &opts.out,
            "kpi_values",
            opts.as_of,
            &tables::kpi_values_schema(),
            std::slice::from_ref(&kpi_values),
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

/// Journeys from the catalog, then every attribution model.
async fn attribute(
    catalog: &Catalog,
    queries: &QuerySet,
    run: &RunParams,
) -> Result<(
    Vec<crate::attribution::AttributionRow>,
    crate::attribution::journeys::Journeys,
)> {
    let journeys = crate::attribution::journeys::load(&catalog.ctx, queries, run.sql()).await?;
    let m = crate::roi::model_params(run);
    let models =
        crate::attribution::models(m.half_life_days, m.markov_order, m.shapley_max_channels)?;
    let refs: Vec<&dyn crate::attribution::Model> = models.iter().map(|m| m.as_ref()).collect();
    let rows = crate::attribution::attribute(&journeys, &refs)?;
    info!(
        stage = "attribution",
        conversions = journeys.converting.len(),
        coverage = journeys.coverage().unwrap_or(0.0),
        "journeys attributed"
    );
    Ok((rows, journeys))
}

/// A stage's result, or `None` with its failure logged and recorded for the manifest: one
/// failing analysis never stops the others (the run then ends with status `failed`).
fn recover<T>(
    result: Result<T>,
    stage: &str,
    file: &str,
    failures: &mut Vec<crate::kpi::run::QueryFailure>,
) -> Option<T> {
    match result {
        Ok(x) => Some(x),
        Err(e) => {
            error!(stage, "{e}");
            failures.push(crate::kpi::run::QueryFailure {
                use_case: stage.into(),
                file: file.into(),
                error: e.to_string(),
            });
            None
        }
    }
}

/// The manifest of `run_dir` when it records a successful run with `fingerprint`.
fn up_to_date(run_dir: &Path, fingerprint: &str) -> Option<Manifest> {
    let text = std::fs::read_to_string(run_dir.join("manifest.json")).ok()?;
    let m: Manifest = serde_json::from_str(&text).ok()?;
    (m.status == "ok" && m.fingerprint == fingerprint).then_some(m)
}

/// The manifest of a run from what it gathered: settings, inputs read, stages timed and
/// warnings; outputs, failures and what could not be measured are filled in by the caller.
fn base_manifest(settings: &Settings, opts: &RunOptions, attempt: &Attempt) -> Manifest {
    let p = &settings.parameters;
    let day = |name: &str| p.date(name).map(|d| d.to_string()).unwrap_or_default();
    let secs = |t: chrono::DateTime<Utc>| t.to_rfc3339_opts(chrono::SecondsFormat::Secs, true);
    Manifest {
        misura_version: env!("CARGO_PKG_VERSION").to_string(),
        status: "failed".into(),
        error: None,
        as_of: opts.as_of.to_string(),
        fingerprint: attempt.fingerprint.clone(),
        started_at: secs(attempt.started_at),
        finished_at: secs(Utc::now()),
        duration_ms: attempt.clock.elapsed().as_secs_f64() * 1e3,
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
        window: (day("window_start"), day("window_end")),
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
        rejected: attempt
            .inputs
            .iter()
            .map(|r| (r.table.to_string(), r.rows_rejected))
            .collect(),
        inputs: reports_by_table(&attempt.inputs)
            .into_values()
            .cloned()
            .collect(),
        outputs: Vec::new(),
        not_measurable: Vec::new(),
        hidden_use_cases: Vec::new(),
        failures: Vec::new(),
        timings_ms: attempt.stages.timings_ms.clone(),
        peak_rss_mb: attempt.stages.peak_rss_mb.clone(),
        warnings: attempt.warnings.clone(),
    }
}
