//! `misura diff`: identical runs say nothing changed; a planted change is named first, with
//! the input that explains it; runs that cannot be compared get their own exit code.

use crate::util::{misura, run_binary, sample_copy};
use std::path::Path;

fn run(dir: &Path, out: &Path, as_of: &str) {
    let o = run_binary(dir, out, as_of, &[]);
    assert!(
        o.status.code().unwrap() <= 1,
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
}

fn diff(a: &Path, b: &Path, format: &str) -> (i32, String, String) {
    let o = misura()
        .arg("diff")
        .arg(a)
        .arg(b)
        .args(["--format", format])
        .output()
        .unwrap();
    (
        o.status.code().unwrap(),
        String::from_utf8_lossy(&o.stdout).to_string(),
        String::from_utf8_lossy(&o.stderr).to_string(),
    )
}

#[test]
fn diff_names_the_planted_change_first_and_nothing_on_identical_runs() {
    let out = tempfile::tempdir().unwrap();
    let plain = sample_copy();
    run(plain.path(), out.path(), "2026-11-20");
    run(plain.path(), &out.path().join("again"), "2026-11-20");
    let a = out.path().join("2026-11-20");
    let (code, text, _) = diff(&a, &out.path().join("again/2026-11-20"), "table");
    assert_eq!(code, 0);
    assert!(text.starts_with("nothing changed"), "{text}");

    // The planted change: the responses of October halved.
    let planted = sample_copy();
    let path = planted.path().join("social_responses.csv");
    let csv = std::fs::read_to_string(&path).unwrap();
    let mut keep = 0;
    let text: Vec<&str> = csv
        .lines()
        .filter(|l| {
            if !l.contains(",2026-10-") {
                return true;
            }
            keep += 1;
            keep % 2 == 0
        })
        .collect();
    std::fs::write(&path, text.join("\n") + "\n").unwrap();
    run(planted.path(), &out.path().join("b"), "2026-11-20");
    let b = out.path().join("b/2026-11-20");
    let (code, json, _) = diff(&a, &b, "json");
    assert_eq!(code, 0);
    let d: serde_json::Value = serde_json::from_str(&json).unwrap();
    let inputs = d["inputs"].as_array().unwrap();
    assert_eq!(inputs.len(), 1, "{inputs:?}");
    assert_eq!(inputs[0]["table"], "social_responses");
    assert!(d["parameters"].as_array().unwrap().is_empty());
    assert!(d["queries"].as_array().unwrap().is_empty());
    let first = &d["values"][0];
    assert_eq!(first["period"], "2026-10", "{first}");
    assert!(
        first["id"].as_str().unwrap().contains("response"),
        "the first move is not a response KPI: {first}"
    );
    assert!(first["z"].as_f64().unwrap() > 3.0);
    let (_, md, _) = diff(&a, &b, "markdown");
    assert!(md.contains("| table | rows A | rows B |"), "{md}");
    let (_, table, _) = diff(&a, &b, "table");
    assert!(table.contains("inputs: 1 changed") && table.contains("social_responses"));

    // Not a run folder: its own exit code and why.
    let (code, _, err) = diff(&a, &out.path().join("nowhere"), "table");
    assert_eq!(code, 5);
    assert!(err.contains("is not a run folder"), "{err}");
}
