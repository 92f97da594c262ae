//! The references pass: `${a.b}` in a string is replaced by the value at
//! key `a.b`, after all layers are merged, expanded and cast.
//!
//! References resolve innermost first, leftmost first, as Prefect's pattern
//! finds them, so `${${backend}.endpoint}` first becomes `${cloud.endpoint}`.
//! A value that is one whole reference takes the referenced value with its
//! type; a reference inside text is replaced by the value as Python's `str()`
//! prints it, with the types Python gave it: a value cast from `(1, 2)` is
//! an array but prints `(1, 2)`, and `-1e400`, kept as text, prints `-inf`.
//! A reference to a missing key or to a table becomes `""` with a
//! warning. Unlike Prefect, which gives up after ten passes, chains of any
//! length resolve, and a cycle is an error naming its keys. References nest
//! at most [`MAX_NESTING`] deep: in a longer run of `${${${...`, the
//! outermost `${` stay text, so that a hostile value of many `${` costs one
//! pass over it, not one per level.
//!
//! Each substitution is recorded on the leaf as a step naming the key and
//! where its value came from, and a value built from a sensitive one becomes
//! sensitive.
//!
//! ```
//! use prefect_config::config::Loader;
//! use serde_json::json;
//!
//! let cfg = Loader::new()
//!     .defaults_toml(r#"
//!         backend = "cloud"
//!         [cloud]
//!         endpoint = "https://api"
//!         api = "${${backend}.endpoint}"
//!         graphql = "${cloud.api}/graphql"
//!     "#)
//!     .load()?;
//! assert_eq!(cfg.get("cloud.graphql"), Some(&json!("https://api/graphql")));
//! # Ok::<(), prefect_config::config::ConfigError>(())
//! ```

use serde_json::Value;

use crate::config::collect::Sink;
use crate::config::limits::{Budget, Limits, value_bytes};
use crate::config::node::{FastMap, Leaf, Node, Raw, Table};
use crate::config::sensitive;
use crate::config::step::{Step, StepKind};
use crate::config::{ConfigError, ConfigWarning, Source, literal, python};
use crate::render::MASK;

/// A reference found in a text: the byte range of the whole `${...}` and of
/// the key inside, and the chain of `${` before it whose keys ran into it.
struct Found {
    whole: std::ops::Range<usize>,
    key: std::ops::Range<usize>,
    /// Unfinished `${` (start, where its key stopped), innermost last: each
    /// one's key ran without a `$`, `{` or `}` into the next one (the last
    /// into `whole`, or into a `$` just before it). Once `whole` is replaced,
    /// the last may become a reference (`${${backend}.api}`); every other
    /// `${` before `whole` stays none.
    open: Vec<(usize, usize)>,
}

/// How many unfinished `${` a reference may sit in and still have them
/// become references once it is replaced (as deep as a value may nest).
pub(crate) const MAX_NESTING: usize = 64;

/// Keeps the innermost [`MAX_NESTING`] of a chain of unfinished `${`.
fn innermost(mut chain: Vec<(usize, usize)>) -> Vec<(usize, usize)> {
    if chain.len() > MAX_NESTING {
        chain.drain(..chain.len() - MAX_NESTING);
    }
    chain
}

fn is_special(b: u8) -> bool {
    matches!(b, b'$' | b'{' | b'}')
}

/// The first (leftmost) innermost reference in `text` at or after byte
/// `from`, as Prefect's pattern `\$\{(.[^${}]*)\}` finds it, where `from` is
/// where the last replacement was made (0 at first). `open` are the
/// unfinished `${` it left (see [`Found`]); their keys go on at `from`, and
/// a `$` just before `from` may start a new `${`.
///
/// Each byte is scanned a bounded number of times however often it is
/// called after replacements, so resolving a value is linear in its size.
/// Scanned by hand rather than with the `regex` crate: capturing searches
/// took a quarter of the standard load time, and the pattern is fixed and tiny.
fn find_reference(text: &str, from: usize, mut open: Vec<(usize, usize)>) -> Option<Found> {
    let bytes = text.as_bytes();
    let mut from = from;
    // Failed candidates in a row: each one's start and where its key stopped.
    let mut chain: Vec<(usize, usize)> = Vec::new();
    if let Some((q, stopped)) = open.pop() {
        // Its key goes on where it stopped, or where the text changed.
        let resume = stopped.min(from);
        let mut end = resume;
        // A key's first character may be anything but a newline.
        let first_ok = if q + 2 == resume {
            match text.get(resume..).and_then(|rest| rest.chars().next()) {
                Some('\n') | None => false,
                Some(c) => {
                    end += c.len_utf8();
                    true
                }
            }
        } else {
            true
        };
        if first_ok {
            while end < bytes.len() && !is_special(bytes[end]) {
                end += 1;
            }
            if bytes.get(end) == Some(&b'}') {
                return Some(Found {
                    whole: q..end + 1,
                    key: q + 2..end,
                    open,
                });
            }
            // Still unfinished: the rest of `open` ran into `q` and wait on
            // it with it.
            chain = open;
            chain.push((q, end));
            chain = innermost(chain);
        }
    }
    // A `$` just before the replaced text may start a new `${` with it.
    if from > 0 && bytes.get(from - 1) == Some(&b'$') {
        from -= 1;
    }
    while let Some(offset) = text.get(from..)?.find("${") {
        let start = from + offset;
        let key_start = start + 2;
        // The first character may be anything but a newline, even `$`, `{`, `}`.
        if let Some(first) = text.get(key_start..).and_then(|rest| rest.chars().next()) {
            if first != '\n' {
                let mut end = key_start + first.len_utf8();
                while end < bytes.len() && !is_special(bytes[end]) {
                    end += 1;
                }
                // A key that stopped at this `$` (or, when it was the key's
                // first character, at the `{` after it), or at a `$` just
                // before it that this one's replacement may join, runs into
                // this `${`.
                let runs_into = |&(_, e): &(usize, usize)| {
                    e == start || e == start + 1 || (e + 1 == start && bytes[e] == b'$')
                };
                if bytes.get(end) == Some(&b'}') {
                    let open = if chain.last().is_some_and(runs_into) {
                        innermost(chain)
                    } else {
                        Vec::new()
                    };
                    return Some(Found {
                        whole: start..end + 1,
                        key: key_start..end,
                        open,
                    });
                }
                if !chain.last().is_some_and(runs_into) {
                    chain.clear();
                } else if chain.len() >= 2 * MAX_NESTING {
                    // Only the innermost are kept: drop the rest now and then,
                    // so the chain stays small however long the run.
                    chain = innermost(chain);
                }
                chain.push((start, end));
            }
        }
        from = start + 1;
    }
    None
}

/// Where the search for the next reference starts once `inserted` replaced
/// a reference at `start`. It goes on over the inserted text, as Prefect's
/// next pass would. But a text without a `$` starts no `${`, so one memchr
/// skips it, unless it starts with a `{` that a `$` before it may join. (The
/// keys of `open` `${` still read through it: they go on where they stopped.)
fn resume_at(start: usize, inserted: &str) -> usize {
    if memchr::memchr(b'$', inserted.as_bytes()).is_some() || inserted.starts_with('{') {
        start
    } else {
        start + inserted.len()
    }
}

/// One leaf being resolved: its place in `pending`, where the search for
/// its next reference starts, and the unfinished `${` before it.
struct Frame {
    index: usize,
    from: usize,
    open: Vec<(usize, usize)>,
}

/// Resolves the references in the leaves at `pending`.
///
/// Each value is edited in place; a leaf records its first
/// [`MAX_STEPS`](crate::config::node::MAX_STEPS)
/// substitutions as steps and folds the rest into one last step. Values may
/// not grow past [`Limits::max_value_bytes`]; what each substitution adds
/// (the text it inserts, the whole value a whole-value reference copies, the
/// copy `explain` keeps) is charged to the load's `budget`.
pub(crate) fn resolve(
    root: &mut Table,
    pending: Vec<Vec<String>>,
    limits: &Limits,
    budget: &mut Budget,
    sink: &mut Sink,
) -> Result<Vec<ConfigWarning>, ConfigError> {
    if pending.is_empty() {
        return Ok(Vec::new());
    }
    let index: FastMap<&[String], usize> = pending
        .iter()
        .enumerate()
        .map(|(i, path)| (path.as_slice(), i))
        .collect();
    let mut state = vec![State::Pending; pending.len()];
    let mut warnings = Vec::new();
    let mut stack: Vec<Frame> = Vec::new();
    let mut substitutions = 0usize;

    for start in 0..pending.len() {
        if state[start] == State::Done {
            continue;
        }
        stack.push(Frame {
            index: start,
            from: 0,
            open: Vec::new(),
        });
        while let Some(frame) = stack.last_mut() {
            let (top, from) = (frame.index, frame.from);
            let open = std::mem::take(&mut frame.open);
            // To search again from the same place once a dependency is done.
            let open_before = open.clone();
            state[top] = State::InProgress;
            let path = &pending[top];
            let Some(leaf) = root.leaf_mut(path) else {
                state[top] = State::Done;
                stack.pop();
                continue;
            };
            let found = leaf
                .value
                .as_str()
                .and_then(|text| find_reference(text, from, open));
            let Some(Found { whole, key, open }) = found else {
                leaf.finish_steps();
                state[top] = State::Done;
                stack.pop();
                continue;
            };
            substitutions += 1;
            if substitutions > limits.max_substitutions {
                let err = ConfigError::ReferenceDidNotSettle {
                    key: path.join("."),
                    origin: leaf.source.clone(),
                };
                // Nothing more can be substituted in this load.
                sink.report(err)?;
                return Ok(warnings);
            }
            let text = leaf.value.as_str().unwrap_or_default();
            // `get`, not indexing: the search's ranges are always in the
            // text, but a slip must end the value, never the process.
            let Some(reference) = text.get(key).map(str::to_owned) else {
                state[top] = State::Done;
                stack.pop();
                continue;
            };
            let ref_path: Vec<String> = reference.split('.').map(str::to_owned).collect();

            if let Some(&dep) = index.get(ref_path.as_slice()) {
                match state[dep] {
                    State::InProgress => {
                        let from = stack.iter().position(|f| f.index == dep).unwrap_or(0);
                        let members: Vec<usize> =
                            stack[from..].iter().map(|f| f.index).chain([dep]).collect();
                        // A key reached through a name read out of sensitive
                        // text (`${${db.password}}`) is part of that text: a
                        // key is masked when the one before it in the cycle
                        // (the last for the first) is sensitive.
                        let sensitive: Vec<bool> = members
                            .iter()
                            .map(|&index| {
                                matches!(
                                    root.node(pending[index].iter().map(String::as_str)),
                                    Some(Node::Leaf(leaf)) if leaf.sensitive
                                )
                            })
                            .collect();
                        let keys: Vec<String> = members
                            .iter()
                            .enumerate()
                            .map(|(i, &index)| {
                                let before = if i == 0 {
                                    members.len().saturating_sub(2)
                                } else {
                                    i - 1
                                };
                                if sensitive[before] {
                                    MASK.to_owned()
                                } else {
                                    pending[index].join(".")
                                }
                            })
                            .collect();
                        sink.report(ConfigError::ReferenceCycle { keys })?;
                        // Leave the cycle's values as they are and go on.
                        for frame in stack.drain(from..) {
                            state[frame.index] = State::Done;
                        }
                        continue;
                    }
                    State::Pending => {
                        // Search again from the same place once `dep` is done.
                        if let Some(frame) = stack.last_mut() {
                            frame.open = open_before;
                        }
                        stack.push(Frame {
                            index: dep,
                            from: 0,
                            open: Vec::new(),
                        });
                        continue;
                    }
                    State::Done => {}
                }
            }

            let text_len = text.len();
            let whole_value = whole.start == 0 && whole.end == text_len;
            // A whole-value copy is checked against the budget before it is
            // made; a value printed into text is a passing copy.
            let copy_limit = if whole_value {
                budget.remaining()
            } else {
                usize::MAX
            };
            let target = lookup(root, &ref_path, copy_limit);
            // Only a leaf was borrowed above; borrow it again after the lookup.
            let Some(leaf) = root.leaf_mut(path) else {
                continue;
            };
            let (replacement, step_source) = match target {
                Target::TooLarge { bytes } => {
                    budget.spend(bytes, || path.join("."), sink)?;
                    return Ok(warnings);
                }
                Target::Leaf {
                    value,
                    raw,
                    source,
                    sensitive,
                } => {
                    // A value with sensitive parts makes text built from it
                    // sensitive whole; a whole copy keeps its parts, which
                    // read the same wherever the key rule reads them the
                    // same (`secrets` means something only in `context`).
                    // Scopes are worked out only for a value that may hide
                    // a part (most references read a plain scalar).
                    leaf.sensitive |= sensitive
                        || (sensitive::may_have_sensitive_part(&value) && {
                            let there = sensitive::scope_of(ref_path.iter().map(String::as_str));
                            let here = sensitive::scope_of(path.iter().map(String::as_str));
                            (!whole_value || there != here)
                                && sensitive::has_sensitive_part(&value, there)
                        });
                    let replacement = if whole_value {
                        Replacement::Whole(value, raw)
                    } else {
                        Replacement::Text(python_str(value, &raw))
                    };
                    (replacement, Some(source))
                }
                Target::Table | Target::Missing => {
                    let shown = if leaf.sensitive {
                        MASK.to_owned()
                    } else {
                        reference.clone()
                    };
                    let key = path.join(".");
                    let origin = leaf.source.clone();
                    warnings.push(if matches!(target, Target::Table) {
                        ConfigWarning::TableReference {
                            key,
                            reference: shown,
                            origin,
                        }
                    } else {
                        ConfigWarning::MissingReference {
                            key,
                            reference: shown,
                            origin,
                        }
                    });
                    (Replacement::Text(String::new()), None)
                }
            };
            let (new_len, mut cost) = match &replacement {
                Replacement::Whole(value, _) => {
                    (value.as_str().map_or(0, str::len), value_bytes(value))
                }
                Replacement::Text(printed) => {
                    let new_len = text_len - whole.len() + printed.len();
                    (new_len, new_len.saturating_sub(text_len))
                }
            };
            // The copy of the value before this step that `explain` keeps
            // while steps are recorded one by one.
            if leaf.next_step_copies() {
                cost += text_len;
            }
            if new_len > limits.max_value_bytes {
                sink.report(ConfigError::TooLarge {
                    key: path.join("."),
                    origin: leaf.source.clone(),
                    limit: limits.max_value_bytes,
                })?;
                state[top] = State::Done;
                stack.pop();
                continue;
            }
            if !budget.spend(cost, || path.join("."), sink)? {
                // The budget is spent for the whole load.
                return Ok(warnings);
            }
            let (next_from, next_open) = match replacement {
                Replacement::Whole(value, raw) => {
                    let mut step = Step::new(StepKind::Reference, value);
                    step.reference = Some(reference);
                    step.source = step_source;
                    leaf.apply(step);
                    leaf.trail_mut().raw = raw;
                    (0, Vec::new())
                }
                Replacement::Text(printed) => {
                    let from = resume_at(whole.start, &printed);
                    leaf.replace_text(whole.clone(), &printed, reference, step_source);
                    (from, open)
                }
            };
            if let Some(frame) = stack.last_mut() {
                frame.from = next_from;
                frame.open = next_open;
            }
        }
    }
    Ok(warnings)
}

/// What a reference becomes: the whole value (with the text behind it), or
/// text spliced into a longer string.
enum Replacement {
    Whole(Value, Raw),
    Text(String),
}

/// A referenced value as Prefect drops it into a longer string: Python's
/// `str()` of the value Python holds. That is the JSON value printed Python's
/// way, unless the value was cast from a literal with types JSON lacks
/// (tuples, sets, `inf`, bytes, ...) and so is printed from that text. A
/// whole-value reference copies the text along with the value, so chains
/// print alike.
fn python_str(value: Value, literal_text: &Raw) -> String {
    match (value, literal_text) {
        // Python prints a string as itself: no copy.
        (Value::String(text), Raw::None) => text,
        (Value::String(text), Raw::Kept) => literal::python_str(&text).unwrap_or(text),
        (value, Raw::Text(text)) => {
            literal::python_str(text).unwrap_or_else(|| python::to_str(&value))
        }
        (value, _) => python::to_str(&value),
    }
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum State {
    Pending,
    InProgress,
    Done,
}

enum Target {
    Leaf {
        value: Value,
        /// The text behind the value (see `Leaf::literal`).
        raw: Raw,
        source: Source,
        sensitive: bool,
    },
    /// A leaf of more than the copy limit, not copied.
    TooLarge {
        bytes: usize,
    },
    Table,
    Missing,
}

/// Like Prefect, a reference only finds leaves: a table is not a value. A
/// leaf whose value holds more than `copy_limit` bytes is not copied.
fn lookup(root: &Table, path: &[String], copy_limit: usize) -> Target {
    match root.node(path.iter().map(String::as_str)) {
        Some(Node::Table(_)) => Target::Table,
        Some(Node::Leaf(leaf)) if copy_limit != usize::MAX && !leaf.value.is_string() => {
            let bytes = value_bytes(&leaf.value);
            if bytes > copy_limit {
                Target::TooLarge { bytes }
            } else {
                leaf_target(leaf)
            }
        }
        Some(Node::Leaf(leaf)) => leaf_target(leaf),
        None => Target::Missing,
    }
}

fn leaf_target(leaf: &Leaf) -> Target {
    Target::Leaf {
        value: leaf.value.clone(),
        raw: leaf.literal(),
        source: leaf.source.clone(),
        sensitive: leaf.sensitive,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Replaces references in `text` by looking each key up in `values`
    /// (missing keys become ""), searching from the start each time (the
    /// plain reading of Prefect's loop) or resuming as `resolve` does.
    fn substitute(text: &str, values: &[(&str, &str)], resume: bool) -> String {
        let mut text = text.to_owned();
        let (mut from, mut open) = (0, Vec::new());
        for _ in 0..10_000 {
            let found = if resume {
                find_reference(&text, from, std::mem::take(&mut open))
            } else {
                find_reference(&text, 0, Vec::new())
            };
            let Some(found) = found else { break };
            let key = &text[found.key.clone()];
            let value = values
                .iter()
                .find(|(k, _)| *k == key)
                .map_or("", |(_, v)| *v);
            text.replace_range(found.whole.clone(), value);
            from = resume_at(found.whole.start, value);
            open = found.open;
        }
        text
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(2000))]
        #[test]
        fn resuming_finds_what_searching_from_the_start_finds(
            parts in proptest::collection::vec(
                proptest::sample::select(vec!["${", "}", "$", "{", "a", "b", ".", "\n", "x", "é"]),
                0..40,
            )
        ) {
            let text: String = parts.concat();
            let values = [
                ("a", "b"),
                ("b", "}"),
                ("ab", "${a}"),
                ("x", "$"),
                ("a.b", "{"),
                ("bb", "x}{a"),
                ("xx", "ab{"),
                ("ba", "{ab$"),
                ("b.a", "{{a.b"),
            ];
            proptest::prop_assert_eq!(
                substitute(&text, &values, true),
                substitute(&text, &values, false),
                "{:?}", text
            );
        }
    }

    #[test]
    fn references_are_found_like_prefects_pattern() {
        let found = |text: &str| {
            find_reference(text, 0, Vec::new())
                .map(|f| (text[f.whole].to_owned(), text[f.key].to_owned()))
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
    fn an_inserted_brace_joins_the_dollar_before_it() {
        let values = [("a.b", "{{a.b"), ("{a.bx", "joined"), ("a", "b")];
        for text in ["$${a.b}x}", "$${a.b}}", "${a}$${a.b}a}"] {
            assert_eq!(
                substitute(text, &values, true),
                substitute(text, &values, false),
                "{text}"
            );
        }
        assert_eq!(substitute("$${a.b}x}", &values, true), "joined");
    }
}
