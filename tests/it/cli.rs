//! The real binary: the README's first command, exit codes and messages.

use crate::util::{edit, fixture};
use std::process::Command;

fn misura() -> Command {
    Command::new(env!("CARGO_BIN_EXE_misura"))
}

#[test]
fn run_with_no_arguments_uses_the_embedded_sample() {
    let cwd = tempfile::tempdir().unwrap();
    let out = misura()
        .args(["run", "--as-of", "2026-11-22"])
        .current_dir(cwd.path())
        .env_remove("MISURA_DATA")
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(0), "{stderr}");
    let run = cwd.path().join("reports/2026-11-22");
    for f in [
        "manifest.json",
        "tables/kpi_values.csv",
        "tables/kpi_values.parquet",
    ] {
        assert!(run.join(f).is_file(), "{f} missing; {stderr}");
    }
    let manifest: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(run.join("manifest.json")).unwrap()).unwrap();
    assert_eq!(manifest["data"], "<embedded sample>");
    assert_eq!(manifest["parameters"]["brand"]["value"], "aurora");
    assert_eq!(manifest["parameters"]["seed"]["value"], 42);
    assert_eq!(manifest["window"][0], "2025-11-01");
    assert!(
        manifest["inputs"]
            .as_array()
            .unwrap()
            .iter()
            .all(|i| i["files"][0]["sha256"].as_str().unwrap().len() == 64)
    );
    assert!(stderr.contains("results in reports/2026-11-22"), "{stderr}");
    assert!(
        !cwd.path().join("reports").read_dir().unwrap().any(|e| e
            .unwrap()
            .file_name()
            .to_string_lossy()
            .contains(".partial-")),
        "no partial folder left"
    );
}

#[test]
fn check_reports_problems_with_exit_code_1_and_usage_errors_with_2() {
    let dir = fixture();
    edit(dir.path(), "orders.csv", "O2,C2", "O2,C9");
    let out = misura()
        .args(["check", "--data"])
        .arg(dir.path())
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(1), "{stdout}");
    assert!(stdout.contains("orders.csv row 2 (line 3), column `contact_id`: value \"C9\" is not found in contacts.contact_id"), "{stdout}");

    let out = misura()
        .args(["run", "--param", "nope=1", "--data"])
        .arg(dir.path())
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(
        stderr.contains("ERROR") && stderr.contains("unknown parameter `nope` (from --param)"),
        "{stderr}"
    );

    let out = misura()
        .args([
            "check",
            "--show-settings",
            "--param",
            "influencer_reach=500",
            "--data",
        ])
        .arg(fixture().path())
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(0), "{stdout}");
    assert!(
        stdout.contains("influencer_reach = 500  # cli") && stdout.contains("brand = acme  # file"),
        "{stdout}"
    );
    assert!(stdout.contains("ok: the data is valid"));
}

#[test]
fn help_documents_exit_codes() {
    let out = misura().arg("--help").output().unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.contains("Exit codes:")
            && text.contains("2  usage, configuration or environment error"),
        "{text}"
    );
}
