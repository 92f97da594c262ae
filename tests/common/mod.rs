//! Shared fixtures for the integration tests.
#![allow(dead_code)]

#[cfg(feature = "cli")]
pub mod cli;
pub mod context;
pub mod graphql;
pub mod python;

use std::path::{Path, PathBuf};

use serde_json::Value;

/// Reads a JSON fixture from `tests/fixtures/`.
pub fn fixture(name: &str) -> Value {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(name);
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// A temporary directory with files written into it.
pub struct TempFiles {
    pub dir: tempfile::TempDir,
}

impl TempFiles {
    pub fn new() -> Self {
        TempFiles {
            dir: tempfile::tempdir().expect("temp dir"),
        }
    }

    /// Writes `text` to `name` inside the directory and returns its path.
    pub fn write(&self, name: &str, text: &str) -> PathBuf {
        let path = self.dir.path().join(name);
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent).expect("create dirs");
        }
        std::fs::write(&path, text).expect("write file");
        path
    }

    pub fn path(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }
}

/// The repository's `config/config.toml`.
pub fn defaults_path() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("config/config.toml")
}

/// The fake home directory the Prefect fixtures were generated with.
pub const FIXTURE_HOME: &str = "/home/prefect-test";

pub mod process_env;
