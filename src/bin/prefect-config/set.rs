//! `set KEY VALUE [KEY VALUE ...]` / `KEY=VALUE` and `unset KEY [KEY ...]`
//! on the user file (Prefect 2's `config set` and `config unset`).
//!
//! A VALUE means what `PREFECT__KEY=VALUE` would mean (the library's
//! `env_string_to_type`: `8080` is an integer, `'x'` the string `x`), and is
//! stored so that Prefect, which casts file strings once, reads the same
//! value (the library's `edit`): numbers, booleans, lists and tables as
//! TOML's own, strings in a form casting leaves alone.

use prefect_config::Value;
use prefect_config::config::{Loader, env_string_to_type};
use prefect_config::edit::{Change, ConfigFile};

use crate::Failure;
use crate::cli::{SetArgs, UnsetArgs, ValueArgs};
use crate::output::{MASK, inline};
use crate::{keys, write};

pub fn set(file: &ConfigFile, args: &SetArgs, prefix: &str) -> Result<(), Failure> {
    let mut changes = Vec::new();
    let mut types = Vec::new();
    for (key, text) in pairs(&args.pairs)? {
        let key = keys::typed(key, prefix);
        check_key(&key)?;
        let value = if args.string {
            Value::String(text.to_owned())
        } else if args.value.json {
            value(&key, text, &args.value)?
        } else {
            env_string_to_type(text)
        };
        changes.push(Change::set(&key, value.clone()));
        types.push((key, type_name(&value)));
    }
    let edited = write::apply(file, &changes)?;
    // What the file now holds, read back on its own and masked by the
    // library's rule (a URL password in a plain key included).
    let stored = Loader::new()
        .env_vars(std::iter::empty::<(String, String)>())
        .user_file(edited.file())
        .load()
        .ok();
    let file_name = edited.file().display().to_string();
    let file_name = prefect_config::render::terminal(&file_name);
    for (key, type_name) in &types {
        let shown = stored
            .as_ref()
            .and_then(|cfg| cfg.get_masked(key))
            .map_or_else(|| MASK.to_owned(), |v| inline(&v));
        crate::style::status(format_args!(
            "set `{}` = {shown} ({type_name}) in `{file_name}`",
            prefect_config::render::terminal(key),
        ));
    }
    Ok(())
}

/// The type of a stored value, in Python's words where they differ.
fn type_name(value: &Value) -> &'static str {
    match value {
        Value::Null => "none",
        Value::Bool(_) => "boolean",
        Value::Number(n) if n.is_f64() => "float",
        Value::Number(_) => "integer",
        Value::String(_) => "string",
        Value::Array(_) => "list",
        Value::Object(_) => "table",
    }
}

pub fn unset(file: &ConfigFile, args: &UnsetArgs, prefix: &str) -> Result<(), Failure> {
    let keys: Vec<String> = args.keys.iter().map(|k| keys::typed(k, prefix)).collect();
    let changes: Vec<Change> = keys
        .iter()
        .map(|key| check_key(key).map(|()| Change::unset(key)))
        .collect::<Result<_, _>>()?;
    let edited = write::apply(file, &changes)?;
    for key in &keys {
        crate::style::status(format_args!(
            "unset `{key}` in `{}`",
            edited.file().display()
        ));
    }
    Ok(())
}

/// A value from the command line: the exact string, or JSON with `--json`.
pub fn value(key: &str, text: &str, how: &ValueArgs) -> Result<Value, Failure> {
    if how.json {
        // serde_json's message gives the position only, never the text.
        serde_json::from_str(text)
            .map_err(|e| Failure::from(format!("the value for `{key}` is not valid JSON: {e}")))
    } else {
        Ok(Value::String(text.to_owned()))
    }
}

/// `KEY VALUE` pairs, or `KEY=VALUE` in one argument.
fn pairs(args: &[String]) -> Result<Vec<(&str, &str)>, Failure> {
    let mut out = Vec::new();
    let mut args = args.iter();
    while let Some(arg) = args.next() {
        if let Some((key, value)) = arg.split_once('=') {
            out.push((key, value));
        } else {
            let value = args.next().ok_or_else(|| {
                Failure::from(format!(
                    "`{arg}` has no value: give `KEY VALUE` or `KEY=VALUE`"
                ))
            })?;
            out.push((arg.as_str(), value.as_str()));
        }
    }
    Ok(out)
}

fn check_key(key: &str) -> Result<(), Failure> {
    if key.split('.').any(str::is_empty) {
        return Err(Failure::from(format!(
            "`{key}` is not a key: give a dotted path such as `server.port`"
        )));
    }
    Ok(())
}
