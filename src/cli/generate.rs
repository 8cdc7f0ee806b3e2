//! `misura generate`: synthetic data with planted truth.

use crate::error::Result;
use crate::generate::{GenerateOptions, OutFormat, generate};
use clap::Args;
use std::path::PathBuf;
use std::time::Instant;

/// Arguments of `misura generate`.
#[derive(Debug, Args)]
pub(crate) struct GenerateArgs {
    /// Size relative to scale 1.0 (≈ 1 M contacts, 10 M mentions, 5 M touchpoints, 2 M tickets)
    #[arg(long, default_value_t = 0.01)]
    scale: f64,
    /// Seed of every random stream (same seed, same files)
    #[arg(long, default_value_t = 42)]
    seed: u64,
    /// Output directory (created; existing canonical files are overwritten)
    #[arg(long, value_name = "DIR")]
    out: PathBuf,
    /// File format
    #[arg(long, value_enum, default_value = "csv")]
    format: OutFormat,
}

/// Runs `misura generate`.
pub(crate) fn execute(args: GenerateArgs) -> Result<u8> {
    let started = Instant::now();
    let truth = generate(GenerateOptions {
        scale: args.scale,
        seed: args.seed,
        out: args.out.clone(),
        format: args.format,
    })?;
    let rows: u64 = truth.rows.values().sum();
    tracing::info!(
        rows,
        "generated {} tables, {rows} rows in {:.1} s into {} (planted truth: truth.json)",
        truth.rows.len(),
        started.elapsed().as_secs_f64(),
        args.out.display()
    );
    Ok(0)
}
