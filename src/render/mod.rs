//! The one renderer: every value that leaves the crate passes through here.
//!
//! Two jobs, one module each:
//!
//! - masking (`mask.rs`, [below](self#masking)): hides what the one sensitivity rule
//!   ([`crate::config`]'s *What is sensitive*) marks, part by part: a table or
//!   an array whose children are partly sensitive is masked child by child.
//! - escaping (`escape.rs`, [below](self#escaping)): writes text for its destination, so that
//!   a key, a label or a value taken from a hostile file can only ever be
//!   data: a POSIX shell (`eval` only assigns, completion never expands), a
//!   terminal (control characters escaped), JSON and TOML (their own
//!   escaping, through `serde_json` and `toml`).
//!
//! Outputs do not format values themselves: `Debug`/`Display` of public
//! types, errors, warnings, `explain`, and every command of the
//! `prefect-config` CLI call these functions.
//!
//! # Masking
//!
//! The loader flags each value that is sensitive whole (its key, or a value
//! it was built from); the parts of a list or table are judged by the same
//! rule as they are masked. Values print as `********`; unset ones (`null`,
//! `""`) as they are. The entry points are on the types that hold values:
//! [`Config::get_masked`](crate::config::Config::get_masked),
//! [`Config::mask_view`](crate::config::Config::mask_view), `Debug` of
//! [`Config`](crate::config::Config),
//! [`Explanation::redacted`](crate::config::Explanation::redacted), and
//! `Display`/`Debug` of a context [`Snapshot`](crate::context::Snapshot).
//!
//! ```
//! use prefect_config::config::Loader;
//! use serde_json::json;
//!
//! let cfg = Loader::new()
//!     .defaults_toml("[[dbs]]\nhost = 'db'\npassword = 'pw'\n[app]\nurls = ['redis://:pw@cache', 'https://x']")
//!     .load()?;
//! assert_eq!(cfg.get_masked("dbs"), Some(json!([{"host": "db", "password": "********"}])));
//! assert_eq!(cfg.get_masked("app.urls"), Some(json!(["********", "https://x"])));
//! assert!(!format!("{cfg:?}").contains("pw@"));
//! # Ok::<(), prefect_config::config::ConfigError>(())
//! ```
//!
//! # Escaping
//!
//! For a shell, [`shell_quote`] makes one word of any text (`eval` only
//! assigns), [`shell_word`] one that keeps a plain prefix (completion word
//! lists), and [`is_shell_name`] tells which variable names `export`
//! accepts. For a terminal, [`terminal`] escapes what a terminal would act
//! on (control characters, ESC and BEL of an OSC title, bidi overrides);
//! [`terminal_lines`] keeps newlines and tabs.
//!
//! ```
//! use prefect_config::render::{shell_quote, shell_word, terminal};
//!
//! let key = "x.$(touch${IFS}/tmp/x)\u{1b}]0;pwned\u{7}";
//! assert_eq!(shell_quote("a'b"), r"'a'\''b'");
//! assert_eq!(shell_word("x.$(y)"), r"x.\$\(y\)");
//! assert_eq!(terminal(key), r"x.$(touch${IFS}/tmp/x)\u{1b}]0;pwned\u{7}");
//! ```

mod escape;
mod inline;
pub(crate) mod mask;

pub(crate) use escape::Line;
pub use escape::{is_shell_name, shell_quote, shell_word, terminal, terminal_lines};
pub use inline::{inline, source_label};
pub(crate) use mask::SECRETS_KEY;
pub use mask::{MASK, is_blank};

/// Python's `repr()` of a value (`[1, None, 'a']`): text that casting (the
/// crate's and Prefect's) reads back as the value, for a destination that
/// cannot hold it as it is, such as TOML, which has no null inside an array.
/// It masks and escapes nothing: mask the value first, escape the text after.
///
/// ```
/// use prefect_config::config::string_to_type;
/// use prefect_config::render::python_literal;
/// use serde_json::json;
///
/// let value = json!([1, null, "a"]);
/// assert_eq!(python_literal(&value), "[1, None, 'a']");
/// assert_eq!(string_to_type(&python_literal(&value)), value);
/// ```
pub fn python_literal(value: &serde_json::Value) -> String {
    crate::config::to_repr(value)
}

/// True for an array TOML cannot hold as it is: one holding a null at any
/// depth (TOML has no null, and `"None"` as an element loads back as a
/// string). Such an array is written as its [`python_literal`], as `set` and
/// `view` write it.
///
/// ```
/// use prefect_config::render::toml_cannot_hold;
/// use serde_json::json;
/// assert!(toml_cannot_hold(&json!([1, [null]])) && toml_cannot_hold(&json!([{"a": null}])));
/// assert!(!toml_cannot_hold(&json!([1, 2])) && !toml_cannot_hold(&json!(null)));
/// ```
pub fn toml_cannot_hold(value: &serde_json::Value) -> bool {
    use serde_json::Value;
    fn holds_null(value: &Value) -> bool {
        match value {
            Value::Null => true,
            Value::Array(items) => items.iter().any(holds_null),
            Value::Object(map) => map.values().any(holds_null),
            _ => false,
        }
    }
    matches!(value, Value::Array(items) if items.iter().any(holds_null))
}
