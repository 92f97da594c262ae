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
use std::task::{Context, Poll};

use super::frame::{Chain, Frame};
use super::guard::Overrides;
use super::stack;

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
    /// The keys, the configuration patch, and for a snapshot the chain
    /// where lookups continue instead of the poller's stack. `None` only
    /// during a poll that could not give it back (thread teardown).
    frame: Option<Box<Frame>>,
}

impl<F: Future> InContext<F> {
    pub(crate) fn new(overrides: Overrides, future: F, detached: Option<Chain>) -> Self {
        let mut frame = overrides.into_frame();
        if let Some(chain) = detached {
            let extra = frame.extra.get_or_insert_with(Box::default);
            extra.detached = Some(chain);
        }
        InContext {
            future: Box::pin(future),
            frame: Some(frame),
        }
    }
}

/// Pops the poll's frame on the way out, also when the poll panics, and
/// gives it back to the wrapper, unlinked from the poller's stack.
struct PollScope<'a> {
    token: Option<stack::Token>,
    frame: &'a mut Option<Box<Frame>>,
}

impl Drop for PollScope<'_> {
    fn drop(&mut self) {
        // Unlinked from the poller's stack, and copied if a snapshot taken
        // during the poll shares it.
        *self.frame = self.token.take().and_then(stack::pop_frame);
    }
}

impl<F: Future> Future for InContext<F> {
    type Output = F::Output;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<F::Output> {
        // `InContext` is `Unpin`: the inner future is pinned in its box.
        let this = self.get_mut();
        let token = this.frame.take().and_then(stack::push);
        let _scope = PollScope {
            token,
            frame: &mut this.frame,
        };
        this.future.as_mut().poll(cx)
    }
}

impl<F> fmt::Debug for InContext<F> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let frame = self.frame.as_deref();
        let keys: Vec<&str> = frame
            .into_iter()
            .flat_map(|frame| frame.values.iter().map(|(k, _)| k))
            .collect();
        let overrides_config = frame
            .and_then(|frame| frame.extra.as_ref())
            .is_some_and(|e| e.config.is_some());
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
