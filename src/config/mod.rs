//! Settings of a run, resolved with the precedence CLI > environment > `misura.toml` >
//! defaults, and printable with `--show-settings`.

pub mod currency;
pub mod params;
pub mod project;
pub mod run_params;
pub mod window;

use crate::error::{Error, Result};
use params::{Parameters, Source};
pub use project::{DatasetConfig, Format, OnInvalid, ProjectFile, UseCaseOverride};
use serde::Serialize;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// Prefix of environment variables that set parameters, e.g. `MISURA_PARAM_BRAND=acme`.
pub(crate) const ENV_PARAM_PREFIX: &str = "MISURA_PARAM_";

/// Where the input data comes from.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "snake_case", tag = "kind", content = "path")]
pub enum DataSource {
    /// The sample compiled into the binary.
    EmbeddedSample,
    /// A directory on disk.
    Dir(PathBuf),
}

/// Everything a run or a check needs to know, fully resolved.
#[derive(Debug, Clone, Serialize)]
pub struct Settings {
    /// Input data.
    pub data: DataSource,
    /// The project file used, if any.
    pub config_path: Option<PathBuf>,
    /// Reporting currency.
    pub currency: String,
    /// Policy for invalid rows.
    pub on_invalid: OnInvalid,
    /// Parameters (brand and window may still be unset until the data is read).
    pub parameters: Parameters,
    /// Per-table dataset mappings.
    pub datasets: BTreeMap<String, DatasetConfig>,
    /// Use-case renames and hiding.
    pub use_cases: BTreeMap<String, UseCaseOverride>,
    /// Maturity rule thresholds overridden by the project (rule id → threshold).
    pub maturity_thresholds: BTreeMap<String, f64>,
    /// Alert mutes and rule changes of the project.
    pub alerts: project::AlertsConfig,
}

/// Inputs to resolution, as the CLI collected them.
#[derive(Debug, Clone, Default)]
pub struct Overrides {
    /// `--data`; `None` = the embedded sample.
    pub data: Option<PathBuf>,
    /// `--config`; `None` = `<data>/misura.toml` when it exists.
    pub config: Option<PathBuf>,
    /// `--param name=value`, in order.
    pub params: Vec<String>,
    /// `--on-invalid`.
    pub on_invalid: Option<OnInvalid>,
}

impl Settings {
    /// Resolves settings from CLI overrides, the environment and the project file.
    pub fn resolve(o: &Overrides, env: &BTreeMap<String, String>) -> Result<Self> {
        let data = match &o.data {
            Some(dir) => {
                if !dir.exists() {
                    return Err(Error::Usage {
                        problem: format!(
                            "--data {}: no such directory\n  fix: give the directory that holds one file (or folder) per canonical table, e.g. --data exports/",
                            dir.display()
                        ),
                    });
                }
                if !dir.is_dir() {
                    return Err(Error::Usage {
                        problem: format!(
                            "--data {}: is a file, not a directory\n  fix: give the directory that holds it (--data {}); misura reads one file per canonical table there, named after the table",
                            dir.display(),
                            dir.parent()
                                .filter(|p| !p.as_os_str().is_empty())
                                .map_or(".".into(), |p| p.display().to_string())
                        ),
                    });
                }
                DataSource::Dir(dir.clone())
            }
            None => DataSource::EmbeddedSample,
        };
        let config_path = match (&o.config, &data) {
            (Some(p), _) => Some(p.clone()),
            (None, DataSource::Dir(dir)) => Some(dir.join("misura.toml")).filter(|p| p.is_file()),
            (None, DataSource::EmbeddedSample) => None,
        };
        let file = match (&config_path, &data) {
            (Some(p), _) => ProjectFile::load(p)?,
            (None, DataSource::EmbeddedSample) => ProjectFile::parse(
                crate::sample::project_file(),
                Path::new("<embedded sample>/misura.toml"),
            )?,
            (None, DataSource::Dir(_)) => ProjectFile::default(),
        };

        let mut parameters = Parameters::defaults();
        let file_origin = config_path
            .as_deref()
            .map_or("<embedded sample>/misura.toml".into(), |p| {
                p.display().to_string()
            });
        for (name, value) in &file.parameters {
            parameters.set_raw(
                name,
                &params::toml_to_raw(value),
                Source::File,
                &file_origin,
            )?;
        }
        for (key, value) in env {
            if let Some(name) = key.strip_prefix(ENV_PARAM_PREFIX) {
                let name = name.to_ascii_lowercase();
                parameters.set_raw(&name, value, Source::Env, &format!("env {key}"))?;
            }
        }
        for arg in &o.params {
            let (name, value) = arg
                .split_once('=')
                .ok_or_else(|| Error::ParamSyntax { arg: arg.clone() })?;
            parameters.set_raw(name.trim(), value, Source::Cli, "--param")?;
        }
        if let (Some(s), Some(e)) = (
            parameters.date("window_start"),
            parameters.date("window_end"),
        ) && e <= s
        {
            return Err(Error::InvalidParameter {
                name: "window_end".into(),
                origin: "resolved settings".into(),
                value: e.to_string(),
                expected: format!("a date after window_start ({s}); the window is [start, end)"),
            });
        }

        Ok(Settings {
            data,
            config_path,
            currency: file.currency.unwrap_or_else(|| "EUR".into()),
            on_invalid: o.on_invalid.or(file.on_invalid).unwrap_or_default(),
            parameters,
            datasets: file.datasets,
            use_cases: file.use_cases,
            maturity_thresholds: file.maturity.thresholds,
            alerts: file.alerts,
        })
    }

    /// Human-readable listing of the resolved settings (`--show-settings`).
    pub fn render(&self) -> String {
        let mut out = String::new();
        let data = match &self.data {
            DataSource::EmbeddedSample => "<embedded sample>".to_string(),
            DataSource::Dir(d) => d.display().to_string(),
        };
        out.push_str(&format!("data        = {data}\n"));
        let cfg = self
            .config_path
            .as_ref()
            .map_or("(none)".into(), |p| p.display().to_string());
        out.push_str(&format!("config      = {cfg}\n"));
        out.push_str(&format!("currency    = {}\n", self.currency));
        out.push_str(&format!(
            "on_invalid  = {}\n",
            format!("{:?}", self.on_invalid).to_lowercase()
        ));
        out.push_str("\n[parameters]\n");
        for d in params::PARAMS {
            let line = match (self.parameters.get(d.name), self.parameters.source(d.name)) {
                (Some(v), Some(src)) => format!("{} = {v}  # {src}", d.name),
                _ => format!("{} = (from the data)  # {}", d.name, d.doc),
            };
            out.push_str(&line);
            out.push('\n');
        }
        for (name, ds) in &self.datasets {
            out.push_str(&format!("\n[datasets.{name}]\n"));
            out.push_str(&toml::to_string(ds).unwrap_or_default());
        }
        out
    }
}
