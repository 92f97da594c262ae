//! Typed forms of Prefect's default secrets: `AWS_CREDENTIALS`,
//! `GCP_CREDENTIALS` and `GITHUB_ACCESS_TOKEN`.
//!
//! Each parses from the secret's JSON value, as Prefect's integrations read
//! it. Like Prefect's `Secret.get`, a string that holds a JSON object is
//! accepted where an object is expected (an environment variable or a Cloud
//! secret often stores the object as text).

use std::fmt;

use secrecy::{ExposeSecret, SecretString};
use serde_json::{Map, Value, json};

use super::error::kind_of;
use super::value::wipe;
use super::{SecretError, SecretValue};
use crate::render::MASK;

/// AWS credentials from the `AWS_CREDENTIALS` secret, as Prefect's
/// `get_boto_client` reads it: a JSON object with `ACCESS_KEY`,
/// `SECRET_ACCESS_KEY` and an optional `SESSION_TOKEN`.
///
/// `Debug` shows the access key id (AWS treats it as an identifier, not a
/// secret; it is what tells two credentials apart in a log) and masks the
/// rest.
///
/// ```
/// use prefect_config::secrets::{AwsCredentials, ExposeSecret};
/// use serde_json::json;
///
/// let creds = AwsCredentials::from_value(&json!({
///     "ACCESS_KEY": "AKIAEXAMPLE",
///     "SECRET_ACCESS_KEY": "wJalr-marker",
/// }))?;
/// assert_eq!(creds.access_key_id, "AKIAEXAMPLE");
/// assert_eq!(creds.secret_access_key.expose_secret(), "wJalr-marker");
/// assert!(creds.session_token.is_none());
/// assert!(!format!("{creds:?}").contains("wJalr-marker"));
/// # Ok::<(), prefect_config::secrets::SecretError>(())
/// ```
pub struct AwsCredentials {
    /// `ACCESS_KEY`.
    pub access_key_id: String,
    /// `SECRET_ACCESS_KEY`.
    pub secret_access_key: SecretString,
    /// `SESSION_TOKEN`, for temporary credentials.
    pub session_token: Option<SecretString>,
}

impl AwsCredentials {
    /// The secret's name in Prefect.
    ///
    /// ```
    /// assert_eq!(prefect_config::secrets::AwsCredentials::SECRET_NAME, "AWS_CREDENTIALS");
    /// ```
    pub const SECRET_NAME: &'static str = "AWS_CREDENTIALS";

    /// Parses the secret's value. `SESSION_TOKEN` may be missing or `null`.
    ///
    /// ```
    /// use prefect_config::secrets::{AwsCredentials, SecretError};
    /// use serde_json::json;
    ///
    /// let text = json!(r#"{"ACCESS_KEY": "A", "SECRET_ACCESS_KEY": "S", "SESSION_TOKEN": "T"}"#);
    /// assert!(AwsCredentials::from_value(&text)?.session_token.is_some());
    ///
    /// let err = AwsCredentials::from_value(&json!({"ACCESS_KEY": "A"})).unwrap_err();
    /// assert!(matches!(err, SecretError::TypeMismatch { .. }));
    /// assert!(err.to_string().contains("SECRET_ACCESS_KEY"));
    /// # Ok::<(), SecretError>(())
    /// ```
    pub fn from_value(value: &Value) -> Result<Self, SecretError> {
        const EXPECTED: &str =
            "AWS credentials (an object with string `ACCESS_KEY` and `SECRET_ACCESS_KEY`)";
        let object = ObjectValue::parse(Self::SECRET_NAME, value, EXPECTED)?;
        let map = object.map();
        let required = |key: &str| match map.get(key) {
            Some(Value::String(s)) => Ok(s.as_str()),
            Some(other) => Err(mismatch(
                Self::SECRET_NAME,
                EXPECTED,
                format!("`{key}` as {}", kind_of(other)),
            )),
            None => Err(mismatch(
                Self::SECRET_NAME,
                EXPECTED,
                format!("an object without `{key}`"),
            )),
        };
        let access_key_id = required("ACCESS_KEY")?.to_owned();
        let secret_access_key = SecretString::from(required("SECRET_ACCESS_KEY")?);
        let session_token = match map.get("SESSION_TOKEN") {
            None | Some(Value::Null) => None,
            Some(Value::String(s)) => Some(SecretString::from(s.as_str())),
            Some(other) => {
                return Err(mismatch(
                    Self::SECRET_NAME,
                    EXPECTED,
                    format!("`SESSION_TOKEN` as {}", kind_of(other)),
                ));
            }
        };
        Ok(AwsCredentials {
            access_key_id,
            secret_access_key,
            session_token,
        })
    }

    /// The credentials in the secret's JSON shape, kept wrapped; the inverse
    /// of [`from_value`](Self::from_value).
    ///
    /// ```
    /// use prefect_config::secrets::{AwsCredentials, ExposeSecret};
    /// use serde_json::json;
    ///
    /// let value = json!({"ACCESS_KEY": "A", "SECRET_ACCESS_KEY": "S"});
    /// let creds = AwsCredentials::from_value(&value)?;
    /// assert_eq!(creds.to_secret_value().expose_secret(), &value);
    /// # Ok::<(), prefect_config::secrets::SecretError>(())
    /// ```
    pub fn to_secret_value(&self) -> SecretValue {
        let mut value = json!({
            "ACCESS_KEY": self.access_key_id,
            "SECRET_ACCESS_KEY": self.secret_access_key.expose_secret(),
        });
        if let (Some(token), Value::Object(map)) = (&self.session_token, &mut value) {
            map.insert("SESSION_TOKEN".into(), Value::from(token.expose_secret()));
        }
        SecretValue::new(value)
    }
}

impl fmt::Debug for AwsCredentials {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("AwsCredentials")
            .field("access_key_id", &self.access_key_id)
            .field("secret_access_key", &MASK)
            .field("session_token", &self.session_token.as_ref().map(|_| MASK))
            .finish()
    }
}

/// A Google Cloud service-account key from the `GCP_CREDENTIALS` secret: the
/// JSON object a service-account key file holds, which Prefect hands to
/// `Credentials.from_service_account_info`.
///
/// The whole object is kept as a [`SecretValue`]; `project_id` and
/// `client_email` are identifiers and are shown by `Debug`, everything else
/// (the private key above all) is not.
///
/// ```
/// use prefect_config::secrets::{ExposeSecret, GcpCredentials};
/// use serde_json::json;
///
/// let creds = GcpCredentials::from_value(&json!({
///     "type": "service_account",
///     "project_id": "my-project",
///     "client_email": "flows@my-project.iam.gserviceaccount.com",
///     "private_key": "-----BEGIN PRIVATE KEY-----marker",
/// }))?;
/// assert_eq!(creds.project_id(), Some("my-project"));
/// assert_eq!(creds.expose_secret()["private_key"], "-----BEGIN PRIVATE KEY-----marker");
/// assert!(!format!("{creds:?}").contains("marker"));
/// # Ok::<(), prefect_config::secrets::SecretError>(())
/// ```
pub struct GcpCredentials(SecretValue);

impl GcpCredentials {
    /// The secret's name in Prefect.
    ///
    /// ```
    /// assert_eq!(prefect_config::secrets::GcpCredentials::SECRET_NAME, "GCP_CREDENTIALS");
    /// ```
    pub const SECRET_NAME: &'static str = "GCP_CREDENTIALS";

    /// Parses the secret's value: any JSON object (or a string holding one).
    /// The fields are not checked here; Google's client library does that.
    ///
    /// ```
    /// use prefect_config::secrets::{GcpCredentials, SecretError};
    /// use serde_json::json;
    ///
    /// assert!(GcpCredentials::from_value(&json!("{\"type\": \"service_account\"}")).is_ok());
    /// let err = GcpCredentials::from_value(&json!(["not", "an", "object"])).unwrap_err();
    /// assert_eq!(err.to_string(), "secret `GCP_CREDENTIALS` holds an array, which cannot be read as a service-account key (a JSON object)");
    /// ```
    pub fn from_value(value: &Value) -> Result<Self, SecretError> {
        let object = ObjectValue::parse(
            Self::SECRET_NAME,
            value,
            "a service-account key (a JSON object)",
        )?;
        Ok(GcpCredentials(object.into_secret()))
    }

    /// The key's `project_id`, if it is a string.
    ///
    /// ```
    /// use prefect_config::secrets::GcpCredentials;
    ///
    /// let creds = GcpCredentials::from_value(&serde_json::json!({}))?;
    /// assert_eq!(creds.project_id(), None);
    /// # Ok::<(), prefect_config::secrets::SecretError>(())
    /// ```
    pub fn project_id(&self) -> Option<&str> {
        self.0
            .expose_secret()
            .get("project_id")
            .and_then(Value::as_str)
    }

    /// The key's `client_email`, if it is a string.
    ///
    /// ```
    /// use prefect_config::secrets::GcpCredentials;
    ///
    /// let creds = GcpCredentials::from_value(&serde_json::json!({"client_email": "a@b"}))?;
    /// assert_eq!(creds.client_email(), Some("a@b"));
    /// # Ok::<(), prefect_config::secrets::SecretError>(())
    /// ```
    pub fn client_email(&self) -> Option<&str> {
        self.0
            .expose_secret()
            .get("client_email")
            .and_then(Value::as_str)
    }
}

impl ExposeSecret<Value> for GcpCredentials {
    /// The service-account object (always a JSON object).
    fn expose_secret(&self) -> &Value {
        self.0.expose_secret()
    }
}

impl fmt::Debug for GcpCredentials {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("GcpCredentials")
            .field("project_id", &self.project_id())
            .field("client_email", &self.client_email())
            .finish_non_exhaustive()
    }
}

/// A GitHub access token from the `GITHUB_ACCESS_TOKEN` secret, as Prefect's
/// `GitHub` storage reads it: a non-empty string.
///
/// ```
/// use prefect_config::secrets::{ExposeSecret, GitHubToken};
///
/// let token = GitHubToken::from_value(&"ghp_marker".into())?;
/// assert_eq!(token.expose_secret(), "ghp_marker");
/// assert_eq!(format!("{token:?}"), r#"GitHubToken("********")"#);
/// # Ok::<(), prefect_config::secrets::SecretError>(())
/// ```
pub struct GitHubToken(SecretString);

impl GitHubToken {
    /// The secret's name in Prefect.
    ///
    /// ```
    /// assert_eq!(prefect_config::secrets::GitHubToken::SECRET_NAME, "GITHUB_ACCESS_TOKEN");
    /// ```
    pub const SECRET_NAME: &'static str = "GITHUB_ACCESS_TOKEN";

    /// Parses the secret's value, which must be a non-empty string.
    ///
    /// ```
    /// use prefect_config::secrets::GitHubToken;
    ///
    /// assert!(GitHubToken::from_value(&serde_json::json!(12)).is_err());
    /// assert!(GitHubToken::from_value(&serde_json::json!("")).is_err());
    /// ```
    pub fn from_value(value: &Value) -> Result<Self, SecretError> {
        const EXPECTED: &str = "a GitHub token (a non-empty string)";
        match value {
            Value::String(s) if !s.is_empty() => Ok(GitHubToken(SecretString::from(s.as_str()))),
            Value::String(_) => Err(mismatch(
                Self::SECRET_NAME,
                EXPECTED,
                "an empty string".into(),
            )),
            other => Err(mismatch(Self::SECRET_NAME, EXPECTED, kind_of(other).into())),
        }
    }

    /// The token as the secret's JSON value, kept wrapped; the inverse of
    /// [`from_value`](Self::from_value).
    ///
    /// ```
    /// use prefect_config::secrets::{ExposeSecret, GitHubToken};
    ///
    /// let token = GitHubToken::from_value(&"t".into())?;
    /// assert_eq!(token.to_secret_value().expose_secret(), "t");
    /// # Ok::<(), prefect_config::secrets::SecretError>(())
    /// ```
    pub fn to_secret_value(&self) -> SecretValue {
        SecretValue::new(Value::from(self.0.expose_secret()))
    }
}

impl ExposeSecret<str> for GitHubToken {
    fn expose_secret(&self) -> &str {
        self.0.expose_secret()
    }
}

impl fmt::Debug for GitHubToken {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("GitHubToken").field(&MASK).finish()
    }
}

/// A secret's JSON object, whether given as an object or as text holding
/// one; a parsed copy is wiped when dropped.
enum ObjectValue<'a> {
    Borrowed(&'a Map<String, Value>),
    Parsed(SecretValue),
}

impl<'a> ObjectValue<'a> {
    fn parse(name: &str, value: &'a Value, expected: &str) -> Result<Self, SecretError> {
        match value {
            Value::Object(map) => Ok(ObjectValue::Borrowed(map)),
            Value::String(text) => match serde_json::from_str::<Value>(text) {
                Ok(parsed @ Value::Object(_)) => Ok(ObjectValue::Parsed(SecretValue::new(parsed))),
                Ok(mut other) => {
                    let found = format!("a string holding {}", kind_of(&other));
                    wipe(&mut other);
                    Err(mismatch(name, expected, found))
                }
                Err(_) => Err(mismatch(name, expected, "a string that is not JSON".into())),
            },
            other => Err(mismatch(name, expected, kind_of(other).into())),
        }
    }

    fn map(&self) -> &Map<String, Value> {
        static EMPTY: std::sync::OnceLock<Map<String, Value>> = std::sync::OnceLock::new();
        match self {
            ObjectValue::Borrowed(map) => map,
            ObjectValue::Parsed(secret) => match secret.expose_secret() {
                Value::Object(map) => map,
                // `parse` only builds `Parsed` from an object.
                _ => EMPTY.get_or_init(Map::new),
            },
        }
    }

    fn into_secret(self) -> SecretValue {
        match self {
            ObjectValue::Borrowed(map) => SecretValue::new(Value::Object(map.clone())),
            ObjectValue::Parsed(secret) => secret,
        }
    }
}

fn mismatch(name: &str, expected: &str, found: String) -> SecretError {
    SecretError::TypeMismatch {
        name: name.to_owned(),
        expected: expected.to_owned(),
        found,
    }
}
