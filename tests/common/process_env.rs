//! Lock-and-restore for tests that change the process environment. Such
//! tests live in their own test binary; each holds a [`ProcessEnv`] for as
//! long as it needs the variables, so no two of them overlap, and the old
//! values come back when it is dropped (also on panic).

use std::ffi::OsString;
use std::sync::{Mutex, MutexGuard};

static LOCK: Mutex<()> = Mutex::new(());

/// Variables set for the life of this value, under the process-wide lock.
pub struct ProcessEnv {
    saved: Vec<(String, Option<OsString>)>,
    _lock: MutexGuard<'static, ()>,
}

impl ProcessEnv {
    /// Takes the lock (a test that panicked holding it does not block the
    /// others), then sets `vars`, remembering the values they replace.
    pub fn set(vars: &[(&str, &str)]) -> Self {
        let lock = LOCK.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        let mut saved = Vec::new();
        for (name, value) in vars {
            saved.push((name.to_string(), std::env::var_os(name)));
            // SAFETY: every test of this binary that touches the environment
            // holds `LOCK`, and none reads it without the lock.
            unsafe { std::env::set_var(name, value) };
        }
        ProcessEnv { saved, _lock: lock }
    }
}

impl Drop for ProcessEnv {
    fn drop(&mut self) {
        for (name, value) in self.saved.drain(..).rev() {
            // SAFETY: as in `set`; the lock is still held here.
            unsafe {
                match value {
                    Some(value) => std::env::set_var(&name, value),
                    None => std::env::remove_var(&name),
                }
            }
        }
    }
}
