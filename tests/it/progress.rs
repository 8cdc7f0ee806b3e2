//! Progress on a terminal: a run under a pseudo-terminal (`script`) shows its steps, items
//! and elapsed time; piped or with JSON logs it shows none.

use crate::util::misura;

#[test]
fn a_terminal_shows_progress_and_a_pipe_or_json_logs_do_not() {
    let out = tempfile::tempdir().unwrap();
    let bin = env!("CARGO_BIN_EXE_misura");
    if std::process::Command::new("script")
        .arg("--version")
        .output()
        .is_err()
    {
        eprintln!(
            "skipped: `script` (util-linux) is not installed, no pseudo-terminal to run under"
        );
        return;
    }
    let log = out.path().join("pty.log");
    let cmd = format!(
        "MISURA_PDF=off {bin} run --out '{}' --as-of 2026-11-20",
        out.path().join("tty").display()
    );
    let s = std::process::Command::new("script")
        .args(["-qfec", &cmd])
        .arg(&log)
        .output()
        .unwrap();
    assert!(s.status.success(), "{}", String::from_utf8_lossy(&s.stderr));
    let shown = String::from_utf8_lossy(&std::fs::read(&log).unwrap()).to_string();
    for step in ["reading", "KPI queries", "stages"] {
        assert!(
            shown.contains(step),
            "no {step} progress on a terminal:\n{shown}"
        );
    }
    assert!(
        shown.contains("/26 tables") && shown.contains("[00:00:0"),
        "no counts or elapsed time"
    );

    for json in [false, true] {
        let mut c = misura();
        c.args(["run", "--out"])
            .arg(out.path().join(format!("pipe{json}")))
            .args(["--as-of", "2026-11-20"]);
        if json {
            c.args(["--log-format", "json"]);
        }
        let o = c.output().unwrap();
        let err = String::from_utf8_lossy(&o.stderr);
        assert!(o.status.success());
        assert!(
            !err.contains("KPI queries") && !err.contains("tables  "),
            "progress in a pipe:\n{err}"
        );
        if json {
            assert!(
                err.lines().all(|l| l.starts_with('{')),
                "a line that is not JSON:\n{err}"
            );
        }
    }
}
