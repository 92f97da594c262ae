//! Handing a context to a child process, as Prefect's agents hand a flow
//! run its context through `PREFECT__CONTEXT__*` variables.
//!
//! ```text
//! cargo run --example child_process
//! ```
//!
//! The parent opens a context, turns a snapshot of it into environment
//! variables and starts this program again with them. The child's context
//! starts from `prefect_config::global()`, whose loader reads the variables
//! back, so `context::get` there returns the parent's values.
//!
//! Started as `child_process --child KEY...`, the program is the child: it
//! prints one JSON object with the value of each KEY visible in its context
//! (keys that are not visible are left out).

use std::error::Error;
use std::process::{Command, ExitCode};

use prefect_config::context;
use serde_json::{Map, Value, json};

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let outcome = match args.split_first() {
        Some((flag, keys)) if flag == "--child" => child(keys),
        _ => parent(),
    };
    match outcome {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => {
            eprintln!("child_process: {err}");
            ExitCode::FAILURE
        }
    }
}

/// The child: prints what its context holds for `keys`.
fn child(keys: &[String]) -> Result<(), Box<dyn Error>> {
    // A configuration that failed to load would leave the child with the
    // embedded defaults only: say so rather than print a partial context.
    context::try_config()?;
    let mut seen = Map::new();
    for key in keys {
        if let Some(value) = context::get(key) {
            seen.insert(key.clone(), value);
        }
    }
    println!("{}", Value::Object(seen));
    Ok(())
}

/// The parent: opens a context, starts the child with it, compares.
fn parent() -> Result<(), Box<dyn Error>> {
    let run = json!({
        "flow_run_id": "0042",           // a string that looks like a number
        "parameters": {"dry_run": "true", "limit": 10, "note": null},
        "tags": ["etl", "nightly"],
    });
    let keys = ["flow_run_id", "parameters", "tags"];
    let vars = context::with(run.clone(), || {
        context::snapshot().to_environment_variables("PREFECT")
    });
    for (name, value) in &vars {
        println!("{name}={value}");
    }
    let output = Command::new(std::env::current_exe()?)
        .arg("--child")
        .args(keys)
        .envs(&vars)
        .output()?;
    if !output.status.success() {
        return Err(String::from_utf8_lossy(&output.stderr).into_owned().into());
    }
    let seen: Value = serde_json::from_slice(&output.stdout)?;
    for key in keys {
        let same = seen.get(key) == run.get(key);
        println!(
            "{key}: {} in the child",
            if same { "the same" } else { "DIFFERENT" }
        );
        if !same {
            return Err(format!("`{key}` did not reach the child unchanged").into());
        }
    }
    Ok(())
}
