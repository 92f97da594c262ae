//! Values keep what they are through a trip: a set casts to what it prints
//! inside `${}`, a tuple exports as Python writes it.

use prefect_config::config::Loader;
use serde_json::json;

/// `{3, 1, 2}` is `[1, 2, 3]` in Prefect (the order `list()` of the set
/// gives) and `{1, 1, 2}` has two members, whether the value is read whole
/// or printed inside a longer string.
#[test]
fn a_set_casts_to_what_it_prints() {
    let cfg = Loader::new()
        .defaults_toml("a = '{3, 1, 2}'\nb = '{1, 1, 2}'\nc = '<${a}>'\nd = '<${b}>'\ne = '${b}'\n")
        .load()
        .expect("loads");
    assert_eq!(cfg.get("a"), Some(&json!([1, 2, 3])));
    assert_eq!(cfg.get("b"), Some(&json!([1, 2])));
    assert_eq!(cfg.get("c"), Some(&json!("<{1, 2, 3}>")));
    assert_eq!(cfg.get("d"), Some(&json!("<{1, 2}>")));
    assert_eq!(cfg.get("e"), Some(&json!([1, 2])));
}

/// Prefect exports `str()` of each value: a tuple as `(1, 2)`, a set as it
/// prints; loading the variables back gives the same configuration.
#[test]
fn tuples_and_sets_export_as_python_writes_them() {
    let cfg = Loader::new()
        .defaults_toml(
            "t = '(1, 2)'\nbare = '1,2'\none = '(1,)'\ns = '{3, 1, 2}'\nl = '[1, 2]'\n\
             d = \"{'a': (1, None)}\"\nr = '${t}'\n",
        )
        .load()
        .expect("loads");
    let vars = cfg.to_environment_variables(None, "PREFECT");
    for (name, text) in [
        ("PREFECT__T", "(1, 2)"),
        ("PREFECT__BARE", "(1, 2)"),
        ("PREFECT__ONE", "(1,)"),
        ("PREFECT__S", "{1, 2, 3}"),
        ("PREFECT__L", "[1, 2]"),
        ("PREFECT__D", "{'a': (1, None)}"),
        ("PREFECT__R", "(1, 2)"),
    ] {
        assert_eq!(vars.get(name).map(String::as_str), Some(text), "{name}");
    }
    assert_eq!(
        cfg.to_environment_variable("t", "PREFECT"),
        Some(("PREFECT__T".to_owned(), "(1, 2)".to_owned()))
    );
    let reloaded = Loader::new()
        .defaults_toml("")
        .env_prefix("PREFECT")
        .env_vars(vars)
        .load()
        .expect("reloads");
    assert_eq!(reloaded.as_value(), cfg.as_value());
}
