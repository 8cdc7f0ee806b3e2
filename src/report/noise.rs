//! Whether a month-over-month change is larger than sampling noise, for the KPIs where the
//! data says what the noise is: a share of its `n` units (pooled two-proportion z-test) and
//! a count of events whose `n` is the count itself (two Poisson counts). Other KPIs (sums of
//! reach, medians, means, scores) are not judged: their rows carry no variance. A change is
//! "within noise" at p ≥ 0.05; the nightly alerts judge runs against their own history.

use crate::kpi::sidecar::KpiMeta;
use crate::stats::{proportion, two_sample};

/// A month's value and what it rests on.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Observed {
    /// The value.
    pub value: f64,
    /// Its `n`.
    pub n: u64,
}

/// The verdict on a change.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verdict {
    /// p < 0.05.
    Beyond,
    /// p ≥ 0.05.
    Within,
}

/// The verdict on `current` against `previous` of `kpi`; `None` when the KPI is not judged.
pub fn judge(kpi: &KpiMeta, current: Observed, previous: Observed) -> Option<Verdict> {
    let p = if kpi.share_of_n {
        let successes = |o: Observed| (o.value * o.n as f64).round() as u64;
        two_sample::two_proportions(
            successes(current),
            current.n,
            successes(previous),
            previous.n,
        )?
        .p_value?
    } else if kpi.unit == "count"
        && current.value == current.n as f64
        && previous.value == previous.n as f64
    {
        proportion::counts_differ(current.n, previous.n)?
    } else {
        return None;
    };
    Some(if p < 0.05 {
        Verdict::Beyond
    } else {
        Verdict::Within
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn meta(unit: &str, share_of_n: bool) -> KpiMeta {
        toml::from_str(&format!(
            "id = \"k\"\nname = \"k\"\nunit = \"{unit}\"\nformula = \"f\"\nshare_of_n = {share_of_n}\n"
        ))
        .unwrap()
    }

    fn o(value: f64, n: u64) -> Observed {
        Observed { value, n }
    }

    #[test]
    fn a_share_on_a_handful_of_deals_is_within_noise() {
        // 4 of 6 won against 5 of 8: z = 0.16, p = 0.87.
        let k = meta("ratio", true);
        assert_eq!(
            judge(&k, o(4.0 / 6.0, 6), o(5.0 / 8.0, 8)),
            Some(Verdict::Within)
        );
        // 600 of 1000 against 500 of 1000: z = 4.5.
        assert_eq!(judge(&k, o(0.6, 1000), o(0.5, 1000)), Some(Verdict::Beyond));
    }

    #[test]
    fn counts_of_events_are_judged_and_sums_are_not() {
        let k = meta("count", false);
        assert_eq!(judge(&k, o(30.0, 30), o(10.0, 10)), Some(Verdict::Beyond));
        assert_eq!(judge(&k, o(12.0, 12), o(9.0, 9)), Some(Verdict::Within));
        // A sum of reach over 12 mentions: its rows say nothing of its noise.
        assert_eq!(judge(&k, o(51_000.0, 12), o(20_000.0, 9)), None);
        assert_eq!(
            judge(&meta("minutes", false), o(30.0, 40), o(10.0, 40)),
            None
        );
        // A ratio that is not a share of its n (engagements / reach).
        assert_eq!(judge(&meta("ratio", false), o(0.3, 40), o(0.1, 40)), None);
    }
}
