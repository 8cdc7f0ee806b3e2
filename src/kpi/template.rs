//! Parameters in query files: `{{ name }}` placeholders, replaced by SQL literals of the
//! resolved parameter values. Values are typed and validated before they get here, and
//! text is quoted, so a parameter can never change the shape of a query.

use crate::config::params::{PARAMS, ParamValue, Parameters};
use crate::error::{Error, Result, did_you_mean};

/// The placeholder names used in `sql`, in order of appearance.
pub(crate) fn placeholders(sql: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut rest = sql;
    while let Some(start) = rest.find("{{") {
        let after = &rest[start + 2..];
        match after.find("}}") {
            Some(end) => {
                out.push(after[..end].trim().to_string());
                rest = &after[end + 2..];
            }
            None => break,
        }
    }
    out
}

/// Checks that every placeholder of `sql` names a parameter (without needing values).
pub(crate) fn check_placeholders(sql: &str, file: &str) -> Result<()> {
    for name in placeholders(sql) {
        if !PARAMS.iter().any(|p| p.name == name) {
            return Err(unknown(&name, file));
        }
    }
    if sql.matches("{{").count() != sql.matches("}}").count() {
        return Err(Error::QueryDefinition {
            file: file.into(),
            problem: "unbalanced `{{` and `}}`".into(),
        });
    }
    Ok(())
}

fn unknown(name: &str, file: &str) -> Error {
    Error::QueryDefinition {
        file: file.into(),
        problem: format!(
            "unknown placeholder {{{{ {name} }}}}{}",
            did_you_mean(name, PARAMS.iter().map(|p| p.name))
        ),
    }
}

fn literal(v: &ParamValue) -> String {
    match v {
        ParamValue::Text(s) => format!("'{}'", s.replace('\'', "''")),
        ParamValue::Int(i) => i.to_string(),
        ParamValue::Float(x) => format!("{x:?}"),
        ParamValue::Date(d) => format!("TIMESTAMP '{d} 00:00:00'"),
    }
}

/// Replaces every `{{ name }}` of `sql` with the literal of the parameter's value.
/// Unknown names and unset parameters are errors naming `file`.
pub fn render(sql: &str, params: &Parameters, file: &str) -> Result<String> {
    let mut out = String::with_capacity(sql.len());
    let mut rest = sql;
    while let Some(start) = rest.find("{{") {
        out.push_str(&rest[..start]);
        let after = &rest[start + 2..];
        let Some(end) = after.find("}}") else {
            return Err(Error::QueryDefinition {
                file: file.into(),
                problem: "`{{` without closing `}}`".into(),
            });
        };
        let name = after[..end].trim();
        if !PARAMS.iter().any(|p| p.name == name) {
            return Err(Error::QueryDefinition {
                file: file.into(),
                problem: format!(
                    "unknown placeholder {{{{ {name} }}}}{}",
                    did_you_mean(name, PARAMS.iter().map(|p| p.name))
                ),
            });
        }
        let value = params.get(name).ok_or_else(|| Error::QueryDefinition {
            file: file.into(),
            problem: format!("parameter `{name}` has no value: set it in [parameters] of misura.toml or with --param {name}=..."),
        })?;
        out.push_str(&literal(value));
        rest = &after[end + 2..];
    }
    out.push_str(rest);
    Ok(out)
}
