//! `misura sql`: query the canonical tables, staging views, use-case views and a run's
//! output tables with SQL — interactively, with `-e`, or from a file with `-f`.

use super::common::DataArgs;
use crate::error::{Error, Result};
use crate::sql::SqlSession;
use crate::sql::format::Format;
use crate::sql::shell::{self, Next, Shell};
use clap::Args;
use std::path::PathBuf;

/// Arguments of `misura sql`.
#[derive(Debug, Args)]
pub(crate) struct SqlArgs {
    #[command(flatten)]
    data: DataArgs,
    /// Also register the output tables of this run folder (e.g. reports/latest)
    #[arg(long, value_name = "RUN_DIR")]
    run: Option<PathBuf>,
    /// Result format
    #[arg(long, value_enum, default_value = "table")]
    format: Format,
    /// Run these statements (or backslash commands) and exit; repeatable
    #[arg(
        short = 'e',
        long = "execute",
        value_name = "SQL",
        conflicts_with = "file"
    )]
    execute: Vec<String>,
    /// Run the statements of this file and exit (stops at the first error)
    #[arg(short = 'f', long = "file", value_name = "FILE")]
    file: Option<PathBuf>,
}

/// Runs `misura sql`: 0 when every statement succeeded, 1 when one failed, 2 on usage errors.
pub(crate) async fn execute(args: SqlArgs) -> Result<u8> {
    let mut settings = args.data.settings()?;
    let catalog = SqlSession::open(&mut settings, args.run.as_deref()).await?;
    if args.data.show_settings {
        eprintln!("{}", settings.render());
    }
    let mut shell = Shell::new(catalog, args.format)?;
    let mut stdout = std::io::stdout();
    if !args.execute.is_empty() {
        for text in &args.execute {
            if shell.execute(text, &mut stdout).await? == Next::Quit {
                break;
            }
        }
        return Ok(0);
    }
    if let Some(file) = &args.file {
        let text = std::fs::read_to_string(file).map_err(|e| Error::io(file, e))?;
        return script(&mut shell, &text, file).await;
    }
    shell::interactive(&mut shell).await
}

/// Runs a script: backslash commands on their own line, statements up to `;`; stops at
/// the first error, naming the line it started on.
async fn script(shell: &mut Shell, text: &str, file: &std::path::Path) -> Result<u8> {
    let mut stdout = std::io::stdout();
    let mut buffer = String::new();
    let mut started = 0;
    for (i, line) in text.lines().enumerate() {
        if only_comments(&buffer) {
            buffer.clear();
            started = i + 1;
            if line.trim_start().starts_with('\\') {
                match shell.execute(line, &mut stdout).await {
                    Ok(Next::Quit) => return Ok(0),
                    Ok(Next::Continue) => continue,
                    Err(e) => return Err(at(file, started, e)),
                }
            }
        }
        buffer.push_str(line);
        buffer.push('\n');
        if strip_comment(line).trim_end().ends_with(';') {
            let statement = std::mem::take(&mut buffer);
            if let Err(e) = shell.execute(&statement, &mut stdout).await {
                return Err(at(file, started, e));
            }
        }
    }
    if !only_comments(&buffer) {
        shell
            .execute(&buffer, &mut stdout)
            .await
            .map_err(|e| at(file, started, e))?;
    }
    Ok(0)
}

fn strip_comment(line: &str) -> &str {
    line.split("--").next().unwrap_or("")
}

fn only_comments(text: &str) -> bool {
    text.lines().all(|l| strip_comment(l).trim().is_empty())
}

fn at(file: &std::path::Path, line: usize, e: Error) -> Error {
    match e {
        Error::Sql { problem } => Error::Sql {
            problem: format!(
                "{} (statement starting at line {line}): {problem}",
                file.display()
            ),
        },
        other => other,
    }
}
