//! The values a Python literal holds, as the `literal` parser builds them,
//! and what becomes of them: JSON for casting, or Python's `str()` for a
//! value printed inside a longer string.
//!
//! JSON has no tuples, sets, non-string keys, infinities, big integers,
//! bytes, complex numbers or `Ellipsis`; casting maps the first three and
//! leaves a literal holding any of the others as text. Printing keeps them
//! all, so `(1,)`, `set()`, `{1: (2, 3)}`, `-inf`, `b'x'` and `(1+2j)` print
//! as Python prints them.
//!
//! ```
//! use prefect_config::config::Loader;
//! use serde_json::json;
//!
//! let cfg = Loader::new()
//!     .defaults_toml("t = '(1,)'\nx = '-1e400'\ny = 'v=${t} ${x}'")
//!     .load()?;
//! assert_eq!(cfg.get("t"), Some(&json!([1])));
//! assert_eq!(cfg.get("x"), Some(&json!("-1e400")));
//! assert_eq!(cfg.get("y"), Some(&json!("v=(1,) -inf")));
//! # Ok::<(), prefect_config::config::ConfigError>(())
//! ```

use std::collections::HashMap;
use std::fmt::Write as _;

use serde_json::{Map, Value};

use crate::config::python;

/// A parsed Python value.
pub(crate) enum PyValue {
    /// A value JSON holds as it is. While casting, lists, dicts and sets are
    /// built as JSON straight away; while printing, only scalars are.
    Json(Value),
    /// An integer beyond 64 bits: its decimal digits, `-` first when
    /// negative; `None` when it was written in another radix and is too
    /// large to convert here.
    BigInt(Option<String>),
    /// A float that overflowed: `inf` or `-inf`.
    Float(f64),
    Complex(f64, f64),
    Bytes(Vec<u8>),
    Ellipsis,
    Tuple(Vec<PyValue>),
    List(Vec<PyValue>),
    /// Members in the order written, without duplicates; they cast and
    /// print in [`set_order`].
    Set(Vec<PyValue>),
    /// Pairs in the order of their keys' first appearance, without
    /// duplicate keys (the last value wins), as Python's dict keeps them.
    Dict(Vec<(PyValue, PyValue)>),
}

/// Sets up to this size cast and print in CPython's order; larger ones
/// (never seen in configuration) in the order written, which keeps it linear.
const MAX_ORDERED_SET: usize = 1_000;

impl PyValue {
    /// The JSON of the value by the casting rule (tuples and sets are
    /// arrays, keys their `str()`), or `None` when JSON cannot hold it.
    pub(crate) fn into_json(self) -> Option<Value> {
        match self {
            PyValue::Json(value) => Some(value),
            PyValue::Tuple(items) | PyValue::List(items) => items
                .into_iter()
                .map(PyValue::into_json)
                .collect::<Option<Vec<_>>>()
                .map(Value::Array),
            PyValue::Set(items) => {
                let order = set_order(&items);
                let mut slots: Vec<Option<PyValue>> = items.into_iter().map(Some).collect();
                order
                    .into_iter()
                    .map(|i| {
                        slots
                            .get_mut(i)
                            .and_then(Option::take)
                            .and_then(PyValue::into_json)
                    })
                    .collect::<Option<Vec<_>>>()
                    .map(Value::Array)
            }
            PyValue::Dict(pairs) => {
                let mut map = Map::new();
                for (key, value) in pairs {
                    map.insert(key.into_key_text()?, value.into_json()?);
                }
                Some(Value::Object(map))
            }
            PyValue::BigInt(_)
            | PyValue::Float(_)
            | PyValue::Complex(..)
            | PyValue::Bytes(_)
            | PyValue::Ellipsis => None,
        }
    }

    /// Python's `hash()` refuses lists, dicts and sets, and tuples holding one.
    pub(crate) fn is_hashable(&self) -> bool {
        match self {
            PyValue::Json(Value::Array(_) | Value::Object(_))
            | PyValue::List(_)
            | PyValue::Set(_)
            | PyValue::Dict(_) => false,
            PyValue::Tuple(items) => items.iter().all(PyValue::is_hashable),
            _ => true,
        }
    }

    /// A dict key as a JSON key: a string as it is, anything else hashable
    /// as Python's `str()` prints it (`1` → `"1"`, `(2, 3)` → `"(2, 3)"`).
    pub(crate) fn into_key_text(self) -> Option<String> {
        if !self.is_hashable() {
            return None;
        }
        self.into_str()
    }

    /// Python's `str()`: a string as it is, anything else as `repr()`.
    /// `None` for a big integer this module cannot print.
    pub(crate) fn into_str(self) -> Option<String> {
        match self {
            PyValue::Json(Value::String(s)) => Some(s),
            other => {
                let mut out = String::new();
                other.write_repr(&mut out)?;
                Some(out)
            }
        }
    }

    /// The value with a unary minus applied, for a number.
    pub(crate) fn negate(self) -> Option<PyValue> {
        Some(match self {
            PyValue::Json(Value::Number(n)) => {
                if let Some(u) = n.as_u64() {
                    match i64::try_from(u) {
                        Ok(i) => PyValue::Json(Value::from(-i)),
                        Err(_) if u == i64::MIN.unsigned_abs() => {
                            PyValue::Json(Value::from(i64::MIN))
                        }
                        Err(_) => PyValue::BigInt(Some(format!("-{u}"))),
                    }
                } else {
                    float(-n.as_f64()?)
                }
            }
            PyValue::BigInt(digits) => PyValue::BigInt(digits.map(|d| match d.strip_prefix('-') {
                Some(rest) => rest.to_owned(),
                None => format!("-{d}"),
            })),
            PyValue::Float(f) => PyValue::Float(-f),
            PyValue::Complex(re, im) => PyValue::Complex(-re, -im),
            _ => return None,
        })
    }

    /// The real number, for `real ± imag j`.
    pub(crate) fn as_real(&self) -> Option<f64> {
        match self {
            PyValue::Json(Value::Number(n)) => n.as_f64(),
            PyValue::Float(f) => Some(*f),
            // Python converts exactly; more digits than a float keeps round.
            PyValue::BigInt(Some(digits)) => digits.parse().ok(),
            _ => None,
        }
    }

    fn write_repr(&self, out: &mut String) -> Option<()> {
        match self {
            PyValue::Json(value) => python::write_repr(out, value),
            PyValue::BigInt(digits) => out.push_str(digits.as_deref()?),
            PyValue::Float(f) => out.push_str(&python::float_repr(*f)),
            PyValue::Complex(re, im) => write_complex(out, *re, *im),
            PyValue::Bytes(bytes) => write_bytes(out, bytes),
            PyValue::Ellipsis => out.push_str("Ellipsis"),
            PyValue::Tuple(items) => {
                out.push('(');
                write_items(out, items.iter())?;
                if items.len() == 1 {
                    out.push(',');
                }
                out.push(')');
            }
            PyValue::List(items) => {
                out.push('[');
                write_items(out, items.iter())?;
                out.push(']');
            }
            PyValue::Set(items) if items.is_empty() => out.push_str("set()"),
            PyValue::Set(items) => {
                out.push('{');
                write_items(
                    out,
                    set_order(items).into_iter().filter_map(|i| items.get(i)),
                )?;
                out.push('}');
            }
            PyValue::Dict(pairs) => {
                out.push('{');
                for (i, (key, value)) in pairs.iter().enumerate() {
                    if i > 0 {
                        out.push_str(", ");
                    }
                    key.write_repr(out)?;
                    out.push_str(": ");
                    value.write_repr(out)?;
                }
                out.push('}');
            }
        }
        Some(())
    }

    /// Text that two values share exactly when Python calls them equal
    /// (`1`, `1.0` and `True` are one key), for hashable values.
    fn identity(&self) -> Option<String> {
        let number = |f: f64| {
            if f.is_finite() && f.fract() == 0.0 {
                // Integral floats equal the integer: `1.0 == 1`, `-0.0 == 0`.
                let digits = format!("{f:.0}");
                if digits == "-0" {
                    "0".to_owned()
                } else {
                    digits
                }
            } else {
                python::float_repr(f)
            }
        };
        Some(match self {
            PyValue::Json(Value::Bool(b)) => u8::from(*b).to_string(),
            PyValue::Json(Value::Number(n)) if n.is_f64() => number(n.as_f64()?),
            PyValue::Complex(re, im) if *im == 0.0 => number(*re),
            PyValue::Tuple(items) => {
                let mut out = String::from("(");
                for item in items {
                    out.push_str(&item.identity()?);
                    out.push(',');
                }
                out.push(')');
                out
            }
            other => {
                let mut out = String::new();
                other.write_repr(&mut out)?;
                out
            }
        })
    }

    /// CPython's `hash()` of an integer (or bool), `None` for other values.
    fn int_hash(&self) -> Option<i64> {
        const MODULUS: u128 = (1 << 61) - 1;
        let (negative, magnitude) = match self {
            PyValue::Json(Value::Bool(b)) => (false, u128::from(*b)),
            PyValue::Json(Value::Number(n)) if !n.is_f64() => match n.as_i64() {
                Some(i) => (i < 0, u128::from(i.unsigned_abs())),
                None => (false, u128::from(n.as_u64()?)),
            },
            PyValue::BigInt(Some(digits)) => {
                let (negative, digits) = match digits.strip_prefix('-') {
                    Some(rest) => (true, rest),
                    None => (false, digits.as_str()),
                };
                let mut m = 0u128;
                for d in digits.bytes() {
                    m = (m * 10 + u128::from(d - b'0')) % MODULUS;
                }
                (negative, m)
            }
            _ => return None,
        };
        // The remainder is below 2^61, so it fits.
        let h = (magnitude % MODULUS) as i64;
        let h = if negative { -h } else { h };
        Some(if h == -1 { -2 } else { h })
    }
}

/// A float value: JSON when finite, else kept as `inf`.
pub(crate) fn float(f: f64) -> PyValue {
    match serde_json::Number::from_f64(f) {
        Some(n) => PyValue::Json(Value::Number(n)),
        None => PyValue::Float(f),
    }
}

/// Builds a set or a dict as Python does: an equal key or member seen
/// again keeps its first place (and, in a dict, takes the new value).
#[derive(Default)]
pub(crate) struct Dedup {
    seen: HashMap<String, usize>,
}

impl Dedup {
    pub(crate) fn add_member(&mut self, items: &mut Vec<PyValue>, item: PyValue) -> Option<()> {
        let identity = item.identity()?;
        if let std::collections::hash_map::Entry::Vacant(slot) = self.seen.entry(identity) {
            slot.insert(items.len());
            items.push(item);
        }
        Some(())
    }

    pub(crate) fn add_pair(
        &mut self,
        pairs: &mut Vec<(PyValue, PyValue)>,
        key: PyValue,
        value: PyValue,
    ) -> Option<()> {
        let identity = key.identity()?;
        match self.seen.get(&identity) {
            Some(&i) => pairs[i].1 = value,
            None => {
                self.seen.insert(identity, pairs.len());
                pairs.push((key, value));
            }
        }
        Some(())
    }
}

fn write_items<'a>(out: &mut String, items: impl Iterator<Item = &'a PyValue>) -> Option<()> {
    for (i, item) in items.enumerate() {
        if i > 0 {
            out.push_str(", ");
        }
        item.write_repr(out)?;
    }
    Some(())
}

/// Python's `repr(complex)`: `2j`, `(1+2j)`, `(-0-2j)`; the parts as
/// `repr(float)` without a trailing `.0`.
fn write_complex(out: &mut String, re: f64, im: f64) {
    let part = |f: f64| {
        let text = python::float_repr(f);
        match text.strip_suffix(".0") {
            Some(short) => short.to_owned(),
            None => text,
        }
    };
    if re == 0.0 && re.is_sign_positive() {
        let _ = write!(out, "{}j", part(im));
    } else {
        // `float_repr` writes the minus sign itself.
        let sign = if im.is_sign_negative() { "" } else { "+" };
        let _ = write!(out, "({}{sign}{}j)", part(re), part(im));
    }
}

/// Python's `repr(bytes)`: `b'x'`, quoted as strings are, with `\xNN` for
/// bytes outside printable ASCII.
fn write_bytes(out: &mut String, bytes: &[u8]) {
    let quote = if bytes.contains(&b'\'') && !bytes.contains(&b'"') {
        '"'
    } else {
        '\''
    };
    out.push('b');
    out.push(quote);
    for &b in bytes {
        match b {
            b'\\' => out.push_str("\\\\"),
            b'\t' => out.push_str("\\t"),
            b'\n' => out.push_str("\\n"),
            b'\r' => out.push_str("\\r"),
            _ if char::from(b) == quote => {
                out.push('\\');
                out.push(quote);
            }
            0x20..=0x7e => out.push(char::from(b)),
            _ => {
                let _ = write!(out, "\\x{b:02x}");
            }
        }
    }
    out.push(quote);
}

/// The order a set's members cast and print in, as indexes into `items`:
/// CPython's for integers, else (strings, whose order changes with every
/// process, and hashes not reproduced here) the order written.
fn set_order(items: &[PyValue]) -> Vec<usize> {
    cpython_set_order(items).unwrap_or_else(|| (0..items.len()).collect())
}

/// The order CPython iterates a set of integers built member by member
/// (as `ast.literal_eval` builds one), as indexes into `items`; `None` for
/// other members, whose order depends on the process (strings) or on hashes
/// not reproduced here, or for a large set.
///
/// This replays CPython's open-addressing table (`Objects/setobject.c`):
/// eight slots at first, nine linear probes then perturbed jumps, and a
/// resize to four times the members once the table is three-fifths full.
fn cpython_set_order(items: &[PyValue]) -> Option<Vec<usize>> {
    const LINEAR_PROBES: usize = 9;
    const PERTURB_SHIFT: u32 = 5;
    if items.len() > MAX_ORDERED_SET {
        return None;
    }
    let hashes = items
        .iter()
        .map(PyValue::int_hash)
        .collect::<Option<Vec<i64>>>()?;
    fn insert(table: &mut [Option<(usize, i64)>], index: usize, hash: i64) {
        let mask = table.len() - 1;
        // CPython works on the hash as an unsigned machine word.
        let mut perturb = hash as u64;
        let mut i = (hash as u64 as usize) & mask;
        loop {
            let probes = if i + LINEAR_PROBES <= mask {
                LINEAR_PROBES
            } else {
                0
            };
            if let Some(slot) = table[i..=i + probes].iter_mut().find(|slot| slot.is_none()) {
                *slot = Some((index, hash));
                return;
            }
            perturb >>= PERTURB_SHIFT;
            i = ((i as u64)
                .wrapping_mul(5)
                .wrapping_add(1)
                .wrapping_add(perturb) as usize)
                & mask;
        }
    }
    let mut table: Vec<Option<(usize, i64)>> = vec![None; 8];
    for (index, &hash) in hashes.iter().enumerate() {
        insert(&mut table, index, hash);
        let used = index + 1;
        if used * 5 >= (table.len() - 1) * 3 {
            let wanted = if used > 50_000 { used * 2 } else { used * 4 };
            let mut size = 8;
            while size <= wanted {
                size <<= 1;
            }
            let old = std::mem::replace(&mut table, vec![None; size]);
            for (index, hash) in old.into_iter().flatten() {
                insert(&mut table, index, hash);
            }
        }
    }
    Some(
        table
            .into_iter()
            .flatten()
            .map(|(index, _)| index)
            .collect(),
    )
}
