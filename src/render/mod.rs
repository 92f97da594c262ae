//! The one renderer: every value that leaves the crate passes through here.
//!
//! Two jobs, one module each:
//!
//! - [`mask`](self#masking): hides what the one sensitivity rule
//!   ([`crate::config`]'s *What is sensitive*) marks, part by part: a table or
//!   an array whose children are partly sensitive is masked child by child.
//! - [`escape`](self#escaping): writes text for its destination, so that
//!   a key, a label or a value taken from a hostile file can only ever be
//!   data: a POSIX shell (`eval` only assigns, completion never expands), a
//!   terminal (control characters escaped), JSON and TOML (their own
//!   escaping, through `serde_json` and `toml`).
//!
//! Outputs do not format values themselves: `Debug`/`Display` of public
//! types, errors, warnings, `explain`, and every command of the
//! `prefect-config` CLI call these functions.
//!
//! # Masking
//!
//! # Escaping

mod escape;
pub(crate) mod mask;

pub(crate) use mask::{MASK, SECRETS_KEY};
