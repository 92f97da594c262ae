//! The one error type of the secrets API.
//!
//! No variant carries a secret value or an API key: names, HTTP statuses,
//! the API's own messages (with the request's secret value and the API key
//! masked out by `redact::scrub`) and descriptions this crate writes itself. The
//! derived `Debug` is therefore as safe to print as `Display`.

use std::time::Duration;

use serde_json::Value;

/// Everything that can go wrong while reading, listing, setting or deleting
/// a secret.
///
/// Match on the variant for the kind; `Display` gives a message meant for
/// people. Neither `Display` nor `Debug` ever prints a secret value or an API
/// key.
///
/// ```
/// use prefect_config::secrets::{MemoryBackend, SecretBackend, SecretError};
///
/// let err = MemoryBackend::new().get("MISSING").unwrap_err();
/// assert!(matches!(&err, SecretError::LocalNotFound { name } if name == "MISSING"));
/// assert_eq!(err.to_string(), r#"Local Secret "MISSING" was not found."#);
/// ```
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum SecretError {
    /// The secret is not among the local secrets (Prefect's `ValueError`).
    #[error("Local Secret \"{name}\" was not found.")]
    LocalNotFound {
        /// The secret's name.
        name: String,
    },

    /// Prefect Cloud has no secret of that name (Prefect's `KeyError`).
    #[error(
        "The secret {name} was not found in Prefect Cloud. Please ensure that it was set \
         correctly in your tenant, for example with `prefect-config secret set {name} VALUE \
         --cloud` or in the Cloud UI (Team > Secrets)."
    )]
    CloudNotFound {
        /// The secret's name.
        name: String,
    },

    /// A secret was requested while a flow is being built, not run.
    #[error("Secrets should only be retrieved during a Flow run, not while building a Flow.")]
    BuildingFlow,

    /// The API answered with GraphQL errors or an HTTP error status
    /// (Prefect's `ClientError`).
    #[error("{}", client_message(*.status, .message))]
    Client {
        /// The HTTP status, when the API answered with an error status.
        status: Option<u16>,
        /// The API's messages, joined with `; ` (secret value and key masked),
        /// or a description of the failure.
        message: String,
    },

    /// No API key is configured, so no request was sent.
    #[error(
        "no Prefect Cloud API key is set: set `cloud.api_key` (environment variable \
         `PREFECT__CLOUD__API_KEY`) or pass one to `CloudBackend::builder`"
    )]
    MissingApiKey,

    /// The API rejected the request's credentials (HTTP 401 or 403, or an
    /// `UNAUTHENTICATED` GraphQL error).
    #[error("Prefect Cloud rejected the API key as invalid or unauthorized ({detail})")]
    Unauthorized {
        /// The HTTP status, or the API's message (key masked).
        detail: String,
    },

    /// The API did not answer within the request timeout.
    #[error("Prefect Cloud did not answer within {}", fmt_duration(*.timeout))]
    Timeout {
        /// The timeout that elapsed (`cloud.request_timeout`).
        timeout: Duration,
    },

    /// The API could not be reached at all (connection refused, DNS, TLS…).
    #[error("cannot reach Prefect Cloud at `{url}`: {reason}")]
    Connection {
        /// The GraphQL endpoint, with any `user:password@` masked and its
        /// query string and fragment dropped.
        url: String,
        /// What failed.
        reason: String,
    },

    /// The endpoint is an `http://` URL on a host that is not loopback, so
    /// the API key would cross the network in clear text; nothing was sent.
    /// Use `https://`, or allow it with `cloud.allow_insecure_http = true`
    /// ([`CloudBackendBuilder::allow_insecure_http`](super::CloudBackendBuilder::allow_insecure_http)).
    #[error(
        "refusing to send the Prefect Cloud API key in clear text to `{host}`: the GraphQL \
         endpoint (`cloud.graphql`) is an http:// URL; use https://, or set \
         `cloud.allow_insecure_http = true` to allow it"
    )]
    InsecureHttp {
        /// The host (`host[:port]`) the key would have gone to.
        host: String,
    },

    /// The API answered with a redirect. Redirects are not followed: the
    /// request carries the API key (and the tenant), and a `POST` followed
    /// as a `GET` would never deliver a mutation.
    #[error("{}", redirect_message(*.status, .host.as_deref()))]
    Redirected {
        /// The HTTP status (301, 302, 303, 307, 308…).
        status: u16,
        /// The host (`host[:port]`) the redirect points to, when it names
        /// one; never its path or query string.
        host: Option<String>,
    },

    /// The API answered, but not with the JSON shape of a GraphQL response.
    #[error("malformed response from Prefect Cloud: {reason}")]
    MalformedResponse {
        /// What was wrong, described without quoting the body.
        reason: String,
    },

    /// A secret's value does not have the shape the caller asked for.
    #[error("secret `{name}` holds {found}, which cannot be read as {expected}")]
    TypeMismatch {
        /// The secret's name.
        name: String,
        /// What the caller asked for (a Rust type or a described shape).
        expected: String,
        /// What the value is, described without quoting it.
        found: String,
    },

    /// An [`EnvVarSecret`](super::EnvVarSecret) marked `raise_if_missing` found
    /// no such variable (message as in Prefect).
    #[error("Environment variable not set: {var}")]
    EnvVarMissing {
        /// The variable's name.
        var: String,
    },

    /// An environment variable's value could not be cast.
    #[error("environment variable `{var}` {reason}")]
    EnvVarCast {
        /// The variable's name.
        var: String,
        /// Why the cast failed, described without quoting the value.
        reason: String,
    },

    /// The configuration given to [`CloudBackend::from_config`](super::CloudBackend::from_config)
    /// is unusable.
    #[error("{reason} for key `{key}`")]
    InvalidConfig {
        /// The dotted key at fault.
        key: String,
        /// What is wrong, described without quoting the value.
        reason: String,
    },

    /// The secret must come from Prefect Cloud (`backend = "cloud"`,
    /// `cloud.use_local_secrets = false`), but this build of the crate has
    /// no Cloud client: its `cloud` Cargo feature is off.
    ///
    /// ```
    /// use prefect_config::secrets::SecretError;
    /// assert!(SecretError::CloudNotCompiled.to_string().contains("`cloud` feature"));
    /// ```
    #[error(
        "this secret must come from Prefect Cloud, but prefect-config was built without its \
         `cloud` feature (enable it, or set `cloud.use_local_secrets = true`)"
    )]
    CloudNotCompiled,
}

fn client_message(status: Option<u16>, message: &str) -> String {
    match status {
        Some(status) => format!("Prefect Cloud answered HTTP {status}: {message}"),
        None => format!("Prefect Cloud API error: {message}"),
    }
}

fn redirect_message(status: u16, host: Option<&str>) -> String {
    let target = match host {
        Some(host) => format!("a redirect to `{host}`"),
        None => "a redirect".to_owned(),
    };
    format!(
        "Prefect Cloud answered HTTP {status} with {target}, which is not followed (the request \
         carries the API key); set `cloud.graphql` to the final URL"
    )
}

fn fmt_duration(d: Duration) -> String {
    if d.subsec_nanos() == 0 {
        format!("{} s", d.as_secs())
    } else {
        format!("{} ms", d.as_millis())
    }
}

/// The JSON kind of a value with an article, for messages: "a string", "an object"…
pub(crate) fn kind_of(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_print_in_seconds_or_millis() {
        assert_eq!(fmt_duration(Duration::from_secs(15)), "15 s");
        assert_eq!(fmt_duration(Duration::from_millis(200)), "200 ms");
    }
}
