//! Numbers as a CMO reads them: thousands separators, currency, percentages, months.
//! Shared by the page, the charts and the workbook so the same figure reads the same
//! everywhere.

/// `1234567.8` → `1,234,568`; fractional digits for small magnitudes.
pub fn number(x: f64) -> String {
    let digits = if x.abs() >= 100.0 {
        0
    } else if x.abs() >= 1.0 {
        1
    } else {
        2
    };
    fixed(x, digits)
}

/// `x` with `digits` decimals and thousands separators: `fixed(1234.5, 1)` → `1,234.5`.
pub fn fixed(x: f64, digits: usize) -> String {
    if !x.is_finite() {
        return "–".into();
    }
    let s = format!("{:.*}", digits, x.abs());
    let (int, frac) = s
        .split_once('.')
        .map_or((s.as_str(), None), |(a, b)| (a, Some(b)));
    let mut grouped = String::new();
    for (i, c) in int.chars().enumerate() {
        if i > 0 && (int.len() - i) % 3 == 0 {
            grouped.push(',');
        }
        grouped.push(c);
    }
    let sign = if x < 0.0 && s.chars().any(|c| c.is_ascii_digit() && c != '0') {
        "−"
    } else {
        ""
    };
    match frac {
        Some(f) => format!("{sign}{grouped}.{f}"),
        None => format!("{sign}{grouped}"),
    }
}

/// An amount with its currency: `EUR 12,345`; large amounts in k / M.
pub fn money(x: f64, currency: &str) -> String {
    let a = x.abs();
    let body = if a >= 10_000_000.0 {
        format!("{}M", number(x / 1e6))
    } else if a >= 100_000.0 {
        format!("{}k", number(x / 1e3))
    } else {
        number(x)
    };
    format!("{currency} {body}")
}

/// A ratio as a percentage: `0.1234` → `12.3 %`, `49.66` → `4,966 %`.
pub fn pct(x: f64) -> String {
    if !x.is_finite() {
        return "–".into();
    }
    let p = x * 100.0;
    let digits = if p.abs() >= 100.0 { 0 } else { 1 };
    format!("{} %", fixed(p, digits))
}

/// A value in its KPI unit (`count`, `ratio`, `currency`, `minutes`, …).
pub fn in_unit(x: f64, unit: &str, currency: &str) -> String {
    match unit {
        "ratio" | "share" | "rate" => pct(x),
        "currency" => money(x, currency),
        "minutes" => format!("{} min", number(x)),
        "hours" => format!("{} h", number(x)),
        "days" => format!("{} d", number(x)),
        // A score (a rating, a net promoter score) keeps one decimal: 3.0 beside 3.6, not 3.
        "score" => fixed(x, 1),
        _ if x.fract() == 0.0 => fixed(x, 0),
        _ => number(x),
    }
}

/// Smallest previous count a change is shown relative to: below it, a per cent of a handful
/// reads as news (1 → 3 is "▲ 200 %"), so the change is the difference.
pub const MIN_RELATIVE_BASE: f64 = 10.0;

/// How a KPI's change from the month before is expressed.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Change {
    /// Ratios: the difference in percentage points (as a fraction: 0.042 = 4.2 pp).
    Points(f64),
    /// Quantities that cannot be negative, with a base of at least [`MIN_RELATIVE_BASE`] for
    /// counts: (current − previous) / previous.
    Relative(f64),
    /// Signed quantities (scores such as NPS, p-values, anything below 0) and zero or small
    /// bases: the difference, in the KPI's unit.
    Difference(f64),
}

impl Change {
    /// The change from `previous` to `current` of a KPI in `unit`; `None` when either is
    /// missing.
    pub fn of(unit: &str, current: Option<f64>, previous: Option<f64>) -> Option<Change> {
        let (c, p) = (current?, previous?);
        if !c.is_finite() || !p.is_finite() {
            return None;
        }
        Some(match unit {
            "ratio" | "share" | "rate" => Change::Points(c - p),
            "score" | "p_value" => Change::Difference(c - p),
            _ if c < 0.0 || p <= 0.0 => Change::Difference(c - p),
            "count" if p < MIN_RELATIVE_BASE => Change::Difference(c - p),
            _ => Change::Relative((c - p) / p),
        })
    }

    /// The signed size: points as a fraction, relative as a fraction, a difference in the unit.
    pub fn value(self) -> f64 {
        match self {
            Change::Points(x) | Change::Relative(x) | Change::Difference(x) => x,
        }
    }

    /// As the page shows it: an arrow and the size (`▲ 4.2 pp`, `▼ 26.3 %`, `▲ 21.6`).
    pub fn text(self, unit: &str, currency: &str) -> String {
        let x = self.value();
        let size = match self {
            Change::Points(_) => format!("{:.1} pp", x.abs() * 100.0),
            Change::Relative(_) => pct(x.abs()),
            Change::Difference(_) => in_unit(x.abs(), unit, currency),
        };
        let arrow = if x > 0.0 {
            "▲"
        } else if x < 0.0 {
            "▼"
        } else {
            "="
        };
        format!("{arrow} {size}")
    }
}

/// `2026-03` → `Mar 2026`.
pub fn month(period: &str) -> String {
    const NAMES: [&str; 12] = [
        "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
    ];
    match period.split_once('-') {
        Some((y, m)) => match m.parse::<usize>() {
            Ok(m @ 1..=12) => format!("{} {y}", NAMES[m - 1]),
            _ => period.to_string(),
        },
        None => period.to_string(),
    }
}

#[cfg(test)]
mod tests {

    #[test]
    fn changes_of_signed_quantities_zero_bases_and_small_counts_are_differences() {
        // NPS from −8.1 to 13.5 is 21.6 points up, not "▲ 267 %".
        let nps = Change::of("score", Some(13.5), Some(-8.1)).unwrap();
        assert_eq!(nps, Change::Difference(13.5 - -8.1));
        assert_eq!(nps.text("score", "EUR"), "▲ 21.6");
        // Any quantity below 0 on either side: a difference.
        assert!(matches!(
            Change::of("currency", Some(50.0), Some(-20.0)),
            Some(Change::Difference(_))
        ));
        // A zero base has no per cent.
        assert_eq!(
            Change::of("count", Some(4.0), Some(0.0)),
            Some(Change::Difference(4.0))
        );
        assert_eq!(
            Change::of("currency", Some(40.0), Some(0.0)),
            Some(Change::Difference(40.0))
        );
        // A handful of events: 3 → 0 is "▼ 3", not "▼ 100 %"; from 10 on, per cent.
        let few = Change::of("count", Some(0.0), Some(3.0)).unwrap();
        assert_eq!(few.text("count", "EUR"), "▼ 3");
        assert_eq!(
            Change::of("count", Some(0.0), Some(10.0))
                .unwrap()
                .text("count", "EUR"),
            "▼ 100 %"
        );
        // Ratios in points; counts never get decimals.
        let r = Change::of("ratio", Some(0.667), Some(0.625)).unwrap();
        assert_eq!(r.text("ratio", "EUR"), "▲ 4.2 pp");
        assert_eq!(
            Change::of("count", Some(12.0), Some(7.0))
                .unwrap()
                .text("count", "EUR"),
            "▲ 5"
        );
        assert_eq!(
            Change::of("minutes", Some(30.0), Some(40.0))
                .unwrap()
                .text("minutes", "EUR"),
            "▼ 25.0 %"
        );
        assert_eq!(
            Change::of("count", Some(5.0), Some(5.0))
                .unwrap()
                .text("count", "EUR"),
            "= 0"
        );
        assert_eq!(Change::of("count", None, Some(5.0)), None);
    }

    use super::*;

    #[test]
    fn numbers_read_naturally() {
        assert_eq!(number(1234567.8), "1,234,568");
        assert_eq!(number(-1234.0), "−1,234");
        assert_eq!(number(12.34), "12.3");
        assert_eq!(number(0.123), "0.12");
        assert_eq!(number(-0.001), "0.00");
        assert_eq!(fixed(0.0, 0), "0");
        assert_eq!(fixed(-1234.56, 1), "−1,234.6");
        assert_eq!(money(250_000.0, "EUR"), "EUR 250k");
        assert_eq!(money(12_345.0, "EUR"), "EUR 12,345");
        assert_eq!(pct(0.1234), "12.3 %");
        assert_eq!(pct(-2.5), "−250 %");
        assert_eq!(pct(49.66), "4,966 %");
        assert_eq!(pct(-0.0004), "0.0 %");
        assert_eq!(in_unit(42.0, "minutes", "EUR"), "42.0 min");
        assert_eq!(month("2026-03"), "Mar 2026");
    }
}
