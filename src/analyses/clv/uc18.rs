//! The UC18 KPIs the CLV engine computes: `uc18.clv_advocates` and `uc18.clv_others`, the
//! mean discounted CLV of the buyers in the window who are (are not) in the advocacy/VIP
//! programme, each with a 95 % percentile bootstrap interval (Poisson weights per contact,
//! `bootstrap_samples` replicates from `seed`; the fitted models held fixed). Declared in
//! `queries/customer_experience/uc18.toml` (`computed_by = "uc18"`).

use super::Clv;
use crate::kpi::run::KpiValue;
use crate::stats::bootstrap;

/// Bootstrap streams of the two KPIs (distinct from the ROI's).
const STREAM: u32 = 0xC1_0000;

/// The two KPI rows (period `all`); a group without valued contacts has a null value.
pub fn kpis(clv: &Clv, samples: usize, seed: u64) -> crate::error::Result<Vec<KpiValue>> {
    let mut out = Vec::new();
    for (k, (kpi, advocate)) in [("uc18.clv_advocates", true), ("uc18.clv_others", false)]
        .into_iter()
        .enumerate()
    {
        let values: Vec<f64> = clv
            .rows
            .iter()
            .filter(|r| r.is_advocate == advocate)
            .filter_map(|r| r.expected_value)
            .collect();
        let n = values.len();
        let mean = (n > 0).then(|| values.iter().sum::<f64>() / n as f64);
        let draws = bootstrap::replicates(if n > 0 { samples } else { 0 }, |b| {
            let mut w = Vec::new();
            bootstrap::poisson_weights(&mut bootstrap::rng(seed, STREAM + k as u32, b), n, &mut w);
            let total: f64 = w.iter().sum();
            Ok((total > 0.0)
                .then(|| values.iter().zip(&w).map(|(v, w)| v * w).sum::<f64>() / total))
        })?;
        let draws: Vec<f64> = draws.into_iter().flatten().collect();
        let ci = mean.and_then(|_| bootstrap::percentile_interval(&draws, 0.95));
        out.push(KpiValue {
            use_case: "UC18".into(),
            kpi: kpi.into(),
            period: "all".into(),
            dimension: None,
            dimension_value: None,
            value: mean,
            unit: "currency".into(),
            n: n as i64,
            ci_low: ci.map(|c| c.0),
            ci_high: ci.map(|c| c.1),
        });
    }
    Ok(out)
}
