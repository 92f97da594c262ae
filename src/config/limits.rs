//! Caps on sizes and counts; see [`Limits`]. The one byte budget of a
//! load, [`Budget`], lives here too: every pass that builds a node or a
//! copy charges it, so the tree cap is counted in one place.

use serde_json::Value;

use crate::config::ConfigError;
use crate::config::collect::Sink;
use crate::config::node::{Node, Table};

/// The caps a [`Loader`](crate::config::Loader) enforces: they keep a
/// hostile configuration file or environment from taking the process's
/// memory or time. Every cap that is reached is a
/// [`ConfigError`](crate::config::ConfigError) naming the key and the cap, or
/// (for secrets-directory files) a warning; never an abort.
///
/// | cap | default | what happens |
/// |-----|---------|--------------|
/// | [`max_value_bytes`](Limits::max_value_bytes): one value, as written or after `$VAR` expansion and `${...}` references | 1 MiB | [`ConfigError::TooLarge`](crate::config::ConfigError::TooLarge) |
/// | [`max_substitutions`](Limits::max_substitutions): `${...}` substitutions in one load | 100,000 | [`ConfigError::ReferenceDidNotSettle`](crate::config::ConfigError::ReferenceDidNotSettle) |
/// | [`max_total_bytes`](Limits::max_total_bytes): the whole tree one load builds (every layer's strings, arrays and tables, the values casting, `$VAR` expansion and `${...}` references make, the copies whole-value references take and the steps `explain` keeps) | 32 MiB | [`ConfigError::TreeTooLarge`](crate::config::ConfigError::TreeTooLarge) |
/// | [`max_file_bytes`](Limits::max_file_bytes): one configuration file (defaults, user, backend) | 16 MiB | [`ConfigError::FileTooLarge`](crate::config::ConfigError::FileTooLarge), read no further than the cap |
/// | [`max_secret_file_bytes`](Limits::max_secret_file_bytes): one secrets-directory file | 64 KiB | the file is skipped with a warning |
/// | [`max_secret_files`](Limits::max_secret_files): entries read from the secrets directory | 10,000 | the rest are skipped with a warning |
///
/// Every file is read through [`read_file`](crate::config::read_file)'s
/// rule: opened without blocking, refused unless the opened descriptor is a
/// regular file (not on `/proc` or `/sys`), and read no further than its cap.
///
/// ```
/// use prefect_config::config::{ConfigError, Limits, Loader};
///
/// let err = Loader::new()
///     .defaults_toml("a = 'xxxxxxxx'\nb = '${a}${a}'")
///     .limits(Limits::default().max_value_bytes(10))
///     .load()
///     .unwrap_err();
/// assert!(matches!(err, ConfigError::TooLarge { limit: 10, .. }));
/// assert_eq!(err.key(), Some("b"));
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct Limits {
    /// The largest value, in bytes, that expansion or references may build.
    pub max_value_bytes: usize,
    /// How many `${...}` substitutions one load may make.
    pub max_substitutions: usize,
    /// How many bytes the whole tree of one load may hold: every node of
    /// every layer (strings, arrays, tables, keys, each counted with the
    /// size of its slot), what casting, `$VAR` expansion and `${...}`
    /// references build (a whole-value reference to an array copies it), and
    /// the copies of values that
    /// [`Config::explain`](crate::config::Config::explain) keeps. What a
    /// load holds is then a bounded multiple of this, whatever the input.
    pub max_total_bytes: usize,
    /// The largest configuration file read (defaults, user, backend), in
    /// bytes. A TOML file near the cap already holds more than any
    /// configuration needs; the cap keeps a path such as `/dev/zero` or a
    /// runaway file from being read into memory.
    pub max_file_bytes: u64,
    /// The largest secrets-directory file read, in bytes.
    pub max_secret_file_bytes: u64,
    /// How many secrets-directory entries are read.
    pub max_secret_files: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_value_bytes: 1 << 20,
            max_substitutions: 100_000,
            max_total_bytes: 32 << 20,
            max_file_bytes: 16 << 20,
            max_secret_file_bytes: 64 * 1024,
            max_secret_files: 10_000,
        }
    }
}

impl Limits {
    /// Sets [`Limits::max_value_bytes`].
    ///
    /// ```
    /// assert_eq!(prefect_config::config::Limits::default().max_value_bytes(5).max_value_bytes, 5);
    /// ```
    #[must_use]
    pub fn max_value_bytes(mut self, bytes: usize) -> Self {
        self.max_value_bytes = bytes;
        self
    }

    /// Sets [`Limits::max_substitutions`].
    ///
    /// ```
    /// assert_eq!(prefect_config::config::Limits::default().max_substitutions(5).max_substitutions, 5);
    /// ```
    #[must_use]
    pub fn max_substitutions(mut self, count: usize) -> Self {
        self.max_substitutions = count;
        self
    }

    /// Sets [`Limits::max_total_bytes`].
    ///
    /// ```
    /// assert_eq!(prefect_config::config::Limits::default().max_total_bytes(5).max_total_bytes, 5);
    /// ```
    #[must_use]
    pub fn max_total_bytes(mut self, bytes: usize) -> Self {
        self.max_total_bytes = bytes;
        self
    }

    /// Sets [`Limits::max_file_bytes`].
    ///
    /// ```
    /// assert_eq!(prefect_config::config::Limits::default().max_file_bytes(5).max_file_bytes, 5);
    /// ```
    #[must_use]
    pub fn max_file_bytes(mut self, bytes: u64) -> Self {
        self.max_file_bytes = bytes;
        self
    }

    /// Sets [`Limits::max_secret_file_bytes`].
    ///
    /// ```
    /// assert_eq!(prefect_config::config::Limits::default().max_secret_file_bytes(5).max_secret_file_bytes, 5);
    /// ```
    #[must_use]
    pub fn max_secret_file_bytes(mut self, bytes: u64) -> Self {
        self.max_secret_file_bytes = bytes;
        self
    }

    /// Sets [`Limits::max_secret_files`].
    ///
    /// ```
    /// assert_eq!(prefect_config::config::Limits::default().max_secret_files(5).max_secret_files, 5);
    /// ```
    #[must_use]
    pub fn max_secret_files(mut self, count: usize) -> Self {
        self.max_secret_files = count;
        self
    }
}

/// The byte budget of one load ([`Limits::max_total_bytes`]): charged by
/// the loader for each layer's tree, by the values pass for what expansion
/// and casting build, and by the references pass for each substitution and
/// copy. Once spent, every further charge fails.
pub(crate) struct Budget {
    limit: usize,
    used: usize,
    /// The error was given to the sink: a check that goes on past it names
    /// it once, not once for each later node.
    reported: bool,
}

/// What one value slot costs beside the bytes it points to: a string, array
/// or table is counted as its slot and its contents, so that an array of
/// small numbers is not free.
const SLOT: usize = std::mem::size_of::<Value>();

/// What one node of the tree costs beside its value (the leaf's source,
/// flags and trail pointer, its table entry and hash slot).
const NODE: usize = std::mem::size_of::<Node>() + 2 * std::mem::size_of::<usize>();

impl Budget {
    pub(crate) fn new(limits: &Limits) -> Budget {
        Budget {
            limit: limits.max_total_bytes,
            used: 0,
            reported: false,
        }
    }

    /// Bytes still to be spent.
    pub(crate) fn remaining(&self) -> usize {
        self.limit.saturating_sub(self.used)
    }

    /// Spends `bytes` on the value at `key` (a dotted path, built only for
    /// the error); past the limit, [`ConfigError::TreeTooLarge`] naming it.
    pub(crate) fn charge(
        &mut self,
        bytes: usize,
        key: impl FnOnce() -> String,
    ) -> Result<(), ConfigError> {
        self.used = self.used.saturating_add(bytes);
        if self.used > self.limit {
            return Err(ConfigError::TreeTooLarge {
                key: key(),
                limit: self.limit,
            });
        }
        Ok(())
    }

    /// [`charge`](Budget::charge), with the error given to `sink` (the
    /// first time only): `Ok(false)` when the budget is spent and the load
    /// goes on (a check), the error when it stops.
    pub(crate) fn spend(
        &mut self,
        bytes: usize,
        key: impl FnOnce() -> String,
        sink: &mut Sink,
    ) -> Result<bool, ConfigError> {
        let charged = self.charge(bytes, key);
        self.settle(charged, sink)
    }

    /// [`spend`](Budget::spend) for what `table` holds.
    pub(crate) fn spend_table(
        &mut self,
        table: &Table,
        sink: &mut Sink,
    ) -> Result<bool, ConfigError> {
        let charged = self.charge_table(table);
        self.settle(charged, sink)
    }

    fn settle(
        &mut self,
        charged: Result<(), ConfigError>,
        sink: &mut Sink,
    ) -> Result<bool, ConfigError> {
        match charged {
            Ok(()) => Ok(true),
            Err(err) => {
                if !std::mem::replace(&mut self.reported, true) {
                    sink.report(err)?;
                }
                Ok(false)
            }
        }
    }

    /// Spends what `table` holds, leaf by leaf, so that the error names the
    /// first leaf past the limit (the key is built only then).
    fn charge_table(&mut self, table: &Table) -> Result<(), ConfigError> {
        // Depth first with an explicit stack: a layer's depth is capped, but
        // a provider's tree need not be.
        let mut open = vec![table.entries.iter()];
        let mut path: Vec<&str> = Vec::new();
        while let Some(entries) = open.last_mut() {
            let Some((key, node)) = entries.next() else {
                open.pop();
                path.pop();
                continue;
            };
            let bytes = NODE + key.len();
            match node {
                Node::Table(child) => {
                    self.charge(bytes, || dotted(&path, key))?;
                    path.push(key);
                    open.push(child.entries.iter());
                }
                Node::Leaf(leaf) => {
                    self.charge(bytes + value_bytes(&leaf.value), || dotted(&path, key))?;
                }
            }
        }
        Ok(())
    }
}

/// What the TOML parser holds, at most, for each value of a text while it
/// reads it (its tokens and its own tree, before the layer's is built),
/// measured on arrays of small numbers, the densest values TOML has.
const PARSE_COST: usize = 256;

/// Texts up to this size are parsed unchecked: whatever they hold, the
/// parse of one costs a few megabytes at most.
const SMALL_TOML: usize = 64 * 1024;

impl Budget {
    /// Whether the budget left can hold what parsing `text` (a TOML
    /// document) takes, checked before parsing: a text of a few megabytes
    /// holding millions of array elements would make the parser alone hold
    /// a hundred times its size. Charges nothing (the layer's tree is charged
    /// once built); `Ok(false)` or the error as [`spend`](Budget::spend).
    pub(crate) fn admits_toml(&mut self, text: &str, sink: &mut Sink) -> Result<bool, ConfigError> {
        if text.len() <= SMALL_TOML {
            return Ok(true);
        }
        let most = self.remaining() / PARSE_COST;
        match toml_values_past(text, most) {
            None => Ok(true),
            Some(key) => {
                let err = Err(ConfigError::TreeTooLarge {
                    key,
                    limit: self.limit,
                });
                self.settle(err, sink)
            }
        }
    }
}

/// The key whose value holds the value past the `most`th of `text`, when it
/// holds more than `most` (counting each `=` and `,` outside strings and
/// comments: every value but an array's first comes after one, and an
/// inline table's comma is counted with its `=`, so this counts at most
/// twice the values and at least their number less the arrays').
///
/// A scan by hand: no TOML crate counts values without building them, which
/// is the cost this check keeps off.
fn toml_values_past(text: &str, most: usize) -> Option<String> {
    let bytes = text.as_bytes();
    // Every counted byte is an `=` or a `,`: when the text holds no more of
    // them than `most`, one vectorised count answers (nearly every text).
    if memchr::memchr2_iter(b'=', b',', bytes).count() <= most {
        return None;
    }
    let mut count = 0usize;
    let mut key_start = 0usize;
    let mut key = (0, 0);
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'#' => {
                i = memchr::memchr(b'\n', &bytes[i..]).map_or(bytes.len(), |n| i + n);
                continue;
            }
            quote @ (b'"' | b'\'') => {
                i = string_end(bytes, i, quote);
                continue;
            }
            b'\n' | b'{' | b'[' => key_start = i + 1,
            b'=' => {
                key = (key_start, i);
                count += 1;
            }
            b',' => {
                key_start = i + 1;
                count += 1;
            }
            _ => {}
        }
        if count > most {
            let name = text.get(key.0..key.1).unwrap_or_default();
            return Some(name.trim().trim_matches(['"', '\'']).to_owned());
        }
        i += 1;
    }
    None
}

/// Where the string opened by `quote` at `start` ends (just past it): a
/// basic string (`"`) reads `\` escapes, a literal one (`'`) does not, and a
/// tripled quote opens a multi-line string. An unclosed string runs to the
/// end of the line (or text): the parser rejects it anyway.
fn string_end(bytes: &[u8], start: usize, quote: u8) -> usize {
    let triple = bytes.get(start..start + 3) == Some(&[quote; 3][..]);
    let mut i = start + if triple { 3 } else { 1 };
    while i < bytes.len() {
        let b = bytes[i];
        if b == b'\\' && quote == b'"' {
            i += 2;
            continue;
        }
        if b == b'\n' && !triple {
            return i;
        }
        if b == quote {
            if !triple {
                return i + 1;
            }
            if bytes.get(i..i + 3) == Some(&[quote; 3][..]) {
                return i + 3;
            }
        }
        i += 1;
    }
    bytes.len()
}

fn dotted(parents: &[&str], key: &str) -> String {
    let mut parts = parents.to_vec();
    parts.push(key);
    parts.join(".")
}

/// What `value` holds in memory: its slot, its strings' bytes, and each
/// element and entry (a table entry with its key and hash slot). Walked with
/// an explicit stack: a value may nest deeper than the call stack allows.
pub(crate) fn value_bytes(value: &Value) -> usize {
    // Most values are scalars or strings: no stack for them (this runs for
    // every leaf of every load).
    match value {
        Value::String(text) => return SLOT + text.len(),
        Value::Null | Value::Bool(_) | Value::Number(_) => return SLOT,
        Value::Array(_) | Value::Object(_) => {}
    }
    let mut total = 0usize;
    let mut stack = vec![value];
    while let Some(value) = stack.pop() {
        total = total.saturating_add(SLOT);
        match value {
            Value::String(text) => total = total.saturating_add(text.len()),
            Value::Array(items) => stack.extend(items),
            Value::Object(map) => {
                for (key, child) in map {
                    total = total.saturating_add(key.len() + NODE);
                    stack.push(child);
                }
            }
            Value::Null | Value::Bool(_) | Value::Number(_) => {}
        }
    }
    total
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn arrays_count_each_element_and_tables_each_key() {
        let small = value_bytes(&json!(1));
        assert_eq!(small, SLOT);
        assert_eq!(value_bytes(&json!([1, 2, 3])), 4 * SLOT);
        assert_eq!(value_bytes(&json!("abcd")), SLOT + 4);
        assert_eq!(value_bytes(&json!({"ab": 1})), 2 * SLOT + 2 + NODE);
    }

    #[test]
    fn a_spent_budget_fails_every_later_charge_naming_the_key() {
        let mut budget = Budget::new(&Limits::default().max_total_bytes(10));
        assert!(budget.charge(10, || unreachable!()).is_ok());
        assert_eq!(budget.remaining(), 0);
        let err = budget.charge(1, || "a.b".into()).unwrap_err();
        assert!(matches!(err, ConfigError::TreeTooLarge { limit: 10, .. }));
        assert_eq!(err.key(), Some("a.b"));
        assert!(budget.charge(0, || "c".into()).is_err());
    }

    #[test]
    fn values_are_counted_outside_strings_and_comments() {
        let text =
            "a = 1 # x = 2, 3\nb = 'c = ,,,'\nc = \"\\\" = ,\"\nd = '''\n= ,\n'''\ne = [1, 2, 3]\n";
        assert_eq!(toml_values_past(text, 7), None);
        assert_eq!(toml_values_past(text, 6).as_deref(), Some("e"));
        assert_eq!(toml_values_past(text, 0).as_deref(), Some("a"));
        let mut budget = Budget::new(&Limits::default().max_total_bytes(PARSE_COST * 1000));
        let dense = format!("v = [{}]", "1,".repeat(SMALL_TOML));
        let err = budget.admits_toml(&dense, &mut Sink::stop()).unwrap_err();
        assert_eq!(err.key(), Some("v"));
        let sparse = format!("v = '{}'", ",".repeat(SMALL_TOML));
        assert!(budget.admits_toml(&sparse, &mut Sink::stop()).unwrap());
    }

    #[test]
    fn a_table_is_charged_leaf_by_leaf() {
        let mut table = Table::new(crate::config::Source::Runtime);
        let mut inner = Table::new(crate::config::Source::Runtime);
        for key in ["x", "y"] {
            inner.entries.insert(
                key.into(),
                Node::Leaf(crate::config::node::Leaf::new(
                    json!("v".repeat(100)),
                    crate::config::Source::Runtime,
                )),
            );
        }
        table.entries.insert("t".into(), Node::Table(inner));
        let mut budget = Budget::new(&Limits::default());
        budget.charge_table(&table).unwrap();
        let whole = Limits::default().max_total_bytes - budget.remaining();
        assert_eq!(whole, 3 * NODE + 3 + 2 * (SLOT + 100));
        let mut tight = Budget::new(&Limits::default().max_total_bytes(whole - 1));
        assert_eq!(tight.charge_table(&table).unwrap_err().key(), Some("t.y"));
    }
}
