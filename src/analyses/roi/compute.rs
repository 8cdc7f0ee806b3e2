//! ROI per use case from its inputs (docs/spec/attribution-and-roi.md): costs prorated and shared
//! costs allocated, value drivers with their evidence class, ROI, net, payback, and the
//! percentile bootstrap interval (costs fixed; contacts, tickets, threads and ideas resampled
//! with Poisson weights, each driver on its own random stream; units that enter a value alike
//! — tickets with the same saving, comparison contacts that churned — through one Poisson
//! total per group, which has the same distribution as their sum).

use super::credited::Credited;
use super::evidence::{Driver, Evidence};
use super::inputs::{Costs, ExperimentUnits, RescueUnits, UnitValues};
use crate::analyses::impact::evaluate::CounterfactualValue;
use crate::error::{Error, Result};
use crate::stats::bootstrap;
use std::collections::BTreeMap;

/// How shared costs (use_case null) reach the use cases.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Allocation {
    /// In proportion to direct cost.
    Proportional,
    /// Equally across the use cases in the table.
    Equal,
    /// Not allocated: reported on a row of their own.
    None,
}

impl Allocation {
    /// From the parameter `shared_cost_allocation`.
    pub fn parse(s: &str) -> Result<Self> {
        match s {
            "proportional" => Ok(Allocation::Proportional),
            "equal" => Ok(Allocation::Equal),
            "none" => Ok(Allocation::None),
            other => Err(Error::Model {
                model: "roi".into(),
                problem: format!(
                    "shared_cost_allocation `{other}` is not proportional, equal or none"
                ),
            }),
        }
    }
}

/// The use case of the costs no rule allocated.
pub const UNALLOCATED: &str = "(unallocated shared costs)";

/// Everything the ROI is computed from.
pub struct RoiInput<'a> {
    /// Costs prorated to the window.
    pub costs: Costs,
    /// Shared-cost rule.
    pub allocation: Allocation,
    /// The default attribution model over use cases, crediting margin.
    pub credited: Option<&'a Credited>,
    /// Share of conversions with at least one touch.
    pub attribution_coverage: Option<f64>,
    /// (driver, use case) → units: `service_savings` and `innovation` drivers.
    pub units: BTreeMap<(String, String), UnitValues>,
    /// Experiments with both arms.
    pub experiments: Vec<ExperimentUnits>,
    /// Retention comparisons valued with CLV (UC03, UC17).
    pub rescues: Vec<RescueUnits>,
    /// Launches' effects against their counterfactuals (assessable and valued).
    pub counterfactuals: Vec<CounterfactualValue>,
    /// Days of the analysis window.
    pub window_days: f64,
    /// Bootstrap replicates.
    pub samples: usize,
    /// Bootstrap seed.
    pub seed: u64,
}

/// One value driver of one use case (table `roi_drivers`).
#[derive(Debug, Clone, PartialEq)]
pub struct DriverRow {
    /// Use case.
    pub use_case: String,
    /// Where the value comes from.
    pub driver: Driver,
    /// Evidence class (the driver's).
    pub evidence: Evidence,
    /// Value in the window.
    pub value: f64,
    /// 95 % bootstrap interval.
    pub value_ci_low: Option<f64>,
    /// 95 % bootstrap interval.
    pub value_ci_high: Option<f64>,
    /// Units behind the value.
    pub n: u64,
    /// Share of those units whose value rests on data present for them.
    pub coverage: Option<f64>,
    /// Counted in the ROI (false: an attributed margin replaced by an experiment's).
    pub used: bool,
}

/// One row of the `roi` table.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct RoiRow {
    /// Use case.
    pub use_case: String,
    /// Its business objective.
    pub objective: Option<String>,
    /// Direct + allocated shared cost.
    pub cost: f64,
    /// Value of the used drivers; `None` when no driver measured anything.
    pub value: Option<f64>,
    /// value − cost.
    pub net: Option<f64>,
    /// (value − cost) / cost; `None` when the cost is 0 (undefined, never infinite).
    pub roi: Option<f64>,
    /// 95 % percentile bootstrap interval of the ROI.
    pub roi_ci_low: Option<f64>,
    /// 95 % percentile bootstrap interval of the ROI.
    pub roi_ci_high: Option<f64>,
    /// cost / value per month; `None` when the value is not positive.
    pub payback_months: Option<f64>,
    /// Evidence class of the driver with the largest value.
    pub evidence: Option<Evidence>,
    /// Coverage of that driver.
    pub coverage: Option<f64>,
    /// Units behind the value.
    pub n: u64,
}

/// The programme as a whole: every cost (allocated or not) against every measured value.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct RoiTotal {
    /// All costs in the window.
    pub cost: f64,
    /// All measured value.
    pub value: f64,
    /// (value − cost) / cost; `None` when the cost is 0.
    pub roi: Option<f64>,
    /// 95 % percentile bootstrap interval of the ROI.
    pub roi_ci_low: Option<f64>,
    /// 95 % percentile bootstrap interval of the ROI.
    pub roi_ci_high: Option<f64>,
    /// cost / value per month; `None` when the value is not positive.
    pub payback_months: Option<f64>,
    /// Value per evidence class (of the drivers counted), by label.
    pub value_by_evidence: BTreeMap<String, f64>,
}

/// The ROI tables.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Roi {
    /// `roi`, one row per use case (plus unallocated shared costs).
    pub rows: Vec<RoiRow>,
    /// `roi_drivers`, one row per use case and driver.
    pub drivers: Vec<DriverRow>,
    /// The whole programme.
    pub total: RoiTotal,
    /// Drivers left out because nothing behind them rests on data (a unit value that is never
    /// recorded): `(use case, driver, why)`. Counting them as 0 would show a confident −100 %.
    pub unmeasured: Vec<(String, String, String)>,
    /// `roi_by_model`: each attributed use case's ROI under every attribution model.
    pub by_model: Vec<super::by_model::ModelRoi>,
}

enum Source {
    Attributed(usize),
    /// The experiment's incremental margin, CUPED-adjusted when it can be.
    Experiment(usize),
    /// The same without the adjustment (the same contacts, the same draws).
    ExperimentUnadjusted(usize),
    Units(usize),
    Rescue(usize),
    Counterfactual(usize),
}

/// One driver of one use case, before its value is known.
struct Line {
    use_case: String,
    driver: Driver,
    source: Source,
    n: u64,
    coverage: Option<f64>,
    used: bool,
}

fn incremental(t: &[f64], c: &[f64], wt: Option<&[f64]>, wc: Option<&[f64]>) -> f64 {
    let mean = |v: &[f64], w: Option<&[f64]>| match w {
        None => v.iter().sum::<f64>() / v.len() as f64,
        Some(w) => {
            let total: f64 = w.iter().sum();
            v.iter().zip(w).map(|(x, w)| x * w).sum::<f64>() / total
        }
    };
    (mean(t, wt) - mean(c, wc)) * t.len() as f64
}

/// The margins an experiment's value is read on: CUPED's (`adjusted`) or the raw ones.
fn arms<'a>(
    e: &'a ExperimentUnits,
    adjusted: Option<&'a (Vec<f64>, Vec<f64>)>,
) -> (&'a [f64], &'a [f64]) {
    match adjusted {
        Some((t, c)) => (t, c),
        None => (&e.treatment, &e.control),
    }
}

/// Computes the `roi` and `roi_drivers` tables; `objective` names each use case's objective.
pub fn compute(input: &RoiInput, objective: impl Fn(&str) -> Option<String>) -> Result<Roi> {
    let gathered = gather(input);
    let (point, replicates) = evaluate(input, &gathered)?;
    let drivers = &gathered.lines;
    let mut use_cases: Vec<String> = input
        .costs
        .direct
        .keys()
        .cloned()
        .chain(drivers.iter().map(|d| d.use_case.clone()))
        .collect();
    use_cases.sort();
    use_cases.dedup();
    let cost = allocate(&input.costs, input.allocation, &use_cases);
    let months = input.window_days / (365.25 / 12.0);

    let mut out = Roi {
        drivers: driver_rows(drivers, &point, &replicates),
        total: total(drivers, &point, &replicates, &cost, months),
        unmeasured: gathered.unmeasured,
        ..Roi::default()
    };
    for uc in &use_cases {
        let at = Values {
            lines: drivers,
            point: &point,
            replicates: &replicates,
        };
        out.rows
            .push(use_case_row(uc, &at, cost[uc], months, objective(uc)));
    }
    if let Some(&rest) = cost.get(UNALLOCATED) {
        out.rows.push(RoiRow {
            use_case: UNALLOCATED.into(),
            objective: None,
            cost: rest,
            value: None,
            net: None,
            roi: None,
            roi_ci_low: None,
            roi_ci_high: None,
            payback_months: None,
            evidence: None,
            coverage: None,
            n: 0,
        });
    }
    Ok(out)
}

/// The driver lines of the input, with the units and retention comparisons they read, and
/// the drivers left out because nothing behind them was measured.
struct Gathered<'a> {
    lines: Vec<Line>,
    /// Each experiment's CUPED-adjusted margins, when its pre-period margin varies.
    adjusted: Vec<Option<(Vec<f64>, Vec<f64>)>>,
    units: Vec<(&'a (String, String), &'a UnitValues)>,
    rescues: Vec<&'a RescueUnits>,
    unmeasured: Vec<(String, String, String)>,
}

/// Each experiment's incremental margin (counted unless its assignment is broken) and, when
/// CUPED adjusted it, the unadjusted margin beside it.
fn experiment_lines(
    experiments: &[ExperimentUnits],
    adjusted: &[Option<(Vec<f64>, Vec<f64>)>],
) -> Vec<Line> {
    let mut lines = Vec::new();
    for (i, e) in experiments.iter().enumerate() {
        let line = |driver, source, used| Line {
            use_case: e.use_case.clone(),
            driver,
            source,
            n: (e.treatment.len() + e.control.len()) as u64,
            coverage: Some(1.0),
            used,
        };
        lines.push(line(
            Driver::IncrementalMargin,
            Source::Experiment(i),
            !e.broken,
        ));
        if adjusted[i].is_some() {
            lines.push(line(
                Driver::IncrementalMarginUnadjusted,
                Source::ExperimentUnadjusted(i),
                false,
            ));
        }
    }
    lines
}

/// Every driver line of the input, in the order their values and streams are drawn.
fn gather<'a>(input: &'a RoiInput<'_>) -> Gathered<'a> {
    let mut drivers: Vec<Line> = Vec::new();
    // An experiment whose assignment is broken is shown, never counted: the attribution
    // it would replace stays.
    let experimented: Vec<&str> = input
        .experiments
        .iter()
        .filter(|e| !e.broken)
        .map(|e| e.use_case.as_str())
        .collect();
    let adjusted: Vec<Option<(Vec<f64>, Vec<f64>)>> = input
        .experiments
        .iter()
        .map(ExperimentUnits::cuped)
        .collect();
    if let Some(c) = input.credited {
        for (k, uc) in c.keys.iter().enumerate() {
            drivers.push(Line {
                use_case: uc.clone(),
                driver: Driver::AttributedMargin,
                source: Source::Attributed(k),
                n: c.journeys_per_key[k],
                coverage: input.attribution_coverage,
                used: !experimented.contains(&uc.as_str()),
            });
        }
    }
    drivers.extend(experiment_lines(&input.experiments, &adjusted));
    let mut unmeasured = Vec::new();
    // A driver none of whose units rests on present data measures nothing: left out (the
    // use case's value is then "not measured", never a zero of certain width).
    let units: Vec<(&(String, String), &UnitValues)> = input
        .units
        .iter()
        .filter(|((driver, uc), u)| {
            let measured = u.covered > 0;
            if !measured {
                let (name, why) = if driver == "innovation" {
                    (
                        Driver::InnovationValue,
                        "no implemented idea has a realized_value",
                    )
                } else {
                    (
                        Driver::ServiceSavings,
                        "no unit has the channel costs its saving needs",
                    )
                };
                unmeasured.push((
                    uc.clone(),
                    name.as_str().to_string(),
                    format!(
                        "{} unit{}, {why}",
                        u.values.len(),
                        if u.values.len() == 1 { "" } else { "s" }
                    ),
                ));
            }
            measured
        })
        .collect();
    for (i, ((driver, uc), u)) in units.iter().enumerate() {
        let kind = if driver == "innovation" {
            Driver::InnovationValue
        } else {
            Driver::ServiceSavings
        };
        let n = u.values.len() as u64;
        drivers.push(Line {
            use_case: uc.clone(),
            driver: kind,
            source: Source::Units(i),
            n,
            coverage: (n > 0).then(|| u.covered as f64 / n as f64),
            used: true,
        });
    }
    // A retention comparison without a value (no comparison group, no kept contact with a
    // CLV) measures nothing: left out, not counted as 0.
    let rescues: Vec<&RescueUnits> = input
        .rescues
        .iter()
        .filter(|r| {
            let measured = r.value(None, None).is_some();
            if !measured {
                unmeasured.push((
                    r.use_case.clone(),
                    Driver::RetentionValue.as_str().to_string(),
                    "the with/without comparison has no value: a group is empty or no kept contact has a CLV".to_string(),
                ));
            }
            measured
        })
        .collect();
    for (i, r) in rescues.iter().enumerate() {
        drivers.push(Line {
            use_case: r.use_case.clone(),
            driver: Driver::RetentionValue,
            source: Source::Rescue(i),
            n: (r.exposed.len() + r.comparison.len()) as u64,
            coverage: r.coverage(),
            used: true,
        });
    }
    // A launch's counterfactual replaces the drivers its use case names (an experiment,
    // stronger, keeps it beside with used = false).
    for (i, c) in input.counterfactuals.iter().enumerate() {
        let used = !experimented.contains(&c.use_case.as_str());
        if used {
            for d in drivers.iter_mut().filter(|d| {
                d.use_case == c.use_case && c.replaces.iter().any(|r| r == d.driver.as_str())
            }) {
                d.used = false;
            }
        }
        drivers.push(Line {
            use_case: c.use_case.clone(),
            driver: Driver::CounterfactualValue,
            source: Source::Counterfactual(i),
            n: c.periods,
            coverage: Some(1.0),
            used,
        });
    }

    Gathered {
        lines: drivers,
        adjusted,
        units,
        rescues,
        unmeasured,
    }
}

/// Point values (every weight 1) and bootstrap replicates of every line, in line order.
fn evaluate(input: &RoiInput, g: &Gathered) -> Result<(Vec<f64>, Vec<Vec<f64>>)> {
    let (drivers, units, rescues) = (&g.lines, &g.units, &g.rescues);
    // Point values (every weight 1) and bootstrap replicates, in the order of `drivers`.
    let attributed = match input.credited {
        Some(c) => c.evaluate(&vec![1.0; c.contacts.len()])?,
        None => Vec::new(),
    };
    let point: Vec<f64> = drivers
        .iter()
        .map(|d| match d.source {
            Source::Attributed(k) => attributed[k],
            Source::Experiment(i) => {
                let (t, c) = arms(&input.experiments[i], g.adjusted[i].as_ref());
                incremental(t, c, None, None)
            }
            Source::ExperimentUnadjusted(i) => {
                let e = &input.experiments[i];
                incremental(&e.treatment, &e.control, None, None)
            }
            Source::Units(i) => units[i].1.values.iter().sum(),
            Source::Rescue(i) => rescues[i].value(None, None).unwrap_or(0.0),
            Source::Counterfactual(i) => input.counterfactuals[i].value,
        })
        .collect();
    // Units that enter a value alike are resampled as groups (one Poisson total per group).
    let unit_groups: Vec<bootstrap::ValueGroups> = units
        .iter()
        .map(|(_, u)| bootstrap::ValueGroups::new(&u.values))
        .collect();
    let rescue_groups: Vec<_> = rescues.iter().map(|r| r.groups()).collect();
    let experiment_streams = input.experiments.len() as u32;
    let rescue_streams = 1 + experiment_streams + units.len() as u32;
    let counterfactual_streams = rescue_streams + rescues.len() as u32;
    let replicates = bootstrap::replicates(input.samples, |b| {
        let mut w = Vec::new();
        let attributed = match input.credited {
            Some(c)
                if drivers
                    .iter()
                    .any(|d| matches!(d.source, Source::Attributed(_))) =>
            {
                bootstrap::poisson_weights(
                    &mut bootstrap::rng(input.seed, 0, b),
                    c.contacts.len(),
                    &mut w,
                );
                c.evaluate(&w)?
            }
            _ => Vec::new(),
        };
        Ok(drivers
            .iter()
            .map(|d| match d.source {
                Source::Attributed(k) => attributed[k],
                Source::Experiment(i) | Source::ExperimentUnadjusted(i) => {
                    let e = &input.experiments[i];
                    let adjusted = match d.source {
                        Source::Experiment(_) => g.adjusted[i].as_ref(),
                        _ => None,
                    };
                    let (t, c) = arms(e, adjusted);
                    // Both readings of one experiment draw the same weights (its stream).
                    let mut r = bootstrap::rng(input.seed, 1 + i as u32, b);
                    let mut wt = Vec::new();
                    bootstrap::poisson_weights(&mut r, t.len(), &mut wt);
                    bootstrap::poisson_weights(&mut r, c.len(), &mut w);
                    incremental(t, c, Some(&wt), Some(&w))
                }
                Source::Units(i) => {
                    let stream = 1 + experiment_streams + i as u32;
                    unit_groups[i].weighted_sum(&mut bootstrap::rng(input.seed, stream, b))
                }
                Source::Rescue(i) => {
                    let mut rng = bootstrap::rng(input.seed, rescue_streams + i as u32, b);
                    // A replicate that leaves a group without weight has no value (NaN, left
                    // out of the percentiles, as an experiment arm without weight is); 0 would
                    // pull the interval towards zero.
                    rescue_groups[i].replicate(&mut rng).unwrap_or(f64::NAN)
                }
                Source::Counterfactual(i) => {
                    // One posterior draw of the launch's value per replicate.
                    let draws = &input.counterfactuals[i].draws;
                    let mut rng = bootstrap::rng(input.seed, counterfactual_streams + i as u32, b);
                    if draws.is_empty() {
                        f64::NAN
                    } else {
                        draws[rand::Rng::random_range(&mut rng, 0..draws.len())]
                    }
                }
            })
            .collect::<Vec<f64>>())
    })?;

    Ok((point, replicates))
}

/// The lines with their values: what the rows are computed from.
struct Values<'a> {
    lines: &'a [Line],
    point: &'a [f64],
    replicates: &'a [Vec<f64>],
}

/// The `roi_drivers` rows, by use case and driver.
fn driver_rows(drivers: &[Line], point: &[f64], replicates: &[Vec<f64>]) -> Vec<DriverRow> {
    let mut rows = Vec::new();
    for (i, d) in drivers.iter().enumerate() {
        let draws: Vec<f64> = replicates.iter().map(|r| r[i]).collect();
        let ci = bootstrap::percentile_interval(&draws, 0.95);
        rows.push(DriverRow {
            use_case: d.use_case.clone(),
            driver: d.driver,
            evidence: d.driver.evidence(),
            value: point[i],
            value_ci_low: ci.map(|c| c.0),
            value_ci_high: ci.map(|c| c.1),
            n: d.n,
            coverage: d.coverage,
            used: d.used,
        });
    }
    rows.sort_by(|a, b| (&a.use_case, a.driver.as_str()).cmp(&(&b.use_case, b.driver.as_str())));
    rows
}

/// The `roi` row of use case `uc` with cost `c`.
fn use_case_row(
    uc: &String,
    at: &Values,
    c: f64,
    months: f64,
    objective: Option<String>,
) -> RoiRow {
    let (drivers, point, replicates) = (at.lines, at.point, at.replicates);
    let used: Vec<usize> = (0..drivers.len())
        .filter(|&i| drivers[i].used && &drivers[i].use_case == uc)
        .collect();
    let value = (!used.is_empty()).then(|| used.iter().map(|&i| point[i]).sum::<f64>());
    let roi_of = |v: f64| (c > 0.0).then(|| (v - c) / c);
    let draws: Vec<f64> = replicates
        .iter()
        .filter_map(|r| roi_of(used.iter().map(|&i| r[i]).sum()))
        .collect();
    let ci = value
        .and_then(|_| bootstrap::percentile_interval(&draws, 0.95))
        .filter(|_| c > 0.0);
    // The dominant driver speaks for the evidence; on a tie, the weaker class.
    let main = used.iter().copied().max_by(|&a, &b| {
        point[a]
            .abs()
            .total_cmp(&point[b].abs())
            .then(strength(&drivers[b]).cmp(&strength(&drivers[a])))
    });
    RoiRow {
        use_case: uc.clone(),
        objective,
        cost: c,
        value,
        net: value.map(|v| v - c),
        roi: value.and_then(roi_of),
        roi_ci_low: ci.map(|x| x.0),
        roi_ci_high: ci.map(|x| x.1),
        payback_months: value.and_then(|v| {
            if c == 0.0 {
                Some(0.0)
            } else {
                (v > 0.0 && months > 0.0).then(|| c / (v / months))
            }
        }),
        evidence: main.map(|i| drivers[i].driver.evidence()),
        coverage: main.and_then(|i| drivers[i].coverage),
        n: used.iter().map(|&i| drivers[i].n).sum(),
    }
}

/// The programme as a whole: every cost against every counted value.
fn total(
    drivers: &[Line],
    point: &[f64],
    replicates: &[Vec<f64>],
    cost: &BTreeMap<String, f64>,
    months: f64,
) -> RoiTotal {
    let used: Vec<usize> = (0..drivers.len()).filter(|&i| drivers[i].used).collect();
    let total_cost: f64 = cost.values().sum();
    let total_value: f64 = used.iter().map(|&i| point[i]).sum();
    let roi_of = |v: f64| (total_cost > 0.0).then(|| (v - total_cost) / total_cost);
    let draws: Vec<f64> = replicates
        .iter()
        .filter_map(|r| roi_of(used.iter().map(|&i| r[i]).sum()))
        .collect();
    let ci = bootstrap::percentile_interval(&draws, 0.95).filter(|_| !used.is_empty());
    let mut by_evidence = BTreeMap::new();
    for &i in &used {
        *by_evidence
            .entry(drivers[i].driver.evidence().as_str().to_string())
            .or_insert(0.0) += point[i];
    }
    RoiTotal {
        cost: total_cost,
        value: total_value,
        roi: roi_of(total_value),
        roi_ci_low: ci.map(|c| c.0),
        roi_ci_high: ci.map(|c| c.1),
        payback_months: (total_value > 0.0 && months > 0.0)
            .then(|| total_cost / (total_value / months)),
        value_by_evidence: by_evidence,
    }
}

/// The evidence strength of a driver line.
fn strength(line: &Line) -> u8 {
    line.driver.evidence().strength()
}

/// Cost per use case: direct + allocated shared; what no rule allocates goes to
/// [`UNALLOCATED`] (only when positive).
fn allocate(costs: &Costs, rule: Allocation, use_cases: &[String]) -> BTreeMap<String, f64> {
    let mut out: BTreeMap<String, f64> = use_cases
        .iter()
        .map(|u| (u.clone(), costs.direct.get(u).copied().unwrap_or(0.0)))
        .collect();
    let direct: f64 = out.values().sum();
    let mut rest = costs.shared;
    match rule {
        Allocation::Proportional if direct > 0.0 => {
            for v in out.values_mut() {
                *v += costs.shared * *v / direct;
            }
            rest = 0.0;
        }
        Allocation::Equal if !out.is_empty() => {
            let each = costs.shared / out.len() as f64;
            out.values_mut().for_each(|v| *v += each);
            rest = 0.0;
        }
        _ => {}
    }
    if rest > 0.0 {
        out.insert(UNALLOCATED.into(), rest);
    }
    out
}
