//! Scoped context in a test, and a runtime secret edit.
//!
//! Run with `cargo run --example context_scoping`.

use prefect_config::config::{Loader, Source};
use prefect_config::context;
use serde_json::json;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    // Pin the global configuration so the example reads neither your home
    // directory nor your environment.
    let config = Loader::new()
        .embedded_defaults()
        .env_prefix("PREFECT")
        .env_vars([
            ("HOME", "/home/example"),
            ("PREFECT__CONTEXT__SECRETS__FROM_ENV", "env-value"),
        ])
        .load()?;
    let _ = prefect_config::set_global(config);

    // 1. Scoping, as a test would use it: overrides for one block only.
    context::with_temporary_config([("cloud.use_local_secrets", json!(false))], || {
        let cfg = context::config();
        assert_eq!(cfg.get("cloud.use_local_secrets"), Some(&json!(false)));
        assert_eq!(
            cfg.source_of("cloud.use_local_secrets"),
            Some(&Source::Runtime)
        );
        context::with(
            json!({"flow_name": "etl", "config": {"logging": {"level": "DEBUG"}}}),
            || {
                println!("in scope: flow_name = {:?}", context::get("flow_name"));
                println!(
                    "in scope: logging.level = {:?}",
                    context::config().get("logging.level")
                );
            },
        );
    });
    assert_eq!(context::get("flow_name"), None);
    println!(
        "after: logging.level = {:?}",
        context::config().get("logging.level")
    );

    // 2. A runtime secret edit, Prefect style. At the top level it lasts
    //    for this thread; inside a scope it would end with the scope.
    context::setdefault("secrets", json!({}));
    context::set_path("secrets.MY_KEY", "MY_VALUE");
    assert_eq!(context::get_path("secrets.MY_KEY"), Some(json!("MY_VALUE")));

    // Formatting the context masks every secret value.
    let shown = context::snapshot().to_string();
    assert!(!shown.contains("MY_VALUE") && !shown.contains("env-value"));
    println!(
        "secrets as displayed: {}",
        context::snapshot()
            .get("secrets")
            .map_or(0, |s| s.as_object().map_or(0, |m| m.len()))
    );

    // 3. Hand the context to another thread explicitly.
    let snap = context::snapshot();
    let seen =
        std::thread::spawn(move || snap.attach(|| context::get_path("secrets.MY_KEY"))).join();
    println!("worker saw MY_KEY: {}", matches!(seen, Ok(Some(_))));
    Ok(())
}
