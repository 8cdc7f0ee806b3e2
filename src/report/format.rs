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

/// A ratio as a percentage: `0.1234` → `12.3 %`.
pub(crate) fn pct(x: f64) -> String {
    if !x.is_finite() {
        return "–".into();
    }
    let p = x * 100.0;
    let s = if p.abs() >= 100.0 {
        format!("{p:.0}")
    } else {
        format!("{p:.1}")
    };
    format!("{} %", s.replace('-', "−"))
}

/// A value in its KPI unit (`count`, `ratio`, `currency`, `minutes`, …).
pub(crate) fn in_unit(x: f64, unit: &str, currency: &str) -> String {
    match unit {
        "ratio" | "share" | "rate" => pct(x),
        "currency" => money(x, currency),
        "minutes" => format!("{} min", number(x)),
        "hours" => format!("{} h", number(x)),
        "days" => format!("{} d", number(x)),
        _ if x.fract() == 0.0 => fixed(x, 0),
        _ => number(x),
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
        assert_eq!(in_unit(42.0, "minutes", "EUR"), "42.0 min");
        assert_eq!(month("2026-03"), "Mar 2026");
    }
}
