//! Prefect secrets: stores, typed values, and values that never print.
//!
//! # Pieces
//!
//! - [`Secret`]: Prefect's `Secret("NAME").get()`: the context's `secrets`
//!   first, then (with `backend = "cloud"` and `cloud.use_local_secrets =
//!   false`) Prefect Cloud or the backend you plug in.
//! - [`local()`]: the view ([`Secrets`]) of the context's `secrets` namespace,
//!   Prefect's `prefect.context.secrets`; [`building_flow`] runs code the way
//!   Prefect builds a flow, where `Secret::get` fails. These are secrets rules
//!   built on [`context`](crate::context), which knows nothing of this module.
//! - [`SecretBackend`]: a store of named JSON secrets with `get`, `names`,
//!   `set` and `delete`. Two come with the crate:
//!   - [`CloudBackend`]: Prefect Cloud's GraphQL API (`secret_value`,
//!     `secret_names`, `set_secret`, `delete_secret`), set up from
//!     `cloud.graphql`, `cloud.api_key`, `cloud.request_timeout` and
//!     `cloud.allow_insecure_http` (the API key never goes over `http://`
//!     to a host that is not loopback unless that setting is `true`:
//!     [`SecretError::InsecureHttp`]; redirects are never followed:
//!     [`SecretError::Redirected`]);
//!   - [`MemoryBackend`]: a map in memory, for tests and for programs that
//!     load secrets themselves.
//! - [`SecretValue`]: a secret's JSON value behind `secrecy`'s rules: `Debug`
//!   prints `********`, there is no `Display`, the value is reached only
//!   through [`ExposeSecret::expose_secret`], and its strings are wiped on drop.
//! - [`AwsCredentials`], [`GcpCredentials`], [`GitHubToken`]: Prefect's
//!   default secrets, typed.
//! - [`EnvVarSecret`] with [`Cast`]: Prefect's `EnvVarSecret` task.
//! - [`get_as`]: a secret deserialized into your own type.
//! - [`SecretError`]: every failure; no error ever contains a secret value or
//!   an API key, in `Display` or in `Debug`.
//!
//! [`SecretString`] and [`ExposeSecret`] are `secrecy`'s, re-exported so that
//! you do not need `secrecy` as a dependency of your own.
//!
//! ```
//! use prefect_config::secrets::{
//!     get_as, AwsCredentials, ExposeSecret, MemoryBackend, SecretBackend, SecretError,
//! };
//! use serde_json::json;
//!
//! let store = MemoryBackend::new()
//!     .with("AWS_CREDENTIALS", json!({"ACCESS_KEY": "AKIA1", "SECRET_ACCESS_KEY": "s3cr3t"}))
//!     .with("RETRIES", json!(3));
//!
//! // Untyped, but wrapped: printing it shows no value.
//! let raw = store.get_secret("AWS_CREDENTIALS")?;
//! assert_eq!(format!("{raw:?}"), r#"SecretValue("********")"#);
//!
//! // Typed default secrets.
//! let aws = AwsCredentials::from_value(raw.expose_secret())?;
//! assert_eq!(aws.secret_access_key.expose_secret(), "s3cr3t");
//!
//! // Your own types; a mismatch names the secret, not the value.
//! let retries: u8 = get_as(&store, "RETRIES")?;
//! assert_eq!(retries, 3);
//! let err = get_as::<String>(&store, "RETRIES").unwrap_err();
//! assert!(matches!(err, SecretError::TypeMismatch { .. }));
//!
//! assert_eq!(
//!     store.get("NOPE").unwrap_err().to_string(),
//!     r#"Local Secret "NOPE" was not found."#,
//! );
//! # Ok::<(), SecretError>(())
//! ```
//!
//! # Prefect Cloud
//!
//! The Cloud client needs the `cloud` feature (on by default). Without it,
//! a secret that must come from Cloud fails with
//! [`SecretError::CloudNotCompiled`].
//!
//! ```no_run
//! use prefect_config::secrets::{CloudBackend, SecretBackend};
//!
//! let config = prefect_config::global()?;
//! let cloud = CloudBackend::from_config(&config)?;
//! cloud.set("SLACK_WEBHOOK_URL", &"https://hooks.slack.com/…".into())?;
//! assert!(cloud.names()?.iter().any(|n| n == "SLACK_WEBHOOK_URL"));
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! # Where this differs from Prefect
//!
//! - Cloud requests send `variables` as a JSON object (the GraphQL-over-HTTP
//!   convention); Prefect 0.15's client sends them as a JSON-encoded string.
//!   The query texts and shapes are Prefect's.
//! - A request is tried once: Prefect retries 5xx answers and `API_ERROR`s
//!   and sleeps through rate limits (HTTP 429); here those are
//!   [`SecretError::Client`] errors for the caller to retry.
//! - The Cloud client refuses to send the API key in clear text to another
//!   machine unless `cloud.allow_insecure_http = true`, and reports a
//!   redirect as an error instead of following it; Prefect's client (Python
//!   `requests`) sends the key over any URL and follows redirects.
//! - [`Cast::Bool`] accepts only `true`/`false`; Python's `bool` is true for
//!   every non-empty string.
//! - A Cloud lookup's "not found" is its own error,
//!   [`SecretError::CloudNotFound`], rather than Python's `KeyError`.
//! - [`Secret::get`] decodes a string that holds JSON as Python's `json.loads`
//!   does, with three exceptions. A string holding an integer beyond 64 bits
//!   (`"18446744073709551616"`, also inside an array or object) comes back as
//!   the string it is, where Prefect returns the exact integer: a JSON value
//!   here holds 64-bit integers, and a rounded float would silently change
//!   the secret. JSON nested more than
//!   [`MAX_DEPTH`](crate::config::MAX_DEPTH) (64) levels deep also stays a
//!   string: every value in the crate is held to that cap to protect the
//!   stack, where Python goes on to its recursion limit; no real secret nests
//!   that deep. (Floats are correctly
//!   rounded and `-0` is the integer 0, as in Python.)
//! - [`Secret::get`] reads `backend` from the context's configuration
//!   ([`context::config`](crate::context::config)), as it does
//!   `cloud.use_local_secrets`; Prefect reads `backend` from the global
//!   configuration and `use_local_secrets` from the context's. One source
//!   means a scope that changes the configuration
//!   ([`context::with_temporary_config`](crate::context::with_temporary_config))
//!   sees one consistent answer to "local or Cloud?"; with Prefect's mix, a
//!   scope can turn local secrets off but never turn Cloud on.

mod backend;
#[cfg(feature = "cloud")]
mod cloud;
mod decode;
mod defaults;
mod env_var;
mod error;
mod local;
// Masking of what the Cloud API echoes back; only the Cloud client needs it.
#[cfg(feature = "cloud")]
mod redact;
mod secret;
#[cfg(feature = "cloud")]
mod transport;
mod value;

use serde::de::DeserializeOwned;

pub use backend::{MemoryBackend, SecretBackend};
#[cfg(feature = "cloud")]
pub use cloud::{CloudBackend, CloudBackendBuilder};
pub use defaults::{AwsCredentials, GcpCredentials, GitHubToken};
pub use env_var::{Cast, EnvVarSecret};
pub use error::SecretError;
pub use local::{Secrets, building_flow, building_flow_name, local};
pub use secrecy::{ExposeSecret, SecretString};
pub use secret::{Secret, set_default_backend};
pub use value::SecretValue;

/// The secret `name` from `backend`, deserialized into `T`.
///
/// When the value does not fit `T` the error is
/// [`SecretError::TypeMismatch`], naming the secret, the JSON kind it holds
/// and `T`; serde's own message is not used, because it quotes the value.
///
/// ```
/// use prefect_config::secrets::{get_as, MemoryBackend, SecretError};
/// use serde_json::json;
///
/// #[derive(serde::Deserialize)]
/// struct Db { user: String, password: String }
///
/// let store = MemoryBackend::new().with("DB", json!({"user": "u", "password": "pw-marker"}));
/// let db: Db = get_as(&store, "DB")?;
/// assert_eq!((db.user.as_str(), db.password.as_str()), ("u", "pw-marker"));
///
/// let err = get_as::<Vec<u8>>(&store, "DB").unwrap_err();
/// assert!(err.to_string().starts_with("secret `DB` holds an object, which cannot be read as `"));
/// assert!(!format!("{err} {err:?}").contains("pw-marker"));
/// # Ok::<(), SecretError>(())
/// ```
pub fn get_as<T: DeserializeOwned>(
    backend: &dyn SecretBackend,
    name: &str,
) -> Result<T, SecretError> {
    let value = backend.get_secret(name)?;
    T::deserialize(value.expose_secret()).map_err(|_| SecretError::TypeMismatch {
        name: name.to_owned(),
        expected: format!("`{}`", std::any::type_name::<T>()),
        found: error::kind_of(value.expose_secret()).to_owned(),
    })
}
