//! `COPY (query) TO STDOUT` and `COPY table TO STDOUT`, which psql's `\copy … TO 'file'`
//! sends: the result is streamed to the client, which writes the file on its side, so it is
//! a read. CSV (`FORMAT csv`, or the legacy `CSV`, with `HEADER`, `DELIMITER`, `NULL`) or
//! PostgreSQL's text format (tab-separated, `\N` for NULL, backslash escapes). `COPY … TO
//! 'file'` (the server writes) and `COPY … FROM` stay refused by the guard.

use datafusion::arrow::array::RecordBatch;
use datafusion::arrow::util::display::{ArrayFormatter, FormatOptions};
use datafusion::sql::sqlparser::ast::{
    CopyLegacyCsvOption, CopyLegacyOption, CopyOption, CopySource, CopyTarget, Query, Statement,
};
use datafusion_postgres::pgwire::messages::copy::CopyData;

/// How the rows are written.
#[derive(Debug, Clone, PartialEq)]
pub(super) struct CopyFormat {
    /// CSV (else PostgreSQL's text format).
    pub csv: bool,
    /// A first line with the column names (CSV only).
    pub header: bool,
    /// Between values.
    pub delimiter: char,
    /// For NULL.
    pub null: String,
}

/// The query and format of a `COPY … TO STDOUT`; `None` for any other statement.
pub(super) fn to_stdout(s: &Statement) -> Option<(Query, CopyFormat)> {
    let Statement::Copy {
        source,
        to: true,
        target: CopyTarget::Stdout,
        options,
        legacy_options,
        ..
    } = s
    else {
        return None;
    };
    let query = match source {
        CopySource::Query(q) => (**q).clone(),
        CopySource::Table {
            table_name,
            columns,
        } => {
            let cols = if columns.is_empty() {
                "*".to_string()
            } else {
                columns
                    .iter()
                    .map(ToString::to_string)
                    .collect::<Vec<_>>()
                    .join(", ")
            };
            let sql = format!("SELECT {cols} FROM {table_name}");
            let parsed = datafusion::sql::sqlparser::parser::Parser::parse_sql(
                &datafusion::sql::sqlparser::dialect::PostgreSqlDialect {},
                &sql,
            )
            .ok()?;
            match parsed.into_iter().next()? {
                Statement::Query(q) => *q,
                _ => return None,
            }
        }
    };
    let mut f = CopyFormat {
        csv: false,
        header: false,
        delimiter: '\t',
        null: "\\N".into(),
    };
    for o in options {
        match o {
            CopyOption::Format(name) if name.value.eq_ignore_ascii_case("csv") => {
                f.csv = true;
            }
            CopyOption::Header(h) => f.header = *h,
            CopyOption::Delimiter(d) => f.delimiter = *d,
            CopyOption::Null(n) => f.null = n.clone(),
            _ => {}
        }
    }
    for o in legacy_options {
        match o {
            CopyLegacyOption::Csv(csv) => {
                f.csv = true;
                f.header |= csv.iter().any(|c| matches!(c, CopyLegacyCsvOption::Header));
            }
            CopyLegacyOption::Header => f.header = true,
            CopyLegacyOption::Delimiter(d) => f.delimiter = *d,
            CopyLegacyOption::Null(n) => f.null = n.clone(),
            _ => {}
        }
    }
    if f.csv {
        if f.delimiter == '\t'
            && !options
                .iter()
                .any(|o| matches!(o, CopyOption::Delimiter(_)))
        {
            f.delimiter = ',';
        }
        if f.null == "\\N" && !options.iter().any(|o| matches!(o, CopyOption::Null(_))) {
            f.null = String::new();
        }
    }
    Some((query, f))
}

fn field(value: &str, f: &CopyFormat, out: &mut String) {
    if f.csv {
        let quote = value.contains(f.delimiter)
            || value.contains('"')
            || value.contains('\n')
            || value.contains('\r')
            || value == f.null;
        if quote {
            out.push('"');
            out.push_str(&value.replace('"', "\"\""));
            out.push('"');
        } else {
            out.push_str(value);
        }
    } else {
        for c in value.chars() {
            match c {
                '\\' => out.push_str("\\\\"),
                '\n' => out.push_str("\\n"),
                '\r' => out.push_str("\\r"),
                '\t' => out.push_str("\\t"),
                c if c == f.delimiter => {
                    out.push('\\');
                    out.push(c);
                }
                c => out.push(c),
            }
        }
    }
}

/// The header line, when asked for.
pub(super) fn header(names: &[String], f: &CopyFormat) -> Option<CopyData> {
    (f.csv && f.header).then(|| {
        let mut line = String::new();
        for (i, n) in names.iter().enumerate() {
            if i > 0 {
                line.push(f.delimiter);
            }
            field(n, f, &mut line);
        }
        line.push('\n');
        CopyData::new(line.into_bytes().into())
    })
}

/// One CopyData message per row of `batch`.
pub(super) fn rows(batch: &RecordBatch, f: &CopyFormat) -> Result<Vec<CopyData>, String> {
    let options = FormatOptions::default().with_null("");
    let formatters = batch
        .columns()
        .iter()
        .map(|c| ArrayFormatter::try_new(c.as_ref(), &options))
        .collect::<Result<Vec<_>, _>>()
        .map_err(|e| e.to_string())?;
    let mut out = Vec::with_capacity(batch.num_rows());
    for row in 0..batch.num_rows() {
        let mut line = String::new();
        for (i, (col, fmt)) in batch.columns().iter().zip(&formatters).enumerate() {
            if i > 0 {
                line.push(f.delimiter);
            }
            if col.is_null(row) {
                line.push_str(&f.null);
            } else {
                field(&fmt.value(row).to_string(), f, &mut line);
            }
        }
        line.push('\n');
        out.push(CopyData::new(line.into_bytes().into()));
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn csv_quotes_what_it_must_and_text_escapes() {
        let csv = CopyFormat {
            csv: true,
            header: true,
            delimiter: ',',
            null: String::new(),
        };
        let mut s = String::new();
        field("a,\"b\"", &csv, &mut s);
        assert_eq!(s, "\"a,\"\"b\"\"\"");
        let text = CopyFormat {
            csv: false,
            header: false,
            delimiter: '\t',
            null: "\\N".into(),
        };
        let mut t = String::new();
        field("x\ty\\z\n", &text, &mut t);
        assert_eq!(t, "x\\ty\\\\z\\n");
    }
}
