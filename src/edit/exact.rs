//! Values as TOML that the loader reads back unchanged.
//!
//! A string at a table leaf is cast once when loaded, so it is written as the
//! crate's file text for it (`crate::config::file_text`): as is when casting
//! leaves it alone, else as a quoted Python literal (`'True'`). Strings inside
//! arrays are not cast and are written as they are. Booleans and numbers are
//! TOML's own; `null` is the text `None`. TOML has no null inside an array,
//! so an array at a leaf that holds one is written as its Python literal
//! (`"[1, None]"`), which casting (the crate's and Prefect's) reads back as
//! the array. Whether `$VAR`, `~` or `${a.b}`
//! expansion changes the value is decided by loading the written file (see
//! the [module docs](crate::edit)); [`expansion_reason`] only names the cause.

use serde_json::Value;
use toml_edit::{Array, InlineTable};

use crate::config::file_text;
use crate::edit::EditError;

/// The TOML for `value` at a table leaf named `key` (for errors), where
/// strings are cast on load.
pub(crate) fn to_toml(value: &Value, key: &str) -> Result<toml_edit::Value, EditError> {
    Ok(match value {
        Value::String(s) => file_text(s)
            .ok_or_else(|| EditError::Unrepresentable {
                key: key.to_owned(),
                reason: "no quoted form of this string casts back to it",
            })?
            .into(),
        Value::Null => "None".into(),
        Value::Array(_) if crate::render::toml_cannot_hold(value) => {
            crate::config::to_repr(value).into()
        }
        // A number beyond `i64` is kept as its text, which casts back to it.
        Value::Number(n) if n.as_i64().is_none() && n.as_u64().is_some() => n.to_string().into(),
        Value::Object(map) => {
            let mut table = InlineTable::new();
            for (k, v) in map {
                table.insert(k, to_toml(v, &format!("{key}.{k}"))?);
            }
            table.into()
        }
        other => to_inner(other, key)?,
    })
}

/// A value inside an array: nothing is cast.
fn to_inner(value: &Value, key: &str) -> Result<toml_edit::Value, EditError> {
    let unrepresentable = |reason| EditError::Unrepresentable {
        key: key.to_owned(),
        reason,
    };
    Ok(match value {
        Value::String(s) => s.as_str().into(),
        Value::Bool(b) => (*b).into(),
        Value::Number(n) => match (n.as_i64(), n.as_f64()) {
            (Some(i), _) => i.into(),
            (None, Some(f)) if n.as_u64().is_none() => f.into(),
            _ => return Err(unrepresentable("an integer inside a list is too large")),
        },
        Value::Null => return Err(unrepresentable("TOML has no null inside a list")),
        Value::Array(items) => {
            let mut array = Array::new();
            for item in items {
                array.push(to_inner(item, key)?);
            }
            array.into()
        }
        Value::Object(map) => {
            let mut table = InlineTable::new();
            for (k, v) in map {
                table.insert(k, to_inner(v, key)?);
            }
            table.into()
        }
    })
}

/// Why the loader would expand `value`, for a message that never shows it.
pub(crate) fn expansion_reason(value: &Value) -> &'static str {
    let mut strings = Vec::new();
    collect_strings(value, &mut strings);
    if strings.iter().any(|s| s.contains("${")) {
        "`${...}` is always expanded (an environment variable or a reference to another key)"
    } else if strings.iter().any(|s| s.starts_with('~')) {
        "a leading `~` is always expanded to the home directory"
    } else if strings.iter().any(|s| s.contains('$')) {
        "`$NAME` is replaced by the environment variable NAME, which is set"
    } else {
        "the loader would read it as a different value"
    }
}

fn collect_strings<'a>(value: &'a Value, out: &mut Vec<&'a str>) {
    match value {
        Value::String(s) => out.push(s),
        Value::Array(items) => items.iter().for_each(|v| collect_strings(v, out)),
        Value::Object(map) => map.values().for_each(|v| collect_strings(v, out)),
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn text(value: Value) -> String {
        to_toml(&value, "k").unwrap().to_string()
    }

    #[test]
    fn strings_at_leaves_are_quoted_only_when_casting_would_change_them() {
        assert_eq!(text(json!("plain")), "\"plain\"");
        assert_eq!(text(json!("True")), "\"'True'\"");
        assert_eq!(text(json!(null)), "\"None\"");
        assert_eq!(text(json!(["True", 1])), "[\"True\", 1]");
        assert_eq!(text(json!({"a": "1"})), "{ a = \"'1'\" }");
    }

    #[test]
    fn a_null_inside_a_list_is_written_as_a_python_literal() {
        assert_eq!(text(json!([1, null])), "\"[1, None]\"");
        assert_eq!(
            text(json!({"a": [[null], "x"]})),
            "{ a = \"[[None], 'x']\" }"
        );
        assert_eq!(
            crate::config::string_to_type("[[None], 'x']"),
            json!([[null], "x"])
        );
    }
}
