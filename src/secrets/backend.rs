//! The [`SecretBackend`] trait and the in-memory [`MemoryBackend`].

use std::collections::BTreeMap;
use std::fmt;

use parking_lot::RwLock;
use secrecy::ExposeSecret;
use serde_json::Value;

use super::{SecretError, SecretValue};

/// A store of named secrets: Prefect Cloud, memory, or one of your own.
///
/// Four operations, each fallible, each synchronous. Implementations are
/// shared between threads (`Send + Sync`), so they take `&self` and keep any
/// mutable state behind a lock.
///
/// # Plugging in another store
///
/// Implement the four methods over the store's client, mapping its failures
/// onto [`SecretError`] without putting the value into the error:
///
/// - **HashiCorp Vault** (KV v2): `get` reads `secret/data/<name>` and returns
///   `data.data` (or its `value` field) as JSON; `names` lists
///   `secret/metadata/`; `set` writes `{"data": value}`; `delete` deletes the
///   metadata path. A 404 is [`SecretError::LocalNotFound`] (or a variant of
///   your choice), a 403 is [`SecretError::Unauthorized`].
/// - **AWS Secrets Manager**: `get` calls `GetSecretValue` and parses
///   `SecretString` as JSON (falling back to a JSON string); `names` pages
///   through `ListSecrets`; `set` is `PutSecretValue` (or `CreateSecret` for a
///   new name); `delete` is `DeleteSecret`. `ResourceNotFoundException` maps to
///   a not-found error.
///
/// Keep the token or credentials of such a client in a
/// [`SecretString`](super::SecretString) and write `Debug` by hand, as
/// [`CloudBackend`](super::CloudBackend) does.
///
/// ```
/// use prefect_config::secrets::{SecretBackend, SecretError};
/// use prefect_config::Value;
///
/// /// A read-only store backed by a fixed list.
/// struct Fixed;
///
/// impl SecretBackend for Fixed {
///     fn get(&self, name: &str) -> Result<Value, SecretError> {
///         match name {
///             "DB_PASSWORD" => Ok(Value::from("p@ss")),
///             _ => Err(SecretError::LocalNotFound { name: name.into() }),
///         }
///     }
///     fn names(&self) -> Result<Vec<String>, SecretError> {
///         Ok(vec!["DB_PASSWORD".into()])
///     }
///     fn set(&self, name: &str, _: &Value) -> Result<(), SecretError> {
///         Err(SecretError::Client { status: None, message: format!("`{name}`: read-only store") })
///     }
///     fn delete(&self, name: &str) -> Result<(), SecretError> {
///         self.set(name, &Value::Null)
///     }
/// }
///
/// let store: Box<dyn SecretBackend> = Box::new(Fixed);
/// assert!(store.exists("DB_PASSWORD")?);
/// assert_eq!(store.get("DB_PASSWORD")?, "p@ss");
/// # Ok::<(), SecretError>(())
/// ```
pub trait SecretBackend: Send + Sync {
    /// The value of the secret `name`.
    ///
    /// The value is returned as the store holds it; Prefect's `Secret.get`
    /// additionally parses a string value as JSON where it can.
    ///
    /// ```
    /// use prefect_config::secrets::{MemoryBackend, SecretBackend};
    ///
    /// let store = MemoryBackend::new().with("A", 1.into());
    /// assert_eq!(store.get("A")?, 1);
    /// # Ok::<(), prefect_config::secrets::SecretError>(())
    /// ```
    fn get(&self, name: &str) -> Result<Value, SecretError>;

    /// The names of all secrets in the store.
    ///
    /// ```
    /// use prefect_config::secrets::{MemoryBackend, SecretBackend};
    ///
    /// let store = MemoryBackend::new().with("B", 1.into()).with("A", 2.into());
    /// assert_eq!(store.names()?, ["A", "B"]);
    /// # Ok::<(), prefect_config::secrets::SecretError>(())
    /// ```
    fn names(&self) -> Result<Vec<String>, SecretError>;

    /// Creates or replaces the secret `name`.
    ///
    /// ```
    /// use prefect_config::secrets::{MemoryBackend, SecretBackend};
    ///
    /// let store = MemoryBackend::new();
    /// store.set("A", &"x".into())?;
    /// assert_eq!(store.get("A")?, "x");
    /// # Ok::<(), prefect_config::secrets::SecretError>(())
    /// ```
    fn set(&self, name: &str, value: &Value) -> Result<(), SecretError>;

    /// Removes the secret `name`.
    ///
    /// ```
    /// use prefect_config::secrets::{MemoryBackend, SecretBackend};
    ///
    /// let store = MemoryBackend::new().with("A", 1.into());
    /// store.delete("A")?;
    /// assert!(store.get("A").is_err());
    /// # Ok::<(), prefect_config::secrets::SecretError>(())
    /// ```
    fn delete(&self, name: &str) -> Result<(), SecretError>;

    /// [`get`](Self::get), with the value wrapped in a [`SecretValue`] so that
    /// it cannot be printed by accident.
    ///
    /// ```
    /// use prefect_config::secrets::{ExposeSecret, MemoryBackend, SecretBackend};
    ///
    /// let store = MemoryBackend::new().with("TOKEN", "t0k3n".into());
    /// let token = store.get_secret("TOKEN")?;
    /// assert!(!format!("{token:?}").contains("t0k3n"));
    /// assert_eq!(token.expose_secret(), "t0k3n");
    /// # Ok::<(), prefect_config::secrets::SecretError>(())
    /// ```
    fn get_secret(&self, name: &str) -> Result<SecretValue, SecretError> {
        self.get(name).map(SecretValue::new)
    }

    /// Whether the store has a secret called `name`, from
    /// [`names`](Self::names) (as Prefect's `Secret.exists` asks Cloud for
    /// `secret_names`). Override it when the store can answer more cheaply.
    ///
    /// ```
    /// use prefect_config::secrets::{MemoryBackend, SecretBackend};
    ///
    /// let store = MemoryBackend::new().with("A", 1.into());
    /// assert!(store.exists("A")?);
    /// assert!(!store.exists("B")?);
    /// # Ok::<(), prefect_config::secrets::SecretError>(())
    /// ```
    fn exists(&self, name: &str) -> Result<bool, SecretError> {
        Ok(self.names()?.iter().any(|n| n == name))
    }
}

/// Secrets held in memory, for tests and for programs that load secrets from
/// somewhere of their own.
///
/// Values are stored as [`SecretValue`]s, so they are wiped when replaced,
/// deleted or dropped; `Debug` lists the names only. A missing name is
/// [`SecretError::LocalNotFound`], for `get` and `delete` alike.
///
/// ```
/// use prefect_config::secrets::{MemoryBackend, SecretBackend};
/// use serde_json::json;
///
/// let store: MemoryBackend = [("API", json!("k3y"))].into_iter().collect();
/// assert_eq!(store.get("API")?, "k3y");
/// assert_eq!(format!("{store:?}"), r#"MemoryBackend { names: ["API"] }"#);
/// # Ok::<(), prefect_config::secrets::SecretError>(())
/// ```
#[derive(Default)]
pub struct MemoryBackend {
    secrets: RwLock<BTreeMap<String, SecretValue>>,
}

impl MemoryBackend {
    /// An empty store.
    ///
    /// ```
    /// use prefect_config::secrets::{MemoryBackend, SecretBackend};
    ///
    /// assert!(MemoryBackend::new().names()?.is_empty());
    /// # Ok::<(), prefect_config::secrets::SecretError>(())
    /// ```
    pub fn new() -> Self {
        MemoryBackend::default()
    }

    /// The store with `name` set to `value` (builder style).
    ///
    /// ```
    /// use prefect_config::secrets::{MemoryBackend, SecretBackend};
    ///
    /// let store = MemoryBackend::new().with("A", "1".into());
    /// assert_eq!(store.get("A")?, "1");
    /// # Ok::<(), prefect_config::secrets::SecretError>(())
    /// ```
    #[must_use]
    pub fn with(self, name: impl Into<String>, value: Value) -> Self {
        self.secrets
            .write()
            .insert(name.into(), SecretValue::new(value));
        self
    }
}

impl<K: Into<String>> FromIterator<(K, Value)> for MemoryBackend {
    /// Collects `(name, value)` pairs; a later pair wins.
    ///
    /// ```
    /// use prefect_config::secrets::{MemoryBackend, SecretBackend};
    ///
    /// let store: MemoryBackend = [("A", 1.into()), ("A", 2.into())].into_iter().collect();
    /// assert_eq!(store.get("A")?, 2);
    /// # Ok::<(), prefect_config::secrets::SecretError>(())
    /// ```
    fn from_iter<I: IntoIterator<Item = (K, Value)>>(pairs: I) -> Self {
        let secrets = pairs
            .into_iter()
            .map(|(k, v)| (k.into(), SecretValue::new(v)))
            .collect();
        MemoryBackend {
            secrets: RwLock::new(secrets),
        }
    }
}

impl SecretBackend for MemoryBackend {
    fn get(&self, name: &str) -> Result<Value, SecretError> {
        self.secrets
            .read()
            .get(name)
            .map(|v| v.expose_secret().clone())
            .ok_or_else(|| SecretError::LocalNotFound {
                name: name.to_owned(),
            })
    }

    fn names(&self) -> Result<Vec<String>, SecretError> {
        Ok(self.secrets.read().keys().cloned().collect())
    }

    fn set(&self, name: &str, value: &Value) -> Result<(), SecretError> {
        self.secrets
            .write()
            .insert(name.to_owned(), SecretValue::new(value.clone()));
        Ok(())
    }

    fn delete(&self, name: &str) -> Result<(), SecretError> {
        match self.secrets.write().remove(name) {
            Some(_) => Ok(()),
            None => Err(SecretError::LocalNotFound {
                name: name.to_owned(),
            }),
        }
    }

    fn exists(&self, name: &str) -> Result<bool, SecretError> {
        Ok(self.secrets.read().contains_key(name))
    }
}

impl fmt::Debug for MemoryBackend {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let secrets = self.secrets.read();
        let names: Vec<&String> = secrets.keys().collect();
        f.debug_struct("MemoryBackend")
            .field("names", &names)
            .finish()
    }
}
