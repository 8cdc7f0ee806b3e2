//! `misura serve` as BI tools and notebooks use it, with the real clients: a dashboard that
//! stays connected while the nightly run publishes a new run (psycopg), SQLAlchemy's
//! inspector and pandas, psql's `\d+`, and JDBC's catalogue calls.

use crate::pg::{client, have_python, serve_bounded};
use crate::util::{run_binary, sample_copy, without_october_responses};
use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};

const PASSWORD: &str = "live-secret";

#[test]
fn a_connected_dashboard_sees_the_next_run_on_its_next_query_and_never_a_mix() {
    if !have_python(&["psycopg"]) {
        return;
    }
    let data = sample_copy();
    let out = tempfile::tempdir().unwrap();
    let first = run_binary(data.path(), out.path(), "2026-11-30", &[]);
    assert!(
        first.status.success(),
        "{}",
        String::from_utf8_lossy(&first.stderr)
    );
    let latest = out.path().join("latest");
    let data_dir = data.path().to_str().unwrap();
    let server = serve_bounded(
        &latest,
        PASSWORD,
        "30",
        &["--data", data_dir, "--reload-interval", "0.2"],
    );
    let mut dashboard = Command::new("python3")
        .arg(client("live.py"))
        .args([&server.port.to_string(), "1762", "90"])
        .env("PGPASSWORD", PASSWORD)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("python3 runs");
    let mut lines = BufReader::new(dashboard.stdout.take().unwrap()).lines();
    let ready: serde_json::Value =
        serde_json::from_str(&lines.next().expect("the dashboard connects").unwrap()).unwrap();
    let old = ready["first"].clone();
    assert_eq!(old[0], 1762, "{ready}");

    // The nightly run publishes a rerun of the same day on changed data: the folder
    // `latest` points to is replaced, not moved.
    let removed = without_october_responses(data.path());
    let second = run_binary(data.path(), out.path(), "2026-11-30", &[]);
    assert!(
        second.status.success(),
        "{}",
        String::from_utf8_lossy(&second.stderr)
    );

    let report: serde_json::Value =
        serde_json::from_str(&lines.next().expect("the dashboard reports").unwrap())
            .unwrap_or_else(|e| panic!("{e}"));
    let status = dashboard.wait().unwrap();
    assert!(status.success(), "{report}");
    let new = serde_json::json!([1762 - removed, 0.0, 3]);
    for protocol in ["simple", "prepared"] {
        let seen = report["seen"][protocol].as_array().unwrap();
        // Every answer is one run's: the old pair or the new one, never the data of one
        // with the tables of the other.
        for answer in seen {
            assert!(
                *answer == old || *answer == new,
                "{protocol}: {answer} mixes the runs (old {old}, new {new})"
            );
        }
        assert_eq!(seen.first().unwrap(), &old, "{protocol}");
        assert_eq!(
            seen.last().unwrap(),
            &new,
            "{protocol}: the new run is served"
        );
        let switched = seen.iter().position(|a| *a == new).unwrap();
        assert!(
            seen[switched..].iter().all(|a| *a == new),
            "{protocol}: once seen, the new run stays: {seen:?}"
        );
    }
    assert_eq!(
        report["same_connections"], true,
        "the connections were not dropped"
    );
    let log = server.log.lock().unwrap().join("\n");
    assert!(
        log.contains("reload: serving run 2026-11-30 (started"),
        "the log says which run is served: {log}"
    );
}

/// `python3 -c code` with the port as argv[1]: its stdout, or its stderr as the error.
fn python(port: u16, code: &str) -> Result<String, String> {
    let out = Command::new("python3")
        .args(["-c", code, &port.to_string()])
        .env("PGPASSWORD", PASSWORD)
        .output()
        .expect("python3 runs");
    if out.status.success() {
        Ok(String::from_utf8_lossy(&out.stdout).trim().to_string())
    } else {
        Err(String::from_utf8_lossy(&out.stderr).into_owned())
    }
}

#[test]
fn an_analysts_query_means_what_it_says_on_the_wire_as_in_the_shell() {
    if !crate::pg::have_psql() || !have_python(&["psycopg"]) {
        return;
    }
    let data = sample_copy();
    let out = tempfile::tempdir().unwrap();
    let run = run_binary(data.path(), out.path(), "2026-11-30", &[]);
    assert!(
        run.status.success(),
        "{}",
        String::from_utf8_lossy(&run.stderr)
    );
    let server = serve_bounded(&out.path().join("latest"), PASSWORD, "30", &[]);
    let psql = |sql: &str| crate::pg::psql(server.port, "misura", PASSWORD, sql);
    // A correlated scalar subquery in the select list: per-contact counts, not NULLs.
    let correlated = psql(
        "SELECT c.contact_id, (SELECT count(*) FROM tickets t WHERE t.contact_id = c.contact_id) AS n \
         FROM contacts c ORDER BY n DESC, c.contact_id LIMIT 3",
    )
    .unwrap();
    let by_join = psql(
        "SELECT c.contact_id, count(t.ticket_id) AS n FROM contacts c \
         LEFT JOIN tickets t ON t.contact_id = c.contact_id \
         GROUP BY c.contact_id ORDER BY n DESC, c.contact_id LIMIT 3",
    )
    .unwrap();
    assert_eq!(correlated, by_join);
    assert!(!correlated.contains("||"), "{correlated}");
    // A scalar subquery with more than one row is an error, not its first row.
    let many = psql("SELECT (SELECT contact_id FROM contacts) AS x").unwrap_err();
    assert!(many.to_lowercase().contains("more than one row"), "{many}");
    // A bound parameter inside a subquery (psycopg, extended protocol), and a date given
    // for a timestamp, as PostgreSQL reads it.
    let literal = psql(
        "SELECT (SELECT count(*) FROM social_responses WHERE responded_at >= '2026-10-01') AS n",
    )
    .unwrap();
    let bound = python(
        server.port,
        "import sys, psycopg\n\
         c = psycopg.connect(f'host=127.0.0.1 port={sys.argv[1]} user=misura dbname=misura')\n\
         q = 'SELECT (SELECT count(*) FROM social_responses WHERE responded_at >= %s) AS n'\n\
         print(c.execute(q, ('2026-10-01',)).fetchone()[0])",
    )
    .unwrap();
    assert_eq!(bound, literal);
    assert_eq!(literal, "148");
}
