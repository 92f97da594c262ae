//! Interpolation: `$VAR`, `${VAR}` and `~` from the environment, then
//! `${a.b}` references to other keys.
//!
//! Environment expansion follows Python's `os.path.expandvars` and
//! `os.path.expanduser`, applied until the text stops changing. References are
//! resolved after all layers are merged, innermost first, so
//! `${${backend}.endpoint}` first becomes `${cloud.endpoint}`. Unlike Prefect,
//! which gives up after ten passes and leaves `${...}` text behind, chains of
//! any length resolve and a cycle is an error naming its keys.
//!
//! ```
//! use prefect_config::config::Loader;
//! use serde_json::json;
//!
//! let cfg = Loader::new()
//!     .defaults_toml(r#"
//!         backend = "cloud"
//!         home = "~/x"
//!         [cloud]
//!         endpoint = "https://api"
//!         api = "${${backend}.endpoint}"
//!         graphql = "${cloud.api}/graphql"
//!     "#)
//!     .env_vars([("HOME", "/home/me")])
//!     .load()?;
//! assert_eq!(cfg.get("cloud.graphql"), Some(&json!("https://api/graphql")));
//! assert_eq!(cfg.get("home"), Some(&json!("/home/me/x")));
//! # Ok::<(), prefect_config::config::ConfigError>(())
//! ```

use serde_json::Value;

use crate::config::env::Environment;
use crate::config::tree::{FastMap, Meta, value_at};
use crate::config::{ConfigError, ConfigWarning, python};

/// How many times expansion is applied before giving up (Prefect's limit).
const EXPANSION_ROUNDS: usize = 10;

/// Substitutions allowed in one value before reference resolution gives up.
const MAX_SUBSTITUTIONS: usize = 10_000;

/// The first (leftmost) innermost reference in `text`, as Prefect's pattern
/// `\$\{(.[^${}]*)\}` finds it: the byte range of the whole `${...}` and of
/// the key inside.
///
/// Scanned by hand rather than with the `regex` crate: capturing searches took
/// a quarter of the standard load time, and the pattern is fixed and tiny.
pub(crate) fn find_reference(
    text: &str,
) -> Option<(std::ops::Range<usize>, std::ops::Range<usize>)> {
    let bytes = text.as_bytes();
    let mut from = 0;
    while let Some(offset) = text.get(from..)?.find("${") {
        let start = from + offset;
        let key_start = start + 2;
        // The first character may be anything but a newline, even `$`, `{`, `}`.
        if let Some(first) = text.get(key_start..).and_then(|rest| rest.chars().next()) {
            if first != '\n' {
                let mut end = key_start + first.len_utf8();
                while end < bytes.len() && !matches!(bytes[end], b'$' | b'{' | b'}') {
                    end += 1;
                }
                if bytes.get(end) == Some(&b'}') {
                    return Some((start..end + 1, key_start..end));
                }
            }
        }
        from = start + 1;
    }
    None
}

/// Expands `$VAR`, `${VAR}` and a leading `~` until the text stops changing.
///
/// Returns `Ok(None)` when nothing changed, `Err(())` when the text was still
/// changing after ten rounds.
pub(crate) fn expand_env(text: &str, env: &Environment) -> Result<Option<String>, ()> {
    if !text.contains('$') && !text.starts_with('~') {
        return Ok(None);
    }
    let mut current: Option<String> = None;
    for _ in 0..EXPANSION_ROUNDS {
        let before = current.as_deref().unwrap_or(text);
        let next = expand_user(&expand_vars(before, env), env);
        if next == before {
            return Ok(current);
        }
        current = Some(next);
    }
    Err(())
}

/// Python's `os.path.expandvars`: `$name` (ASCII word characters) and
/// `${name}`; unknown variables are left as written.
fn expand_vars(text: &str, env: &Environment) -> String {
    let bytes = text.as_bytes();
    let mut out = String::with_capacity(text.len());
    let mut copied = 0;
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] != b'$' {
            i += 1;
            continue;
        }
        let (name, end) = if bytes.get(i + 1) == Some(&b'{') {
            match text[i + 2..].find('}') {
                Some(close) => (&text[i + 2..i + 2 + close], i + 3 + close),
                None => {
                    i += 1;
                    continue;
                }
            }
        } else {
            let len = bytes[i + 1..]
                .iter()
                .take_while(|b| b.is_ascii_alphanumeric() || **b == b'_')
                .count();
            if len == 0 {
                i += 1;
                continue;
            }
            (&text[i + 1..i + 1 + len], i + 1 + len)
        };
        if let Some(value) = env.get(name) {
            out.push_str(&text[copied..i]);
            out.push_str(value);
            copied = end;
        }
        i = end;
    }
    out.push_str(&text[copied..]);
    out
}

/// Python's `os.path.expanduser` for `~` and `~/...` (not `~user`).
fn expand_user(text: &str, env: &Environment) -> String {
    let Some(rest) = text.strip_prefix('~') else {
        return text.to_owned();
    };
    if !(rest.is_empty() || rest.starts_with('/')) {
        return text.to_owned();
    }
    match env.home() {
        Some(home) => {
            let home = home.trim_end_matches('/');
            let joined = format!("{home}{rest}");
            if joined.is_empty() {
                "/".to_owned()
            } else {
                joined
            }
        }
        None => text.to_owned(),
    }
}

/// Resolves every `${a.b}` reference in string leaves of `value`.
pub(crate) fn resolve_references(
    value: &mut Value,
    meta: &mut Meta,
) -> Result<Vec<ConfigWarning>, ConfigError> {
    let mut pending = Vec::new();
    collect_pending(value, meta, &mut Vec::new(), &mut pending);
    if pending.is_empty() {
        return Ok(Vec::new());
    }
    let index: FastMap<Vec<String>, usize> = pending
        .iter()
        .enumerate()
        .map(|(i, path)| (path.clone(), i))
        .collect();
    let mut state = vec![State::Pending; pending.len()];
    let mut warnings = Vec::new();
    let mut stack = Vec::new();

    for start in 0..pending.len() {
        if state[start] == State::Done {
            continue;
        }
        stack.push((start, 0usize));
        while let Some(&mut (top, ref mut substitutions)) = stack.last_mut() {
            state[top] = State::InProgress;
            let path = &pending[top];
            let text = match value_at(value, path.iter().map(String::as_str)) {
                Some(Value::String(s)) => s.clone(),
                _ => {
                    state[top] = State::Done;
                    stack.pop();
                    continue;
                }
            };
            let Some((whole, key)) = find_reference(&text) else {
                state[top] = State::Done;
                stack.pop();
                continue;
            };
            *substitutions += 1;
            if *substitutions > MAX_SUBSTITUTIONS {
                return Err(ConfigError::ReferenceDidNotSettle {
                    key: path.join("."),
                    origin: meta.find(path.iter().map(String::as_str)).source().clone(),
                });
            }
            let whole = text[whole].to_owned();
            let reference = text[key].to_owned();
            let ref_path: Vec<String> = reference.split('.').map(str::to_owned).collect();

            if let Some(&dep) = index.get(&ref_path) {
                match state[dep] {
                    State::InProgress => {
                        let from = stack.iter().position(|(i, _)| *i == dep).unwrap_or(0);
                        let mut keys: Vec<String> = stack[from..]
                            .iter()
                            .map(|(i, _)| pending[*i].join("."))
                            .collect();
                        keys.push(pending[dep].join("."));
                        return Err(ConfigError::ReferenceCycle { keys });
                    }
                    State::Pending => {
                        stack.push((dep, 0));
                        continue;
                    }
                    State::Done => {}
                }
            }

            let target = lookup(value, meta, &ref_path);
            let replacement = match &target {
                Target::Leaf(v, _) => v.clone(),
                Target::Table | Target::Missing => {
                    let origin = meta.find(path.iter().map(String::as_str)).source().clone();
                    let key = path.join(".");
                    warnings.push(if matches!(target, Target::Table) {
                        ConfigWarning::TableReference {
                            key,
                            reference,
                            origin,
                        }
                    } else {
                        ConfigWarning::MissingReference {
                            key,
                            reference,
                            origin,
                        }
                    });
                    Value::String(String::new())
                }
            };
            let raw = match &target {
                Target::Leaf(_, raw) => raw.clone(),
                _ => None,
            };
            let new_value = if text == whole {
                replacement
            } else {
                Value::String(text.replacen(&whole, &python::to_str(&replacement), 1))
            };
            set_leaf(value, meta, path, new_value, raw);
        }
    }
    Ok(warnings)
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum State {
    Pending,
    InProgress,
    Done,
}

pub(crate) enum Target {
    Leaf(Value, Option<std::sync::Arc<str>>),
    Table,
    Missing,
}

/// Like Prefect, a reference only finds leaves: a table is not a value.
pub(crate) fn lookup(value: &Value, meta: &Meta, path: &[String]) -> Target {
    let mut node = meta;
    for part in path {
        match node.child(part) {
            Some(child) => node = child,
            None => return Target::Missing,
        }
    }
    match node {
        Meta::Table { .. } => Target::Table,
        Meta::Leaf(leaf) => match value_at(value, path.iter().map(String::as_str)) {
            Some(v) => Target::Leaf(v.clone(), leaf.raw.clone()),
            None => Target::Missing,
        },
    }
}

fn set_leaf(
    value: &mut Value,
    meta: &mut Meta,
    path: &[String],
    new: Value,
    raw: Option<std::sync::Arc<str>>,
) {
    let mut node = value;
    let mut node_meta = meta;
    for part in path {
        let (Some(next), Meta::Table { children, .. }) = (node.get_mut(part.as_str()), node_meta)
        else {
            return;
        };
        let Some(next_meta) = children.get_mut(part) else {
            return;
        };
        node = next;
        node_meta = next_meta;
    }
    let keeps_type = matches!(new, Value::String(_));
    *node = new;
    if let Meta::Leaf(leaf) = node_meta {
        leaf.raw = if keeps_type { None } else { raw };
    }
}

fn collect_pending(value: &Value, meta: &Meta, path: &mut Vec<String>, out: &mut Vec<Vec<String>>) {
    match (value, meta) {
        (Value::Object(map), Meta::Table { children, .. }) => {
            for (key, child) in map {
                if let Some(child_meta) = children.get(key) {
                    path.push(key.clone());
                    collect_pending(child, child_meta, path, out);
                    path.pop();
                }
            }
        }
        (Value::String(s), Meta::Leaf(_)) if s.contains("${") => out.push(path.clone()),
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn env() -> Environment {
        Environment::from_pairs([
            ("A", "1"),
            ("B", "$A$A"),
            ("HOME", "/home/u/"),
            ("LOOP", "x$LOOP"),
        ])
    }

    #[test]
    fn expands_like_python() {
        let e = env();
        let cases = [
            ("$A", "1"),
            ("${A}x", "1x"),
            ("$Ax", "$Ax"),
            ("$B", "11"),
            ("$", "$"),
            ("a$", "a$"),
            ("${NOPE}", "${NOPE}"),
            ("${server.host}", "${server.host}"),
            ("~", "/home/u"),
            ("~/p", "/home/u/p"),
            ("~user/p", "~user/p"),
            ("a~", "a~"),
            ("$A/${A}", "1/1"),
        ];
        for (input, expected) in cases {
            let got = expand_env(input, &e)
                .unwrap()
                .unwrap_or_else(|| input.to_owned());
            assert_eq!(got, expected, "{input}");
        }
    }

    #[test]
    fn references_are_found_like_prefects_pattern() {
        let found = |text: &str| {
            find_reference(text).map(|(w, k)| (text[w].to_owned(), text[k].to_owned()))
        };
        assert_eq!(
            found("${${backend}.endpoint}"),
            Some(("${backend}".into(), "backend".into()))
        );
        assert_eq!(
            found("a ${x.y} ${z}"),
            Some(("${x.y}".into(), "x.y".into()))
        );
        assert_eq!(found("${}}"), Some(("${}}".into(), "}".into())));
        assert_eq!(found("${}"), None);
        assert_eq!(found("${\nx}"), None);
        assert_eq!(found("$${x}"), Some(("${x}".into(), "x".into())));
        assert_eq!(found("${é}"), Some(("${é}".into(), "é".into())));
        assert_eq!(found("no refs $x"), None);
    }

    #[test]
    fn growing_expansion_is_reported() {
        assert!(expand_env("$LOOP", &env()).is_err());
    }

    #[test]
    fn home_is_not_guessed_for_an_injected_environment() {
        let e = Environment::from_pairs([("X", "1")]);
        assert_eq!(expand_env("~/p", &e).unwrap(), None);
    }
}
