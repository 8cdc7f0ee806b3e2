//! Loads the KPI SQL: the built-in `queries/` compiled into the binary, plus a project's
//! own `queries/` directory. Staging files (`queries/staging/<view>.sql`) and intermediate
//! files (`queries/intermediate/<view>.sql`, shapes two or more queries share, built on the
//! staging views) become views; every other `<name>.sql` needs a `<name>.toml` sidecar and
//! produces KPI rows.

use crate::arrow_io::{Named, OutputSchema};
use crate::error::{Error, Result};
use crate::kpi::sidecar::{QueryMeta, UNITS};
use crate::model::tables;
use include_dir::{Dir, include_dir};
use std::path::Path;

static BUILTIN: Dir<'static> = include_dir!("$CARGO_MANIFEST_DIR/queries");

/// A staging or intermediate view (or a model query): a SELECT registered under the file's
/// name.
#[derive(Debug, Clone)]
pub struct StagingQuery {
    /// View name (file stem).
    pub name: String,
    /// Where it came from, for messages.
    pub file: String,
    /// The SQL template.
    pub sql: String,
}

/// A model query (`models/<name>.sql`) with its output schema (`models/<name>.toml`).
#[derive(Debug, Clone)]
pub struct ModelQuery {
    /// The query (name = file stem).
    pub query: StagingQuery,
    /// The columns it returns, checked on every run.
    pub output: OutputSchema,
}

/// The output of a model query, checked against its declared schema and read by name.
#[derive(Debug, Clone)]
pub struct ModelOutput {
    /// The model query's file, named in errors.
    pub file: String,
    /// Its batches.
    pub batches: Vec<datafusion::arrow::array::RecordBatch>,
}

impl ModelOutput {
    /// The batches, read by column name.
    pub fn iter(&self) -> impl Iterator<Item = Named<'_>> {
        self.batches.iter().map(|b| Named::new(b, &self.file))
    }
}

/// A use-case query with its sidecar.
#[derive(Debug, Clone)]
pub struct KpiQuery {
    /// Where it came from, for messages.
    pub file: String,
    /// The SQL template.
    pub sql: String,
    /// Metadata.
    pub meta: QueryMeta,
}

/// All queries of a run.
#[derive(Debug, Clone, Default)]
pub struct QuerySet {
    /// Staging views, in registration order.
    pub staging: Vec<StagingQuery>,
    /// Cluster forms of staging views (`staging/cluster/<view>.sql`), used instead of the
    /// view of the same name when the KPI SQL runs on a Ballista cluster.
    pub cluster_staging: Vec<StagingQuery>,
    /// Intermediate views (`intermediate/<view>.sql`), registered after the staging views.
    pub intermediate: Vec<StagingQuery>,
    /// Use-case queries, in file order.
    pub kpis: Vec<KpiQuery>,
    /// Model queries (`models/<name>.sql`): inputs of the statistics, not KPIs.
    pub models: Vec<ModelQuery>,
}

impl QuerySet {
    /// The model query called `name`.
    pub fn model(&self, name: &str) -> Option<&ModelQuery> {
        self.models.iter().find(|m| m.query.name == name)
    }

    /// Renders and runs the model query `name` in `ctx`; its output is checked against the
    /// schema its sidecar declares (names and kinds of the columns).
    pub async fn run_model(
        &self,
        ctx: &datafusion::prelude::SessionContext,
        params: &crate::config::params::Parameters,
        name: &str,
    ) -> Result<ModelOutput> {
        let m = self.model(name).ok_or_else(|| Error::QueryDefinition {
            file: format!("queries/models/{name}.sql"),
            problem: "missing".into(),
        })?;
        let q = &m.query;
        let sql = crate::kpi::template::render(&q.sql, params, &q.file)?;
        let fail = |e| Error::Query {
            file: q.file.clone(),
            source: Box::new(e),
        };
        let planned = crate::engine::shared_ctes::plan(ctx, &sql, name)
            .await
            .map_err(fail)?;
        let schema = planned.df.schema().as_arrow().clone();
        let result = planned.df.clone().collect().await.map_err(fail);
        planned.release(ctx).map_err(fail)?;
        let batches = result?;
        m.output.check(&schema, &q.file)?;
        Ok(ModelOutput {
            file: q.file.clone(),
            batches,
        })
    }
}

fn check_meta(meta: &QueryMeta, sql: &str, file: &str) -> Result<()> {
    let bad = |problem: String| Error::QueryDefinition {
        file: file.to_string(),
        problem,
    };
    if let Some(declared) = &meta.parameters {
        let used = crate::kpi::template::placeholders(sql);
        for u in &used {
            if !declared.contains(u) {
                return Err(bad(format!(
                    "uses {{{{ {u} }}}}, which its sidecar's `parameters` does not declare"
                )));
            }
        }
        for d in declared {
            if !used.contains(d) {
                return Err(bad(format!(
                    "declares parameter `{d}` in its sidecar, but the SQL never uses {{{{ {d} }}}}"
                )));
            }
        }
    }
    for t in meta
        .requires
        .iter()
        .chain(meta.kpis.iter().flat_map(|k| k.requires.iter()))
    {
        if tables::table(t).is_none() {
            return Err(bad(format!(
                "requires unknown table `{t}`{}",
                crate::error::did_you_mean(t, tables::TABLES.iter().map(|t| t.name))
            )));
        }
    }
    for (dimension, kpi) in &meta.breakdown_order {
        let fits = meta
            .kpis
            .iter()
            .any(|k| k.id == *kpi && k.dimension.as_deref() == Some(dimension.as_str()));
        if !fits {
            return Err(bad(format!(
                "breakdown_order sorts the `{dimension}` breakdown by `{kpi}`, which is not one of its KPIs broken down by `{dimension}`"
            )));
        }
    }
    if let Some(i) = meta
        .impact
        .as_ref()
        .filter(|i| i.nseasons.is_some_and(|n| n < 2) || i.season_duration < 1)
    {
        return Err(bad(format!(
            "[impact] nseasons {} and season_duration {}: a seasonal component needs at least 2 seasons of at least 1 period",
            i.nseasons.unwrap_or(0),
            i.season_duration
        )));
    }
    if let Some(i) = meta
        .impact
        .as_ref()
        .filter(|i| i.controls.contains(&i.outcome))
    {
        return Err(bad(format!(
            "[impact] lists its own outcome `{}` among its controls: a control must be a series the launch does not touch",
            i.outcome
        )));
    }
    for k in &meta.kpis {
        if !UNITS.contains(&k.unit.as_str()) {
            return Err(bad(format!(
                "KPI {} has unit `{}`; units: {}",
                k.id,
                k.unit,
                UNITS.join(", ")
            )));
        }
    }
    Ok(())
}

/// Puts `query` in `list`, in place of a query of the same name (a project's file replaces
/// the built-in one).
fn replace_by_name(list: &mut Vec<StagingQuery>, query: StagingQuery) {
    list.retain(|s| s.name != query.name);
    list.push(query);
}

impl QuerySet {
    fn add(&mut self, rel: &Path, shown: &str, sql: String, sidecar: Option<String>) -> Result<()> {
        let stem = rel
            .file_stem()
            .map(|s| s.to_string_lossy().to_string())
            .unwrap_or_default();
        let file = format!("{shown}/{}", rel.display());
        let parent = rel.parent().unwrap_or(Path::new(""));
        if parent.ends_with("staging") {
            // A project's own form of a view replaces it on a cluster too, unless the project
            // also gives a cluster form (a built-in cluster form would hide its change).
            let root = format!("{shown}/");
            self.cluster_staging
                .retain(|c| c.name != stem || c.file.starts_with(&root));
        }
        if parent.ends_with("models") {
            let shown_side = format!("{shown}/{}", rel.with_extension("toml").display());
            let Some(text) = sidecar else {
                return Err(Error::QueryDefinition {
                    file,
                    problem: format!(
                        "no output schema: add {stem}.toml beside it, declaring the columns it returns (see queries/README.md)"
                    ),
                });
            };
            let output: OutputSchema =
                toml::from_str(&text).map_err(|e| Error::QueryDefinition {
                    file: shown_side,
                    problem: e.to_string(),
                })?;
            self.models.retain(|m| m.query.name != stem);
            self.models.push(ModelQuery {
                query: StagingQuery {
                    name: stem,
                    file,
                    sql,
                },
                output,
            });
            return Ok(());
        }
        let list = if parent.ends_with("staging/cluster") {
            // The form of a staging view on a Ballista cluster, where a query shape of the
            // local form gives wrong rows (queries/README.md).
            Some(&mut self.cluster_staging)
        } else if parent.ends_with("staging") {
            Some(&mut self.staging)
        } else if parent.ends_with("intermediate") {
            Some(&mut self.intermediate)
        } else {
            None
        };
        if let Some(list) = list {
            replace_by_name(
                list,
                StagingQuery {
                    name: stem,
                    file,
                    sql,
                },
            );
            return Ok(());
        }
        let Some(text) = sidecar else {
            return Err(Error::QueryDefinition {
                file,
                problem: format!(
                    "no metadata sidecar: add {stem}.toml beside it (see queries/README.md)"
                ),
            });
        };
        let meta: QueryMeta = toml::from_str(&text).map_err(|e| Error::QueryDefinition {
            file: format!("{shown}/{}", rel.with_extension("toml").display()),
            problem: e.to_string(),
        })?;
        check_meta(&meta, &sql, &file)?;
        self.kpis.push(KpiQuery { file, sql, meta });
        Ok(())
    }

    /// The built-in queries.
    pub fn builtin() -> Result<Self> {
        let mut set = QuerySet::default();
        let mut files: Vec<&include_dir::File> = Vec::new();
        collect(&BUILTIN, &mut files);
        files.sort_by_key(|f| f.path().to_path_buf());
        for f in files
            .iter()
            .filter(|f| f.path().extension().is_some_and(|e| e == "sql"))
        {
            let sidecar = BUILTIN
                .get_file(f.path().with_extension("toml"))
                .and_then(|s| s.contents_utf8())
                .map(str::to_string);
            let sql = f.contents_utf8().unwrap_or_default().to_string();
            set.add(f.path(), "queries", sql, sidecar)?;
        }
        Ok(set)
    }

    /// Adds (or, for the same staging, intermediate or model name, replaces) the queries of a
    /// project directory.
    pub fn add_dir(&mut self, dir: &Path) -> Result<()> {
        let mut paths = Vec::new();
        walk(dir, &mut paths)?;
        paths.sort();
        for path in paths
            .iter()
            .filter(|p| p.extension().is_some_and(|e| e == "sql"))
        {
            let sql = std::fs::read_to_string(path).map_err(|e| Error::io(path, e))?;
            let side = path.with_extension("toml");
            let sidecar = if side.is_file() {
                Some(std::fs::read_to_string(&side).map_err(|e| Error::io(&side, e))?)
            } else {
                None
            };
            let rel = path.strip_prefix(dir).unwrap_or(path);
            self.add(rel, &dir.display().to_string(), sql, sidecar)?;
        }
        Ok(())
    }
}

fn collect<'a>(dir: &'a Dir<'a>, out: &mut Vec<&'a include_dir::File<'a>>) {
    out.extend(dir.files());
    for d in dir.dirs() {
        collect(d, out);
    }
}

fn walk(dir: &Path, out: &mut Vec<std::path::PathBuf>) -> Result<()> {
    for entry in std::fs::read_dir(dir).map_err(|e| Error::io(dir, e))? {
        let path = entry.map_err(|e| Error::io(dir, e))?.path();
        if path.is_dir() {
            walk(&path, out)?;
        } else {
            out.push(path);
        }
    }
    Ok(())
}
