//! Threads: isolation, snapshots, worker pools, and many threads at once.

mod common;

use std::sync::Arc;
use std::sync::mpsc;
use std::time::{Duration, Instant};

use prefect_config::context::{self, Snapshot};
use serde_json::json;

fn init() {
    common::context::init();
}

#[test]
fn a_fresh_thread_sees_the_base_context_only() {
    init();
    let base = std::thread::spawn(context::to_value).join().unwrap();
    context::with(json!({"a": 1, "config": {"debug": true}}), || {
        context::set("edited", 1);
        let seen =
            std::thread::spawn(|| (context::to_value(), context::config().get("debug").cloned()))
                .join()
                .unwrap();
        assert_eq!(seen.0, base);
        assert_eq!(seen.1, Some(json!(false)));
    });
    assert_eq!(base["region"], "eu");
    assert_eq!(base.as_object().map(|m| m.len()), Some(3));
}

#[test]
fn snapshots_are_send_sync_and_cheap_to_clone() {
    fn assert_send_sync<T: Send + Sync + Clone + 'static>() {}
    assert_send_sync::<Snapshot>();
}

#[test]
fn attach_runs_inside_the_snapshot_instead_of_the_thread_context() {
    init();
    let snap = context::with(
        json!({"caller": 1, "config": {"debug": true}}),
        context::snapshot,
    );
    let seen = std::thread::spawn(move || {
        context::set("worker_own", 1);
        let inside = snap.attach(|| {
            assert!(!context::contains("worker_own"));
            context::set("inside_edit", 1); // vanishes with the attach
            context::with([("caller", 2)], || {
                assert_eq!(context::get("caller"), Some(json!(2)))
            });
            (
                context::get("caller"),
                context::config().get("debug").cloned(),
            )
        });
        assert!(context::contains("worker_own"));
        assert!(!context::contains("inside_edit"));
        assert_eq!(snap.get("inside_edit"), None, "the snapshot never changes");
        inside
    })
    .join()
    .unwrap();
    assert_eq!(seen, (Some(json!(1)), Some(json!(true))));
}

#[test]
fn a_snapshot_is_frozen() {
    init();
    context::with([("x", 1)], || {
        let snap = context::snapshot();
        context::set("x", 2);
        context::set("y", 3);
        assert_eq!(snap.get("x"), Some(json!(1)));
        assert_eq!(snap.get("y"), None);
        assert_eq!(context::get("x"), Some(json!(2)));
    });
}

#[test]
fn a_worker_pool_carries_its_callers_context() {
    init();
    let (jobs_tx, jobs_rx) = mpsc::channel::<(
        Snapshot,
        u32,
        mpsc::Sender<(u32, Option<serde_json::Value>)>,
    )>();
    let jobs_rx = Arc::new(std::sync::Mutex::new(jobs_rx));
    let workers: Vec<_> = (0..3)
        .map(|_| {
            let jobs_rx = Arc::clone(&jobs_rx);
            std::thread::spawn(move || {
                loop {
                    let job = jobs_rx.lock().unwrap().recv();
                    let Ok((snap, n, reply)) = job else { break };
                    reply
                        .send((n, snap.attach(|| context::get("caller"))))
                        .unwrap();
                    assert_eq!(context::get("caller"), None);
                }
            })
        })
        .collect();
    let (reply_tx, reply_rx) = mpsc::channel();
    for n in 0..30u32 {
        context::with([("caller", n)], || {
            jobs_tx
                .send((context::snapshot(), n, reply_tx.clone()))
                .unwrap();
        });
    }
    drop(jobs_tx);
    drop(reply_tx);
    let mut replies: Vec<_> = reply_rx.iter().collect();
    replies.sort_by_key(|(n, _)| *n);
    assert_eq!(replies.len(), 30);
    for (n, seen) in replies {
        assert_eq!(seen, Some(json!(n)));
    }
    for worker in workers {
        worker.join().unwrap();
    }
}

#[test]
fn sixteen_threads_ten_thousand_nested_scopes_no_cross_talk() {
    init();
    let start = Instant::now();
    let threads: Vec<_> = (0..16u64)
        .map(|t| {
            std::thread::spawn(move || {
                let mut guards = Vec::with_capacity(10_000);
                for i in 0..10_000u64 {
                    guards.push(context::scope([("thread", json!(t)), ("level", json!(i))]));
                    assert_eq!(context::get("level"), Some(json!(i)));
                    assert_eq!(context::get("thread"), Some(json!(t)));
                }
                // A snapshot of the deepest state drops without deep recursion.
                let snap = context::snapshot();
                while let Some(guard) = guards.pop() {
                    let i = guards.len() as u64;
                    assert_eq!(context::get("level"), Some(json!(i)));
                    assert_eq!(context::get("thread"), Some(json!(t)));
                    drop(guard);
                }
                assert_eq!(context::get("level"), None);
                assert_eq!(snap.get("level"), Some(json!(9_999)));
            })
        })
        .collect();
    for thread in threads {
        thread.join().unwrap();
    }
    assert!(
        start.elapsed() < Duration::from_secs(30),
        "took {:?}",
        start.elapsed()
    );
}
