//! [`Secret`]: Prefect's `Secret("NAME").get()`.

use std::fmt;
use std::sync::Arc;

use once_cell::sync::Lazy;
use parking_lot::RwLock;
use serde::de::DeserializeOwned;
use serde_json::Value;

use crate::config::PrefectVersion;
use crate::context;
#[cfg(feature = "cloud")]
use crate::secrets::CloudBackend;
use crate::secrets::{EnvVarSecret, SecretBackend, SecretError, SecretValue, decode, error, local};

/// The backend asked when a secret is not in the context and Cloud secrets
/// are on. `None`: Prefect Cloud, set up from the effective configuration.
static DEFAULT_BACKEND: Lazy<RwLock<Option<Arc<dyn SecretBackend>>>> =
    Lazy::new(|| RwLock::new(None));

/// Makes `backend` the store [`Secret::get`] asks when a secret is not in the
/// context and Cloud secrets are on (`backend = "cloud"`,
/// `cloud.use_local_secrets = false`), instead of Prefect Cloud. Use it to
/// plug in Vault, AWS Secrets Manager or a test double for the whole process;
/// [`Secret::with_backend`] does it for one secret. Returns the previous one.
///
/// ```
/// use std::sync::Arc;
/// use prefect_config::secrets::{set_default_backend, MemoryBackend};
/// let previous = set_default_backend(Some(Arc::new(MemoryBackend::new())));
/// assert!(previous.is_none());
/// set_default_backend(None); // back to Prefect Cloud
/// ```
pub fn set_default_backend(
    backend: Option<Arc<dyn SecretBackend>>,
) -> Option<Arc<dyn SecretBackend>> {
    std::mem::replace(&mut *DEFAULT_BACKEND.write(), backend)
}

/// A named secret, looked up the way Prefect's `Secret.get()` does (the same
/// in 0.15.13 and 1.4.1; [`exists`](Secret::exists) differs by
/// [version](crate::config::PrefectVersion)).
///
/// 1. While a flow is being built ([`building_flow`](crate::secrets::building_flow)), `get` fails.
/// 2. The `secrets` key of the current context: filled from `[context.secrets]`
///    in any TOML layer, the secrets directory, `PREFECT__CONTEXT__SECRETS__NAME`
///    variables and runtime edits ([`Secrets::insert`](crate::secrets::Secrets::insert)). A string that parses
///    as JSON comes back decoded (`'{"x": 42}'` → an object, `"42"` → 42), any
///    other string as it is; other values as they are. Decoding never rounds:
///    floats are correctly rounded, `"-0"` is the integer 0, and a string
///    holding an integer beyond 64 bits (`"18446744073709551616"`) is kept as
///    the string it is.
/// 3. Not there: unless `backend = "cloud"` and `cloud.use_local_secrets =
///    false` in the effective configuration, the error is
///    `Local Secret "NAME" was not found.`; otherwise the Cloud backend (or the
///    one set with [`set_default_backend`] / [`Secret::with_backend`]) is
///    asked, and its string answers are JSON-decoded the same way.
///
/// ```
/// # prefect_config::set_global(prefect_config::config::Loader::new().embedded_defaults().env_vars([("HOME", "/h")]).load().unwrap()).ok();
/// use prefect_config::{context, secrets::Secret};
/// use serde_json::json;
///
/// context::with(json!({"secrets": {"CREDS": "{\"x\": 42}", "PLAIN": "hunter2"}}), || {
///     assert_eq!(Secret::new("CREDS").get().unwrap(), json!({"x": 42}));
///     assert_eq!(Secret::new("PLAIN").get().unwrap(), json!("hunter2"));
///     assert!(Secret::new("PLAIN").exists());
/// });
/// let err = Secret::new("PLAIN").get().unwrap_err();
/// assert_eq!(err.to_string(), r#"Local Secret "PLAIN" was not found."#);
/// ```
#[derive(Clone)]
pub struct Secret {
    name: String,
    backend: Option<Arc<dyn SecretBackend>>,
}

impl Secret {
    /// The secret called `name` (case-sensitive).
    ///
    /// ```
    /// assert_eq!(prefect_config::secrets::Secret::new("API_KEY").name(), "API_KEY");
    /// ```
    pub fn new(name: impl Into<String>) -> Secret {
        Secret {
            name: name.into(),
            backend: None,
        }
    }

    /// Prefect's `EnvVarSecret`: a secret read from an environment variable.
    ///
    /// ```
    /// use prefect_config::secrets::{Cast, Secret};
    /// let port = Secret::from_env_var("PORT").cast(Cast::Int);
    /// let value = port.get_with(|name| (name == "PORT").then(|| "8080".to_owned()))?;
    /// assert_eq!(value.map(|v| v.expose_secret().clone()), Some(serde_json::json!(8080)));
    /// # use prefect_config::secrets::ExposeSecret;
    /// # Ok::<(), prefect_config::secrets::SecretError>(())
    /// ```
    pub fn from_env_var(var: impl Into<String>) -> EnvVarSecret {
        EnvVarSecret::new(var)
    }

    /// Asks `backend` instead of the default when the secret is not local.
    ///
    /// ```
    /// # prefect_config::set_global(prefect_config::config::Loader::new().embedded_defaults().env_vars([("HOME", "/h")]).load().unwrap()).ok();
    /// use std::sync::Arc;
    /// use prefect_config::{context, secrets::{MemoryBackend, Secret}};
    /// use serde_json::json;
    ///
    /// let vault = Arc::new(MemoryBackend::new().with("DB", json!("{\"user\": \"u\"}")));
    /// let value = context::with_temporary_config([("cloud.use_local_secrets", json!(false))], || {
    ///     Secret::new("DB").with_backend(vault).get()
    /// })?;
    /// assert_eq!(value, json!({"user": "u"}));
    /// # Ok::<(), prefect_config::secrets::SecretError>(())
    /// ```
    pub fn with_backend(mut self, backend: Arc<dyn SecretBackend>) -> Secret {
        self.backend = Some(backend);
        self
    }

    /// The secret's name.
    ///
    /// ```
    /// assert_eq!(prefect_config::secrets::Secret::new("Token").name(), "Token");
    /// ```
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The secret's value (see the type's docs for the lookup rules).
    ///
    /// Prefer [`Secret::get_secret`] when the value may be printed or logged.
    ///
    /// ```
    /// # prefect_config::set_global(prefect_config::config::Loader::new().embedded_defaults().env_vars([("HOME", "/h")]).load().unwrap()).ok();
    /// use prefect_config::{context, secrets::Secret};
    /// let value = context::with(serde_json::json!({"secrets": {"CFG": "[1, 2]"}}), || Secret::new("CFG").get())?;
    /// assert_eq!(value, serde_json::json!([1, 2]));
    /// # Ok::<(), prefect_config::secrets::SecretError>(())
    /// ```
    pub fn get(&self) -> Result<Value, SecretError> {
        self.with_stored(decode)
    }

    /// The secret exactly as stored, without Prefect's JSON decoding: text
    /// stays text, so a numeric password (`"123456"`) or a PIN with leading
    /// zeros (`"0042"`) comes back as written. A value stored as something
    /// else (a TOML number or table) comes back as it is. Wrapped so that it
    /// never prints.
    ///
    /// ```
    /// # prefect_config::set_global(prefect_config::config::Loader::new().embedded_defaults().env_vars([("HOME", "/h")]).load().unwrap()).ok();
    /// use prefect_config::{context, secrets::{ExposeSecret, Secret}};
    /// use serde_json::json;
    /// context::with(json!({"secrets": {"PIN": "0042", "PW": "123456"}}), || {
    ///     let pw = Secret::new("PW");
    ///     assert_eq!(pw.get().unwrap(), json!(123456)); // Prefect's rule: JSON text is decoded
    ///     assert_eq!(pw.get_text().unwrap().expose_secret(), "123456");
    ///     assert_eq!(Secret::new("PIN").get_text().unwrap().expose_secret(), "0042");
    /// });
    /// ```
    pub fn get_text(&self) -> Result<SecretValue, SecretError> {
        self.with_stored(|value| SecretValue::new(value.clone()))
    }

    /// The value as the context or the store holds it, before decoding.
    /// `f` of the value as the context or the store holds it, before
    /// decoding; a local value is read in place, without a copy.
    fn with_stored<R>(&self, f: impl Fn(&Value) -> R) -> Result<R, SecretError> {
        if local::building_flow_name().is_some() {
            return Err(SecretError::BuildingFlow);
        }
        if let Some(result) = local::with_secret(&self.name, |value| value.map(&f)) {
            return Ok(result);
        }
        match self.remote_backend(Lookup::Get)? {
            Some(backend) => {
                // The store's answer is wiped when dropped.
                let answer = SecretValue::new(backend.get(&self.name)?);
                Ok(f(secrecy::ExposeSecret::expose_secret(&answer)))
            }
            None => Err(SecretError::LocalNotFound {
                name: self.name.clone(),
            }),
        }
    }

    /// Like [`get`](Secret::get), with the value wrapped so that it never
    /// prints.
    ///
    /// ```
    /// # prefect_config::set_global(prefect_config::config::Loader::new().embedded_defaults().env_vars([("HOME", "/h")]).load().unwrap()).ok();
    /// use prefect_config::{context, secrets::{ExposeSecret, Secret}};
    /// let token = context::with(serde_json::json!({"secrets": {"T": "tok"}}), || Secret::new("T").get_secret())?;
    /// assert_eq!(format!("{token:?}"), r#"SecretValue("********")"#);
    /// assert_eq!(token.expose_secret(), "tok");
    /// # Ok::<(), prefect_config::secrets::SecretError>(())
    /// ```
    pub fn get_secret(&self) -> Result<SecretValue, SecretError> {
        self.get().map(SecretValue::new)
    }

    /// The value deserialized into `T`; a mismatch names the secret and the
    /// kinds involved, never the value.
    ///
    /// ```
    /// # prefect_config::set_global(prefect_config::config::Loader::new().embedded_defaults().env_vars([("HOME", "/h")]).load().unwrap()).ok();
    /// use prefect_config::{context, secrets::Secret};
    /// context::with(serde_json::json!({"secrets": {"RETRIES": "3"}}), || {
    ///     assert_eq!(Secret::new("RETRIES").get_as::<u8>().unwrap(), 3);
    ///     assert!(Secret::new("RETRIES").get_as::<String>().is_err());
    /// });
    /// ```
    pub fn get_as<T: DeserializeOwned>(&self) -> Result<T, SecretError> {
        let (value, was_text) = self.with_stored(|stored| (decode(stored), stored.is_string()))?;
        let value = SecretValue::new(value);
        let exposed = secrecy::ExposeSecret::expose_secret(&value);
        T::deserialize(exposed).map_err(|_| {
            let kind = error::kind_of(exposed);
            // Text that JSON decoding turned into something else: the
            // caller may have wanted the text itself.
            let found = if was_text && !exposed.is_string() {
                format!("{kind} decoded from its text as JSON (`Secret::get_text` returns the text as stored)")
            } else {
                kind.to_owned()
            };
            SecretError::TypeMismatch {
                name: self.name.clone(),
                expected: format!("`{}`", std::any::type_name::<T>()),
                found,
            }
        })
    }

    /// True when the secret is in the context or, with Cloud secrets on, in
    /// the backend's `secret_names`. A backend failure counts as "no"; use
    /// [`try_exists`](Secret::try_exists) to see it.
    ///
    /// "Cloud secrets on" follows the configuration's
    /// [`prefect_version`](crate::config::Config::prefect_version), as
    /// Prefect's `Secret.exists` does: under 0.15 the backend is asked
    /// whenever `cloud.use_local_secrets = false`, whatever `backend` is;
    /// under 1.x only when `backend = "cloud"` too (the rule of
    /// [`get`](Secret::get) in both).
    ///
    /// ```
    /// # prefect_config::set_global(prefect_config::config::Loader::new().embedded_defaults().env_vars([("HOME", "/h")]).load().unwrap()).ok();
    /// use prefect_config::{context, secrets::Secret};
    /// assert!(!Secret::new("A").exists());
    /// assert!(context::with(serde_json::json!({"secrets": {"A": null}}), || Secret::new("A").exists()));
    /// ```
    pub fn exists(&self) -> bool {
        self.try_exists().unwrap_or(false)
    }

    /// Like [`exists`](Secret::exists), reporting backend failures.
    ///
    /// ```
    /// # prefect_config::set_global(prefect_config::config::Loader::new().embedded_defaults().env_vars([("HOME", "/h")]).load().unwrap()).ok();
    /// assert_eq!(prefect_config::secrets::Secret::new("NOPE").try_exists()?, false);
    /// # Ok::<(), prefect_config::secrets::SecretError>(())
    /// ```
    pub fn try_exists(&self) -> Result<bool, SecretError> {
        if local::with_secret(&self.name, |value| value.is_some()) {
            return Ok(true);
        }
        match self.remote_backend(Lookup::Exists)? {
            Some(backend) => Ok(backend.names()?.contains(&self.name)),
            None => Ok(false),
        }
    }

    /// The backend to ask when the secret is not local, or `None` when local
    /// secrets only are in use.
    fn remote_backend(
        &self,
        lookup: Lookup,
    ) -> Result<Option<Arc<dyn SecretBackend>>, SecretError> {
        let config = context::config();
        if !asks_backend(&config, lookup) {
            return Ok(None);
        }
        if let Some(backend) = &self.backend {
            return Ok(Some(backend.clone()));
        }
        if let Some(backend) = DEFAULT_BACKEND.read().clone() {
            return Ok(Some(backend));
        }
        Self::cloud_backend(&config)
    }

    #[cfg(feature = "cloud")]
    fn cloud_backend(
        config: &crate::config::Config,
    ) -> Result<Option<Arc<dyn SecretBackend>>, SecretError> {
        Ok(Some(Arc::new(CloudBackend::from_config(config)?)))
    }

    /// Without the `cloud` feature there is no client to ask.
    #[cfg(not(feature = "cloud"))]
    fn cloud_backend(
        _config: &crate::config::Config,
    ) -> Result<Option<Arc<dyn SecretBackend>>, SecretError> {
        Err(SecretError::CloudNotCompiled)
    }
}

/// Which of Prefect's methods is being followed: `get` and `exists` decide
/// differently whether to ask the backend.
#[derive(Clone, Copy)]
enum Lookup {
    Get,
    Exists,
}

/// Whether a secret missing from the context is looked up in the backend,
/// as each Prefect release's `prefect/client/secrets.py` decides (Python's
/// `use_local_secrets is False`: only the boolean `false` turns local
/// secrets off):
///
/// | release | `Secret.get`                                  | `Secret.exists`     |
/// |---------|-----------------------------------------------|---------------------|
/// | 0.15.13 | `backend == "cloud"` and local secrets off    | local secrets off   |
/// | 1.4.1   | `backend == "cloud"` and local secrets off    | the same as `get`   |
fn asks_backend(config: &crate::config::Config, lookup: Lookup) -> bool {
    let local_off = config.get("cloud.use_local_secrets") == Some(&Value::Bool(false));
    let cloud = config.get("backend").and_then(Value::as_str) == Some("cloud");
    match (lookup, config.prefect_version()) {
        (Lookup::Exists, PrefectVersion::V0_15) => local_off,
        _ => cloud && local_off,
    }
}

/// Prefect's `json.loads` step: strings that are JSON come back decoded,
/// unless they hold an integer beyond 64 bits (then the text is kept, never
/// a rounded number) or nest deeper than [`MAX_DEPTH`](crate::config::MAX_DEPTH)
/// (kept as text too). Values in the context are already held to that cap.
fn decode(value: &Value) -> Value {
    match value {
        Value::String(text) => decode::loads(text).unwrap_or_else(|_| value.clone()),
        other => other.clone(),
    }
}

/// The name only: the value is never held here, and never printed.
impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Secret")
            .field("name", &self.name)
            .finish_non_exhaustive()
    }
}

impl crate::secrets::AwsCredentials {
    /// Reads the `AWS_CREDENTIALS` secret through [`Secret::get`].
    ///
    /// ```
    /// # prefect_config::set_global(prefect_config::config::Loader::new().embedded_defaults().env_vars([("HOME", "/h")]).load().unwrap()).ok();
    /// use prefect_config::{context, secrets::{AwsCredentials, ExposeSecret}};
    /// let creds = serde_json::json!({"ACCESS_KEY": "AKIA", "SECRET_ACCESS_KEY": "s"});
    /// let aws = context::with(serde_json::json!({"secrets": {"AWS_CREDENTIALS": creds}}), AwsCredentials::get)?;
    /// assert_eq!(aws.secret_access_key.expose_secret(), "s");
    /// # Ok::<(), prefect_config::secrets::SecretError>(())
    /// ```
    pub fn get() -> Result<Self, SecretError> {
        let value = Secret::new(Self::SECRET_NAME).get_secret()?;
        Self::from_value(secrecy::ExposeSecret::expose_secret(&value))
    }
}

impl crate::secrets::GcpCredentials {
    /// Reads the `GCP_CREDENTIALS` secret (the service-account JSON object)
    /// through [`Secret::get`].
    ///
    /// ```
    /// # prefect_config::set_global(prefect_config::config::Loader::new().embedded_defaults().env_vars([("HOME", "/h")]).load().unwrap()).ok();
    /// use prefect_config::{context, secrets::GcpCredentials};
    /// let account = serde_json::json!({"type": "service_account", "project_id": "p", "private_key": "k", "client_email": "e@p"});
    /// let gcp = context::with(serde_json::json!({"secrets": {"GCP_CREDENTIALS": account}}), GcpCredentials::get)?;
    /// assert_eq!(gcp.project_id(), Some("p"));
    /// # Ok::<(), prefect_config::secrets::SecretError>(())
    /// ```
    pub fn get() -> Result<Self, SecretError> {
        let value = Secret::new(Self::SECRET_NAME).get_secret()?;
        Self::from_value(secrecy::ExposeSecret::expose_secret(&value))
    }
}

impl crate::secrets::GitHubToken {
    /// Reads the `GITHUB_ACCESS_TOKEN` secret through [`Secret::get`].
    ///
    /// ```
    /// # prefect_config::set_global(prefect_config::config::Loader::new().embedded_defaults().env_vars([("HOME", "/h")]).load().unwrap()).ok();
    /// use prefect_config::{context, secrets::GitHubToken};
    /// let token = context::with(serde_json::json!({"secrets": {"GITHUB_ACCESS_TOKEN": "ghp_1"}}), GitHubToken::get)?;
    /// assert_eq!(format!("{token:?}").contains("ghp_1"), false);
    /// # Ok::<(), prefect_config::secrets::SecretError>(())
    /// ```
    pub fn get() -> Result<Self, SecretError> {
        let value = Secret::new(Self::SECRET_NAME).get_secret()?;
        Self::from_value(secrecy::ExposeSecret::expose_secret(&value))
    }
}
