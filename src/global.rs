//! The process-wide configuration, loaded once.

use std::sync::Arc;

use once_cell::sync::OnceCell;

use crate::config::{Config, ConfigError, Loader};

static GLOBAL: OnceCell<Result<Arc<Config>, ConfigError>> = OnceCell::new();

/// The process-wide configuration: [`Loader::prefect()`] loaded on first use
/// and kept. A load failure is kept too and returned on every call, so a bad
/// `PREFECT__*` variable is reported wherever the configuration is needed.
///
/// ```
/// let cfg = prefect_config::global()?;
/// assert!(cfg.contains("cloud.api"));
/// # Ok::<(), prefect_config::config::ConfigError>(())
/// ```
pub fn global() -> Result<Arc<Config>, ConfigError> {
    GLOBAL
        .get_or_init(|| Loader::prefect().load().map(Arc::new))
        .clone()
}

/// Installs `config` as the process-wide configuration, before anything has
/// read it. Returns the configuration back (boxed) if the global one is
/// already set.
///
/// ```
/// use prefect_config::config::Loader;
/// let cfg = Loader::new().defaults_toml("debug = true").load()?;
/// if prefect_config::set_global(cfg).is_ok() {
///     assert_eq!(prefect_config::global()?.get("debug"), Some(&serde_json::json!(true)));
/// }
/// # Ok::<(), prefect_config::config::ConfigError>(())
/// ```
pub fn set_global(config: Config) -> Result<(), Box<Config>> {
    GLOBAL
        .set(Ok(Arc::new(config)))
        .map_err(|rejected| match rejected {
            Ok(config) => Box::new(Arc::unwrap_or_clone(config)),
            // Only `Ok` values are ever offered to `set`.
            Err(_) => Box::new(Config::empty()),
        })
}
