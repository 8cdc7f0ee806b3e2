//! Messy exports as analysts bring them, through `misura check` / `run`: every error points
//! the right way (the delimiter, an empty file, a damaged gzip or Parquet file, a rejected
//! parent, a duplicate key, a missing --data path, a currency that is not a code), bad lines
//! are rejected rows while the rest of the file is read, every bad file is named in one run,
//! and European exports (Windows-1252, decimal comma) are read as declared.

use crate::util::{edit, fixture, misura};
use std::path::Path;

/// `misura check --data dir`: (exit code, stdout + stderr).
fn check(dir: &Path, extra: &[&str]) -> (Option<i32>, String) {
    let o = misura()
        .args(["check", "--data"])
        .arg(dir)
        .args(extra)
        .output()
        .unwrap();
    (
        o.status.code(),
        format!(
            "{}{}",
            String::from_utf8_lossy(&o.stdout),
            String::from_utf8_lossy(&o.stderr)
        ),
    )
}

fn append_toml(dir: &Path, text: &str) {
    let p = dir.join("misura.toml");
    let t = std::fs::read_to_string(&p).unwrap_or_default() + text;
    std::fs::write(p, t).unwrap();
}

#[test]
fn a_semicolon_file_is_told_to_set_the_delimiter() {
    let dir = fixture();
    let orders = std::fs::read_to_string(dir.path().join("orders.csv")).unwrap();
    std::fs::write(dir.path().join("orders.csv"), orders.replace(',', ";")).unwrap();
    let (code, text) = check(dir.path(), &[]);
    assert_eq!(code, Some(1), "{text}");
    assert!(
        text.contains("set [datasets.orders] delimiter = \";\""),
        "{text}"
    );
    assert!(!text.contains("map them"), "{text}");
    // The fix works.
    append_toml(dir.path(), "\n[datasets.orders]\ndelimiter = \";\"\n");
    let (code, text) = check(dir.path(), &[]);
    assert_eq!(code, Some(0), "{text}");
}

#[test]
fn empty_and_damaged_files_get_their_own_fix_and_every_bad_file_is_named_at_once() {
    let dir = fixture();
    std::fs::write(dir.path().join("tickets.csv"), b"").unwrap();
    // A gzip stream cut in half.
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    std::io::Write::write_all(
        &mut gz,
        std::fs::read(dir.path().join("orders.csv"))
            .unwrap()
            .repeat(50)
            .as_slice(),
    )
    .unwrap();
    let bytes = gz.finish().unwrap();
    std::fs::remove_file(dir.path().join("orders.csv")).unwrap();
    std::fs::write(dir.path().join("orders.csv.gz"), &bytes[..bytes.len() / 2]).unwrap();
    // Not a Parquet file.
    std::fs::remove_file(dir.path().join("campaigns.csv")).unwrap();
    std::fs::write(
        dir.path().join("campaigns.parquet"),
        b"PAR1 this is not parquet",
    )
    .unwrap();
    let (code, text) = check(dir.path(), &[]);
    assert_eq!(code, Some(1), "{text}");
    assert!(text.contains("3 input file(s) cannot be read"), "{text}");
    assert!(
        text.contains("tickets.csv: the file is empty (0 bytes)"),
        "{text}"
    );
    assert!(
        text.contains("orders.csv.gz") && text.contains("gzip stream is cut short"),
        "{text}"
    );
    assert!(
        text.contains("campaigns.parquet") && text.contains("not a complete Parquet file"),
        "{text}"
    );
    assert!(
        !text.contains("delimiter"),
        "no CSV advice for these: {text}"
    );
}

#[test]
fn reject_mode_keeps_the_rest_of_a_file_with_a_non_utf8_byte() {
    let dir = fixture();
    let path = dir.path().join("campaigns.csv");
    let mut bytes = std::fs::read(&path).unwrap();
    bytes.extend_from_slice(b"K2,Autunno \xe9,UC04,email,2026-02-01,2026-02-28,50\n");
    std::fs::write(&path, bytes).unwrap();
    let (code, text) = check(dir.path(), &[]);
    assert_eq!(code, Some(1), "{text}");
    assert!(
        text.contains("byte 0xE9 in column `name`") && text.contains("encoding = \"windows-1252\""),
        "{text}"
    );
    let out = tempfile::tempdir().unwrap();
    let o = misura()
        .args([
            "run",
            "--on-invalid",
            "reject",
            "--as-of",
            "2026-03-01",
            "--data",
        ])
        .arg(dir.path())
        .arg("--out")
        .arg(out.path())
        .output()
        .unwrap();
    assert_eq!(
        o.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    let rejects =
        std::fs::read_to_string(out.path().join("2026-03-01/rejects/campaigns.csv")).unwrap();
    assert!(
        rejects.contains("is not UTF-8 text") && rejects.contains("Autunno"),
        "{rejects}"
    );
    let m: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(out.path().join("2026-03-01/manifest.json")).unwrap(),
    )
    .unwrap();
    let c = m["inputs"]
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["table"] == "campaigns")
        .unwrap();
    assert_eq!(
        (
            c["rows_read"].as_u64(),
            c["rows_accepted"].as_u64(),
            c["rows_rejected"].as_u64()
        ),
        (Some(2), Some(1), Some(1))
    );
}

#[test]
fn a_windows_1252_export_with_decimal_commas_is_read_as_declared() {
    let dir = fixture();
    std::fs::write(
        dir.path().join("campaigns.csv"),
        b"campaign_id;name;use_case;channel;start_date;end_date;budget\nK1;Primavera \xe0 prezzi \x80;UC04;social_paid;2026-01-01;2026-01-31;1.000,50\n",
    )
    .unwrap();
    append_toml(
        dir.path(),
        "\n[datasets.campaigns]\ndelimiter = \";\"\nencoding = \"windows-1252\"\ndecimal = \",\"\n",
    );
    let o = misura()
        .args([
            "sql",
            "--format",
            "csv",
            "-e",
            "SELECT name, budget FROM campaigns",
            "--data",
        ])
        .arg(dir.path())
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&o.stdout);
    assert_eq!(
        o.status.code(),
        Some(0),
        "{text}{}",
        String::from_utf8_lossy(&o.stderr)
    );
    assert!(text.contains("Primavera à prezzi €,1000.5"), "{text}");
}

#[test]
fn duplicates_and_rejected_parents_are_described_as_they_are() {
    let dir = fixture();
    edit(dir.path(), "orders.csv", "O2,C2", "O1,C2");
    let (code, text) = check(dir.path(), &[]);
    assert_eq!(code, Some(1), "{text}");
    assert!(
        text.contains("value \"O1\" duplicates the primary key (order_id) of")
            && text.contains("orders.csv row 1 (line 2)"),
        "{text}"
    );
    assert!(!text.contains("file #"), "{text}");
}

#[test]
fn a_missing_data_path_and_a_bad_currency_are_named() {
    let (code, text) = check(Path::new("/no/such/exports"), &[]);
    assert_eq!(code, Some(2), "{text}");
    assert!(
        text.contains("--data /no/such/exports: no such directory"),
        "{text}"
    );
    let dir = fixture();
    let (code, text) = check(&dir.path().join("orders.csv"), &[]);
    assert_eq!(code, Some(2), "{text}");
    assert!(text.contains("is a file, not a directory"), "{text}");
    let p = dir.path().join("misura.toml");
    let t = std::fs::read_to_string(&p).unwrap();
    std::fs::write(&p, format!("currency = \"EURO\"\n{t}")).unwrap();
    let (code, text) = check(dir.path(), &[]);
    assert_eq!(code, Some(2), "{text}");
    assert!(
        text.contains("`EURO` is not an ISO 4217 currency code")
            && text.contains("did you mean `EUR`"),
        "{text}"
    );
}
