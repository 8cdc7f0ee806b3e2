//! What the ROI reads from the catalog through its model queries: prorated costs per use
//! case (`roi_costs.sql`), per-unit savings and innovation values (`roi_units.sql`) and
//! per-contact experiment margins (`experiment_units.sql`) and the retention comparisons of
//! UC03/UC17 (`rescue_units.sql`).

use crate::config::params::Parameters;
use crate::error::Result;
use crate::kpi::load::QuerySet;
use crate::stats::bootstrap;
use datafusion::arrow::array::Array;
use datafusion::prelude::SessionContext;
use rand_chacha::ChaCha8Rng;
use std::collections::BTreeMap;

/// Costs prorated to the window.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Costs {
    /// Direct cost per use case.
    pub direct: BTreeMap<String, f64>,
    /// Shared costs (use_case null).
    pub shared: f64,
}

/// The units of one measured value driver of one use case.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct UnitValues {
    /// Value of each unit.
    pub values: Vec<f64>,
    /// Units whose value rests on data present for them.
    pub covered: u64,
}

/// One experiment's contacts: margin per contact in each arm, inside the experiment and over
/// its pre-period (CUPED's covariate).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ExperimentUnits {
    /// Experiment id.
    pub experiment_id: String,
    /// Its use case.
    pub use_case: String,
    /// Margin per treatment contact.
    pub treatment: Vec<f64>,
    /// Margin per control contact.
    pub control: Vec<f64>,
    /// Pre-period margin per treatment contact (same order).
    pub pre_treatment: Vec<f64>,
    /// Pre-period margin per control contact.
    pub pre_control: Vec<f64>,
    /// Its assignment does not match the design (sample-ratio mismatch): never counted.
    pub broken: bool,
}

impl ExperimentUnits {
    /// The CUPED-adjusted margins (treatment, control): m − θ (x − x̄), θ = cov(m, x) /
    /// var(x) over both arms; `None` when the pre-period margin does not vary (nothing to
    /// adjust by).
    pub fn cuped(&self) -> Option<(Vec<f64>, Vec<f64>)> {
        let ys = self.treatment.iter().chain(&self.control);
        let xs: Vec<f64> = self
            .pre_treatment
            .iter()
            .chain(&self.pre_control)
            .copied()
            .collect();
        let n = xs.len() as f64;
        if n < 2.0 || xs.len() != self.treatment.len() + self.control.len() {
            return None;
        }
        let x_mean = xs.iter().sum::<f64>() / n;
        let y_mean = ys.clone().sum::<f64>() / n;
        let (mut sxx, mut sxy) = (0.0, 0.0);
        for (x, y) in xs.iter().zip(ys) {
            sxx += (x - x_mean) * (x - x_mean);
            sxy += (x - x_mean) * (y - y_mean);
        }
        if sxx <= 0.0 {
            return None;
        }
        let theta = sxy / sxx;
        let adjust = |m: &[f64], x: &[f64]| -> Vec<f64> {
            m.iter()
                .zip(x)
                .map(|(m, x)| m - theta * (x - x_mean))
                .collect()
        };
        Some((
            adjust(&self.treatment, &self.pre_treatment),
            adjust(&self.control, &self.pre_control),
        ))
    }
}

/// The with/without comparison of one use case's `retention_value` driver: contacts the use
/// case served (exposed) and the others, whether each churned, and each exposed contact's
/// CLV where the CLV model values them.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct RescueUnits {
    /// Use case (UC03, UC17).
    pub use_case: String,
    /// Exposed contacts: (churned, CLV).
    pub exposed: Vec<(bool, Option<f64>)>,
    /// Comparison contacts: churned.
    pub comparison: Vec<bool>,
}

impl RescueUnits {
    /// (churn rate of the comparison − of the exposed) × exposed contacts × mean CLV of the
    /// exposed contacts kept (over those with a CLV), under optional Poisson weights; `None`
    /// when a group is empty or no kept exposed contact has a CLV.
    pub fn value(&self, we: Option<&[f64]>, wc: Option<&[f64]>) -> Option<f64> {
        let w = |ws: Option<&[f64]>, i: usize| ws.map_or(1.0, |w| w[i]);
        let mut s = RescueSums::default();
        for (i, (churned, clv)) in self.exposed.iter().enumerate() {
            let wi = w(we, i);
            s.n_e += wi;
            if *churned {
                s.churn_e += wi;
            } else if let Some(v) = clv {
                s.clv_w += wi;
                s.clv_sum += wi * v;
            }
        }
        for (i, churned) in self.comparison.iter().enumerate() {
            s.n_c += w(wc, i);
            if *churned {
                s.churn_c += w(wc, i);
            }
        }
        s.value()
    }

    /// The contacts grouped for the bootstrap: those that enter [`RescueUnits::value`] alike.
    pub fn groups(&self) -> RescueGroups {
        let churned_e = self.exposed.iter().filter(|e| e.0).count() as u64;
        let kept_without_clv = self
            .exposed
            .iter()
            .filter(|e| !e.0 && e.1.is_none())
            .count() as u64;
        let churned_c = self.comparison.iter().filter(|c| **c).count() as u64;
        RescueGroups {
            sizes: [
                churned_e,
                kept_without_clv,
                churned_c,
                self.comparison.len() as u64 - churned_c,
            ],
            kept_clv: self
                .exposed
                .iter()
                .filter_map(|e| if e.0 { None } else { e.1 })
                .collect(),
        }
    }

    /// Share of the kept exposed contacts with a CLV.
    pub fn coverage(&self) -> Option<f64> {
        let kept: Vec<&Option<f64>> = self.exposed.iter().filter(|e| !e.0).map(|e| &e.1).collect();
        (!kept.is_empty())
            .then(|| kept.iter().filter(|c| c.is_some()).count() as f64 / kept.len() as f64)
    }
}

/// Weighted sums behind a retention value.
#[derive(Debug, Default)]
struct RescueSums {
    n_e: f64,
    churn_e: f64,
    clv_w: f64,
    clv_sum: f64,
    n_c: f64,
    churn_c: f64,
}

impl RescueSums {
    fn value(&self) -> Option<f64> {
        (self.n_e > 0.0 && self.n_c > 0.0 && self.clv_w > 0.0).then(|| {
            (self.churn_c / self.n_c - self.churn_e / self.n_e)
                * self.n_e
                * (self.clv_sum / self.clv_w)
        })
    }
}

/// A retention comparison grouped for the bootstrap: every contact but the kept exposed ones
/// with a CLV enters the value only through its group's count, so a replicate draws one
/// Poisson total per group (`bootstrap::group_weights`) and a weight per kept exposed contact
/// with a CLV.
#[derive(Debug, Clone, PartialEq)]
pub struct RescueGroups {
    /// Exposed churned, exposed kept without a CLV, comparison churned, comparison kept.
    sizes: [u64; 4],
    /// CLV of each kept exposed contact that has one.
    kept_clv: Vec<f64>,
}

impl RescueGroups {
    /// The value under one replicate's weights drawn from `rng`; `None` as
    /// [`RescueUnits::value`].
    pub fn replicate(&self, rng: &mut ChaCha8Rng) -> Option<f64> {
        let (mut g, mut w) = (Vec::new(), Vec::new());
        bootstrap::group_weights(rng, &self.sizes, &mut g);
        bootstrap::poisson_weights(rng, self.kept_clv.len(), &mut w);
        let clv_w: f64 = w.iter().sum();
        RescueSums {
            n_e: g[0] + g[1] + clv_w,
            churn_e: g[0],
            clv_w,
            clv_sum: w.iter().zip(&self.kept_clv).map(|(w, v)| w * v).sum(),
            n_c: g[2] + g[3],
            churn_c: g[2],
        }
        .value()
    }
}

/// Reads the retention comparisons, valuing exposed contacts with `clv` (contact → CLV).
pub async fn rescues(
    ctx: &SessionContext,
    q: &QuerySet,
    p: &Parameters,
    clv: &BTreeMap<&str, f64>,
) -> Result<Vec<RescueUnits>> {
    let mut out: Vec<RescueUnits> = Vec::new();
    for b in q.run_model(ctx, p, "rescue_units").await?.iter() {
        let (uc, contact) = (b.text("use_case")?, b.text("contact_id")?);
        let (exposed, churned) = (b.bools("exposed")?, b.bools("churned")?);
        for i in 0..b.num_rows() {
            if out.last().is_none_or(|r| r.use_case != uc.value(i)) {
                out.push(RescueUnits {
                    use_case: uc.value(i).to_string(),
                    ..Default::default()
                });
            }
            let r = out.last_mut().expect("pushed above");
            if exposed[i] {
                r.exposed
                    .push((churned[i], clv.get(contact.value(i)).copied()));
            } else {
                r.comparison.push(churned[i]);
            }
        }
    }
    // Without a churned contact in either group there is nothing to compare: no driver
    // (a value of 0 with a zero-width interval would claim a certainty the data lacks).
    out.retain(|r| {
        r.value(None, None).is_some()
            && (r.comparison.iter().any(|c| *c) || r.exposed.iter().any(|e| e.0))
    });
    Ok(out)
}

/// Reads the costs.
pub async fn costs(ctx: &SessionContext, q: &QuerySet, p: &Parameters) -> Result<Costs> {
    let mut out = Costs::default();
    for b in q.run_model(ctx, p, "roi_costs").await?.iter() {
        let uc = b.text("use_case")?;
        let cost = b.floats("cost")?;
        for (i, c) in cost.into_iter().enumerate() {
            let c = c.unwrap_or(0.0);
            if uc.is_valid(i) {
                *out.direct.entry(uc.value(i).to_string()).or_default() += c;
            } else {
                out.shared += c;
            }
        }
    }
    Ok(out)
}

/// Reads the per-unit drivers: (driver, use case) → units.
pub async fn units(
    ctx: &SessionContext,
    q: &QuerySet,
    p: &Parameters,
) -> Result<BTreeMap<(String, String), UnitValues>> {
    let mut out: BTreeMap<(String, String), UnitValues> = BTreeMap::new();
    for b in q.run_model(ctx, p, "roi_units").await?.iter() {
        let (driver, uc) = (b.text("driver")?, b.text("use_case")?);
        let values = b.floats("value")?;
        let covered = b.bools("covered")?;
        for i in 0..b.num_rows() {
            let e = out
                .entry((driver.value(i).to_string(), uc.value(i).to_string()))
                .or_default();
            e.values.push(values[i].unwrap_or(0.0));
            e.covered += u64::from(covered[i]);
        }
    }
    Ok(out)
}

/// Reads the experiments' contacts.
pub async fn experiments(
    ctx: &SessionContext,
    q: &QuerySet,
    p: &Parameters,
) -> Result<Vec<ExperimentUnits>> {
    let batches = q.run_model(ctx, p, "experiment_units").await?;
    let mut out: Vec<ExperimentUnits> = Vec::new();
    for b in batches.iter() {
        let (id, uc, arm) = (
            b.text("experiment_id")?,
            b.text("use_case")?,
            b.text("arm")?,
        );
        let margin = b.floats("margin")?;
        let pre = b.floats("pre_margin")?;
        for (i, (m, x)) in margin.into_iter().zip(pre).enumerate() {
            if out.last().is_none_or(|e| e.experiment_id != id.value(i)) {
                out.push(ExperimentUnits {
                    experiment_id: id.value(i).to_string(),
                    use_case: uc.value(i).to_string(),
                    ..Default::default()
                });
            }
            let e = out.last_mut().expect("pushed above");
            let (m, x) = (m.unwrap_or(0.0), x.unwrap_or(0.0));
            match arm.value(i) {
                "treatment" => {
                    e.treatment.push(m);
                    e.pre_treatment.push(x);
                }
                _ => {
                    e.control.push(m);
                    e.pre_control.push(x);
                }
            }
        }
    }
    out.retain(|e| !e.treatment.is_empty() && !e.control.is_empty());
    Ok(out)
}
