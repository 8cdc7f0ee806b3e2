//! `misura status`: the runs of an output directory, newest first: outcome, duration, rows,
//! what failed; and whether a run is going on now.

use crate::error::Result;
use crate::ops::retention::run_folders;
use crate::report::writer::read_manifest;
use clap::Args;
use std::path::PathBuf;

/// Arguments of `misura status`.
#[derive(Debug, Args)]
pub struct StatusArgs {
    /// Output root to inspect
    #[arg(
        long,
        env = "MISURA_OUT",
        default_value = "reports",
        value_name = "DIR"
    )]
    out: PathBuf,
    /// How many runs to list
    #[arg(long, default_value_t = 10)]
    last: usize,
}

/// Runs `misura status`: exit 0 when the newest run succeeded, 1 when it failed or none exists.
pub fn execute(args: StatusArgs) -> Result<u8> {
    let lock = std::fs::read_to_string(args.out.join(".misura.lock")).unwrap_or_default();
    if let Ok(pid) = lock.trim().parse::<u32>()
        && std::path::Path::new(&format!("/proc/{pid}")).exists()
    {
        println!("running now: pid {pid}");
    }
    let latest = std::fs::read_link(args.out.join("latest")).ok();
    let runs = run_folders(&args.out);
    if runs.is_empty() {
        println!("no run in {}", args.out.display());
        return Ok(1);
    }
    println!(
        "{:<12} {:<7} {:<21} {:>9} {:>11} {:>9} {:>7}  failed",
        "as_of", "status", "finished_at", "seconds", "rows_read", "rejected", "kpis"
    );
    let mut newest_ok = None;
    for (date, path) in runs.iter().rev().take(args.last) {
        let day = date.to_string();
        let Some(m) = read_manifest(path) else {
            println!("{day:<12} {:<7} (no readable manifest)", "?");
            continue;
        };
        let sum = |key: &str| {
            m["inputs"].as_array().map_or(0, |a| {
                a.iter().map(|i| i[key].as_u64().unwrap_or(0)).sum::<u64>()
            })
        };
        let secs: f64 = ["ingest_and_validate", "kpis", "write"]
            .iter()
            .map(|k| m["timings_ms"][k].as_f64().unwrap_or(0.0))
            .sum::<f64>()
            / 1e3;
        let kpis = m["outputs"]
            .as_array()
            .and_then(|o| o.first())
            .map_or(0, |o| o["rows"].as_u64().unwrap_or(0));
        let failed: Vec<String> = m["failures"]
            .as_array()
            .into_iter()
            .flatten()
            .map(|f| f["use_case"].as_str().unwrap_or("?").to_string())
            .collect();
        let status = m["status"].as_str().unwrap_or("?");
        let mark = if latest.as_deref() == Some(std::path::Path::new(&day)) {
            " <- latest"
        } else {
            ""
        };
        println!(
            "{day:<12} {status:<7} {:<21} {secs:>9.1} {:>11} {:>9} {kpis:>7}  {}{mark}",
            m["finished_at"].as_str().unwrap_or(""),
            sum("rows_read"),
            sum("rows_rejected"),
            failed.join(", ")
        );
        newest_ok.get_or_insert(status == "ok");
    }
    Ok(if newest_ok == Some(true) { 0 } else { 1 })
}
