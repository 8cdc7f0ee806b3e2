//! Voice of the customer across channels on the sample: every ticket and community thread of
//! the window is counted once on its channel, shares sum to 1 per period, cost = contacts ×
//! cost per contact, the repeat rate is uc17's, and cheaper channels are flagged against the
//! assisted channel (phone).

use crate::util::close;
use std::collections::BTreeMap;

fn in_window(ts: &str) -> bool {
    ("2025-11-01".."2026-11-01").contains(&&ts[..10])
}

#[tokio::test]
async fn channel_mix_accounts_for_every_contact() {
    let sample = crate::util::sample_dir();
    let out = tempfile::tempdir().unwrap();
    let s = crate::util::run(&sample, out.path(), None).await.unwrap();

    let mut expected: BTreeMap<String, u64> = BTreeMap::new();
    for r in csv::Reader::from_path(sample.join("tickets.csv"))
        .unwrap()
        .records()
    {
        let r = r.unwrap();
        if in_window(&r[3]) {
            *expected.entry(r[2].to_string()).or_default() += 1;
        }
    }
    for r in csv::Reader::from_path(sample.join("community_threads.csv"))
        .unwrap()
        .records()
    {
        if in_window(&r.unwrap()[2]) {
            *expected.entry("community".into()).or_default() += 1;
        }
    }

    let mut rdr = csv::Reader::from_path(s.run_dir.join("tables/channel_mix.csv")).unwrap();
    let rows: Vec<csv::StringRecord> = rdr.records().map(Result::unwrap).collect();
    let all: BTreeMap<String, u64> = rows
        .iter()
        .filter(|r| &r[0] == "all")
        .map(|r| (r[1].to_string(), r[2].parse().unwrap()))
        .collect();
    assert_eq!(all, expected, "contacts per channel over the window");

    let mut share_per_period: BTreeMap<String, f64> = BTreeMap::new();
    let mut monthly: BTreeMap<String, u64> = BTreeMap::new();
    let phone_cost = rows
        .iter()
        .find(|r| &r[0] == "all" && &r[1] == "phone")
        .map(|r| r[4].parse::<f64>().unwrap())
        .unwrap();
    for r in &rows {
        *share_per_period.entry(r[0].to_string()).or_default() += r[3].parse::<f64>().unwrap();
        if &r[0] != "all" {
            *monthly.entry(r[1].to_string()).or_default() += r[2].parse::<u64>().unwrap();
        }
        if !r[4].is_empty() {
            let (n, cpc, cost): (f64, f64, f64) = (
                r[2].parse().unwrap(),
                r[4].parse().unwrap(),
                r[5].parse().unwrap(),
            );
            close(cost, n * cpc, 1e-9, "cost = contacts × cost per contact");
        }
        if &r[0] == "all" && !r[4].is_empty() {
            let cheaper = r[4].parse::<f64>().unwrap() < phone_cost;
            assert_eq!(&r[7], if cheaper { "true" } else { "false" }, "{}", &r[1]);
        }
        if &r[0] == "all" && !r[6].is_empty() {
            let uc17 = crate::util::kpi_by(&s.run_dir, "uc17.repeat_contact_rate", "all", &r[1]);
            close(
                r[6].parse().unwrap(),
                uc17.unwrap(),
                1e-12,
                "repeat rate from uc17",
            );
        }
    }
    for (p, total) in share_per_period {
        close(total, 1.0, 1e-9, &format!("shares of {p}"));
    }
    assert_eq!(monthly, expected, "the months add up to the window");
}
