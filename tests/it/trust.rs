//! Never a confident wrong number, through the real binary: data that goes missing is said
//! out loud (file names in any case, absent tables, a brand that matches nothing, value that
//! cannot be measured), the window never mixes a partial month or reaches past the as-of,
//! journeys start after the previous conversion wherever it lies, and demo data says so.

use crate::util::{edit, fixture, manifest, misura, sample_copy};
use std::path::Path;

/// `misura run` on `data` into `out` for `as_of`: (exit code, stderr, run folder).
fn run(data: &Path, out: &Path, as_of: &str, extra: &[&str]) -> (Option<i32>, String) {
    let o = misura()
        .args(["run", "--force", "--as-of", as_of, "--data"])
        .arg(data)
        .arg("--out")
        .arg(out)
        .args(extra)
        .output()
        .unwrap();
    (
        o.status.code(),
        String::from_utf8_lossy(&o.stderr).to_string(),
    )
}

fn warnings(m: &serde_json::Value) -> Vec<String> {
    m["warnings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|w| w.as_str().unwrap().to_string())
        .collect()
}

/// The text of the report's "Read with care" box.
fn read_with_care(run_dir: &Path) -> String {
    let page = std::fs::read_to_string(run_dir.join("index.html")).unwrap();
    let start = page.find("Read with care").expect("a Read with care box");
    page[start..start + page[start..].find("</div>").unwrap()].to_string()
}

#[test]
fn an_upper_case_extension_is_read_and_an_absent_table_is_said_out_loud() {
    let dir = fixture();
    std::fs::rename(dir.path().join("orders.csv"), dir.path().join("Orders.CSV")).unwrap();
    let check = misura()
        .args(["check", "--data"])
        .arg(dir.path())
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&check.stdout);
    assert!(
        text.lines()
            .any(|l| l.starts_with("orders ") && l.contains("Orders.CSV")),
        "{text}"
    );
    let out = tempfile::tempdir().unwrap();
    let (code, stderr) = run(dir.path(), out.path(), "2026-03-01", &[]);
    assert_eq!(code, Some(0), "{stderr}");
    let m = manifest(&out.path().join("2026-03-01"));
    let orders = m["inputs"]
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["table"] == "orders");
    assert_eq!(orders.unwrap()["rows_read"], 2);

    // Without orders at all: the log, the manifest and the page say what that means.
    std::fs::remove_file(dir.path().join("Orders.CSV")).unwrap();
    let (code, stderr) = run(dir.path(), out.path(), "2026-03-01", &[]);
    assert_eq!(code, Some(0), "{stderr}");
    assert!(stderr.contains("orders is absent"), "{stderr}");
    let run_dir = out.path().join("2026-03-01");
    assert!(
        warnings(&manifest(&run_dir))
            .iter()
            .any(|w| w.starts_with("orders is absent: no conversion is counted")),
        "{:?}",
        warnings(&manifest(&run_dir))
    );
    assert!(read_with_care(&run_dir).contains("Orders is absent"));
}

#[test]
fn value_that_cannot_be_measured_is_not_minus_100_percent() {
    let dir = sample_copy();
    for t in ["contacts.csv", "orders.csv"] {
        std::fs::remove_file(dir.path().join(t)).unwrap();
    }
    // Ideas without any recorded value.
    let ideas = std::fs::read_to_string(dir.path().join("ideas.csv")).unwrap();
    let blanked: Vec<String> = ideas
        .lines()
        .enumerate()
        .map(|(i, l)| {
            if i == 0 {
                l.to_string()
            } else {
                let (head, _) = l.rsplit_once(',').unwrap();
                format!("{head},")
            }
        })
        .collect();
    std::fs::write(dir.path().join("ideas.csv"), blanked.join("\n") + "\n").unwrap();
    let out = tempfile::tempdir().unwrap();
    let (code, stderr) = run(dir.path(), out.path(), "2026-11-22", &[]);
    assert_eq!(code, Some(0), "{stderr}");
    let run_dir = out.path().join("2026-11-22");
    let mut roi = csv::Reader::from_path(run_dir.join("tables/roi.csv")).unwrap();
    let head = roi.headers().unwrap().clone();
    let col = |name: &str| head.iter().position(|h| h == name).unwrap();
    let mut seen = 0;
    for rec in roi.records() {
        let rec = rec.unwrap();
        if ["UC08", "UC13"].contains(&&rec[0]) {
            seen += 1;
            assert_eq!(
                (
                    &rec[col("value")],
                    &rec[col("roi")],
                    &rec[col("roi_ci_low")]
                ),
                ("", "", ""),
                "{} has no measurable value: {rec:?}",
                &rec[0]
            );
        }
        // No interval of zero width from missing data.
        let (lo, hi) = (&rec[col("roi_ci_low")], &rec[col("roi_ci_high")]);
        if !lo.is_empty() && lo == hi {
            panic!("zero-width interval for {}: {rec:?}", &rec[0]);
        }
    }
    assert_eq!(seen, 2, "UC08 and UC13 carry costs, so they have rows");
    let care = read_with_care(&run_dir);
    assert!(care.contains("innovation_value is not measured"), "{care}");
    assert!(
        care.contains("experiment EXP01 has no conversions to compare"),
        "{care}"
    );
    let page = std::fs::read_to_string(run_dir.join("index.html")).unwrap();
    let uc08 = page.split("<tr>").find(|r| r.contains("UC08 ")).unwrap();
    assert!(
        uc08.contains("not measured") && !uc08.contains("−100") && !uc08.contains("-100"),
        "{uc08}"
    );
}

#[test]
fn a_brand_that_matches_no_mention_is_said_with_the_near_ones() {
    let dir = fixture();
    let out = tempfile::tempdir().unwrap();
    let (code, stderr) = run(
        dir.path(),
        out.path(),
        "2026-03-01",
        &["--param", "brand=ACME"],
    );
    assert_eq!(code, Some(0), "{stderr}");
    assert!(
        stderr.contains("the brand `ACME` matches no mention")
            && stderr.contains("did you mean `acme`"),
        "{stderr}"
    );
    let run_dir = out.path().join("2026-03-01");
    assert!(
        warnings(&manifest(&run_dir))
            .iter()
            .any(|w| w.contains("`ACME` matches no mention"))
    );
    assert!(read_with_care(&run_dir).contains("matches no mention"));
    // The right brand: no such note.
    let (_, stderr) = run(dir.path(), out.path(), "2026-03-01", &[]);
    assert!(!stderr.contains("matches no mention"), "{stderr}");
}

#[test]
fn a_crm_export_without_social_tables_runs_without_a_brand() {
    let dir = tempfile::tempdir().unwrap();
    let fx = fixture();
    for t in ["contacts.csv", "orders.csv"] {
        std::fs::copy(fx.path().join(t), dir.path().join(t)).unwrap();
    }
    std::fs::write(
        dir.path().join("touchpoints.csv"),
        "touchpoint_id,contact_id,occurred_at,channel,campaign_id,use_case,cost\nH1,C1,2026-01-05T10:00:00Z,email,,,\nH2,C1,2026-01-08T10:00:00Z,search,,,\nH3,C2,2026-02-01T10:00:00Z,email,,,\n",
    )
    .unwrap();
    let out = tempfile::tempdir().unwrap();
    let (code, stderr) = run(dir.path(), out.path(), "2026-03-01", &[]);
    assert_eq!(code, Some(0), "{stderr}");
    assert!(!stderr.contains("has no value"), "{stderr}");
    let m = manifest(&out.path().join("2026-03-01"));
    let not_measurable: Vec<&str> = m["not_measurable"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|n| n["kpi"].is_null())
        .map(|n| n["use_case"].as_str().unwrap())
        .collect();
    assert!(not_measurable.contains(&"UC01"), "{not_measurable:?}");
    assert!(
        out.path()
            .join("2026-03-01/tables/attribution.csv")
            .is_file()
    );
}

#[test]
fn journeys_start_after_a_previous_conversion_made_before_the_window() {
    // C1 bought on 31 Dec, the day before the window; its touch of 20 Dec belongs to that
    // purchase, so the journey of its 10 Jan order holds the 5 Jan touch only.
    let dir = fixture();
    edit(
        dir.path(),
        "orders.csv",
        "O1,C1,",
        "O0,C1,2025-12-31T12:00:00Z,50,10,\nO1,C1,",
    );
    std::fs::write(
        dir.path().join("touchpoints.csv"),
        "touchpoint_id,contact_id,occurred_at,channel,campaign_id,use_case,cost\nH1,C1,2025-12-20T10:00:00Z,email,,,\nH2,C1,2026-01-05T10:00:00Z,search,,,\n",
    )
    .unwrap();
    let out = tempfile::tempdir().unwrap();
    let (code, stderr) = run(dir.path(), out.path(), "2026-03-01", &[]);
    assert_eq!(code, Some(0), "{stderr}");
    let mut rdr =
        csv::Reader::from_path(out.path().join("2026-03-01/tables/attribution.csv")).unwrap();
    let head = rdr.headers().unwrap().clone();
    let col = |n: &str| head.iter().position(|h| h == n).unwrap();
    let mut first_touch = std::collections::BTreeMap::new();
    for rec in rdr.records() {
        let rec = rec.unwrap();
        if &rec[col("model")] == "first_touch" && rec[col("use_case")].is_empty() {
            first_touch.insert(
                rec[col("channel")].to_string(),
                rec[col("conversions")].parse::<f64>().unwrap(),
            );
        }
    }
    // O1 (C1, 10 Jan) → search; O2 (C2, 10 Feb) has no touch.
    assert_eq!(first_touch.get("search"), Some(&1.0), "{first_touch:?}");
    assert_eq!(
        first_touch.get("email").copied().unwrap_or(0.0),
        0.0,
        "{first_touch:?}"
    );
    assert_eq!(first_touch.get("(no touch)"), Some(&1.0), "{first_touch:?}");
}

#[test]
fn the_default_window_is_whole_months_and_never_passes_the_as_of() {
    let dir = fixture();
    std::fs::write(
        dir.path().join("misura.toml"),
        "[parameters]\nbrand = \"acme\"\n",
    )
    .unwrap();
    let out = tempfile::tempdir().unwrap();
    // Activity from 5 Jan to 10 Feb 2026 (contacts were created in 2025: not activity).
    let (code, stderr) = run(dir.path(), out.path(), "2026-11-22", &[]);
    assert_eq!(code, Some(0), "{stderr}");
    let m = manifest(&out.path().join("2026-11-22"));
    assert_eq!(
        (m["window"][0].as_str(), m["window"][1].as_str()),
        (Some("2026-01-01"), Some("2026-03-01"))
    );
    // On 15 Feb, February has not ended: the window is January.
    let (code, stderr) = run(dir.path(), out.path(), "2026-02-15", &[]);
    assert_eq!(code, Some(0), "{stderr}");
    let m = manifest(&out.path().join("2026-02-15"));
    assert_eq!(
        (m["window"][0].as_str(), m["window"][1].as_str()),
        (Some("2026-01-01"), Some("2026-02-01"))
    );

    // A configured end after the as-of is clipped, and the log says so.
    std::fs::write(
        dir.path().join("misura.toml"),
        "[parameters]\nbrand = \"acme\"\nwindow_start = \"2026-01-01\"\nwindow_end = \"2026-03-01\"\n",
    )
    .unwrap();
    let (code, stderr) = run(dir.path(), out.path(), "2026-02-14", &[]);
    assert_eq!(code, Some(0), "{stderr}");
    assert!(stderr.contains("clipped to end 2026-02-15"), "{stderr}");
    let run_dir = out.path().join("2026-02-14");
    let m = manifest(&run_dir);
    assert_eq!(m["window"][1], "2026-02-15");
    // The window now ends inside February: the page says the month is partial.
    assert!(
        read_with_care(&run_dir).contains("inside 2026-02"),
        "{}",
        read_with_care(&run_dir)
    );

    // An as-of before every row: said as such.
    let (code, stderr) = run(dir.path(), out.path(), "2020-01-01", &[]);
    assert_eq!(code, Some(1), "{stderr}");
    assert!(
        stderr.contains("no data on or before 2020-01-01"),
        "{stderr}"
    );
    assert!(!stderr.contains("is not found in"), "{stderr}");
    // A future as-of is warned about.
    let (_, stderr) = run(dir.path(), out.path(), "2099-01-01", &[]);
    assert!(stderr.contains("is after today"), "{stderr}");
}

#[test]
fn a_past_as_of_on_generated_data_has_no_orphans() {
    let data = tempfile::tempdir().unwrap();
    let g = misura()
        .args(["generate", "--scale", "0.002", "--seed", "3", "--out"])
        .arg(data.path())
        .output()
        .unwrap();
    assert_eq!(
        g.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&g.stderr)
    );
    let out = tempfile::tempdir().unwrap();
    let (code, stderr) = run(data.path(), out.path(), "2026-06-30", &[]);
    assert_eq!(code, Some(0), "{stderr}");
    let m = manifest(&out.path().join("2026-06-30"));
    assert_eq!(m["window"][1], "2026-07-01", "clipped to the as-of");
    let rejected: u64 = m["rejected"]
        .as_object()
        .unwrap()
        .values()
        .map(|v| v.as_u64().unwrap())
        .sum();
    assert_eq!(rejected, 0);
}

#[test]
fn the_embedded_sample_says_it_is_demo_data() {
    let cwd = tempfile::tempdir().unwrap();
    let o = misura()
        .args(["run", "--as-of", "2026-11-22"])
        .current_dir(cwd.path())
        .env_remove("MISURA_DATA")
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(0), "{stderr}");
    assert!(stderr.contains("embedded demo sample"), "{stderr}");
    let page = std::fs::read_to_string(cwd.path().join("reports/2026-11-22/index.html")).unwrap();
    assert!(page.contains("id=\"banner-demo\""));
    // Own data: no banner.
    let dir = fixture();
    let out = tempfile::tempdir().unwrap();
    run(dir.path(), out.path(), "2026-03-01", &[]);
    let page = std::fs::read_to_string(out.path().join("2026-03-01/index.html")).unwrap();
    assert!(!page.contains("banner-demo"));
    // The window ends on a month's end: no partial-month banner.
    assert!(!page.contains("banner-partial"), "whole months");
}

#[test]
fn a_window_ending_inside_a_month_says_its_last_month_is_partial() {
    let dir = fixture();
    let out = tempfile::tempdir().unwrap();
    let (code, stderr) = run(
        dir.path(),
        out.path(),
        "2026-03-01",
        &["--param", "window_end=2026-02-15"],
    );
    assert_eq!(code, Some(0), "{stderr}");
    let page = std::fs::read_to_string(out.path().join("2026-03-01/index.html")).unwrap();
    assert!(page.contains("id=\"banner-partial\""), "partial banner");
    assert!(
        page.contains("The period ends 2026-02-14, inside Feb 2026: its last month holds 14 days"),
        "the banner names the last day and the days covered"
    );
}
