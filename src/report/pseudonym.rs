//! Keyed pseudonyms (`misura run --pseudonymize`): the person-identifying columns of every
//! table a run writes (contact ids in `clv`; contact ids and handles in `rejects/`) are
//! replaced by `p_` + the first 128 bits of HMAC-SHA-256(key, id) in hex,
//! so that the files can leave the company: the same key gives the same pseudonym (tables of
//! two runs still join), another key gives unrelated ones, and without the key an id cannot
//! be recovered or tested. The key comes from the environment (`MISURA_PSEUDONYMIZE_KEY`,
//! at least 16 bytes) and is never written to the manifest or the logs.

use crate::error::{Error, Result};
use datafusion::arrow::array::{Array, ArrayRef, RecordBatch, StringArray};
use hmac::{Hmac, KeyInit, Mac};
use sha2::Sha256;
use std::sync::Arc;

/// The environment variable holding the key.
pub(crate) const KEY_VAR: &str = "MISURA_PSEUDONYMIZE_KEY";

/// Columns that identify a person in the tables misura writes (results and rejects).
pub(crate) const PERSONAL_COLUMNS: &[&str] = &["contact_id", "author_contact_id", "author_handle"];

/// Shortest accepted key, in bytes.
pub(crate) const MIN_KEY_BYTES: usize = 16;

/// A keyed pseudonymiser.
#[derive(Clone)]
pub struct Pseudonymizer {
    mac: Hmac<Sha256>,
}

impl std::fmt::Debug for Pseudonymizer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Pseudonymizer { key: <redacted> }")
    }
}

impl Pseudonymizer {
    /// A pseudonymiser with `key` (at least `MIN_KEY_BYTES` bytes).
    pub fn new(key: &[u8]) -> Result<Self> {
        if key.len() < MIN_KEY_BYTES {
            return Err(Error::Usage {
                problem: format!(
                    "--pseudonymize: the key in {KEY_VAR} has {} bytes; use at least {MIN_KEY_BYTES} (e.g. `openssl rand -hex 32`)",
                    key.len()
                ),
            });
        }
        let mac = <Hmac<Sha256> as KeyInit>::new_from_slice(key).map_err(|e| Error::Usage {
            problem: format!("--pseudonymize: {e}"),
        })?;
        Ok(Pseudonymizer { mac })
    }

    /// From `KEY_VAR` in `env`.
    pub fn from_env(env: &std::collections::BTreeMap<String, String>) -> Result<Self> {
        match env.get(KEY_VAR) {
            Some(key) => Self::new(key.as_bytes()),
            None => Err(Error::Usage {
                problem: format!(
                    "--pseudonymize needs a secret key in the environment variable {KEY_VAR} (at least {MIN_KEY_BYTES} bytes, e.g. `openssl rand -hex 32`); keep it: the same key gives the same pseudonyms"
                ),
            }),
        }
    }

    /// The pseudonym of `id`.
    pub fn id(&self, id: &str) -> String {
        let mut mac = self.mac.clone();
        mac.update(id.as_bytes());
        let digest = mac.finalize().into_bytes();
        format!("p_{}", hex::encode(&digest[..16]))
    }

    /// `batch` with every column of `PERSONAL_COLUMNS` it has pseudonymised.
    pub fn apply_all(&self, batch: &RecordBatch) -> Result<RecordBatch> {
        let mut out = batch.clone();
        for column in PERSONAL_COLUMNS {
            if out.schema().index_of(column).is_ok() {
                out = self.apply(&out, column)?;
            }
        }
        Ok(out)
    }

    /// `batch` with the string column `column` pseudonymised (nulls stay null).
    pub fn apply(&self, batch: &RecordBatch, column: &str) -> Result<RecordBatch> {
        let i = batch.schema().index_of(column).map_err(|e| Error::Usage {
            problem: format!("pseudonymizing: {e}"),
        })?;
        let ids = crate::arrow_io::text(batch.column(i));
        let mapped: StringArray = (0..ids.len())
            .map(|r| ids.is_valid(r).then(|| self.id(ids.value(r))))
            .collect();
        let mut columns: Vec<ArrayRef> = batch.columns().to_vec();
        columns[i] = Arc::new(mapped);
        RecordBatch::try_new(batch.schema(), columns)
            .map_err(|e| Error::engine("pseudonymizing", e.into()))
    }
}
