//! The bad-input matrix: each kind of invalid value must fail the run with a message naming
//! file, row (and line), column and value, and with `on_invalid = "reject"` must set exactly
//! the bad rows aside in rejects/ while every input row stays accounted for.

use crate::util::{edit, fixture, run, settings};
use misura::config::OnInvalid;

struct Case {
    file: &'static str,
    from: &'static str,
    to: &'static str,
    /// Substrings the error message must contain.
    expect: &'static [&'static str],
    /// Table whose rows are rejected, and how many of them.
    table: &'static str,
    rejected: u64,
}

async fn check(c: Case) {
    let dir = fixture();
    edit(dir.path(), c.file, c.from, c.to);
    let out = tempfile::tempdir().unwrap();

    let err = run(dir.path(), out.path(), None)
        .await
        .expect_err("invalid data must fail the run");
    let msg = err.to_string();
    for s in c.expect {
        assert!(msg.contains(s), "message lacks {s:?}:\n{msg}");
    }
    assert!(msg.contains("fix:"), "message suggests no fix:\n{msg}");
    assert_eq!(err.exit_code(), 1, "data errors exit with 1");
    assert!(
        !out.path().join("2026-11-22").exists(),
        "a failed run leaves no run folder"
    );

    let summary = run(dir.path(), out.path(), Some(OnInvalid::Reject))
        .await
        .expect("reject policy runs");
    for input in &summary.manifest.inputs {
        assert_eq!(
            input.rows_accepted + input.rows_rejected + input.rows_after_as_of,
            input.rows_read,
            "accounting of {}",
            input.table
        );
    }
    let t = summary
        .manifest
        .inputs
        .iter()
        .find(|i| i.table == c.table)
        .expect("table read");
    assert_eq!(t.rows_rejected, c.rejected, "rejected rows of {}", c.table);
    let rejects = std::fs::read_to_string(summary.run_dir.join(format!("rejects/{}.csv", c.table)))
        .expect("rejects file");
    let lines: Vec<&str> = rejects.lines().collect();
    assert_eq!(
        lines.len() as u64,
        1 + c.rejected,
        "rejects file of {}:\n{rejects}",
        c.table
    );
    assert!(
        lines[0].ends_with("source_file,source_row,reason"),
        "header: {}",
        lines[0]
    );
    assert_eq!(summary.manifest.rejected[c.table], c.rejected);
}

macro_rules! case {
    ($name:ident, $file:expr, $from:expr, $to:expr, [$($e:expr),*], $table:expr, $n:expr) => {
        #[tokio::test]
        async fn $name() {
            check(Case { file: $file, from: $from, to: $to, expect: &[$($e),*], table: $table, rejected: $n }).await;
        }
    };
}

case!(
    unparseable_timestamp,
    "social_mentions.csv",
    "2026-01-05T10:00:00Z",
    "2026-13-05 10:00",
    [
        "social_mentions.csv row 1 (line 2)",
        "column `posted_at`",
        "\"2026-13-05 10:00\"",
        "is not a UTC ISO 8601 timestamp",
        "timestamp_format"
    ],
    "social_mentions",
    1
);
case!(
    wrong_type_integer,
    "social_mentions.csv",
    "20000,5,1,2",
    "20k,5,1,2",
    [
        "social_mentions.csv row 2 (line 3)",
        "column `reach`",
        "\"20k\"",
        "is not a whole number"
    ],
    "social_mentions",
    1
);
case!(
    enum_value_outside_list,
    "social_mentions.csv",
    "false,positive,0.5",
    "false,Positive,0.5",
    [
        "row 1 (line 2)",
        "column `sentiment`",
        "\"Positive\"",
        "accepted: positive, neutral, negative"
    ],
    "social_mentions",
    1
);
case!(
    duplicate_primary_key,
    "contacts.csv",
    "C2,,2025-01-02",
    "C1,,2025-01-02",
    [
        "contacts.csv row 2 (line 3)",
        "column `contact_id`",
        "duplicates the primary key"
    ],
    "contacts",
    1
);
case!(
    orphan_foreign_key,
    "orders.csv",
    "O2,C2",
    "O2,C9",
    [
        "orders.csv row 2 (line 3)",
        "column `contact_id`",
        "\"C9\"",
        "is not found in contacts.contact_id"
    ],
    "orders",
    1
);
case!(
    negative_money,
    "orders.csv",
    ",80,,",
    ",-80,,",
    [
        "orders.csv row 2 (line 3)",
        "column `revenue`",
        "\"-80.0\"",
        "is negative"
    ],
    "orders",
    1
);
case!(
    csat_out_of_range,
    "tickets.csv",
    "normal,4,false",
    "normal,7,false",
    [
        "tickets.csv row 1 (line 2)",
        "column `csat`",
        "\"7\"",
        "is outside the range [1, 5]"
    ],
    "tickets",
    1
);
case!(
    response_before_mention,
    "social_responses.csv",
    "R1,M2,2026-01-06T10:30:00Z",
    "R1,M2,2026-01-06T09:00:00Z",
    [
        "social_responses.csv row 1 (line 2)",
        "column `responded_at`",
        "before the mention's posted_at"
    ],
    "social_responses",
    1
);
case!(
    missing_required_value,
    "contacts.csv",
    "08:00:00,smb,",
    "08:00:00,,",
    [
        "contacts.csv row 3 (line 4)",
        "column `segment`",
        "is empty, but the column is required"
    ],
    "contacts",
    1
);
case!(
    bad_boolean,
    "contacts.csv",
    "IT,customer,,false",
    "IT,customer,,maybe",
    [
        "contacts.csv row 1 (line 2)",
        "column `is_advocate`",
        "\"maybe\"",
        "true/false"
    ],
    "contacts",
    1
);
case!(
    unparseable_date,
    "campaigns.csv",
    "2026-01-01,2026-01-31",
    "01/01/2026,2026-01-31",
    [
        "campaigns.csv row 1 (line 2)",
        "column `start_date`",
        "\"01/01/2026\"",
        "is not a date YYYY-MM-DD",
        "date_format"
    ],
    "campaigns",
    1
);
case!(
    end_before_start,
    "campaigns.csv",
    "2026-01-01,2026-01-31",
    "2026-01-01,2025-12-01",
    [
        "campaigns.csv row 1 (line 2)",
        "column `end_date`",
        "end_date is before start_date"
    ],
    "campaigns",
    1
);
case!(
    closed_at_missing_when_won,
    "opportunities.csv",
    "won,500,2026-01-09T00:00:00Z",
    "won,500,",
    [
        "opportunities.csv row 1 (line 2)",
        "column `closed_at`",
        "closed_at is empty but the stage is won or lost"
    ],
    "opportunities",
    1
);
case!(
    score_out_of_range,
    "social_mentions.csv",
    "positive,0.5,praise",
    "positive,1.5,praise",
    [
        "column `sentiment_score`",
        "\"1.5\"",
        "is outside the range [-1, 1]"
    ],
    "social_mentions",
    1
);
case!(
    country_not_iso,
    "contacts.csv",
    "retail,IT,customer",
    "retail,Italy,customer",
    [
        "contacts.csv row 1 (line 2)",
        "column `country`",
        "\"Italy\"",
        "ISO 3166-1 alpha-2"
    ],
    "contacts",
    1
);
case!(
    not_a_number,
    "orders.csv",
    "100.50",
    "NaN",
    [
        "orders.csv row 1 (line 2)",
        "column `revenue`",
        "\"NaN\"",
        "is not a number"
    ],
    "orders",
    1
);

#[tokio::test]
async fn rejected_parent_cascades_to_children_and_nothing_is_lost() {
    // Rejecting mention M2 (bad reach) makes its responses and its ticket orphans: they are
    // rejected too, each with its own reason, and every row is still accounted for.
    let dir = fixture();
    edit(
        dir.path(),
        "social_mentions.csv",
        "20000,5,1,2",
        "20k,5,1,2",
    );
    let out = tempfile::tempdir().unwrap();
    let summary = run(dir.path(), out.path(), Some(OnInvalid::Reject))
        .await
        .unwrap();
    let rejected = |t: &str| summary.manifest.rejected[t];
    assert_eq!(
        (
            rejected("social_mentions"),
            rejected("social_responses"),
            rejected("tickets")
        ),
        (1, 2, 1)
    );
    let text =
        std::fs::read_to_string(summary.run_dir.join("rejects/social_responses.csv")).unwrap();
    // The parent was exported and rejected: the reason says so, not "export it".
    assert!(
        text.contains("mention_id: \"\"M2\"\" refers to a social_mentions row that was exported but rejected as invalid"),
        "{text}"
    );
    assert!(!text.contains("is not found"), "{text}");
    let read: u64 = summary.manifest.inputs.iter().map(|i| i.rows_read).sum();
    let kept: u64 = summary
        .manifest
        .inputs
        .iter()
        .map(|i| i.rows_accepted)
        .sum();
    assert_eq!(read, kept + 4);
}

#[tokio::test]
async fn missing_column_names_file_found_columns_and_the_mapping_fix() {
    let dir = fixture();
    edit(
        dir.path(),
        "contacts.csv",
        "created_at,segment,",
        "created_at,segmento,",
    );
    let out = tempfile::tempdir().unwrap();
    let err = run(dir.path(), out.path(), None).await.unwrap_err();
    let msg = err.to_string();
    for s in [
        "contacts.csv",
        "column(s) segment missing",
        "found: contact_id, account_id, created_at, segmento",
        "[datasets.contacts.columns] segment = ",
    ] {
        assert!(msg.contains(s), "message lacks {s:?}:\n{msg}");
    }
    assert_eq!(err.exit_code(), 1);
    // The fix the message suggests works.
    let toml = dir.path().join("misura.toml");
    let mut text = std::fs::read_to_string(&toml).unwrap();
    text.push_str("\n[datasets.contacts.columns]\nsegment = \"segmento\"\n");
    std::fs::write(&toml, text).unwrap();
    run(dir.path(), out.path(), None)
        .await
        .expect("mapped column is read");
}

#[tokio::test]
async fn configured_file_that_does_not_exist() {
    let dir = fixture();
    let toml = dir.path().join("misura.toml");
    let text = std::fs::read_to_string(&toml).unwrap()
        + "\n[datasets.orders]\npath = \"exports/orders_*.csv\"\n";
    std::fs::write(&toml, text).unwrap();
    settings(dir.path(), None, &[])
        .expect("settings resolve; files are looked for when data is read");
    let out = tempfile::tempdir().unwrap();
    let msg = run(dir.path(), out.path(), None)
        .await
        .unwrap_err()
        .to_string();
    assert!(
        msg.contains("dataset `orders`")
            && msg.contains("orders_*.csv matches no file")
            && msg.contains("[datasets.orders] path"),
        "{msg}"
    );
}

#[tokio::test]
async fn a_ragged_line_is_a_bad_row_and_the_rest_of_the_file_is_read() {
    let dir = fixture();
    edit(
        dir.path(),
        "contacts.csv",
        "prospect,,no\n",
        "prospect,,no\nC4,,2025-01-01\n",
    );
    let out = tempfile::tempdir().unwrap();
    let err = run(dir.path(), out.path(), None).await.unwrap_err();
    let msg = err.to_string();
    assert!(
        msg.contains("contacts.csv row 4 (line 5): the line has 3 fields where the header has 9")
            && msg.contains("quote such fields"),
        "{msg}"
    );
    assert_eq!(err.exit_code(), 1);
    // Under reject the line is a rejected row with its reason; the other rows are read.
    let s = run(dir.path(), out.path(), Some(OnInvalid::Reject))
        .await
        .unwrap();
    let contacts = s
        .manifest
        .inputs
        .iter()
        .find(|i| i.table == "contacts")
        .unwrap();
    assert_eq!(
        (
            contacts.rows_read,
            contacts.rows_accepted,
            contacts.rows_rejected
        ),
        (4, 3, 1)
    );
    let rejects = std::fs::read_to_string(s.run_dir.join("rejects/contacts.csv")).unwrap();
    assert!(
        rejects.contains("the line has 3 fields where the header has 9"),
        "{rejects}"
    );
}

#[tokio::test]
async fn ambiguous_and_ignored_files() {
    let dir = fixture();
    std::fs::copy(
        dir.path().join("orders.csv"),
        dir.path().join("orders.ndjson"),
    )
    .unwrap();
    let out = tempfile::tempdir().unwrap();
    let msg = run(dir.path(), out.path(), None)
        .await
        .unwrap_err()
        .to_string();
    assert!(
        msg.contains("dataset `orders`: several candidates") && msg.contains("orders.ndjson"),
        "{msg}"
    );
    std::fs::remove_file(dir.path().join("orders.ndjson")).unwrap();
    std::fs::write(dir.path().join("contact.csv"), "a\n1\n").unwrap();
    let summary = run(dir.path(), out.path(), None).await.unwrap();
    assert!(
        summary.manifest.warnings.iter().any(|w| w.contains("contact.csv was ignored") && w.contains("did you mean `contacts`")),
        "{:?}",
        summary.manifest.warnings
    );
}

#[test]
fn unknown_and_invalid_parameters() {
    let dir = fixture();
    let err = settings(dir.path(), None, &["influencer_reach=lots"]).unwrap_err();
    assert_eq!(
        err.to_string(),
        "parameter `influencer_reach` (from --param): `lots` is not a whole number from 0 to 9223372036854775807"
    );
    assert_eq!(err.exit_code(), 2);
    let err = settings(dir.path(), None, &["brandd=x"])
        .unwrap_err()
        .to_string();
    assert!(
        err.contains("unknown parameter `brandd` (from --param), did you mean `brand`?"),
        "{err}"
    );
    let err = settings(dir.path(), None, &["brand"])
        .unwrap_err()
        .to_string();
    assert!(err.contains("expected name=value"), "{err}");
    let err = settings(dir.path(), None, &["window_end=2025-01-01"])
        .unwrap_err()
        .to_string();
    assert!(
        err.contains("a date after window_start (2026-01-01)"),
        "{err}"
    );

    let toml = dir.path().join("misura.toml");
    std::fs::write(&toml, "[parameters]\nbrandd = \"acme\"\n").unwrap();
    let err = settings(dir.path(), None, &[]).unwrap_err().to_string();
    assert!(
        err.contains("unknown parameter `brandd`")
            && err.contains("misura.toml")
            && err.contains("did you mean `brand`"),
        "{err}"
    );
    std::fs::write(&toml, "currenc = \"EUR\"\n").unwrap();
    let err = settings(dir.path(), None, &[]).unwrap_err().to_string();
    assert!(
        err.contains("misura.toml")
            && err.contains("unknown field `currenc`")
            && err.contains("line 1"),
        "{err}"
    );
    std::fs::write(&toml, "[datasets.contact]\npath = \"x.csv\"\n").unwrap();
    let err = settings(dir.path(), None, &[]).unwrap_err().to_string();
    assert!(
        err.contains("[datasets.contact] is not a canonical table, did you mean `contacts`?"),
        "{err}"
    );
}
