//! Launches judged in a run: the generator plants a 30 % cut of the Italian contacts' tickets
//! from the community's launch (UC11) and no effect at all for UC07's launch in Germany
//! (truth.json); the run's BSTS counterfactual must find the first inside its interval and
//! call the second no detectable effect, and the ROI must count each in place of the drivers
//! its sidecar names. Bad rows of `launches` are refused like any other table's.

use std::collections::BTreeMap;
use std::path::Path;

fn rows(path: &Path) -> Vec<BTreeMap<String, String>> {
    let mut rdr = csv::Reader::from_path(path).unwrap();
    rdr.deserialize().map(Result::unwrap).collect()
}

fn find<'a>(
    rows: &'a [BTreeMap<String, String>],
    keys: &[(&str, &str)],
) -> &'a BTreeMap<String, String> {
    rows.iter()
        .find(|r| keys.iter().all(|(k, v)| r[*k] == *v))
        .unwrap_or_else(|| panic!("no row {keys:?}"))
}

fn num(r: &BTreeMap<String, String>, k: &str) -> f64 {
    r[k].parse()
        .unwrap_or_else(|_| panic!("{k} = {:?} is not a number", r[k]))
}

#[tokio::test]
async fn planted_launch_effects_are_recovered_and_counted_in_the_roi() {
    let data = tempfile::tempdir().unwrap();
    let truth = misura::generate::generate(misura::generate::GenerateOptions {
        scale: 0.1,
        seed: 42,
        out: data.path().to_path_buf(),
        format: misura::generate::OutFormat::Parquet,
    })
    .unwrap();
    let out = tempfile::tempdir().unwrap();
    let s = crate::util::run(data.path(), out.path(), None)
        .await
        .unwrap();
    let impact = rows(&s.run_dir.join("tables/impact.csv"));
    let planted = &truth.planted.launches;
    assert_eq!(planted.len(), 2);

    // L01: tickets in IT cut by the community; the truth counts every ticket it removed
    // inside the post-period's whole weeks.
    let removed = truth.realized["launch_L01_tickets_removed_in_post_weeks"];
    let l01 = find(&impact, &[("launch_id", "L01"), ("method", "bsts")]);
    let (lo, hi) = (num(l01, "effect_ci_low"), num(l01, "effect_ci_high"));
    eprintln!(
        "L01: effect {} ({lo} to {hi}), planted {}; relative {}; {}",
        l01["effect"], -removed, l01["relative_effect"], l01["reasons"]
    );
    assert_eq!(l01["verdict"], "effect", "{l01:?}");
    assert!(lo <= -removed && -removed <= hi, "{l01:?}");
    assert!(hi < 0.0);
    // The relative effect is about the planted share of the tickets it applies to (social
    // and community tickets of IT are not cut, so it is a little smaller).
    let rel = num(l01, "relative_effect");
    assert!((-0.35..=-0.2).contains(&rel), "{rel}");
    // Fewer tickets is better: the value is the effect with its sign turned, at the cost of a ticket.
    let value = num(l01, "value");
    crate::util::close(
        value,
        -num(l01, "effect") * num(l01, "value_per_unit"),
        1e-6,
        "L01 value",
    );
    assert!(value > 0.0);

    // L02: nothing was planted; the counterfactual sees no effect and its interval holds 0.
    let l02 = find(&impact, &[("launch_id", "L02"), ("method", "bsts")]);
    eprintln!(
        "L02: effect {} ({} to {}), {}",
        l02["effect"], l02["effect_ci_low"], l02["effect_ci_high"], l02["verdict"]
    );
    assert_eq!(l02["verdict"], "no detectable effect", "{l02:?}");
    assert!(num(l02, "effect_ci_low") <= 0.0 && 0.0 <= num(l02, "effect_ci_high"));
    // Both launches are in one scope: a synthetic control is read beside each.
    for id in ["L01", "L02"] {
        find(
            &impact,
            &[("launch_id", id), ("method", "synthetic_control")],
        );
    }
    let series = rows(&s.run_dir.join("tables/impact_series.csv"));
    let l01_series: Vec<_> = series
        .iter()
        .filter(|r| r["launch_id"] == "L01" && r["method"] == "bsts")
        .collect();
    assert_eq!(
        l01_series.len() as f64,
        num(l01, "pre_periods") + num(l01, "post_periods")
    );
    let last = l01_series.last().unwrap();
    crate::util::close(
        num(last, "cumulative_effect"),
        num(l01, "effect"),
        1e-6 * removed,
        "the series' last cumulative effect is the effect",
    );

    // The ROI counts each counterfactual in place of the drivers its sidecar names.
    let drivers = rows(&s.run_dir.join("tables/roi_drivers.csv"));
    let d = |uc: &str, driver: &str| find(&drivers, &[("use_case", uc), ("driver", driver)]);
    let uc11 = d("UC11", "counterfactual_value");
    assert_eq!(uc11["evidence"], "quasi-experiment");
    assert_eq!(uc11["used"], "true");
    crate::util::close(num(uc11, "value"), value, 1e-6, "UC11 counterfactual value");
    assert_eq!(d("UC11", "service_savings")["used"], "false");
    assert_eq!(d("UC11", "attributed_margin")["used"], "true");
    assert_eq!(d("UC07", "counterfactual_value")["used"], "true");
    assert_eq!(d("UC07", "attributed_margin")["used"], "false");
    let roi = rows(&s.run_dir.join("tables/roi.csv"));
    assert_eq!(
        find(&roi, &[("use_case", "UC07")])["evidence"],
        "quasi-experiment"
    );
}

/// Copies the committed sample into a temporary folder.
fn sample_copy() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    for f in std::fs::read_dir(crate::util::sample_dir()).unwrap() {
        let f = f.unwrap().path();
        std::fs::copy(&f, dir.path().join(f.file_name().unwrap())).unwrap();
    }
    dir
}

#[tokio::test]
async fn the_sample_judges_its_launches_the_same_way_twice() {
    let data = sample_copy();
    let (a, b) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    let ra = crate::util::run(data.path(), a.path(), None).await.unwrap();
    let rb = crate::util::run(data.path(), b.path(), None).await.unwrap();
    for t in ["impact.csv", "impact_series.csv", "roi_drivers.csv"] {
        assert_eq!(
            std::fs::read(ra.run_dir.join("tables").join(t)).unwrap(),
            std::fs::read(rb.run_dir.join("tables").join(t)).unwrap(),
            "{t} differs between two runs"
        );
    }
    // The page shows each launch under its use case with its verdict.
    let page = std::fs::read_to_string(ra.run_dir.join("index.html")).unwrap();
    for id in ["launch-L01", "launch-L02"] {
        assert!(page.contains(id), "{id} not on the page");
    }
}

#[test]
fn a_launch_with_half_a_scope_is_refused_with_its_row_and_fix() {
    let data = sample_copy();
    crate::util::edit(data.path(), "launches.csv", "country,IT,", "country,,");
    let out = tempfile::tempdir().unwrap();
    let o = crate::util::misura()
        .args(["run", "--data"])
        .arg(data.path())
        .arg("--out")
        .arg(out.path())
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(1), "{err}");
    for part in [
        "launches.csv row 1",
        "scope_value",
        "scope_dimension and scope_value must be given together",
    ] {
        assert!(err.contains(part), "{part:?} not in: {err}");
    }
}
