//! The README promises that no example reads a secret aloud: the `secrets`
//! example, built here with cargo, prints none of the secret values (nor
//! the AWS access key id) it loads.

use std::process::Command;

#[test]
fn the_secrets_example_prints_no_credential() {
    let example = escargot::CargoBuild::new()
        .example("secrets")
        .current_release()
        .run()
        .expect("build the secrets example");
    let out = Command::new(example.path())
        .env_clear()
        .env("HOME", "/nonexistent-home")
        .output()
        .expect("run the secrets example");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(text.contains("AWS access key id"), "{text}");
    for secret in [
        "AKIAEXAMPLE",
        "wJalr",
        "hooks.example",
        "T000",
        "hunter2",
        "t-123",
    ] {
        assert!(!text.contains(secret), "`{secret}` in:\n{text}");
    }
}
