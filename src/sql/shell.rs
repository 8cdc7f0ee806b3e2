//! `misura sql`: statements from `-e`, a file or an interactive prompt (rustyline: history in
//! `~/.misura_history`, statements over several lines until `;`, Ctrl-C cancels the
//! running query and keeps the shell), backslash commands, results in the chosen format.

use super::format::{Format, render};
use super::guard;
use super::session::SqlSession;
use crate::error::{Error, Result};
use datafusion::sql::parser::DFParser;
use std::io::Write;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Instant;

/// Help of the backslash commands.
pub(crate) const HELP: &str = "\
  \\dt             list tables and views (canonical tables, staging, intermediate and use-case views, run outputs)
  \\d [NAME]       columns of NAME with their meaning (without NAME: as \\dt)
  \\timing [on|off] show how long each statement took
  \\format table|csv|json|markdown
  \\q              quit (also Ctrl-D)
  \\?              this help
Statements end with `;`. Read-only: SELECT, WITH, VALUES, EXPLAIN, SHOW, DESCRIBE.";

/// What the shell does after a line.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum Next {
    /// Read the next statement.
    Continue,
    /// Quit.
    Quit,
}

/// A shell session over a catalog.
pub(crate) struct Shell {
    catalog: SqlSession,
    /// Output format.
    pub format: Format,
    /// Print timings.
    pub timing: bool,
    interrupted: Arc<AtomicBool>,
}

impl Shell {
    /// A shell; Ctrl-C (SIGINT) cancels the running statement instead of killing the process.
    pub fn new(catalog: SqlSession, format: Format) -> Result<Shell> {
        let interrupted = Arc::new(AtomicBool::new(false));
        signal_hook::flag::register(signal_hook::consts::SIGINT, interrupted.clone()).map_err(
            |e| Error::Usage {
                problem: format!("cannot install the Ctrl-C handler: {e}"),
            },
        )?;
        Ok(Shell {
            catalog,
            format,
            timing: false,
            interrupted,
        })
    }

    /// Runs a backslash command or the SQL statements of `text`, printing to `out`.
    pub async fn execute(&mut self, text: &str, out: &mut dyn Write) -> Result<Next> {
        let text = text.trim();
        if let Some(command) = text.strip_prefix('\\') {
            return self.command(command.trim_end_matches(';'), out).await;
        }
        let statements = DFParser::parse_sql(text).map_err(|e| Error::Sql {
            problem: format!("syntax: {e}"),
        })?;
        for statement in statements {
            guard::check_df(&statement).map_err(|problem| Error::Sql { problem })?;
            let started = Instant::now();
            self.interrupted.store(false, Ordering::SeqCst);
            let ctx = self.catalog.ctx.clone();
            let flag = self.interrupted.clone();
            let work = async move {
                let plan = ctx.state().statement_to_plan(statement).await?;
                if let Err(problem) = guard::verify(&plan) {
                    return Ok(Err(problem));
                }
                let batches = ctx.execute_logical_plan(plan).await?.collect().await?;
                Ok::<_, datafusion::error::DataFusionError>(Ok(batches))
            };
            let cancelled = async {
                while !flag.load(Ordering::SeqCst) {
                    tokio::time::sleep(std::time::Duration::from_millis(50)).await;
                }
            };
            let batches = tokio::select! {
                r = work => r.map_err(|e| Error::Sql { problem: self.explain(&e.to_string()) })?
                    .map_err(|problem| Error::Sql { problem })?,
                () = cancelled => {
                    return Err(Error::Sql { problem: "cancelled (Ctrl-C)".into() });
                }
            };
            let shown = render(&batches, self.format)?;
            let rows: usize = batches.iter().map(|b| b.num_rows()).sum();
            let write = |e: std::io::Error| Error::io("<stdout>", e);
            if !shown.is_empty() {
                writeln!(out, "{}", shown.trim_end()).map_err(write)?;
            }
            if self.format == Format::Table {
                writeln!(out, "({rows} row{})", if rows == 1 { "" } else { "s" }).map_err(write)?;
            }
            if self.timing {
                writeln!(out, "Time: {:.3} ms", started.elapsed().as_secs_f64() * 1e3)
                    .map_err(write)?;
            }
        }
        Ok(Next::Continue)
    }

    /// An engine message, with a suggestion when it names an unknown table.
    fn explain(&self, message: &str) -> String {
        let unknown = message
            .split("table '")
            .nth(1)
            .filter(|_| message.contains("not found"))
            .and_then(|rest| rest.split('\'').next())
            .map(|name| name.rsplit('.').next().unwrap_or(name).to_string());
        match unknown {
            Some(name) => format!(
                "{message}{}",
                crate::error::did_you_mean(
                    &name,
                    self.catalog.objects.iter().map(|o| o.name.as_str())
                )
            ),
            None => message.to_string(),
        }
    }

    async fn command(&mut self, command: &str, out: &mut dyn Write) -> Result<Next> {
        let write = |e: std::io::Error| Error::io("<stdout>", e);
        let mut words = command.split_whitespace();
        match (words.next().unwrap_or(""), words.next()) {
            ("q" | "quit", _) => return Ok(Next::Quit),
            ("?" | "h" | "help", _) => writeln!(out, "{HELP}").map_err(write)?,
            ("dt", _) | ("d", None) => {
                for o in &self.catalog.objects {
                    writeln!(out, "{:<28} {:<14} {}", o.name, o.kind.label(), o.doc)
                        .map_err(write)?;
                }
                for (name, why) in &self.catalog.unavailable {
                    writeln!(out, "{name:<28} {:<14} {why}", "unavailable").map_err(write)?;
                }
            }
            ("d", Some(name)) => {
                let columns = self.catalog.describe(name).await?;
                if let Some(o) = self.catalog.object(name) {
                    writeln!(out, "{} ({}): {}", o.name, o.kind.label(), o.doc).map_err(write)?;
                }
                for (column, ty, nullable, doc) in columns {
                    let null = if nullable { "null" } else { "not null" };
                    writeln!(out, "  {column:<26} {ty:<24} {null:<9} {doc}").map_err(write)?;
                }
            }
            ("timing", arg) => {
                self.timing = match arg {
                    Some("on") => true,
                    Some("off") => false,
                    _ => !self.timing,
                };
                writeln!(out, "Timing is {}.", if self.timing { "on" } else { "off" })
                    .map_err(write)?;
            }
            ("format", Some(f)) => {
                self.format = f.parse().map_err(|problem| Error::Sql { problem })?;
            }
            (other, _) => {
                return Err(Error::Sql {
                    problem: format!("unknown command \\{other}; \\? lists the commands"),
                });
            }
        }
        Ok(Next::Continue)
    }
}

/// Reads statements interactively (or from piped stdin) until `\q` or end of input; an
/// error is printed and the shell goes on. Returns 1 when a statement failed and stdin is
/// not a terminal (so scripts see the failure), else 0.
pub(crate) async fn interactive(shell: &mut Shell) -> Result<u8> {
    use rustyline::error::ReadlineError;
    let config = rustyline::Config::builder()
        .max_history_size(1000)
        .map_err(|e| Error::Usage {
            problem: e.to_string(),
        })?
        .history_ignore_dups(true)
        .map_err(|e| Error::Usage {
            problem: e.to_string(),
        })?
        .auto_add_history(false)
        .build();
    let mut editor: rustyline::Editor<Statements, rustyline::history::DefaultHistory> =
        rustyline::Editor::with_config(config).map_err(|e| Error::Usage {
            problem: format!("cannot open the terminal: {e}"),
        })?;
    editor.set_helper(Some(Statements));
    let history =
        std::env::var_os("HOME").map(|h| std::path::PathBuf::from(h).join(".misura_history"));
    if let Some(h) = &history {
        let _ = editor.load_history(h);
    }
    let tty = std::io::IsTerminal::is_terminal(&std::io::stdin());
    if tty {
        use std::io::Write;
        // A closed stdout ends the session below, at the first result; the greeting never panics.
        let _ = writeln!(std::io::stdout(), "misura sql — \\? for help, \\q to quit");
    }
    let mut failed = false;
    loop {
        let line = tokio::task::block_in_place(|| editor.readline("misura> "));
        match line {
            Ok(text) if text.trim().is_empty() => continue,
            Ok(text) => {
                let _ = editor.add_history_entry(text.as_str());
                let mut stdout = std::io::stdout();
                match shell.execute(&text, &mut stdout).await {
                    Ok(Next::Quit) => break,
                    Ok(Next::Continue) => {}
                    Err(e) => {
                        failed = true;
                        eprintln!("ERROR: {e}");
                    }
                }
            }
            Err(ReadlineError::Interrupted) => continue,
            Err(ReadlineError::Eof) => break,
            Err(e) => {
                return Err(Error::Usage {
                    problem: format!("reading input: {e}"),
                });
            }
        }
    }
    if let Some(h) = &history {
        let _ = editor.save_history(h);
    }
    Ok(u8::from(failed && !tty))
}

/// Line-editor helper: a statement is complete at `;` (backslash commands at the line end).
struct Statements;

impl rustyline::completion::Completer for Statements {
    type Candidate = String;
}
impl rustyline::hint::Hinter for Statements {
    type Hint = String;
}
impl rustyline::highlight::Highlighter for Statements {}
impl rustyline::Helper for Statements {}
impl rustyline::validate::Validator for Statements {
    fn validate(
        &self,
        ctx: &mut rustyline::validate::ValidationContext,
    ) -> rustyline::Result<rustyline::validate::ValidationResult> {
        let s = ctx.input().trim();
        Ok(if s.is_empty() || s.ends_with(';') || s.starts_with('\\') {
            rustyline::validate::ValidationResult::Valid(None)
        } else {
            rustyline::validate::ValidationResult::Incomplete
        })
    }
}
