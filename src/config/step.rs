//! What the load did to a value, as it did it: the raw value each layer gave
//! ([`LayerValue`]) and each step from the winner's text to the final value
//! ([`Step`]). The passes record these on the leaf they change; `explain`
//! only reads them back.

use std::fmt;

use serde::ser::{Serialize, SerializeMap, Serializer};
use serde_json::Value;

use crate::config::Source;
use crate::config::sensitive::{self, Scope};
use crate::render::MASK;
use crate::render::mask::mask_value;

/// The raw value one layer gave a key.
///
/// ```
/// use prefect_config::config::{Loader, Source};
/// let layers = Loader::new().defaults_toml("a = 'True'").load_layers()?;
/// let why = layers.explain("a").unwrap();
/// let layer = &why.layers()[0];
/// assert_eq!((&layer.source, layer.raw.as_str()), (&Source::DefaultsToml, Some("True")));
/// # Ok::<(), prefect_config::config::ConfigError>(())
/// ```
#[derive(Clone, PartialEq)]
#[non_exhaustive]
pub struct LayerValue {
    /// Where the value came from (for the environment, the variable's name).
    pub source: Source,
    /// The value as written: text for values that casting changed.
    pub raw: Value,
    /// Set by `Config::explain`: the value is sensitive whole (its key is,
    /// or it is text holding a password or a sensitive literal).
    pub(crate) sensitive: bool,
    /// The scope of the key, for judging the parts of the value.
    pub(crate) scope: Scope,
}

impl LayerValue {
    pub(crate) fn new(source: Source, raw: Value) -> LayerValue {
        LayerValue {
            source,
            raw,
            sensitive: false,
            scope: Scope::Other,
        }
    }

    /// The raw value with what is sensitive masked, whole or part by part.
    pub(crate) fn shown_raw(&self) -> Value {
        mask_value(&self.raw, self.scope, self.sensitive)
    }

    /// True when the raw value must not be shown (see
    /// [`Explanation::redacted`](crate::config::Explanation::redacted)).
    ///
    /// ```
    /// use prefect_config::config::Loader;
    /// let cfg = Loader::new().defaults_toml("[a]\ntoken = 't'\nname = 'n'").load()?;
    /// assert!(cfg.explain("a.token").unwrap().layers()[0].is_sensitive());
    /// assert!(!cfg.explain("a.name").unwrap().layers()[0].is_sensitive());
    /// # Ok::<(), prefect_config::config::ConfigError>(())
    /// ```
    pub fn is_sensitive(&self) -> bool {
        self.sensitive || sensitive::has_sensitive_part(&self.raw, self.scope)
    }
}

/// `{"source": ..., "raw": ...}`, the raw value masked when
/// [sensitive](LayerValue::is_sensitive).
///
/// ```
/// use prefect_config::config::Loader;
/// let cfg = Loader::new().defaults_toml("[a]\ntoken = 'canary-7'").load()?;
/// let why = cfg.explain("a.token").unwrap();
/// let json = serde_json::to_string(&why.layers()[0]).unwrap();
/// assert_eq!(json, r#"{"source":{"layer":"defaults"},"raw":"********"}"#);
/// # Ok::<(), prefect_config::config::ConfigError>(())
/// ```
impl Serialize for LayerValue {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut map = serializer.serialize_map(Some(2))?;
        map.serialize_entry("source", &self.source)?;
        map.serialize_entry("raw", &self.shown_raw())?;
        map.end()
    }
}

/// The origin only: the value may be a secret.
impl fmt::Debug for LayerValue {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("LayerValue")
            .field("source", &self.source)
            .finish_non_exhaustive()
    }
}

/// What one step from raw text to final value did.
///
/// ```
/// use prefect_config::config::{Loader, StepKind};
/// let layers = Loader::new().defaults_toml("a = '1'").load_layers()?;
/// assert_eq!(layers.explain("a").unwrap().steps()[0].kind, StepKind::Cast);
/// # Ok::<(), prefect_config::config::ConfigError>(())
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum StepKind {
    /// `$VAR`, `${VAR}` and a leading `~` were expanded from the environment.
    ExpandEnv,
    /// Text was cast to the value of a literal (`"4200"` to 4200).
    Cast,
    /// One `${a.b}` reference was replaced.
    Reference,
    /// The task-defaults step of the standard loader normalised the value.
    TaskDefaults,
}

impl StepKind {
    /// A short, stable name: `expand_env`, `cast`, `reference` or `task_defaults`.
    ///
    /// ```
    /// assert_eq!(prefect_config::config::StepKind::ExpandEnv.name(), "expand_env");
    /// ```
    pub fn name(self) -> &'static str {
        match self {
            StepKind::ExpandEnv => "expand_env",
            StepKind::Cast => "cast",
            StepKind::Reference => "reference",
            StepKind::TaskDefaults => "task_defaults",
        }
    }
}

/// Serialized as its [`name`](StepKind::name).
///
/// ```
/// use prefect_config::config::StepKind;
/// assert_eq!(serde_json::to_string(&StepKind::ExpandEnv).unwrap(), r#""expand_env""#);
/// ```
impl Serialize for StepKind {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.name())
    }
}

/// One step from raw text to final value, with the value after it.
///
/// ```
/// use prefect_config::config::{Loader, Source, StepKind};
/// use serde_json::json;
/// let layers = Loader::new().defaults_toml("a = 'x'\nb = '${a}y'").load_layers()?;
/// let why = layers.explain("b").unwrap();
/// let step = &why.steps()[0];
/// assert_eq!((step.kind, &step.value, step.reference.as_deref()), (StepKind::Reference, &json!("xy"), Some("a")));
/// assert_eq!(step.source, Some(Source::DefaultsToml)); // where `a` came from
/// # Ok::<(), prefect_config::config::ConfigError>(())
/// ```
#[derive(Clone, PartialEq)]
#[non_exhaustive]
pub struct Step {
    /// What the step did.
    pub kind: StepKind,
    /// The value after the step.
    pub value: Value,
    /// For [`StepKind::Reference`]: the key that was referenced.
    pub reference: Option<String>,
    /// For [`StepKind::Reference`]: where the referenced value came from.
    pub source: Option<Source>,
    /// The value after this step is sensitive.
    pub(crate) sensitive: bool,
    /// The scope of the key, for judging the parts of the value (set by
    /// `Config::explain`).
    pub(crate) scope: Scope,
}

impl Step {
    pub(crate) fn new(kind: StepKind, value: Value) -> Step {
        Step {
            kind,
            value,
            reference: None,
            source: None,
            sensitive: false,
            scope: Scope::Other,
        }
    }

    /// True when the value after this step must not be shown: the key is
    /// sensitive, or a sensitive value went into it by this step or an
    /// earlier one (see [`Config::is_sensitive`](crate::config::Config::is_sensitive)).
    ///
    /// ```
    /// use prefect_config::config::Loader;
    /// let cfg = Loader::new()
    ///     .defaults_toml("[db]\npassword = 'pw'\nurl = 'pg://u@h?x=${db.password}'\nhost = 'h'\nurl2 = '${db.host}/${db.password}'")
    ///     .load()?;
    /// let steps = cfg.explain("db.url2").unwrap().steps().to_vec();
    /// assert!(!steps[0].is_sensitive()); // `${db.host}` replaced: nothing secret yet
    /// assert!(steps[1].is_sensitive()); // `${db.password}` went in
    /// # Ok::<(), prefect_config::config::ConfigError>(())
    /// ```
    pub fn is_sensitive(&self) -> bool {
        self.sensitive || sensitive::has_sensitive_part(&self.value, self.scope)
    }

    /// The value with what is sensitive masked, whole or part by part.
    pub(crate) fn shown_value(&self) -> Value {
        mask_value(&self.value, self.scope, self.sensitive)
    }
}

/// `{"step": kind, "value": ..., "reference": ..., "referenced_source": ...}`,
/// masked when [sensitive](Step::is_sensitive): the value, and the reference
/// name too (alone, a step cannot tell whether the name was read out of
/// secret text; [`Explanation`](crate::config::Explanation)'s `Serialize`
/// can, and masks it only then).
///
/// ```
/// use prefect_config::config::Loader;
/// let cfg = Loader::new().defaults_toml("a = 'x'\nb = '${a}y'").load()?;
/// let why = cfg.explain("b").unwrap();
/// assert_eq!(
///     serde_json::to_value(&why.steps()[0]).unwrap(),
///     serde_json::json!({"step": "reference", "value": "xy", "reference": "a", "referenced_source": {"layer": "defaults"}}),
/// );
/// # Ok::<(), prefect_config::config::ConfigError>(())
/// ```
impl Serialize for Step {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let reference = match &self.reference {
            Some(_) if self.is_sensitive() => Some(MASK),
            other => other.as_deref(),
        };
        let mut map = serializer.serialize_map(Some(4))?;
        map.serialize_entry("step", &self.kind)?;
        map.serialize_entry("value", &self.shown_value())?;
        map.serialize_entry("reference", &reference)?;
        map.serialize_entry("referenced_source", &self.source)?;
        map.end()
    }
}

/// The kind, reference and its source only: the value may be a secret. The
/// reference name is masked too when the value is sensitive, since it may
/// have been read out of a secret's own text (`${${context.secrets.X}}`).
impl fmt::Debug for Step {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let reference = match &self.reference {
            Some(_) if self.is_sensitive() => Some(MASK),
            other => other.as_deref(),
        };
        f.debug_struct("Step")
            .field("kind", &self.kind)
            .field("reference", &reference)
            .field("source", &self.source)
            .finish_non_exhaustive()
    }
}
