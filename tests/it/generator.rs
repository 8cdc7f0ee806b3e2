//! The generator: deterministic for a seed, valid by the engine's own checks, the committed
//! sample is exactly what it makes, and the truth it plants is present in the data.

use crate::util::{close, sample_dir, settings};
use datafusion::arrow::array::{Array, AsArray};
use datafusion::arrow::datatypes::Float64Type;
use misura::generate::truth::Truth;
use misura::generate::{GenerateOptions, OutFormat, generate};
use std::path::Path;

fn files(dir: &Path) -> Vec<String> {
    let mut v: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().to_string())
        .collect();
    v.sort();
    v
}

fn gen_into(dir: &Path, seed: u64) -> Truth {
    generate(GenerateOptions {
        scale: 0.001,
        seed,
        out: dir.to_path_buf(),
        format: OutFormat::Csv,
    })
    .unwrap()
}

#[test]
fn same_seed_same_bytes_other_seed_other_data() {
    let t = tempfile::tempdir().unwrap();
    let (a, b, c) = (t.path().join("a"), t.path().join("b"), t.path().join("c"));
    gen_into(&a, 9);
    gen_into(&b, 9);
    gen_into(&c, 10);
    assert_eq!(files(&a), files(&b));
    for f in files(&a) {
        assert!(
            std::fs::read(a.join(&f)).unwrap() == std::fs::read(b.join(&f)).unwrap(),
            "{f} differs for the same seed"
        );
    }
    assert!(
        std::fs::read(a.join("social_mentions.csv")).unwrap()
            != std::fs::read(c.join("social_mentions.csv")).unwrap()
    );
}

#[test]
fn committed_sample_is_what_the_generator_makes() {
    // Regenerate with: cargo run -- generate --scale 0.001 --seed 42 --out datasets/sample
    let t = tempfile::tempdir().unwrap();
    gen_into(t.path(), 42);
    assert_eq!(
        files(t.path()),
        files(&sample_dir()),
        "file list of datasets/sample"
    );
    for f in files(t.path()) {
        assert!(
            std::fs::read(t.path().join(&f)).unwrap()
                == std::fs::read(sample_dir().join(&f)).unwrap(),
            "datasets/sample/{f} is not what `misura generate --scale 0.001 --seed 42` writes"
        );
    }
}

async fn scalar(ctx: &datafusion::prelude::SessionContext, sql: &str) -> f64 {
    let batches = ctx.sql(sql).await.unwrap().collect().await.unwrap();
    let col = datafusion::arrow::compute::cast(
        batches[0].column(0),
        &datafusion::arrow::datatypes::DataType::Float64,
    )
    .unwrap();
    let a = col.as_primitive::<Float64Type>();
    assert!(a.is_valid(0), "{sql} returned null");
    a.value(0)
}

#[tokio::test]
async fn generated_data_is_valid_and_carries_the_planted_truth() {
    let truth: Truth =
        serde_json::from_str(&std::fs::read_to_string(sample_dir().join("truth.json")).unwrap())
            .unwrap();
    let mut s = settings(&sample_dir(), None, &[]).unwrap();
    let catalog = misura::pipeline::load(&mut s).await.unwrap();
    // Referential integrity and every value rule: the engine's own validation finds nothing.
    assert!(
        catalog.problems.is_empty(),
        "{:?}",
        catalog
            .problems
            .iter()
            .map(|p| &p.problems[0])
            .collect::<Vec<_>>()
    );
    assert_eq!(
        catalog.present.len(),
        misura::model::tables::TABLES.len(),
        "every table is generated"
    );
    for r in &catalog.reports {
        assert_eq!(r.rows_read, truth.rows[&r.table], "rows of {}", r.table);
    }
    let ctx = &catalog.ctx;
    let real = |k: &str| truth.realized[k];

    // Holdout experiment: conversion per arm during the experiment, within 3.5 standard errors.
    let e = &truth.planted.experiment;
    for (arm, p) in [("treatment", e.p_treatment), ("control", e.p_control)] {
        let sql = format!(
            "SELECT avg(CASE WHEN o.c > 0 THEN 1.0 ELSE 0.0 END) FROM experiment_assignments a \
             LEFT JOIN (SELECT contact_id, count(*) AS c FROM orders WHERE ordered_at >= TIMESTAMP '{} 00:00:00' \
             AND ordered_at < TIMESTAMP '{} 00:00:00' + INTERVAL '1 day' GROUP BY contact_id) o ON o.contact_id = a.contact_id \
             WHERE a.arm = '{arm}'",
            e.start_date, e.end_date
        );
        let n = real(&format!("experiment_{arm}_contacts"));
        let rate = scalar(ctx, &sql).await;
        assert_eq!(
            rate,
            real(&format!("experiment_{arm}_converted")) / n,
            "realised {arm} conversions are in the data"
        );
        close(
            rate,
            p,
            3.5 * (p * (1.0 - p) / n).sqrt(),
            &format!("planted {arm} conversion"),
        );
    }

    // Faster social responses raise lead conversion: the data holds exactly the realised split.
    let speed = |fast: bool| {
        format!(
            "SELECT count(*), count(o.opportunity_id) FROM leads l JOIN social_mentions m ON m.mention_id = l.source_mention_id \
             LEFT JOIN opportunities o ON o.lead_id = l.lead_id WHERE {} (l.first_contacted_at IS NOT NULL AND \
             extract(epoch FROM l.first_contacted_at) - extract(epoch FROM m.posted_at) <= {} * 60)",
            if fast { "" } else { "NOT" },
            truth.planted.fast_minutes
        )
    };
    let fast_n = scalar(ctx, &speed(true)).await;
    let slow_n = scalar(ctx, &speed(false)).await;
    assert_eq!(
        (fast_n, slow_n),
        (real("social_leads_fast"), real("social_leads_slow"))
    );
    let fast_rate = real("social_leads_fast_with_opportunity") / fast_n;
    let slow_rate = real("social_leads_slow_with_opportunity") / slow_n;
    assert!(
        fast_rate > slow_rate,
        "fast {fast_rate} vs slow {slow_rate}"
    );

    // Peer answers deflect tickets: askers with a peer's accepted answer open fewer tickets.
    let deflect = |peer: bool| {
        format!(
            "SELECT avg(CASE WHEN k.n > 0 THEN 1.0 ELSE 0.0 END) FROM community_threads t LEFT JOIN \
             (SELECT t2.thread_id, count(*) AS n FROM community_threads t2 JOIN tickets k ON k.contact_id = t2.asker_contact_id \
             AND k.opened_at >= t2.created_at AND k.opened_at <= t2.created_at + INTERVAL '{} days' GROUP BY t2.thread_id) k \
             ON k.thread_id = t.thread_id WHERE t.asker_contact_id IS NOT NULL AND {} t.accepted_answer_by = 'peer'",
            truth.planted.deflection_window_days,
            if peer { "" } else { "NOT" }
        )
    };
    let (peer, other) = (
        scalar(ctx, &deflect(true)).await,
        scalar(ctx, &deflect(false)).await,
    );
    assert!(
        peer < other - 0.15,
        "ticket rate after a peer's accepted answer {peer} vs others {other}"
    );

    // Advocates buy more: orders per buying contact.
    let per = |adv: bool| {
        format!(
            "SELECT CAST(count(o.order_id) AS DOUBLE) / count(DISTINCT c.contact_id) FROM contacts c LEFT JOIN orders o ON o.contact_id = c.contact_id \
             WHERE c.lifecycle_stage IN ('customer', 'prospect') AND {} c.is_advocate",
            if adv { "" } else { "NOT" }
        )
    };
    let ratio = scalar(ctx, &per(true)).await / scalar(ctx, &per(false)).await;
    assert!(
        ratio > 1.5,
        "advocates' orders per contact / others' = {ratio}"
    );

    // The perception gap differs by industry: automotive customers seek a community.
    let community = |industry: &str| {
        format!(
            "SELECT avg(CASE WHEN selected THEN 1.0 ELSE 0.0 END) FROM survey_responses WHERE respondent_type = 'customer' \
             AND reason = 'community' AND industry = '{industry}'"
        )
    };
    let (auto, retail) = (
        scalar(ctx, &community("automotive")).await,
        scalar(ctx, &community("retail")).await,
    );
    assert!(
        auto > retail + 0.15,
        "community: automotive {auto} vs retail {retail}"
    );

    // The PR crisis day is the day with the most negative own-brand mentions.
    let sql = "SELECT to_char(date_trunc('day', posted_at), '%Y-%m-%d') AS d FROM social_mentions \
               WHERE brand = 'aurora' AND NOT is_brand_post AND sentiment = 'negative' GROUP BY 1 ORDER BY count(*) DESC LIMIT 1";
    let batches = ctx.sql(sql).await.unwrap().collect().await.unwrap();
    let day = misura::arrow_io::text(batches[0].column(0))
        .value(0)
        .to_string();
    assert_eq!(day, truth.planted.crisis_day);
}

#[test]
fn generator_rejects_impossible_scale() {
    let t = tempfile::tempdir().unwrap();
    let err = generate(GenerateOptions {
        scale: 0.0,
        seed: 1,
        out: t.path().into(),
        format: OutFormat::Csv,
    })
    .unwrap_err();
    assert!(
        err.to_string().contains("--scale 0 must be in (0, 10]"),
        "{err}"
    );
}
