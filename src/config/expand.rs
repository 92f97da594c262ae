//! Environment expansion: `$VAR`, `${VAR}` and a leading `~`, as Python's
//! `os.path.expandvars` and `os.path.expanduser` do, applied until the text
//! stops changing (at most ten rounds, Prefect's limit).
//!
//! ```
//! use prefect_config::config::Loader;
//! let cfg = Loader::new()
//!     .defaults_toml("home = '~/x'\nurl = 'http://$HOST:${PORT}'")
//!     .env_vars([("HOME", "/home/me"), ("HOST", "db"), ("PORT", "5432")])
//!     .load()?;
//! assert_eq!(cfg.get("home"), Some(&serde_json::json!("/home/me/x")));
//! assert_eq!(cfg.get("url"), Some(&serde_json::json!("http://db:5432")));
//! # Ok::<(), prefect_config::config::ConfigError>(())
//! ```

use crate::config::env::Environment;
use crate::config::sensitive;

/// How many times expansion is applied before giving up (Prefect's limit).
const EXPANSION_ROUNDS: usize = 10;

/// The text after expansion, and whether a sensitive variable went into it.
pub(crate) struct Expansion {
    pub(crate) text: String,
    pub(crate) sensitive: bool,
}

/// Why expansion failed.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum ExpandError {
    /// Still changing after ten rounds.
    DidNotSettle,
    /// The text grew past the limit.
    TooLarge,
}

/// Expands `$VAR`, `${VAR}` and a leading `~` until the text stops changing.
///
/// Returns `Ok(None)` when nothing changed. The text may never grow past
/// `max_len` bytes.
pub(crate) fn expand_env(
    text: &str,
    env: &Environment,
    max_len: usize,
) -> Result<Option<Expansion>, ExpandError> {
    if !text.contains('$') && !text.starts_with('~') {
        return Ok(None);
    }
    let mut current: Option<String> = None;
    let mut sensitive = false;
    for _ in 0..EXPANSION_ROUNDS {
        let before = current.as_deref().unwrap_or(text);
        let vars = expand_vars(before, env, max_len, &mut sensitive)?;
        let next = expand_user(vars.as_deref().unwrap_or(before), env);
        let next = match (next, vars) {
            (Some(next), _) | (None, Some(next)) => next,
            (None, None) => return Ok(current.map(|text| Expansion { text, sensitive })),
        };
        if next.len() > max_len {
            return Err(ExpandError::TooLarge);
        }
        if next == before {
            return Ok(current.map(|text| Expansion { text, sensitive }));
        }
        current = Some(next);
    }
    Err(ExpandError::DidNotSettle)
}

/// One round of Python's `os.path.expandvars`: `$name` (ASCII word
/// characters) and `${name}`; unknown variables are left as written.
/// `None` when nothing was replaced. Linear: the search for a `}` is shared
/// by every `${` before it.
fn expand_vars(
    text: &str,
    env: &Environment,
    max_len: usize,
    sensitive: &mut bool,
) -> Result<Option<String>, ExpandError> {
    let bytes = text.as_bytes();
    let mut out: Option<String> = None;
    let mut copied = 0;
    let mut i = 0;
    // The next `}` at or after some position, found once: `None` once the
    // rest of the text has none.
    let mut close: Option<Option<usize>> = None;
    while i < bytes.len() {
        if bytes[i] != b'$' {
            i += 1;
            continue;
        }
        let (name, end) = if bytes.get(i + 1) == Some(&b'{') {
            let from = i + 2;
            let next_close = match close {
                Some(Some(at)) if at >= from => Some(at),
                Some(None) => None,
                _ => {
                    let found = text.get(from..).and_then(|r| r.find('}')).map(|c| from + c);
                    close = Some(found);
                    found
                }
            };
            match next_close {
                Some(at) => (&text[from..at], at + 1),
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
            let buf = out.get_or_insert_with(|| String::with_capacity(text.len()));
            buf.push_str(&text[copied..i]);
            buf.push_str(value);
            if buf.len() > max_len {
                return Err(ExpandError::TooLarge);
            }
            *sensitive |= sensitive::is_sensitive_var(name);
            copied = end;
        }
        i = end;
    }
    Ok(out.map(|mut buf| {
        buf.push_str(&text[copied..]);
        buf
    }))
}

/// Python's `os.path.expanduser` for `~` and `~/...` (not `~user`); `None`
/// when nothing changed.
fn expand_user(text: &str, env: &Environment) -> Option<String> {
    let rest = text.strip_prefix('~')?;
    if !(rest.is_empty() || rest.starts_with('/')) {
        return None;
    }
    let home = env.home()?;
    let home = home.trim_end_matches('/');
    let joined = format!("{home}{rest}");
    Some(if joined.is_empty() {
        "/".to_owned()
    } else {
        joined
    })
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
            ("API_TOKEN", "t"),
        ])
    }

    fn expanded(input: &str) -> String {
        expand_env(input, &env(), usize::MAX)
            .unwrap()
            .map_or_else(|| input.to_owned(), |e| e.text)
    }

    #[test]
    fn expands_like_python() {
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
            ("${${A}", "${${A}"),
            ("${x ${A}", "${x ${A}"),
        ];
        for (input, expected) in cases {
            assert_eq!(expanded(input), expected, "{input}");
        }
    }

    #[test]
    fn growing_expansion_is_reported() {
        assert_eq!(
            expand_env("$LOOP", &env(), usize::MAX).err(),
            Some(ExpandError::DidNotSettle)
        );
        assert_eq!(
            expand_env("$LOOP", &env(), 4).err(),
            Some(ExpandError::TooLarge)
        );
    }

    #[test]
    fn sensitive_variables_are_noticed() {
        let e = expand_env("x$API_TOKEN", &env(), usize::MAX)
            .unwrap()
            .unwrap();
        assert!(e.sensitive);
        let e = expand_env("x$A", &env(), usize::MAX).unwrap().unwrap();
        assert!(!e.sensitive);
    }

    #[test]
    fn home_is_not_guessed_for_an_injected_environment() {
        let e = Environment::from_pairs([("X", "1")]);
        assert!(expand_env("~/p", &e, usize::MAX).unwrap().is_none());
    }
}
