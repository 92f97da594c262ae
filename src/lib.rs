//! # prefect-config
//!
//! Prefect Core's layered configuration, for Rust.
//!
//! [`config`] loads Prefect 0.15's configuration: embedded defaults, the
//! user's `~/.prefect/config.toml`, a backend file and `PREFECT__SECTION__KEY`
//! environment variables, with Prefect's `$ENV` and `${other.key}`
//! interpolation and literal casting. Every value remembers where it came
//! from, and typed extraction goes through `serde`.
//!
//! ```
//! use prefect_config::config::{Loader, Source};
//!
//! #[derive(serde::Deserialize)]
//! struct Server { host: String, port: u16 }
//!
//! let cfg = Loader::prefect()                          // the standard layers
//!     .env_vars([("PREFECT__SERVER__PORT", "8080")])   // an explicit environment
//!     .load()?;
//! let server: Server = cfg.extract_at("server")?;
//! assert_eq!(server.port, 8080);
//! assert_eq!(cfg.get("cloud.graphql").and_then(|v| v.as_str()), Some("https://api.prefect.io/graphql"));
//! assert_eq!(cfg.source_of("server.port"), Some(&Source::EnvVar("PREFECT__SERVER__PORT".into())));
//! # Ok::<(), prefect_config::config::ConfigError>(())
//! ```
//!
//! The process-wide configuration is [`global()`]: `Loader::prefect()` loaded
//! once, on first use.
//!
//! [`secrets`] holds Prefect's secrets: stores (Prefect Cloud, memory, your
//! own), values that never print, and the typed default secrets.
//!
//! `edit` (feature `edit`) changes a configuration file in place (comments
//! kept) under a lock, checking that the result loads and that each value
//! reads back as given: the write path of the `prefect-config` command.
//!
//! [`context`] is Prefect's scoped, thread-local `prefect.context`: keys
//! seeded from the `[context]` table, `context::with(...)` scopes that
//! restore exactly, a deep-merged `config` view, and propagation to other
//! threads ([`context::snapshot`]) and async tasks ([`context::with_async`]).
//!
//! ## Cargo features
//!
//! All on by default; with `default-features = false` the crate compiles only
//! what loading, the context and local secrets need.
//!
//! - `cli`: the `prefect-config` binary (clap, rpassword); turns on `edit`.
//! - `cloud`: `secrets::CloudBackend`, the Prefect Cloud client (ureq, rustls).
//! - `edit`: the `edit` module, locked comment-preserving writes of TOML
//!   files (toml_edit, fs4, tempfile). Its own feature so that a program can
//!   write configuration files without compiling the CLI.

#![forbid(unsafe_code)]
#![deny(missing_docs)]

pub mod config;
pub mod context;
#[cfg(feature = "edit")]
pub mod edit;
mod global;
pub mod render;
pub mod secrets;

pub use global::{global, set_global};
/// The value type of every configuration value: [`serde_json::Value`].
pub use serde_json::Value;
