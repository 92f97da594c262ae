//! Secrets from TOML, an environment variable and a runtime edit, and typed
//! AWS credentials. Nothing here prints a secret value.
//!
//! ```sh
//! cargo run --example secrets
//! ```

use prefect_config::config::Loader;
use prefect_config::secrets::{AwsCredentials, ExposeSecret, Secret, SecretError};
use prefect_config::{context, secrets};
use serde_json::json;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    // Secrets as a user file and the environment would give them; a real
    // program would use `prefect_config::global()` (the standard layers).
    let config = Loader::new()
        .defaults_toml(concat!(
            "[context.secrets]\n",
            "SLACK_WEBHOOK_URL = 'https://hooks.example/T000'\n",
            "AWS_CREDENTIALS = '{\"ACCESS_KEY\": \"AKIAEXAMPLE\", \"SECRET_ACCESS_KEY\": \"wJalr\"}'\n",
        ))
        .env_prefix("PREFECT")
        .env_vars([("PREFECT__CONTEXT__SECRETS__DbPassword", "hunter2")])
        .load()?;
    prefect_config::set_global(config).ok();

    // From TOML and from PREFECT__CONTEXT__SECRETS__DbPassword (case kept).
    let webhook = Secret::new("SLACK_WEBHOOK_URL").get_secret()?;
    println!(
        "webhook: {webhook:?} ({} characters)",
        webhook.expose_secret().as_str().map_or(0, str::len)
    );
    println!("DbPassword exists: {}", Secret::new("DbPassword").exists());

    // A runtime edit lasts for its scope only.
    context::with(json!({}), || {
        secrets::local().insert("TEMP_TOKEN", "t-123");
        println!(
            "inside the scope, TEMP_TOKEN exists: {}",
            Secret::new("TEMP_TOKEN").exists()
        );
    });
    match Secret::new("TEMP_TOKEN").get() {
        Err(err @ SecretError::LocalNotFound { .. }) => println!("after the scope: {err}"),
        other => println!("unexpected: {:?}", other.map(|_| "a value")),
    }

    // Typed default secrets: the secret key stays wrapped. The access key
    // id is a credential too (it names the account): only its length prints.
    let aws = AwsCredentials::get()?;
    println!(
        "AWS access key id of {} characters, secret {:?}",
        aws.access_key_id.len(),
        aws.secret_access_key
    );
    Ok(())
}
