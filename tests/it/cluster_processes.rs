//! A cluster of real processes on loopback (`misura cluster scheduler`, two `misura cluster
//! executor`s) and `misura run --cluster`: when one executor is killed (SIGKILL) mid-run, the
//! run either finishes on the one left with the local run's answer, or fails within a bounded
//! time with a plain message; it never hangs.

use crate::util::misura;
use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("a free port")
        .port()
}

/// Kills the processes it holds when dropped (a failing assertion leaves none behind).
struct Processes(Vec<Child>);

impl Drop for Processes {
    fn drop(&mut self) {
        for c in &mut self.0 {
            let _ = c.kill();
            let _ = c.wait();
        }
    }
}

fn wait_for_port(port: u16, within: Duration) {
    let start = Instant::now();
    while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
        assert!(start.elapsed() < within, "nothing listens on {port}");
        std::thread::sleep(Duration::from_millis(100));
    }
}

fn run_cmd(out: &Path, extra: &[&str]) -> Command {
    let mut c = misura();
    c.args([
        "run",
        "--force",
        "--as-of",
        "2026-11-22",
        "--param",
        "bootstrap_samples=50",
        "--data",
    ])
    .arg(crate::util::sample_dir())
    .arg("--out")
    .arg(out)
    .args(extra);
    c
}

#[test]
fn a_killed_executor_never_hangs_a_cluster_run() {
    let sched_port = free_port();
    let scheduler = misura()
        .args([
            "cluster",
            "scheduler",
            "--external-host",
            "127.0.0.1",
            "--bind",
        ])
        .arg(format!("127.0.0.1:{sched_port}"))
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut procs = Processes(vec![scheduler]);
    wait_for_port(sched_port, Duration::from_secs(30));
    let work = tempfile::tempdir().unwrap();
    for i in 0..2 {
        let dir = work.path().join(format!("executor-{i}"));
        std::fs::create_dir_all(&dir).unwrap();
        let executor = misura()
            .args([
                "cluster",
                "executor",
                "--concurrent-tasks",
                "1",
                "--scheduler",
            ])
            .arg(format!("127.0.0.1:{sched_port}"))
            .args(["--bind-host", "127.0.0.1", "--port"])
            .arg(free_port().to_string())
            .arg("--grpc-port")
            .arg(free_port().to_string())
            .arg("--work-dir")
            .arg(&dir)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        procs.0.push(executor);
    }
    let local_out = tempfile::tempdir().unwrap();
    let local = run_cmd(local_out.path(), &[]).output().unwrap();
    assert_eq!(
        local.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&local.stderr)
    );

    let out = tempfile::tempdir().unwrap();
    let url = format!("df://127.0.0.1:{sched_port}");
    let mut client = run_cmd(
        out.path(),
        &["--cluster", &url, "--cluster-query-timeout", "90"],
    )
    .stderr(Stdio::piped())
    .stdout(Stdio::null())
    .spawn()
    .unwrap();
    let stderr = client.stderr.take().unwrap();
    let (tx, rx) = std::sync::mpsc::channel::<String>();
    std::thread::spawn(move || {
        for line in BufReader::new(stderr).lines().map_while(Result::ok) {
            if tx.send(line).is_err() {
                break;
            }
        }
    });
    // Kill one executor as soon as the cluster has computed a use case.
    let started = Instant::now();
    let mut log = Vec::new();
    loop {
        let line = rx
            .recv_timeout(Duration::from_secs(120))
            .expect("the cluster run computes a use case within 120 s");
        let computed = line.contains("use case computed");
        log.push(line);
        if computed {
            break;
        }
    }
    procs.0[1].kill().unwrap();
    procs.0[1].wait().unwrap();
    // Bounded: the scheduler notices within ~17 s and re-runs the lost tasks; the per-query
    // limit (90 s here) bounds the rest.
    let limit = Duration::from_secs(420);
    let status = loop {
        while let Ok(line) = rx.try_recv() {
            log.push(line);
        }
        if let Some(s) = client.try_wait().unwrap() {
            break s;
        }
        if started.elapsed() > limit {
            let _ = client.kill();
            panic!(
                "the cluster run hung after an executor was killed:\n{}",
                log.join("\n")
            );
        }
        std::thread::sleep(Duration::from_millis(200));
    };
    while let Ok(line) = rx.recv_timeout(Duration::from_secs(2)) {
        log.push(line);
    }
    let log = log.join("\n");
    match status.code() {
        Some(0) => {
            let table = |dir: &Path| {
                std::fs::read_to_string(dir.join("2026-11-22/tables/kpi_values.csv")).unwrap()
            };
            crate::scale::same_up_to_summation_order(&table(local_out.path()), &table(out.path()));
        }
        code => {
            assert_eq!(code, Some(1), "{log}");
            assert!(
                log.contains("did not finish within") || log.contains("executor"),
                "a failure names what was lost:\n{log}"
            );
            assert!(out.path().join("2026-11-22.failed-1").is_dir(), "{log}");
        }
    }
}

/// Alive-executor counts handed out in order (the last one repeats).
struct Counts(std::sync::Mutex<Vec<usize>>);

#[async_trait::async_trait]
impl misura::kpi::run::Executors for Counts {
    async fn alive(&self) -> Option<usize> {
        let mut v = self.0.lock().unwrap();
        Some(if v.len() > 1 { v.remove(0) } else { v[0] })
    }
}

/// The KPI step on the fixture, with the scheduler reporting `counts` around each query.
async fn kpis_with(counts: Vec<usize>) -> misura::kpi::KpiOutcome {
    kpis_within(counts, Duration::from_secs(60)).await
}

/// [`kpis_with`], each query bounded by `timeout`.
async fn kpis_within(counts: Vec<usize>, timeout: Duration) -> misura::kpi::KpiOutcome {
    let dir = crate::util::fixture();
    let mut s = crate::util::settings(dir.path(), None, &[]).unwrap();
    let catalog = misura::pipeline::load(&mut s).await.unwrap();
    let queries = misura::kpi::load::QuerySet::builtin().unwrap();
    let catalogue = misura::kpi::use_cases::UseCases::load(&queries, &s.use_cases).unwrap();
    let watch = Counts(std::sync::Mutex::new(counts));
    let remote = misura::kpi::run::Remote {
        timeout,
        executors: &watch,
    };
    misura::kpi::run_all(
        &catalog.ctx,
        &queries,
        &s.parameters,
        &catalog.present,
        &catalogue,
        Some(&remote),
    )
    .await
    .unwrap()
}

#[tokio::test]
async fn an_answer_computed_while_an_executor_was_lost_is_computed_again() {
    let steady = kpis_with(vec![2]).await;
    assert!(steady.notes.is_empty() && steady.failures.is_empty());
    // The first use case ran while the count fell from 2 to 1: it runs again, once.
    let lost = kpis_with(vec![2, 1, 1]).await;
    assert_eq!(lost.notes.len(), 1, "{:?}", lost.notes);
    assert!(lost.notes[0].contains("(2 alive before, 1 after): its answer was discarded"));
    assert!(lost.failures.is_empty(), "{:?}", lost.failures);
    assert_eq!(
        lost.values, steady.values,
        "the rerun gives the steady answer"
    );
    assert_eq!(lost.not_measurable.len(), steady.not_measurable.len());
    // Executors keep being lost: after two reruns the use case fails, the others run.
    let failing = kpis_with(vec![5, 4, 4, 3, 3, 2, 2]).await;
    assert_eq!(failing.failures.len(), 1, "{:?}", failing.failures);
    assert!(
        failing.failures[0]
            .error
            .contains("its answer cannot be trusted and is not used"),
        "{:?}",
        failing.failures[0]
    );
    assert!(!failing.values.is_empty());
}

#[tokio::test]
async fn after_one_query_times_out_the_others_are_not_sent() {
    // No query finishes within no time: the first one times out, every later use case fails
    // at once saying why, and nothing waits.
    let started = Instant::now();
    let out = kpis_within(vec![2], Duration::ZERO).await;
    assert!(out.values.is_empty());
    let (first, rest) = out.failures.split_first().expect("failures");
    assert!(
        first.error.contains("did not finish within 0 s"),
        "{first:?}"
    );
    assert!(!rest.is_empty());
    assert!(
        rest.iter().all(|f| f.error.starts_with(&format!(
            "not run: the cluster did not answer {} within 0 s",
            first.use_case
        ))),
        "{rest:?}"
    );
    assert!(started.elapsed() < Duration::from_secs(30));
}
