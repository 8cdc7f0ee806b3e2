//! Parameters that default to the data (brand, window), derived once the catalog is loaded,
//! and the notes a reader of the figures must see about them.

use crate::catalog::Catalog;
use crate::config::Settings;
use crate::config::params::{ParamValue, Source};
use crate::error::{Error, Result};
use chrono::{NaiveDate, Utc};

/// Derives the parameters that default to the data (brand, window) from a loaded catalog;
/// returns the notes a reader of the figures must see (brand, window).
pub(super) async fn derive(
    settings: &mut Settings,
    catalog: &Catalog,
    as_of: Option<NaiveDate>,
) -> Result<Vec<String>> {
    let mut notes = Vec::new();
    // Nothing to derive from data that is not there (the run says "no data on or before").
    let no_data = as_of.is_some_and(|d| no_data_before(catalog, d).is_err());
    if catalog.failure(settings.on_invalid).is_none() && !no_data {
        derive_parameters(settings, catalog, as_of, &mut notes).await?;
    }
    Ok(notes)
}

/// An as-of before every row leaves nothing to measure: said as such, not as empty KPIs.
pub(super) fn no_data_before(catalog: &Catalog, as_of: NaiveDate) -> Result<()> {
    // Tables without a time column (campaigns, costs, …) are reference data, not data as of
    // a day: they do not count as data before it.
    let dated = catalog
        .reports
        .iter()
        .filter(|r| crate::model::tables::table(&r.table).is_some_and(|t| t.time_column.is_some()));
    let (kept, later) = dated.fold((0, 0), |(k, l), r| {
        (k + r.rows_accepted, l + r.rows_after_as_of)
    });
    if kept == 0 && later > 0 {
        return Err(Error::NoDataBefore {
            as_of: as_of.to_string(),
            later,
        });
    }
    Ok(())
}

async fn derive_parameters(
    settings: &mut Settings,
    catalog: &Catalog,
    as_of: Option<NaiveDate>,
    notes: &mut Vec<String>,
) -> Result<()> {
    let p = &mut settings.parameters;
    if p.get("brand").is_none() {
        if let Some(brand) = catalog.dominant_brand().await? {
            p.set_if_unset("brand", ParamValue::Text(brand), Source::Data);
        } else if !catalog.present.contains("social_mentions") {
            // Nothing filters on the brand without mentions: the listening use cases are not
            // measurable, and the others do not need it.
            p.set_if_unset("brand", ParamValue::Text(String::new()), Source::Data);
        }
    }
    if let Some(brand) = p.text("brand").filter(|b| !b.is_empty())
        && let Some(note) = catalog.brand_check(brand).await?
    {
        notes.push(note);
    }
    let today = Utc::now().date_naive();
    if let Some(d) = as_of
        && d > today
    {
        notes.push(format!(
            "--as-of {d} is after today ({today}, UTC): the run is named after a day that has not ended, and its last month is read as complete only if the data says so"
        ));
    }
    let activity = catalog.activity_span().await?;
    let span = match activity {
        Some(s) => Some(s),
        None => catalog.data_span().await?,
    };
    if let Some((lo, hi)) = span {
        let window =
            crate::config::window::default_window(lo.date(), hi.date(), as_of.unwrap_or(today));
        if let Some(n) = &window.note
            && p.get("window_end").is_none()
        {
            notes.push(n.clone());
        }
        p.set_if_unset("window_start", ParamValue::Date(window.start), Source::Data);
        p.set_if_unset("window_end", ParamValue::Date(window.end), Source::Data);
    }
    // The window never reaches past the as-of: rows stop there, so costs must too.
    if let (Some(d), Some(end)) = (as_of, p.date("window_end")) {
        let limit = d + chrono::Days::new(1);
        if end > limit {
            let from = match p.source("window_end") {
                Some(Source::File) => "from misura.toml",
                Some(Source::Env) => "from the environment",
                Some(Source::Cli) => "from --param",
                _ => "derived",
            };
            p.set("window_end", ParamValue::Date(limit), Source::Data);
            notes.push(format!(
                "the window_end {end} ({from}) lies after --as-of {d}: the window is clipped to end {limit} (exclusive), so costs and value cover the same days"
            ));
        }
    }
    if let (Some(start), Some(end)) = (p.date("window_start"), p.date("window_end")) {
        if start >= end {
            return Err(Error::EmptyWindow {
                start: start.to_string(),
                end: end.to_string(),
            });
        }
        let first = activity.map(|(lo, _)| lo.date());
        if let Some(n) = crate::config::window::partial_first_month(start, first) {
            notes.push(n);
        }
        if let Some(n) = crate::config::window::partial_last_month(start, end) {
            notes.push(n);
        }
    }
    Ok(())
}
