//! [`CloudBackend`]: Prefect Cloud's secrets over its GraphQL API.

use std::fmt;
use std::io;
use std::time::Duration;

use secrecy::zeroize::Zeroizing;
use secrecy::{ExposeSecret, SecretString};
use serde_json::{Value, json};
use ureq::http::HeaderValue;

use super::SecretError;
use super::error::kind_of;
use super::redact::{needles_of, redact_url, scrub, url_needles};
use super::transport::{clear_text_host, redirect_host};
use super::value::wipe;
use crate::config::Config;
use crate::render::MASK;

mod reply;

use reply::{graphql_outcome, malformed, mutation_succeeded};

/// Prefect's `cloud.request_timeout` default, in seconds.
const DEFAULT_TIMEOUT: Duration = Duration::from_secs(15);

/// The largest response body read; a secrets answer is a few kilobytes.
const MAX_BODY: u64 = 16 * 1024 * 1024;

/// The message Prefect Cloud gives for a secret that does not exist.
const NOT_FOUND_MESSAGE: &str = "No value found for the requested key";

// The operations, as Prefect 0.15's client sends them (`Secret.get`,
// `Secret.exists`, `Client.set_secret`); `delete_secret` is the Cloud API's
// mutation of the same shape, which the Python client does not wrap.
const GET_QUERY: &str = "query($name: String!) {\n    secret_value(name: $name)\n}";
const NAMES_QUERY: &str = "query {\n    secret_names\n}";
const SET_MUTATION: &str = "mutation($input: set_secret_input!) {\n    set_secret(input: $input) {\n        success\n    }\n}";
const DELETE_MUTATION: &str = "mutation($input: delete_secret_input!) {\n    delete_secret(input: $input) {\n        success\n    }\n}";

/// Secrets stored in Prefect Cloud, read and written through its GraphQL API.
///
/// Every call is one blocking `POST` of `{"query": ..., "variables": {...}}`
/// to the GraphQL endpoint with `Authorization: Bearer <api key>` (and
/// `X-PREFECT-TENANT-ID` when a tenant is set), bounded by the request
/// timeout. Failures map onto [`SecretError`]:
///
/// | the API answers                                   | error                                |
/// |---------------------------------------------------|--------------------------------------|
/// | (no API key configured; nothing is sent)          | [`MissingApiKey`](SecretError::MissingApiKey) |
/// | HTTP 401 / 403, or an `UNAUTHENTICATED` error     | [`Unauthorized`](SecretError::Unauthorized) |
/// | GraphQL error "No value found for the requested key" (on `get`) | [`CloudNotFound`](SecretError::CloudNotFound) |
/// | any other GraphQL error                           | [`Client`](SecretError::Client) with the API's message |
/// | another HTTP error status                         | [`Client`](SecretError::Client) with the status |
/// | `success: false` from a mutation                  | [`Client`](SecretError::Client) ("Setting secret failed.") |
/// | a redirect (3xx); it is not followed              | [`Redirected`](SecretError::Redirected) |
/// | (an `http://` endpoint on a host that is not loopback, not allowed; nothing is sent) | [`InsecureHttp`](SecretError::InsecureHttp) |
/// | nothing within the timeout                        | [`Timeout`](SecretError::Timeout) |
/// | no connection                                     | [`Connection`](SecretError::Connection) |
/// | a body that is not a GraphQL response             | [`MalformedResponse`](SecretError::MalformedResponse) |
///
/// The API key is a [`SecretString`]; `Debug` shows the URL (without
/// user-info, query string or fragment) and masks the key, and API messages
/// are scrubbed of the key (and, for `set`, of the value, also when echoed
/// escaped, upper-cased or cut short) before they go into an error.
///
/// The key never crosses the network in clear text unless allowed: with an
/// `http://` endpoint on a host that is not loopback, every call fails with
/// [`InsecureHttp`](SecretError::InsecureHttp) before sending anything, unless
/// [`allow_insecure_http`](CloudBackendBuilder::allow_insecure_http) (from
/// `cloud.allow_insecure_http = true`) allows it; [`insecure_host`](CloudBackend::insecure_host)
/// tells when to warn. Redirects are never followed.
///
/// ```
/// use std::time::Duration;
/// use prefect_config::secrets::{CloudBackend, SecretBackend, SecretError};
///
/// let cloud = CloudBackend::builder("https://api.prefect.io/graphql")
///     .timeout(Duration::from_secs(5))
///     .build();
/// // No key: the call fails before anything is sent.
/// assert_eq!(cloud.names(), Err(SecretError::MissingApiKey));
/// assert_eq!(
///     format!("{cloud:?}"),
///     r#"CloudBackend { url: "https://api.prefect.io/graphql", api_key: None, tenant_id: None, timeout: 5s, allow_insecure_http: false }"#,
/// );
/// ```
pub struct CloudBackend {
    url: String,
    api_key: Option<SecretString>,
    tenant_id: Option<String>,
    timeout: Duration,
    allow_insecure_http: bool,
    insecure_host: Option<String>,
    agent: ureq::Agent,
}

/// Settings for a [`CloudBackend`]; start with [`CloudBackend::builder`].
///
/// ```
/// use prefect_config::secrets::CloudBackend;
///
/// let builder = CloudBackend::builder("http://127.0.0.1:4200/graphql").api_key("pcu_marker");
/// assert!(!format!("{builder:?}").contains("pcu_marker"));
/// let cloud = builder.build();
/// assert_eq!(cloud.url(), "http://127.0.0.1:4200/graphql");
/// ```
#[must_use]
pub struct CloudBackendBuilder {
    url: String,
    api_key: Option<SecretString>,
    tenant_id: Option<String>,
    timeout: Duration,
    allow_insecure_http: bool,
}

impl CloudBackendBuilder {
    /// The API key (or legacy API token) sent as `Authorization: Bearer`.
    /// An empty key counts as none.
    ///
    /// ```
    /// use prefect_config::secrets::CloudBackend;
    ///
    /// let cloud = CloudBackend::builder("http://127.0.0.1:1/graphql").api_key("k").build();
    /// assert!(cloud.has_api_key());
    /// ```
    pub fn api_key(mut self, key: impl Into<SecretString>) -> Self {
        self.api_key = Some(key.into());
        self
    }

    /// The tenant sent as `X-PREFECT-TENANT-ID` (Prefect's `cloud.tenant_id`).
    ///
    /// ```
    /// use prefect_config::secrets::CloudBackend;
    ///
    /// let cloud = CloudBackend::builder("http://127.0.0.1:1/graphql").tenant_id("t-1").build();
    /// assert_eq!(cloud.tenant_id(), Some("t-1"));
    /// ```
    pub fn tenant_id(mut self, tenant: impl Into<String>) -> Self {
        self.tenant_id = Some(tenant.into()).filter(|t| !t.is_empty());
        self
    }

    /// The limit on a whole request, connection to last byte (default 15 s,
    /// Prefect's `cloud.request_timeout`).
    ///
    /// ```
    /// use std::time::Duration;
    /// use prefect_config::secrets::CloudBackend;
    ///
    /// let cloud = CloudBackend::builder("http://127.0.0.1:1/graphql")
    ///     .timeout(Duration::from_millis(200))
    ///     .build();
    /// assert_eq!(cloud.timeout(), Duration::from_millis(200));
    /// ```
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.timeout = timeout;
        self
    }

    /// Allows sending the API key over `http://` to a host that is not
    /// loopback (Prefect's `cloud.allow_insecure_http`; off by default).
    /// Anyone on the path can then read the key: only for a trusted network.
    ///
    /// ```
    /// use prefect_config::secrets::{CloudBackend, SecretBackend, SecretError};
    ///
    /// let refused = CloudBackend::builder("http://prefect.internal/graphql").api_key("k").build();
    /// assert_eq!(refused.insecure_host(), Some("prefect.internal"));
    /// assert!(matches!(refused.names(), Err(SecretError::InsecureHttp { host }) if host == "prefect.internal"));
    /// let allowed = CloudBackend::builder("http://prefect.internal/graphql")
    ///     .allow_insecure_http(true)
    ///     .build();
    /// assert_eq!(allowed.insecure_host(), Some("prefect.internal")); // still worth a warning
    /// ```
    pub fn allow_insecure_http(mut self, allow: bool) -> Self {
        self.allow_insecure_http = allow;
        self
    }

    /// The backend.
    ///
    /// ```
    /// use prefect_config::secrets::CloudBackend;
    ///
    /// let cloud = CloudBackend::builder("http://127.0.0.1:1/graphql").build();
    /// assert!(!cloud.has_api_key());
    /// ```
    pub fn build(self) -> CloudBackend {
        let config = ureq::Agent::config_builder()
            .timeout_global(Some(self.timeout))
            // Error statuses carry GraphQL errors in the body; they are read, not raised.
            .http_status_as_error(false)
            // A redirect is reported, never followed: following would send
            // the key and tenant elsewhere and turn the POST into a GET.
            .max_redirects(0)
            .user_agent(concat!("prefect-config/", env!("CARGO_PKG_VERSION")))
            .build();
        CloudBackend {
            insecure_host: clear_text_host(&self.url),
            allow_insecure_http: self.allow_insecure_http,
            url: self.url,
            api_key: self.api_key.filter(|k| !k.expose_secret().is_empty()),
            tenant_id: self.tenant_id,
            timeout: self.timeout,
            agent: config.into(),
        }
    }
}

impl fmt::Debug for CloudBackendBuilder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("CloudBackendBuilder")
            .field("url", &redact_url(&self.url))
            .field("api_key", &self.api_key.as_ref().map(|_| MASK))
            .field("tenant_id", &self.tenant_id)
            .field("timeout", &self.timeout)
            .field("allow_insecure_http", &self.allow_insecure_http)
            .finish()
    }
}

impl CloudBackend {
    /// A builder for a backend talking to the GraphQL endpoint `url`, with no
    /// API key and a 15 s timeout.
    ///
    /// ```
    /// use prefect_config::secrets::CloudBackend;
    ///
    /// let cloud = CloudBackend::builder("https://api.prefect.io/graphql").build();
    /// assert_eq!(cloud.timeout().as_secs(), 15);
    /// ```
    pub fn builder(url: impl Into<String>) -> CloudBackendBuilder {
        CloudBackendBuilder {
            url: url.into(),
            api_key: None,
            tenant_id: None,
            timeout: DEFAULT_TIMEOUT,
            allow_insecure_http: false,
        }
    }

    /// A backend set up from Prefect's configuration:
    ///
    /// - `cloud.graphql`: the endpoint (required, a string);
    /// - `cloud.api_key`, else `cloud.auth_token` (the deprecated API token):
    ///   the key; when both are missing or empty, calls fail with
    ///   [`SecretError::MissingApiKey`];
    /// - `cloud.tenant_id`: sent when not empty;
    /// - `cloud.request_timeout`: seconds, a positive number (default 15);
    /// - `cloud.allow_insecure_http`: `true` to allow an `http://` endpoint on
    ///   a host that is not loopback (default `false`; see
    ///   [`allow_insecure_http`](CloudBackendBuilder::allow_insecure_http)).
    ///
    /// ```
    /// use prefect_config::config::Loader;
    /// use prefect_config::secrets::CloudBackend;
    ///
    /// let cfg = Loader::prefect()
    ///     .env_vars([("PREFECT__CLOUD__API_KEY", "pcu_marker"), ("PREFECT__CLOUD__REQUEST_TIMEOUT", "2.5")])
    ///     .load()?;
    /// let cloud = CloudBackend::from_config(&cfg)?;
    /// assert_eq!(cloud.url(), "https://api.prefect.io/graphql");
    /// assert!(cloud.has_api_key());
    /// assert_eq!(cloud.timeout().as_millis(), 2500);
    /// assert!(!format!("{cloud:?}").contains("pcu_marker"));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn from_config(config: &Config) -> Result<Self, SecretError> {
        let url = match config.get("cloud.graphql") {
            Some(Value::String(url)) if !url.is_empty() => url.clone(),
            Some(Value::String(_)) => return Err(invalid("cloud.graphql", "an empty URL".into())),
            Some(other) => {
                return Err(invalid(
                    "cloud.graphql",
                    format!("expected a URL string, found {}", kind_of(other)),
                ));
            }
            None => return Err(invalid("cloud.graphql", "missing GraphQL endpoint".into())),
        };
        let mut builder = CloudBackend::builder(url)
            .timeout(timeout_of(config)?)
            .allow_insecure_http(allow_insecure_http_of(config)?);
        for key in ["cloud.api_key", "cloud.auth_token"] {
            match config.get(key) {
                Some(Value::String(k)) if !k.is_empty() => {
                    builder = builder.api_key(k.as_str());
                    break;
                }
                Some(Value::String(_) | Value::Null) | None => {}
                Some(other) => {
                    return Err(invalid(
                        key,
                        format!("expected a string, found {}", kind_of(other)),
                    ));
                }
            }
        }
        if let Some(tenant) = config.get("cloud.tenant_id") {
            match tenant {
                Value::String(t) => builder = builder.tenant_id(t.as_str()),
                Value::Null => {}
                other => {
                    return Err(invalid(
                        "cloud.tenant_id",
                        format!("expected a string, found {}", kind_of(other)),
                    ));
                }
            }
        }
        Ok(builder.build())
    }

    /// The GraphQL endpoint.
    ///
    /// ```
    /// use prefect_config::secrets::CloudBackend;
    ///
    /// assert_eq!(CloudBackend::builder("http://h/graphql").build().url(), "http://h/graphql");
    /// ```
    pub fn url(&self) -> &str {
        &self.url
    }

    /// Whether an API key is set (the key itself is never handed out).
    ///
    /// ```
    /// use prefect_config::secrets::CloudBackend;
    ///
    /// assert!(!CloudBackend::builder("http://h/graphql").api_key("").build().has_api_key());
    /// ```
    pub fn has_api_key(&self) -> bool {
        self.api_key.is_some()
    }

    /// The tenant sent with each request, if any.
    ///
    /// ```
    /// use prefect_config::secrets::CloudBackend;
    ///
    /// assert_eq!(CloudBackend::builder("http://h/graphql").build().tenant_id(), None);
    /// ```
    pub fn tenant_id(&self) -> Option<&str> {
        self.tenant_id.as_deref()
    }

    /// The host (`host[:port]`) that requests carry the API key to in clear
    /// text: `Some` when the endpoint is `http://` on a host that is not
    /// loopback, whether or not that is allowed. Calls fail with
    /// [`SecretError::InsecureHttp`] unless it is; when it is, a program
    /// should still warn.
    ///
    /// ```
    /// use prefect_config::secrets::CloudBackend;
    ///
    /// assert_eq!(CloudBackend::builder("http://10.1.2.3:4200/graphql").build().insecure_host(), Some("10.1.2.3:4200"));
    /// assert_eq!(CloudBackend::builder("http://localhost:4200/graphql").build().insecure_host(), None);
    /// assert_eq!(CloudBackend::builder("https://api.prefect.io/graphql").build().insecure_host(), None);
    /// ```
    pub fn insecure_host(&self) -> Option<&str> {
        self.insecure_host.as_deref()
    }

    /// The limit on each request.
    ///
    /// ```
    /// use std::time::Duration;
    /// use prefect_config::secrets::CloudBackend;
    ///
    /// assert_eq!(CloudBackend::builder("http://h/graphql").build().timeout(), Duration::from_secs(15));
    /// ```
    pub fn timeout(&self) -> Duration {
        self.timeout
    }

    /// Sends one GraphQL operation and returns its `data` object.
    ///
    /// `not_found` names the secret whose absence the API may report;
    /// `sent_secret` is a value whose text must not come back in an error.
    fn execute(
        &self,
        query: &str,
        variables: Value,
        not_found: Option<&str>,
        sent_secret: Option<&Value>,
    ) -> Result<Value, SecretError> {
        let key = self.api_key.as_ref().ok_or(SecretError::MissingApiKey)?;
        if let (Some(host), false) = (&self.insecure_host, self.allow_insecure_http) {
            return Err(SecretError::InsecureHttp { host: host.clone() });
        }
        let mut needles = sent_secret.map(needles_of).unwrap_or_default();
        needles.push(key.expose_secret().to_owned());
        needles.extend(url_needles(&self.url));
        let needles = Zeroizing::new(needles);
        let needles: Vec<&str> = needles.iter().map(String::as_str).collect();

        let authorization = Zeroizing::new(format!("Bearer {}", key.expose_secret()));
        let mut authorization = HeaderValue::from_str(&authorization).map_err(|_| {
            invalid(
                "cloud.api_key",
                "an API key with characters not allowed in an HTTP header".into(),
            )
        })?;
        authorization.set_sensitive(true);
        let mut envelope = json!({ "query": query, "variables": variables });
        let body = Zeroizing::new(envelope.to_string());
        wipe(&mut envelope);

        let mut request = self
            .agent
            .post(&self.url)
            .header("Content-Type", "application/json")
            .header("Accept", "application/json")
            .header("Authorization", authorization);
        if let Some(tenant) = &self.tenant_id {
            request = request.header("X-PREFECT-TENANT-ID", tenant.as_str());
        }
        let mut response = request
            .send(body.as_bytes())
            .map_err(|e| self.transport_error(e, &needles))?;

        let status = response.status();
        if status.is_redirection() {
            let location = response
                .headers()
                .get("location")
                .and_then(|l| l.to_str().ok());
            return Err(SecretError::Redirected {
                status: status.as_u16(),
                host: redirect_host(&self.url, location),
            });
        }
        if status.as_u16() == 401 || status.as_u16() == 403 {
            return Err(SecretError::Unauthorized {
                detail: format!("HTTP {}", status.as_u16()),
            });
        }
        let bytes = Zeroizing::new(
            response
                .body_mut()
                .with_config()
                .limit(MAX_BODY)
                .read_to_vec()
                .map_err(|e| self.transport_error(e, &needles))?,
        );
        let error_status = (!status.is_success()).then_some(status.as_u16());
        let status_message = || SecretError::Client {
            status: error_status,
            message: status
                .canonical_reason()
                .unwrap_or("request failed")
                .to_owned(),
        };

        let mut reply: Value = match serde_json::from_slice(&bytes) {
            Ok(reply) => reply,
            Err(_) if error_status.is_some() => return Err(status_message()),
            Err(e) if e.is_eof() && bytes.iter().all(u8::is_ascii_whitespace) => {
                return Err(malformed("the body is empty".into()));
            }
            Err(e) => {
                return Err(malformed(format!(
                    "the body is not JSON (error at line {}, column {})",
                    e.line(),
                    e.column()
                )));
            }
        };
        let outcome = graphql_outcome(&mut reply, error_status, not_found, &needles);
        wipe(&mut reply);
        match outcome {
            Ok(_) if error_status.is_some() => Err(status_message()),
            other => other,
        }
    }

    fn transport_error(&self, err: ureq::Error, needles: &[&str]) -> SecretError {
        let reason = match err {
            ureq::Error::Timeout(_) => {
                return SecretError::Timeout {
                    timeout: self.timeout,
                };
            }
            ureq::Error::Io(e)
                if matches!(
                    e.kind(),
                    io::ErrorKind::TimedOut | io::ErrorKind::WouldBlock
                ) =>
            {
                return SecretError::Timeout {
                    timeout: self.timeout,
                };
            }
            ureq::Error::BodyExceedsLimit(limit) => {
                return malformed(format!("the body is larger than {limit} bytes"));
            }
            ureq::Error::Io(e) if e.kind() == io::ErrorKind::ConnectionRefused => {
                "connection refused".to_owned()
            }
            ureq::Error::HostNotFound => "host not found".to_owned(),
            ureq::Error::BadUri(_) => "the URL is not valid".to_owned(),
            // The HTTP stack's own text may quote the URL or echo the body.
            other => scrub(&other.to_string(), needles),
        };
        SecretError::Connection {
            url: redact_url(&self.url),
            reason,
        }
    }
}

impl super::SecretBackend for CloudBackend {
    /// Prefect's `query($name: String!) { secret_value(name: $name) }`.
    fn get(&self, name: &str) -> Result<Value, SecretError> {
        let mut data = self.execute(GET_QUERY, json!({ "name": name }), Some(name), None)?;
        match data.get_mut("secret_value") {
            Some(value) => Ok(value.take()),
            None => Err(malformed("`data.secret_value` is missing".into())),
        }
    }

    /// Prefect's `query { secret_names }`.
    fn names(&self) -> Result<Vec<String>, SecretError> {
        let data = self.execute(NAMES_QUERY, json!({}), None, None)?;
        let names = data
            .get("secret_names")
            .and_then(Value::as_array)
            .and_then(|names| {
                names
                    .iter()
                    .map(|n| n.as_str().map(str::to_owned))
                    .collect::<Option<Vec<String>>>()
            });
        names.ok_or_else(|| malformed("`data.secret_names` is not a list of strings".into()))
    }

    /// Prefect's `set_secret(input: {name, value}) { success }`.
    fn set(&self, name: &str, value: &Value) -> Result<(), SecretError> {
        let variables = json!({ "input": { "name": name, "value": value } });
        let data = self.execute(SET_MUTATION, variables, None, Some(value))?;
        mutation_succeeded(&data, "set_secret", "Setting secret failed.")
    }

    /// The Cloud API's `delete_secret(input: {name}) { success }`.
    fn delete(&self, name: &str) -> Result<(), SecretError> {
        let data = self.execute(
            DELETE_MUTATION,
            json!({ "input": { "name": name } }),
            None,
            None,
        )?;
        mutation_succeeded(&data, "delete_secret", "Deleting secret failed.")
    }
}

impl fmt::Debug for CloudBackend {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("CloudBackend")
            .field("url", &redact_url(&self.url))
            .field("api_key", &self.api_key.as_ref().map(|_| MASK))
            .field("tenant_id", &self.tenant_id)
            .field("timeout", &self.timeout)
            .field("allow_insecure_http", &self.allow_insecure_http)
            .finish()
    }
}

/// `cloud.request_timeout` as a duration.
fn timeout_of(config: &Config) -> Result<Duration, SecretError> {
    const KEY: &str = "cloud.request_timeout";
    match config.get(KEY) {
        None | Some(Value::Null) => Ok(DEFAULT_TIMEOUT),
        Some(Value::Number(n)) => n
            .as_f64()
            .filter(|secs| *secs > 0.0)
            .and_then(|secs| Duration::try_from_secs_f64(secs).ok())
            .ok_or_else(|| {
                invalid(
                    KEY,
                    "a timeout that is not a positive number of seconds".into(),
                )
            }),
        Some(other) => Err(invalid(
            KEY,
            format!("expected a number of seconds, found {}", kind_of(other)),
        )),
    }
}

/// `cloud.allow_insecure_http`: `false` when unset.
fn allow_insecure_http_of(config: &Config) -> Result<bool, SecretError> {
    const KEY: &str = "cloud.allow_insecure_http";
    match config.get(KEY) {
        None | Some(Value::Null) => Ok(false),
        Some(Value::Bool(allow)) => Ok(*allow),
        Some(other) => Err(invalid(
            KEY,
            format!("expected true or false, found {}", kind_of(other)),
        )),
    }
}

fn invalid(key: &str, reason: String) -> SecretError {
    SecretError::InvalidConfig {
        key: key.to_owned(),
        reason,
    }
}
