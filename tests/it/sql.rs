//! SQL for analysts: `misura sql` through its binary (`-e`, `-f`, piped input, exit codes)
//! and `misura serve` driven by the real `psql` client (same values as the shell, `\dt`,
//! `\d`, authentication, every forbidden statement refused, the query timeout, the server
//! answering afterwards).

use crate::pg::{have_psql, psql, serve, serve_bounded};
use std::io::Write;
use std::path::Path;
use std::process::{Command, Stdio};

fn misura() -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_misura"));
    c.env_remove("MISURA_PG_PASSWORD")
        .env("MISURA_LOG_FORMAT", "text");
    c
}

/// `misura sql --format csv` on the sample (+ a run folder), returning (exit code, stdout, stderr).
fn sql(run: &Path, args: &[&str], stdin: Option<&str>) -> (i32, String, String) {
    let mut c = misura();
    c.args(["sql", "--run"])
        .arg(run)
        .args(["--format", "csv"])
        .args(args);
    c.stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    let mut child = c.spawn().expect("misura sql starts");
    child
        .stdin
        .take()
        .expect("stdin")
        .write_all(stdin.unwrap_or("").as_bytes())
        .expect("write stdin");
    let out = child.wait_with_output().expect("misura sql ends");
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// One run of the sample, for the output tables (`kpi_values`, `roi`, …).
async fn sample_run() -> (tempfile::TempDir, std::path::PathBuf) {
    let out = tempfile::tempdir().expect("temp dir");
    let s = crate::util::run(&crate::util::sample_dir(), out.path(), None)
        .await
        .expect("sample run");
    let dir = s.run_dir.clone();
    (out, dir)
}

#[tokio::test]
async fn shell_runs_statements_files_and_piped_input_with_exit_codes() {
    let (_keep, run) = sample_run().await;
    // -e: a canonical table, a use-case view and a run output agree with the run.
    let (code, out, err) = sql(&run, &["-e", "SELECT count(*) AS n FROM contacts"], None);
    assert_eq!(code, 0, "{err}");
    let contacts: usize = std::fs::read_to_string(crate::util::sample_dir().join("contacts.csv"))
        .unwrap()
        .lines()
        .count()
        - 1;
    assert_eq!(out, format!("n\n{contacts}\n"));
    let advocates = crate::util::kpi(&run, "uc18.advocates", "all").unwrap();
    let (code, out, err) = sql(
        &run,
        &[
            "-e",
            "SELECT value FROM uc18 WHERE kpi = 'uc18.advocates' AND period = 'all'",
            "-e",
            "SELECT value FROM kpi_values WHERE kpi = 'uc18.advocates' AND period = 'all'",
        ],
        None,
    );
    assert_eq!(code, 0, "{err}");
    assert_eq!(out, format!("value\n{advocates:?}\nvalue\n{advocates:?}\n"));
    // Errors: syntax, unknown table (with a suggestion), a write — exit 1 and a message.
    for (statement, says) in [
        ("SELEC 1", "syntax"),
        ("SELECT * FROM contact", "did you mean `contacts`"),
        ("COPY (SELECT 1) TO '/tmp/misura-copy.csv'", "read-only"),
    ] {
        let (code, _, err) = sql(&run, &["-e", statement], None);
        assert_eq!(code, 1, "{statement}: {err}");
        assert!(err.contains(says), "{statement}: {err}");
    }
    assert!(!Path::new("/tmp/misura-copy.csv").exists());
    // -f: statements over several lines, a backslash command; stops at the first error
    // and names the line it started on.
    let dir = tempfile::tempdir().unwrap();
    let script = dir.path().join("q.sql");
    std::fs::write(
        &script,
        "-- ROI rows\n\\format csv\nSELECT count(*) AS n\n  FROM roi;\nSELECT nope FROM roi;\nSELECT 1;\n",
    )
    .unwrap();
    let (code, out, err) = sql(&run, &["-f", script.to_str().unwrap()], None);
    assert_eq!(code, 1, "{err}");
    let roi_rows = csv::Reader::from_path(run.join("tables/roi.csv"))
        .unwrap()
        .records()
        .count();
    assert_eq!(out, format!("n\n{roi_rows}\n"), "ran up to the error only");
    assert!(err.contains("line 5"), "{err}");
    // Piped input: every statement runs; a failure makes the exit code 1.
    let (code, out, err) = sql(&run, &[], Some("SELECT 2 AS two;\n\\dt\n"));
    assert_eq!(code, 0, "{err}");
    assert!(out.starts_with("two\n2\n"), "{out}");
    assert!(out.contains("kpi_values") && out.contains("stg_tickets") && out.contains("uc03"));
    let (code, out, _) = sql(
        &run,
        &[],
        Some("SELECT x FROM nowhere;\nSELECT 3 AS three;\n"),
    );
    assert_eq!(code, 1);
    assert!(out.contains("three\n3"), "goes on after an error: {out}");
    // \d shows the documented meaning of canonical columns.
    let (code, out, _) = sql(&run, &["-e", "\\d contacts"], None);
    assert_eq!(code, 0);
    assert!(
        out.contains("is_advocate") && out.contains("advocacy"),
        "{out}"
    );
}

#[tokio::test]
async fn psql_queries_the_server_read_only_and_bounded() {
    if !have_psql() {
        return;
    }
    let (_keep, run) = sample_run().await;
    let s = serve(&run, "s3cret-pw", &[]);
    let q = |c: &str| psql(s.port, "misura", "s3cret-pw", c);
    // The same values as `misura sql -e`.
    for statement in [
        "SELECT count(*) AS n FROM contacts",
        "SELECT value FROM uc18 WHERE kpi = 'uc18.advocates' AND period = 'all'",
        "SELECT round(sum(value), 6) AS v FROM roi_drivers",
    ] {
        let (code, shell, err) = sql(&run, &["-e", statement], None);
        assert_eq!(code, 0, "{err}");
        let from_shell = shell.lines().nth(1).unwrap_or_default().to_string();
        assert_eq!(q(statement).unwrap(), from_shell, "{statement}");
    }
    // psql's catalogue commands.
    let tables = q("\\dt").unwrap();
    for t in ["contacts", "kpi_values", "roi", "orders"] {
        assert!(
            tables.contains(&format!("|{t}|")),
            "\\dt lists {t}: {tables}"
        );
    }
    let columns = q("\\d orders").unwrap();
    assert!(columns.contains("revenue"), "{columns}");
    // Authentication.
    let e = psql(s.port, "misura", "wrong", "SELECT 1").unwrap_err();
    assert!(e.contains("authentication failed"), "{e}");
    let e = psql(s.port, "someone", "s3cret-pw", "SELECT 1").unwrap_err();
    assert!(e.contains("authentication failed"), "{e}");
    // Every forbidden statement refused with its message; nothing written.
    for (statement, says) in [
        (
            "COPY (SELECT 1) TO '/tmp/misura-pg-copy.csv'",
            "`COPY` is not allowed",
        ),
        (
            "INSERT INTO contacts (contact_id) VALUES ('x')",
            "`INSERT` is not allowed",
        ),
        ("DROP TABLE contacts", "`DROP TABLE` is not allowed"),
        (
            "CREATE TABLE t AS SELECT 1",
            "`CREATE TABLE` is not allowed",
        ),
        ("CREATE VIEW v AS SELECT 1", "`CREATE VIEW` is not allowed"),
        (
            "SET datafusion.execution.batch_size = 1",
            "only these session settings",
        ),
        ("SELECT * INTO t2 FROM contacts", "read-only"),
        (
            // The PostgreSQL dialect has no such statement: the parser refuses it.
            "CREATE EXTERNAL TABLE p STORED AS CSV LOCATION '/etc/passwd'",
            "parser error",
        ),
    ] {
        let e = q(statement).unwrap_err();
        assert!(e.contains(says), "{statement}: {e}");
    }
    assert!(!Path::new("/tmp/misura-pg-copy.csv").exists());
    assert_eq!(q("SELECT count(*) FROM contacts").unwrap(), {
        let (_, shell, _) = sql(&run, &["-e", "SELECT count(*) AS n FROM contacts"], None);
        shell.lines().nth(1).unwrap().to_string()
    });
    // Allowed session settings (psql and BI tools send them) work.
    assert!(q("SET extra_float_digits = 3").is_ok());
    // A query over the timeout is cancelled; the server answers afterwards.
    let started = std::time::Instant::now();
    let e = q("SELECT count(*) FROM generate_series(1, 50000000000)").unwrap_err();
    assert!(e.contains("statement timeout"), "{e}");
    assert!(started.elapsed().as_secs_f64() < 20.0, "cancelled promptly");
    assert_eq!(q("SELECT 41 + 1").unwrap(), "42");
    // The log (connections, refusals, timeouts) never shows the password.
    let log = s.log.lock().unwrap();
    assert!(log.iter().all(|l| !l.contains("s3cret-pw")), "{log:?}");
}

#[test]
fn serve_refuses_a_public_address_without_a_password() {
    let out = misura()
        .args(["serve", "--host", "0.0.0.0", "--port", "0"])
        .output()
        .expect("misura serve runs");
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("without authentication"), "{err}");
}

#[tokio::test]
async fn tls_is_required_once_configured() {
    if !have_psql() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let (cert, key) = (dir.path().join("cert.pem"), dir.path().join("key.pem"));
    let made = Command::new("openssl")
        .args([
            "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1",
        ])
        .args(["-subj", "/CN=localhost", "-keyout"])
        .arg(&key)
        .arg("-out")
        .arg(&cert)
        .output()
        .is_ok_and(|o| o.status.success());
    if !made {
        eprintln!("SKIPPED: openssl could not make a test certificate");
        return;
    }
    let (_keep, run) = sample_run().await;
    let s = serve(
        &run,
        "tls-pw",
        &[
            "--tls-cert",
            cert.to_str().unwrap(),
            "--tls-key",
            key.to_str().unwrap(),
        ],
    );
    let connect = |mode: &str| {
        Command::new("psql")
            .arg(format!(
                "host=127.0.0.1 port={} user=misura dbname=misura sslmode={mode}",
                s.port
            ))
            .args(["-X", "-A", "-t", "-c", "SELECT 7"])
            .env("PGPASSWORD", "tls-pw")
            .output()
            .expect("psql runs")
    };
    let plain = connect("disable");
    assert!(!plain.status.success());
    assert!(String::from_utf8_lossy(&plain.stderr).contains("requires TLS"));
    let secure = connect("require");
    assert!(
        secure.status.success(),
        "{}",
        String::from_utf8_lossy(&secure.stderr)
    );
    assert_eq!(String::from_utf8_lossy(&secure.stdout).trim(), "7");
}

#[test]
fn ctrl_c_cancels_the_running_statement() {
    let child = misura()
        .args([
            "sql",
            "-e",
            "SELECT count(*) FROM generate_series(1, 50000000000)",
        ])
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .expect("misura sql starts");
    std::thread::sleep(std::time::Duration::from_secs(3));
    let sent = Command::new("kill")
        .args(["-INT", &child.id().to_string()])
        .status()
        .expect("kill runs");
    assert!(sent.success());
    let started = std::time::Instant::now();
    let out = child.wait_with_output().expect("misura sql ends");
    assert!(started.elapsed().as_secs_f64() < 10.0, "cancelled promptly");
    assert_eq!(
        out.status.code(),
        Some(1),
        "a cancelled statement is a failure"
    );
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("cancelled (Ctrl-C)"), "{err}");
}

#[tokio::test]
async fn a_runaway_query_stays_inside_the_default_budget_and_others_are_answered() {
    if !have_psql() {
        return;
    }
    let (_keep, run) = sample_run().await;
    // Default settings but a timeout long enough to see the budget, not the clock, bound it.
    let server = serve_bounded(&run, "secret", "120", &[]);
    let budget_mb: u64 = {
        let log = server.log.lock().unwrap().join("\n");
        let at = log
            .find("budget_mb=")
            .expect("the log states the memory budget");
        log[at + 10..]
            .split(|c: char| !c.is_ascii_digit())
            .next()
            .unwrap()
            .parse()
            .unwrap()
    };
    let base = misura::engine::memory::peak_rss_of(server.child.id()).expect("/proc");
    let port = server.port;
    // The query: a cross join of the mentions, 100,902,025 rows into one DISTINCT.
    let runaway = std::thread::spawn(move || {
        psql(
            port,
            "misura",
            "secret",
            "SELECT count(DISTINCT a.mention_id || b.mention_id) FROM social_mentions a, social_mentions b",
        )
    });
    std::thread::sleep(std::time::Duration::from_secs(3));
    let started = std::time::Instant::now();
    let other = psql(port, "misura", "secret", "SELECT count(*) FROM contacts").unwrap();
    assert!(other.parse::<u64>().unwrap() > 0);
    assert!(
        started.elapsed() < std::time::Duration::from_secs(10),
        "the second client waited {:?}",
        started.elapsed()
    );
    match runaway.join().unwrap() {
        Ok(n) => assert_eq!(n, "100902025", "it may finish, within the budget"),
        Err(e) => assert!(
            e.contains("53200") || e.contains("esources exhausted"),
            "{e}"
        ),
    }
    let peak = misura::engine::memory::peak_rss_of(server.child.id()).unwrap();
    assert!(
        peak <= base + budget_mb * 1024 * 1024,
        "peak {} MiB over the start's {} MiB plus the {budget_mb} MiB budget",
        peak / (1024 * 1024),
        base / (1024 * 1024)
    );
}

#[tokio::test]
async fn the_server_logs_who_connected_what_was_refused_and_what_timed_out() {
    if !have_psql() {
        return;
    }
    let (_keep, run) = sample_run().await;
    let server = serve(&run, "secret", &[]);
    let p = server.port;
    let wrong = psql(p, "misura", "wrong", "SELECT 1").unwrap_err();
    assert!(
        wrong.contains("authentication failed for user \"misura\""),
        "{wrong}"
    );
    let other_db = Command::new("psql")
        .arg(format!(
            "host=127.0.0.1 port={p} user=misura dbname=sales connect_timeout=10"
        ))
        .args(["-X", "-c", "SELECT 1"])
        .env("PGPASSWORD", "secret")
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&other_db.stderr);
    assert!(err.contains("database \"sales\" does not exist"), "{err}");
    let refused = psql(p, "misura", "secret", "DELETE FROM contacts").unwrap_err();
    assert!(refused.contains("read-only"), "{refused}");
    let slow = psql(
        p,
        "misura",
        "secret",
        "SELECT count(DISTINCT a.mention_id || b.mention_id) FROM social_mentions a, social_mentions b",
    )
    .unwrap_err();
    assert!(slow.contains("statement timeout"), "{slow}");
    std::thread::sleep(std::time::Duration::from_millis(300));
    let log = server.log.lock().unwrap().join("\n");
    for expected in [
        "event=\"connection\" user=\"misura\" client=127.0.0.1:",
        "database=\"misura\"",
        "refused: wrong password for user misura",
        "refused: unknown database event=\"refused\" user=\"misura\"",
        "database=\"sales\"",
        "`DELETE` is not allowed",
        "event=\"timeout\"",
    ] {
        assert!(log.contains(expected), "the log lacks {expected}:\n{log}");
    }
    assert!(!log.contains("secret"), "the log shows the password");
}

#[tokio::test]
async fn psql_copy_to_a_client_file_is_a_read_and_server_files_stay_refused() {
    if !have_psql() {
        return;
    }
    let (keep, run) = sample_run().await;
    let server = serve(&run, "secret", &[]);
    let csv = keep.path().join("contacts.csv");
    let txt = keep.path().join("contacts.txt");
    psql(
        server.port,
        "misura",
        "secret",
        &format!(
            "\\copy (SELECT contact_id, segment, churned_at FROM contacts ORDER BY contact_id LIMIT 3) TO '{}' WITH (FORMAT csv, HEADER)",
            csv.display()
        ),
    )
    .unwrap();
    let text = std::fs::read_to_string(&csv).unwrap();
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines.len(), 4, "{text}");
    assert_eq!(lines[0], "contact_id,segment,churned_at");
    assert!(lines[1].starts_with("C0000001,"), "{text}");
    psql(
        server.port,
        "misura",
        "secret",
        &format!("\\copy contacts TO '{}'", txt.display()),
    )
    .unwrap();
    let rows = std::fs::read_to_string(&txt).unwrap();
    let total = psql(
        server.port,
        "misura",
        "secret",
        "SELECT count(*) FROM contacts",
    )
    .unwrap();
    assert_eq!(rows.lines().count().to_string(), total);
    assert!(rows.lines().next().unwrap().contains('\t') && rows.contains("\\N"));
    // The server never writes a file.
    let refused = psql(
        server.port,
        "misura",
        "secret",
        &format!(
            "COPY (SELECT 1) TO '{}'",
            keep.path().join("x.csv").display()
        ),
    )
    .unwrap_err();
    assert!(refused.contains("read-only"), "{refused}");
    assert!(!keep.path().join("x.csv").exists());
}
