//! `validate`: every problem in the configuration files, with positions.
//!
//! Each file is parsed on its own (syntax, reserved keys: all of them, with
//! `file:line:column`); when every file parses, the configuration is loaded
//! to find reference cycles (errors) and references to missing keys and
//! likely typos (warnings), located in the file that holds the key.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use prefect_config::config::{ConfigError, ConfigWarning, Loader, Source, is_reserved_key};
use toml_edit::{ImDocument, Item};

use crate::Failure;
use crate::output::Style;

/// One file to check, and its parse (when it parsed).
struct Checked {
    path: PathBuf,
    text: String,
    doc: Option<ImDocument<String>>,
}

#[derive(Default)]
struct Report {
    errors: usize,
    warnings: usize,
    style: Option<Style>,
}

impl Report {
    fn error(&mut self, at: &str, message: &str) {
        self.errors += 1;
        let label = self.style.map_or("error".into(), |s| s.bad("error"));
        println!("{at}: {label}: {message}");
    }

    fn warning(&mut self, at: &str, message: &str) {
        self.warnings += 1;
        println!("{at}: warning: {message}");
    }
}

/// Checks `files` (each as the user file over `base`), or with no files the
/// files `base` itself reads.
pub fn run(base: &Loader, files: &[PathBuf]) -> Result<ExitCode, Failure> {
    let mut report = Report {
        style: Some(Style::for_stdout()),
        ..Report::default()
    };
    let runs: Vec<(Loader, Vec<PathBuf>)> = if files.is_empty() {
        let paths = base
            .inputs()
            .into_iter()
            .filter(|i| i.found && matches!(i.layer, "defaults" | "user" | "backend"))
            .filter_map(|i| i.path)
            .collect();
        vec![(base.clone(), paths)]
    } else {
        files
            .iter()
            .map(|file| (base.clone().user_file(file), vec![file.clone()]))
            .collect()
    };
    for (loader, paths) in runs {
        let checked: Vec<Checked> = paths.iter().map(|p| check_file(p, &mut report)).collect();
        if checked.iter().all(|c| c.doc.is_some()) {
            // Reserved keys are found in the documents themselves, with their
            // positions; loading still reports the problems found before its
            // own reserved-key check (reference cycles, expansion loops).
            let reserved = has_reserved(&checked, &mut report);
            check_loaded(&loader, &checked, &mut report, reserved);
        }
    }
    let (errors, warnings) = (report.errors, report.warnings);
    if errors == 0 && warnings == 0 {
        eprintln!("prefect-config: no problems found");
    } else {
        eprintln!("prefect-config: {errors} error(s), {warnings} warning(s)");
    }
    Ok(if errors == 0 {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    })
}

fn check_file(path: &Path, report: &mut Report) -> Checked {
    let shown = path.display().to_string();
    let text = match std::fs::read_to_string(path) {
        Ok(text) => text,
        Err(e) => {
            report.error(&shown, &format!("cannot read: {e}"));
            return Checked {
                path: path.to_owned(),
                text: String::new(),
                doc: None,
            };
        }
    };
    let doc = match ImDocument::parse(text.clone()) {
        Ok(doc) => Some(doc),
        Err(e) => {
            let (line, column) = e.span().map_or((1, 1), |s| line_column(&text, s.start));
            // The message only: the parser's snippet may show a secret.
            report.error(
                &format!("{shown}:{line}:{column}"),
                &format!("TOML syntax: {}", one_line(e.message())),
            );
            None
        }
    };
    Checked {
        path: path.to_owned(),
        text,
        doc,
    }
}

/// Reports every reserved key in every file; true when there was one.
fn has_reserved(checked: &[Checked], report: &mut Report) -> bool {
    let before = report.errors;
    for file in checked {
        let Some(doc) = &file.doc else { continue };
        let mut found = Vec::new();
        walk(doc.as_item(), &mut Vec::new(), &mut found);
        for (key, span) in found {
            let (line, column) = span.map_or((1, 1), |s| line_column(&file.text, s.start));
            let name = key.rsplit('.').next().unwrap_or(&key).to_owned();
            report.error(
                &format!("{}:{line}:{column}", file.path.display()),
                &format!("invalid key `{key}`: `{name}` is reserved (it names a method of Prefect's Config)"),
            );
        }
    }
    report.errors > before
}

type Found = Vec<(String, Option<std::ops::Range<usize>>)>;

fn walk(item: &Item, path: &mut Vec<String>, found: &mut Found) {
    if let Some(aot) = item.as_array_of_tables() {
        for table in aot.iter() {
            walk_table(table, path, found);
        }
        return;
    }
    if let Some(table) = item.as_table_like() {
        for (name, child) in table.iter() {
            path.push(name.to_owned());
            if is_reserved_key(name) {
                let span = table.get_key_value(name).and_then(|(key, _)| key.span());
                found.push((path.join("."), span));
            }
            walk(child, path, found);
            path.pop();
        }
    }
}

fn walk_table(table: &toml_edit::Table, path: &mut Vec<String>, found: &mut Found) {
    for (name, child) in table.iter() {
        path.push(name.to_owned());
        if is_reserved_key(name) {
            found.push((
                path.join("."),
                table.key(name).and_then(toml_edit::Key::span),
            ));
        }
        walk(child, path, found);
        path.pop();
    }
}

fn check_loaded(
    loader: &Loader,
    checked: &[Checked],
    report: &mut Report,
    reserved_reported: bool,
) {
    match loader.load() {
        Err(ConfigError::InvalidKey { .. }) if reserved_reported => {}
        Err(err) => {
            let at = locate_error(&err, checked);
            report.error(&at, &err.to_string());
        }
        Ok(config) => {
            for warning in config.warnings() {
                let at = match warning {
                    ConfigWarning::MissingReference { key, origin, .. }
                    | ConfigWarning::TableReference { key, origin, .. } => {
                        locate(key, Some(origin), checked)
                    }
                    ConfigWarning::UnknownEnvKey { var, .. } => var.clone(),
                    ConfigWarning::SecretsDir { path, .. } => path.display().to_string(),
                    _ => "prefect-config".to_owned(),
                };
                report.warning(&at, &warning.to_string());
            }
        }
    }
}

fn locate_error(err: &ConfigError, checked: &[Checked]) -> String {
    if let ConfigError::Syntax {
        origin,
        line,
        column,
        ..
    } = err
    {
        if let Some(path) = origin.file() {
            return format!("{}:{line}:{column}", path.display());
        }
    }
    match err.key() {
        Some(key) => locate(key, err.origin(), checked),
        None => err
            .origin()
            .and_then(Source::file)
            .map_or_else(|| "prefect-config".to_owned(), |p| p.display().to_string()),
    }
}

/// `file:line:column` of `key`, in its origin file when known, else in the
/// highest file that has it; else the origin's name.
fn locate(key: &str, origin: Option<&Source>, checked: &[Checked]) -> String {
    let wanted = origin.and_then(Source::file);
    let candidates = checked
        .iter()
        .rev()
        .filter(|c| wanted.is_none_or(|w| same_file(w, &c.path)));
    for file in candidates {
        let Some(doc) = &file.doc else { continue };
        if let Some(span) = key_span(doc.as_item(), key) {
            let (line, column) = line_column(&file.text, span.start);
            return format!("{}:{line}:{column}", file.path.display());
        }
    }
    match origin {
        Some(source) => match (source.file(), source.env_var()) {
            (Some(path), _) => path.display().to_string(),
            (_, Some(var)) => var.to_owned(),
            _ => source.to_string(),
        },
        None => "prefect-config".to_owned(),
    }
}

fn same_file(a: &Path, b: &Path) -> bool {
    a == b
        || a.canonicalize()
            .ok()
            .zip(b.canonicalize().ok())
            .is_some_and(|(a, b)| a == b)
}

/// The span of the last part of `key` (the key text) in a document.
fn key_span(root: &Item, key: &str) -> Option<std::ops::Range<usize>> {
    let mut node = root;
    let mut span = None;
    for part in key.split('.') {
        let table = node.as_table_like()?;
        let (k, child) = table.get_key_value(part)?;
        span = k.span();
        node = child;
    }
    span
}

/// 1-based line and column (in characters) of a byte offset.
fn line_column(text: &str, offset: usize) -> (usize, usize) {
    let before = text.get(..offset.min(text.len())).unwrap_or(text);
    let line = before.matches('\n').count() + 1;
    let column = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
    (line, column)
}

/// A parser message on one line.
fn one_line(message: &str) -> String {
    message
        .trim()
        .lines()
        .map(str::trim)
        .collect::<Vec<_>>()
        .join("; ")
}
