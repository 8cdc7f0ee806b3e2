//! The Markov model (docs/spec/attribution-and-roi.md): an absorbing chain over channel states
//! (the last k channels, k = `markov_order` 1–3) with `start`, `conversion` and `null`.
//! P(conversion) is solved exactly from (I − Q) p = r by LU decomposition, never simulated;
//! removing a channel redirects every transition into a state ending with it to `null`.
//! Channels are interned as small integers and a state is packed into one `u64`, so building
//! the chain over millions of touches is a hash of two integers per transition.

use super::journeys::Journeys;
use crate::error::{Error, Result};
use nalgebra::{DMatrix, DVector};
use std::collections::{BTreeMap, HashMap};

/// An interned channel.
pub(crate) type ChannelId = u16;

/// A state: up to 3 channel ids (16 bits each) and their number (bits 48–49); 0 is `start`.
pub(crate) type State = u64;

/// The absorbing `conversion` state.
pub(crate) const CONVERSION: State = u64::MAX;
/// The absorbing `null` state.
pub const NULL: State = u64::MAX - 1;

/// One transition of the chain: (from, to).
pub(crate) type Step = (State, State);

fn pack(ids: &[ChannelId]) -> State {
    ids.iter()
        .enumerate()
        .fold((ids.len() as u64) << 48, |s, (i, c)| {
            s | (u64::from(*c) << (16 * i))
        })
}

/// The last channel of a transient state other than `start`.
fn last(s: State) -> Option<ChannelId> {
    let len = (s >> 48) as usize;
    (len > 0 && s < NULL).then(|| ((s >> (16 * (len - 1))) & 0xFFFF) as ChannelId)
}

/// Transition counts of the chain.
#[derive(Debug, Default)]
pub(crate) struct Chain {
    /// (from, to) → count of transitions between transient states.
    to_state: HashMap<Step, f64>,
    /// from → count of transitions into `conversion`.
    to_conversion: HashMap<State, f64>,
    /// from → all transitions out of it (into states, `conversion` or `null`).
    totals: BTreeMap<State, f64>,
}

impl Chain {
    /// The chain of weighted transitions (a transition may repeat; zero weights are skipped).
    pub fn from_counts<'a>(steps: impl IntoIterator<Item = (&'a Step, f64)>) -> Self {
        let mut chain = Chain::default();
        for (step, w) in steps {
            chain.add(*step, w);
        }
        chain
    }

    /// Adds `w` transitions `step` (nothing when `w` is 0).
    pub fn add(&mut self, (from, to): Step, w: f64) {
        if w == 0.0 {
            return;
        }
        match to {
            CONVERSION => *self.to_conversion.entry(from).or_default() += w,
            NULL => {}
            _ => *self.to_state.entry((from, to)).or_default() += w,
        }
        *self.totals.entry(from).or_default() += w;
    }
}

/// Appends the transitions of one walk over interned channels to `out`:
/// start → c1 → … → cn → conversion (or null). Empty walks have none.
pub(crate) fn steps(channels: &[ChannelId], converts: bool, order: usize, out: &mut Vec<Step>) {
    if channels.is_empty() {
        return;
    }
    let mut from: State = 0;
    for i in 0..channels.len() {
        let to = pack(&channels[(i + 1).saturating_sub(order)..=i]);
        out.push((from, to));
        from = to;
    }
    out.push((from, if converts { CONVERSION } else { NULL }));
}

/// The channels of `j`, sorted: index = `ChannelId`.
pub fn channels(j: &Journeys) -> Vec<String> {
    let mut c: Vec<String> = j
        .converting
        .iter()
        .flat_map(|x| x.touches.iter().map(|t| t.channel.clone()))
        .chain(j.non_converting.iter().flatten().cloned())
        .collect();
    c.sort();
    c.dedup();
    c
}

/// The id of `channel` in the sorted `channels`.
pub(crate) fn intern(channels: &[String], channel: &str) -> ChannelId {
    channels
        .binary_search_by(|c| c.as_str().cmp(channel))
        .expect("known channel") as ChannelId
}

fn build(j: &Journeys, channels: &[String], order: usize) -> Chain {
    let mut chain = Chain::default();
    let (mut ids, mut buf) = (Vec::new(), Vec::new());
    let walks = j
        .converting
        .iter()
        .map(|x| {
            (
                x.touches
                    .iter()
                    .map(|t| t.channel.as_str())
                    .collect::<Vec<_>>(),
                true,
            )
        })
        .chain(
            j.non_converting
                .iter()
                .map(|p| (p.iter().map(String::as_str).collect(), false)),
        );
    for (walk, converts) in walks {
        ids.clear();
        ids.extend(walk.iter().map(|c| intern(channels, c)));
        buf.clear();
        steps(&ids, converts, order, &mut buf);
        buf.iter().for_each(|s| chain.add(*s, 1.0));
    }
    chain
}

/// P(conversion) from `start`, with transitions into states ending in `removed` sent to null.
fn p_conversion(chain: &Chain, removed: Option<ChannelId>) -> Result<f64> {
    let index: HashMap<State, usize> = chain
        .totals
        .keys()
        .enumerate()
        .map(|(i, s)| (*s, i))
        .collect();
    let n = index.len();
    let mut a = DMatrix::<f64>::identity(n, n);
    let mut r = DVector::<f64>::zeros(n);
    for ((from, to), count) in &chain.to_state {
        if removed.is_some() && last(*to) == removed {
            continue; // into the removed channel: to null
        }
        let (i, j) = (index[from], index[to]);
        a[(i, j)] -= count / chain.totals[from];
    }
    for (from, count) in &chain.to_conversion {
        r[index[from]] += count / chain.totals[from];
    }
    let Some(start) = index.get(&0) else {
        return Ok(0.0);
    };
    let p = a.lu().solve(&r).ok_or_else(|| Error::Model {
        model: "markov".into(),
        problem: "the transition matrix is singular".into(),
    })?;
    Ok(p[*start])
}

/// Removal-effect shares of each channel (they sum to 1), or `None` when nothing converts.
pub(crate) fn removal_shares(j: &Journeys, order: usize) -> Result<Option<BTreeMap<String, f64>>> {
    let channels = channels(j);
    if channels.len() > usize::from(ChannelId::MAX) {
        return Err(Error::Model {
            model: "markov".into(),
            problem: format!("{} channels: group them (at most 65535)", channels.len()),
        });
    }
    chain_shares(&build(j, &channels, order), &channels)
}

/// Removal-effect shares of `channels` (index = [`ChannelId`]) in `chain`, or `None` when
/// nothing converts.
pub(crate) fn chain_shares(
    chain: &Chain,
    channels: &[String],
) -> Result<Option<BTreeMap<String, f64>>> {
    let base = p_conversion(chain, None)?;
    if base <= 0.0 {
        return Ok(None);
    }
    let mut effects = BTreeMap::new();
    for (id, c) in channels.iter().enumerate() {
        let re = (1.0 - p_conversion(chain, Some(id as ChannelId))? / base).max(0.0);
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
