//! `misura impact`: the counterfactual of one series (CausalImpact's BSTS) or one unit of a
//! panel (synthetic control), for analysts' own files.

use crate::analyses::impact::bsts::{self, Options, Series};
use crate::analyses::impact::seasonal::Seasonal;
use crate::analyses::impact::synthetic::{Panel, synthetic_control};
use crate::error::{Error, Result};
use clap::{Args, ValueEnum};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// The model.
#[derive(Debug, Clone, Copy, ValueEnum)]
pub(crate) enum Method {
    /// Bayesian structural time series (R CausalImpact's default model).
    Bsts,
    /// Synthetic control over the other units of a panel.
    SyntheticControl,
}

/// Output format.
#[derive(Debug, Clone, Copy, ValueEnum)]
pub(crate) enum Format {
    /// One JSON document.
    Json,
    /// Aligned text.
    Table,
}

/// Arguments of `misura impact`.
#[derive(Debug, Args)]
pub(crate) struct ImpactArgs {
    /// The model
    #[arg(long, value_enum, default_value = "bsts")]
    method: Method,
    /// CSV with columns t,y[,x1,…] (rows ordered by t; x are covariates the launch did not touch)
    #[arg(long, value_name = "FILE", required_if_eq("method", "bsts"))]
    series: Option<PathBuf>,
    /// CSV with columns unit,t,y (every unit over the same periods)
    #[arg(
        long,
        value_name = "FILE",
        required_if_eq("method", "synthetic-control")
    )]
    panel: Option<PathBuf>,
    /// The unit that got the launch (synthetic control)
    #[arg(
        long,
        value_name = "UNIT",
        required_if_eq("method", "synthetic-control")
    )]
    treated: Option<String>,
    /// The first post-period t, as written in the file
    #[arg(long, value_name = "T")]
    intervention: String,
    /// MCMC iterations (BSTS)
    #[arg(long, default_value_t = 1000)]
    niter: usize,
    /// Seed (BSTS): the same data, options and seed give the same numbers
    #[arg(long, default_value_t = 1)]
    seed: u64,
    /// Prior sd of the level's steps, in sds of y (CausalImpact's prior.level.sd; 0.1 for a
    /// series that wanders)
    #[arg(long, default_value_t = 0.01)]
    prior_level_sd: f64,
    /// Seasons in a cycle of a seasonal component (BSTS; e.g. 7 for a weekly pattern in daily
    /// data); none by default
    #[arg(long, value_name = "N")]
    nseasons: Option<usize>,
    /// Periods each season lasts (with --nseasons)
    #[arg(
        long,
        value_name = "PERIODS",
        default_value_t = 1,
        requires = "nseasons"
    )]
    season_duration: usize,
    /// Output format
    #[arg(long, value_enum, default_value = "table")]
    format: Format,
}

fn usage(problem: String) -> Error {
    Error::Usage { problem }
}

/// Reads `path` as CSV: the header and the rows, every value checked as a number except in
/// the columns `text`.
fn read(path: &Path, text: &[&str]) -> Result<(Vec<String>, Vec<Vec<String>>)> {
    let mut rdr = csv::Reader::from_path(path)
        .map_err(|e| usage(format!("{}: cannot be read: {e}", path.display())))?;
    let header: Vec<String> = rdr
        .headers()
        .map_err(|e| usage(format!("{}: no header: {e}", path.display())))?
        .iter()
        .map(|h| h.trim().to_string())
        .collect();
    let mut rows = Vec::new();
    for (i, r) in rdr.records().enumerate() {
        let r = r.map_err(|e| usage(format!("{}: row {}: {e}", path.display(), i + 2)))?;
        let row: Vec<String> = r.iter().map(|v| v.trim().to_string()).collect();
        for (c, v) in row.iter().enumerate() {
            let name = &header[c];
            if !text.contains(&name.as_str()) && v.parse::<f64>().map_or(true, |x| !x.is_finite()) {
                return Err(usage(format!(
                    "{}: row {}, column {name}: {:?} is not a number{}",
                    path.display(),
                    i + 2,
                    v,
                    if v.is_empty() {
                        " (a missing value: fill it or drop the period)"
                    } else {
                        ""
                    }
                )));
            }
        }
        rows.push(row);
    }
    Ok((header, rows))
}

fn column(header: &[String], name: &str, path: &Path) -> Result<usize> {
    header.iter().position(|h| h == name).ok_or_else(|| {
        usage(format!(
            "{}: no column `{name}` (columns: {})",
            path.display(),
            header.join(", ")
        ))
    })
}

/// t values must increase: integers numerically, anything else (dates) as text.
fn check_increasing(ts: &[String], path: &Path) -> Result<()> {
    for (i, w) in ts.windows(2).enumerate() {
        let ordered = match (w[0].parse::<f64>(), w[1].parse::<f64>()) {
            (Ok(a), Ok(b)) => a < b,
            _ => w[0] < w[1],
        };
        if !ordered {
            return Err(usage(format!(
                "{}: row {}: t {} does not follow {} (rows must be ordered by t, each t once)",
                path.display(),
                i + 3,
                w[1],
                w[0]
            )));
        }
    }
    Ok(())
}

fn intervention_index(ts: &[String], t: &str, path: &Path) -> Result<usize> {
    ts.iter().position(|x| x == t).ok_or_else(|| {
        usage(format!(
            "{}: the intervention t {t} is not in the series (it runs from {} to {})",
            path.display(),
            ts.first().map_or("", String::as_str),
            ts.last().map_or("", String::as_str)
        ))
    })
}

/// Runs `misura impact`.
pub(crate) fn execute(args: ImpactArgs) -> Result<u8> {
    let doc = match args.method {
        Method::Bsts => bsts_of(&args)?,
        Method::SyntheticControl => synthetic_of(&args)?,
    };
    let text = match args.format {
        Format::Json => serde_json::to_string_pretty(&doc).expect("serialises"),
        Format::Table => table(&doc),
    };
    super::output::line(text)?;
    Ok(0)
}

fn bsts_of(args: &ImpactArgs) -> Result<serde_json::Value> {
    let path = args.series.as_deref().expect("required by clap");
    let (header, rows) = read(path, &["t"])?;
    let (t, y) = (column(&header, "t", path)?, column(&header, "y", path)?);
    let covariates: Vec<usize> = (0..header.len()).filter(|&c| c != t && c != y).collect();
    let ts: Vec<String> = rows.iter().map(|r| r[t].clone()).collect();
    check_increasing(&ts, path)?;
    let t0 = intervention_index(&ts, &args.intervention, path)?;
    let num = |c: usize| -> Vec<f64> {
        rows.iter()
            .map(|r| r[c].parse().expect("checked"))
            .collect()
    };
    let series = Series {
        y: num(y),
        x: covariates.iter().map(|&c| num(c)).collect(),
        t0,
    };
    let options = Options {
        niter: args.niter,
        seed: args.seed,
        prior_level_sd: args.prior_level_sd,
        seasonal: args.nseasons.map(|nseasons| Seasonal {
            nseasons,
            duration: args.season_duration,
        }),
    };
    let r = bsts::impact(&series, &options)?;
    let checks = crate::analyses::impact::checks::bsts_checks(&series, &options, &r)?;
    let series_rows: Vec<serde_json::Value> = ts[t0..]
        .iter()
        .zip(&series.y[t0..])
        .zip(&r.predicted)
        .map(|((t, y), (p, lo, hi))| {
            serde_json::json!({"t": t, "actual": y, "counterfactual": p, "lower": lo, "upper": hi, "effect": y - p})
        })
        .collect();
    Ok(serde_json::json!({
        "method": "bsts",
        "verdict": verdict(&checks),
        "checks": checks,
        "pre_period": [ts[0], ts[t0 - 1]],
        "post_period": [ts[t0], ts[ts.len() - 1]],
        "covariates": covariates.iter().map(|&c| header[c].clone()).collect::<Vec<_>>(),
        "niter": args.niter,
        "seed": args.seed,
        "draws_after_burn_in": r.draws,
        "model": match args.nseasons {
            Some(n) => format!("local level + {n} seasons of {} period(s)", args.season_duration),
            None => "CausalImpact's default model".to_string(),
        },
        "point_effect_mean": r.point_effect_mean,
        "ci_lower": r.ci_lower,
        "ci_upper": r.ci_upper,
        "cumulative_effect_total": r.cumulative_effect_total,
        "cumulative_ci_lower": r.cumulative_ci_lower,
        "cumulative_ci_upper": r.cumulative_ci_upper,
        "relative_effect_mean": r.relative_effect_mean,
        "p_value": r.p_value,
        "effects": series_rows,
    }))
}

fn synthetic_of(args: &ImpactArgs) -> Result<serde_json::Value> {
    let path = args.panel.as_deref().expect("required by clap");
    let treated = args.treated.as_deref().expect("required by clap");
    let (header, rows) = read(path, &["unit", "t"])?;
    let (u, t, y) = (
        column(&header, "unit", path)?,
        column(&header, "t", path)?,
        column(&header, "y", path)?,
    );
    let mut by_unit: BTreeMap<&str, Vec<(&str, f64)>> = BTreeMap::new();
    for r in &rows {
        by_unit
            .entry(&r[u])
            .or_default()
            .push((&r[t], r[y].parse().expect("checked")));
    }
    let first = by_unit
        .values()
        .next()
        .ok_or_else(|| usage(format!("{}: no rows", path.display())))?;
    let periods: Vec<String> = first.iter().map(|p| p.0.to_string()).collect();
    check_increasing(&periods, path)?;
    for (unit, series) in &by_unit {
        let ts: Vec<&str> = series.iter().map(|p| p.0).collect();
        if ts != periods.iter().map(String::as_str).collect::<Vec<_>>() {
            return Err(usage(format!(
                "{}: unit {unit} does not cover the same periods, in the same order, as {}",
                path.display(),
                by_unit.keys().next().expect("one unit")
            )));
        }
    }
    let t0 = intervention_index(&periods, &args.intervention, path)?;
    let panel = Panel {
        units: by_unit.keys().map(|k| k.to_string()).collect(),
        periods,
        y: by_unit
            .values()
            .map(|s| s.iter().map(|p| p.1).collect())
            .collect(),
    };
    let sc = synthetic_control(&panel, treated, t0)?;
    let checks = crate::analyses::impact::checks::synthetic_checks(&panel, treated, t0, &sc)?;
    Ok(serde_json::json!({
        "method": "synthetic_control",
        "verdict": verdict(&checks),
        "checks": checks,
        "treated": treated,
        "intervention": args.intervention,
        "weights": sc.weights.iter().cloned().collect::<BTreeMap<String, f64>>(),
        "point_effect_mean": sc.average_effect,
        "pre_rmspe": sc.pre_rmspe,
        "post_rmspe": sc.post_rmspe,
        "pre_mape": sc.pre_mape,
        "placebo_rank": sc.placebo_rank,
        "placebo_units": sc.placebo_units,
        "placebo_p_value": sc.placebo_p_value,
        "effects": sc.effects,
    }))
}

/// `assessable`, or `not assessable` when a check fails (the figures are then no finding).
fn verdict(c: &crate::analyses::impact::checks::Checks) -> &'static str {
    if c.assessable {
        "assessable"
    } else {
        "not assessable"
    }
}

/// The verdict and the caveats, first in the table.
fn verdict_lines(doc: &serde_json::Value) -> String {
    let mut out = format!("verdict: {}\n", doc["verdict"].as_str().unwrap_or_default());
    for c in doc["checks"]["caveats"].as_array().into_iter().flatten() {
        out.push_str(&format!("  - {}\n", c.as_str().unwrap_or_default()));
    }
    out.push('\n');
    out
}

/// The JSON document as aligned text: the summary, then the effect per post period.
fn table(doc: &serde_json::Value) -> String {
    let mut out = verdict_lines(doc);
    let f = |k: &str| {
        doc[k]
            .as_f64()
            .map_or_else(|| "–".into(), |v| format!("{v:.4}"))
    };
    if doc["method"] == "bsts" {
        out.push_str(&format!(
            "BSTS counterfactual ({}), {} draws after burn-in\n\
             average effect      {}  (95 % interval {} to {})\n\
             cumulative effect   {}  (95 % interval {} to {})\n\
             relative effect     {}\n\
             posterior tail-area probability p = {}\n\n",
            doc["model"].as_str().unwrap_or_default(),
            doc["draws_after_burn_in"],
            f("point_effect_mean"),
            f("ci_lower"),
            f("ci_upper"),
            f("cumulative_effect_total"),
            f("cumulative_ci_lower"),
            f("cumulative_ci_upper"),
            f("relative_effect_mean"),
            f("p_value"),
        ));
        out.push_str(&format!(
            "{:>12} {:>12} {:>14} {:>12} {:>12}\n",
            "t", "actual", "counterfactual", "lower", "upper"
        ));
        for e in doc["effects"].as_array().into_iter().flatten() {
            let g = |k: &str| e[k].as_f64().unwrap_or(f64::NAN);
            out.push_str(&format!(
                "{:>12} {:>12.4} {:>14.4} {:>12.4} {:>12.4}\n",
                e["t"].as_str().unwrap_or_default(),
                g("actual"),
                g("counterfactual"),
                g("lower"),
                g("upper")
            ));
        }
    } else {
        out.push_str(&format!(
            "Synthetic control of {}\naverage post-period effect {}\npre-period RMSPE {}  MAPE {}\nplacebo rank {} of {} (p = {})\n\nweights:\n",
            doc["treated"].as_str().unwrap_or_default(),
            f("point_effect_mean"),
            f("pre_rmspe"),
            f("pre_mape"),
            doc["placebo_rank"],
            doc["placebo_units"],
            f("placebo_p_value"),
        ));
        for (unit, w) in doc["weights"].as_object().into_iter().flatten() {
            if w.as_f64().unwrap_or(0.0) >= 0.001 {
                out.push_str(&format!("  {unit:<24} {:.4}\n", w.as_f64().unwrap_or(0.0)));
            }
        }
        out.push_str(&format!(
            "\n{:>12} {:>12} {:>14} {:>12}\n",
            "t", "actual", "counterfactual", "effect"
        ));
        for e in doc["effects"].as_array().into_iter().flatten() {
            let g = |k: &str| e[k].as_f64().unwrap_or(f64::NAN);
            out.push_str(&format!(
                "{:>12} {:>12.4} {:>14.4} {:>12.4}\n",
                e["t"].as_str().unwrap_or_default(),
                g("actual"),
                g("counterfactual"),
                g("effect")
            ));
        }
    }
    out.trim_end().to_string()
}
