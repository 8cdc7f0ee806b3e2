//! Attribution credit under contact weights: the default model prepared once over the
//! journeys (touch keys, transition and channel-set indices), then evaluated for any weight
//! per contact — 1 for the point estimate, Poisson(1) for a bootstrap replicate. Markov and
//! Shapley re-estimate their channel shares from the weighted data on every replicate, so the
//! interval carries the model's own uncertainty, not only the sampling of revenue. Everything
//! they count (transitions, channel sets, touches per channel and key) is a per-contact
//! tally (`Tallies`), summed per replicate over groups of contacts with the same counts.

use crate::analyses::attribution::journeys::{Journey, Journeys, Touch};
use crate::analyses::attribution::markov::{self, Chain, Step};
use crate::analyses::attribution::rules::Rule;
use crate::analyses::attribution::shapley;
use crate::error::{Error, Result};
use crate::stats::tallies::Tallies;
use std::collections::{BTreeMap, HashMap};

/// What a credited conversion is worth.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Amount {
    /// Its margin.
    Margin,
    /// Its revenue (value).
    Revenue,
}

/// Per-replicate estimate of channel shares, from the first tallies.
enum Estimator {
    /// Tally i: walks through `steps[i]`.
    Markov { steps: Vec<Step> },
    /// Tally m: converting walks over channel set m (bit mask over `channels`); tally
    /// 2^channels + m: all walks over m.
    Shapley,
    /// As `Shapley`, then tally 2·2^channels: untouched conversions, and the next one:
    /// non-converting spans with one touch (the baseline of `shapley_incremental`).
    ShapleyIncremental,
}

enum Kind {
    /// Rule-based: fixed (key, weight) per touched journey, CSR.
    Rule {
        offsets: Vec<usize>,
        entries: Vec<(u32, f64)>,
    },
    /// Markov or Shapley: shares re-estimated, then split by touches per channel and key.
    Shared {
        estimator: Estimator,
        /// Per contact: the estimator's tallies, then from `touch_base` the touches of each
        /// channel, then the touches of each (key, channel) at `touch_base + channels +
        /// key × channels + channel`.
        tallies: Tallies,
        touch_base: usize,
    },
}

/// The default model, prepared for weighted evaluation.
pub struct Credited {
    /// The keys credit goes to (use cases, campaigns), sorted.
    pub keys: Vec<String>,
    /// The contacts (weight units), sorted.
    pub contacts: Vec<String>,
    /// Channels, sorted.
    channels: Vec<String>,
    /// Contact of each touched journey.
    journey_contact: Vec<u32>,
    /// Amount of each touched journey.
    amount: Vec<f64>,
    /// Touched journeys that credit each key (the `n` behind a key's value).
    pub journeys_per_key: Vec<u64>,
    kind: Kind,
}

const NO_KEY: u32 = u32::MAX;

impl Credited {
    /// Prepares model `model` (a spec id) over `journeys`, crediting each touch to
    /// `key(touch)` (touches without a key credit nothing) with conversions worth `amount`.
    pub fn prepare(
        journeys: &Journeys,
        model: &str,
        params: &ModelParams,
        amount: Amount,
        key: impl Fn(&Touch) -> Option<&str>,
    ) -> Result<Self> {
        let touched: Vec<_> = journeys
            .converting
            .iter()
            .filter(|j| !j.touches.is_empty())
            .collect();
        let keys = distinct(
            touched
                .iter()
                .flat_map(|j| j.touches.iter().filter_map(&key)),
        );
        let key_id = |t: &Touch| {
            key(t).map_or(NO_KEY, |k| {
                keys.binary_search_by(|x| x.as_str().cmp(k))
                    .expect("known key") as u32
            })
        };
        // The incremental Shapley's baseline also counts the untouched conversions, so their
        // contacts are weight units too (for that model only: the others never read them).
        let incremental = model == "shapley_incremental";
        let untouched = journeys
            .converting
            .iter()
            .filter(|j| incremental && j.touches.is_empty());
        let contacts = distinct(
            touched
                .iter()
                .map(|j| j.contact.as_str())
                .chain(journeys.path_contacts.iter().map(String::as_str))
                .chain(untouched.clone().map(|j| j.contact.as_str())),
        );
        let contact_id = |c: &str| {
            contacts
                .binary_search_by(|x| x.as_str().cmp(c))
                .expect("known contact") as u32
        };
        let channels = distinct(
            touched
                .iter()
                .flat_map(|j| j.touches.iter().map(|t| t.channel.as_str()))
                .chain(journeys.non_converting.iter().flatten().map(String::as_str)),
        );
        let channel_id = |c: &str| {
            channels
                .binary_search_by(|x| x.as_str().cmp(c))
                .expect("known channel") as u32
        };
        let journey_contact: Vec<u32> = touched.iter().map(|j| contact_id(&j.contact)).collect();
        let untouched_contact: Vec<u32> = untouched.map(|j| contact_id(&j.contact)).collect();
        let path_contact: Vec<u32> = journeys
            .path_contacts
            .iter()
            .map(|c| contact_id(c))
            .collect();
        if journeys.path_contacts.len() != journeys.non_converting.len() {
            return Err(Error::Model {
                model: model.into(),
                problem: "non-converting paths without their contact".into(),
            });
        }
        let amount_of = |j: &crate::analyses::attribution::journeys::Journey| match amount {
            Amount::Margin => j.margin,
            Amount::Revenue => j.value,
        };
        let journeys_per_key = journeys_per_key(&touched, keys.len(), &key_id);
        let rule = match model {
            "first_touch" => Some(Rule::FirstTouch),
            "last_touch" => Some(Rule::LastTouch),
            "linear" => Some(Rule::Linear),
            "time_decay" => Some(Rule::TimeDecay(params.half_life_days)),
            "position_based" => Some(Rule::PositionBased),
            _ => None,
        };
        let kind = if let Some(rule) = rule {
            rule_credit(&touched, rule, &key_id)
        } else {
            // (contact, tally) per occurrence
            let mut occurrences: Vec<(u32, u32)> = Vec::new();
            let walk_contacts = || journey_contact.iter().chain(&path_contact).copied();
            let (estimator, touch_base) = match model {
                "markov" => markov_steps(
                    &touched,
                    journeys,
                    &channels,
                    walk_contacts(),
                    params.markov_order,
                    &mut occurrences,
                ),
                "shapley" | "shapley_incremental" => {
                    let contacts = Contacts {
                        journeys: &journey_contact,
                        paths: &path_contact,
                        untouched: incremental.then_some(untouched_contact.as_slice()),
                    };
                    let max = params.shapley_max_channels;
                    shapley_sets(
                        &touched,
                        journeys,
                        &channels,
                        &contacts,
                        max,
                        &mut occurrences,
                    )?
                }
                other => {
                    return Err(Error::Model {
                        model: other.into(),
                        problem: "unknown model: use first_touch, last_touch, linear, time_decay, position_based, markov, shapley or shapley_incremental".into(),
                    });
                }
            };
            let c = channels.len();
            let tally = |t: usize| u32::try_from(t).expect("fewer than 2^32 tallies");
            for (j, contact) in touched.iter().zip(&journey_contact) {
                for t in &j.touches {
                    let ch = channel_id(&t.channel) as usize;
                    occurrences.push((*contact, tally(touch_base + ch)));
                    let k = key_id(t);
                    if k != NO_KEY {
                        occurrences.push((*contact, tally(touch_base + c + k as usize * c + ch)));
                    }
                }
            }
            let len = touch_base + c + keys.len() * c;
            Kind::Shared {
                estimator,
                tallies: Tallies::new(contacts.len(), len, occurrences),
                touch_base,
            }
        };
        Ok(Credited {
            amount: touched.iter().map(|j| amount_of(j)).collect(),
            keys,
            contacts,
            channels,
            journey_contact,
            journeys_per_key,
            kind,
        })
    }

    /// Credit per key (in the order of `keys`) with weight `w[i]` for contact i.
    pub fn evaluate(&self, w: &[f64]) -> Result<Vec<f64>> {
        let mut out = vec![0.0; self.keys.len()];
        let weight = |j: usize| w[self.journey_contact[j] as usize];
        match &self.kind {
            Kind::Rule { offsets, entries } => {
                for j in 0..self.amount.len() {
                    let f = weight(j) * self.amount[j];
                    if f != 0.0 {
                        for (k, x) in &entries[offsets[j]..offsets[j + 1]] {
                            out[*k as usize] += f * x;
                        }
                    }
                }
            }
            Kind::Shared {
                estimator,
                tallies,
                touch_base,
            } => {
                let t = tallies.sum(w);
                let Some(shares) = self.shares(estimator, &t)? else {
                    return Ok(out);
                };
                let c = self.channels.len();
                let per_channel = &t[*touch_base..touch_base + c];
                let per_key = &t[touch_base + c..];
                let mut total = 0.0;
                for (j, amount) in self.amount.iter().enumerate() {
                    let wj = weight(j);
                    if wj != 0.0 {
                        total += wj * amount;
                    }
                }
                for (k, o) in out.iter_mut().enumerate() {
                    for ch in 0..c {
                        let touches_k = per_key[k * c + ch];
                        if touches_k > 0.0 {
                            *o += shares[ch] * total * touches_k / per_channel[ch];
                        }
                    }
                }
            }
        }
        Ok(out)
    }

    /// Channel shares (in the order of `channels`) from the weighted tallies.
    fn shares(&self, estimator: &Estimator, tallies: &[f64]) -> Result<Option<Vec<f64>>> {
        let map: Option<BTreeMap<String, f64>> = match estimator {
            Estimator::Markov { steps } => {
                let chain = Chain::from_counts(steps.iter().zip(tallies.iter().copied()));
                markov::chain_shares(&chain, &self.channels)?
            }
            Estimator::Shapley => {
                let size = 1usize << self.channels.len();
                let names: Vec<&str> = self.channels.iter().map(String::as_str).collect();
                shapley::shares_of_sets(
                    &names,
                    tallies[..size].to_vec(),
                    tallies[size..2 * size].to_vec(),
                )
            }
            Estimator::ShapleyIncremental => {
                let size = 1usize << self.channels.len();
                let names: Vec<&str> = self.channels.iter().map(String::as_str).collect();
                shapley::incremental_shares_of_sets(
                    &names,
                    &tallies[..size],
                    &tallies[size..2 * size],
                    tallies[2 * size],
                    tallies[2 * size + 1],
                )
            }
        };
        Ok(map.map(|m| {
            self.channels
                .iter()
                .map(|c| m.get(c).copied().unwrap_or(0.0))
                .collect()
        }))
    }
}

/// The distinct strings of `items`, sorted (compared as borrowed strings; only the distinct
/// ones are copied).
fn distinct<'a>(items: impl Iterator<Item = &'a str>) -> Vec<String> {
    let mut v: Vec<&str> = items.collect();
    v.sort_unstable();
    v.dedup();
    v.into_iter().map(str::to_string).collect()
}

/// Per key: the touched journeys with at least one touch for it.
fn journeys_per_key(touched: &[&Journey], keys: usize, key_id: &dyn Fn(&Touch) -> u32) -> Vec<u64> {
    let mut out = vec![0u64; keys];
    for j in touched {
        let mut ids: Vec<u32> = j
            .touches
            .iter()
            .map(key_id)
            .filter(|k| *k != NO_KEY)
            .collect();
        ids.sort_unstable();
        ids.dedup();
        ids.iter().for_each(|k| out[*k as usize] += 1);
    }
    out
}

/// Parameters of the models.
#[derive(Debug, Clone, Copy)]
pub struct ModelParams {
    /// Half-life of time decay, days.
    pub half_life_days: f64,
    /// Markov order 1–3.
    pub markov_order: usize,
    /// Most channels of exact Shapley.
    pub shapley_max_channels: usize,
}

/// Credit of a rule-based model: fixed (key, weight) per touch of each touched journey.
fn rule_credit(touched: &[&Journey], rule: Rule, key_id: &dyn Fn(&Touch) -> u32) -> Kind {
    let (mut offsets, mut entries) = (vec![0], Vec::new());
    for j in touched {
        for (t, w) in j.touches.iter().zip(rule.weights(&j.touches)) {
            let k = key_id(t);
            if k != NO_KEY {
                entries.push((k, w));
            }
        }
        offsets.push(entries.len());
    }
    Kind::Rule { offsets, entries }
}

/// Markov: the distinct transition steps of every walk (converting journeys, then
/// non-converting paths), each occurrence tallied for its contact.
fn markov_steps(
    touched: &[&Journey],
    journeys: &Journeys,
    channels: &[String],
    walk_contacts: impl Iterator<Item = u32>,
    order: usize,
    occurrences: &mut Vec<(u32, u32)>,
) -> (Estimator, usize) {
    let mut index: HashMap<Step, u32> = HashMap::new();
    let mut steps = Vec::new();
    let (mut walk, mut buf) = (Vec::new(), Vec::new());
    let walks = touched
        .iter()
        .map(|j| {
            (
                j.touches
                    .iter()
                    .map(|t| t.channel.as_str())
                    .collect::<Vec<_>>(),
                true,
            )
        })
        .chain(
            journeys
                .non_converting
                .iter()
                .map(|p| (p.iter().map(String::as_str).collect(), false)),
        );
    for ((names, converts), contact) in walks.zip(walk_contacts) {
        walk.clear();
        walk.extend(names.iter().map(|c| markov::intern(channels, c)));
        buf.clear();
        markov::steps(&walk, converts, order, &mut buf);
        for s in &buf {
            let next = index.len() as u32;
            let id = *index.entry(*s).or_insert_with(|| {
                steps.push(*s);
                next
            });
            occurrences.push((contact, id));
        }
    }
    let base = steps.len();
    (Estimator::Markov { steps }, base)
}

/// The contact of each converting journey and of each non-converting path.
struct Contacts<'a> {
    journeys: &'a [u32],
    paths: &'a [u32],
    /// Contacts of the untouched conversions, for `shapley_incremental` only.
    untouched: Option<&'a [u32]>,
}

/// Shapley: the channel set of every walk (converting, and all walks), tallied per contact.
fn shapley_sets(
    touched: &[&Journey],
    journeys: &Journeys,
    channels: &[String],
    contacts: &Contacts,
    max: usize,
    occurrences: &mut Vec<(u32, u32)>,
) -> Result<(Estimator, usize)> {
    let channel_id = |c: &str| {
        channels
            .binary_search_by(|x| x.as_str().cmp(c))
            .expect("known channel") as u32
    };
    if channels.len() > max {
        return Err(Error::Model {
            model: "shapley".into(),
            problem: format!(
                "{} channels exceed shapley_max_channels = {}; group channels or raise the parameter",
                channels.len(),
                max
            ),
        });
    }
    let mask =
        |cs: &mut dyn Iterator<Item = &String>| cs.fold(0u32, |m, c| m | (1 << channel_id(c)));
    let size = 1u32 << channels.len();
    for (j, c) in touched.iter().zip(contacts.journeys) {
        let m = mask(&mut j.touches.iter().map(|t| &t.channel));
        occurrences.push((*c, m));
        occurrences.push((*c, size + m));
    }
    for (p, c) in journeys.non_converting.iter().zip(contacts.paths) {
        occurrences.push((*c, size + mask(&mut p.iter())));
    }
    let Some(untouched) = contacts.untouched else {
        return Ok((Estimator::Shapley, 2 * size as usize));
    };
    for c in untouched {
        occurrences.push((*c, 2 * size));
    }
    for (p, c) in journeys.non_converting.iter().zip(contacts.paths) {
        if p.len() == 1 {
            occurrences.push((*c, 2 * size + 1));
        }
    }
    Ok((Estimator::ShapleyIncremental, 2 * size as usize + 2))
}
