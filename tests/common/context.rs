//! The process-global configuration for the context tests.

use std::sync::Once;

use prefect_config::config::Loader;

/// A secret value that must never appear in formatted output.
pub const MARKER_SECRET: &str = "s3cr3t-MARKER-value";

/// The defaults the context tests run against.
pub const DEFAULTS: &str = r#"
debug = false

[logging]
level = "INFO"
format = "[%(asctime)s] %(levelname)s - %(name)s | %(message)s"

[logging.extra]
depth = 1

[cloud]
use_local_secrets = true
api = "https://api.prefect.io"

[context]
region = "eu"

[context.secrets]
TOML_SECRET = "s3cr3t-MARKER-value"
"#;

/// Installs the fixture as the global configuration, once per test binary,
/// before anything reads it. Never reads the real home or environment.
pub fn init() {
    static ONCE: Once = Once::new();
    ONCE.call_once(|| {
        let config = Loader::new()
            .defaults_toml(DEFAULTS)
            .env_prefix("PREFECT")
            .env_vars([
                ("HOME", "/home/prefect-test"),
                ("PREFECT__CONTEXT__SECRETS__ENV_SECRET", "from-env"),
            ])
            .load()
            .expect("fixture config loads");
        assert!(
            prefect_config::set_global(config).is_ok(),
            "the global configuration was read before context::init()"
        );
    });
}
