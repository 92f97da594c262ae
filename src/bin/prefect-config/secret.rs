//! `secret get|exists|list|set`: local `[context.secrets]` or Prefect Cloud.

use std::io::Read;
use std::path::Path;
use std::process::ExitCode;

use prefect_config::Value;
use prefect_config::config::Config;
use prefect_config::secrets::{CloudBackend, ExposeSecret, SecretBackend};

use crate::Failure;
use crate::cli::SecretCommand;
use crate::output::MASK;
use crate::write::write_atomic;

pub fn run(
    config: &Config,
    user_path: &Path,
    command: &SecretCommand,
) -> Result<ExitCode, Failure> {
    match command {
        SecretCommand::Get { name, show, cloud } => {
            let value = if *cloud {
                cloud_backend(config)?
                    .get_secret(name)
                    .map_err(|e| e.to_string())?
                    .expose_secret()
                    .clone()
            } else {
                local(config, name)
                    .ok_or_else(|| format!("Local Secret \"{name}\" was not found."))?
            };
            let value = decoded(value);
            let text = match (&value, show) {
                (_, false) => MASK.to_owned(),
                (Value::String(s), true) => s.clone(),
                (other, true) => other.to_string(),
            };
            println!("{text}");
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
            for name in names {
                println!("{name}");
            }
            Ok(ExitCode::SUCCESS)
        }
        SecretCommand::Set { name, value, cloud } => {
            let value = match value {
                Some(value) => value.clone(),
                None => read_stdin()?,
            };
            if *cloud {
                cloud_backend(config)?
                    .set(name, &Value::String(value))
                    .map_err(|e| e.to_string())?;
                eprintln!("prefect-config: set secret `{name}` in Prefect Cloud");
            } else {
                set_local(user_path, name, &value)?;
                eprintln!(
                    "prefect-config: set secret `{name}` in `{}`",
                    user_path.display()
                );
            }
            Ok(ExitCode::SUCCESS)
        }
    }
}

fn cloud_backend(config: &Config) -> Result<CloudBackend, Failure> {
    CloudBackend::from_config(config).map_err(|e| e.to_string().into())
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

/// One value from standard input, without its final newline.
fn read_stdin() -> Result<String, Failure> {
    let mut text = String::new();
    std::io::stdin()
        .read_to_string(&mut text)
        .map_err(|e| format!("cannot read the secret from standard input: {e}"))?;
    let text = text.strip_suffix('\n').unwrap_or(&text);
    Ok(text.strip_suffix('\r').unwrap_or(text).to_owned())
}

/// Sets `context.secrets.<name>` in the user file, keeping everything else.
fn set_local(path: &Path, name: &str, value: &str) -> Result<(), Failure> {
    let text = match std::fs::read_to_string(path) {
        Ok(text) => text,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => String::new(),
        Err(e) => return Err(format!("cannot read `{}`: {e}", path.display()).into()),
    };
    // The parser's message only: its snippet could show a secret.
    let mut doc: toml_edit::DocumentMut = text.parse().map_err(|e: toml_edit::TomlError| {
        format!(
            "`{}` is not valid TOML: {}",
            path.display(),
            e.message().trim()
        )
    })?;
    let not_a_table = |key: &str| format!("`{key}` in `{}` is not a table", path.display());
    let context = doc
        .entry("context")
        .or_insert_with(|| implicit_table().into())
        .as_table_like_mut()
        .ok_or_else(|| not_a_table("context"))?;
    let secrets = context
        .entry("secrets")
        .or_insert(toml_edit::table())
        .as_table_like_mut()
        .ok_or_else(|| not_a_table("context.secrets"))?;
    secrets.insert(name, toml_edit::value(value));
    write_atomic(path, &doc.to_string())
        .map_err(|e| format!("cannot write `{}`: {e}", path.display()).into())
}

fn implicit_table() -> toml_edit::Table {
    let mut table = toml_edit::Table::new();
    table.set_implicit(true);
    table
}
