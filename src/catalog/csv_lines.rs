//! A record-by-record CSV reader for the files DataFusion's reader cannot take whole: a
//! ragged line (more or fewer fields than the header), bytes that are not UTF-8, or a file
//! in another encoding (`[datasets.<table>] encoding`). Every record becomes a row; a record
//! that cannot be taken becomes a row of nulls with its problem, so that it is rejected (or
//! fails the run) with its row number, its text and the fix, while the rest of the file is
//! read.

use datafusion::arrow::array::{ArrayRef, RecordBatch, StringBuilder};
use datafusion::arrow::datatypes::{DataType, Field, Schema};
use std::io::Read;
use std::path::Path;
use std::sync::Arc;

/// A record that could not be taken.
#[derive(Debug, Clone)]
pub struct BadLine {
    /// 1-based record number (header excluded), as DataFusion's reader numbers rows.
    pub row: i64,
    /// The record's text as read (lossy, at most 200 characters).
    pub text: String,
    /// What is wrong.
    pub problem: String,
    /// How to fix it.
    pub fix: String,
}

/// A file read record by record: one all-text batch (columns named by the header) and the
/// records that could not be taken (their rows are all null in the batch).
#[derive(Debug)]
pub struct Lines {
    /// The header, as read.
    pub header: Vec<String>,
    /// Every record, in order.
    pub batch: RecordBatch,
    /// The records that could not be taken.
    pub bad: Vec<BadLine>,
}

/// The bytes of a file, decompressed; an error names what is wrong with the file itself.
pub(crate) fn file_bytes(path: &Path, gzip: bool) -> std::io::Result<Vec<u8>> {
    let f = std::fs::File::open(path)?;
    let mut bytes = Vec::new();
    if gzip {
        flate2::read::MultiGzDecoder::new(f).read_to_end(&mut bytes)?;
    } else {
        std::io::BufReader::new(f).read_to_end(&mut bytes)?;
    }
    Ok(bytes)
}

/// The text of `bytes` as UTF-8: unchanged without an `encoding` (UTF-8, checked per record
/// later), decoded from it otherwise.
pub(crate) fn to_utf8(bytes: Vec<u8>, encoding: Option<&'static encoding_rs::Encoding>) -> Vec<u8> {
    match encoding {
        None => bytes,
        Some(e) => {
            let (text, _, _) = e.decode(&bytes);
            text.into_owned().into_bytes()
        }
    }
}

/// Reads `bytes` (UTF-8 after `to_utf8`) as CSV with `delimiter`; `table` names the
/// dataset in the fixes.
pub fn read(bytes: &[u8], delimiter: u8, table: &str) -> Result<Lines, csv::Error> {
    let mut rdr = csv::ReaderBuilder::new()
        .delimiter(delimiter)
        .has_headers(true)
        .flexible(true)
        .from_reader(bytes);
    let header: Vec<String> = rdr
        .byte_headers()?
        .iter()
        .map(|h| {
            String::from_utf8_lossy(h)
                .trim_start_matches('\u{feff}')
                .to_string()
        })
        .collect();
    let width = header.len();
    let mut columns: Vec<StringBuilder> = (0..width).map(|_| StringBuilder::new()).collect();
    let mut bad = Vec::new();
    for (row, record) in (1_i64..).zip(rdr.byte_records()) {
        let record = record?;
        let problem = if record.len() != width {
            Some((
                format!("has {} fields where the header has {width}", record.len()),
                "a field holds the delimiter without quotes, or the line was cut or joined: quote such fields (\"a, b\") or repair the line in the export".to_string(),
            ))
        } else {
            record.iter().enumerate().find_map(|(j, field)| {
                std::str::from_utf8(field).err().map(|e| {
                    let byte = field[e.valid_up_to()];
                    (
                        format!("is not UTF-8 text (byte 0x{byte:02X} in column `{}`)", header[j]),
                        format!("save the export as UTF-8, or declare its encoding: [datasets.{table}] encoding = \"windows-1252\" (or \"latin-1\") in misura.toml"),
                    )
                })
            })
        };
        match problem {
            Some((problem, fix)) => {
                let text: Vec<String> = record
                    .iter()
                    .map(|f| String::from_utf8_lossy(f).into_owned())
                    .collect();
                let mut text = text.join(&(delimiter as char).to_string());
                if text.chars().count() > 200 {
                    text = text.chars().take(200).collect::<String>() + "…";
                }
                bad.push(BadLine {
                    row,
                    text,
                    problem,
                    fix,
                });
                columns.iter_mut().for_each(|c| c.append_null());
            }
            None => {
                for (c, field) in columns.iter_mut().zip(record.iter()) {
                    let s = std::str::from_utf8(field).expect("checked above");
                    if s.is_empty() {
                        c.append_null();
                    } else {
                        c.append_value(s);
                    }
                }
            }
        }
    }
    let schema = Arc::new(Schema::new(
        header
            .iter()
            .map(|h| Field::new(h, DataType::Utf8, true))
            .collect::<Vec<_>>(),
    ));
    let arrays: Vec<ArrayRef> = columns
        .into_iter()
        .map(|mut c| Arc::new(c.finish()) as ArrayRef)
        .collect();
    let batch = RecordBatch::try_new(schema, arrays).map_err(|e| {
        csv::Error::from(std::io::Error::new(
            std::io::ErrorKind::InvalidData,
            e.to_string(),
        ))
    })?;
    Ok(Lines { header, batch, bad })
}

#[cfg(test)]
mod tests {
    use super::*;
    use datafusion::arrow::array::{Array, AsArray};

    #[test]
    fn ragged_and_non_utf8_records_are_kept_as_bad_lines_and_the_rest_is_read() {
        let bytes = b"id,name\n1,ann\n2,bob,extra\n3,caf\xe9\n4,dan\n";
        let lines = read(bytes, b',', "contacts").unwrap();
        assert_eq!(lines.header, ["id", "name"]);
        assert_eq!(lines.batch.num_rows(), 4);
        let ids = lines.batch.column_by_name("id").unwrap().as_string::<i32>();
        assert_eq!(
            (0..4).map(|i| ids.is_valid(i)).collect::<Vec<_>>(),
            [true, false, false, true]
        );
        assert_eq!(ids.value(3), "4");
        let rows: Vec<i64> = lines.bad.iter().map(|b| b.row).collect();
        assert_eq!(rows, [2, 3]);
        assert_eq!(lines.bad[0].problem, "has 3 fields where the header has 2");
        assert_eq!(lines.bad[0].text, "2,bob,extra");
        assert!(lines.bad[1].problem.contains("byte 0xE9 in column `name`"));
        assert!(lines.bad[1].fix.contains("encoding = \"windows-1252\""));
    }

    #[test]
    fn windows_1252_is_decoded() {
        let bytes = to_utf8(
            b"id;name\n1;caf\xe9 \x80\n".to_vec(),
            Some(encoding_rs::WINDOWS_1252),
        );
        let lines = read(&bytes, b';', "contacts").unwrap();
        assert!(lines.bad.is_empty());
        assert_eq!(
            lines
                .batch
                .column_by_name("name")
                .unwrap()
                .as_string::<i32>()
                .value(0),
            "café €"
        );
    }
}
