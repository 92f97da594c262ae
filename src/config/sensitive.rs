//! The one rule that decides what is sensitive.
//!
//! **Keys.** A key is sensitive when it lies under `context.secrets`, or when
//! it or a table on its way names a credential: in its normal form (ASCII
//! lower case, `-` as `_`, a `_` at each camelCase hump: `dbPassword`,
//! `db-password` and `DB_PASSWORD` are one name) it is one of `password`,
//! `passwd`, `passphrase`, `api_key`, `apikey`, `auth_token`, `token`,
//! `secret`, `secret_key`, `secret_id`, `secret_access_key`, `private_key`,
//! `credential`, `credentials`, or ends in `_password`, `_passwd`,
//! `_passphrase`, `_token`, `_secret`, `_api_key`, `_apikey`, `_secret_key`,
//! `_secret_id`, `_secret_access_key`, `_private_key`, `_credentials`. The
//! rule holds at any depth: for keys of tables inside arrays and of tables
//! cast from text too.
//!
//! **Text.** A string is sensitive whatever its key when it carries a
//! password: in a URL's user-info (`postgresql://u:p@h/db`), in `user:pw@host`
//! without a scheme, as a credential-named parameter
//! (`jdbc:postgresql://h/db?user=u&password=p`, `host=h password=p`), or
//! when it is text that casts to a list or table with a sensitive part
//! (`"{'token': 't'}"`).
//!
//! **Propagation.** A value built from a sensitive one is sensitive whole:
//! through a `${a.b}` reference (a reference inside text to a value with any
//! sensitive part makes the text sensitive), or through `$VAR` expansion of
//! a sensitive environment variable.
//!
//! The loader sets each leaf's whole-value flag as it builds the value; the
//! parts of a container value are judged by this same rule from the value
//! itself, a pure function of the keys and text inside it, so every output
//! reads them the same. `crate::render`'s masking applies both (whole, or part
//! by part: a table whose children are partly sensitive keeps the rest
//! visible); no output decides on its own.
//!
//! [`Config::is_sensitive`]: crate::config::Config::is_sensitive
//!
//! ```
//! use prefect_config::config::Loader;
//!
//! let cfg = Loader::new()
//!     .defaults_toml(r#"
//!         [db]
//!         db_password = "hunter2"
//!         url = "postgresql://app:${db.db_password}@db/app"
//!         host = "db"
//!     "#)
//!     .load()?;
//! assert!(cfg.is_sensitive("db.db_password"));
//! assert!(cfg.is_sensitive("db.url")); // built from a sensitive value
//! assert!(!cfg.is_sensitive("db.host"));
//! # Ok::<(), prefect_config::config::ConfigError>(())
//! ```

use serde_json::Value;
use smallvec::SmallVec;

/// Nothing to hide: an unset credential is shown as unset.
pub(crate) fn is_blank(value: &Value) -> bool {
    value.is_null() || value.as_str().is_some_and(str::is_empty)
}

/// Exact key names that name a credential, in their normal form (see
/// [`normal_name`]: lower case, `-` and camelCase humps as `_`).
const NAMES: &[&str] = &[
    "password",
    "passwd",
    "passphrase",
    "api_key",
    "apikey",
    "auth_token",
    "token",
    "secret",
    "secret_key",
    "secret_id",
    "secret_access_key",
    "private_key",
    "credential",
    "credentials",
];

/// Key name endings, in normal form, that name a credential.
const SUFFIXES: &[&str] = &[
    "_password",
    "_passwd",
    "_passphrase",
    "_token",
    "_secret",
    "_api_key",
    "_apikey",
    "_secret_key",
    "_secret_id",
    "_secret_access_key",
    "_private_key",
    "_credentials",
];

/// A key name in the form the lists above use: ASCII lower case, `-` as
/// `_`, and a `_` where a lower-case letter or digit meets an upper-case one
/// (`dbPassword` → `db_password`, `api-key` → `api_key`, `ApiKey` →
/// `api_key`, `APIKEY` → `apikey`).
fn normal_name(name: &str) -> SmallVec<[u8; 64]> {
    let mut out = SmallVec::with_capacity(name.len() + 4);
    let mut previous_lower = false;
    for b in name.bytes() {
        if b.is_ascii_uppercase() && previous_lower {
            out.push(b'_');
        }
        previous_lower = b.is_ascii_lowercase() || b.is_ascii_digit();
        out.push(if b == b'-' {
            b'_'
        } else {
            b.to_ascii_lowercase()
        });
    }
    out
}

/// True when one key name, in any case and spelling (`DB_PASSWORD`,
/// `db-password`, `dbPassword`), names a credential.
pub(crate) fn is_sensitive_name(name: &str) -> bool {
    // Longer than any name a person writes for a credential and more than
    // the longest list entry: no allocation for hostile key names.
    let name = if name.len() > 256 {
        &name[name.len() - tail_start(name)..]
    } else {
        name
    };
    let matches = |normal: &[u8]| {
        NAMES.iter().any(|n| normal == n.as_bytes())
            || SUFFIXES.iter().any(|s| normal.ends_with(s.as_bytes()))
    };
    // Nearly every key is already in normal form (lower case, `_`): it is
    // compared as it is, without building a copy (the rule runs for every
    // key of every load).
    let bytes = name.as_bytes();
    if !bytes.iter().any(|&b| b == b'-' || b.is_ascii_uppercase()) {
        return matches(bytes);
    }
    matches(&normal_name(name))
}

/// The length of the last 64 bytes of `name` that start on a character
/// boundary: enough to hold every suffix.
fn tail_start(name: &str) -> usize {
    let mut len = 64.min(name.len());
    while !name.is_char_boundary(name.len() - len) {
        len -= 1;
    }
    len
}

/// Where a key sits, for the key rule, tracked while walking down a tree
/// or a value: one name check per key, made when the walk enters it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Scope {
    /// The root table.
    Root,
    /// The `context` table.
    Context,
    /// `context.secrets` or anything below it.
    Secrets,
    /// A credential-named key (`password`, `[credentials]`) or anything
    /// below it, outside `context.secrets`.
    Credential,
    /// Anywhere else.
    Other,
}

impl Scope {
    /// The scope of the child `key` of a node in this scope.
    pub(crate) fn child(self, key: &str) -> Scope {
        match (self, key) {
            (Scope::Root, "context") => Scope::Context,
            (Scope::Context, "secrets") | (Scope::Secrets, _) => Scope::Secrets,
            (Scope::Credential, _) => Scope::Credential,
            _ if is_sensitive_name(key) => Scope::Credential,
            _ => Scope::Other,
        }
    }

    /// True when a value in this scope is sensitive by the key rule alone.
    pub(crate) fn is_sensitive(self) -> bool {
        matches!(self, Scope::Secrets | Scope::Credential)
    }
}

/// The key rule for a whole path: some part of it (the last one, or a table
/// on the way) names a credential, or it lies in `context.secrets` (the
/// `context.secrets` table itself included).
pub(crate) fn is_sensitive_path<'a>(parts: impl IntoIterator<Item = &'a str>) -> bool {
    scope_of(parts).is_sensitive()
}

/// The key rule alone, for a dotted key that may not be loaded: under
/// `context.secrets`, or a credential-like part, in any case and spelling.
/// A loaded [`Config`](crate::config::Config) knows more (values built from
/// sensitive ones, passwords inside values): ask
/// [`Config::is_sensitive`](crate::config::Config::is_sensitive) there.
///
/// ```
/// use prefect_config::config::is_sensitive_key;
/// assert!(is_sensitive_key("context.secrets.X") && is_sensitive_key("db.DB_PASSWORD"));
/// assert!(is_sensitive_key("aws.secret-access-key") && is_sensitive_key("credentials.user"));
/// assert!(!is_sensitive_key("server.port"));
/// ```
pub fn is_sensitive_key(key: &str) -> bool {
    is_sensitive_path(crate::config::key::split(key))
}

/// True when `parts` lie in the `context.secrets` scope.
pub(crate) fn is_secrets_scope<'a>(parts: impl IntoIterator<Item = &'a str>) -> bool {
    scope_of(parts) == Scope::Secrets
}

/// True for an environment variable whose value must be treated as a secret:
/// its `__`-separated parts, read as a key path after any prefix, hold
/// `context`, `secrets` and a name, or end in a credential-like name
/// (`PREFECT__CLOUD__API_KEY`, `DB_PASSWORD`).
pub(crate) fn is_sensitive_var(name: &str) -> bool {
    let parts: Vec<&str> = name.split("__").collect();
    let secrets_scope = parts
        .windows(3)
        .any(|w| w[0].eq_ignore_ascii_case("context") && w[1].eq_ignore_ascii_case("secrets"));
    secrets_scope || parts.last().is_some_and(|last| is_sensitive_name(last))
}

/// True when `text` carries a password of its own, whatever its key: in a
/// URL's user-info (`postgresql://u:pw@h/db`), in a `user:pw@host` without a
/// scheme, or as a credential-named parameter of a query string or a
/// `key=value` list (`jdbc:postgresql://h/db?user=u&password=pw`,
/// `host=h password=pw`). A password that is only a `${...}` reference or a
/// `$VAR` is a placeholder, not a password: the value it becomes decides.
///
/// Linear in the text: each byte is looked at a bounded number of times.
pub(crate) fn has_embedded_credential(text: &str) -> bool {
    let bytes = text.as_bytes();
    // Most values hold neither `@` nor `=`; one memchr answers for them.
    if memchr::memchr2(b'@', b'=', bytes).is_none() {
        return false;
    }
    bytes
        .split(|&b| is_word_break(b))
        .any(|word| userinfo_password(word) || parameter_password(word))
}

/// Bytes that end a word of free text; none of them can be part of a URL's
/// user-info or a query string.
fn is_word_break(b: u8) -> bool {
    b.is_ascii_whitespace()
        || matches!(
            b,
            b'"' | b'\'' | b'`' | b'<' | b'>' | b',' | b'(' | b')' | b'|'
        )
}

/// `user:pw@host` in `word`, after a scheme's `://` or without one.
fn userinfo_password(word: &[u8]) -> bool {
    if memchr::memchr(b'@', word).is_none() {
        return false;
    }
    // Each authority: after every `://`, and the word's start when it has
    // none. An authority ends at the first `/`, `?` or `#`, so the
    // authorities of one word never overlap.
    let mut starts: SmallVec<[usize; 2]> = memchr::memmem::find_iter(word, b"://")
        .map(|at| at + 3)
        .collect();
    if starts.is_empty() {
        starts.push(0);
    }
    starts.into_iter().any(|start| {
        let rest = &word[start..];
        let end = rest
            .iter()
            .position(|&b| matches!(b, b'/' | b'?' | b'#'))
            .unwrap_or(rest.len());
        let authority = &rest[..end];
        let Some(at) = memchr::memrchr(b'@', authority) else {
            return false;
        };
        let host_follows = authority
            .get(at + 1)
            .is_some_and(|&b| b.is_ascii_alphanumeric() || b == b'[');
        let Some(colon) = memchr::memchr(b':', &authority[..at]) else {
            return false;
        };
        let (user, password) = (&authority[..colon], &authority[colon + 1..at]);
        host_follows
            && !user.eq_ignore_ascii_case(b"mailto")
            && !password.is_empty()
            && !is_placeholder(password)
    })
}

/// `name=value` in `word` where `name` names a credential and `value` is
/// set: a query string's or a `;`/`&`-separated list's parameter.
fn parameter_password(word: &[u8]) -> bool {
    if memchr::memchr(b'=', word).is_none() {
        return false;
    }
    word.split(|&b| matches!(b, b'?' | b'&' | b';'))
        .filter_map(|pair| {
            let eq = memchr::memchr(b'=', pair)?;
            Some((&pair[..eq], &pair[eq + 1..]))
        })
        .any(|(name, value)| {
            let value = value.split(|&b| b == b'#').next().unwrap_or_default();
            !value.is_empty()
                && !is_placeholder(value)
                && std::str::from_utf8(name).is_ok_and(is_sensitive_name)
        })
}

/// A password that is only a `${...}` reference or a `$VAR`.
fn is_placeholder(password: &[u8]) -> bool {
    match password {
        [b'$', b'{', inner @ .., b'}'] => memchr::memchr(b'}', inner).is_none(),
        [b'$', name @ ..] => {
            !name.is_empty() && name.iter().all(|b| b.is_ascii_alphanumeric() || *b == b'_')
        }
        _ => false,
    }
}

/// True when some part of `value`, judged at `scope` (the scope of its own
/// key), is sensitive by the rule: a key inside it (any depth, inside arrays
/// too), a string with an [embedded credential](has_embedded_credential),
/// or text that casts to a list or table with a sensitive part (`"{'token':
/// 'x'}"`). The value's own key is not judged here. Unset values (`null`,
/// `""`) have nothing to hide.
///
/// Iterative: a value of any depth is judged without recursion.
pub(crate) fn has_sensitive_part(value: &Value, scope: Scope) -> bool {
    let mut stack = vec![(value, scope)];
    while let Some((value, scope)) = stack.pop() {
        match value {
            Value::String(text) => {
                if has_embedded_credential(text) || cast_text_is_sensitive(text, scope) {
                    return true;
                }
            }
            Value::Array(items) => stack.extend(items.iter().map(|item| (item, scope))),
            Value::Object(map) => {
                for (key, child) in map {
                    let child_scope = scope.child(key);
                    if child_scope.is_sensitive() && !is_blank(child) {
                        return true;
                    }
                    stack.push((child, child_scope));
                }
            }
            Value::Null | Value::Bool(_) | Value::Number(_) => {}
        }
    }
    false
}

/// False when `value` cannot hold a sensitive part at all: a number, a
/// boolean, null, or a string with neither `@` nor `=` that does not open a
/// list or table. A cheap test before [`has_sensitive_part`].
pub(crate) fn may_have_sensitive_part(value: &Value) -> bool {
    match value {
        Value::Array(_) | Value::Object(_) => true,
        Value::String(text) => {
            memchr::memchr2(b'@', b'=', text.as_bytes()).is_some()
                || text
                    .trim_start()
                    .as_bytes()
                    .first()
                    .is_some_and(|b| matches!(b, b'[' | b'{' | b'('))
        }
        Value::Null | Value::Bool(_) | Value::Number(_) => false,
    }
}

/// True when `text` would cast to a list or table (`[...]`, `{...}`,
/// `(...)`) with a sensitive part: the text holds that part.
pub(crate) fn cast_text_is_sensitive(text: &str, scope: Scope) -> bool {
    let opens = text
        .trim_start()
        .as_bytes()
        .first()
        .is_some_and(|b| matches!(b, b'[' | b'{' | b'('));
    if !opens {
        return false;
    }
    let cast = crate::config::cast::string_to_type(text);
    matches!(cast, Value::Array(_) | Value::Object(_)) && has_sensitive_part(&cast, scope)
}

/// The scope of the key at `parts`.
pub(crate) fn scope_of<'a>(parts: impl IntoIterator<Item = &'a str>) -> Scope {
    parts.into_iter().fold(Scope::Root, Scope::child)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn key_names_in_any_case() {
        for name in [
            "password",
            "PASSWD",
            "api_key",
            "ApiKey",
            "auth_token",
            "token",
            "secret",
            "private_key",
            "credentials",
            "db_password",
            "DB_PASSWD",
            "github_token",
            "admin_secret",
            "openai_api_key",
            "ssh_private_key",
        ] {
            assert!(is_sensitive_name(name), "{name}");
        }
        for name in [
            "host",
            "port",
            "use_local_secrets",
            "secrets",
            "tokens",
            "password_hint_url",
            "",
        ] {
            assert!(!is_sensitive_name(name), "{name}");
        }
    }

    #[test]
    fn paths_and_variables() {
        assert!(is_sensitive_path(["context", "secrets"]));
        assert!(is_sensitive_path(["context", "secrets", "X"]));
        assert!(is_sensitive_path(["cloud", "api_key"]));
        assert!(!is_sensitive_path(["context", "flow_name"]));
        assert!(is_sensitive_var("PREFECT__CONTEXT__SECRETS__TOKEN"));
        assert!(is_sensitive_var("PREFECT__CLOUD__API_KEY"));
        assert!(is_sensitive_var("DB_PASSWORD"));
        assert!(!is_sensitive_var("HOME"));
        assert!(!is_sensitive_var("PREFECT__CONTEXT__SECRETS"));
    }

    #[test]
    fn urls_with_passwords() {
        assert!(has_embedded_credential("postgresql://u:p@h/db"));
        assert!(has_embedded_credential("x=redis://:pw@h:6379 y"));
        assert!(!has_embedded_credential("postgresql://u@h/db"));
        assert!(!has_embedded_credential("http://h/a:b@c"));
        assert!(!has_embedded_credential("http://localhost:4200"));
        assert!(!has_embedded_credential(
            "postgresql://u:${db.password}@h/db"
        ));
        assert!(!has_embedded_credential("postgresql://u:$DB_PASSWORD@h/db"));
        assert!(has_embedded_credential("postgresql://u:pw${x}@h/db"));
    }
}
