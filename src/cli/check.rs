//! `misura check`: validates the configuration and the data, computes nothing.

use super::common::DataArgs;
use super::output::line;
use crate::error::Result;
use crate::kpi::load::QuerySet;
use crate::kpi::template;
use crate::pipeline;
use clap::Args;
use std::path::PathBuf;

/// Most problems listed per table.
const LIST_PER_TABLE: usize = 50;

/// Arguments of `misura check`.
#[derive(Debug, Args)]
pub(crate) struct CheckArgs {
    #[command(flatten)]
    data: DataArgs,
    /// Extra query directory to check with the built-in queries
    #[arg(long, value_name = "DIR")]
    queries: Option<PathBuf>,
    /// Also write the KPI SQL with this data's parameters filled in, to run it elsewhere
    /// (e.g. DuckDB in the bench runner): DIR/staging/<view>.sql and DIR/kpis/<file>.sql
    #[arg(long, value_name = "DIR")]
    render_sql: Option<PathBuf>,
}

/// Runs `misura check`: 0 when the data is valid, 1 when it has problems.
pub(crate) async fn execute(args: CheckArgs) -> Result<u8> {
    let mut settings = args.data.settings()?;
    let mut queries = QuerySet::builtin()?;
    if let Some(dir) = &args.queries {
        queries.add_dir(dir)?;
    }
    crate::kpi::use_cases::UseCases::load(&queries, &settings.use_cases)?;
    let files = queries
        .staging
        .iter()
        .chain(&queries.intermediate)
        .map(|s| (&s.file, &s.sql))
        .chain(queries.kpis.iter().map(|k| (&k.file, &k.sql)));
    let mut checked = 0;
    for (file, sql) in files {
        template::check_placeholders(sql, file)?;
        checked += 1;
    }
    let catalog = pipeline::load(&mut settings).await?;
    if args.data.show_settings {
        line(settings.render())?;
    }
    if let Some(dir) = &args.render_sql {
        let written = render_sql(&queries, &settings.parameters, dir)?;
        line(format!(
            "rendered {written} query files into {}",
            dir.display()
        ))?;
    }
    line(format!(
        "queries: {checked} files, sidecars and placeholders valid\n"
    ))?;
    line(format!(
        "{:<26} {:>10} {:>10} {:>10}  files",
        "table", "read", "accepted", "invalid"
    ))?;
    for r in &catalog.reports {
        let files = r
            .files
            .iter()
            .map(|f| f.path.as_str())
            .collect::<Vec<_>>()
            .join(", ");
        line(format!(
            "{:<26} {:>10} {:>10} {:>10}  {files}",
            r.table, r.rows_read, r.rows_accepted, r.rows_rejected
        ))?;
    }
    let absent: Vec<&str> = crate::model::tables::TABLES
        .iter()
        .map(|t| t.name)
        .filter(|t| !catalog.present.contains(t))
        .collect();
    if !absent.is_empty() {
        line(format!("absent tables: {}", absent.join(", ")))?;
    }
    for w in &catalog.warnings {
        line(format!("warning: {w}"))?;
    }
    for p in &catalog.problems {
        line(format!(
            "\n{}: {} invalid row(s) of {}",
            p.table, p.invalid_rows, p.rows_read
        ))?;
        for (what, fix) in p.problems.iter().take(LIST_PER_TABLE) {
            line(format!("  {what}\n      fix: {fix}"))?;
        }
        if p.problems.len() > LIST_PER_TABLE {
            line(format!(
                "  ... and {} more",
                p.problems.len() - LIST_PER_TABLE
            ))?;
        }
    }
    if catalog.problems.is_empty() {
        line("\nok: the data is valid")?;
        Ok(0)
    } else {
        line(
            "\nthe data has problems: fix them, or run with --on-invalid reject to set such rows aside",
        )?;
        Ok(1)
    }
}

/// Writes every staging and intermediate view and use-case query, parameters filled in, under
/// `dir`.
fn render_sql(
    queries: &QuerySet,
    params: &crate::config::params::Parameters,
    dir: &std::path::Path,
) -> Result<usize> {
    let stem = |file: &str| {
        std::path::Path::new(file)
            .file_stem()
            .map_or_else(|| file.to_string(), |s| s.to_string_lossy().into_owned())
    };
    let files = queries
        .staging
        .iter()
        .map(|s| ("staging", s.name.clone(), &s.file, &s.sql))
        .chain(
            queries
                .intermediate
                .iter()
                .map(|s| ("intermediate", s.name.clone(), &s.file, &s.sql)),
        )
        .chain(
            queries
                .kpis
                .iter()
                .map(|k| ("kpis", stem(&k.file), &k.file, &k.sql)),
        );
    std::fs::create_dir_all(dir).map_err(|e| crate::error::Error::io(dir, e))?;
    let schema = dir.join("schema.sql");
    std::fs::write(&schema, schema_ddl()).map_err(|e| crate::error::Error::io(&schema, e))?;
    let mut written = 1;
    for (kind, name, file, sql) in files {
        let folder = dir.join(kind);
        std::fs::create_dir_all(&folder).map_err(|e| crate::error::Error::io(&folder, e))?;
        let path = folder.join(format!("{name}.sql"));
        let text = format!("-- {file}\n{}\n", template::render(sql, params, file)?);
        std::fs::write(&path, text).map_err(|e| crate::error::Error::io(&path, e))?;
        written += 1;
    }
    Ok(written)
}

/// `CREATE TABLE` statements of the canonical tables in standard SQL types, so that another
/// engine holds the same columns (absent tables included) as misura's catalog.
fn schema_ddl() -> String {
    use crate::model::schema::ColType;
    let mut out = String::from("-- the canonical tables of misura's data model (datasets/)\n");
    for t in crate::model::tables::TABLES {
        let cols: Vec<String> = t
            .columns
            .iter()
            .map(|c| {
                let ty = match c.ty {
                    ColType::Str | ColType::Enum(_) => "VARCHAR",
                    ColType::Int => "BIGINT",
                    ColType::Float => "DOUBLE",
                    ColType::Bool => "BOOLEAN",
                    ColType::Timestamp => "TIMESTAMP",
                    ColType::Date => "DATE",
                };
                format!("  {} {ty}", c.name)
            })
            .collect();
        out.push_str(&format!(
            "CREATE TABLE {} (\n{}\n);\n",
            t.name,
            cols.join(",\n")
        ));
    }
    out
}
