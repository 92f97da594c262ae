//! Async: overrides follow a future across polls and worker threads.

mod common;

use std::panic::{AssertUnwindSafe, catch_unwind};
use std::sync::Arc;
use std::task::{Context, Poll, Waker};
use std::time::Duration;

use prefect_config::context::{self, InContextExt};
use serde_json::json;
use tokio::sync::Barrier;

fn init() {
    common::context::init();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn two_tasks_interleave_and_each_sees_only_its_own_values() {
    init();
    let barrier = Arc::new(Barrier::new(2));
    let task = |name: &'static str, barrier: Arc<Barrier>| {
        tokio::spawn(context::with_async([("task", name)], async move {
            let mut threads = std::collections::HashSet::new();
            for round in 0..50 {
                assert_eq!(context::get("task"), Some(json!(name)));
                context::set("round", json!(format!("{name}-{round}")));
                barrier.wait().await; // both tasks are mid-flight here
                tokio::task::yield_now().await;
                threads.insert(std::thread::current().id());
                assert_eq!(context::get("task"), Some(json!(name)));
                assert_eq!(
                    context::get("round"),
                    Some(json!(format!("{name}-{round}")))
                );
                if round % 10 == 0 {
                    tokio::time::sleep(Duration::from_millis(1)).await;
                }
            }
            threads.len()
        }))
    };
    let a = task("a", Arc::clone(&barrier));
    let b = task("b", barrier);
    let (a, b) = (a.await.unwrap(), b.await.unwrap());
    assert!(a >= 1 && b >= 1);
    assert_eq!(context::get("task"), None);
    assert_eq!(context::get("round"), None);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn nested_futures_and_inner_scopes_compose() {
    init();
    let out = async {
        let inner = async {
            tokio::task::yield_now().await;
            (
                context::get("outer"),
                context::get("inner"),
                context::config().get("debug").cloned(),
            )
        }
        .in_context(json!({"inner": 2, "config": {"debug": true}}))
        .await;
        let after = context::with([("sync", 1)], || context::get("sync"));
        (inner, after, context::get("inner"))
    }
    .in_context([("outer", 1)])
    .await;
    assert_eq!(out.0, (Some(json!(1)), Some(json!(2)), Some(json!(true))));
    assert_eq!(out.1, Some(json!(1)));
    assert_eq!(out.2, None);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_spawned_task_can_carry_its_callers_snapshot() {
    init();
    let handle = context::with([("caller", "main")], || {
        let snap = context::snapshot();
        tokio::spawn(snap.attach_async([("extra", 1)], async {
            tokio::task::yield_now().await;
            (context::get("caller"), context::get("extra"))
        }))
    });
    assert_eq!(handle.await.unwrap(), (Some(json!("main")), Some(json!(1))));
}

#[test]
fn a_panicking_poll_restores_the_polling_threads_context() {
    init();
    context::with([("here", 1)], || {
        let before = context::to_value();
        let mut fut = Box::pin(context::with_async([("here", 2)], async {
            context::set("edit", 1);
            panic!("boom")
        }));
        let mut cx = Context::from_waker(Waker::noop());
        let result = catch_unwind(AssertUnwindSafe(|| fut.as_mut().poll(&mut cx)));
        assert!(result.is_err());
        assert_eq!(context::to_value(), before);
        // A pending future does not leak its scope between polls either.
        let mut pending = Box::pin(context::with_async(
            [("p", 1)],
            std::future::pending::<()>(),
        ));
        assert!(matches!(pending.as_mut().poll(&mut cx), Poll::Pending));
        assert!(!context::contains("p"));
    });
}
