//! Generator stage 6: the launches, with their effects planted where the data is made. The
//! community (UC11) opened in Italy on 2026-05-04: from that day a share of the Italian
//! contacts' tickets is never opened (the service stage asks [`removes_ticket`] for every
//! ticket). Rapid social sales response (UC07) went live in Germany on 2026-06-01
//! and changed nothing: a launch whose counterfactual must find no effect.

use super::rng::Rng;
use super::sink::V::*;
use super::truth::LaunchTruth;
use super::{DAY, World, day_of};
use crate::error::Result;
use chrono::NaiveDate;

struct Spec {
    id: &'static str,
    use_case: &'static str,
    launched_on: &'static str,
    scope: (&'static str, &'static str),
    description: &'static str,
    outcome: &'static str,
    relative_effect: f64,
}

const LAUNCHES: &[Spec] = &[
    Spec {
        id: "L01",
        use_case: "UC11",
        launched_on: "2026-05-04",
        scope: ("country", "IT"),
        description: "Customer community opened to Italian customers",
        outcome: "tickets",
        relative_effect: -0.30,
    },
    Spec {
        id: "L02",
        use_case: "UC07",
        launched_on: "2026-06-01",
        scope: ("country", "DE"),
        description: "Rapid response to social sales signals, first in Germany",
        outcome: "conversions",
        relative_effect: 0.0,
    },
];

fn start_of(day: &str) -> i64 {
    NaiveDate::parse_from_str(day, "%Y-%m-%d")
        .expect("valid launch day")
        .and_hms_opt(0, 0, 0)
        .expect("midnight")
        .and_utc()
        .timestamp()
}

/// The end (exclusive, seconds) of the last whole Monday-to-Sunday week before `t1`: the
/// weekly series a launch is judged on stop there.
pub(crate) fn last_whole_week_end(t1: i64) -> i64 {
    // 1970-01-01 was a Thursday: days since the epoch + 3, mod 7, is 0 on Mondays.
    let last_start = day_of(t1 - 7 * DAY) as i64;
    let monday = last_start - (last_start + 3).rem_euclid(7);
    (monday + 7) * DAY
}

/// Whether the community's launch prevents a ticket of a contact in `country` opened at
/// `opened`: with probability minus its planted relative effect, drawn from its own stream
/// (so no other table changes with the planted share).
pub(crate) fn removes_ticket(
    w: &mut World,
    rng: &mut Rng,
    country: Option<&str>,
    opened: i64,
) -> bool {
    // The one launch with a planted effect on tickets (the community's).
    let Some(l) = LAUNCHES
        .iter()
        .find(|l| l.outcome == "tickets" && l.relative_effect != 0.0)
    else {
        return false;
    };
    if country != Some(l.scope.1) || opened < start_of(l.launched_on) {
        return false;
    }
    let removed = rng.p(-l.relative_effect);
    if removed && opened < last_whole_week_end(w.t1()) {
        let name = format!("launch_{}_tickets_removed_in_post_weeks", l.id);
        w.truth.count(&name, 1.0);
    }
    removed
}

/// Writes `launches` and records them in the truth.
pub fn generate(w: &mut World) -> Result<()> {
    let mut sink = w.sink("launches")?;
    for l in LAUNCHES {
        sink.row(&[
            S(l.id),
            S(l.use_case),
            D(day_of(start_of(l.launched_on))),
            S(l.scope.0),
            S(l.scope.1),
            N,
            S(l.description),
        ]);
        w.truth.planted.launches.push(LaunchTruth {
            id: l.id.into(),
            use_case: l.use_case.into(),
            launched_on: l.launched_on.into(),
            scope_dimension: l.scope.0.into(),
            scope_value: l.scope.1.into(),
            outcome: l.outcome.into(),
            relative_effect: l.relative_effect,
        });
    }
    w.done(sink)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_last_whole_week_ends_on_a_monday_inside_the_data() {
        // Data to 2026-11-01 (a Sunday, exclusive): the week of 2026-10-26 is not whole.
        let end = last_whole_week_end(start_of("2026-11-01"));
        assert_eq!(end, start_of("2026-10-26"));
        // Data to a Monday: the week before it is whole.
        assert_eq!(
            last_whole_week_end(start_of("2026-10-26")),
            start_of("2026-10-26")
        );
    }
}
