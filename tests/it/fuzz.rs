//! Property-based fuzzing of everything that parses outside input (issue 11): CSV and NDJSON
//! ingestion with the canonical schemas, `misura.toml`, `--param` values, query sidecars and
//! SQL templates, and the SQL server's statement guard. The property is always the same:
//! the input is accepted or refused with an error — never a panic — and the guard never lets
//! a writing statement through.
//!
//! In `cargo test` each target runs a few dozen cases. For a time-bounded campaign:
//! `MISURA_FUZZ_SECONDS=600 cargo test --test it fuzz::<target> -- --nocapture` (cases and
//! time are printed; a failure is shrunk to a minimal input and printed — pin it as a test).

use misura::config::{Overrides, Settings};
use proptest::prelude::*;
use proptest::test_runner::{Config, TestCaseError, TestRunner};
use std::collections::BTreeMap;
use std::path::Path;
use std::time::{Duration, Instant};

/// Runs `check` on values of `strategy`: `cases` of them, or for `MISURA_FUZZ_SECONDS`.
fn fuzz<S: Strategy>(
    name: &str,
    strategy: S,
    cases: u32,
    check: impl Fn(S::Value) -> Result<(), TestCaseError>,
) where
    S::Value: std::fmt::Debug,
{
    let seconds: Option<u64> = std::env::var("MISURA_FUZZ_SECONDS")
        .ok()
        .and_then(|s| s.parse().ok());
    let mut runner = TestRunner::new(Config {
        cases,
        failure_persistence: None,
        ..Config::default()
    });
    let started = Instant::now();
    let mut n = 0u64;
    match seconds {
        None => {
            if let Err(e) = runner.run(&strategy, &check) {
                panic!("{name}: {e}");
            }
            n = u64::from(cases);
        }
        Some(s) => {
            while started.elapsed() < Duration::from_secs(s) {
                let tree = strategy
                    .new_tree(&mut runner)
                    .expect("strategy makes a value");
                if let Err(e) = runner.run_one(tree, &check) {
                    panic!("{name}: {e}");
                }
                n += 1;
            }
        }
    }
    eprintln!(
        "fuzz {name}: {n} cases in {:.1} s, no finding",
        started.elapsed().as_secs_f64()
    );
}

/// Text that looks like what exporters write: mostly printable, some separators, quotes,
/// odd unicode, control characters.
fn messy_text() -> impl Strategy<Value = String> {
    prop_oneof![
        4 => "[ -~]{0,40}",
        2 => "[a-zA-Z0-9_,;\"'\\n\\r\\t=\\[\\]{}.:\\-]{0,60}",
        1 => any::<String>(),
    ]
}

#[test]
fn sql_guard() {
    use datafusion::sql::parser::DFParser;
    use misura::sql::guard;
    let writes = prop_oneof![
        Just("INSERT INTO contacts VALUES ('x')".to_string()),
        Just("COPY (SELECT 1) TO '/tmp/x'".to_string()),
        Just("CREATE EXTERNAL TABLE t STORED AS CSV LOCATION '/etc/passwd'".to_string()),
        Just("DROP TABLE contacts".to_string()),
        Just("CREATE TABLE t AS SELECT 1".to_string()),
        Just("DELETE FROM contacts".to_string()),
        Just("UPDATE contacts SET segment = 'x'".to_string()),
        Just("SET datafusion.execution.batch_size = 1".to_string()),
        Just("EXPLAIN ANALYZE INSERT INTO contacts VALUES ('x')".to_string()),
    ];
    // Any text: parsed or refused, never a panic; a writing statement, however it is
    // decorated (case, comments, whitespace, a preceding SELECT), never passes.
    let decorated = (writes, "[ \\t\\n]{0,3}", prop::bool::ANY, prop::bool::ANY).prop_map(
        |(w, space, lower, prefix)| {
            let w = if lower { w.to_lowercase() } else { w };
            let pre = if prefix { "SELECT 1; " } else { "" };
            format!("{pre}/* c */{space}{w}{space}-- end")
        },
    );
    fuzz("sql_guard/any", messy_text(), 256, |text| {
        if let Ok(statements) = DFParser::parse_sql(&text) {
            for s in &statements {
                let _ = guard::check_df(s);
            }
        }
        Ok(())
    });
    let parsed = std::sync::atomic::AtomicUsize::new(0);
    fuzz("sql_guard/writes", decorated, 64, |text| {
        let statements = match DFParser::parse_sql(&text) {
            Ok(s) => s,
            Err(_) => return Ok(()), // not SQL: nothing runs
        };
        parsed.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        let refused = statements.iter().any(|s| guard::check_df(s).is_err());
        prop_assert!(refused, "{text} passed the guard");
        Ok(())
    });
    assert!(
        parsed.into_inner() > 0,
        "no decorated write parsed: the property checked nothing"
    );
}

fn settings_for(
    data: &Path,
    config: Option<&Path>,
    params: Vec<String>,
) -> misura::Result<Settings> {
    Settings::resolve(
        &Overrides {
            data: Some(data.to_path_buf()),
            config: config.map(Path::to_path_buf),
            params,
            on_invalid: None,
        },
        &BTreeMap::new(),
    )
}

#[test]
fn config_file_and_params() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("misura.toml");
    let keys = prop_oneof![
        Just("[parameters]\n"),
        Just("[datasets.contacts]\n"),
        Just("[maturity.thresholds]\n"),
        Just("[use_cases.UC03]\n"),
        Just(""),
    ];
    let toml = (keys, "[a-z_]{1,12}", messy_text())
        .prop_map(|(section, key, value)| format!("{section}{key} = {value}\n"));
    fuzz(
        "misura.toml",
        prop_oneof![toml, messy_text()],
        256,
        |text| {
            std::fs::write(&file, &text).unwrap();
            let _ = settings_for(dir.path(), Some(&file), Vec::new());
            Ok(())
        },
    );
    let names = prop_oneof![
        Just("brand".to_string()),
        Just("window_start".to_string()),
        Just("influencer_reach".to_string()),
        Just("default_margin_rate".to_string()),
        Just("clv_horizon".to_string()),
        Just("bootstrap_samples".to_string()),
        "[a-z_]{0,12}",
    ];
    let empty = tempfile::tempdir().unwrap();
    fuzz(
        "--param",
        (names, prop::bool::ANY, messy_text()),
        256,
        |(name, eq, value)| {
            let arg = if eq {
                format!("{name}={value}")
            } else {
                format!("{name}{value}")
            };
            let _ = settings_for(empty.path(), None, vec![arg]);
            Ok(())
        },
    );
}

#[test]
fn query_sidecars_and_templates() {
    use misura::kpi::load::QuerySet;
    let dir = tempfile::tempdir().unwrap();
    let sub = dir.path().join("marketing");
    std::fs::create_dir_all(&sub).unwrap();
    let params = settings_for(&crate::util::sample_dir(), None, Vec::new())
        .unwrap()
        .parameters;
    let sidecar = (messy_text(), messy_text()).prop_map(|(uc, kpi)| {
        format!(
            "use_case = {uc:?}\nrequires = [\"orders\"]\n[[kpis]]\nid = {kpi:?}\nname = \"n\"\nunit = \"count\"\nformula = \"f\"\n"
        )
    });
    let sql = prop_oneof![
        messy_text(),
        messy_text().prop_map(|t| format!("SELECT {{{{ {t} }}}} AS kpi")),
        Just("SELECT {{ brand }} AS kpi, {{ window_start }} AS p".to_string()),
    ];
    fuzz(
        "sidecars",
        (sql, prop_oneof![sidecar, messy_text()]),
        256,
        |(sql, toml)| {
            std::fs::write(sub.join("q.sql"), &sql).unwrap();
            std::fs::write(sub.join("q.toml"), &toml).unwrap();
            let mut q = QuerySet::default();
            let _ = q.add_dir(dir.path());
            let _ = misura::kpi::template::render(&sql, &params, "q.sql");
            Ok(())
        },
    );
}

/// A contacts file: the canonical header (sometimes mangled) and rows of messy fields.
fn contacts_csv() -> impl Strategy<Value = String> {
    let header = prop_oneof![
        4 => Just("contact_id,account_id,created_at,segment,industry,country,lifecycle_stage,churned_at,is_advocate".to_string()),
        1 => messy_text(),
    ];
    let field = prop_oneof![
        3 => "[A-Z0-9]{1,6}",
        2 => Just("2026-01-05T10:00:00Z".to_string()),
        1 => Just("true".to_string()),
        1 => Just("customer".to_string()),
        1 => Just(String::new()),
        2 => "[ !#-+\\--~]{0,20}", // printable, no comma or quote: the row keeps its 9 fields
        1 => messy_text(),
    ];
    let row = prop_oneof![
        4 => prop::collection::vec(field.clone(), 9..=9),
        1 => prop::collection::vec(field, 0..11),
    ]
    .prop_map(|f| f.join(","));
    (header, prop::collection::vec(row, 0..6)).prop_map(|(h, rows)| {
        let mut s = h;
        for r in rows {
            s.push('\n');
            s.push_str(&r);
        }
        s
    })
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn ingestion_csv_and_ndjson() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().to_path_buf();
    let runtime = tokio::runtime::Handle::current();
    let strategy = prop_oneof![
        6 => contacts_csv().prop_map(|t| ("contacts.csv", t)),
        1 => messy_text().prop_map(|t| ("contacts.csv", t)),
        2 => messy_text().prop_map(|t| ("contacts.ndjson", format!("{{\"contact_id\": {t:?}}}\n{t}"))),
        1 => any::<Vec<u8>>().prop_map(|b| ("contacts.csv", String::from_utf8_lossy(&b).into_owned())),
    ];
    let outcomes = std::sync::Arc::new([
        std::sync::atomic::AtomicUsize::new(0),
        std::sync::atomic::AtomicUsize::new(0),
    ]);
    let counted = outcomes.clone();
    tokio::task::spawn_blocking(move || {
        fuzz("ingestion", strategy, 48, |(name, text)| {
            for f in ["contacts.csv", "contacts.ndjson"] {
                let _ = std::fs::remove_file(path.join(f));
            }
            std::fs::write(path.join(name), &text).unwrap();
            for policy in [
                misura::config::OnInvalid::Fail,
                misura::config::OnInvalid::Reject,
            ] {
                let mut s = match settings_for(&path, None, vec!["brand=acme".into()]) {
                    Ok(s) => s,
                    Err(_) => return Ok(()),
                };
                s.on_invalid = policy;
                let loaded = runtime.block_on(misura::pipeline::load(&mut s));
                counted[usize::from(loaded.is_ok())]
                    .fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                if let Ok(catalog) = loaded {
                    // Nothing lost: every row read is accepted or rejected.
                    for r in &catalog.reports {
                        prop_assert_eq!(
                            r.rows_read,
                            r.rows_accepted + r.rows_rejected + r.rows_after_as_of,
                            "{} accounting",
                            r.table
                        );
                    }
                }
            }
            Ok(())
        });
    })
    .await
    .unwrap();
    let [refused, loaded] = &*outcomes;
    assert!(
        loaded.load(std::sync::atomic::Ordering::Relaxed) > 0,
        "no input loaded: the accounting property checked nothing"
    );
    eprintln!(
        "ingestion: {} loads returned a catalog, {} an error",
        loaded.load(std::sync::atomic::Ordering::Relaxed),
        refused.load(std::sync::atomic::Ordering::Relaxed)
    );
}
