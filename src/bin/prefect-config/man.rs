//! `man`: the man page, rendered by clap_mangen from the clap definitions
//! (so it never drifts from `--help`).

use clap::CommandFactory;

use crate::Failure;
use crate::cli::Cli;

/// Prints `prefect-config(1)` as roff to standard output.
pub fn run() -> Result<(), Failure> {
    let mut out = Vec::new();
    page(&mut out).map_err(|e| format!("cannot render the man page: {e}"))?;
    crate::stdout::print(&String::from_utf8_lossy(&out))
}

/// The page's roff text, into `out`.
fn page(out: &mut Vec<u8>) -> std::io::Result<()> {
    clap_mangen::Man::new(Cli::command()).render(out)
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_page_names_every_visible_subcommand() {
        let mut out = Vec::new();
        super::page(&mut out).unwrap();
        let text = String::from_utf8(out).unwrap();
        assert!(text.contains(".TH prefect-config 1"), "{text}");
        for sub in ["view", "explain", "completions", "man"] {
            assert!(text.contains(sub), "{sub}");
        }
        assert!(!text.contains("__complete-keys"));
    }
}
