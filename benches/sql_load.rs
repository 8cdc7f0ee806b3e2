//! Load test of `misura serve` (issue 7): the server on loopback over the embedded sample
//! (or `MISURA_BENCH_DATA`), `MISURA_BENCH_CLIENTS` (default 16) concurrent `psql` clients
//! each sending `MISURA_BENCH_QUERIES` (default 200) queries — a mix of canonical-table
//! scans, joins, aggregates, staging and use-case views — over one connection with
//! `\timing`; reports errors, p50/p95/p99/max latency as psql measured it, and throughput.
//!
//! `cargo bench --profile dev --bench sql_load` (needs `psql`: Debian `postgresql-client`).

mod common;

use common::env_or;
use misura::config::{Overrides, Settings};
use misura::sql::SqlSession;
use misura::sql::server::{self, AuthMethod, ServeOptions};
use std::io::Write;
use std::process::Command;
use std::time::{Duration, Instant};

const QUERIES: &[&str] = &[
    "SELECT count(*) FROM contacts;",
    "SELECT lifecycle_stage, count(*) FROM contacts GROUP BY lifecycle_stage ORDER BY 1;",
    "SELECT c.segment, round(sum(o.revenue), 2) FROM orders o JOIN contacts c ON c.contact_id = o.contact_id GROUP BY c.segment ORDER BY 1;",
    "SELECT network, sentiment, count(*) FROM social_mentions GROUP BY network, sentiment ORDER BY 1, 2;",
    "SELECT channel, count(*), avg(extract(epoch FROM resolved_at) - extract(epoch FROM opened_at)) FROM tickets GROUP BY channel ORDER BY 1;",
    "SELECT period_month, count(*) FROM stg_tickets GROUP BY period_month ORDER BY 1 LIMIT 5;",
    "SELECT kpi, period, value FROM uc17 WHERE period = 'all' ORDER BY kpi;",
    "SELECT kpi, value FROM uc03 WHERE period = 'all' ORDER BY kpi;",
];

#[tokio::main(flavor = "multi_thread")]
async fn main() {
    let clients: usize = env_or("MISURA_BENCH_CLIENTS", 16);
    let per_client: usize = env_or("MISURA_BENCH_QUERIES", 200);
    let data = std::env::var("MISURA_BENCH_DATA").ok().map(Into::into);
    let mut settings = Settings::resolve(
        &Overrides {
            data,
            config: None,
            params: Vec::new(),
            on_invalid: None,
        },
        &std::env::vars().collect(),
    )
    .expect("settings");
    let catalog = SqlSession::open(&mut settings, None)
        .await
        .expect("catalog");
    let password = "bench-password";
    let bound = server::bind(
        &catalog.ctx,
        "the generated data".into(),
        &ServeOptions {
            host: "127.0.0.1".into(),
            port: 0,
            user: "misura".into(),
            password: Some(password.into()),
            auth: AuthMethod::Scram,
            tls: None,
            query_timeout: Duration::from_secs(60),
            memory_limit: Some(2 << 30),
            max_connections: clients + 4,
        },
    )
    .await
    .expect("bind");
    let port = bound.addr.port();
    tokio::spawn(bound.serve());

    let dir = tempfile::tempdir().expect("temp dir");
    let script = dir.path().join("load.sql");
    let mut f = std::fs::File::create(&script).expect("script");
    writeln!(f, "\\timing on").unwrap();
    for i in 0..per_client {
        writeln!(f, "{}", QUERIES[i % QUERIES.len()]).unwrap();
    }
    drop(f);

    let started = Instant::now();
    let outputs = tokio::task::spawn_blocking(move || {
        let children: Vec<_> = (0..clients)
            .map(|_| {
                Command::new("psql")
                    .arg(format!(
                        "host=127.0.0.1 port={port} user=misura dbname=misura"
                    ))
                    .args(["-X", "-q", "-v", "ON_ERROR_STOP=0", "-f"])
                    .arg(&script)
                    .env("PGPASSWORD", password)
                    .stdout(std::process::Stdio::piped())
                    .stderr(std::process::Stdio::piped())
                    .spawn()
                    .expect("psql (apt-get install postgresql-client)")
            })
            .collect();
        children
            .into_iter()
            .map(|c| c.wait_with_output().expect("psql ends"))
            .collect::<Vec<_>>()
    })
    .await
    .expect("clients");
    let wall = started.elapsed().as_secs_f64();

    let mut latencies: Vec<f64> = Vec::new();
    let mut errors = 0;
    for o in &outputs {
        let out = String::from_utf8_lossy(&o.stdout);
        latencies.extend(
            out.lines()
                .filter_map(|l| l.strip_prefix("Time: "))
                .filter_map(|l| l.split_whitespace().next())
                .filter_map(|ms| ms.parse::<f64>().ok()),
        );
        let err = String::from_utf8_lossy(&o.stderr);
        errors += err.lines().filter(|l| l.contains("ERROR")).count();
        if !o.status.success() {
            errors += 1;
            eprintln!("client failed: {err}");
        }
    }
    latencies.sort_by(f64::total_cmp);
    let q = |p: f64| latencies[((latencies.len() as f64 - 1.0) * p).round() as usize];
    println!(
        "{clients} clients × {per_client} queries: {} answered, {errors} errors, {wall:.1} s wall, {:.0} queries/s",
        latencies.len(),
        latencies.len() as f64 / wall
    );
    println!(
        "latency (psql \\timing): p50 {:.1} ms   p95 {:.1} ms   p99 {:.1} ms   max {:.1} ms",
        q(0.5),
        q(0.95),
        q(0.99),
        q(1.0)
    );
    assert_eq!(errors, 0, "the load test must see no error");
    assert_eq!(
        latencies.len(),
        clients * per_client,
        "every query answered"
    );
}
