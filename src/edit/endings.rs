//! The bytes of a file that an edit keeps although `toml_edit` does not: a
//! UTF-8 byte-order mark and the ending of every line.
//!
//! `toml_edit` drops a BOM and prints every line break outside a string as
//! `\n`, so a CRLF file would come back with LF endings on lines the edit
//! never touched. [`restore`] lines the printed text up against the original
//! (a Myers line diff, `similar`): a line the edit left alone gets its own
//! ending back, byte for byte, and a new or changed line gets the file's usual
//! ending (CRLF when most of its lines end so). Where CRLF on a new line would
//! change a value (a line inside a new multi-line string), the new lines keep
//! `\n`: the value wins over the look of the file.

use std::time::{Duration, Instant};

use similar::{Algorithm, DiffOp};

/// The UTF-8 byte-order mark.
const BOM: char = '\u{feff}';

/// How long the line diff may take before it settles for a coarser match
/// (which only gives more lines the file's usual ending).
const DIFF_DEADLINE: Duration = Duration::from_millis(200);

/// `text` without a leading BOM, and whether it had one.
pub(crate) fn split_bom(text: &str) -> (bool, &str) {
    match text.strip_prefix(BOM) {
        Some(body) => (true, body),
        None => (false, text),
    }
}

/// Puts a BOM back in front of `text` when the original had one.
pub(crate) fn with_bom(bom: bool, text: String) -> String {
    if bom {
        let mut out = String::with_capacity(text.len() + BOM.len_utf8());
        out.push(BOM);
        out.push_str(&text);
        out
    } else {
        text
    }
}

/// One line: its text without the line break, and the break (`"\r\n"`,
/// `"\n"`, or `""` for a last line without one).
struct Line<'a> {
    text: &'a str,
    ending: &'a str,
}

fn lines(text: &str) -> Vec<Line<'_>> {
    text.split_inclusive('\n')
        .map(|line| {
            let body = line.strip_suffix('\n').unwrap_or(line);
            let text = body.strip_suffix('\r').unwrap_or(body);
            Line {
                text,
                ending: &line[text.len()..],
            }
        })
        .collect()
}

/// `printed` (what `toml_edit` wrote for the edited document) with the line
/// endings of `original` (the text it was parsed from, without its BOM).
pub(crate) fn restore(original: &str, printed: &str) -> String {
    let old = lines(original);
    let crlf = old.iter().filter(|l| l.ending == "\r\n").count();
    let lf = old.iter().filter(|l| l.ending == "\n").count();
    // The common case, a file with LF endings only, is what `toml_edit` prints.
    if crlf == 0 {
        return printed.to_owned();
    }
    let new = lines(printed);
    let mut kept: Vec<Option<&str>> = vec![None; new.len()];
    let old_text: Vec<&str> = old.iter().map(|l| l.text).collect();
    let new_text: Vec<&str> = new.iter().map(|l| l.text).collect();
    let deadline = Instant::now() + DIFF_DEADLINE;
    let ops = similar::capture_diff_slices_deadline(
        Algorithm::Myers,
        &old_text,
        &new_text,
        Some(deadline),
    );
    for op in ops {
        if let DiffOp::Equal {
            old_index,
            new_index,
            len,
        } = op
        {
            for i in 0..len {
                kept[new_index + i] = Some(old[old_index + i].ending);
            }
        }
    }
    let join = |usual: &str| {
        let mut out = String::with_capacity(printed.len() + new.len());
        for (line, kept) in new.iter().zip(&kept) {
            out.push_str(line.text);
            out.push_str(match (line.ending, *kept) {
                // An untouched line keeps its ending; the original's last
                // line, if it had none, needs one now that lines follow.
                ("\n", Some(ending)) if !ending.is_empty() => ending,
                ("\n", _) => usual,
                // The last line (`toml_edit` decides whether it ends), or a
                // CRLF that `toml_edit` kept inside a multi-line string.
                (ending, _) => ending,
            });
        }
        out
    };
    let usual = if crlf > lf { "\r\n" } else { "\n" };
    let restored = join(usual);
    if usual == "\n" || same_values(&restored, printed) {
        restored
    } else {
        join("\n")
    }
}

/// Whether two TOML texts hold the same values.
fn same_values(a: &str, b: &str) -> bool {
    match (a.parse::<toml::Table>(), b.parse::<toml::Table>()) {
        (Ok(a), Ok(b)) => a == b,
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn untouched_lines_keep_their_endings_and_new_ones_take_the_usual() {
        let original = "a = 1\r\n# note\n[t]\r\nb = 2\r\n";
        let printed = "a = 5\n# note\n[t]\nb = 2\nn = 3\n";
        assert_eq!(
            restore(original, printed),
            "a = 5\r\n# note\n[t]\r\nb = 2\r\nn = 3\r\n"
        );
    }

    #[test]
    fn an_unended_last_line_gets_a_break_when_lines_follow() {
        let original = "a = 1\r\nb = 2";
        assert_eq!(
            restore(original, "a = 1\nb = 2\nc = 3\n"),
            "a = 1\r\nb = 2\r\nc = 3\r\n"
        );
    }

    #[test]
    fn lines_inside_a_new_multi_line_string_keep_their_value() {
        let original = "a = 1\r\n";
        let printed = "a = 1\ns = '''\nx\ny'''\n";
        let restored = restore(original, printed);
        assert!(same_values(&restored, printed), "{restored:?}");
        assert!(restored.starts_with("a = 1\r\n"), "{restored:?}");
    }

    #[test]
    fn a_bom_is_split_off_and_put_back() {
        let (bom, body) = split_bom("\u{feff}a = 1\n");
        assert!(bom);
        assert_eq!(body, "a = 1\n");
        assert_eq!(with_bom(bom, body.to_owned()), "\u{feff}a = 1\n");
        assert_eq!(split_bom("a = 1\n"), (false, "a = 1\n"));
    }
}
