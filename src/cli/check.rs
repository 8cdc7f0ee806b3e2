//! `misura check`: validates the configuration and the data, computes nothing.

use super::common::DataArgs;
use crate::error::Result;
use crate::pipeline;
use clap::Args;

/// Most problems listed per table.
const LIST_PER_TABLE: usize = 50;

/// Arguments of `misura check`.
#[derive(Debug, Args)]
pub struct CheckArgs {
    #[command(flatten)]
    data: DataArgs,
}

/// Runs `misura check`: 0 when the data is valid, 1 when it has problems.
pub async fn execute(args: CheckArgs) -> Result<u8> {
    let mut settings = args.data.settings()?;
    let catalog = pipeline::load(&mut settings).await?;
    if args.data.show_settings {
        println!("{}", settings.render());
    }
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
