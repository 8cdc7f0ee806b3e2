//! The crate's one error type. Every variant says whose fault it is and where (file, row,
//! column, parameter, query) and, where one exists, how to fix it.

use datafusion::error::DataFusionError;
use std::fmt;
use std::path::PathBuf;

/// Result alias used across the library.
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// Everything that can go wrong in misura.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// A file or directory could not be read or written.
    #[error("cannot access {path}: {source}")]
    Io {
        /// The path involved.
        path: PathBuf,
        /// The OS error.
        #[source]
        source: std::io::Error,
    },
    /// The project file is not valid TOML or has unknown keys.
    #[error(
        "{path}: {source}\n  fix: see the `misura.toml` section of docs/guide.md for the accepted keys"
    )]
    ConfigSyntax {
        /// The project file.
        path: PathBuf,
        /// What the TOML parser said (with line and column).
        #[source]
        source: Box<toml::de::Error>,
    },
    /// A parameter name is not one of docs/spec/kpis.md's parameters.
    #[error("unknown parameter `{name}` (from {origin}){hint}\n  known parameters: {known}")]
    UnknownParameter {
        /// The name given.
        name: String,
        /// Where it came from (`--param`, env var, misura.toml).
        origin: String,
        /// ", did you mean `x`?" or empty.
        hint: String,
        /// Comma-separated list of accepted names.
        known: String,
    },
    /// A parameter value does not parse or is out of range.
    #[error("parameter `{name}` (from {origin}): `{value}` is not {expected}")]
    InvalidParameter {
        /// Parameter name.
        name: String,
        /// Where it came from.
        origin: String,
        /// The value given.
        value: String,
        /// What an accepted value looks like.
        expected: String,
    },
    /// A `--param` argument without `=`.
    #[error("`--param {arg}`: expected name=value, e.g. --param brand=acme")]
    ParamSyntax {
        /// The argument as given.
        arg: String,
    },
    /// `[datasets.<name>]` names no canonical table.
    #[error(
        "misura.toml: [datasets.{name}] is not a canonical table{hint}\n  canonical tables: {known}"
    )]
    UnknownTable {
        /// Name given.
        name: String,
        /// ", did you mean `x`?" or empty.
        hint: String,
        /// The table names.
        known: String,
    },
    /// `[datasets.<table>.columns]` maps a column that the table does not have.
    #[error(
        "misura.toml: [datasets.{table}.columns] maps `{column}`, which is not a column of {table}{hint}\n  columns of {table}: {known}"
    )]
    UnknownColumn {
        /// Table.
        table: String,
        /// Canonical column name given.
        column: String,
        /// Suggestion or empty.
        hint: String,
        /// The table's columns.
        known: String,
    },
    /// The configured path of a dataset matches nothing.
    #[error(
        "dataset `{table}`: {pattern} matches no file\n  fix: correct [datasets.{table}] path in misura.toml (paths are relative to the data directory)"
    )]
    MissingFile {
        /// Table.
        table: String,
        /// The path or glob as resolved.
        pattern: String,
    },
    /// Two or more candidate files exist for a table and none is configured.
    #[error(
        "dataset `{table}`: several candidates found: {candidates}\n  fix: keep one, or choose with [datasets.{table}] path = \"...\" in misura.toml"
    )]
    AmbiguousFiles {
        /// Table.
        table: String,
        /// The candidate paths.
        candidates: String,
    },
    /// A file has an extension misura cannot read.
    #[error(
        "{path}: unsupported file format\n  fix: use .csv, .csv.gz, .parquet or .ndjson, or set [datasets.{table}] format"
    )]
    UnsupportedFormat {
        /// Table.
        table: String,
        /// File.
        path: String,
    },
    /// Required columns are absent from a file.
    #[error(
        "{file}: column(s) {missing} missing for table `{table}`; found: {found}\n  fix: map them in misura.toml, e.g. [datasets.{table}.columns] {example} = \"<your column>\""
    )]
    MissingColumns {
        /// Table.
        table: String,
        /// File as displayed.
        file: String,
        /// Missing canonical columns, comma-separated.
        missing: String,
        /// Columns the file has.
        found: String,
        /// First missing column (for the example).
        example: String,
    },
    /// A file could not be parsed at all (a damaged gzip stream, a corrupt Parquet file).
    #[error("{file}: cannot be read as {format}: {source}\n  fix: {fix}")]
    Unreadable {
        /// Table.
        table: String,
        /// File as displayed.
        file: String,
        /// Format tried.
        format: String,
        /// Underlying error.
        #[source]
        source: Box<DataFusionError>,
        /// What to do, for this format and this kind of damage.
        fix: String,
    },
    /// A file holds no bytes at all.
    #[error(
        "{file}: the file is empty (0 bytes), not even a header\n  fix: export table `{table}` again, or remove the file (the table is then absent and the use cases that need it are listed as not measurable)"
    )]
    EmptyFile {
        /// Table.
        table: String,
        /// File as displayed.
        file: String,
    },
    /// A CSV header read as a single column that holds another delimiter.
    #[error(
        "{file}: the header reads as one column (\"{header}\") with the delimiter `{}`; the file looks `{}`-delimited\n  fix: set [datasets.{table}] delimiter = \"{}\" in misura.toml", .expected.escape_default(), .found.escape_default(), .found.escape_default()
    )]
    WrongDelimiter {
        /// Table.
        table: String,
        /// File as displayed.
        file: String,
        /// The header as read.
        header: String,
        /// The delimiter used.
        expected: char,
        /// The delimiter the header holds.
        found: char,
    },
    /// Several input files could not be read: every one of them, in one message.
    #[error("{} input file(s) cannot be read:\n{}", .0.len(), .0.iter().map(|e| format!("  {}", e.to_string().replace('\n', "\n  "))).collect::<Vec<_>>().join("\n"))]
    Inputs(Vec<Error>),
    /// Every row of the data lies after the as-of day: nothing to measure.
    #[error(
        "no data on or before {as_of}: all {later} rows read lie after it\n  fix: choose a later --as-of (the run sees the data as it stood at the end of that day)"
    )]
    NoDataBefore {
        /// The as-of day.
        as_of: String,
        /// Rows left out because they lie after it.
        later: u64,
    },
    /// The analysis window is empty (its start is not before its end).
    #[error(
        "the analysis window is empty: it starts {start} and ends {end} (exclusive)\n  fix: set window_start before window_end in [parameters] of misura.toml, or choose a later --as-of (the window never reaches past it)"
    )]
    EmptyWindow {
        /// window_start.
        start: String,
        /// window_end (after clipping to the as-of).
        end: String,
    },
    /// Data failed validation with policy `on_invalid = "fail"`.
    #[error("{0}")]
    InvalidData(Box<ValidationFailure>),
    /// A query file failed to plan or run.
    #[error("query {file}: {source}")]
    Query {
        /// The SQL file.
        file: String,
        /// DataFusion's message.
        #[source]
        source: Box<DataFusionError>,
    },
    /// A query or its sidecar is inconsistent (unknown KPI id, bad metadata).
    #[error("{file}: {problem}")]
    QueryDefinition {
        /// The SQL or sidecar file.
        file: String,
        /// What is inconsistent.
        problem: String,
    },
    /// An engine error outside a user query.
    #[error("{context}: {source}")]
    Engine {
        /// What misura was doing.
        context: String,
        /// DataFusion's message.
        #[source]
        source: Box<DataFusionError>,
    },
    /// An attribution or statistical model cannot be computed on this data.
    #[error("model {model}: {problem}")]
    Model {
        /// Model id.
        model: String,
        /// What went wrong and what to do.
        problem: String,
    },
    /// A chart, page or workbook of the report could not be produced.
    #[error("report {what}: {problem}")]
    Report {
        /// The chart, page or workbook.
        what: String,
        /// What went wrong.
        problem: String,
    },
    /// Another run holds the output directory's lock.
    #[error("another misura run (pid {}) is writing to this output directory ({path}); try again when it ends\n  (a lock left by a process that died is taken over automatically)", pid.map_or("unknown".to_string(), |p| p.to_string()))]
    Locked {
        /// The lock file.
        path: PathBuf,
        /// The owner's pid, when recorded.
        pid: Option<u32>,
    },
    /// The generator was given impossible arguments.
    #[error("generate: {problem}")]
    Generate {
        /// What is wrong.
        problem: String,
    },
    /// A statement of `misura sql` failed or was refused (exit code 1).
    #[error("{problem}")]
    Sql {
        /// What went wrong, and the fix when there is one.
        problem: String,
    },
    /// The Ballista cluster cannot be reached or used (exit code 2).
    #[error("cluster {url}: {problem}")]
    Cluster {
        /// The scheduler's address as given.
        url: String,
        /// What went wrong and what to do.
        problem: String,
    },
    /// `misura sql` / `misura serve` were given arguments they cannot use (exit code 2).
    #[error("{problem}")]
    Usage {
        /// What is wrong and how to fix it.
        problem: String,
    },
}

impl Error {
    /// The query or sidecar file the error is about, when it is about one.
    pub fn file(&self) -> Option<&str> {
        match self {
            Error::Query { file, .. } | Error::QueryDefinition { file, .. } => Some(file),
            _ => None,
        }
    }

    /// The process exit code for this error: 1 when the data is at fault (the run could
    /// not complete because of the inputs' content), 2 for usage, configuration and
    /// environment errors, 3 when another run holds the output lock.
    pub fn exit_code(&self) -> u8 {
        match self {
            Error::InvalidData(_)
            | Error::NoDataBefore { .. }
            | Error::EmptyWindow { .. }
            | Error::MissingColumns { .. }
            | Error::Unreadable { .. }
            | Error::EmptyFile { .. }
            | Error::WrongDelimiter { .. }
            | Error::Inputs(_)
            | Error::Sql { .. } => 1,
            Error::Locked { .. } => 3,
            _ => 2,
        }
    }

    /// A file that cannot be read at all (empty, damaged, another delimiter, columns
    /// missing): the run stops, but every such file is named in one message.
    pub fn is_unreadable_file(&self) -> bool {
        matches!(
            self,
            Error::Unreadable { .. }
                | Error::EmptyFile { .. }
                | Error::WrongDelimiter { .. }
                | Error::MissingColumns { .. }
                | Error::Inputs(_)
        )
    }

    /// Wraps a DataFusion error with what misura was doing.
    pub fn engine(context: impl Into<String>, source: DataFusionError) -> Self {
        Error::Engine {
            context: context.into(),
            source: Box::new(source),
        }
    }

    /// A report error for `what`.
    pub fn report(what: impl Into<String>, problem: impl ToString) -> Self {
        Error::Report {
            what: what.into(),
            problem: problem.to_string(),
        }
    }

    /// Wraps an I/O error with its path.
    pub fn io(path: impl Into<PathBuf>, source: std::io::Error) -> Self {
        Error::Io {
            path: path.into(),
            source,
        }
    }
}

/// ", did you mean `x`?" when a close match exists among `known`, else "".
pub(crate) fn did_you_mean<'a>(given: &str, known: impl IntoIterator<Item = &'a str>) -> String {
    known
        .into_iter()
        .map(|k| (strsim::levenshtein(given, k), k))
        .filter(|(d, k)| *d <= 3.max(k.len() / 3))
        .min()
        .map(|(_, k)| format!(", did you mean `{k}`?"))
        .unwrap_or_default()
}

/// The error raised when data is invalid and the policy is `fail`.
#[derive(Debug, Clone)]
pub struct ValidationFailure {
    /// (table, invalid rows, rows read) per table with problems.
    pub tables: Vec<(String, u64, u64)>,
    /// The first problems, described, each with its fix.
    pub examples: Vec<(String, String)>,
    /// Total number of problems.
    pub total: usize,
}

impl fmt::Display for ValidationFailure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let summary = self
            .tables
            .iter()
            .map(|(t, bad, read)| format!("{t}: {bad} of {read} rows"))
            .collect::<Vec<_>>()
            .join("; ");
        writeln!(
            f,
            "invalid data: {} problem(s) in {} table(s) ({summary})",
            self.total,
            self.tables.len()
        )?;
        for (what, fix) in &self.examples {
            writeln!(f, "  {what}\n      fix: {fix}")?;
        }
        if self.total > self.examples.len() {
            writeln!(
                f,
                "  ... and {} more (`misura check` lists up to 50 per table)",
                self.total - self.examples.len()
            )?;
        }
        write!(
            f,
            "nothing was computed (on_invalid = \"fail\"); to set invalid rows aside in <run>/rejects/ instead, use --on-invalid reject or on_invalid = \"reject\" in misura.toml"
        )
    }
}
