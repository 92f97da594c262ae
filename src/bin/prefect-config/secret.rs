//! `secret get|exists|list|set|delete`: local `[context.secrets]` or Prefect Cloud.

use std::io::{IsTerminal, Read};
use std::process::ExitCode;

use prefect_config::Value;
use prefect_config::config::Config;
#[cfg(feature = "cloud")]
use prefect_config::secrets::CloudBackend;
use prefect_config::secrets::{ExposeSecret, SecretBackend};

use prefect_config::edit::{Change, ConfigFile};

use crate::cli::{SecretCommand, ValueArgs};
use crate::output::MASK;
use crate::render::json_text;
use crate::{Failure, set, write};
use prefect_config::render::terminal;

pub fn run(config: &Config, command: &SecretCommand) -> Result<ExitCode, Failure> {
    match command {
        SecretCommand::Get {
            name,
            show,
            cloud,
            format,
        } => {
            let value = if *cloud {
                cloud_backend(config)?
                    .get_secret(name)
                    .map_err(|e| e.to_string())?
                    .expose_secret()
                    .clone()
            } else {
                local(config, name).ok_or_else(|| not_found(config, name))?
            };
            let value = decoded(value);
            let text = match (&value, show) {
                (_, false) if format.is_json() => json_text(&Value::String(MASK.to_owned()))?,
                (_, false) => format!("{MASK}\n"),
                (value, true) if format.is_json() => json_text(value)?,
                (Value::String(s), true) => format!("{s}\n"),
                (other, true) => format!("{other}\n"),
            };
            crate::stdout::print(&crate::stdout::shown(&text))?;
            Ok(ExitCode::SUCCESS)
        }
        SecretCommand::Exists { name, cloud } => {
            let exists = if *cloud {
                cloud_backend(config)?
                    .exists(name)
                    .map_err(|e| e.to_string())?
            } else {
                local(config, name).is_some()
            };
            Ok(if exists {
                ExitCode::SUCCESS
            } else {
                ExitCode::FAILURE
            })
        }
        SecretCommand::List { cloud } => {
            let names = if *cloud {
                cloud_backend(config)?.names().map_err(|e| e.to_string())?
            } else {
                match config.get("context.secrets") {
                    Some(Value::Object(map)) => map.keys().cloned().collect(),
                    _ => Vec::new(),
                }
            };
            let mut out = String::new();
            for name in names {
                out.push_str(&crate::stdout::shown(&name));
                out.push('\n');
            }
            crate::stdout::print(&out)?;
            Ok(ExitCode::SUCCESS)
        }
        SecretCommand::Set {
            name, value, how, ..
        } => {
            let value = set::value(name, &read_value(name, value.as_deref())?, how)?;
            cloud_backend(config)?
                .set(name, &value)
                .map_err(|e| e.to_string())?;
            crate::style::status(format_args!("set secret `{name}` in Prefect Cloud"));
            Ok(ExitCode::SUCCESS)
        }
        SecretCommand::Delete { name, .. } => {
            cloud_backend(config)?
                .delete(name)
                .map_err(|e| e.to_string())?;
            crate::style::status(format_args!("deleted secret `{name}` from Prefect Cloud"));
            Ok(ExitCode::SUCCESS)
        }
    }
}

/// `secret set NAME` without `--cloud`: `context.secrets.NAME` in the user file.
pub fn set_local(
    file: &ConfigFile,
    name: &str,
    value: Option<&str>,
    how: &ValueArgs,
) -> Result<(), Failure> {
    let value = set::value(name, &read_value(name, value)?, how)?;
    let edited = write::apply(file, &[Change::set_secret(name, value)])?;
    crate::style::status(format_args!(
        "set secret `{name}` in `{}`",
        edited.file().display()
    ));
    Ok(())
}

/// `secret delete NAME` without `--cloud`.
pub fn delete_local(file: &ConfigFile, name: &str) -> Result<(), Failure> {
    let edited = write::apply(file, &[Change::unset_secret(name)])?;
    crate::style::status(format_args!(
        "deleted secret `{name}` from `{}`",
        edited.file().display()
    ));
    Ok(())
}

/// The Cloud backend, with a warning on stderr when its endpoint would carry
/// the API key in clear text (the library refuses unless
/// `cloud.allow_insecure_http` allows it).
#[cfg(feature = "cloud")]
fn cloud_backend(config: &Config) -> Result<CloudBackend, Failure> {
    let backend = CloudBackend::from_config(config).map_err(|e| e.to_string())?;
    if let (Some(host), true) = (backend.insecure_host(), backend.has_api_key()) {
        crate::style::warning(format_args!(
            "`cloud.graphql` is an http:// URL: the Prefect Cloud API key goes to `{host}` in \
             clear text"
        ));
    }
    Ok(backend)
}

/// Built without the Cloud client: every `--cloud` command fails, saying why.
#[cfg(not(feature = "cloud"))]
fn cloud_backend(_config: &Config) -> Result<prefect_config::secrets::MemoryBackend, Failure> {
    Err(Failure::from(
        prefect_config::secrets::SecretError::CloudNotCompiled.to_string(),
    ))
}

/// Prefect's message for a missing local secret, with the names that differ
/// only in case or by one edit (an agent's `PREFECT__CONTEXT__SECRETS__X`
/// variable keeps its case, a TOML key its own).
fn not_found(config: &Config, name: &str) -> Failure {
    let names = match config.get("context.secrets") {
        Some(Value::Object(map)) => map.keys().cloned().collect(),
        _ => Vec::new(),
    };
    let wanted = name.to_lowercase();
    let mut near: Vec<(usize, String)> = names
        .into_iter()
        .map(|n| (strsim::osa_distance(&n.to_lowercase(), &wanted), n))
        .filter(|(d, n)| *d <= 1 && n != name)
        .collect();
    near.sort();
    let mut message = format!("Local Secret \"{}\" was not found.", terminal(name));
    if !near.is_empty() {
        let names: Vec<String> = near
            .iter()
            .take(3)
            .map(|(_, n)| format!("`{}`", terminal(n)))
            .collect();
        message.push_str(&format!(" Did you mean {}?", names.join(", ")));
    }
    Failure::from(message)
}

fn local(config: &Config, name: &str) -> Option<Value> {
    match config.get("context.secrets")? {
        Value::Object(map) => map.get(name).cloned(),
        _ => None,
    }
}

/// Prefect's `Secret.get()`: a string that parses as JSON is returned decoded.
fn decoded(value: Value) -> Value {
    match &value {
        Value::String(s) => serde_json::from_str(s).unwrap_or(value),
        _ => value,
    }
}

/// The value given, else one typed at a prompt without echo (standard
/// input is a terminal), else standard input as is, less its final newline.
fn read_value(name: &str, given: Option<&str>) -> Result<String, Failure> {
    if let Some(value) = given {
        return Ok(value.to_owned());
    }
    if std::io::stdin().is_terminal() {
        let prompt = rpassword::ConfigBuilder::new()
            .output_writer(std::io::stderr())
            .build();
        return rpassword::prompt_password_with_config(
            format!("Value for secret `{name}`: "),
            prompt,
        )
        .map_err(|e| Failure::from(format!("cannot read the secret from the terminal: {e}")));
    }
    let mut text = String::new();
    std::io::stdin()
        .read_to_string(&mut text)
        .map_err(|e| format!("cannot read the secret from standard input: {e}"))?;
    let text = text.strip_suffix('\n').unwrap_or(&text);
    Ok(text.strip_suffix('\r').unwrap_or(text).to_owned())
}
