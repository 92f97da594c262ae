//! [`EnvVarSecret`]: a secret read from an environment variable, as Prefect's
//! `EnvVarSecret` task does.

use std::ffi::OsString;

use secrecy::ExposeSecret;
use serde_json::{Number, Value};

use super::decode::{self, NotDecoded};
use super::{SecretError, SecretValue};

/// How an [`EnvVarSecret`] turns the variable's text into a value.
///
/// Prefect's `cast` is any Python callable; these are the builtins it is used
/// with, with Python's parsing rules:
///
/// | cast    | Python       | accepts                                                    |
/// |---------|--------------|------------------------------------------------------------|
/// | `Int`   | `int`        | optional sign, decimal digits, `_` between digits, surrounding whitespace; must fit in 64 bits |
/// | `Float` | `float`      | decimal and exponent forms, `_` between digits, surrounding whitespace; must be finite (JSON has no `inf`/`nan`) |
/// | `Bool`  | —            | `true` or `false` in any case, surrounding whitespace      |
/// | `Json`  | `json.loads` | any JSON text whose integers fit in 64 bits; `-0` is 0     |
///
/// `Bool` differs from Prefect on purpose: Python's `bool("false")` is `True`
/// (any non-empty string is), which is never what a flag in the environment
/// means; here anything but `true`/`false` is an error.
///
/// ```
/// use prefect_config::secrets::{Cast, EnvVarSecret, ExposeSecret};
///
/// let env = |_: &str| Some(" 1_000 ".to_owned());
/// let value = EnvVarSecret::new("PORT").cast(Cast::Int).get_with(env)?;
/// assert_eq!(value.as_ref().map(|v| v.expose_secret().clone()), Some(1000.into()));
/// # Ok::<(), prefect_config::secrets::SecretError>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Cast {
    /// Python's `int`: a JSON integer.
    Int,
    /// Python's `float`: a JSON number.
    Float,
    /// `true` / `false`, any case: a JSON boolean.
    Bool,
    /// Python's `json.loads`: any JSON value.
    Json,
}

/// A secret whose value is an environment variable, optionally cast; the
/// counterpart of Prefect's `EnvVarSecret(name, cast, raise_if_missing)`.
///
/// [`get`](Self::get) reads the process environment; [`get_with`](Self::get_with)
/// reads from any lookup function, so tests and callers with their own
/// snapshot of the environment never touch the process's. A missing variable
/// gives `Ok(None)`, or [`SecretError::EnvVarMissing`] when
/// [`raise_if_missing`](Self::raise_if_missing) is set. Errors name the
/// variable and never quote its value.
///
/// ```
/// use std::collections::HashMap;
/// use prefect_config::secrets::{Cast, EnvVarSecret, ExposeSecret, SecretError};
///
/// let env = HashMap::from([("DEBUG".to_owned(), "True".to_owned())]);
/// let lookup = |name: &str| env.get(name).cloned();
///
/// let debug = EnvVarSecret::new("DEBUG").cast(Cast::Bool).get_with(lookup)?;
/// assert_eq!(debug.map(|v| v.expose_secret().clone()), Some(true.into()));
///
/// assert!(EnvVarSecret::new("UNSET").get_with(lookup)?.is_none());
/// let err = EnvVarSecret::new("UNSET").raise_if_missing(true).get_with(lookup).unwrap_err();
/// assert_eq!(err.to_string(), "Environment variable not set: UNSET");
/// # Ok::<(), SecretError>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
#[must_use]
pub struct EnvVarSecret {
    var: String,
    cast: Option<Cast>,
    raise_if_missing: bool,
}

impl EnvVarSecret {
    /// A secret read from the variable `var`, as a string, `None` when unset.
    ///
    /// ```
    /// use prefect_config::secrets::{EnvVarSecret, ExposeSecret};
    ///
    /// let v = EnvVarSecret::new("TOKEN").get_with(|_| Some("t".into()))?;
    /// assert_eq!(v.map(|v| v.expose_secret().clone()), Some("t".into()));
    /// # Ok::<(), prefect_config::secrets::SecretError>(())
    /// ```
    pub fn new(var: impl Into<String>) -> Self {
        EnvVarSecret {
            var: var.into(),
            cast: None,
            raise_if_missing: false,
        }
    }

    /// Casts the variable's text (only when the variable is set).
    ///
    /// ```
    /// use prefect_config::secrets::{Cast, EnvVarSecret, SecretError};
    ///
    /// let err = EnvVarSecret::new("N").cast(Cast::Int).get_with(|_| Some("4.5".into())).unwrap_err();
    /// assert!(matches!(err, SecretError::EnvVarCast { .. }));
    /// assert_eq!(err.to_string(), "environment variable `N` is not an integer");
    /// ```
    pub fn cast(mut self, cast: Cast) -> Self {
        self.cast = Some(cast);
        self
    }

    /// Whether an unset variable is an error rather than `None`.
    ///
    /// ```
    /// use prefect_config::secrets::EnvVarSecret;
    ///
    /// assert!(EnvVarSecret::new("X").raise_if_missing(true).get_with(|_| None).is_err());
    /// ```
    pub fn raise_if_missing(mut self, raise: bool) -> Self {
        self.raise_if_missing = raise;
        self
    }

    /// The variable's name.
    ///
    /// ```
    /// assert_eq!(prefect_config::secrets::EnvVarSecret::new("X").var(), "X");
    /// ```
    pub fn var(&self) -> &str {
        &self.var
    }

    /// The value, read from the process environment.
    ///
    /// A value that is not valid Unicode is an [`SecretError::EnvVarCast`].
    ///
    /// ```
    /// use prefect_config::secrets::EnvVarSecret;
    ///
    /// let unset = EnvVarSecret::new("PREFECT_CONFIG_DOCTEST_SURELY_UNSET").get()?;
    /// assert!(unset.is_none());
    /// # Ok::<(), prefect_config::secrets::SecretError>(())
    /// ```
    pub fn get(&self) -> Result<Option<SecretValue>, SecretError> {
        match std::env::var_os(&self.var) {
            None => self.resolve(None),
            Some(os) => match OsString::into_string(os) {
                Ok(text) => self.resolve(Some(text)),
                Err(_) => Err(self.cast_error("is not valid Unicode")),
            },
        }
    }

    /// The value, read through `lookup` (which gets the variable's name).
    ///
    /// ```
    /// use prefect_config::secrets::{Cast, EnvVarSecret, ExposeSecret};
    ///
    /// let v = EnvVarSecret::new("CFG").cast(Cast::Json).get_with(|_| Some(r#"{"a": [1]}"#.into()))?;
    /// assert_eq!(v.unwrap().expose_secret()["a"][0], 1);
    /// # Ok::<(), prefect_config::secrets::SecretError>(())
    /// ```
    pub fn get_with<F>(&self, lookup: F) -> Result<Option<SecretValue>, SecretError>
    where
        F: FnOnce(&str) -> Option<String>,
    {
        self.resolve(lookup(&self.var))
    }

    fn resolve(&self, text: Option<String>) -> Result<Option<SecretValue>, SecretError> {
        let Some(text) = text else {
            return match self.raise_if_missing {
                true => Err(SecretError::EnvVarMissing {
                    var: self.var.clone(),
                }),
                false => Ok(None),
            };
        };
        // Wrapped first, so the raw text is wiped whichever way this ends.
        let text = SecretValue::new(Value::String(text));
        let raw = text.expose_secret().as_str().unwrap_or_default();
        let value = match self.cast {
            None => return Ok(Some(text)),
            Some(Cast::Int) => {
                parse_int(raw).ok_or_else(|| self.cast_error("is not an integer"))?
            }
            Some(Cast::Float) => {
                parse_float(raw).ok_or_else(|| self.cast_error("is not a finite number"))?
            }
            Some(Cast::Bool) => {
                parse_bool(raw).ok_or_else(|| self.cast_error("is not `true` or `false`"))?
            }
            Some(Cast::Json) => decode::loads(raw).map_err(|e| match e {
                NotDecoded::Syntax(e) => self.cast_error(&format!(
                    "is not valid JSON (error at line {}, column {})",
                    e.line(),
                    e.column()
                )),
                NotDecoded::BigInteger => {
                    self.cast_error("holds an integer beyond 64 bits, which would be rounded")
                }
                NotDecoded::TooDeep => self.cast_error(&format!(
                    "is JSON nested more than {} levels deep",
                    crate::config::MAX_DEPTH
                )),
            })?,
        };
        Ok(Some(SecretValue::new(value)))
    }

    fn cast_error(&self, reason: &str) -> SecretError {
        SecretError::EnvVarCast {
            var: self.var.clone(),
            reason: reason.to_owned(),
        }
    }
}

/// Python's `int(text)` for base 10, within 64 bits.
fn parse_int(text: &str) -> Option<Value> {
    let digits = python_digits(text.trim(), |c| c.is_ascii_digit())?;
    if let Ok(n) = digits.parse::<i64>() {
        return Some(Value::from(n));
    }
    digits.parse::<u64>().ok().map(Value::from)
}

/// Python's `float(text)`, finite values only.
fn parse_float(text: &str) -> Option<Value> {
    let text = python_digits(text.trim(), |c| c.is_ascii_digit())?;
    // Rust also accepts `inf`, `nan` and `infinity`; JSON cannot hold them.
    let n: f64 = text.parse().ok()?;
    Number::from_f64(n).map(Value::Number)
}

fn parse_bool(text: &str) -> Option<Value> {
    let text = text.trim();
    if text.eq_ignore_ascii_case("true") {
        Some(Value::Bool(true))
    } else if text.eq_ignore_ascii_case("false") {
        Some(Value::Bool(false))
    } else {
        None
    }
}

/// `text` without the `_` separators Python allows between two digits;
/// `None` when an underscore stands anywhere else.
fn python_digits(text: &str, is_digit: impl Fn(char) -> bool) -> Option<String> {
    let chars: Vec<char> = text.chars().collect();
    let mut out = String::with_capacity(text.len());
    for (i, &c) in chars.iter().enumerate() {
        if c == '_' {
            let before = i.checked_sub(1).and_then(|j| chars.get(j)).copied();
            let after = chars.get(i + 1).copied();
            if !(before.is_some_and(&is_digit) && after.is_some_and(&is_digit)) {
                return None;
            }
        } else {
            out.push(c);
        }
    }
    (!out.is_empty()).then_some(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn int_follows_python() {
        assert_eq!(parse_int("42"), Some(json!(42)));
        assert_eq!(parse_int(" -7\n"), Some(json!(-7)));
        assert_eq!(parse_int("+3"), Some(json!(3)));
        assert_eq!(parse_int("1_000_000"), Some(json!(1_000_000)));
        assert_eq!(parse_int("18446744073709551615"), Some(json!(u64::MAX)));
        for bad in [
            "",
            " ",
            "1.0",
            "1e3",
            "_1",
            "1_",
            "1__0",
            "0x10",
            "- 1",
            "18446744073709551616",
        ] {
            assert_eq!(parse_int(bad), None, "{bad:?}");
        }
    }

    #[test]
    fn float_follows_python_but_stays_finite() {
        assert_eq!(parse_float("1.5"), Some(json!(1.5)));
        assert_eq!(parse_float(" 2 "), Some(json!(2.0)));
        assert_eq!(parse_float("1e3"), Some(json!(1000.0)));
        assert_eq!(parse_float("1_0.2_5"), Some(json!(10.25)));
        assert_eq!(parse_float(".5"), Some(json!(0.5)));
        for bad in ["", "abc", "inf", "-inf", "nan", "1e999", "1._5", "_1.0"] {
            assert_eq!(parse_float(bad), None, "{bad:?}");
        }
    }

    #[test]
    fn bool_is_true_or_false() {
        assert_eq!(parse_bool("TRUE"), Some(json!(true)));
        assert_eq!(parse_bool(" false "), Some(json!(false)));
        assert_eq!(parse_bool("1"), None);
        assert_eq!(parse_bool("yes"), None);
    }
}
