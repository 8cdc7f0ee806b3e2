//! The maturity stages: every rule of `queries/maturity.toml` checked on indicator values
//! built to land exactly on its boundary (at the threshold, and just on the wrong side), a
//! missing indicator is "not assessable" (never a wrong stage), thresholds are configurable,
//! and the sample run writes the table with the self-assessment beside it.

use misura::analyses::maturity::rules::{Condition, Model};
use misura::analyses::maturity::{Indicators, assess};
use misura::kpi::run::KpiValue;
use std::collections::BTreeMap;

fn passing(c: &Condition) -> Option<f64> {
    match c.op.as_str() {
        ">" => Some(c.threshold.unwrap() + 1.0),
        "exists" => Some(1.0),
        _ => c.threshold,
    }
}

fn failing(c: &Condition) -> Option<f64> {
    let t = c.threshold.unwrap_or(0.0);
    match c.op.as_str() {
        ">=" => Some(t - 1e-9),
        "<=" => Some(t + 1e-9),
        ">" => Some(t),
        _ => None, // exists
    }
}

fn kpi(id: &str, v: f64) -> KpiValue {
    KpiValue {
        use_case: "X".into(),
        kpi: id.into(),
        period: "all".into(),
        dimension: None,
        dimension_value: None,
        value: Some(v),
        unit: "ratio".into(),
        n: 1,
        ci_low: None,
        ci_high: None,
    }
}

/// The stage of `dimension` with `values` (KPI ids go to kpi_values, the rest to indicators).
fn stage(
    model: &Model,
    dimension: &str,
    values: &BTreeMap<String, Option<f64>>,
) -> (u8, Vec<String>) {
    let mut ind = Indicators::new();
    let mut kpis = Vec::new();
    for (k, v) in values {
        if k.contains('.') {
            if let Some(v) = v {
                kpis.push(kpi(k, *v));
            }
        } else {
            ind.insert(("all".into(), k.clone()), *v);
        }
    }
    let m = assess(model, &ind, &kpis, &["all".to_string()], &BTreeMap::new());
    let d = m.dimensions.iter().find(|d| d.id == dimension).unwrap();
    (d.stage, d.blocked_by.clone())
}

#[test]
fn every_rule_at_and_just_below_its_threshold() {
    let model = Model::load(&BTreeMap::new()).unwrap();
    let mut checked = 0;
    for d in &model.dimension {
        for r in &d.rules {
            let conditions = r.conditions();
            for (k, c) in conditions.iter().enumerate() {
                // Higher stages fail, lower stages and the rest of this stage hold; the other
                // alternatives of this rule fail, so `c` alone decides.
                let mut values: BTreeMap<String, Option<f64>> = BTreeMap::new();
                // (The next stage up fails first: an indicator shared with a later stage
                // keeps the value that fails the nearer one.)
                for other in d.rules.iter().filter(|o| o.stage > r.stage) {
                    for oc in other.conditions() {
                        values
                            .entry(oc.indicator.clone())
                            .or_insert_with(|| failing(&oc));
                    }
                }
                for other in d
                    .rules
                    .iter()
                    .filter(|o| o.stage <= r.stage && o.id != r.id)
                {
                    for oc in other.conditions() {
                        values.insert(oc.indicator.clone(), passing(&oc));
                    }
                }
                for (j, alt) in conditions.iter().enumerate() {
                    if j != k {
                        values.insert(alt.indicator.clone(), failing(alt));
                    }
                }
                values.insert(c.indicator.clone(), passing(c));
                let (at, _) = stage(&model, &d.id, &values);
                assert_eq!(at, r.stage, "{} at its threshold: stage {}", c.id, r.stage);
                values.insert(c.indicator.clone(), failing(c));
                let (below, blocked) = stage(&model, &d.id, &values);
                assert_eq!(below, r.stage - 1, "{} just below its threshold", c.id);
                assert!(blocked.iter().any(|b| b.contains(&r.id)), "{blocked:?}");
                if c.op != "exists" && conditions.len() == 1 {
                    values.insert(c.indicator.clone(), None);
                    let (missing, blocked) = stage(&model, &d.id, &values);
                    // (An indicator shared with a lower stage blocks there already.)
                    assert!(
                        missing < r.stage,
                        "{}: absent data never reaches the stage",
                        c.id
                    );
                    assert!(
                        blocked.iter().any(|b| b.contains("not assessable")),
                        "{}: {blocked:?}",
                        c.id
                    );
                }
                checked += 1;
            }
        }
    }
    assert!(checked >= 26, "{checked} conditions checked");
}

#[test]
fn thresholds_are_configurable_and_unknown_rules_rejected() {
    let mut o = BTreeMap::new();
    o.insert("culture.4.response_rate".to_string(), 0.9);
    let m = Model::load(&o).unwrap();
    let r = m.dimension[0]
        .rules
        .iter()
        .find(|r| r.id == "culture.4.response_rate")
        .unwrap();
    assert_eq!(r.threshold, Some(0.9));
    o.insert("culture.4.respons_rate".to_string(), 0.9);
    let err = Model::load(&o).unwrap_err().to_string();
    assert!(
        err.contains("did you mean `culture.4.response_rate`"),
        "{err}"
    );
}

#[tokio::test]
async fn the_sample_run_assesses_every_dimension_and_month() {
    let out = tempfile::tempdir().unwrap();
    let s = crate::util::run(&crate::util::sample_dir(), out.path(), None)
        .await
        .unwrap();
    let mut rdr = csv::Reader::from_path(s.run_dir.join("tables/maturity.csv")).unwrap();
    let stages: Vec<(String, String, f64)> = rdr
        .records()
        .map(Result::unwrap)
        .filter(|r| &r[3] == "(stage)")
        .map(|r| (r[0].to_string(), r[1].to_string(), r[5].parse().unwrap()))
        .collect();
    let all: Vec<&(String, String, f64)> = stages.iter().filter(|s| s.0 == "all").collect();
    assert_eq!(all.len(), 4, "four dimensions");
    assert!(all.iter().all(|s| (1.0..=5.0).contains(&s.2)));
    assert_eq!(stages.len(), 4 * 13, "the window and its 12 months");
    let html = std::fs::read_to_string(s.run_dir.join("index.html")).unwrap();
    assert!(
        html.contains("Where the company stands"),
        "maturity section in the report"
    );
    assert!(
        html.contains("self-assessment"),
        "self-assessment shown beside"
    );
}
