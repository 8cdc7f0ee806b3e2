//! The Shapley model (docs/spec/attribution-and-roi.md): the worth of a channel set S is the
//! conversion rate of the journeys and non-converting paths whose distinct channel set is a
//! subset of S (CR(∅) = 0, and 0 when none falls under S); φ_j is the exact Shapley value over
//! all subsets, computed with a subset-sum transform in O(n·2ⁿ). Journeys without touches are
//! not part of the game (they are the `(no touch)` row).

use super::journeys::Journeys;
use crate::error::{Error, Result};
use std::collections::BTreeMap;

/// Positive Shapley values normalised to shares (they sum to 1), or `None` when none is positive.
pub fn shares(j: &Journeys, max_channels: usize) -> Result<Option<BTreeMap<String, f64>>> {
    let Some((channels, conv, all)) = set_counts(j, max_channels, "shapley")? else {
        return Ok(None);
    };
    let names: Vec<&str> = channels.iter().map(String::as_str).collect();
    Ok(shares_of_sets(&names, conv, all))
}

/// Counts of converting journeys and of all journeys and paths per distinct channel set
/// (a bit mask over the sorted channels); `None` without channels, an error over
/// `max_channels`.
#[allow(clippy::type_complexity)]
fn set_counts(
    j: &Journeys,
    max_channels: usize,
    model: &str,
) -> Result<Option<(Vec<String>, Vec<f64>, Vec<f64>)>> {
    let mut channels: Vec<&String> = j
        .converting
        .iter()
        .flat_map(|x| x.touches.iter().map(|t| &t.channel))
        .chain(j.non_converting.iter().flatten())
        .collect();
    channels.sort();
    channels.dedup();
    let n = channels.len();
    if n > max_channels {
        return Err(Error::Model {
            model: model.into(),
            problem: format!(
                "{n} channels exceed shapley_max_channels = {max_channels} (exact Shapley needs 2^n coalitions); group channels in touchpoints.channel (e.g. social_paid + social_organic → social) or raise the parameter"
            ),
        });
    }
    if n == 0 {
        return Ok(None);
    }
    let bit = |c: &String| 1usize << channels.binary_search(&c).expect("known channel");
    let size = 1usize << n;
    let (mut conv, mut all) = (vec![0f64; size], vec![0f64; size]);
    for journey in j.converting.iter().filter(|x| !x.touches.is_empty()) {
        let mask = journey.touches.iter().fold(0, |m, t| m | bit(&t.channel));
        conv[mask] += 1.0;
        all[mask] += 1.0;
    }
    for path in j.non_converting.iter().filter(|p| !p.is_empty()) {
        all[path.iter().fold(0, |m, c| m | bit(c))] += 1.0;
    }
    Ok(Some((channels.into_iter().cloned().collect(), conv, all)))
}

/// Shares from the (weighted) counts of converting journeys and of all journeys and paths
/// per channel set (a bit mask over `channels`, which are sorted). `None` when no Shapley
/// value is positive.
pub(crate) fn shares_of_sets(
    channels: &[&str],
    mut conv: Vec<f64>,
    mut all: Vec<f64>,
) -> Option<BTreeMap<String, f64>> {
    let n = channels.len();
    let size = 1usize << n;
    // Subset sums: after the transform, conv[S] counts journeys whose set is a subset of S.
    for i in 0..n {
        for s in 0..size {
            if s & (1 << i) != 0 {
                conv[s] += conv[s ^ (1 << i)];
                all[s] += all[s ^ (1 << i)];
            }
        }
    }
    let cr = |s: usize| {
        if s == 0 || all[s] == 0.0 {
            0.0
        } else {
            conv[s] / all[s]
        }
    };
    // |S|!(n−|S|−1)!/n! for every coalition size.
    let mut fact = vec![1f64; n + 1];
    for k in 1..=n {
        fact[k] = fact[k - 1] * k as f64;
    }
    let weight: Vec<f64> = (0..n)
        .map(|k| fact[k] * fact[n - k - 1] / fact[n])
        .collect();
    let mut phi = vec![0f64; n];
    for s in 0..size {
        let k = s.count_ones() as usize;
        for (j, p) in phi.iter_mut().enumerate() {
            if s & (1 << j) == 0 {
                *p += weight[k] * (cr(s | (1 << j)) - cr(s));
            }
        }
    }
    let total: f64 = phi.iter().map(|x| x.max(0.0)).sum();
    if total <= 0.0 {
        return None;
    }
    Some(
        channels
            .iter()
            .zip(phi)
            .map(|(c, p)| (c.to_string(), p.max(0.0) / total))
            .collect(),
    )
}

/// The baseline of the incremental model: the conversions a path would have had with no
/// touch, per path. Conversions no touch caused fall in time independently of touches, so
/// such a conversion lands without a touch in its lookback with the probability `q` that a
/// lookback-long span after a touch holds no other touch: the share of non-converting spans
/// with exactly one touch (`single` of the `spans`). The `untouched` conversions seen are that
/// share of them; the `untouched · (1 − q) / q` others sit in the `touched` journeys (at most
/// all of them), spread over the `touched + spans` paths. 0 without spans; with `q = 0`, every
/// touched journey when there are untouched conversions, else none. Counts may be weighted.
pub fn baseline_rate(touched: f64, untouched: f64, spans: f64, single: f64) -> f64 {
    if spans <= 0.0 {
        return 0.0;
    }
    let q = single / spans;
    let caused_by_nothing = if q <= 0.0 {
        if untouched > 0.0 { touched } else { 0.0 }
    } else {
        (untouched * (1.0 - q) / q).min(touched)
    };
    caused_by_nothing / (touched + spans)
}

/// The incremental Shapley model (`shapley_incremental`): the worth of a channel set S is
/// the conversions over the baseline of the journeys and non-converting paths whose distinct
/// channel set is a subset of S, v(S) = Σ_{P: set(P) ⊆ S} (y_P − b), with y_P = 1 for a
/// converting journey and 0 for a path, and b = [`baseline_rate`]. That game is a sum of
/// unanimity games, one per path, so its Shapley value is exact in closed form:
/// φ_j = Σ_{P ∋ j} (y_P − b) / |set(P)|. Positive values normalised to shares; `None` when
/// none is positive. Exact up to `max_channels`, like [`shares`].
pub fn incremental_shares(
    j: &Journeys,
    max_channels: usize,
) -> Result<Option<BTreeMap<String, f64>>> {
    let Some((channels, conv, all)) = set_counts(j, max_channels, "shapley_incremental")? else {
        return Ok(None);
    };
    let untouched = j.converting.iter().filter(|x| x.touches.is_empty()).count() as f64;
    let single = j.non_converting.iter().filter(|p| p.len() == 1).count() as f64;
    let names: Vec<&str> = channels.iter().map(String::as_str).collect();
    Ok(incremental_shares_of_sets(
        &names, &conv, &all, untouched, single,
    ))
}

/// Incremental shares from the (weighted) counts per channel set: converting journeys `conv`
/// and all journeys and paths `all` (bit masks over the sorted `channels`), the untouched
/// conversions and the spans with one touch.
pub fn incremental_shares_of_sets(
    channels: &[&str],
    conv: &[f64],
    all: &[f64],
    untouched: f64,
    single: f64,
) -> Option<BTreeMap<String, f64>> {
    let touched: f64 = conv.iter().sum();
    let spans = all.iter().sum::<f64>() - touched;
    let b = baseline_rate(touched, untouched, spans, single);
    // When the baseline explains every conversion (no channel adds any: v(N) ≤ 0), the
    // touched conversions are still shared, by the coalitions that hold them (b = 0), so
    // that credit sums to the conversions as for every model.
    incremental_phi(channels, conv, all, b).or_else(|| {
        (b > 0.0)
            .then(|| incremental_phi(channels, conv, all, 0.0))
            .flatten()
    })
}

/// Shares of φ_j = Σ_m (conv[m] − b·all[m]) / |m| over the sets m holding j, clipped at 0;
/// `None` when none is positive.
fn incremental_phi(
    channels: &[&str],
    conv: &[f64],
    all: &[f64],
    b: f64,
) -> Option<BTreeMap<String, f64>> {
    let mut phi = vec![0f64; channels.len()];
    for (mask, (c, a)) in conv.iter().zip(all).enumerate() {
        if mask == 0 || *a == 0.0 {
            continue;
        }
        let share = (c - b * a) / mask.count_ones() as f64;
        for (i, p) in phi.iter_mut().enumerate() {
            if mask & (1 << i) != 0 {
                *p += share;
            }
        }
    }
    let total: f64 = phi.iter().map(|x| x.max(0.0)).sum();
    (total > 0.0).then(|| {
        channels
            .iter()
            .zip(phi)
            .map(|(c, p)| (c.to_string(), p.max(0.0) / total))
            .collect()
    })
}
