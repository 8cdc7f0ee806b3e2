//! Turns one input column (text from CSV, or whatever type Parquet/NDJSON carried) into
//! its canonical Arrow type, recording every value that does not parse. Nothing is guessed:
//! a value either parses under the declared type and format or becomes a violation.

use crate::model::schema::{ColType, Column};
use chrono::{DateTime, NaiveDate, NaiveDateTime};
use datafusion::arrow::array::{
    Array, ArrayRef, BooleanBuilder, Date32Builder, Float64Builder, Int64Builder, StringArray,
    StringBuilder, TimestampNanosecondArray, TimestampNanosecondBuilder,
};
use datafusion::arrow::compute::kernels::cast_utils::string_to_timestamp_nanos;
use datafusion::arrow::compute::{CastOptions, cast, cast_with_options};
use datafusion::arrow::datatypes::{DataType, TimeUnit};
use datafusion::arrow::error::ArrowError;
use datafusion::arrow::util::display::array_value_to_string;
use std::sync::Arc;

/// Formats for text timestamps and dates (from `[datasets.<table>]`).
#[derive(Debug, Clone, Default)]
pub(crate) struct TextFormats {
    /// chrono format for timestamps; `None` = ISO 8601 (naive = UTC).
    pub timestamp: Option<String>,
    /// chrono format for dates; `None` = `%Y-%m-%d`.
    pub date: Option<String>,
    /// Numbers are written with a decimal comma (`1.234,5`): `.`, spaces and apostrophes
    /// are thousands separators, `,` the decimal point.
    pub decimal_comma: bool,
}

/// A number written with a decimal comma, rewritten with a decimal point: `1.234,5` →
/// `1234.5`, `-12,50` → `-12.50`, `1 234 567` → `1234567`, `1,5e-3` → `1.5e-3`. A thousands
/// separator (`.`, space, no-break space, `'`; one kind per number) stands only between
/// groups of exactly three digits, so `12.50` is not a number here (`None`: a bad value,
/// never 1250).
fn decimal_point(s: &str) -> Option<String> {
    let (sign, rest) = match s.strip_prefix(['-', '+']) {
        Some(r) => (&s[..1], r),
        None => ("", s),
    };
    let (mantissa, exponent) = match rest.find(['e', 'E']) {
        Some(i) => (&rest[..i], &rest[i..]),
        None => (rest, ""),
    };
    let (int, frac) = match mantissa.split_once(',') {
        Some((i, f)) => (i, Some(f)),
        None => (mantissa, None),
    };
    let digits = |t: &str| !t.is_empty() && t.bytes().all(|b| b.is_ascii_digit());
    let separator = int.chars().find(|c| !c.is_ascii_digit());
    let int_digits: String = match separator {
        None if digits(int) => int.to_string(),
        Some(sep) if matches!(sep, '.' | ' ' | '\u{a0}' | '\u{202f}' | '\'') => {
            let groups: Vec<&str> = int.split(sep).collect();
            let well_formed = groups[0].len() <= 3
                && digits(groups[0])
                && groups[1..].iter().all(|g| g.len() == 3 && digits(g));
            if !well_formed {
                return None;
            }
            groups.concat()
        }
        _ => return None,
    };
    if frac.is_some_and(|f| !digits(f)) {
        return None;
    }
    if !exponent.is_empty() {
        let e = exponent[1..]
            .strip_prefix(['-', '+'])
            .unwrap_or(&exponent[1..]);
        if !digits(e) {
            return None;
        }
    }
    Some(match frac {
        Some(f) => format!("{sign}{int_digits}.{f}{exponent}"),
        None => format!("{sign}{int_digits}{exponent}"),
    })
}

#[cfg(test)]
mod decimal_comma_tests {
    use super::decimal_point;

    #[test]
    fn thousands_separators_only_between_groups_of_three() {
        for (given, read) in [
            ("1.234,5", Some("1234.5")),
            ("-12,50", Some("-12.50")),
            ("1 234 567", Some("1234567")),
            ("1'000,25", Some("1000.25")),
            ("1,5e-3", Some("1.5e-3")),
            ("100", Some("100")),
            ("12.50", None),
            ("1.5E-3", None),
            ("1.234.5", None),
            ("1,2,3", None),
            ("1.234 567", None),
            ("abc", None),
        ] {
            assert_eq!(decimal_point(given).as_deref(), read, "{given}");
        }
    }
}

/// A value that could not be taken: its index in the batch, the raw text and what was wrong.
#[derive(Debug, Clone)]
pub(crate) struct BadValue {
    /// Index within the batch.
    pub index: usize,
    /// The raw value (empty for a missing value).
    pub value: String,
    /// Problem in words.
    pub problem: String,
}

const EPOCH_DAYS_FROM_CE: i32 = 719_163;

fn parse_bool(s: &str) -> Option<bool> {
    match s.to_ascii_lowercase().as_str() {
        "true" | "1" | "yes" => Some(true),
        "false" | "0" | "no" => Some(false),
        _ => None,
    }
}

fn parse_timestamp(s: &str, fmt: Option<&str>) -> Option<i64> {
    match fmt {
        None => string_to_timestamp_nanos(s).ok(),
        Some(f) => DateTime::parse_from_str(s, f)
            .map(|d| d.naive_utc())
            .or_else(|_| NaiveDateTime::parse_from_str(s, f))
            .or_else(|_| NaiveDate::parse_from_str(s, f).map(|d| d.and_time(Default::default())))
            .ok()
            .and_then(|d| d.and_utc().timestamp_nanos_opt()),
    }
}

fn parse_date(s: &str, fmt: Option<&str>) -> Option<i32> {
    NaiveDate::parse_from_str(s, fmt.unwrap_or("%Y-%m-%d"))
        .ok()
        .map(|d| d.num_days_from_ce() - EPOCH_DAYS_FROM_CE)
}

use chrono::Datelike;

/// Parses text values (`None` = null) into the column's type.
fn from_text<'a>(
    values: impl Iterator<Item = Option<&'a str>>,
    column: &Column,
    formats: &TextFormats,
    bad: &mut Vec<BadValue>,
) -> ArrayRef {
    let expected = column.ty.expected();
    macro_rules! typed {
        ($builder:expr, $parse:expr) => {{
            let mut b = $builder;
            for (i, v) in values.enumerate() {
                match v {
                    None => b.append_null(),
                    Some(s) => match $parse(s) {
                        Some(x) => b.append_value(x),
                        None => {
                            bad.push(BadValue {
                                index: i,
                                value: s.to_string(),
                                problem: format!("is not {expected}"),
                            });
                            b.append_null();
                        }
                    },
                }
            }
            Arc::new(b.finish()) as ArrayRef
        }};
    }
    match column.ty {
        ColType::Str | ColType::Enum(_) => {
            let mut b = StringBuilder::new();
            for v in values {
                b.append_option(v);
            }
            Arc::new(b.finish())
        }
        ColType::Int if formats.decimal_comma => {
            typed!(Int64Builder::new(), |s: &str| decimal_point(s)
                .and_then(|s| s.parse::<i64>().ok()))
        }
        ColType::Int => typed!(Int64Builder::new(), |s: &str| s.parse::<i64>().ok()),
        ColType::Float if formats.decimal_comma => {
            typed!(Float64Builder::new(), |s: &str| decimal_point(s)
                .and_then(|s| s.parse::<f64>().ok())
                .filter(|x| x.is_finite()))
        }
        ColType::Float => typed!(Float64Builder::new(), |s: &str| s
            .parse::<f64>()
            .ok()
            .filter(|x| x.is_finite())),
        ColType::Bool => typed!(BooleanBuilder::new(), parse_bool),
        ColType::Timestamp => typed!(TimestampNanosecondBuilder::new(), |s: &str| {
            parse_timestamp(s, formats.timestamp.as_deref())
        }),
        ColType::Date => typed!(Date32Builder::new(), |s: &str| parse_date(
            s,
            formats.date.as_deref()
        )),
    }
}

/// Converts `input` to the canonical type of `column`. Empty or blank text is null.
/// Returns the typed array; unparseable values are null in it and listed in `bad`.
pub(crate) fn to_canonical(
    input: &ArrayRef,
    column: &Column,
    formats: &TextFormats,
    bad: &mut Vec<BadValue>,
) -> Result<ArrayRef, ArrowError> {
    let target = column.ty.data_type();
    match input.data_type() {
        DataType::Utf8 | DataType::LargeUtf8 | DataType::Utf8View => {
            let text = cast(input, &DataType::Utf8)?;
            let strings = text
                .as_any()
                .downcast_ref::<StringArray>()
                .expect("cast to Utf8 gives a StringArray");
            // Free text that is already clean (no blank values, nothing to trim) is kept as
            // it is: rebuilding every string column was most of the ingestion time.
            if column.ty == ColType::Str
                && strings
                    .iter()
                    .all(|v| v.is_none_or(|s| !s.is_empty() && s.trim().len() == s.len()))
            {
                return Ok(Arc::clone(&text));
            }
            let text = strings;
            let values = text
                .iter()
                .map(|v| v.map(str::trim).filter(|s| !s.is_empty()));
            Ok(from_text(values, column, formats, bad))
        }
        t if *t == target => Ok(input.clone()),
        DataType::Timestamp(_, tz) if column.ty == ColType::Timestamp => {
            // Arrow stores instants as UTC epoch values whatever the zone: keep the instant.
            let ns = cast(
                input,
                &DataType::Timestamp(TimeUnit::Nanosecond, tz.clone()),
            )?;
            let ns = ns
                .as_any()
                .downcast_ref::<TimestampNanosecondArray>()
                .expect("timestamp cast")
                .clone()
                .with_timezone_opt(None::<Arc<str>>);
            Ok(Arc::new(ns))
        }
        _ => {
            let opts = CastOptions {
                safe: true,
                ..Default::default()
            };
            let out = cast_with_options(input, &target, &opts);
            match out {
                Ok(out) => {
                    for i in 0..input.len() {
                        if input.is_valid(i) && out.is_null(i) {
                            bad.push(BadValue {
                                index: i,
                                value: array_value_to_string(input, i).unwrap_or_default(),
                                problem: format!("is not {}", column.ty.expected()),
                            });
                        }
                    }
                    Ok(out)
                }
                Err(_) => {
                    // No cast exists (e.g. a struct where a number is expected): go through text.
                    let text = cast(input, &DataType::Utf8)?;
                    to_canonical(&text, column, formats, bad)
                }
            }
        }
    }
}
