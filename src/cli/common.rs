//! Arguments shared by the subcommands that read data (`run`, `check`).

use crate::config::{OnInvalid, Overrides, Settings};
use crate::error::Result;
use clap::Args;
use std::path::PathBuf;

/// Where the data and the project file are, and parameter overrides.
#[derive(Debug, Clone, Args)]
pub(crate) struct DataArgs {
    /// Data directory with one file (or folder) per canonical table [default: the embedded sample]
    #[arg(long, env = "MISURA_DATA", value_name = "DIR")]
    pub data: Option<PathBuf>,
    /// Project file [default: <data>/misura.toml when present]
    #[arg(long, env = "MISURA_CONFIG", value_name = "FILE")]
    pub config: Option<PathBuf>,
    /// Override a parameter of misura.toml [parameters], e.g. --param brand=acme (repeatable;
    /// also MISURA_PARAM_<NAME>=value in the environment)
    #[arg(long = "param", value_name = "NAME=VALUE")]
    pub params: Vec<String>,
    /// What to do with invalid rows [default: fail, or on_invalid of misura.toml]
    #[arg(long, value_enum, env = "MISURA_ON_INVALID")]
    pub on_invalid: Option<OnInvalid>,
    /// Print the resolved settings (with the source of each parameter) before running
    #[arg(long)]
    pub show_settings: bool,
}

impl DataArgs {
    /// Resolves the settings with the process environment.
    pub fn settings(&self) -> Result<Settings> {
        let env = std::env::vars().collect();
        Settings::resolve(
            &Overrides {
                data: self.data.clone(),
                config: self.config.clone(),
                params: self.params.clone(),
                on_invalid: self.on_invalid,
            },
            &env,
        )
    }
}
