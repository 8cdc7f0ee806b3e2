//! Helpers of the tests that drive `misura serve` with real PostgreSQL clients: the server
//! as a child process (its port and log), psql, and the Python clients of tests/clients.

use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Child, Command, Stdio};

fn misura() -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_misura"));
    c.env_remove("MISURA_PG_PASSWORD")
        .env("MISURA_LOG_FORMAT", "text");
    c
}

/// A `misura serve` child process, killed on drop.
pub struct Server {
    /// The process.
    pub child: Child,
    /// The port it listens on.
    pub port: u16,
    /// Its log lines.
    pub log: std::sync::Arc<std::sync::Mutex<Vec<String>>>,
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

pub fn serve(run: &Path, password: &str, extra: &[&str]) -> Server {
    serve_bounded(run, password, "1", extra)
}

/// A server whose queries time out after `timeout` seconds.
pub fn serve_bounded(run: &Path, password: &str, timeout: &str, extra: &[&str]) -> Server {
    let mut child = misura()
        .args(["serve", "--port", "0", "--query-timeout", timeout, "--run"])
        .arg(run)
        .args(extra)
        .env("MISURA_PG_PASSWORD", password)
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .expect("misura serve starts");
    let mut lines = BufReader::new(child.stderr.take().expect("stderr")).lines();
    let mut before = Vec::new();
    let port = loop {
        let line = lines
            .next()
            .expect("misura serve printed its address")
            .expect("stderr line");
        before.push(line.clone());
        assert!(
            !line.contains(password),
            "the log shows the password: {line}"
        );
        if let Some(rest) = line.split("address=127.0.0.1:").nth(1) {
            break rest
                .split_whitespace()
                .next()
                .unwrap()
                .parse()
                .expect("port");
        }
    };
    let log = std::sync::Arc::new(std::sync::Mutex::new(before));
    let kept = log.clone();
    std::thread::spawn(move || {
        for line in lines.map_while(Result::ok) {
            kept.lock().unwrap().push(line);
        }
    });
    Server { child, port, log }
}

/// psql's unaligned, tuples-only output, or its error.
pub fn psql(port: u16, user: &str, password: &str, command: &str) -> Result<String, String> {
    let out = Command::new("psql")
        .arg(format!(
            "host=127.0.0.1 port={port} user={user} dbname=misura connect_timeout=10"
        ))
        .args(["-X", "-A", "-t", "-v", "ON_ERROR_STOP=1", "-c", command])
        .env("PGPASSWORD", password)
        .output()
        .expect("psql runs");
    if out.status.success() {
        Ok(String::from_utf8_lossy(&out.stdout).trim().to_string())
    } else {
        Err(String::from_utf8_lossy(&out.stderr).into_owned())
    }
}

pub fn have_psql() -> bool {
    let ok = Command::new("psql")
        .arg("--version")
        .output()
        .is_ok_and(|o| o.status.success());
    if !ok {
        eprintln!(
            "SKIPPED: psql is not installed (apt-get install postgresql-client; .ci/run does)"
        );
    }
    ok
}

/// Whether `python3` can import `modules`; prints why the test is skipped when not.
pub fn have_python(modules: &[&str]) -> bool {
    let ok = Command::new("python3")
        .args(["-c", &format!("import {}", modules.join(", "))])
        .output()
        .is_ok_and(|o| o.status.success());
    if !ok {
        eprintln!(
            "SKIPPED: python3 with {} is not installed (pip install \"psycopg[binary]\" sqlalchemy pandas; .ci/run does)",
            modules.join(", ")
        );
    }
    ok
}

/// A client script of tests/clients.
pub fn client(name: &str) -> std::path::PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/clients")
        .join(name)
}
