//! Discounted customer lifetime value: the expected transactions of each month of the
//! horizon (BG/NBD, conditional on the customer's history) × the expected margin per
//! transaction (Gamma-Gamma spend × the customer's margin rate), each month discounted at
//! the annual `clv_discount_rate` to the end of the calibration period.

use super::bgnbd::{self, History};

/// Days in an average calendar month.
pub const MONTH_DAYS: f64 = 365.25 / 12.0;

/// Σ over the months of the horizon of the expected transactions in the month, discounted at
/// `annual_rate` from the month's end. `unit_days` = days per model time unit; `horizon` in
/// time units (the last month may be partial).
pub fn discounted_transactions(
    p: &bgnbd::Params,
    h: &History,
    horizon: f64,
    unit_days: f64,
    annual_rate: f64,
) -> f64 {
    let month = MONTH_DAYS / unit_days;
    let steps = (horizon / month).ceil() as usize;
    let (mut before, mut total) = (0.0, 0.0);
    for k in 1..=steps {
        let t = (k as f64 * month).min(horizon);
        let cumulative = bgnbd::expected_transactions(p, h, t);
        let years = t * unit_days / 365.25;
        total += (cumulative - before) / (1.0 + annual_rate).powf(years);
        before = cumulative;
    }
    total
}
