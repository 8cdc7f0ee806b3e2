//! `misura check`: validates the configuration and the data, computes nothing.

use super::common::DataArgs;
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
pub struct CheckArgs {
    #[command(flatten)]
    data: DataArgs,
    /// Extra query directory to check with the built-in queries
    #[arg(long, value_name = "DIR")]
    queries: Option<PathBuf>,
}

/// Runs `misura check`: 0 when the data is valid, 1 when it has problems.
pub async fn execute(args: CheckArgs) -> Result<u8> {
    let mut settings = args.data.settings()?;
    let mut queries = QuerySet::builtin()?;
    if let Some(dir) = &args.queries {
        queries.add_dir(dir)?;
    }
    crate::kpi::catalogue::Catalogue::load(&settings.use_cases)?;
    let files = queries
        .staging
        .iter()
        .map(|s| (&s.file, &s.sql))
        .chain(queries.kpis.iter().map(|k| (&k.file, &k.sql)));
    let mut checked = 0;
    for (file, sql) in files {
        template::check_placeholders(sql, file)?;
        checked += 1;
    }
    let catalog = pipeline::load(&mut settings).await?;
    if args.data.show_settings {
        println!("{}", settings.render());
    }
    println!("queries: {checked} files, sidecars and placeholders valid\n");
    println!(
        "{:<26} {:>10} {:>10} {:>10}  files",
        "table", "read", "accepted", "invalid"
    );
    for r in &catalog.reports {
        let files = r
            .files
            .iter()
            .map(|f| f.path.as_str())
            .collect::<Vec<_>>()
            .join(", ");
        println!(
            "{:<26} {:>10} {:>10} {:>10}  {files}",
            r.table, r.rows_read, r.rows_accepted, r.rows_rejected
        );
    }
    let absent: Vec<&str> = crate::catalog::tables::TABLES
        .iter()
        .map(|t| t.name)
        .filter(|t| !catalog.present.contains(t))
        .collect();
    if !absent.is_empty() {
        println!("absent tables: {}", absent.join(", "));
    }
    for w in &catalog.warnings {
        println!("warning: {w}");
    }
    for p in &catalog.problems {
        println!(
            "\n{}: {} invalid row(s) of {}",
            p.table, p.invalid_rows, p.rows_read
        );
        for (what, fix) in p.problems.iter().take(LIST_PER_TABLE) {
            println!("  {what}\n      fix: {fix}");
        }
        if p.problems.len() > LIST_PER_TABLE {
            println!("  ... and {} more", p.problems.len() - LIST_PER_TABLE);
        }
    }
    if catalog.problems.is_empty() {
        println!("\nok: the data is valid");
        Ok(0)
    } else {
        println!(
            "\nthe data has problems: fix them, or run with --on-invalid reject to set such rows aside"
        );
        Ok(1)
    }
}
