//! One run per output directory: an exclusive advisory lock on `<out>/.misura.lock`. The
//! kernel releases it when the owner dies, so the lock of a killed run is taken over by
//! the next one; the file keeps the owner's pid for messages.

use crate::error::{Error, Result};
use std::fs::{File, OpenOptions, TryLockError};
use std::io::{Read, Seek, SeekFrom, Write};
use std::path::Path;

/// The held lock; released on drop.
#[derive(Debug)]
pub(crate) struct RunLock {
    file: File,
    /// Pid recorded by a previous owner that died holding the lock, if any.
    pub taken_over_from: Option<u32>,
}

fn recorded_pid(file: &mut File) -> Option<u32> {
    let mut text = String::new();
    file.seek(SeekFrom::Start(0)).ok()?;
    file.read_to_string(&mut text).ok()?;
    text.trim().parse().ok()
}

impl RunLock {
    /// Takes the lock of `out` (created if needed) or fails with [`Error::Locked`].
    pub fn acquire(out: &Path) -> Result<RunLock> {
        std::fs::create_dir_all(out).map_err(|e| Error::io(out, e))?;
        let path = out.join(".misura.lock");
        let mut file = OpenOptions::new()
            .read(true)
            .write(true)
            .create(true)
            .truncate(false)
            .open(&path)
            .map_err(|e| Error::io(&path, e))?;
        match file.try_lock() {
            Ok(()) => {}
            Err(TryLockError::WouldBlock) => {
                return Err(Error::Locked {
                    path,
                    pid: recorded_pid(&mut file),
                });
            }
            Err(TryLockError::Error(e)) => return Err(Error::io(&path, e)),
        }
        let taken_over_from = recorded_pid(&mut file);
        file.set_len(0).map_err(|e| Error::io(&path, e))?;
        file.seek(SeekFrom::Start(0))
            .map_err(|e| Error::io(&path, e))?;
        write!(file, "{}", std::process::id()).map_err(|e| Error::io(&path, e))?;
        file.flush().map_err(|e| Error::io(&path, e))?;
        Ok(RunLock {
            file,
            taken_over_from,
        })
    }
}

impl Drop for RunLock {
    fn drop(&mut self) {
        // An empty file means "released cleanly"; the kernel drops the lock with the handle.
        let _ = self.file.set_len(0);
    }
}
