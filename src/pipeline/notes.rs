//! What a run could not see, in words for the log, the manifest's warnings and the report's
//! "Read with care" box: absent tables that shown figures need, and value drivers left out
//! because nothing behind them rests on data. A figure without its data is said to be
//! missing, never shown as a confident number.

use crate::kpi::run::NotMeasurable;
use std::collections::{BTreeMap, BTreeSet};

/// One sentence per absent canonical table that a use case, a model or the ROI needs.
/// `conversions` is the table conversions come from (`orders` or `opportunities`).
pub(crate) fn absent_tables(
    present: &BTreeSet<&'static str>,
    not_measurable: &[NotMeasurable],
    conversions: &str,
) -> Vec<String> {
    // Whole use cases without their tables are listed under their objective already; a
    // KPI missing from a use case that is shown is easy to overlook, so it is named here.
    let mut users: BTreeMap<&str, BTreeSet<String>> = BTreeMap::new();
    for nm in not_measurable {
        let Some(kpi) = &nm.kpi else { continue };
        for t in &nm.needs {
            users.entry(t.as_str()).or_default().insert(kpi.clone());
        }
    }
    let mut notes = Vec::new();
    let absent = |t: &str| !present.contains(t);
    if absent("costs") {
        notes.push(
            "costs is absent: the investment is 0 and no ROI can be computed (value is shown without a cost)".to_string(),
        );
    }
    if absent(conversions) {
        notes.push(format!(
            "{conversions} is absent: no conversion is counted, so no attributed or incremental margin enters any use case's value{}",
            if conversions == "orders" {
                ", and customer lifetime value is not computed"
            } else {
                ""
            }
        ));
    } else if absent("touchpoints") {
        notes.push(
            "touchpoints is absent: no conversion can be attributed to a channel or use case, so no attributed margin enters any value".to_string(),
        );
    }
    for (table, ucs) in &users {
        if matches!(*table, "costs") || *table == conversions {
            continue;
        }
        let list: Vec<&str> = ucs.iter().map(String::as_str).collect();
        notes.push(format!(
            "{table} is absent: {} cannot be measured, though their use cases are shown",
            list.join(", ")
        ));
    }
    notes
}

/// One sentence per value driver left out of the ROI: `(use case, driver, why)`.
pub(crate) fn unmeasured_drivers(unmeasured: &[(String, String, String)]) -> Vec<String> {
    unmeasured
        .iter()
        .map(|(uc, driver, why)| {
            format!("{uc}: {driver} is not measured ({why}); it is not counted as 0, and the use case's value is \"not measured\" unless another driver measures it")
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn absent_tables_name_what_needs_them() {
        let present: BTreeSet<&'static str> = ["contacts", "touchpoints", "costs"].into();
        let nm = vec![
            NotMeasurable {
                use_case: "UC01".into(),
                kpi: None,
                needs: vec!["social_mentions".into()],
            },
            NotMeasurable {
                use_case: "UC04".into(),
                kpi: Some("uc04.roas".into()),
                needs: vec!["social_mentions".into(), "orders".into()],
            },
            NotMeasurable {
                use_case: "UC02".into(),
                kpi: Some("uc02.share".into()),
                needs: vec!["social_mentions".into()],
            },
        ];
        let notes = absent_tables(&present, &nm, "orders");
        assert_eq!(notes.len(), 2, "{notes:?}");
        assert!(notes[0].starts_with("orders is absent: no conversion"));
        assert_eq!(
            notes[1],
            "social_mentions is absent: uc02.share, uc04.roas cannot be measured, though their use cases are shown"
        );
    }
}
