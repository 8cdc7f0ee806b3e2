//! KPI runs: not-measurable handling, failing and analysts' own queries, the generator's
//! realised truth on the committed sample, reproducibility. Hand-computed values per KPI are
//! in the golden fixtures (`kpi_fixtures.rs`).

use crate::util::{close, fixture, kpi, run, sample_dir};
use misura::generate::truth::Truth;

#[tokio::test]
async fn absent_tables_make_kpis_not_measurable_not_zero() {
    let dir = fixture();
    std::fs::remove_file(dir.path().join("social_identities.csv")).unwrap();
    std::fs::remove_file(dir.path().join("costs.csv")).unwrap();
    let out = tempfile::tempdir().unwrap();
    let s = run(dir.path(), out.path(), None).await.unwrap();
    let nm: Vec<(String, Option<String>, Vec<String>)> = s
        .manifest
        .not_measurable
        .iter()
        .map(|n| (n.use_case.clone(), n.kpi.clone(), n.needs.clone()))
        .collect();
    assert!(
        nm.contains(&(
            "UC01".into(),
            Some("uc01.identity_match_rate".into()),
            vec!["social_identities".into()]
        )),
        "{nm:?}"
    );
    assert!(
        nm.contains(&(
            "5M".into(),
            Some("m.measurement_cost_coverage".into()),
            vec!["costs".into()]
        )),
        "{nm:?}"
    );
    let text = std::fs::read_to_string(s.run_dir.join("tables/kpi_values.csv")).unwrap();
    assert!(
        !text.contains("identity_match_rate") && !text.contains("mapping_rate"),
        "{text}"
    );
    assert_eq!(s.exit_code(), 0, "not measurable is not a failure");

    // Without mentions, the whole use case is not measurable.
    std::fs::remove_file(dir.path().join("social_mentions.csv")).unwrap();
    std::fs::remove_file(dir.path().join("social_responses.csv")).unwrap();
    let fixed = std::fs::read_to_string(dir.path().join("tickets.csv"))
        .unwrap()
        .replace(",M2,", ",,");
    std::fs::write(dir.path().join("tickets.csv"), fixed).unwrap();
    let s = run(dir.path(), out.path(), None).await.unwrap();
    assert!(
        s.manifest
            .not_measurable
            .iter()
            .any(|n| n.use_case == "UC01" && n.kpi.is_none() && n.needs == ["social_mentions"])
    );
}

#[tokio::test]
async fn a_failing_query_is_reported_and_the_others_still_run() {
    let dir = fixture();
    let q = crate::util::broken_queries();
    let sub = q.path().join("custom");
    std::fs::write(sub.join("mine.sql"), "SELECT 'my.brand_posts' AS kpi, 'all' AS period, NULL AS dimension, NULL AS dimension_value, CAST(count(*) AS DOUBLE) AS value, count(*) AS n FROM stg_mentions WHERE is_brand_post AND brand = {{ brand }}").unwrap();
    std::fs::write(
        sub.join("mine.toml"),
        "use_case = \"UC02\"\nobjective = \"marketing\"\nname = \"Mine\"\ndescription = \"x\"\ngrain = \"x\"\nrequires = [\"social_mentions\"]\n[[kpis]]\nid = \"my.brand_posts\"\nname = \"Brand posts\"\nunit = \"count\"\nformula = \"brand posts in the window\"\n",
    )
    .unwrap();
    let out = tempfile::tempdir().unwrap();
    let settings = crate::util::settings(dir.path(), None, &[]).unwrap();
    let mut opts = misura::pipeline::RunOptions::new(
        out.path(),
        chrono::NaiveDate::from_ymd_opt(2026, 11, 22).unwrap(),
    );
    opts.pdf = misura::report::pdf::Pdf::Off; // report.pdf has its own test
    opts.queries = Some(q.path().to_path_buf());
    let s = misura::pipeline::run(settings, &opts).await.unwrap();
    assert_eq!(s.exit_code(), 1);
    assert_eq!(s.manifest.status, "failed");
    let f = &s.manifest.failures[0];
    assert!(
        f.file.ends_with("custom/broken.sql") && f.error.contains("no_such_table"),
        "{f:?}"
    );
    assert_eq!(
        kpi(&s.run_dir, "my.brand_posts", "all"),
        Some(1.0),
        "the analyst's own KPI runs"
    );
    assert_eq!(
        kpi(&s.run_dir, "uc01.mention_volume", "all"),
        Some(3.0),
        "built-ins still run"
    );
}

#[tokio::test]
async fn sample_kpis_equal_the_generators_realised_truth() {
    let truth: Truth =
        serde_json::from_str(&std::fs::read_to_string(sample_dir().join("truth.json")).unwrap())
            .unwrap();
    let t = |k: &str| truth.realized[k];
    let out = tempfile::tempdir().unwrap();
    let s = run(&sample_dir(), out.path(), None).await.unwrap();
    let r = &s.run_dir;
    assert_eq!(
        kpi(r, "uc01.mention_volume", "all"),
        Some(t("own_mentions"))
    );
    close(
        kpi(r, "uc01.net_sentiment", "all").unwrap(),
        (t("own_positive") - t("own_negative")) / t("own_mentions"),
        1e-12,
        "net sentiment",
    );
    close(
        kpi(r, "uc01.share_of_voice", "all").unwrap(),
        t("own_mentions") / t("non_brand_mentions"),
        1e-12,
        "share of voice",
    );
    close(
        kpi(r, "uc01.identity_match_rate", "all").unwrap(),
        t("own_matched_authors") / t("own_authors"),
        1e-12,
        "match rate",
    );
    close(
        kpi(r, "m.management_response_rate", "all").unwrap(),
        t("actionable_answered") / t("actionable_mentions"),
        1e-12,
        "management",
    );
    close(
        kpi(r, "m.middleware_rate", "all").unwrap(),
        t("actionable_routed") / t("actionable_responses"),
        1e-12,
        "middleware",
    );
    close(
        kpi(r, "m.measurement_cost_coverage", "all").unwrap(),
        t("cost_prorated_tagged") / t("cost_prorated_total"),
        1e-9,
        "cost coverage",
    );
    assert_eq!(kpi(r, "m.monitoring_days_covered", "all"), Some(1.0));
    // Sales, innovation and collaboration KPIs against the realised counts.
    let ratio = |a: &str, b: &str| t(a) / t(b);
    close(
        kpi(r, "uc07.conversion_rate_fast", "all").unwrap(),
        ratio("social_leads_fast_with_opportunity", "social_leads_fast"),
        1e-12,
        "uc07 fast",
    );
    close(
        kpi(r, "uc07.conversion_rate_slow", "all").unwrap(),
        ratio("social_leads_slow_with_opportunity", "social_leads_slow"),
        1e-12,
        "uc07 slow",
    );
    assert_eq!(
        kpi(r, "uc07.social_leads", "all"),
        Some(t("social_leads_fast") + t("social_leads_slow"))
    );
    assert!(
        kpi(r, "uc07.conversion_rate_fast", "all") > kpi(r, "uc07.conversion_rate_slow", "all"),
        "planted: fast responses convert more"
    );
    close(
        kpi(r, "uc13.implementation_rate", "all").unwrap(),
        ratio("ideas_non_employee_implemented", "ideas_non_employee"),
        1e-12,
        "uc13",
    );
    close(
        kpi(r, "uc14.cross_department_case_share", "all").unwrap(),
        ratio("cross_department_cases", "collaborated_cases"),
        1e-12,
        "uc14",
    );
    close(
        kpi(r, "uc16.partner_case_share", "all").unwrap(),
        ratio("partner_cases", "collaborated_cases"),
        1e-12,
        "uc16",
    );
    // The planted PR crisis (2026-03-17) raises an alert in March.
    assert!(
        kpi(r, "uc03.alert_days", "2026-03").unwrap() >= 1.0,
        "crisis day not flagged"
    );
    assert!(s.manifest.failures.is_empty(), "{:?}", s.manifest.failures);
    assert!(
        s.manifest.not_measurable.is_empty(),
        "the sample has every table: {:?}",
        s.manifest.not_measurable
    );
    // Planted probabilities are recovered within sampling error.
    let p = truth.planted.identity_match_probability;
    let n = t("own_authors");
    close(
        t("own_matched_authors") / n,
        p,
        3.0 * (p * (1.0 - p) / n).sqrt(),
        "planted match probability",
    );
    assert!(
        s.manifest.inputs.iter().all(|i| i.rows_rejected == 0),
        "the sample is valid"
    );
}

#[tokio::test]
async fn reruns_are_byte_identical_and_csv_equals_parquet() {
    let dir = tempfile::tempdir().unwrap();
    let (csv_dir, pq_dir) = (dir.path().join("csv"), dir.path().join("pq"));
    for (out, format) in [
        (&csv_dir, misura::generate::OutFormat::Csv),
        (&pq_dir, misura::generate::OutFormat::Parquet),
    ] {
        misura::generate::generate(misura::generate::GenerateOptions {
            scale: 0.001,
            seed: 5,
            out: out.clone(),
            format,
        })
        .unwrap();
    }
    let out = tempfile::tempdir().unwrap();
    let read = |p: &std::path::Path, f: &str| std::fs::read(p.join("tables").join(f)).unwrap();
    let a = run(&csv_dir, &out.path().join("a"), None).await.unwrap();
    let b = run(&csv_dir, &out.path().join("b"), None).await.unwrap();
    let c = run(&pq_dir, &out.path().join("c"), None).await.unwrap();
    for f in [
        "kpi_values.csv",
        "kpi_values.parquet",
        "attribution.csv",
        "attribution.parquet",
        "roi.csv",
        "roi.parquet",
        "roi_drivers.csv",
        "experiments_result.csv",
    ] {
        assert!(
            read(&a.run_dir, f) == read(&b.run_dir, f),
            "{f} differs between identical runs"
        );
    }
    for f in ["kpi_values.csv", "attribution.csv", "roi.csv"] {
        assert!(
            read(&a.run_dir, f) == read(&c.run_dir, f),
            "CSV and Parquet inputs give a different {f}"
        );
    }
    let rows: u64 = c.manifest.inputs.iter().map(|i| i.rows_read).sum();
    assert_eq!(
        rows,
        a.manifest.inputs.iter().map(|i| i.rows_read).sum::<u64>()
    );
    assert!(
        c.manifest
            .inputs
            .iter()
            .all(|i| i.files[0].path.ends_with(".parquet"))
    );
}
