//! The Markov model (spec attribution-and-roi.md): an absorbing chain over channel states
//! (the last k channels, k = `markov_order` 1–3) with `start`, `conversion` and `null`.
//! P(conversion) is solved exactly from (I − Q) p = r by LU decomposition, never simulated;
//! removing a channel redirects every transition into a state ending with it to `null`.

use super::journeys::Journeys;
use crate::error::{Error, Result};
use nalgebra::{DMatrix, DVector};
use std::collections::{BTreeMap, BTreeSet};

/// A state: the last k channels; `[]` is `start`.
pub type State = Vec<String>;

/// Where a transition goes.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Next {
    /// Another transient state.
    State(State),
    /// The absorbing `conversion` state.
    Conversion,
    /// The absorbing `null` state.
    Null,
}

/// One transition of the chain.
pub type Step = (State, Next);

/// Transition counts of the chain.
#[derive(Debug, Default)]
pub struct Chain {
    /// (from, to) → count of transitions between transient states.
    to_state: BTreeMap<(State, State), f64>,
    /// from → count of transitions into `conversion`.
    to_conversion: BTreeMap<State, f64>,
    /// from → all transitions out of it (into states, `conversion` or `null`).
    totals: BTreeMap<State, f64>,
}

impl Chain {
    /// The chain of weighted transitions (a transition may repeat; zero weights are skipped).
    pub fn from_counts<'a>(steps: impl IntoIterator<Item = (&'a Step, f64)>) -> Self {
        let mut chain = Chain::default();
        for (step, w) in steps {
            chain.add(step, w);
        }
        chain
    }

    /// Adds `w` transitions `step` (nothing when `w` is 0).
    pub fn add(&mut self, (from, next): &Step, w: f64) {
        if w == 0.0 {
            return;
        }
        match next {
            Next::State(to) => {
                *self.to_state.entry((from.clone(), to.clone())).or_default() += w;
            }
            Next::Conversion => *self.to_conversion.entry(from.clone()).or_default() += w,
            Next::Null => {}
        }
        *self.totals.entry(from.clone()).or_default() += w;
    }
}

/// The transitions of one walk: start → c1 → … → cn → conversion (or null). Empty walks
/// have none.
pub fn steps(channels: &[String], converts: bool, order: usize) -> Vec<Step> {
    if channels.is_empty() {
        return Vec::new();
    }
    let mut out = Vec::with_capacity(channels.len() + 1);
    let mut from: State = Vec::new();
    for i in 0..channels.len() {
        let to: State = channels[(i + 1).saturating_sub(order)..=i].to_vec();
        out.push((from, Next::State(to.clone())));
        from = to;
    }
    out.push((
        from,
        if converts {
            Next::Conversion
        } else {
            Next::Null
        },
    ));
    out
}

fn build(j: &Journeys, order: usize) -> Chain {
    let mut chain = Chain::default();
    for journey in &j.converting {
        let channels: Vec<String> = journey.touches.iter().map(|t| t.channel.clone()).collect();
        steps(&channels, true, order)
            .iter()
            .for_each(|s| chain.add(s, 1.0));
    }
    for path in &j.non_converting {
        steps(path, false, order)
            .iter()
            .for_each(|s| chain.add(s, 1.0));
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
    let channels: BTreeSet<&String> = j
        .converting
        .iter()
        .flat_map(|x| x.touches.iter().map(|t| &t.channel))
        .chain(j.non_converting.iter().flatten())
        .collect();
    chain_shares(&build(j, order), channels.into_iter().map(String::as_str))
}

/// Removal-effect shares of `channels` in `chain`, or `None` when nothing converts.
pub fn chain_shares<'a>(
    chain: &Chain,
    channels: impl IntoIterator<Item = &'a str>,
) -> Result<Option<BTreeMap<String, f64>>> {
    let base = p_conversion(chain, None)?;
    if base <= 0.0 {
        return Ok(None);
    }
    let mut effects = BTreeMap::new();
    for c in channels {
        let re = (1.0 - p_conversion(chain, Some(c))? / base).max(0.0);
        effects.insert(c.to_string(), re);
    }
    let total: f64 = effects.values().sum();
    if total <= 0.0 {
        return Ok(None);
    }
    Ok(Some(
        effects.into_iter().map(|(c, re)| (c, re / total)).collect(),
    ))
}
