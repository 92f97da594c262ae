//! Caps on sizes and counts; see [`Limits`].

/// The caps a [`Loader`](crate::config::Loader) enforces: they keep a
/// hostile configuration file or environment from taking the process's
/// memory or time. Every cap that is reached is a
/// [`ConfigError`](crate::config::ConfigError) naming the key and the cap, or
/// (for secrets-directory files) a warning; never an abort.
///
/// | cap | default | what happens |
/// |-----|---------|--------------|
/// | [`max_value_bytes`](Limits::max_value_bytes): one value, as written or after `$VAR` expansion and `${...}` references | 1 MiB | [`ConfigError::TooLarge`](crate::config::ConfigError::TooLarge) |
/// | [`max_substitutions`](Limits::max_substitutions): `${...}` substitutions in one load | 100,000 | [`ConfigError::ReferenceDidNotSettle`](crate::config::ConfigError::ReferenceDidNotSettle) |
/// | [`max_total_bytes`](Limits::max_total_bytes): bytes substitutions add to the whole configuration, with the copies `explain` keeps | 32 MiB | [`ConfigError::TreeTooLarge`](crate::config::ConfigError::TreeTooLarge) |
/// | [`max_file_bytes`](Limits::max_file_bytes): one configuration file (defaults, user, backend) | 16 MiB | [`ConfigError::FileTooLarge`](crate::config::ConfigError::FileTooLarge), read no further than the cap |
/// | [`max_secret_file_bytes`](Limits::max_secret_file_bytes): one secrets-directory file | 64 KiB | the file is skipped with a warning |
/// | [`max_secret_files`](Limits::max_secret_files): entries read from the secrets directory | 10,000 | the rest are skipped with a warning |
///
/// Every file is read through [`read_file`](crate::config::read_file)'s
/// rule: opened without blocking, refused unless the opened descriptor is a
/// regular file (not on `/proc` or `/sys`), and read no further than its cap.
///
/// ```
/// use prefect_config::config::{ConfigError, Limits, Loader};
///
/// let err = Loader::new()
///     .defaults_toml("a = 'xxxxxxxx'\nb = '${a}${a}'")
///     .limits(Limits::default().max_value_bytes(10))
///     .load()
///     .unwrap_err();
/// assert!(matches!(err, ConfigError::TooLarge { limit: 10, .. }));
/// assert_eq!(err.key(), Some("b"));
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct Limits {
    /// The largest value, in bytes, that expansion or references may build.
    pub max_value_bytes: usize,
    /// How many `${...}` substitutions one load may make.
    pub max_substitutions: usize,
    /// How many bytes `${...}` substitutions may add to the whole
    /// configuration in one load, counting the copies of each value that
    /// [`Config::explain`](crate::config::Config::explain) keeps.
    pub max_total_bytes: usize,
    /// The largest configuration file read (defaults, user, backend), in
    /// bytes. A TOML file near the cap already holds more than any
    /// configuration needs; the cap keeps a path such as `/dev/zero` or a
    /// runaway file from being read into memory.
    pub max_file_bytes: u64,
    /// The largest secrets-directory file read, in bytes.
    pub max_secret_file_bytes: u64,
    /// How many secrets-directory entries are read.
    pub max_secret_files: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_value_bytes: 1 << 20,
            max_substitutions: 100_000,
            max_total_bytes: 32 << 20,
            max_file_bytes: 16 << 20,
            max_secret_file_bytes: 64 * 1024,
            max_secret_files: 10_000,
        }
    }
}

impl Limits {
    /// Sets [`Limits::max_value_bytes`].
    ///
    /// ```
    /// assert_eq!(prefect_config::config::Limits::default().max_value_bytes(5).max_value_bytes, 5);
    /// ```
    #[must_use]
    pub fn max_value_bytes(mut self, bytes: usize) -> Self {
        self.max_value_bytes = bytes;
        self
    }

    /// Sets [`Limits::max_substitutions`].
    ///
    /// ```
    /// assert_eq!(prefect_config::config::Limits::default().max_substitutions(5).max_substitutions, 5);
    /// ```
    #[must_use]
    pub fn max_substitutions(mut self, count: usize) -> Self {
        self.max_substitutions = count;
        self
    }

    /// Sets [`Limits::max_total_bytes`].
    ///
    /// ```
    /// assert_eq!(prefect_config::config::Limits::default().max_total_bytes(5).max_total_bytes, 5);
    /// ```
    #[must_use]
    pub fn max_total_bytes(mut self, bytes: usize) -> Self {
        self.max_total_bytes = bytes;
        self
    }

    /// Sets [`Limits::max_file_bytes`].
    ///
    /// ```
    /// assert_eq!(prefect_config::config::Limits::default().max_file_bytes(5).max_file_bytes, 5);
    /// ```
    #[must_use]
    pub fn max_file_bytes(mut self, bytes: u64) -> Self {
        self.max_file_bytes = bytes;
        self
    }

    /// Sets [`Limits::max_secret_file_bytes`].
    ///
    /// ```
    /// assert_eq!(prefect_config::config::Limits::default().max_secret_file_bytes(5).max_secret_file_bytes, 5);
    /// ```
    #[must_use]
    pub fn max_secret_file_bytes(mut self, bytes: u64) -> Self {
        self.max_secret_file_bytes = bytes;
        self
    }

    /// Sets [`Limits::max_secret_files`].
    ///
    /// ```
    /// assert_eq!(prefect_config::config::Limits::default().max_secret_files(5).max_secret_files, 5);
    /// ```
    #[must_use]
    pub fn max_secret_files(mut self, count: usize) -> Self {
        self.max_secret_files = count;
        self
    }
}
