//! The one rule that decides what is sensitive.
//!
//! A value is sensitive when its key is (below), or when it was built from a
//! sensitive value: through a `${a.b}` reference to one, or through `$VAR`
//! expansion of a sensitive environment variable. The loader sets the flag on
//! each leaf as it builds the value ([`Config::is_sensitive`]), so no output
//! has to guess later; `Debug`, errors, warnings and the CLI all read it.
//!
//! A key is sensitive when it lies under `context.secrets`, or when its last
//! part, in any case, is one of `password`, `passwd`, `api_key`, `apikey`,
//! `auth_token`, `token`, `secret`, `private_key`, `credentials`, or ends in
//! `_password`, `_passwd`, `_token`, `_secret`, `_api_key`, `_private_key`.
//! A string holding a URL with a password (`postgresql://u:p@h/db`) is
//! sensitive too, whatever its key.
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

/// What a masked value prints as, everywhere.
pub(crate) const MASK: &str = "********";

/// Nothing to hide: an unset credential is shown as unset.
pub(crate) fn is_blank(value: &Value) -> bool {
    value.is_null() || value.as_str().is_some_and(str::is_empty)
}

/// Exact key names (compared in any case) that name a credential.
const NAMES: &[&str] = &[
    "password",
    "passwd",
    "api_key",
    "apikey",
    "auth_token",
    "token",
    "secret",
    "private_key",
    "credentials",
];

/// Key name endings (compared in any case) that name a credential.
const SUFFIXES: &[&str] = &[
    "_password",
    "_passwd",
    "_token",
    "_secret",
    "_api_key",
    "_private_key",
];

/// True when one key name, in any case, names a credential.
pub(crate) fn is_sensitive_name(name: &str) -> bool {
    let ends_with = |suffix: &str| {
        name.len() >= suffix.len()
            && name
                .get(name.len() - suffix.len()..)
                .is_some_and(|tail| tail.eq_ignore_ascii_case(suffix))
    };
    NAMES.iter().any(|n| name.eq_ignore_ascii_case(n)) || SUFFIXES.iter().any(|s| ends_with(s))
}

/// Where a key sits relative to `context.secrets`, tracked while walking
/// down a tree.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Scope {
    /// The root table.
    Root,
    /// The `context` table.
    Context,
    /// `context.secrets` or anything below it.
    Secrets,
    /// Anywhere else.
    Other,
}

impl Scope {
    /// The scope of the child `key` of a node in this scope.
    pub(crate) fn child(self, key: &str) -> Scope {
        match (self, key) {
            (Scope::Root, "context") => Scope::Context,
            (Scope::Context, "secrets") | (Scope::Secrets, _) => Scope::Secrets,
            _ => Scope::Other,
        }
    }
}

/// The key rule: a key is sensitive when it lies in the secrets scope (the
/// `context.secrets` table itself included) or its name is credential-like.
/// `scope` is the key's own scope (`parent.child(name)`).
pub(crate) fn is_sensitive_in(scope: Scope, name: &str) -> bool {
    scope == Scope::Secrets || is_sensitive_name(name)
}

/// The key rule for a whole path.
pub(crate) fn is_sensitive_path<'a>(parts: impl IntoIterator<Item = &'a str>) -> bool {
    let mut scope = Scope::Root;
    let mut last = None;
    for part in parts {
        scope = scope.child(part);
        last = Some(part);
    }
    last.is_some_and(|name| is_sensitive_in(scope, name))
}

/// The key rule alone, for a dotted key that may not be loaded: under
/// `context.secrets`, or a credential-like last part, in any case. A loaded
/// [`Config`](crate::config::Config) knows more (values built from
/// sensitive ones): ask [`Config::is_sensitive`](crate::config::Config::is_sensitive) there.
///
/// ```
/// use prefect_config::config::is_sensitive_key;
/// assert!(is_sensitive_key("context.secrets.X") && is_sensitive_key("db.DB_PASSWORD"));
/// assert!(!is_sensitive_key("server.port"));
/// ```
pub fn is_sensitive_key(key: &str) -> bool {
    is_sensitive_path(crate::config::key::split(key))
}

/// True when `parts` lie in the `context.secrets` scope.
pub(crate) fn is_secrets_scope<'a>(parts: impl IntoIterator<Item = &'a str>) -> bool {
    parts.into_iter().fold(Scope::Root, Scope::child) == Scope::Secrets
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

/// True when `text` holds a URL whose user-info carries a password
/// (`scheme://user:password@host`).
pub(crate) fn has_url_password(text: &str) -> bool {
    // Most values hold no `@` at all; one memchr answers for them.
    if memchr::memchr(b'@', text.as_bytes()).is_none() {
        return false;
    }
    let mut rest = text;
    while let Some(at) = rest.find("://") {
        let authority = &rest[at + 3..];
        let end = authority
            .find(|c: char| matches!(c, '/' | '?' | '#') || c.is_whitespace())
            .unwrap_or(authority.len());
        let authority = &authority[..end];
        if let Some(userinfo) = authority.rfind('@').map(|i| &authority[..i]) {
            // A password that is only a `${...}` reference or a `$VAR` is a
            // placeholder: the value it becomes makes the result sensitive.
            let placeholder = |pw: &str| {
                (pw.starts_with("${") && pw.ends_with('}') && !pw[2..pw.len() - 1].contains('}'))
                    || (pw.starts_with('$')
                        && pw.len() > 1
                        && pw[1..]
                            .bytes()
                            .all(|b| b.is_ascii_alphanumeric() || b == b'_'))
            };
            if userinfo
                .split_once(':')
                .is_some_and(|(_, pw)| !pw.is_empty() && !placeholder(pw))
            {
                return true;
            }
        }
        rest = &rest[at + 3..];
    }
    false
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
        assert!(has_url_password("postgresql://u:p@h/db"));
        assert!(has_url_password("x=redis://:pw@h:6379 y"));
        assert!(!has_url_password("postgresql://u@h/db"));
        assert!(!has_url_password("http://h/a:b@c"));
        assert!(!has_url_password("http://localhost:4200"));
        assert!(!has_url_password("postgresql://u:${db.password}@h/db"));
        assert!(!has_url_password("postgresql://u:$DB_PASSWORD@h/db"));
        assert!(has_url_password("postgresql://u:pw${x}@h/db"));
    }
}
