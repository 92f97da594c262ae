//! `Explanation`'s `Display` is the CLI's `explain` text and never shows a
//! secret: not as a layer's raw text, a step, a referenced value, a table's
//! leaf or the final value; `expose_secrets()` shows it.

use prefect_config::config::Loader;
use proptest::prelude::*;

/// A secret-looking value that TOML and casting keep as one string.
fn secret_text() -> impl Strategy<Value = String> {
    "[A-Za-z][A-Za-z0-9]{7,20}"
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 64, ..ProptestConfig::default() })]

    #[test]
    fn display_masks_every_secret_it_could_show(secret in secret_text(), via_env in any::<bool>()) {
        let toml = format!(
            "[db]\nhost = 'h'\npassword = '{}'\nurl = 'postgresql://u:${{db.password}}@h/db'\n\
             mirror = '${{db.password}}'\n[context.secrets]\nA = '{secret}'\n",
            if via_env { "x" } else { secret.as_str() },
        );
        let env = if via_env { vec![("P__DB__PASSWORD", secret.as_str())] } else { Vec::new() };
        let cfg = Loader::new().defaults_toml(toml).env_prefix("P").env_vars(env).load().unwrap();
        for key in ["db", "db.password", "db.url", "db.mirror", "context", "context.secrets.A", ""] {
            let why = cfg.explain(key).unwrap();
            let text = why.to_string();
            prop_assert!(!text.contains(&secret), "{key}: {text}");
            prop_assert!(!why.redacted().expose_secrets().to_string().contains(&secret));
        }
        prop_assert!(cfg.explain("db.password").unwrap().expose_secrets().to_string().contains(&secret));
        prop_assert!(cfg.explain("db").unwrap().expose_secrets().to_string().contains(&secret));
    }
}

#[test]
fn a_table_prints_each_leaf_with_value_and_source() {
    let cfg = Loader::new()
        .defaults_toml("[server]\nhost = 'h'\nport = '4200'\n[server.db]\nname = 'n'")
        .env_prefix("PREFECT")
        .env_vars([("PREFECT__SERVER__PORT", "8080")])
        .load()
        .unwrap();
    let text = cfg.explain("server").unwrap().to_string();
    let lines: Vec<&str> = text.lines().map(str::trim).collect();
    assert_eq!(lines[0], "server");
    assert!(lines.contains(&"server.host = \"h\"  (defaults)"), "{text}");
    assert!(
        lines.contains(&"server.port = 8080  (PREFECT__SERVER__PORT)"),
        "{text}"
    );
    assert!(
        lines.contains(&"server.db.name = \"n\"  (defaults)"),
        "{text}"
    );
}

#[test]
fn a_reference_step_shows_what_it_read_unless_that_is_secret() {
    let cfg = Loader::new()
        .defaults_toml("host = 'h'\npassword = 'pw-canary'\nurl = '${host}/x'\nkey = '${password}'")
        .load()
        .unwrap();
    let url = cfg.explain("url").unwrap().to_string();
    assert!(url.contains("(${host} = \"h\", from defaults)"), "{url}");
    let key = cfg.explain("key").unwrap().to_string();
    assert!(
        !key.contains("pw-canary") && key.contains("${password} = \"********\""),
        "{key}"
    );
}
