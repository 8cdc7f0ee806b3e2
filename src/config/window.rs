//! The default analysis window: whole calendar months of the activity in the data, never
//! past the as-of day, so that "last month" is a month that has ended and compares like for
//! like with the month before it.

use chrono::{Datelike, Months, NaiveDate};

/// A derived window `[start, end)` and, when it could not be whole months, why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Window {
    /// First day.
    pub start: NaiveDate,
    /// Day after the last (exclusive).
    pub end: NaiveDate,
    /// A note for the reader when the window is not whole months.
    pub note: Option<String>,
}

fn month_start(d: NaiveDate) -> NaiveDate {
    d.with_day(1).expect("day 1 exists")
}

fn next_month(d: NaiveDate) -> NaiveDate {
    month_start(d) + Months::new(1)
}

/// The window of activity from `first` to `last` (days with activity) seen on `as_of`:
/// from the first day of `first`'s month to the end of the last month that both holds
/// activity and has ended by the as-of day. With less than one whole month of data the
/// window ends the day after the last activity (or the as-of), and says its month is partial.
pub(crate) fn default_window(first: NaiveDate, last: NaiveDate, as_of: NaiveDate) -> Window {
    let start = month_start(first);
    let ended_by_as_of = month_start(as_of + chrono::Days::new(1));
    let end = next_month(last).min(ended_by_as_of);
    if end > start {
        return Window {
            start,
            end,
            note: None,
        };
    }
    let end = (last.min(as_of)) + chrono::Days::new(1);
    Window {
        start,
        end: end.max(start + chrono::Days::new(1)),
        note: Some(format!(
            "the data holds no whole month up to the as-of {as_of}: the window ends {end} (exclusive) inside its month, which is partial"
        )),
    }
}

/// A note when the window's first month is not whole: it starts after the 1st, or its data
/// (`first_activity`) begins later in that month.
pub(crate) fn partial_first_month(
    start: NaiveDate,
    first_activity: Option<NaiveDate>,
) -> Option<String> {
    if start.day() != 1 {
        return Some(format!(
            "the window starts {start}, inside {}: that month is partial, so its figures and the change of the month after it are not like for like",
            start.format("%Y-%m")
        ));
    }
    let first = first_activity.filter(|f| month_start(*f) == start && f.day() > 1)?;
    Some(format!(
        "the data's activity begins {first}: the window's first month ({}) holds activity from that day only, while its costs are counted for the whole month",
        start.format("%Y-%m")
    ))
}

/// A note when the window `[start, end)` ends inside a month: its last month is partial and
/// compares unlike with the month before it.
pub(crate) fn partial_last_month(start: NaiveDate, end: NaiveDate) -> Option<String> {
    if end.day() == 1 {
        return None;
    }
    let last = end - chrono::Days::new(1);
    let month = last.format("%Y-%m");
    let covered = if month_start(last) < start {
        (end - start).num_days()
    } else {
        last.day() as i64
    };
    Some(format!(
        "the window ends {end} (exclusive), inside {month}: that month holds {covered} of its days, so its figures and its change against the month before are not like for like"
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    #[test]
    fn a_partial_last_month_is_left_out() {
        // Activity from 3 Nov 2025 to 6 Nov 2026, seen on 6 Nov: November 2026 has not ended.
        let w = default_window(d("2025-11-03"), d("2026-11-06"), d("2026-11-06"));
        assert_eq!((w.start, w.end), (d("2025-11-01"), d("2026-11-01")));
        assert_eq!(w.note, None);
    }

    #[test]
    fn a_month_that_ended_by_the_as_of_counts_even_without_activity_on_its_last_day() {
        let w = default_window(d("2026-01-05"), d("2026-02-03"), d("2026-11-22"));
        assert_eq!((w.start, w.end), (d("2026-01-01"), d("2026-03-01")));
        // Seen on 28 Feb 2026 (the month's last day) February has ended; on the 27th not yet.
        let w = default_window(d("2026-01-05"), d("2026-02-03"), d("2026-02-28"));
        assert_eq!(w.end, d("2026-03-01"));
        let w = default_window(d("2026-01-05"), d("2026-02-03"), d("2026-02-27"));
        assert_eq!(w.end, d("2026-02-01"));
    }

    #[test]
    fn less_than_a_month_ends_after_the_last_activity_and_says_so() {
        let w = default_window(d("2026-01-05"), d("2026-01-20"), d("2026-01-25"));
        assert_eq!((w.start, w.end), (d("2026-01-01"), d("2026-01-21")));
        assert!(w.note.unwrap().contains("partial"));
    }

    #[test]
    fn a_partial_first_month_is_named() {
        assert_eq!(
            partial_first_month(d("2025-11-01"), Some(d("2025-11-01"))),
            None
        );
        assert_eq!(
            partial_first_month(d("2025-11-01"), Some(d("2025-10-20"))),
            None
        );
        let n = partial_first_month(d("2026-01-01"), Some(d("2026-01-05"))).unwrap();
        assert!(
            n.contains("begins 2026-01-05") && n.contains("(2026-01)"),
            "{n}"
        );
        let n = partial_first_month(d("2026-01-15"), None).unwrap();
        assert!(n.contains("starts 2026-01-15"), "{n}");
    }

    #[test]
    fn partial_months_are_named() {
        assert_eq!(partial_last_month(d("2026-01-01"), d("2026-03-01")), None);
        let n = partial_last_month(d("2026-01-01"), d("2026-03-07")).unwrap();
        assert!(n.contains("2026-03") && n.contains("6 of its days"), "{n}");
    }
}
