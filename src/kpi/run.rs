//! Runs the KPI queries: registers the staging views, runs each use case whose tables are
//! present, checks the rows against the sidecar (declared ids, ranges, uniqueness) and
//! collects them as `kpi_values`. One failing use case never stops the others.

use crate::config::params::Parameters;
use crate::engine::shared_ctes;
use crate::error::{Error, Result};
use crate::kpi::load::{KpiQuery, QuerySet};
use crate::kpi::template;
use crate::kpi::use_cases::UseCases;
use datafusion::arrow::array::{Array, AsArray, RecordBatch};
use datafusion::arrow::datatypes::{Float64Type, Int64Type};
use datafusion::prelude::{DataFrame, SessionContext};
use serde::Serialize;
use std::collections::BTreeMap;
use std::collections::{BTreeSet, HashSet};
use std::time::Instant;

/// One row of the `kpi_values` table (docs/spec/kpis.md, output contract).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct KpiValue {
    /// `UC01`..`UC18` or `5M`.
    pub use_case: String,
    /// KPI id.
    pub kpi: String,
    /// `all` or `YYYY-MM`.
    pub period: String,
    /// Breakdown column or null.
    pub dimension: Option<String>,
    /// Breakdown value or null.
    pub dimension_value: Option<String>,
    /// Null when undefined (empty denominator).
    pub value: Option<f64>,
    /// Unit.
    pub unit: String,
    /// Rows the value rests on.
    pub n: i64,
    /// 95 % interval, low end.
    pub ci_low: Option<f64>,
    /// 95 % interval, high end.
    pub ci_high: Option<f64>,
}

/// A use case (or one of its KPIs) the data cannot measure.
#[derive(Debug, Clone, Serialize, serde::Deserialize)]
pub struct NotMeasurable {
    /// Use case.
    pub use_case: String,
    /// The KPI, when only some KPIs are affected.
    pub kpi: Option<String>,
    /// Absent tables it needs.
    pub needs: Vec<String>,
}

/// A query that failed.
#[derive(Debug, Clone, Serialize, serde::Deserialize)]
pub struct QueryFailure {
    /// Use case (or `staging`, `intermediate`).
    pub use_case: String,
    /// The query file.
    pub file: String,
    /// What went wrong.
    pub error: String,
}

/// Everything the KPI step produced.
#[derive(Debug, Clone, Default, Serialize)]
pub struct KpiOutcome {
    /// The values, sorted by use case, KPI, period (`all` first), dimension.
    pub values: Vec<KpiValue>,
    /// What could not be measured, and why.
    pub not_measurable: Vec<NotMeasurable>,
    /// Queries that failed.
    pub failures: Vec<QueryFailure>,
    /// Use cases the project hides.
    pub hidden: Vec<String>,
    /// (use case, milliseconds) per query.
    pub timings_ms: Vec<(String, f64)>,
    /// (use case, peak resident memory of the process in MiB) per query, where known.
    pub peaks_mb: Vec<(String, f64)>,
    /// What a reader must know about how the values were computed (a query run again after
    /// a cluster lost an executor).
    pub notes: Vec<String>,
}

/// What the KPI step knows of a cluster it runs on: how long a query may take, and how many
/// executors the scheduler counts as alive.
pub struct Remote<'a> {
    /// The longest one use case's query may take.
    pub timeout: std::time::Duration,
    /// Executors alive now; `None` when the scheduler does not say.
    pub executors: &'a (dyn Executors + 'a),
}

/// Asks a cluster's scheduler how many executors are alive.
#[async_trait::async_trait]
pub trait Executors: Send + Sync {
    /// Executors the scheduler counts as alive, or `None` when it cannot tell.
    async fn alive(&self) -> Option<usize>;
}

/// How often a use case is run again when executors were lost while it ran.
const RERUNS_AFTER_LOSS: usize = 2;

/// A use case's query on a cluster. Ballista re-runs the tasks of a lost executor and
/// recomputes the shuffle output it held; misura does not take that partial re-run on trust
/// (the same planner returned doubled rows for one query shape, `queries/README.md`): an
/// answer computed while the number of alive executors fell is discarded and the query runs
/// again on the executors left, and the run's notes say so. Bounded: each attempt by
/// `remote.timeout`, at most [`RERUNS_AFTER_LOSS`] reruns.
async fn run_remote(
    ctx: &SessionContext,
    q: &KpiQuery,
    params: &Parameters,
    present: &BTreeSet<&'static str>,
    out: &mut KpiOutcome,
    remote: &Remote<'_>,
    timed_out: &mut bool,
) -> Result<Vec<KpiValue>> {
    let mut attempt = 0;
    loop {
        let before = remote.executors.alive().await;
        let mark = out.not_measurable.len();
        let result = tokio::time::timeout(
            remote.timeout,
            run_one(ctx, q, params, present, out, false),
        )
        .await
        .unwrap_or_else(|_| {
            *timed_out = true;
            Err(Error::QueryDefinition {
                file: q.file.clone(),
                problem: format!(
                    "the query did not finish within {} s on the cluster (--cluster-query-timeout): an executor was probably lost and its work could not be re-run; the scheduler's log names it. Check the `misura cluster executor` processes and rerun",
                    remote.timeout.as_secs()
                ),
            })
        });
        let after = remote.executors.alive().await;
        let lost = matches!((before, after), (Some(b), Some(a)) if a < b);
        if !lost || *timed_out {
            return result;
        }
        let (b, a) = (before.unwrap_or_default(), after.unwrap_or_default());
        if attempt == RERUNS_AFTER_LOSS || a == 0 {
            return Err(Error::QueryDefinition {
                file: q.file.clone(),
                problem: format!(
                    "executors were lost while the query ran ({b} alive before, {a} after), {} time(s): its answer cannot be trusted and is not used. Check the `misura cluster executor` processes (the scheduler's log names the lost ones) and rerun",
                    attempt + 1
                ),
            });
        }
        out.not_measurable.truncate(mark);
        let note = format!(
            "an executor of the cluster was lost while {} ran ({b} alive before, {a} after): its answer was discarded and the query ran again on the executors left",
            q.meta.use_case
        );
        tracing::warn!(stage = "kpis", use_case = %q.meta.use_case, "{note}");
        out.notes.push(note);
        attempt += 1;
    }
}

/// The row of `kpi` for `period` and breakdown value `dimension_value` (`None`: the total).
pub fn find<'a>(
    values: &'a [KpiValue],
    kpi: &str,
    period: &str,
    dimension_value: Option<&str>,
) -> Option<&'a KpiValue> {
    values.iter().find(|v| {
        v.kpi == kpi && v.period == period && v.dimension_value.as_deref() == dimension_value
    })
}

/// Sorts values by use case, KPI, period (`all` first), dimension.
pub(crate) fn sort_values(values: &mut [KpiValue]) {
    values.sort_by_key(sort_key);
}

fn sort_key(v: &KpiValue) -> (String, String, bool, String, Option<String>, Option<String>) {
    (
        v.use_case.clone(),
        v.kpi.clone(),
        v.period != "all",
        v.period.clone(),
        v.dimension.clone(),
        v.dimension_value.clone(),
    )
}

/// Registers the staging views, then the intermediate views built on them (each layer in
/// passes until none is left or a pass makes no progress, so a view may build on another of
/// its layer; the remaining ones are returned with their error).
pub async fn register_staging(
    ctx: &SessionContext,
    queries: &QuerySet,
    params: &Parameters,
) -> Result<Vec<QueryFailure>> {
    let mut failures =
        register_views(ctx, queries.staging.iter().collect(), params, "staging").await?;
    failures.extend(register_intermediate(ctx, queries, params).await?);
    Ok(failures)
}

/// [`register_staging`] on a Ballista cluster: a view with a cluster form
/// (`staging/cluster/<view>.sql`) is registered in that form.
pub(crate) async fn register_cluster_staging(
    ctx: &SessionContext,
    queries: &QuerySet,
    params: &Parameters,
) -> Result<Vec<QueryFailure>> {
    let views = queries
        .staging
        .iter()
        .map(|s| {
            queries
                .cluster_staging
                .iter()
                .find(|c| c.name == s.name)
                .unwrap_or(s)
        })
        .collect();
    let mut failures = register_views(ctx, views, params, "staging").await?;
    failures.extend(register_intermediate(ctx, queries, params).await?);
    Ok(failures)
}

/// The intermediate views (`intermediate/<view>.sql`), after the staging views they read.
async fn register_intermediate(
    ctx: &SessionContext,
    queries: &QuerySet,
    params: &Parameters,
) -> Result<Vec<QueryFailure>> {
    register_views(
        ctx,
        queries.intermediate.iter().collect(),
        params,
        "intermediate",
    )
    .await
}

async fn register_views(
    ctx: &SessionContext,
    views: Vec<&crate::kpi::load::StagingQuery>,
    params: &Parameters,
    layer: &str,
) -> Result<Vec<QueryFailure>> {
    let mut failures = Vec::new();
    let mut pending = views;
    while !pending.is_empty() {
        let mut failed = Vec::new();
        for s in &pending {
            let sql = template::render(&s.sql, params, &s.file)?;
            let registered = async {
                let df = ctx.sql(&sql).await?;
                ctx.register_table(s.name.as_str(), df.into_view())?;
                Ok::<_, datafusion::error::DataFusionError>(())
            }
            .await;
            if let Err(e) = registered {
                failed.push((*s, e));
            }
        }
        if failed.len() == pending.len() {
            for (s, e) in failed {
                failures.push(QueryFailure {
                    use_case: layer.into(),
                    file: s.file.clone(),
                    error: e.to_string(),
                });
            }
            break;
        }
        pending = failed.into_iter().map(|(s, _)| s).collect();
    }
    Ok(failures)
}

/// Registers staging views and runs every use-case query.
///
/// In process (`remote` is `None`), a CTE a query would compute more than once is computed
/// once and held in memory ([`shared_ctes`]). On a cluster (`remote`), CTEs are inlined, a
/// use case whose query has not finished within its timeout fails (with that said) instead
/// of waiting, and one that ran while an executor was lost is run again.
pub async fn run_all(
    ctx: &SessionContext,
    queries: &QuerySet,
    params: &Parameters,
    present: &BTreeSet<&'static str>,
    catalogue: &UseCases,
    remote: Option<&Remote<'_>>,
) -> Result<KpiOutcome> {
    let staged = match remote {
        None => register_staging(ctx, queries, params).await?,
        Some(_) => register_cluster_staging(ctx, queries, params).await?,
    };
    let mut out = KpiOutcome {
        failures: staged,
        ..Default::default()
    };
    let mut seen_ids: HashSet<String> = HashSet::new();
    let mut unresponsive: Option<String> = None;
    let progress =
        crate::progress::Progress::start("KPI queries", queries.kpis.len() as u64, "queries");
    for q in &queries.kpis {
        // Counted as it starts: the bar reads "the n-th of the queries is running".
        progress.done(q.meta.use_case.clone());
        for k in &q.meta.kpis {
            if !seen_ids.insert(k.id.clone()) {
                return Err(Error::QueryDefinition {
                    file: q.file.clone(),
                    problem: format!("KPI id {} is declared twice", k.id),
                });
            }
        }
        if catalogue
            .use_case(&q.meta.use_case)
            .is_some_and(|u| u.hidden)
        {
            if !out.hidden.contains(&q.meta.use_case) {
                out.hidden.push(q.meta.use_case.clone());
            }
            continue;
        }
        let missing: Vec<String> = q
            .meta
            .requires
            .iter()
            .filter(|t| !present.contains(t.as_str()))
            .cloned()
            .collect();
        if !missing.is_empty() {
            out.not_measurable.push(NotMeasurable {
                use_case: q.meta.use_case.clone(),
                kpi: None,
                needs: missing,
            });
            continue;
        }
        let started = Instant::now();
        crate::engine::memory::reset_peak();
        let result = match (remote, &unresponsive) {
            (None, _) => run_one(ctx, q, params, present, &mut out, true).await,
            // After one query timed out, the others would wait as long: they fail at once.
            (Some(r), Some(first)) => Err(Error::QueryDefinition {
                file: q.file.clone(),
                problem: format!(
                    "not run: the cluster did not answer {first} within {} s, so the use cases after it were not sent",
                    r.timeout.as_secs()
                ),
            }),
            (Some(r), None) => {
                let mut timed_out = false;
                let result = run_remote(ctx, q, params, present, &mut out, r, &mut timed_out).await;
                if timed_out {
                    unresponsive = Some(q.meta.use_case.clone());
                }
                result
            }
        };
        match result {
            Ok(mut rows) => out.values.append(&mut rows),
            Err(e) => {
                let error = match e {
                    Error::Query { source, .. } => source.to_string(),
                    Error::QueryDefinition { problem, .. } => problem,
                    other => other.to_string(),
                };
                out.failures.push(QueryFailure {
                    use_case: q.meta.use_case.clone(),
                    file: q.file.clone(),
                    error,
                });
            }
        }
        out.timings_ms.push((
            q.meta.use_case.clone(),
            started.elapsed().as_secs_f64() * 1e3,
        ));
        if let Some(bytes) = crate::engine::memory::peak_rss() {
            out.peaks_mb
                .push((q.meta.use_case.clone(), crate::engine::memory::mib(bytes)));
        }
    }
    out.values.sort_by_key(sort_key);
    Ok(out)
}

async fn run_one(
    ctx: &SessionContext,
    q: &KpiQuery,
    params: &Parameters,
    present: &BTreeSet<&'static str>,
    out: &mut KpiOutcome,
    share_ctes: bool,
) -> Result<Vec<KpiValue>> {
    let sql = template::render(&q.sql, params, &q.file)?;
    let query_err = |e| Error::Query {
        file: q.file.clone(),
        source: Box::new(e),
    };
    let planned = if share_ctes {
        shared_ctes::plan(ctx, &sql, &q.meta.use_case).await
    } else {
        ctx.sql(&sql).await.map(shared_ctes::Planned::inline)
    }
    .map_err(query_err)?;
    let result = evaluate(ctx, q, planned.df.clone(), present, out).await;
    planned.release(ctx).map_err(query_err)?;
    result
}

/// Collects the rows of a planned use-case query as `kpi_values` and checks them.
async fn evaluate(
    ctx: &SessionContext,
    q: &KpiQuery,
    df: DataFrame,
    present: &BTreeSet<&'static str>,
    out: &mut KpiOutcome,
) -> Result<Vec<KpiValue>> {
    let query_err = |e| Error::Query {
        file: q.file.clone(),
        source: Box::new(e),
    };
    let columns: Vec<String> = df
        .schema()
        .fields()
        .iter()
        .map(|f| f.name().clone())
        .collect();
    let has = |c: &str| columns.iter().any(|f| f == c);
    for c in [
        "kpi",
        "period",
        "dimension",
        "dimension_value",
        "value",
        "n",
    ] {
        if !has(c) {
            return Err(Error::QueryDefinition {
                file: q.file.clone(),
                problem: format!(
                    "the query returns no column `{c}`; KPI queries return kpi, period, dimension, dimension_value, value, n (and optionally ci_low, ci_high)"
                ),
            });
        }
    }
    let ci = |c: &str| {
        if has(c) {
            format!("CAST({c} AS DOUBLE)")
        } else {
            "CAST(NULL AS DOUBLE)".into()
        }
    };
    let view = "__kpi_result";
    ctx.register_table(view, df.into_view())
        .map_err(query_err)?;
    let normalised = format!(
        "SELECT CAST(kpi AS VARCHAR) AS kpi, CAST(period AS VARCHAR) AS period, CAST(dimension AS VARCHAR) AS dimension, \
         CAST(dimension_value AS VARCHAR) AS dimension_value, CAST(value AS DOUBLE) AS value, CAST(n AS BIGINT) AS n, \
         {} AS ci_low, {} AS ci_high FROM {view}",
        ci("ci_low"),
        ci("ci_high")
    );
    let result = async { ctx.sql(&normalised).await?.collect().await }.await;
    ctx.deregister_table(view).map_err(query_err)?;
    let batches: Vec<RecordBatch> = result.map_err(query_err)?;

    let mut rows = Vec::new();
    for b in &batches {
        // The normalised SELECT above fixes the names and types of these columns.
        let b = crate::arrow_io::Named::new(b, &q.file);
        let (kpi, period) = (b.text("kpi")?, b.text("period")?);
        let (dim, dimv) = (b.text("dimension")?, b.text("dimension_value")?);
        let value = b.column("value")?.as_primitive::<Float64Type>();
        let n = b.column("n")?.as_primitive::<Int64Type>();
        let lo = b.column("ci_low")?.as_primitive::<Float64Type>();
        let hi = b.column("ci_high")?.as_primitive::<Float64Type>();
        let opt_s = |a: &datafusion::arrow::array::StringArray, i: usize| {
            a.is_valid(i).then(|| a.value(i).to_string())
        };
        let opt_f = |a: &datafusion::arrow::array::Float64Array, i: usize| {
            a.is_valid(i).then(|| a.value(i)).filter(|x| !x.is_nan())
        };
        for i in 0..b.num_rows() {
            let id = kpi.value(i).to_string();
            let Some(meta) = q.meta.kpis.iter().find(|k| k.id == id) else {
                return Err(Error::QueryDefinition {
                    file: q.file.clone(),
                    problem: format!(
                        "the query returns KPI `{id}`, which its sidecar does not declare"
                    ),
                });
            };
            rows.push(KpiValue {
                use_case: q.meta.use_case.clone(),
                kpi: id,
                period: period.value(i).to_string(),
                dimension: opt_s(&dim, i),
                dimension_value: opt_s(&dimv, i),
                value: opt_f(value, i).map(|x| meta.transform.map_or(x, |t| t.apply(x))),
                unit: meta.unit.clone(),
                n: if n.is_valid(i) { n.value(i) } else { 0 },
                ci_low: opt_f(lo, i),
                ci_high: opt_f(hi, i),
            });
        }
    }
    // KPIs whose extra tables are absent are not measurable, not zero.
    for k in &q.meta.kpis {
        let needs: Vec<String> = k
            .requires
            .iter()
            .filter(|t| !present.contains(t.as_str()))
            .cloned()
            .collect();
        if !needs.is_empty() {
            rows.retain(|r| r.kpi != k.id);
            out.not_measurable.push(NotMeasurable {
                use_case: q.meta.use_case.clone(),
                kpi: Some(k.id.clone()),
                needs,
            });
        } else if k.dimension.is_none()
            && k.computed_by.is_none()
            && !rows.iter().any(|r| r.kpi == k.id)
        {
            // A breakdown may be empty (no topic met); a plain KPI always has its 'all' row.
            return Err(Error::QueryDefinition {
                file: q.file.clone(),
                problem: format!("declared KPI {} produced no row", k.id),
            });
        }
    }
    data_tests(q, &rows)?;
    Ok(rows)
}

/// The data tests of KPI rows an engine computed (`computed_by` in the sidecar), by the
/// sidecar that declares them: the same tests as the SQL's rows, before they are merged.
pub(crate) fn check_engine_rows(queries: &QuerySet, rows: &[KpiValue]) -> Result<()> {
    let declaring = |id: &str| {
        queries.kpis.iter().position(|q| {
            q.meta
                .kpis
                .iter()
                .any(|k| k.id == id && k.computed_by.is_some())
        })
    };
    let mut by_query: BTreeMap<usize, Vec<KpiValue>> = BTreeMap::new();
    for r in rows {
        let Some(q) = declaring(&r.kpi) else {
            return Err(Error::QueryDefinition {
                file: format!("queries/ (use case {})", r.use_case),
                problem: format!(
                    "the engine computed KPI `{}`, which no sidecar declares with computed_by",
                    r.kpi
                ),
            });
        };
        by_query.entry(q).or_default().push(r.clone());
    }
    for (q, mine) in &by_query {
        data_tests(&queries.kpis[*q], mine)?;
    }
    Ok(())
}

/// The sidecar's data tests on the output: uniqueness of the grain and value ranges.
fn data_tests(q: &KpiQuery, rows: &[KpiValue]) -> Result<()> {
    let mut grain = HashSet::new();
    for r in rows {
        let key = (&r.kpi, &r.period, &r.dimension, &r.dimension_value);
        if !grain.insert(key) {
            return Err(Error::QueryDefinition {
                file: q.file.clone(),
                problem: format!(
                    "{} has two rows for period {} {:?}={:?}",
                    r.kpi, r.period, r.dimension, r.dimension_value
                ),
            });
        }
        let meta = q
            .meta
            .kpis
            .iter()
            .find(|k| k.id == r.kpi)
            .expect("checked above");
        if r.value.is_none() && meta.requires_value() {
            return Err(Error::QueryDefinition {
                file: q.file.clone(),
                problem: format!(
                    "data test failed: {} is null for period {} {:?}={:?}, but the KPI is never null",
                    r.kpi, r.period, r.dimension, r.dimension_value
                ),
            });
        }
        let (lo, hi) = meta.range();
        if let Some(v) = r.value
            && !(lo..=hi).contains(&v)
        {
            return Err(Error::QueryDefinition {
                file: q.file.clone(),
                problem: format!(
                    "data test failed: {} = {v} for period {} is outside [{lo}, {hi}]",
                    r.kpi, r.period
                ),
            });
        }
        if r.n < 0 {
            return Err(Error::QueryDefinition {
                file: q.file.clone(),
                problem: format!("data test failed: {} has n = {} < 0", r.kpi, r.n),
            });
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::{KpiValue, check_engine_rows};
    use crate::kpi::load::QuerySet;

    fn row(kpi: &str, value: Option<f64>, n: i64) -> KpiValue {
        KpiValue {
            use_case: "UC04".into(),
            kpi: kpi.into(),
            period: "all".into(),
            dimension: None,
            dimension_value: None,
            value,
            unit: "ratio".into(),
            n,
            ci_low: None,
            ci_high: None,
        }
    }

    #[test]
    fn engine_rows_pass_the_data_tests_of_their_sidecar() {
        let q = QuerySet::builtin().unwrap();
        // ROAS is a ratio without upper bound (the sidecar says max = inf).
        check_engine_rows(&q, &[row("uc04.roas", Some(10.8), 3)]).unwrap();
        let negative = check_engine_rows(&q, &[row("uc04.roas", Some(-1.0), 3)])
            .unwrap_err()
            .to_string();
        assert!(
            negative.contains("queries/marketing/uc04") && negative.contains("outside"),
            "{negative}"
        );
        let twice = check_engine_rows(
            &q,
            &[
                row("uc04.roas", Some(1.0), 1),
                row("uc04.roas", Some(2.0), 1),
            ],
        )
        .unwrap_err()
        .to_string();
        assert!(twice.contains("two rows"), "{twice}");
        // A KPI the SQL computes cannot come from an engine, nor one no sidecar declares.
        for id in ["uc04.cost", "uc04.unknown"] {
            let e = check_engine_rows(&q, &[row(id, Some(1.0), 1)])
                .unwrap_err()
                .to_string();
            assert!(e.contains("no sidecar declares with computed_by"), "{e}");
        }
    }
}
