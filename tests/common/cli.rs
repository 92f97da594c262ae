//! Running the `prefect-config` binary with a temporary home and an explicit,
//! otherwise empty environment.

use std::path::Path;

use assert_cmd::Command;

use super::TempFiles;

/// A secret value that must never appear in output without `--show*`.
pub const CANARY: &str = "CANARY-cli-7f3e";

/// Small defaults, so that snapshots do not follow the embedded file.
pub const DEFAULTS: &str = r#"debug = false
home_dir = "~/.prefect"

[server]
host = "http://localhost"
port = "4200"
endpoint = "${server.host}:${server.port}"

[server.database]
password = "db-pw"
connection_url = "postgresql://prefect:${server.database.password}@localhost"

[cloud]
api_key = ""
graphql = "http://127.0.0.1:9/graphql"

[context.secrets]
"#;

/// A command for the binary: `HOME` is the temp dir, nothing else is set
/// except `NO_COLOR` (tests also run without a terminal).
pub fn cmd(files: &TempFiles) -> Command {
    let mut cmd = Command::cargo_bin("prefect-config").expect("binary");
    cmd.env_clear().env("HOME", files.dir.path());
    cmd
}

/// Writes the small defaults and returns the `--defaults` arguments.
pub fn with_defaults(files: &TempFiles) -> Vec<String> {
    let path = files.write("defaults.toml", DEFAULTS);
    vec!["--defaults".into(), path.display().to_string()]
}

/// Output text with the temp dir replaced by `[TMP]`.
pub fn redact(text: &[u8], files: &TempFiles) -> String {
    let text = String::from_utf8_lossy(text).into_owned();
    let dir = files.dir.path();
    let real = dir.canonicalize().unwrap_or_else(|_| dir.to_path_buf());
    text.replace(&real.display().to_string(), "[TMP]")
        .replace(&dir.display().to_string(), "[TMP]")
}

/// The user config path under the temp home.
pub fn user_file(files: &TempFiles) -> std::path::PathBuf {
    files.path(".prefect/config.toml")
}

/// Sets a file's Unix mode.
#[cfg(unix)]
pub fn chmod(path: &Path, mode: u32) {
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode)).expect("chmod");
}

/// A file's Unix mode bits.
#[cfg(unix)]
pub fn mode(path: &Path) -> u32 {
    use std::os::unix::fs::PermissionsExt;
    std::fs::metadata(path).expect("stat").permissions().mode() & 0o777
}
