//! The reporting currency: an ISO 4217 code (`EUR`, `USD`, `GBP`, …), checked against the
//! standard's list (the `iso_currency` crate), so that a typo such as `EURO` is an error and
//! never a label on every amount of the report.

use crate::error::{Error, Result};

/// Checks that `code` is an ISO 4217 currency code.
pub fn check(code: &str) -> Result<()> {
    if iso_currency::Currency::from_code(code).is_some() {
        return Ok(());
    }
    let upper = code.trim().to_ascii_uppercase();
    // A code in the wrong case, or a name that starts with one (`EURO`, `Dollar`… only the
    // first kind is a code): suggest the code.
    let suggestion = [upper.as_str(), upper.get(..3).unwrap_or_default()]
        .into_iter()
        .find(|c| c.len() == 3 && iso_currency::Currency::from_code(c).is_some());
    let hint = suggestion.map_or_else(String::new, |c| format!(", did you mean `{c}`?"));
    Err(Error::InvalidParameter {
        name: "currency".into(),
        origin: "misura.toml".into(),
        value: code.to_string(),
        expected: format!(
            "an ISO 4217 currency code (three capital letters: EUR, USD, GBP, CHF, ...){hint}"
        ),
    })
}

#[cfg(test)]
mod tests {
    #[test]
    fn codes_are_checked() {
        assert!(super::check("EUR").is_ok());
        assert!(super::check("JPY").is_ok());
        let e = super::check("EURO").unwrap_err().to_string();
        assert!(e.contains("did you mean `EUR`"), "{e}");
        let e = super::check("eur").unwrap_err().to_string();
        assert!(e.contains("did you mean `EUR`"), "{e}");
    }
}
