//! Attribution and ROI bootstrap benchmark (issue 4's speed target): on generated data
//! (Parquet, scale `MISURA_BENCH_SCALE`, default 1.0, generated once and cached under the
//! target dir), loads the journeys through DataFusion, then times all seven attribution
//! models and the default model's 1,000-replicate ROI bootstrap, `MISURA_BENCH_REPEAT`
//! times (default 3), and prints min and median of each.
//!
//! `cargo bench --bench attribution` (release profile) or, reusing the dev build,
//! `cargo bench --profile dev --bench attribution`.

mod common;

use common::{env_or, time};
use misura::analyses::attribution::{attribute, models};
use misura::analyses::roi::credited::{Amount, Credited};
use misura::analyses::roi::{Allocation, RoiInput, compute, model_params};
use misura::config::params::{Parameters, Source};
use misura::config::run_params::RunParams;
use misura::kpi::load::QuerySet;
use std::path::PathBuf;
use std::time::Instant;

#[tokio::main]
async fn main() -> misura::Result<()> {
    let scale: f64 = env_or("MISURA_BENCH_SCALE", 1.0);
    let repeat: usize = env_or("MISURA_BENCH_REPEAT", 3).max(1);
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join(format!("bench-data-{scale}"));
    if !dir.join("touchpoints.parquet").exists() {
        let t = Instant::now();
        misura::generate::generate(misura::generate::GenerateOptions {
            scale,
            seed: 42,
            out: dir.clone(),
            format: misura::generate::OutFormat::Parquet,
        })?;
        println!(
            "generated scale {scale} in {:.1} s",
            t.elapsed().as_secs_f64()
        );
    }
    let ctx = misura::catalog::new_session();
    for table in ["orders", "opportunities", "touchpoints", "campaigns"] {
        let path = dir.join(format!("{table}.parquet"));
        ctx.register_parquet(
            table,
            path.to_str().expect("utf-8 path"),
            Default::default(),
        )
        .await
        .map_err(|e| misura::Error::engine("registering bench data", e))?;
    }
    let mut params = Parameters::defaults();
    params.set_raw("window_start", "2025-11-01", Source::Cli, "bench")?;
    params.set_raw("window_end", "2026-11-01", Source::Cli, "bench")?;
    let queries = QuerySet::builtin()?;
    // The staging views the journeys read, each on the one before.
    for name in ["stg_conversions", "stg_window_conversions"] {
        let stg = queries
            .staging
            .iter()
            .find(|s| s.name == name)
            .expect("built-in staging view");
        let sql = misura::kpi::template::render(&stg.sql, &params, &stg.file)?;
        let df = ctx
            .sql(&sql)
            .await
            .map_err(|e| misura::Error::engine(name, e))?;
        ctx.register_table(name, df.into_view())
            .map_err(|e| misura::Error::engine(name, e))?;
    }

    let t = Instant::now();
    let lookback = RunParams::resolve(&params)?.attribution_lookback_days;
    let journeys =
        misura::analyses::attribution::journeys::load(&ctx, &queries, &params, lookback).await?;
    let touches: usize = journeys.converting.iter().map(|j| j.touches.len()).sum();
    let path_touches: usize = journeys.non_converting.iter().map(Vec::len).sum();
    println!(
        "scale {scale}: {} conversions ({touches} touches), {} non-converting paths ({path_touches} touches); journeys loaded in {:.1} s",
        journeys.converting.len(),
        journeys.non_converting.len(),
        t.elapsed().as_secs_f64()
    );

    let run = RunParams::resolve(&params)?;
    let mp = model_params(&run);
    let all = models(mp.half_life_days, mp.markov_order, mp.shapley_max_channels)?;
    for m in &all {
        time(&format!("attribution {}", m.id()), repeat, || {
            attribute(&journeys, &[m.as_ref()]).expect("model runs")
        });
    }
    let model = run.default_attribution_model.clone();
    let samples = run.bootstrap_samples;
    let credited = time(
        &format!("prepare {model} for the bootstrap"),
        repeat,
        || {
            Credited::prepare(&journeys, &model, &mp, Amount::Margin, |t| {
                t.use_case.as_deref()
            })
            .expect("prepares")
        },
    );
    time(
        &format!("ROI bootstrap, {samples} replicates"),
        repeat,
        || {
            let input = RoiInput {
                costs: Default::default(),
                allocation: Allocation::Proportional,
                credited: Some(&credited),
                attribution_coverage: journeys.coverage(),
                units: Default::default(),
                experiments: Vec::new(),
                rescues: Vec::new(),
                counterfactuals: Vec::new(),
                window_days: 365.0,
                samples,
                seed: run.seed,
            };
            compute(&input, |_| None).expect("computes")
        },
    );
    Ok(())
}
