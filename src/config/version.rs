//! [`PrefectVersion`]: which Prefect Core release's defaults and rules a
//! load follows.
//!
//! The two releases load configuration the same way; what differs is the
//! defaults file (1.x adds `[cloud.rate_limiting]`) and one secrets rule,
//! [`Secret::exists`](crate::secrets::Secret::exists) (see
//! [`PrefectVersion::V1`]). So the version picks the embedded defaults here
//! and is kept on the loaded [`Config`](crate::config::Config) for the
//! secrets code to read.

use std::fmt;
use std::str::FromStr;

/// The defaults compiled into the crate for Prefect 1.x: the text of
/// `config/prefect-1.4.1.toml`, Prefect Core 1.4.1's values, which
/// [`Loader::prefect`](crate::config::Loader::prefect) loads with
/// [`Loader::prefect_version`](crate::config::Loader::prefect_version)`(V1)`.
///
/// ```
/// use prefect_config::config::EMBEDDED_DEFAULTS_V1;
/// let table: toml::Table = EMBEDDED_DEFAULTS_V1.parse().unwrap();
/// assert_eq!(table["cloud"]["rate_limiting"]["max_retries"].as_integer(), Some(6));
/// ```
pub const EMBEDDED_DEFAULTS_V1: &str = include_str!("../../config/prefect-1.4.1.toml");

/// A Prefect Core release line whose defaults and rules a load follows;
/// [`V0_15`](PrefectVersion::V0_15) unless chosen otherwise. Parsed from
/// `"0.15"` or `"1"` (also `"0.15.13"`, `"1.4"`, `"1.4.1"`), as the CLI's
/// `--prefect` flag takes it.
///
/// ```
/// use prefect_config::config::PrefectVersion;
/// assert_eq!("1".parse::<PrefectVersion>(), Ok(PrefectVersion::V1));
/// assert_eq!("0.15".parse::<PrefectVersion>(), Ok(PrefectVersion::V0_15));
/// assert_eq!(PrefectVersion::default(), PrefectVersion::V0_15);
/// assert_eq!(PrefectVersion::V1.to_string(), "1");
/// assert_eq!(PrefectVersion::V1.release(), "1.4.1");
/// assert!("2".parse::<PrefectVersion>().is_err());
/// ```
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum PrefectVersion {
    /// Prefect Core 0.15 (defaults and rules of 0.15.13).
    #[default]
    V0_15,
    /// Prefect Core 1.x (defaults and rules of 1.4.1): the defaults add
    /// `[cloud.rate_limiting]`, and `Secret::exists` asks the secrets
    /// backend only when `backend = "cloud"` as well as
    /// `cloud.use_local_secrets = false` (0.15 asks whenever local secrets
    /// are off). `Secret::get` follows the same rule in both.
    V1,
}

impl PrefectVersion {
    /// The release whose files and rules this version reproduces.
    ///
    /// ```
    /// assert_eq!(prefect_config::config::PrefectVersion::V0_15.release(), "0.15.13");
    /// ```
    pub fn release(self) -> &'static str {
        match self {
            PrefectVersion::V0_15 => "0.15.13",
            PrefectVersion::V1 => "1.4.1",
        }
    }

    /// The embedded defaults' text for this version.
    ///
    /// ```
    /// use prefect_config::config::{EMBEDDED_DEFAULTS, PrefectVersion};
    /// assert_eq!(PrefectVersion::V0_15.embedded_defaults(), EMBEDDED_DEFAULTS);
    /// assert!(PrefectVersion::V1.embedded_defaults().contains("[cloud.rate_limiting]"));
    /// ```
    pub fn embedded_defaults(self) -> &'static str {
        match self {
            PrefectVersion::V0_15 => crate::config::EMBEDDED_DEFAULTS,
            PrefectVersion::V1 => EMBEDDED_DEFAULTS_V1,
        }
    }
}

/// `0.15` or `1`, as [`FromStr`] reads it.
impl fmt::Display for PrefectVersion {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            PrefectVersion::V0_15 => "0.15",
            PrefectVersion::V1 => "1",
        })
    }
}

/// Text that names no supported Prefect version.
///
/// ```
/// let err = "0.14".parse::<prefect_config::config::PrefectVersion>().unwrap_err();
/// assert_eq!(err.to_string(), "unknown Prefect version `0.14`: expected `0.15` or `1`");
/// ```
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("unknown Prefect version `{text}`: expected `0.15` or `1`")]
pub struct UnknownPrefectVersion {
    text: String,
}

impl FromStr for PrefectVersion {
    type Err = UnknownPrefectVersion;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        match text.trim() {
            "0.15" | "0.15.13" => Ok(PrefectVersion::V0_15),
            "1" | "1.4" | "1.4.1" => Ok(PrefectVersion::V1),
            _ => Err(UnknownPrefectVersion {
                // Only the first characters, escaped: this is a command-line
                // word, and an error should stay one short line.
                text: text.chars().take(32).flat_map(char::escape_debug).collect(),
            }),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use proptest::strategy::ValueTree;

    const SPELLINGS: [(&str, PrefectVersion); 5] = [
        ("0.15", PrefectVersion::V0_15),
        ("0.15.13", PrefectVersion::V0_15),
        ("1", PrefectVersion::V1),
        ("1.4", PrefectVersion::V1),
        ("1.4.1", PrefectVersion::V1),
    ];

    /// Command-line words: a known spelling with blanks around it, a near
    /// miss (`1.`, `0.15x`, `V1`), or anything (control characters included).
    fn word() -> impl Strategy<Value = String> {
        let known = (0..SPELLINGS.len(), "[ \t]{0,2}", "[ \t]{0,2}")
            .prop_map(|(i, pre, post)| format!("{pre}{}{post}", SPELLINGS[i].0));
        let near = (0..SPELLINGS.len(), "[0-9.vV\\-]{1,2}")
            .prop_map(|(i, extra)| format!("{}{extra}", SPELLINGS[i].0));
        prop_oneof![known, near, any::<String>(), "\\PC{0,80}"]
    }

    proptest! {
        #[test]
        fn parsing_accepts_only_the_listed_spellings(text in word()) {
            let known = SPELLINGS.iter().find(|(s, _)| *s == text.trim());
            match (text.parse::<PrefectVersion>(), known) {
                (Ok(version), Some((_, expected))) => {
                    prop_assert_eq!(version, *expected);
                    // Display gives a spelling that parses back to it.
                    prop_assert_eq!(version.to_string().parse::<PrefectVersion>(), Ok(version));
                }
                (Err(err), None) => {
                    let message = err.to_string();
                    prop_assert!(!message.chars().any(char::is_control), "{:?}", message);
                    prop_assert!(message.chars().count() < 60 + 32 * 10, "{:?}", message);
                }
                (outcome, known) => prop_assert!(false, "{:?} for {:?} ({:?})", outcome, text, known),
            }
        }
    }

    /// The generator hits both sides: accepted spellings and refused words
    /// with control characters.
    #[test]
    fn the_generator_hits_known_spellings_and_control_characters() {
        let mut runner = proptest::test_runner::TestRunner::deterministic();
        let (mut known, mut control) = (0, 0);
        for _ in 0..1000 {
            let text = word().new_tree(&mut runner).unwrap().current();
            known += usize::from(text.parse::<PrefectVersion>().is_ok());
            control += usize::from(text.chars().any(char::is_control));
        }
        assert!(known > 150, "{known} known spellings in 1000");
        assert!(
            control > 50,
            "{control} words with control characters in 1000"
        );
    }
}
