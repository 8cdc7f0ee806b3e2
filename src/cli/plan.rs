//! `misura plan`: how many contacts, and how many weeks, a two-arm holdout test needs
//! (docs/spec/experiments.md, planning). A conversion test from `--baseline` and `--mde`
//! (absolute), a test of a mean with `--sd` as well.

use crate::error::{Error, Result};
use crate::stats::power::{self, Design};
use clap::{Args, ValueEnum};
use serde::Serialize;

/// Output format.
#[derive(Debug, Clone, Copy, ValueEnum)]
pub(crate) enum Format {
    /// One JSON document.
    Json,
    /// Aligned text.
    Table,
}

/// Arguments of `misura plan`.
#[derive(Debug, Args)]
pub(crate) struct PlanArgs {
    /// Control group's rate as a fraction (conversion test), e.g. 0.12; with --sd: the
    /// control group's mean (shown only)
    #[arg(long, value_name = "P", allow_negative_numbers = true)]
    baseline: f64,
    /// Smallest lift worth detecting, absolute: 0.01 is one point of conversion (or one unit
    /// of the mean with --sd)
    #[arg(long, value_name = "D", allow_negative_numbers = true)]
    mde: f64,
    /// Two-sided significance level
    #[arg(long, default_value_t = 0.05)]
    alpha: f64,
    /// Chance to detect a lift of --mde when it is there
    #[arg(long, default_value_t = 0.8)]
    power: f64,
    /// Control size / treatment size (1: equal arms; 0.111 for a 10 % holdout)
    #[arg(long, value_name = "R", default_value_t = 1.0)]
    ratio: f64,
    /// Standard deviation per contact: plans a test of a mean (e.g. revenue per contact)
    #[arg(long, value_name = "SD")]
    sd: Option<f64>,
    /// Contacts that become eligible per week: the test's length in weeks is shown
    #[arg(long, value_name = "N")]
    eligible_per_week: Option<f64>,
    /// Output format
    #[arg(long, value_enum, default_value = "table")]
    format: Format,
}

/// The plan, as printed.
#[derive(Debug, Serialize)]
struct Plan {
    metric: &'static str,
    baseline: f64,
    mde: f64,
    relative_mde: Option<f64>,
    sd: Option<f64>,
    alpha: f64,
    power: f64,
    ratio: f64,
    n_per_arm: u64,
    n_control: u64,
    n_total: u64,
    eligible_per_week: Option<f64>,
    weeks: Option<u64>,
    formula: &'static str,
}

fn usage(problem: String) -> Error {
    Error::Usage {
        problem: format!("misura plan: {problem}"),
    }
}

/// Runs `misura plan`.
pub(crate) fn execute(args: PlanArgs) -> Result<u8> {
    let plan = plan(&args).map_err(usage)?;
    let text = match args.format {
        Format::Json => serde_json::to_string_pretty(&plan).expect("serialises"),
        Format::Table => table(&plan),
    };
    super::output::line(text)?;
    Ok(0)
}

fn plan(a: &PlanArgs) -> std::result::Result<Plan, String> {
    let design = Design {
        alpha: a.alpha,
        power: a.power,
        ratio: a.ratio,
    };
    design.check()?;
    let (metric, n, formula) = match a.sd {
        None => {
            power::check_proportions(a.baseline, a.mde)?;
            (
                "conversion",
                power::proportions_n(a.baseline, a.mde, design),
                "two-sided pooled two-proportion z-test (Fleiss, Levin & Paik 2003, 4.2, no continuity correction)",
            )
        }
        Some(sd) => {
            if !(sd > 0.0 && sd.is_finite()) {
                return Err(format!(
                    "sd {sd} must be above 0: give the standard deviation of the metric per contact"
                ));
            }
            if !(a.mde > 0.0 && a.mde.is_finite()) {
                return Err(format!(
                    "mde {} must be above 0: give the smallest difference of means worth detecting",
                    a.mde
                ));
            }
            (
                "mean",
                power::means_n(sd, a.mde, design),
                "two-sided two-sample z-test of means: n = (z_a + z_b)^2 sd^2 (1 + 1/R) / mde^2",
            )
        }
    };
    if let Some(e) = a.eligible_per_week
        && !(e > 0.0 && e.is_finite())
    {
        return Err(format!(
            "eligible-per-week {e} must be above 0: the contacts that can enter the test each week"
        ));
    }
    // Round the fraction up, but not a float error above a whole number.
    let up = |x: f64| (x - 1e-9).ceil().max(1.0) as u64;
    let n_per_arm = up(n);
    let n_control = up(n_per_arm as f64 * a.ratio);
    let n_total = n_per_arm + n_control;
    Ok(Plan {
        metric,
        baseline: a.baseline,
        mde: a.mde,
        relative_mde: (a.baseline != 0.0).then(|| a.mde / a.baseline),
        sd: a.sd,
        alpha: a.alpha,
        power: a.power,
        ratio: a.ratio,
        n_per_arm,
        n_control,
        n_total,
        eligible_per_week: a.eligible_per_week,
        weeks: a.eligible_per_week.map(|e| up(n_total as f64 / e)),
        formula,
    })
}

fn table(p: &Plan) -> String {
    let mut rows: Vec<(&str, String)> = vec![
        ("metric", p.metric.to_string()),
        ("baseline", p.baseline.to_string()),
        ("mde (absolute)", p.mde.to_string()),
    ];
    if let Some(r) = p.relative_mde {
        rows.push(("mde (relative)", format!("{:.1} %", r * 100.0)));
    }
    if let Some(sd) = p.sd {
        rows.push(("sd", sd.to_string()));
    }
    rows.extend([
        ("alpha", p.alpha.to_string()),
        ("power", p.power.to_string()),
        ("ratio (control/treatment)", p.ratio.to_string()),
        ("n_per_arm (treatment)", p.n_per_arm.to_string()),
        ("n_control", p.n_control.to_string()),
        ("n_total", p.n_total.to_string()),
    ]);
    if let (Some(e), Some(w)) = (p.eligible_per_week, p.weeks) {
        rows.push(("eligible per week", e.to_string()));
        rows.push(("weeks", w.to_string()));
    }
    rows.push(("formula", p.formula.to_string()));
    let width = rows.iter().map(|r| r.0.len()).max().unwrap_or(0);
    rows.iter()
        .map(|(k, v)| format!("{k:width$}  {v}"))
        .collect::<Vec<_>>()
        .join("\n")
}
