//! What an analyst can query: one DataFusion session holding, for a data directory, the
//! canonical tables (validated exactly as `misura run` reads them), the staging and
//! intermediate views, one view per use case (its KPI query: `kpi, period, dimension,
//! dimension_value, value, n`) and, with a run folder, that run's output tables (`kpi_values`,
//! `attribution`, `roi`, …). Every object carries a description, and canonical columns their
//! documented meaning, for `\d` and `\dt`.

use crate::config::Settings;
use crate::error::{Error, Result};
use crate::kpi::load::QuerySet;
use crate::model::tables;
use datafusion::prelude::{ParquetReadOptions, SessionContext};
use std::path::Path;
use std::sync::Arc;

/// What kind of object a name is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Kind {
    /// A canonical input table.
    Table,
    /// A staging view (`queries/staging`).
    Staging,
    /// An intermediate view (`queries/intermediate`): a shape several queries share.
    Intermediate,
    /// A use case's KPI query as a view.
    UseCase,
    /// An output table of a run.
    Output,
}

impl Kind {
    /// The word shown in `\dt`.
    pub fn label(self) -> &'static str {
        match self {
            Kind::Table => "table",
            Kind::Staging => "staging view",
            Kind::Intermediate => "intermediate view",
            Kind::UseCase => "use-case view",
            Kind::Output => "run output",
        }
    }
}

/// One queryable object.
#[derive(Debug, Clone, PartialEq)]
pub struct Object {
    /// Name in SQL.
    pub name: String,
    /// Kind.
    pub kind: Kind,
    /// What it holds.
    pub doc: String,
}

/// The session and its objects.
pub struct SqlSession {
    /// The session (shared by every query of the shell or the server).
    pub ctx: Arc<SessionContext>,
    /// Objects in `\dt` order.
    pub objects: Vec<Object>,
    /// Objects that could not be registered, with the reason.
    pub unavailable: Vec<(String, String)>,
}

/// What each output table of a run holds.
pub(crate) const OUTPUTS: &[(&str, &str)] = &[
    (
        "kpi_values",
        "one row per KPI value: use case, KPI, period, dimension, value, unit, n, interval",
    ),
    (
        "attribution",
        "credit per attribution model, channel and use case",
    ),
    (
        "attribution_recovery",
        "per attribution model: rank agreement with planted effects (generated data), credit error, agreement with the other models, channels zeroed",
    ),
    (
        "experiments_result",
        "holdout experiments: lift, intervals, p-values, CUPED-adjusted lift, always-valid confidence sequence and p-value, sample-ratio check, label",
    ),
    (
        "experiment_plans",
        "per use case whose value rests on evidence weaker than an experiment and per length (4, 8, 12 weeks): the holdout of contacts that would measure it: baseline, eligible contacts per week, detectable lift with and without CUPED, holdout needed for the target lift, value forgone",
    ),
    (
        "impact",
        "per launch and method (bsts, synthetic_control): the effect on its outcome against the counterfactual, interval, p-value, placebo checks, value and verdict",
    ),
    (
        "impact_series",
        "per launch, method and period: actual, counterfactual with its band, cumulative effect",
    ),
    (
        "roi",
        "ROI per use case with 95 % bootstrap interval, payback and evidence class",
    ),
    (
        "roi_drivers",
        "value per use case and driver with its interval and evidence",
    ),
    (
        "roi_by_model",
        "ROI of each attributed use case under every attribution model",
    ),
    (
        "clv_model",
        "BG/NBD and Gamma-Gamma parameters, standard errors, convergence",
    ),
    (
        "clv",
        "per buyer (contact ids only): RFM, P(alive), expected transactions and CLV",
    ),
    (
        "maturity",
        "Social Business maturity rules, indicators and stage per dimension",
    ),
    (
        "channel_mix",
        "contacts, share and cost per channel and period",
    ),
    (
        "perception_gap",
        "customer vs business share per reason and segment, z-test",
    ),
    (
        "perception_rank",
        "Spearman rank correlation of the two orderings per segment",
    ),
];

/// The SQL name of a use case's view: `uc03`, `five_ms` for the 5 M's.
pub(crate) fn use_case_view(use_case: &str) -> String {
    match use_case {
        "5M" => "five_ms".to_string(),
        other => other.to_lowercase(),
    }
}

impl SqlSession {
    /// Loads the data of `settings` (validated; invalid rows follow `on_invalid`), registers
    /// the views, and the output tables of `run` when given.
    pub async fn open(settings: &mut Settings, run: Option<&Path>) -> Result<SqlSession> {
        let catalog = crate::pipeline::load(settings).await?;
        if let Some(e) = catalog.failure(settings.on_invalid) {
            return Err(e);
        }
        let queries = QuerySet::builtin()?;
        let ctx = catalog.ctx;
        let mut objects: Vec<Object> = tables::TABLES
            .iter()
            .map(|t| Object {
                name: t.name.to_string(),
                kind: Kind::Table,
                doc: if catalog.present.contains(t.name) {
                    t.doc.to_string()
                } else {
                    format!("{} (no data: the file is absent)", t.doc)
                },
            })
            .collect();
        let mut unavailable = Vec::new();
        let failed =
            crate::kpi::run::register_staging(&ctx, &queries, &settings.parameters).await?;
        for f in &failed {
            unavailable.push((f.file.clone(), f.error.clone()));
        }
        let views = queries
            .staging
            .iter()
            .map(|s| (s, Kind::Staging))
            .chain(queries.intermediate.iter().map(|s| (s, Kind::Intermediate)));
        for (s, kind) in views {
            if failed.iter().all(|f| f.file != s.file) {
                objects.push(Object {
                    name: s.name.clone(),
                    kind,
                    doc: first_comment(&s.sql),
                });
            }
        }
        for q in &queries.kpis {
            let name = use_case_view(&q.meta.use_case);
            let missing: Vec<&str> = q
                .meta
                .requires
                .iter()
                .map(String::as_str)
                .filter(|t| !catalog.present.contains(t))
                .collect();
            if !missing.is_empty() {
                unavailable.push((name, format!("needs {}", missing.join(", "))));
                continue;
            }
            let sql = crate::kpi::template::render(&q.sql, &settings.parameters, &q.file)?;
            let registered = async {
                let df = ctx.sql(&sql).await?;
                ctx.register_table(name.as_str(), df.into_view())?;
                Ok::<_, datafusion::error::DataFusionError>(())
            }
            .await;
            match registered {
                Ok(()) => objects.push(Object {
                    name: name.clone(),
                    kind: Kind::UseCase,
                    doc: format!(
                        "{} KPIs: {}",
                        q.meta.use_case,
                        q.meta
                            .kpis
                            .iter()
                            .map(|k| k.id.as_str())
                            .collect::<Vec<_>>()
                            .join(", ")
                    ),
                }),
                Err(e) => unavailable.push((name, e.to_string())),
            }
        }
        if let Some(run) = run {
            objects.extend(register_outputs(&ctx, run).await?);
        }
        Ok(SqlSession {
            ctx: Arc::new(ctx),
            objects,
            unavailable,
        })
    }

    /// The object called `name`.
    pub fn object(&self, name: &str) -> Option<&Object> {
        self.objects.iter().find(|o| o.name == name)
    }

    /// Columns of `name`: (column, type, nullable, meaning).
    pub async fn describe(&self, name: &str) -> Result<Vec<(String, String, bool, String)>> {
        let table = self.ctx.table(name).await.map_err(|e| Error::Sql {
            problem: format!(
                "no table or view `{name}`{} ({e})",
                crate::error::did_you_mean(name, self.objects.iter().map(|o| o.name.as_str()))
            ),
        })?;
        let canonical = tables::table(name)
            .filter(|_| self.object(name).is_some_and(|o| o.kind == Kind::Table));
        Ok(table
            .schema()
            .fields()
            .iter()
            .map(|f| {
                let doc = canonical
                    .and_then(|t| t.column(f.name()))
                    .map_or("", |c| c.doc);
                (
                    f.name().clone(),
                    f.data_type().to_string(),
                    f.is_nullable(),
                    doc.to_string(),
                )
            })
            .collect())
    }
}

/// Registers `<run>/tables/<name>.parquet` for every output table present.
async fn register_outputs(ctx: &SessionContext, run: &Path) -> Result<Vec<Object>> {
    let dir = run.join("tables");
    if !dir.is_dir() {
        return Err(Error::Usage {
            problem: format!(
                "{} has no tables/ folder: --run expects a run folder written by `misura run`, e.g. reports/latest",
                run.display()
            ),
        });
    }
    let mut out = Vec::new();
    for (name, doc) in OUTPUTS {
        let file = dir.join(format!("{name}.parquet"));
        if !file.is_file() {
            continue;
        }
        // Held in memory, not read from the folder at query time: the server's catalog must
        // stay the run it loaded even when the folder is replaced by a rerun.
        let path = file.to_string_lossy();
        let loaded = async {
            let df = ctx
                .read_parquet(path.as_ref(), ParquetReadOptions::default())
                .await?;
            let schema = df.schema().inner().clone();
            let batches = df.collect().await?;
            let table = datafusion::datasource::MemTable::try_new(schema, vec![batches])?;
            ctx.register_table(*name, Arc::new(table))?;
            Ok::<_, datafusion::error::DataFusionError>(())
        }
        .await;
        loaded.map_err(|e| Error::engine(format!("loading {}", file.display()), e))?;
        out.push(Object {
            name: name.to_string(),
            kind: Kind::Output,
            doc: doc.to_string(),
        });
    }
    Ok(out)
}

/// The first comment line of a query file (its description).
fn first_comment(sql: &str) -> String {
    sql.lines()
        .find_map(|l| l.trim().strip_prefix("--"))
        .map(|l| l.trim().to_string())
        .unwrap_or_default()
}
