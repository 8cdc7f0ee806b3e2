//! Personal data and secrets: social handles and e-mail addresses in the inputs never reach
//! the report (page, charts, workbook); `--pseudonymize` replaces contact ids (results and
//! rejects) by keyed pseudonyms, stable for one key and unrelated across keys; the key never reaches the
//! manifest.

use misura::pipeline::{self, RunOptions};
use misura::report::pseudonym::Pseudonymizer;
use std::collections::BTreeSet;
use std::io::Read;
use std::path::Path;

#[test]
fn pseudonyms_are_keyed_hmacs() {
    // RFC 4231 test case 1: key 0x0b × 20, data "Hi There".
    let p = Pseudonymizer::new(&[0x0b; 20]).unwrap();
    assert_eq!(p.id("Hi There"), "p_b0344c61d8db38535ca8afceaf0bf12b");
    let a = Pseudonymizer::new(b"first key, 16+ bytes").unwrap();
    let b = Pseudonymizer::new(b"second key, 16+ bytes").unwrap();
    assert_eq!(a.id("C0000001"), a.id("C0000001"), "stable for one key");
    assert_ne!(
        a.id("C0000001"),
        b.id("C0000001"),
        "another key, another pseudonym"
    );
    assert_ne!(a.id("C0000001"), a.id("C0000002"));
    let e = Pseudonymizer::new(b"short").unwrap_err().to_string();
    assert!(e.contains("at least 16"), "{e}");
    assert!(
        !format!("{a:?}").contains("first key"),
        "Debug never shows the key"
    );
}

/// Rewrites the `author_handle` column of `file` into e-mail addresses.
fn handles_to_emails(dir: &Path, file: &str, seen: &mut BTreeSet<String>) {
    let path = dir.join(file);
    let mut rdr = csv::Reader::from_path(&path).unwrap();
    let headers = rdr.headers().unwrap().clone();
    let col = headers.iter().position(|h| h == "author_handle").unwrap();
    let mut out = csv::Writer::from_writer(Vec::new());
    out.write_record(&headers).unwrap();
    for rec in rdr.records() {
        let rec = rec.unwrap();
        let row: Vec<String> = rec
            .iter()
            .enumerate()
            .map(|(i, v)| {
                if i == col {
                    let email = format!("{}@mail.example", v.trim_start_matches('@'));
                    seen.insert(email.clone());
                    seen.insert(v.to_string());
                    email
                } else {
                    v.to_string()
                }
            })
            .collect();
        out.write_record(&row).unwrap();
    }
    std::fs::write(&path, out.into_inner().unwrap()).unwrap();
}

fn copy_dir(from: &Path, to: &Path) {
    for e in std::fs::read_dir(from).unwrap() {
        let e = e.unwrap();
        if e.file_type().unwrap().is_file() {
            std::fs::copy(e.path(), to.join(e.file_name())).unwrap();
        }
    }
}

/// Every text a reader of the report gets: the page, the chart files, the workbook's XML.
fn report_texts(run: &Path) -> Vec<(String, String)> {
    let mut out = vec![(
        "index.html".to_string(),
        std::fs::read_to_string(run.join("index.html")).unwrap(),
    )];
    let mut dirs = vec![run.join("charts")];
    while let Some(d) = dirs.pop() {
        for e in std::fs::read_dir(&d).unwrap() {
            let p = e.unwrap().path();
            if p.is_dir() {
                dirs.push(p);
            } else if p.extension().is_some_and(|x| x == "svg") {
                out.push((
                    p.display().to_string(),
                    std::fs::read_to_string(&p).unwrap(),
                ));
            }
        }
    }
    let mut xlsx =
        zip::ZipArchive::new(std::fs::File::open(run.join("report.xlsx")).unwrap()).unwrap();
    for i in 0..xlsx.len() {
        let mut f = xlsx.by_index(i).unwrap();
        let mut text = String::new();
        if f.read_to_string(&mut text).is_ok() {
            out.push((format!("report.xlsx:{:?}", f.name()), text));
        }
    }
    out
}

async fn run(data: &Path, out: &Path, key: Option<&[u8]>) -> std::path::PathBuf {
    let settings = crate::util::settings(
        data,
        Some(misura::config::OnInvalid::Reject),
        &["bootstrap_samples=50"],
    )
    .unwrap();
    let mut opts = RunOptions::new(out, chrono::NaiveDate::from_ymd_opt(2026, 11, 22).unwrap());
    opts.pdf = misura::report::pdf::Pdf::Off; // report.pdf has its own test
    opts.pseudonymize = key.map(|k| Pseudonymizer::new(k).unwrap());
    pipeline::run(settings, &opts).await.unwrap().run_dir
}

fn clv_ids(run: &Path) -> Vec<String> {
    csv::Reader::from_path(run.join("tables/clv.csv"))
        .unwrap()
        .records()
        .map(|r| r.unwrap()[0].to_string())
        .collect()
}

#[tokio::test]
async fn reports_carry_no_handles_or_emails_and_pseudonyms_hide_contacts() {
    let data = tempfile::tempdir().unwrap();
    copy_dir(&crate::util::sample_dir(), data.path());
    let mut personal = BTreeSet::new();
    handles_to_emails(data.path(), "social_mentions.csv", &mut personal);
    handles_to_emails(data.path(), "social_identities.csv", &mut personal);
    personal.retain(|h| h.len() >= 4);
    // One invalid contact: its row (and its orders) go to rejects/, which travel too.
    crate::util::edit(data.path(), "contacts.csv", ",customer,", ",zombie,");
    assert!(personal.len() > 100, "the fixture has handles and e-mails");

    let key = b"a key for this test only, 32 b.";
    let (o1, o2, o3) = (
        tempfile::tempdir().unwrap(),
        tempfile::tempdir().unwrap(),
        tempfile::tempdir().unwrap(),
    );
    let first = run(data.path(), o1.path(), Some(key)).await;
    for (file, text) in report_texts(&first) {
        assert!(
            !text.contains("@mail.example"),
            "{file} carries an e-mail address"
        );
        for h in &personal {
            assert!(!text.contains(h.as_str()), "{file} carries the handle {h}");
        }
    }
    // Contact-level tables: pseudonyms only.
    let contacts: BTreeSet<String> = csv::Reader::from_path(data.path().join("contacts.csv"))
        .unwrap()
        .records()
        .map(|r| r.unwrap()[0].to_string())
        .collect();
    let ids = clv_ids(&first);
    assert!(!ids.is_empty());
    assert!(
        ids.iter().all(|i| i.starts_with("p_") && i.len() == 34),
        "{:?}",
        &ids[..3]
    );
    assert!(ids.iter().all(|i| !contacts.contains(i)));
    let rejected: Vec<String> = csv::Reader::from_path(first.join("rejects/contacts.csv"))
        .unwrap()
        .deserialize::<std::collections::HashMap<String, String>>()
        .map(|r| r.unwrap()["contact_id"].clone())
        .collect();
    assert!(!rejected.is_empty());
    assert!(
        rejected
            .iter()
            .all(|i| i.starts_with("p_") && !contacts.contains(i)),
        "rejects carry pseudonyms only: {rejected:?}"
    );
    let manifest = std::fs::read_to_string(first.join("manifest.json")).unwrap();
    assert!(
        !manifest.contains(std::str::from_utf8(key).unwrap()),
        "the key stays secret"
    );
    // Same key: the same pseudonyms (tables of two runs still join); another key: others.
    let again = run(data.path(), o2.path(), Some(key)).await;
    assert_eq!(
        std::fs::read(first.join("tables/clv.csv")).unwrap(),
        std::fs::read(again.join("tables/clv.csv")).unwrap()
    );
    let other = run(
        data.path(),
        o3.path(),
        Some(b"another key, also 32 bytes long"),
    )
    .await;
    let (a, b): (BTreeSet<String>, BTreeSet<String>) = (
        ids.into_iter().collect(),
        clv_ids(&other).into_iter().collect(),
    );
    assert_eq!(a.len(), b.len());
    assert!(a.is_disjoint(&b), "unrelated across keys");
}
