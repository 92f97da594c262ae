//! `set KEY VALUE [KEY VALUE ...]` / `KEY=VALUE` and `unset KEY [KEY ...]`
//! on the user file (Prefect 2's `config set` and `config unset`).

use prefect_config::Value;
use prefect_config::edit::{Change, ConfigFile};

use crate::Failure;
use crate::cli::{SetArgs, UnsetArgs, ValueArgs};
use crate::{keys, write};

pub fn set(file: &ConfigFile, args: &SetArgs, prefix: &str) -> Result<(), Failure> {
    let mut changes = Vec::new();
    for (key, text) in pairs(&args.pairs)? {
        let key = keys::typed(key, prefix);
        check_key(&key)?;
        changes.push(Change::set(&key, value(&key, text, &args.value)?));
    }
    let edited = write::apply(file, &changes)?;
    for change in &changes {
        crate::style::status(format_args!(
            "set `{}` in `{}`",
            change.key(),
            edited.file().display()
        ));
    }
    Ok(())
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
