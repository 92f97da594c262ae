//! Casting and interpolation of values from every layer.

use prefect_config::config::{ConfigError, ConfigWarning, Loader};
use serde_json::json;

fn load(toml: &str) -> Result<prefect_config::config::Config, ConfigError> {
    Loader::new()
        .defaults_toml(toml)
        .env_vars([
            ("HOME", "/home/me"),
            ("A", "1"),
            ("B", "$A$A"),
            ("GROW", "x$GROW"),
            ("EMPTY", ""),
        ])
        .load()
}

#[test]
fn toml_strings_are_cast_like_environment_values() {
    let cfg = load(
        r#"
        port = "4200"
        ratio = "1.5"
        neg = "-3"
        yes = "TRUE"
        no = "false"
        none = "None"
        list = "[]"
        dict = "{'a': (1, 2)}"
        quoted = "'4200'"
        hex = "0x10"
        text = "%Y-%m-%d"
        url = "http://x:1/y"
        lead = "007"
        native = 5
        "#,
    )
    .unwrap();
    let v = cfg.as_value();
    assert_eq!(v["port"], json!(4200));
    assert_eq!(v["ratio"], json!(1.5));
    assert_eq!(v["neg"], json!(-3));
    assert_eq!((&v["yes"], &v["no"]), (&json!(true), &json!(false)));
    assert_eq!(v["none"], json!(null));
    assert_eq!(v["list"], json!([]));
    assert_eq!(v["dict"], json!({"a": [1, 2]}));
    assert_eq!(v["quoted"], json!("4200"));
    assert_eq!(v["hex"], json!(16));
    assert_eq!(v["text"], json!("%Y-%m-%d"));
    assert_eq!(v["url"], json!("http://x:1/y"));
    assert_eq!(v["lead"], json!("007"));
    assert_eq!(v["native"], json!(5));
    assert_eq!(cfg.raw_text("port"), Some("4200"));
    assert_eq!(cfg.raw_text("native"), None);
}

#[test]
fn strings_inside_arrays_are_left_as_written() {
    let cfg = load(
        r#"a = ["4200", "$A", "~", "${b}"]
b = 1"#,
    )
    .unwrap();
    assert_eq!(cfg.get("a"), Some(&json!(["4200", "$A", "~", "${b}"])));
}

#[test]
fn environment_expansion_forms() {
    let cfg = load(
        r#"
        plain = "$A"
        braced = "${A}x"
        chained = "$B"
        unknown = "$NOPE/x"
        home = "~/data"
        tilde_mid = "a~b"
        empty = "x$EMPTY"
        "#,
    )
    .unwrap();
    let v = cfg.as_value();
    assert_eq!(v["plain"], json!(1));
    assert_eq!(v["braced"], json!("1x"));
    assert_eq!(v["chained"], json!(11));
    assert_eq!(v["unknown"], json!("$NOPE/x"));
    assert_eq!(v["home"], json!("/home/me/data"));
    assert_eq!(v["tilde_mid"], json!("a~b"));
    assert_eq!(v["empty"], json!("x"));
}

#[test]
fn an_expansion_that_never_settles_is_an_error_naming_the_key() {
    let err = load("[s]\nk = '$GROW'").unwrap_err();
    assert!(
        matches!(&err, ConfigError::ExpansionDidNotSettle { key, .. } if key == "s.k"),
        "{err}"
    );
}

#[test]
fn references_keep_types_whole_and_print_like_python_inside_text() {
    let cfg = load(
        r#"
        [x]
        flag = true
        none = "None"
        list = "[1, 'a']"
        dict = "{'k': 'v'}"
        big = 1e20
        port = "4200"
        [r]
        whole_flag = "${x.flag}"
        whole_list = "${x.list}"
        whole_port = "${x.port}"
        flag = "v=${x.flag}"
        none = "v=${x.none}"
        list = "v=${x.list}"
        dict = "v=${x.dict}"
        big = "v=${x.big}"
        twice = "${x.port}${x.port}"
        "#,
    )
    .unwrap();
    let r = &cfg.as_value()["r"];
    assert_eq!(r["whole_flag"], json!(true));
    assert_eq!(r["whole_list"], json!([1, "a"]));
    assert_eq!(r["whole_port"], json!(4200));
    assert_eq!(r["flag"], json!("v=True"));
    assert_eq!(r["none"], json!("v=None"));
    assert_eq!(r["list"], json!("v=[1, 'a']"));
    assert_eq!(r["dict"], json!("v={'k': 'v'}"));
    assert_eq!(r["big"], json!("v=1e+20"));
    // The result of a reference is not cast again.
    assert_eq!(r["twice"], json!("42004200"));
    // A whole reference carries the text its target was cast from.
    assert_eq!(cfg.raw_text("r.whole_port"), Some("4200"));
}

#[test]
fn nested_references_resolve_innermost_first_and_chains_of_any_length() {
    let mut toml = String::from(
        "backend = 'cloud'\n[cloud]\nendpoint = 'https://api'\napi = '${${backend}.endpoint}'\n[c]\n",
    );
    toml.push_str("k0 = 'end'\n");
    for i in 1..50 {
        toml.push_str(&format!("k{i} = '${{c.k{}}}'\n", i - 1));
    }
    let cfg = load(&toml).unwrap();
    assert_eq!(cfg.get("cloud.api"), Some(&json!("https://api")));
    assert_eq!(cfg.get("c.k49"), Some(&json!("end")));
}

#[test]
fn references_to_missing_keys_and_tables_become_empty_with_warnings() {
    let cfg = load("[t]\nx = 1\n[r]\nmissing = 'a${no.such}b'\ntable = '${t}'\n").unwrap();
    assert_eq!(cfg.get("r.missing"), Some(&json!("ab")));
    assert_eq!(cfg.get("r.table"), Some(&json!("")));
    let warnings = cfg.warnings();
    assert!(warnings.iter().any(|w| matches!(w, ConfigWarning::MissingReference { key, reference, .. } if key == "r.missing" && reference == "no.such")));
    assert!(
        warnings
            .iter()
            .any(|w| matches!(w, ConfigWarning::TableReference { key, .. } if key == "r.table"))
    );
}

#[test]
fn a_reference_cycle_is_an_error_naming_its_keys() {
    let err = load("[c]\na = '${c.b}'\nb = 'x${c.c}'\nc = '${c.a}'\n").unwrap_err();
    let ConfigError::ReferenceCycle { keys } = &err else {
        panic!("{err}")
    };
    assert_eq!(keys.first(), keys.last());
    for key in ["c.a", "c.b", "c.c"] {
        assert!(keys.iter().any(|k| k == key), "{keys:?}");
    }
    let err = load("a = 'x${a}'").unwrap_err();
    assert!(matches!(err, ConfigError::ReferenceCycle { .. }));
}

#[test]
fn references_and_environment_values_mix() {
    let cfg = Loader::new()
        .defaults_toml("[s]\nhost = 'h'\nurl = 'http://${s.host}:$PORT/$A'\n")
        .env_prefix("PREFECT")
        .env_vars([
            ("PORT", "80"),
            ("A", "x"),
            ("PREFECT__S__HOST", "${s.other}"),
            ("PREFECT__S__OTHER", "o"),
        ])
        .load()
        .unwrap();
    assert_eq!(cfg.get("s.url"), Some(&json!("http://o:80/x")));
}

#[test]
fn a_sign_before_a_parenthesised_number_applies_to_it() {
    use prefect_config::config::string_to_type;
    assert_eq!(string_to_type("-(1)"), json!(-1));
    assert_eq!(string_to_type("+(1)"), json!(1));
    assert_eq!(string_to_type("- ( (2.5) )"), json!(-2.5));
    assert_eq!(string_to_type("[-(1), +(0x10)]"), json!([-1, 16]));
    // Python accepts only a number after the sign.
    for text in ["-(1,)", "-(-1)", "-(True)", "-([1])", "-(1)+2j", "-(1"] {
        assert_eq!(string_to_type(text), json!(text), "{text}");
    }
    let cfg = load("a = \"-(1)\"\n").unwrap();
    assert_eq!(cfg.get("a"), Some(&json!(-1)));
}

#[test]
fn the_empty_set_is_an_empty_array() {
    use prefect_config::config::string_to_type;
    assert_eq!(string_to_type("set()"), json!([]));
    assert_eq!(string_to_type("set ( )"), json!([]));
    assert_eq!(
        string_to_type("{'a': set(), 'b': [set()]}"),
        json!({"a": [], "b": [[]]})
    );
    // No other call, and a set is not hashable.
    for text in [
        "set([1])",
        "frozenset()",
        "{set()}",
        "{set(): 1}",
        "settings",
        "set",
    ] {
        assert_eq!(string_to_type(text), json!(text), "{text}");
    }
}

#[test]
fn tuple_dict_keys_become_their_python_text() {
    use prefect_config::config::string_to_type;
    assert_eq!(
        string_to_type("{1: 'one', (2, 3): 'pair'}"),
        json!({"1": "one", "(2, 3)": "pair"})
    );
    assert_eq!(
        string_to_type("{(1,): 1, (): 2, (('a', None), 1e20, True): 3}"),
        json!({"(1,)": 1, "()": 2, "(('a', None), 1e+20, True)": 3})
    );
    // A tuple is still an array as a value or a set member.
    assert_eq!(string_to_type("{'k': (1, (2,))}"), json!({"k": [1, [2]]}));
    assert_eq!(string_to_type("{(1, 2)}"), json!([[1, 2]]));
    // Unhashable tuples are refused, as Python refuses them.
    for text in ["{(1, [2]): 1}", "{(1, {}): 1}", "{(1, [2])}"] {
        assert_eq!(string_to_type(text), json!(text), "{text}");
    }
}

#[test]
fn named_unicode_escapes_are_decoded() {
    use prefect_config::config::string_to_type;
    assert_eq!(string_to_type(r"'\N{BULLET} item'"), json!("\u{2022} item"));
    assert_eq!(string_to_type(r"'\N{bullet}'"), json!("\u{2022}"));
    assert_eq!(
        string_to_type(r"'\N{LATIN SMALL LETTER E WITH ACUTE}'"),
        json!("é")
    );
    assert_eq!(string_to_type(r"'\N{HANGUL SYLLABLE GA}'"), json!("가"));
    assert_eq!(
        string_to_type(r"'\N{CJK UNIFIED IDEOGRAPH-4E00}'"),
        json!("一")
    );
    // Aliases, as Python's table has them.
    assert_eq!(string_to_type(r"'\N{LINE FEED}\N{BEL}'"), json!("\n\u{7}"));
    // A raw string keeps the text; bad or loosely spelt names are no literal.
    assert_eq!(string_to_type(r"r'\N{BULLET}'"), json!(r"\N{BULLET}"));
    for text in [
        r"'\N{NOPE}'",
        r"'\N{}'",
        r"'\N'",
        r"'\N{BULLET'",
        r"'\N{ BULLET}'",
        r"'\N{Black_Star}'",
        r"'\N{latinsmalllettera}'",
    ] {
        assert_eq!(string_to_type(text), json!(text), "{text}");
    }
    let long = format!("'{}'", r"\N{".repeat(10_000));
    assert_eq!(string_to_type(&long), json!(long));
}
