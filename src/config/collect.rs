//! How the pipeline runs for a load or for a check: a load stops at the
//! first error; a check ([`Loader::check`](crate::config::Loader::check))
//! collects every error and keeps what it needs to locate them.

use crate::config::node::Table;
use crate::config::{ConfigError, Source};

/// Where the passes send an error: loading stops at the first, a check
/// ([`Loader::check`](crate::config::Loader::check)) collects them all and
/// each pass goes on past the fault.
pub(crate) struct Sink {
    collect: bool,
    pub(crate) errors: Vec<ConfigError>,
}

impl Sink {
    /// Stops at the first error.
    pub(crate) fn stop() -> Sink {
        Sink {
            collect: false,
            errors: Vec::new(),
        }
    }

    /// Collects every error.
    pub(crate) fn collect() -> Sink {
        Sink {
            collect: true,
            errors: Vec::new(),
        }
    }

    pub(crate) fn collecting(&self) -> bool {
        self.collect
    }

    /// `Err` when loading must stop here; `Ok` when the caller should skip
    /// the faulty part and go on.
    pub(crate) fn report(&mut self, error: ConfigError) -> Result<(), ConfigError> {
        if self.collect {
            self.errors.push(error);
            Ok(())
        } else {
            Err(error)
        }
    }
}

/// What a check keeps of the inputs to locate problems.
#[derive(Default)]
pub(crate) struct Seen {
    /// Each TOML input's text.
    pub(crate) texts: Vec<(Source, String)>,
    /// The defaults as read.
    pub(crate) defaults: Option<Table>,
    /// The user and backend files as read.
    pub(crate) file_layers: Vec<(Source, Table)>,
}
