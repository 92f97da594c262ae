//! Load the standard configuration, extract a typed struct, and show where
//! three values came from.
//!
//! ```sh
//! PREFECT__SERVER__PORT=8080 cargo run --example load
//! ```

use prefect_config::config::{ConfigError, Loader};
use serde::Deserialize;

#[derive(Deserialize)]
struct Server {
    host: String,
    port: u16,
    endpoint: String,
}

fn main() -> Result<(), ConfigError> {
    let config = Loader::prefect().load()?;
    for warning in config.warnings() {
        eprintln!("warning: {warning}");
    }

    let server: Server = config.extract_at("server")?;
    println!(
        "server {} on port {} (endpoint {})",
        server.host, server.port, server.endpoint
    );

    for key in ["server.port", "cloud.api", "logging.level"] {
        let value = config.get(key).map(ToString::to_string).unwrap_or_default();
        let source = config
            .source_of(key)
            .map(ToString::to_string)
            .unwrap_or_default();
        println!("{key} = {value}  (from {source})");
    }
    Ok(())
}
