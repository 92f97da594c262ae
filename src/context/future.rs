//! Async propagation: a future that enters its scope around every poll.
//!
//! A task may be polled by any worker thread, and other tasks run on the same
//! thread between polls, so a scope cannot stay open across `.await`. The
//! wrapper keeps its frame's keys itself, pushes them as the top frame for
//! the length of each `poll`, and takes them back (with any edits made
//! during the poll) when the poll returns or unwinds.
//!
//! The inner future is boxed: the crate forbids `unsafe`, and the box is what
//! lets us pin it without a pin-projection dependency. The box is allocated
//! once per wrapped future, not per poll.

use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};

use super::entries::Entries;
use super::guard::Overrides;
use super::stack::{self, Chain, Extra};

/// A future whose context overrides are visible on every poll, made by
/// [`with_async`](super::with_async), [`InContextExt::in_context`] or
/// [`Snapshot::attach_async`](super::Snapshot::attach_async).
///
/// Edits made while it runs ([`set`](super::set) and friends) stay with the
/// future from one poll to the next and never reach other tasks. The merged
/// configuration of a `config` override is built again, lazily, in each poll
/// that asks for it, because the frames below it may differ between polls.
///
/// ```
/// use prefect_config::context;
/// use serde_json::json;
///
/// let fut = context::with_async([("job", "a")], async { context::get("job") });
/// # let value = futures_lite_block_on(fut);
/// # fn futures_lite_block_on<F: std::future::Future>(f: F) -> F::Output {
/// #     use std::task::{Context, Poll, Waker};
/// #     let mut f = Box::pin(f);
/// #     let mut cx = Context::from_waker(Waker::noop());
/// #     loop { if let Poll::Ready(v) = f.as_mut().poll(&mut cx) { return v; } }
/// # }
/// assert_eq!(value, Some(json!("a")));
/// assert_eq!(context::get("job"), None);
/// ```
#[must_use = "futures do nothing unless polled"]
pub struct InContext<F> {
    future: Pin<Box<F>>,
    values: Entries,
    /// The configuration patch, and for a snapshot the chain where lookups
    /// continue instead of the poller's stack.
    extra: Option<Box<Extra>>,
}

impl<F: Future> InContext<F> {
    pub(crate) fn new(overrides: Overrides, future: F, detached: Option<Chain>) -> Self {
        let (values, _, extra) = overrides.into_frame();
        let extra = match detached {
            Some(chain) => Some(Extra::detached(chain, extra.and_then(|e| e.config))),
            None => extra,
        };
        InContext {
            future: Box::pin(future),
            values,
            extra,
        }
    }
}

/// Pops the poll's frame on the way out, also when the poll panics, and
/// gives its keys back to the wrapper.
struct PollScope<'a> {
    token: Option<stack::Token>,
    values: &'a mut Entries,
    extra: &'a mut Option<Box<Extra>>,
}

impl Drop for PollScope<'_> {
    fn drop(&mut self) {
        let Some(frame) = self.token.take().and_then(stack::pop) else {
            return;
        };
        match Arc::try_unwrap(frame) {
            Ok(mut frame) => {
                *self.values = std::mem::take(&mut frame.values);
                *self.extra = frame.extra.take();
            }
            // A snapshot taken during the poll shares the frame: copy it.
            Err(frame) => {
                *self.values = frame.values.clone();
                *self.extra = frame.extra.clone();
            }
        }
    }
}

impl<F: Future> Future for InContext<F> {
    type Output = F::Output;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<F::Output> {
        // `InContext` is `Unpin`: the inner future is pinned in its box.
        let this = self.get_mut();
        // The keys may have changed during the last poll: summarise again.
        let keys = this.values.mask();
        let token = stack::push(std::mem::take(&mut this.values), keys, this.extra.take());
        let _scope = PollScope {
            token,
            values: &mut this.values,
            extra: &mut this.extra,
        };
        this.future.as_mut().poll(cx)
    }
}

impl<F> fmt::Debug for InContext<F> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let keys: Vec<&str> = self.values.iter().map(|(k, _)| k).collect();
        let overrides_config = self.extra.as_ref().is_some_and(|e| e.config.is_some());
        f.debug_struct("InContext")
            .field("keys", &keys)
            .field("overrides_config", &overrides_config)
            .finish_non_exhaustive()
    }
}

/// `.in_context(overrides)` for any future: the same as
/// [`with_async`](super::with_async).
///
/// ```
/// use prefect_config::context::{self, InContextExt};
/// use serde_json::json;
///
/// let fut = async { context::get("n") }.in_context([("n", 7)]);
/// # fn block_on<F: std::future::Future>(f: F) -> F::Output {
/// #     use std::task::{Context, Poll, Waker};
/// #     let mut f = Box::pin(f);
/// #     let mut cx = Context::from_waker(Waker::noop());
/// #     loop { if let Poll::Ready(v) = f.as_mut().poll(&mut cx) { return v; } }
/// # }
/// assert_eq!(block_on(fut), Some(json!(7)));
/// ```
pub trait InContextExt: Future + Sized {
    /// Wraps this future so `overrides` are visible on every poll.
    fn in_context(self, overrides: impl Into<Overrides>) -> InContext<Self> {
        InContext::new(overrides.into(), self, None)
    }
}

impl<F: Future> InContextExt for F {}
