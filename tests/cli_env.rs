//! `env` with keys that cannot travel as environment variable names: left
//! out with a warning naming each, exit status 0; run as a process with a
//! temporary home and an explicit environment.
#![cfg(feature = "cli")]

mod common;

use common::TempFiles;
use common::cli::{cmd, user_file, with_defaults};

#[test]
fn env_warns_about_keys_whose_variable_would_not_load_back() {
    let files = TempFiles::new();
    let d = with_defaults(&files);
    files.write(
        ".prefect/config.toml",
        "[x]\nMyKey = 1\n\"a.b\" = 2\n\"\" = 3\nok = 4\n\"a-b\" = 5\n[context.secrets]\nMySecret = 's'\n",
    );
    common::cli::chmod(&user_file(&files), 0o600);
    for changed in [false, true] {
        let mut args = vec![
            "env",
            "--include",
            "x",
            "--include",
            "context.secrets",
            "--show-secrets",
        ];
        if changed {
            args.push("--changed");
        }
        let out = cmd(&files).args(&d).args(&args).assert().success();
        let stdout = String::from_utf8_lossy(&out.get_output().stdout).into_owned();
        let stderr = String::from_utf8_lossy(&out.get_output().stderr).into_owned();
        assert_eq!(
            stdout, "export PREFECT__CONTEXT__SECRETS__MySecret='s'\nexport PREFECT__X__OK='4'\n",
            "{args:?}"
        );
        for key in ["`x.MyKey`", "`x.a.b`", "`x.`", "`x.a-b`"] {
            assert!(
                stderr.contains(&format!(
                    "prefect-config: warning: key {key} cannot travel as an environment variable"
                )),
                "{key} in {stderr}"
            );
        }
        assert!(
            stderr.contains("`PREFECT__X__MYKEY` would load back as `x.mykey`"),
            "{stderr}"
        );
        assert!(
            stderr.contains("`PREFECT__X__` has an empty part"),
            "{stderr}"
        );
        assert!(
            !stderr.contains("MySecret"),
            "a secret's name travels: {stderr}"
        );
        let travel_warnings = stderr
            .lines()
            .filter(|l| l.contains("cannot travel"))
            .count();
        assert_eq!(travel_warnings, 4, "{stderr}");
    }
    // `view --format env` leaves them out the same way.
    cmd(&files)
        .args(&d)
        .args(["view", "x", "--format", "env"])
        .assert()
        .success()
        .stdout("export PREFECT__X__OK='4'\n")
        .stderr(predicates::str::contains("key `x.MyKey` cannot travel"));
}
