//! Lint of the SQL under `queries/` (queries/README.md): the shapes the queries must not
//! retype.
//!
//! (a) No `'all' AS period` fan-out: a query that builds the whole-window row by repeating
//!     its rows under a literal `'all' AS period` and a `UNION ALL` of the month rows. The
//!     whole window and the months come from one `GROUP BY GROUPING SETS ((period_month), ())`
//!     (or a join with the period grid `stg_periods`). [`FAN_OUT_ALLOWED`] lists the one that
//!     stays (the grid itself), with the reason.
//! (b) No bare float sum of money: `sum(x)` / `avg(x)` over an amount (revenue, margin, cost,
//!     budget, amount, value, saving, prorated …) must be the exact form
//!     `sum(CAST(x AS DECIMAL(p, s)))` (converted back with `CAST(… AS DOUBLE)`), so that the
//!     result does not depend on the order the rows are added in. [`MONEY_SUM_ALLOWED`] lists
//!     the sums that stay float, each with the reason.

use std::path::{Path, PathBuf};

/// Parts of a column name (split at `_`) that make it an amount of money.
const MONEY_WORDS: &[&str] = &[
    "revenue", "margin", "cost", "costs", "budget", "amount", "value", "saving", "savings",
    "prorated", "spend", "price",
];

/// Last parts of a column name that make it a count or a ratio even with a money word in
/// it (`cost_rows`, `margin_rate`).
const NOT_MONEY_SUFFIXES: &[&str] = &["rows", "n", "count", "rate", "share", "days"];

/// Fan-outs that stay, with the reason: (file under `queries/`, why).
const FAN_OUT_ALLOWED: &[(&str, &str)] = &[(
    // The period grid itself: its 'all' row is one literal row (the window), not rows
    // repeated. Its GROUPING SETS form (the months' total row) yields that row from an
    // empty input too: DataFusion 55 pushes a constant-false filter below the aggregate
    // (`WHERE kpi = …` on a use-case view in `misura sql` rules out the other branches of
    // its UNION ALL), and every KPI's 'all' row came back (tests/it/sql.rs).
    "staging/stg_periods.sql",
    "the grid's own 'all' row; GROUPING SETS here answers filtered views wrongly",
)];

/// Float sums of money that stay float, with the reason: (file under `queries/`, the sum
/// as written (case and spaces as in the file), why).
const MONEY_SUM_ALLOWED: &[(&str, &str, &str)] = &[
    // The RFM summary the CLV models are fitted on: a contact's mean revenue per repeat day
    // (monetary) and margin / revenue (margin_rate), over that contact's purchase days (each
    // day's revenue and margin are exact sums already). Written exactly
    // (CAST(sum(CAST(x AS DECIMAL(38, 10))) AS DOUBLE), divided by the count for the mean),
    // each of the two changes published values in their last bits, on the sample and at
    // scale 0.01 (CSV and Parquet): the fitted Gamma-Gamma parameters (sample: std_error of
    // p 2.2098939247143043 -> 2.2098822587821685), clv.expected_value (sample C0000012:
    // 18.708233806441648 -> ...644), clv_model, roi and roi_drivers. They stay float sums
    // until such a change is made on purpose (issue #21, item 5).
    (
        "models/clv_rfm.sql",
        "avg(CASE WHEN nth > 1 THEN revenue END)",
        "the CLV fit's monetary value; exact form changes clv outputs",
    ),
    (
        "models/clv_rfm.sql",
        "sum(revenue)",
        "margin_rate's denominator; exact form changes clv outputs",
    ),
    (
        "models/clv_rfm.sql",
        "sum(margin)",
        "margin_rate's numerator; exact form changes clv outputs",
    ),
];

/// One token of SQL: comments are dropped, words are lower-cased.
#[derive(Debug, Clone, PartialEq)]
enum Token {
    /// A keyword or an identifier (lower case; a `"quoted"` identifier without its quotes).
    Word(String),
    /// A string literal, without its quotes.
    Str(String),
    /// A number.
    Num(String),
    /// Any other character.
    Punct(char),
}

/// A token and the byte offset where it starts.
type Spanned = (Token, usize);

fn tokenize(sql: &str) -> Vec<Spanned> {
    let b = sql.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < b.len() {
        let c = b[i] as char;
        if c.is_whitespace() {
            i += 1;
        } else if sql[i..].starts_with("--") {
            i = sql[i..].find('\n').map_or(b.len(), |n| i + n);
        } else if sql[i..].starts_with("/*") {
            i = sql[i + 2..].find("*/").map_or(b.len(), |n| i + 2 + n + 2);
        } else if c == '\'' || c == '"' {
            // a string literal or a quoted identifier; a doubled quote is one quote
            let start = i;
            let mut text = String::new();
            i += 1;
            while i < b.len() {
                if b[i] as char == c {
                    if i + 1 < b.len() && b[i + 1] as char == c {
                        text.push(c);
                        i += 2;
                        continue;
                    }
                    i += 1;
                    break;
                }
                let ch = sql[i..].chars().next().unwrap();
                text.push(ch);
                i += ch.len_utf8();
            }
            out.push((
                if c == '\'' {
                    Token::Str(text)
                } else {
                    Token::Word(text.to_lowercase())
                },
                start,
            ));
        } else if c.is_ascii_alphabetic() || c == '_' {
            let start = i;
            while i < b.len() && ((b[i] as char).is_ascii_alphanumeric() || b[i] == b'_') {
                i += 1;
            }
            out.push((Token::Word(sql[start..i].to_lowercase()), start));
        } else if c.is_ascii_digit() {
            let start = i;
            while i < b.len() && ((b[i] as char).is_ascii_digit() || b[i] == b'.') {
                i += 1;
            }
            out.push((Token::Num(sql[start..i].to_string()), start));
        } else {
            let ch = sql[i..].chars().next().unwrap();
            out.push((Token::Punct(ch), i));
            i += ch.len_utf8();
        }
    }
    out
}

fn is_word(t: &Token, w: &str) -> bool {
    matches!(t, Token::Word(x) if x == w)
}

fn punct_at(tokens: &[Spanned], k: usize, c: char) -> bool {
    tokens.get(k).is_some_and(|(t, _)| *t == Token::Punct(c))
}

fn is_money(name: &str) -> bool {
    let parts: Vec<&str> = name.split('_').collect();
    parts.iter().any(|p| MONEY_WORDS.contains(p))
        && !NOT_MONEY_SUFFIXES.contains(parts.last().unwrap_or(&""))
}

/// The index of the `)` closing the `(` at `open`.
fn closing(tokens: &[Spanned], open: usize) -> Option<usize> {
    let mut depth = 0usize;
    for (k, (t, _)) in tokens.iter().enumerate().skip(open) {
        match t {
            Token::Punct('(') => depth += 1,
            Token::Punct(')') => {
                depth -= 1;
                if depth == 0 {
                    return Some(k);
                }
            }
            _ => {}
        }
    }
    None
}

/// The words of an aggregate's argument that are summed: all of them but those of a `CASE`'s
/// conditions (`sum(CASE WHEN cost > 0 THEN 1 ELSE 0 END)` counts rows; it adds no money).
fn summed_words(arg: &[Spanned]) -> impl Iterator<Item = &str> {
    let mut in_condition = false;
    let mut outer: Vec<bool> = Vec::new();
    arg.iter().filter_map(move |(t, _)| {
        let Token::Word(w) = t else { return None };
        match w.as_str() {
            "case" => outer.push(in_condition),
            "when" => in_condition = true,
            "then" | "else" => in_condition = false,
            "end" => in_condition = outer.pop().unwrap_or(false),
            _ if !in_condition => return Some(w.as_str()),
            _ => {}
        }
        None
    })
}

/// Whether `arg` (the tokens between the parentheses of `sum(…)`) is
/// `CAST(<expr> AS DECIMAL(p, s))`, the exact form.
fn is_exact(tokens: &[Spanned], from: usize, to: usize) -> bool {
    let arg = &tokens[from..to];
    let n = arg.len();
    n >= 10
        && is_word(&arg[0].0, "cast")
        && arg[1].0 == Token::Punct('(')
        && closing(tokens, from + 1) == Some(to - 1)
        && is_word(&arg[n - 8].0, "as")
        && is_word(&arg[n - 7].0, "decimal")
        && arg[n - 6].0 == Token::Punct('(')
        && matches!(arg[n - 5].0, Token::Num(_))
        && arg[n - 4].0 == Token::Punct(',')
        && matches!(arg[n - 3].0, Token::Num(_))
        && arg[n - 2].0 == Token::Punct(')')
}

/// The problems of one query file: one line each.
fn lint(file: &str, sql: &str) -> Vec<String> {
    let tokens = tokenize(sql);
    let mut problems = Vec::new();
    let line = |offset: usize| sql[..offset].matches('\n').count() + 1;
    // (a) 'all' [AS] period together with a UNION in the same query; the literal may be
    // cast ('all'::VARCHAR, CAST('all' AS VARCHAR))
    let union = tokens.iter().any(|(t, _)| is_word(t, "union"));
    for (k, (t, offset)) in tokens.iter().enumerate() {
        if !matches!(t, Token::Str(s) if s.eq_ignore_ascii_case("all")) {
            continue;
        }
        let mut next = k + 1;
        if k >= 2 && is_word(&tokens[k - 2].0, "cast") && punct_at(&tokens, k - 1, '(') {
            next = closing(&tokens, k - 1).map_or(next, |c| c + 1);
        }
        while punct_at(&tokens, next, ':') && punct_at(&tokens, next + 1, ':') {
            next += 3;
        }
        if tokens.get(next).is_some_and(|(t, _)| is_word(t, "as")) {
            next += 1;
        }
        let allowed = FAN_OUT_ALLOWED.iter().any(|(f, _)| file.ends_with(f));
        if union && !allowed && tokens.get(next).is_some_and(|(t, _)| is_word(t, "period")) {
            problems.push(format!(
                "{file}:{}: 'all' AS period with a UNION: the whole window repeated by hand; \
                 group once with GROUP BY GROUPING SETS ((period_month), ()) (queries/README.md)",
                line(*offset)
            ));
        }
    }
    // (b) sum( / avg( of money that is not the exact decimal form
    for (k, (t, _)) in tokens.iter().enumerate() {
        let aggregate = ["sum", "avg"].iter().any(|f| is_word(t, f));
        if !aggregate || !punct_at(&tokens, k + 1, '(') {
            continue;
        }
        let Some(close) = closing(&tokens, k + 1) else {
            continue;
        };
        let money = summed_words(&tokens[k + 2..close]).any(is_money);
        if !money || is_exact(&tokens, k + 2, close) {
            continue;
        }
        let written = &sql[tokens[k].1..=tokens[close].1];
        if MONEY_SUM_ALLOWED
            .iter()
            .any(|(f, s, _)| file.ends_with(f) && *s == written)
        {
            continue;
        }
        problems.push(format!(
            "{file}:{}: float sum of money `{written}`: write CAST(sum(CAST(x AS DECIMAL(38, 10))) \
             AS DOUBLE) (queries/README.md), or allow-list it in tests/it/sql_lint.rs with the reason",
            line(tokens[k].1)
        ));
    }
    problems
}

fn sql_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            sql_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "sql") {
            out.push(path);
        }
    }
}

#[test]
fn the_queries_do_not_retype_the_fan_out_nor_sum_money_in_floats() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut files = Vec::new();
    sql_files(&root.join("queries"), &mut files);
    files.sort();
    assert!(files.len() > 30, "found only {} .sql files", files.len());
    let mut problems = Vec::new();
    for f in &files {
        let shown = f.strip_prefix(root).unwrap().display().to_string();
        problems.extend(lint(&shown, &std::fs::read_to_string(f).unwrap()));
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
    // every allow-listed fan-out and sum is still there (else its entry is stale)
    for (file, _) in FAN_OUT_ALLOWED {
        let text = std::fs::read_to_string(root.join("queries").join(file)).unwrap();
        assert!(
            text.contains("'all' AS period") && text.contains("UNION ALL"),
            "queries/{file} no longer fans out by hand: drop its entry"
        );
    }
    for (file, sum, _) in MONEY_SUM_ALLOWED {
        let text = std::fs::read_to_string(root.join("queries").join(file)).unwrap();
        assert!(
            text.contains(sum),
            "queries/{file} no longer has `{sum}`: drop its entry"
        );
    }
}

#[test]
fn the_lint_rejects_the_old_fan_out_and_a_bare_money_sum() {
    let planted = "
        WITH by_period AS (
            select 'ALL'   as
                   Period, revenue, margin FROM orders_in_window
            UNION   all
            SELECT period_month AS period, revenue, margin FROM orders_in_window
        )
        SELECT period,
               SUM( revenue ) AS revenue,
               avg(o.margin) AS margin,
               sum(CAST(revenue AS DECIMAL(38, 10))) AS exact_revenue,
               CAST(sum(CAST(cost AS DECIMAL(38, 10))) + sum(cost) AS DOUBLE) AS mixed,
               sum(cost_rows) AS cost_rows,
               sum(CASE WHEN prorated_cost > 0 THEN 1 ELSE 0 END) AS costed,
               sum(reach) AS reach,
               sum(CASE WHEN budget IS NULL THEN 0 ELSE budget END) AS budget
        FROM by_period -- 'all' AS period in a comment is no query
        GROUP BY period";
    let problems = lint("planted.sql", planted);
    let fan_outs = problems
        .iter()
        .filter(|p| p.contains("'all' AS period"))
        .count();
    for spelled in [
        "SELECT 'all'::VARCHAR period, x FROM t UNION ALL SELECT m, x FROM t",
        "SELECT CAST('all' AS VARCHAR) AS \"PERIOD\", x FROM t\nunion\tALL SELECT m, x FROM t",
    ] {
        assert_eq!(lint("s.sql", spelled).len(), 1, "{spelled}");
    }
    let money: Vec<&String> = problems
        .iter()
        .filter(|p| p.contains("float sum"))
        .collect();
    assert_eq!(fan_outs, 1, "{problems:#?}");
    assert_eq!(money.len(), 4, "{problems:#?}");
    assert!(money[0].contains("`SUM( revenue )`") && money[0].starts_with("planted.sql:9:"));
    assert!(money[1].contains("`avg(o.margin)`"), "{money:?}");
    assert!(money[2].contains("`sum(cost)`"), "{money:?}");
    assert!(money[3].contains("ELSE budget END)`"), "{money:?}");
    assert!(problems[0].starts_with("planted.sql:3:"), "{problems:#?}");

    // the forms the queries use pass
    let good = "
        SELECT CASE WHEN grouping(period_month) = 1 THEN 'all' ELSE period_month END AS period,
               CAST(sum(CAST(CASE WHEN is_advocate THEN revenue ELSE 0 END AS DECIMAL(38, 10))) AS DOUBLE) AS r,
               count(*) AS n
        FROM window_orders
        GROUP BY GROUPING SETS ((period_month), ())
        UNION ALL
        SELECT 'all', 0.0, count(*) FROM channel_costs";
    assert_eq!(lint("good.sql", good), Vec::<String>::new());
}
