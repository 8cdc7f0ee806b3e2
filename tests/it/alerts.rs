//! Nightly alerts: a collapse planted in one KPI's last month is named, the unchanged data
//! raises fewer, the false-alarm rate of the control limits stays at the stated level however
//! many nights they are checked, the scheduler's flags (`--fail-on-alert`, `--on-alert`) and
//! the project's mutes.

use crate::util::{gauss, run_binary, sample_copy, without_october_responses};
use misura::analyses::alerts::chart::{Family, Point, band};
use std::path::Path;

fn run(dir: &Path, out: &Path, as_of: &str, extra: &[&str]) -> (i32, Vec<serde_json::Value>) {
    let o = run_binary(dir, out, as_of, extra);
    let alerts = std::fs::read_to_string(out.join(as_of).join("alerts.json"))
        .unwrap_or_else(|_| panic!("no alerts.json: {}", String::from_utf8_lossy(&o.stderr)));
    (
        o.status.code().unwrap(),
        serde_json::from_str(&alerts).unwrap(),
    )
}

fn kpis(alerts: &[serde_json::Value]) -> Vec<String> {
    alerts
        .iter()
        .filter_map(|a| a["kpi"].as_str().map(str::to_string))
        .collect()
}

#[test]
fn a_collapse_in_the_last_month_is_named_and_fails_a_scheduled_run() {
    let out = tempfile::tempdir().unwrap();
    let plain = sample_copy();
    let (code, calm) = run(plain.path(), out.path(), "2026-11-20", &["--fail-on-alert"]);
    assert!(!kpis(&calm).contains(&"m.management_response_rate".to_string()));
    assert_eq!(code, if calm.is_empty() { 0 } else { 4 });

    let planted = sample_copy();
    assert!(without_october_responses(planted.path()) > 100);
    let hook = out.path().join("hook.json");
    let (code, fired) = run(
        planted.path(),
        out.path(),
        "2026-11-21",
        &[
            "--fail-on-alert",
            "--on-alert",
            &format!("cp \"$1\" '{}'", hook.display()),
        ],
    );
    assert_eq!(code, 4, "--fail-on-alert exits 4 when an alert fired");
    let names = kpis(&fired);
    assert!(
        names.contains(&"m.management_response_rate".to_string()),
        "{names:?}"
    );
    assert!(
        fired.len() > calm.len(),
        "{} alerts planted vs {} unchanged",
        fired.len(),
        calm.len()
    );
    let a = fired
        .iter()
        .find(|a| a["kpi"] == "m.management_response_rate")
        .unwrap();
    assert_eq!(a["period"], "2026-10");
    assert_eq!(a["direction"], "down");
    assert_eq!(a["value"], 0.0);
    assert!(a["expected_low"].as_f64().unwrap() > 0.2);
    assert!(a["method"].as_str().unwrap().contains("control chart"));
    assert!(a["explanation"].as_str().unwrap().contains("fell to 0.0 %"));
    // The hook got the alerts file.
    let copied: Vec<serde_json::Value> =
        serde_json::from_str(&std::fs::read_to_string(&hook).unwrap()).unwrap();
    assert_eq!(copied, fired);
    // The page opens with them and marks the KPI.
    let page = std::fs::read_to_string(out.path().join("2026-11-21/index.html")).unwrap();
    let alert_banner = page.find("id=\"banner-alert\"").expect("an alert banner");
    assert!(alert_banner < page.find("Executive summary").unwrap_or(usize::MAX));
    assert!(page.contains("class=\"noise alert\""));
    // The manifest says what was judged and what not, and why.
    let m: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(out.path().join("2026-11-21/manifest.json")).unwrap(),
    )
    .unwrap();
    assert_eq!(m["alerts"]["fired"], fired.len());
    assert!(m["alerts"]["judged"].as_u64().unwrap() > 20);
    assert!(
        m["alerts"]["not_judged"]
            .as_array()
            .unwrap()
            .iter()
            .any(|n| n["reason"].as_str().unwrap().starts_with("tiny counts"))
    );
}

#[test]
fn a_muted_kpi_is_not_alerted_and_a_misspelt_one_is_warned_about() {
    let out = tempfile::tempdir().unwrap();
    let planted = sample_copy();
    without_october_responses(planted.path());
    let toml = planted.path().join("misura.toml");
    let text = std::fs::read_to_string(&toml).unwrap();
    std::fs::write(
        &toml,
        format!("{text}\n[alerts]\nmute = [\"m.management_response_rate\", \"m.managment_response_rate\"]\n"),
    )
    .unwrap();
    let (_, fired) = run(planted.path(), out.path(), "2026-11-21", &[]);
    assert!(!kpis(&fired).contains(&"m.management_response_rate".to_string()));
    let m = std::fs::read_to_string(out.path().join("2026-11-21/manifest.json")).unwrap();
    assert!(m.contains("muted in misura.toml"));
    assert!(
        m.contains("did you mean `m.management_response_rate`"),
        "{m}"
    );
}

/// One in-control month of a KPI: a share of 500 at 30 %, a count averaging 200, or a value
/// around 10 with sd 2 (normal approximations of the binomial and Poisson draws).
fn month(family: Family, z: f64) -> Point {
    match family {
        Family::Share => Point {
            value: ((150.0 + z * (500.0f64 * 0.3 * 0.7).sqrt()).round() / 500.0).clamp(0.0, 1.0),
            n: 500.0,
        },
        Family::Count => {
            let c = (200.0 + z * 200f64.sqrt()).round();
            Point { value: c, n: c }
        }
        Family::Individual => Point {
            value: 10.0 + 2.0 * z,
            n: 1.0,
        },
    }
}

#[test]
fn the_false_alarm_rate_stays_at_its_level_however_many_nights_are_checked() {
    // 1,000 KPIs of each family, 4 years of months. A nightly run with a year's window judges
    // the last complete month against the 11 before it, and every night of a month judges the
    // same month: checking it 30 times gives the same verdict, so the share of nights with a
    // false alarm is the share of months with one. Stated: at most 0.3 % of in-control
    // months (normal theory: 0.27 %, an average run length of 370 months per KPI).
    let mut draw = gauss(24);
    for family in [Family::Share, Family::Count, Family::Individual] {
        let (mut nights, mut alarms, mut first_year, mut last_year) = (0u64, 0u64, 0u64, 0u64);
        for _ in 0..1_000 {
            let months: Vec<Point> = (0..48).map(|_| month(family, draw())).collect();
            for judged in 11..48 {
                // The 30 nights of the month after `judged` see the same months: one verdict.
                let m = months[judged];
                let b = band(family, &months[judged - 11..judged], m.n, 3.0).unwrap();
                let alarm = m.value < b.low || m.value > b.high;
                nights += 30;
                alarms += 30 * u64::from(alarm);
                if alarm && judged < 23 {
                    first_year += 1;
                } else if alarm && judged >= 36 {
                    last_year += 1;
                }
            }
        }
        let rate = alarms as f64 / nights as f64;
        eprintln!(
            "{family:?}: false alarms on {rate:.4} of nights ({first_year} in the first year, {last_year} in the last)"
        );
        assert!(rate <= 0.003, "{family:?}: {rate}");
        // It does not grow with the nights checked: the last year is no worse than the first.
        assert!(
            last_year as f64 <= 1.5 * first_year as f64 + 60.0,
            "{family:?}: {first_year} then {last_year}"
        );
    }
}
