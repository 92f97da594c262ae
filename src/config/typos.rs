//! Likely typos: a key that no lower layer has, one edit away from a key
//! that one does ("did you mean").
//!
//! Candidates are found through an index of each table's keys with one
//! character deleted (the symmetric-delete method): two words one edit apart
//! (insertion, deletion, substitution or swap of neighbours) always share such
//! a variant. Looking a word up costs a few hash probes whatever the size of
//! the table, so checking every variable is linear in the environment.
//! Words and keys longer than [`MAX_INDEXED`] characters are compared one by
//! one instead, in time linear in their length: a word's deletion variants
//! grow with the square of its length, and a hostile variable name may be
//! long. A word longer than every key by more than the edits allowed is
//! near none of them and costs nothing.
//!
//! [`Config::suggest_keys`] is the "did you mean" for a key that is not in a
//! configuration: one pass over the tree's keys, each compared only when its
//! length allows.
//!
//! ```
//! use prefect_config::config::{ConfigWarning, Loader};
//! let cfg = Loader::new()
//!     .defaults_toml("[logging]\nlevel = 'INFO'")
//!     .env_prefix("PREFECT")
//!     .env_vars([("PREFECT__LOGGING__LEVLE", "DEBUG"), ("PREFECT__MY_OWN", "1")])
//!     .load()?;
//! let warnings: Vec<String> = cfg.warnings().iter().map(|w| w.to_string()).collect();
//! assert_eq!(warnings.len(), 1);
//! assert!(warnings[0].contains("logging.level"));
//! # Ok::<(), prefect_config::config::ConfigError>(())
//! ```

use crate::config::node::{FastMap, Node, Table};
use crate::config::sensitive;
use crate::config::{Config, ConfigWarning, Source};

/// Warns about environment variables in `env` that set a key `lower` does
/// not have, when changing one part of it by one edit gives a key it has.
pub(crate) fn env_typos(lower: &Table, env: &Table) -> Vec<ConfigWarning> {
    let mut leaves = Vec::new();
    collect(env, &mut Vec::new(), &mut leaves);
    let mut indexes: FastMap<Vec<String>, SiblingIndex> = FastMap::default();
    // Many variables share a misspelt part (`PREFECT__LOGINGG__*`): look each
    // (parent, part) up once.
    let mut near: FastMap<(Vec<String>, &str), Vec<String>> = FastMap::default();
    let mut warnings = Vec::new();
    for (path, source) in leaves {
        if sensitive::is_secrets_scope(path.iter().copied()) {
            continue;
        }
        let Some(missing) = (1..=path.len())
            .find(|&len| lower.node(path[..len].iter().copied()).is_none())
            .map(|len| len - 1)
        else {
            continue;
        };
        let parent: Vec<String> = path[..missing].iter().map(|p| (*p).to_owned()).collect();
        let siblings = if missing == 0 {
            Some(lower)
        } else {
            match lower.node(path[..missing].iter().copied()) {
                Some(Node::Table(table)) => Some(table),
                _ => None,
            }
        };
        let Some(siblings) = siblings else { continue };
        let wrong = path[missing];
        let candidates = near.entry((parent.clone(), wrong)).or_insert_with(|| {
            let index = indexes
                .entry(parent)
                .or_insert_with(|| SiblingIndex::new(siblings, 1));
            index.near(wrong).into_iter().map(str::to_owned).collect()
        });
        let suggestion = candidates.iter().find_map(|candidate| {
            let mut fixed: Vec<&str> = path.clone();
            fixed[missing] = candidate.as_str();
            lower
                .node(fixed.iter().copied())
                .is_some()
                .then(|| fixed.join("."))
        });
        if let Some(suggestion) = suggestion {
            warnings.push(ConfigWarning::UnknownEnvKey {
                var: source.env_var().unwrap_or_default().to_owned(),
                key: path.join("."),
                suggestion,
            });
        }
    }
    warnings.sort_by_key(ToString::to_string);
    warnings
}

fn collect<'a>(
    table: &'a Table,
    path: &mut Vec<&'a str>,
    out: &mut Vec<(Vec<&'a str>, &'a Source)>,
) {
    for (key, node) in &table.entries {
        path.push(key);
        match node {
            Node::Table(child) => collect(child, path, out),
            Node::Leaf(leaf) => out.push((path.clone(), &leaf.source)),
        }
        path.pop();
    }
}

/// Tables up to this size are searched key by key.
const SMALL_TABLE: usize = 64;

/// Keys longer than this (in characters) are not indexed by their deletion
/// variants but compared one by one; a longer word is looked up among those
/// only, and found one edit away at most.
const MAX_INDEXED: usize = 64;

/// A table's keys, findable by their deletion variants.
pub(crate) struct SiblingIndex {
    keys: Vec<String>,
    /// 1 or 2: how many edits away a key may be found.
    max_edits: usize,
    /// Each key itself and each of its one-deletion variants, with the
    /// positions of the keys that produce it.
    variants: FastMap<String, Vec<usize>>,
    /// The positions of keys longer than [`MAX_INDEXED`] characters.
    long: Vec<usize>,
    /// The most characters of any key.
    longest: usize,
}

impl SiblingIndex {
    /// Indexes `table`'s keys for look-ups up to `max_edits` (1 or 2) away.
    /// A small table is not indexed: comparing with each key costs less.
    pub(crate) fn new(table: &Table, max_edits: usize) -> SiblingIndex {
        let keys: Vec<String> = table.entries.keys().map(ToString::to_string).collect();
        let longest = keys.iter().map(|k| k.chars().count()).max().unwrap_or(0);
        let mut index = SiblingIndex {
            keys,
            max_edits,
            variants: FastMap::default(),
            long: Vec::new(),
            longest,
        };
        if index.keys.len() <= SMALL_TABLE {
            return index;
        }
        let SiblingIndex {
            keys,
            variants,
            long,
            ..
        } = &mut index;
        for (i, key) in keys.iter().enumerate() {
            if key.chars().count() > MAX_INDEXED {
                long.push(i);
                continue;
            }
            for variant in deletions(key, max_edits) {
                let positions = variants.entry(variant).or_default();
                if positions.last() != Some(&i) {
                    positions.push(i);
                }
            }
        }
        index
    }

    /// Keys one edit from `wrong` (or two, for an index of two and words of
    /// at least five characters, where two edits are still a likely typo),
    /// nearest first, then in table order.
    pub(crate) fn near(&self, wrong: &str) -> Vec<&str> {
        let chars = wrong.chars().count();
        // Two edits are compared with a full distance table: short words only.
        let max = if (5..=MAX_INDEXED).contains(&chars) {
            self.max_edits
        } else {
            1
        };
        if chars > self.longest + max {
            return Vec::new();
        }
        let candidates: Vec<usize> = if self.keys.len() <= SMALL_TABLE {
            (0..self.keys.len()).collect()
        } else if chars > MAX_INDEXED + max {
            self.long.clone()
        } else {
            deletions(wrong, max)
                .into_iter()
                .filter_map(|variant| self.variants.get(&variant))
                .flatten()
                .chain(&self.long)
                .copied()
                .collect()
        };
        let mut found: Vec<(usize, usize)> = candidates
            .into_iter()
            .filter_map(|i| {
                let candidate = &self.keys[i];
                if candidate.len().abs_diff(wrong.len()) > max {
                    return None;
                }
                let distance = if one_edit_apart(candidate, wrong) {
                    1
                } else if max >= 2 && candidate.chars().count() <= MAX_INDEXED + max {
                    strsim::osa_distance(candidate, wrong)
                } else {
                    return None;
                };
                (1..=max).contains(&distance).then_some((distance, i))
            })
            .collect();
        found.sort_unstable();
        found.dedup();
        found
            .into_iter()
            .map(|(_, i)| self.keys[i].as_str())
            .collect()
    }
}

/// True when `a` and `b` are exactly one edit apart: one character
/// inserted, deleted or replaced, or two neighbours swapped.
///
/// Hand-written in time linear in the words, for bytes (ASCII keys, the
/// usual case) or characters: `strsim::osa_distance` fills a whole distance
/// table, quadratic in time in the words' lengths, and this check runs for
/// every unknown variable, whose name may be long.
fn one_edit_apart(a: &str, b: &str) -> bool {
    if a.is_ascii() && b.is_ascii() {
        return one_edit_apart_in(a.as_bytes(), b.as_bytes());
    }
    let a: Vec<char> = a.chars().collect();
    let b: Vec<char> = b.chars().collect();
    one_edit_apart_in(&a, &b)
}

fn one_edit_apart_in<T: PartialEq>(a: &[T], b: &[T]) -> bool {
    let (long, short) = if a.len() >= b.len() { (a, b) } else { (b, a) };
    let first_difference = short
        .iter()
        .zip(long)
        .position(|(x, y)| x != y)
        .unwrap_or(short.len());
    let i = first_difference;
    match long.len() - short.len() {
        0 if i == long.len() => false,
        0 => {
            long[i + 1..] == short[i + 1..]
                || (i + 1 < long.len()
                    && long[i] == short[i + 1]
                    && long[i + 1] == short[i]
                    && long[i + 2..] == short[i + 2..])
        }
        1 => long[i + 1..] == short[i..],
        _ => false,
    }
}

/// `word` with up to `max` characters deleted, `word` itself included.
fn deletions(word: &str, max: usize) -> Vec<String> {
    let mut out = vec![word.to_owned()];
    let mut frontier = vec![word.to_owned()];
    for _ in 0..max {
        let mut next = Vec::new();
        for w in &frontier {
            for (i, c) in w.char_indices() {
                let mut variant = String::with_capacity(w.len());
                variant.push_str(&w[..i]);
                variant.push_str(&w[i + c.len_utf8()..]);
                next.push(variant);
            }
        }
        next.sort_unstable();
        next.dedup();
        out.extend(next.iter().cloned());
        frontier = next;
    }
    out
}

/// The longest key (in bytes) that [`Config::suggest_keys`] compares: no
/// one mistypes a name that long, and comparing costs the product of the
/// two lengths.
const MAX_SUGGESTED: usize = 256;

impl Config {
    /// Up to three keys of this configuration (tables or values, as dotted
    /// paths) close to `key`, nearest first, for a "did you mean" when `key`
    /// is not there: compared without regard to case, at most a third of the
    /// longer name's characters (and at least two) away.
    ///
    /// One pass over the keys, each compared only when its length is within
    /// reach, so a missing key among many costs time linear in their number.
    ///
    /// ```
    /// use prefect_config::config::Loader;
    /// let cfg = Loader::new()
    ///     .defaults_toml("[server]\nport = 1\nname = 'n'\n[logging]\nlevel = 'INFO'")
    ///     .load()?;
    /// assert_eq!(cfg.suggest_keys("server.prot"), ["server.port"]);
    /// assert_eq!(cfg.suggest_keys("Loging"), ["logging"]);
    /// assert!(cfg.suggest_keys("unrelated.name").is_empty());
    /// # Ok::<(), prefect_config::config::ConfigError>(())
    /// ```
    pub fn suggest_keys(&self, key: &str) -> Vec<String> {
        let Node::Table(root) = &self.root else {
            return Vec::new();
        };
        if key.len() > MAX_SUGGESTED {
            return Vec::new();
        }
        let wanted = key.to_lowercase();
        let wanted_chars = wanted.chars().count();
        let mut scored: Vec<(usize, String)> = Vec::new();
        // Depth first with an explicit stack, the path built in one buffer.
        let mut path = String::new();
        let mut open = vec![(root.entries.iter(), 0usize)];
        while let Some((entries, len)) = open.last_mut() {
            let len = *len;
            let Some((name, node)) = entries.next() else {
                open.pop();
                continue;
            };
            path.truncate(len);
            if !path.is_empty() {
                path.push('.');
            }
            path.push_str(name);
            if path.len() <= MAX_SUGGESTED {
                if let Some(distance) = key_distance(&path, &wanted, wanted_chars, key.len()) {
                    scored.push((distance, path.clone()));
                }
            }
            if let Node::Table(child) = node {
                open.push((child.entries.iter(), path.len()));
            }
        }
        scored.sort();
        scored.dedup();
        scored.into_iter().take(3).map(|(_, c)| c).collect()
    }
}

/// The distance of `candidate` from the lower-cased `wanted` when it is
/// close enough to suggest; lengths are compared first, since no distance
/// is smaller than the difference of the lengths.
fn key_distance(
    candidate: &str,
    wanted: &str,
    wanted_chars: usize,
    wanted_bytes: usize,
) -> Option<usize> {
    let allowed = (wanted_bytes.max(candidate.len()) / 3).max(2);
    if candidate.chars().count().abs_diff(wanted_chars) > allowed {
        return None;
    }
    let distance = strsim::osa_distance(&candidate.to_lowercase(), wanted);
    (distance <= allowed).then_some(distance)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn index(keys: &[&str]) -> SiblingIndex {
        let mut table = Table::new(Source::Runtime);
        for key in keys {
            table
                .entries
                .insert((*key).into(), Node::Table(Table::new(Source::Runtime)));
        }
        SiblingIndex::new(&table, 1)
    }

    #[test]
    fn every_kind_of_single_edit_is_found() {
        let idx = index(&["level", "format", "port"]);
        assert_eq!(idx.near("levle"), ["level"]); // swap
        assert_eq!(idx.near("leve"), ["level"]); // deletion
        assert_eq!(idx.near("levell"), ["level"]); // insertion
        assert_eq!(idx.near("lovel"), ["level"]); // substitution
        assert_eq!(idx.near("pert"), ["port"]);
        assert!(idx.near("lvl").is_empty());
        assert!(idx.near("level").is_empty()); // distance 0 is no typo
    }

    #[test]
    fn large_tables_are_searched_through_the_index_with_the_same_results() {
        let mut keys: Vec<String> = (0..200).map(|i| format!("setting_{i}")).collect();
        keys.push("level".into());
        let refs: Vec<&str> = keys.iter().map(String::as_str).collect();
        let idx = index(&refs);
        assert!(!idx.variants.is_empty());
        assert_eq!(idx.near("levle"), ["level"]);
        // `setting_19` (a deletion) and `setting_190` to `_199` (substitutions).
        let near = idx.near("setting_19x");
        assert_eq!(
            (near.len(), near[0], near[10]),
            (11, "setting_19", "setting_199")
        );
        assert!(idx.near("unrelated").is_empty());
    }

    #[test]
    fn one_edit_apart_agrees_with_strsim() {
        let words = [
            "", "a", "ab", "ba", "abc", "acb", "bac", "abd", "abcd", "abdc", "level", "levle",
            "leve", "levell", "lovel", "évent", "event", "xy", "yx", "aab", "aba",
        ];
        for a in words {
            for b in words {
                assert_eq!(
                    one_edit_apart(a, b),
                    strsim::osa_distance(a, b) == 1,
                    "{a:?} {b:?}"
                );
            }
        }
        // Every pair of words of up to four letters from `abc`.
        let mut all = vec![String::new()];
        for len in 1..=4 {
            let mut next = Vec::new();
            for w in all.iter().filter(|w| w.len() == len - 1) {
                for c in ['a', 'b', 'c'] {
                    next.push(format!("{w}{c}"));
                }
            }
            all.extend(next);
        }
        for a in &all {
            for b in &all {
                assert_eq!(
                    one_edit_apart(a, b),
                    strsim::osa_distance(a, b) == 1,
                    "{a} {b}"
                );
            }
        }
    }

    #[test]
    fn two_edits_for_longer_words_only() {
        let mut table = Table::new(Source::Runtime);
        for key in ["connection_url", "db", "host"] {
            table
                .entries
                .insert((*key).into(), Node::Table(Table::new(Source::Runtime)));
        }
        let idx = SiblingIndex::new(&table, 2);
        assert_eq!(idx.near("conection_ulr"), ["connection_url"]);
        assert_eq!(idx.near("ab"), ["db"]); // one edit: found at any length
        assert!(idx.near("abc").is_empty()); // two edits from "db": too short
        assert!(idx.near("hxsx").is_empty()); // two edits from "host": too short
    }
}
