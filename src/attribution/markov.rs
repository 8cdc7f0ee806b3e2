//! The Markov model (spec attribution-and-roi.md): an absorbing chain over channel states
//! (the last k channels, k = `markov_order` 1–3) with `start`, `conversion` and `null`.
//! P(conversion) is solved exactly from (I − Q) p = r by LU decomposition, never simulated;
//! removing a channel redirects every transition into a state ending with it to `null`.

use super::journeys::Journeys;
use crate::error::{Error, Result};
use nalgebra::{DMatrix, DVector};
use std::collections::{BTreeMap, BTreeSet};

type State = Vec<String>;

/// Transition counts of the chain. States are the last k channels; `[]` is `start`.
#[derive(Debug, Default)]
struct Chain {
    /// (from, to) → count of transitions between transient states.
    to_state: BTreeMap<(State, State), f64>,
    /// from → count of transitions into `conversion`.
    to_conversion: BTreeMap<State, f64>,
    /// from → all transitions out of it (into states, `conversion` or `null`).
    totals: BTreeMap<State, f64>,
}

fn build(j: &Journeys, order: usize) -> Chain {
    let mut chain = Chain::default();
    let mut walk = |channels: &[String], converts: bool| {
        if channels.is_empty() {
            return;
        }
        let mut from: State = Vec::new();
        for i in 0..channels.len() {
            let to: State = channels[(i + 1).saturating_sub(order)..=i].to_vec();
            *chain
                .to_state
                .entry((from.clone(), to.clone()))
                .or_default() += 1.0;
            *chain.totals.entry(from).or_default() += 1.0;
            from = to;
        }
        if converts {
            *chain.to_conversion.entry(from.clone()).or_default() += 1.0;
        }
        *chain.totals.entry(from).or_default() += 1.0; // to conversion or to null
    };
    for journey in &j.converting {
        let channels: Vec<String> = journey.touches.iter().map(|t| t.channel.clone()).collect();
        walk(&channels, true);
    }
    for path in &j.non_converting {
        walk(path, false);
    }
    chain
}

/// P(conversion) from `start`, with transitions into states ending in `removed` sent to null.
fn p_conversion(chain: &Chain, removed: Option<&str>) -> Result<f64> {
    let states: Vec<&State> = chain.totals.keys().collect();
    let index: BTreeMap<&State, usize> = states.iter().enumerate().map(|(i, s)| (*s, i)).collect();
    let n = states.len();
    let mut a = DMatrix::<f64>::identity(n, n);
    let mut r = DVector::<f64>::zeros(n);
    for ((from, to), count) in &chain.to_state {
        if removed.is_some_and(|c| to.last().is_some_and(|l| l == c)) {
            continue; // into the removed channel: to null
        }
        let (i, j) = (index[from], index[to]);
        a[(i, j)] -= count / chain.totals[from];
    }
    for (from, count) in &chain.to_conversion {
        r[index[from]] += count / chain.totals[from];
    }
    let Some(start) = index.get(&Vec::new()) else {
        return Ok(0.0);
    };
    let p = a.lu().solve(&r).ok_or_else(|| Error::Model {
        model: "markov".into(),
        problem: "the transition matrix is singular".into(),
    })?;
    Ok(p[*start])
}

/// Removal-effect shares of each channel (they sum to 1), or `None` when nothing converts.
pub fn removal_shares(j: &Journeys, order: usize) -> Result<Option<BTreeMap<String, f64>>> {
    let chain = build(j, order);
    let base = p_conversion(&chain, None)?;
    if base <= 0.0 {
        return Ok(None);
    }
    let channels: BTreeSet<&String> = j
        .converting
        .iter()
        .flat_map(|x| x.touches.iter().map(|t| &t.channel))
        .chain(j.non_converting.iter().flatten())
        .collect();
    let mut effects = BTreeMap::new();
    for c in channels {
        let re = (1.0 - p_conversion(&chain, Some(c))? / base).max(0.0);
        effects.insert(c.clone(), re);
    }
    let total: f64 = effects.values().sum();
    if total <= 0.0 {
        return Ok(None);
    }
    Ok(Some(
        effects.into_iter().map(|(c, re)| (c, re / total)).collect(),
    ))
}
