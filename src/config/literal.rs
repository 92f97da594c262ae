//! A parser for the Python literals `ast.literal_eval` accepts.
//!
//! Written by hand rather than using the `py_literal` crate, which was tried
//! first: its PEG grammar backtracks exponentially with nesting (16 nested
//! lists took 300 ms to parse) and lacks comments, parentheses around a single
//! value, bare tuples, implicit string concatenation, string prefixes and
//! newlines between items. This parser is one pass over the text's bytes
//! (characters are decoded only inside strings and comments), linear in the
//! input, and bounded in recursion.
//!
//! [`parse`] casts: its value is JSON. A literal JSON cannot hold (bytes,
//! complex numbers, `...`, integers outside `i64`/`u64`, floats that
//! overflow) is [`Parsed::PythonOnly`], and so is a container holding one.
//! Tuples and sets (`set()` included) become arrays, a set's without
//! duplicates and, for integers, in CPython's order; non-string dict keys,
//! tuples among them, become their Python `str()` (`{(2, 3): 'x'}` →
//! `{"(2, 3)": "x"}`). `\N{NAME}` escapes are looked up in `unicode_names2`'s
//! table of names and aliases.
//!
//! [`python_str`] reads the same syntax keeping Python's own types, and
//! prints the value as Python's `str()` does (see `python_value`).

use std::borrow::Cow;
use std::cell::Cell;

use serde_json::{Map, Value};

use crate::config::python_value::{Dedup, PyValue, float};

/// Deeper nesting is not a literal here (Python's own parser stops at 200;
/// configuration values never come close).
pub(crate) const MAX_NESTING: usize = 64;

/// What casting makes of a text.
#[derive(Debug, PartialEq)]
pub(crate) enum Parsed {
    /// A literal JSON holds: its value.
    Value(Value),
    /// A literal Python reads but JSON cannot hold (`-1e400`, `b'x'`,
    /// `[1e400]`): the text stays as written, though Python's `str()` of
    /// the value differs from it.
    PythonOnly,
    /// Not a literal.
    Text,
}

impl Parsed {
    /// The value, when the text is a literal JSON holds.
    pub(crate) fn value(self) -> Option<Value> {
        match self {
            Parsed::Value(value) => Some(value),
            Parsed::PythonOnly | Parsed::Text => None,
        }
    }
}

/// Parses `text` as one Python literal expression, for casting.
pub(crate) fn parse(text: &str) -> Parsed {
    let mut parser = Parser::new(text, false);
    match parser.run() {
        None => Parsed::Text,
        Some(_) if parser.python_only => Parsed::PythonOnly,
        Some(value) => value.into_json().map_or(Parsed::PythonOnly, Parsed::Value),
    }
}

/// Python's `str()` of the literal `text`, or `None` when it is not one
/// (or holds an integer too large to print here).
pub(crate) fn python_str(text: &str) -> Option<String> {
    let mut parser = Parser::new(text, true);
    let value = parser.run()?;
    if parser.unprintable {
        return None;
    }
    value.into_str()
}

/// The members of a tuple, list or set being read.
enum Members {
    Json(Vec<Value>),
    Python(Vec<PyValue>, Dedup),
}

/// A dict being read.
enum Dict {
    Json(Map<String, Value>),
    Python(Vec<(PyValue, PyValue)>, Dedup),
}

impl Dict {
    fn finish(self) -> PyValue {
        match self {
            Dict::Json(map) => PyValue::Json(Value::Object(map)),
            Dict::Python(pairs, _) => PyValue::Dict(pairs),
        }
    }
}

struct Parser<'a> {
    text: &'a str,
    bytes: &'a [u8],
    /// A byte offset into `text`, always at a character boundary.
    pos: usize,
    depth: usize,
    /// Keep Python's types (printing) instead of building JSON (casting).
    python: bool,
    /// While building JSON: a value JSON cannot hold was read (and a
    /// placeholder put in its place).
    python_only: bool,
    /// While printing: a set or dict holds a value whose equality to the
    /// others this module cannot decide (a huge hex integer), so its
    /// printed form is unknown.
    unprintable: bool,
    /// The last answer of [`Parser::only_blank_rest`]: where it scanned from,
    /// and the first character that was not blank (`None`: all blank).
    /// Later calls before that character have the same answer, so every
    /// character is scanned once (a value of many comment lines stays linear).
    blank_memo: Cell<Option<(usize, Option<usize>)>>,
}

/// The longest text read as a `\N{...}` name (Unicode's longest name has 88
/// characters); the bound keeps a run of unclosed `\N{` linear.
const MAX_CHAR_NAME: usize = 128;

impl<'a> Parser<'a> {
    fn new(text: &'a str, python: bool) -> Parser<'a> {
        // `ast.literal_eval` strips leading spaces and tabs itself.
        let text = text.trim_start_matches([' ', '\t']);
        Parser {
            text,
            bytes: text.as_bytes(),
            pos: 0,
            depth: 0,
            python,
            python_only: false,
            unprintable: false,
            blank_memo: Cell::new(None),
        }
    }

    fn run(&mut self) -> Option<PyValue> {
        self.skip_blank_lines()?;
        let value = self.expression_list(true)?;
        self.skip_space(true);
        (self.pos == self.bytes.len()).then_some(value)
    }

    fn peek(&self) -> Option<u8> {
        self.bytes.get(self.pos).copied()
    }

    fn peek_at(&self, offset: usize) -> Option<u8> {
        self.bytes.get(self.pos + offset).copied()
    }

    /// The character at byte `at` (a character boundary).
    fn char_at(&self, at: usize) -> Option<char> {
        self.text.get(at..)?.chars().next()
    }

    /// Leading blank lines are allowed; an indented first line is not.
    fn skip_blank_lines(&mut self) -> Option<()> {
        let start = self.pos;
        while matches!(self.peek(), Some(b'\n' | b'\r')) {
            self.pos += 1;
        }
        if self.pos > start && matches!(self.peek(), Some(b' ' | b'\t')) {
            return None;
        }
        Some(())
    }

    /// Skips spaces, tabs, form feeds, comments and line continuations, and
    /// newlines when inside brackets (or trailing at the top level).
    fn skip_space(&mut self, top_level: bool) {
        while let Some(c) = self.peek() {
            match c {
                b' ' | b'\t' | b'\x0c' => self.pos += 1,
                b'#' => {
                    self.pos = self.text[self.pos..]
                        .find('\n')
                        .map_or(self.bytes.len(), |i| self.pos + i);
                }
                b'\\' if self.peek_at(1) == Some(b'\n') => self.pos += 2,
                b'\n' | b'\r' if !top_level || self.only_blank_rest() => self.pos += 1,
                _ => return,
            }
        }
    }

    /// True when only white space and comments remain.
    fn only_blank_rest(&self) -> bool {
        if let Some((from, content)) = self.blank_memo.get() {
            // Between `from` and the first content there are only blanks and
            // comments, which the parser consumes whole; so at any line break
            // it stops at in that stretch, the answer is the same.
            if self.pos >= from {
                match content {
                    None => return true,
                    Some(at) if self.pos < at => return false,
                    Some(_) => {}
                }
            }
        }
        let mut in_comment = false;
        let mut content = None;
        for (i, c) in self.text[self.pos..].char_indices() {
            match c {
                '\n' => in_comment = false,
                '#' => in_comment = true,
                _ if in_comment || c.is_whitespace() => {}
                _ => {
                    content = Some(self.pos + i);
                    break;
                }
            }
        }
        self.blank_memo.set(Some((self.pos, content)));
        content.is_none()
    }

    fn eat(&mut self, c: u8, top_level: bool) -> bool {
        self.skip_space(top_level);
        if self.peek() == Some(c) {
            self.pos += 1;
            true
        } else {
            false
        }
    }

    /// While building JSON: the value as JSON, or a placeholder (noting that
    /// the text is a literal JSON cannot hold).
    fn json(&mut self, item: PyValue) -> Value {
        item.into_json().unwrap_or_else(|| {
            self.python_only = true;
            Value::Null
        })
    }

    /// Members of a tuple, list or set, as the mode keeps them.
    fn members(&self) -> Members {
        if self.python {
            Members::Python(Vec::new(), Dedup::default())
        } else {
            Members::Json(Vec::new())
        }
    }

    /// Adds a member; in a set (`set`), only a hashable one, once.
    fn push(&mut self, members: &mut Members, item: PyValue, set: bool) -> Option<()> {
        if set && !item.is_hashable() {
            return None;
        }
        match members {
            Members::Json(values) => values.push(self.json(item)),
            Members::Python(items, dedup) if set => {
                if dedup.add_member(items, item).is_none() {
                    // Equality this module cannot decide (a huge hex integer):
                    // no known print, and no JSON either.
                    self.unprintable = true;
                    self.python_only = true;
                }
            }
            Members::Python(items, _) => items.push(item),
        }
        Some(())
    }

    fn finish(members: Members, python: fn(Vec<PyValue>) -> PyValue) -> PyValue {
        match members {
            Members::Json(values) => PyValue::Json(Value::Array(values)),
            Members::Python(items, _) => python(items),
        }
    }

    /// Adds `key: value` to a dict; the key must be hashable.
    fn insert(&mut self, dict: &mut Dict, key: PyValue, value: PyValue) -> Option<()> {
        if !key.is_hashable() {
            return None;
        }
        match dict {
            Dict::Json(map) => {
                let value = self.json(value);
                match key.into_key_text() {
                    Some(key) => {
                        map.insert(key, value);
                    }
                    None => self.python_only = true,
                }
            }
            Dict::Python(pairs, dedup) => {
                if dedup.add_pair(pairs, key, value).is_none() {
                    self.unprintable = true;
                }
            }
        }
        Some(())
    }

    /// `a, b, c` (a tuple when it has a comma) or one item.
    fn expression_list(&mut self, top_level: bool) -> Option<PyValue> {
        let first = self.item(top_level)?;
        if !self.eat(b',', top_level) {
            return Some(first);
        }
        let mut members = self.members();
        self.push(&mut members, first, false)?;
        loop {
            self.skip_space(top_level);
            if matches!(self.peek(), None | Some(b')')) {
                break;
            }
            let item = self.item(top_level)?;
            self.push(&mut members, item, false)?;
            if !self.eat(b',', top_level) {
                break;
            }
        }
        Some(Self::finish(members, PyValue::Tuple))
    }

    fn item(&mut self, top_level: bool) -> Option<PyValue> {
        self.skip_space(top_level);
        let c = self.peek()?;
        match c {
            b'(' | b'[' | b'{' => {
                self.depth += 1;
                if self.depth > MAX_NESTING {
                    return None;
                }
                self.pos += 1;
                let item = match c {
                    b'(' => self.parenthesized(),
                    b'[' => self.list(),
                    _ => self.braces(),
                };
                self.depth -= 1;
                item
            }
            b'+' | b'-' => {
                self.pos += 1;
                self.skip_space(top_level);
                let number = self.signed_operand()?;
                let number = if c == b'-' { number.negate()? } else { number };
                self.complex_tail(number, top_level)
            }
            b'0'..=b'9' | b'.' => {
                if c == b'.' && self.peek_at(1) == Some(b'.') {
                    return self.ellipsis();
                }
                let number = self.number()?;
                self.complex_tail(number, top_level)
            }
            _ if c.is_ascii_alphabetic() || matches!(c, b'_' | b'\'' | b'"') => {
                self.word_or_string(top_level)
            }
            // Python names may hold other letters, but no literal does.
            _ => None,
        }
    }

    /// The number after a unary sign. Python's parser drops parentheses, so
    /// `-(1)` and `-((1))` are `-1`; but only a number may follow a sign
    /// (`-(1,)`, `-(-1)` and `-(True)` are not literals).
    fn signed_operand(&mut self) -> Option<PyValue> {
        let mut parens = 0;
        while self.peek() == Some(b'(') {
            parens += 1;
            if self.depth + parens > MAX_NESTING {
                return None;
            }
            self.pos += 1;
            self.skip_space(false);
        }
        let number = self.number()?;
        for _ in 0..parens {
            if !self.eat(b')', false) {
                return None;
            }
        }
        Some(number)
    }

    /// `real + imag` or `real - imag` after a number, where imag is an
    /// imaginary literal and real is not (`1j+2j` is no literal); or the
    /// number alone.
    fn complex_tail(&mut self, real: PyValue, top_level: bool) -> Option<PyValue> {
        self.skip_space(top_level);
        let Some(sign @ (b'+' | b'-')) = self.peek() else {
            return Some(real);
        };
        self.pos += 1;
        self.skip_space(top_level);
        let PyValue::Complex(_, imag) = self.number()? else {
            return None;
        };
        let real = real.as_real()?;
        // As Python computes `real ± complex(0.0, imag)`.
        Some(if sign == b'+' {
            PyValue::Complex(real + 0.0, 0.0 + imag)
        } else {
            PyValue::Complex(real - 0.0, 0.0 - imag)
        })
    }

    fn ellipsis(&mut self) -> Option<PyValue> {
        if self.bytes.get(self.pos..self.pos + 3) == Some(b"...") {
            self.pos += 3;
            return Some(PyValue::Ellipsis);
        }
        None
    }

    fn parenthesized(&mut self) -> Option<PyValue> {
        if self.eat(b')', false) {
            return Some(PyValue::Tuple(Vec::new()));
        }
        let first = self.item(false)?;
        if self.eat(b')', false) {
            return Some(first);
        }
        if !self.eat(b',', false) {
            return None;
        }
        let mut items = vec![first];
        loop {
            if self.eat(b')', false) {
                break;
            }
            items.push(self.item(false)?);
            if !self.eat(b',', false) {
                if !self.eat(b')', false) {
                    return None;
                }
                break;
            }
        }
        // Kept a tuple while casting too: as a dict key it is its text.
        Some(PyValue::Tuple(items))
    }

    fn list(&mut self) -> Option<PyValue> {
        let mut members = self.members();
        loop {
            if self.eat(b']', false) {
                break;
            }
            let item = self.item(false)?;
            self.push(&mut members, item, false)?;
            if !self.eat(b',', false) {
                if !self.eat(b']', false) {
                    return None;
                }
                break;
            }
        }
        Some(Self::finish(members, PyValue::List))
    }

    /// `{}` and `{k: v, ...}` are dicts; `{a, b}` is a set.
    fn braces(&mut self) -> Option<PyValue> {
        let mut dict = if self.python {
            Dict::Python(Vec::new(), Dedup::default())
        } else {
            Dict::Json(Map::new())
        };
        if self.eat(b'}', false) {
            return Some(dict.finish());
        }
        let first = self.item(false)?;
        if self.eat(b':', false) {
            let value = self.item(false)?;
            self.insert(&mut dict, first, value)?;
            loop {
                if !self.eat(b',', false) {
                    return self.eat(b'}', false).then(|| dict.finish());
                }
                if self.eat(b'}', false) {
                    return Some(dict.finish());
                }
                let key = self.item(false)?;
                if !self.eat(b':', false) {
                    return None;
                }
                let value = self.item(false)?;
                self.insert(&mut dict, key, value)?;
            }
        }
        // Kept as Python values while casting too: a set drops members equal
        // to earlier ones, and casts in CPython's order (`python_value`).
        let mut members = Members::Python(Vec::new(), Dedup::default());
        self.push(&mut members, first, true)?;
        loop {
            if !self.eat(b',', false) {
                if !self.eat(b'}', false) {
                    return None;
                }
                break;
            }
            if self.eat(b'}', false) {
                break;
            }
            let item = self.item(false)?;
            self.push(&mut members, item, true)?;
        }
        Some(Self::finish(members, PyValue::Set))
    }

    /// `True`, `False`, `None`, `set()`, or a string with optional prefix;
    /// adjacent strings concatenate.
    fn word_or_string(&mut self, top_level: bool) -> Option<PyValue> {
        let start = self.pos;
        while self
            .peek()
            .is_some_and(|c| c.is_ascii_alphanumeric() || c == b'_' || !c.is_ascii())
        {
            self.pos += 1;
        }
        let word = &self.text[start..self.pos];
        match (word, self.peek()) {
            ("True", _) => return Some(PyValue::Json(Value::Bool(true))),
            ("False", _) => return Some(PyValue::Json(Value::Bool(false))),
            ("None", _) => return Some(PyValue::Json(Value::Null)),
            // The empty set is the one call `ast.literal_eval` accepts.
            ("set", _) => {
                let empty_call = self.eat(b'(', top_level) && self.eat(b')', false);
                let members = self.members();
                return empty_call.then(|| Self::finish(members, PyValue::Set));
            }
            (_, Some(b'\'' | b'"')) => {}
            _ => return None,
        }
        let mut text = String::new();
        let mut prefix = word;
        let mut kind = None;
        loop {
            let (bytes, raw) = match prefix.len() {
                0 => (false, false),
                1 if prefix.eq_ignore_ascii_case("u") => (false, false),
                1 if prefix.eq_ignore_ascii_case("r") => (false, true),
                1 if prefix.eq_ignore_ascii_case("b") => (true, false),
                2 if prefix.eq_ignore_ascii_case("br") || prefix.eq_ignore_ascii_case("rb") => {
                    (true, true)
                }
                _ => return None,
            };
            // Python refuses to concatenate bytes with str.
            if *kind.get_or_insert(bytes) != bytes {
                return None;
            }
            self.string_body(raw, bytes, &mut text)?;
            // Another string literal may follow, possibly prefixed.
            let save = self.pos;
            self.skip_space(false);
            let word_start = self.pos;
            while self.peek().is_some_and(|c| c.is_ascii_alphabetic()) && self.pos - word_start < 2
            {
                self.pos += 1;
            }
            if matches!(self.peek(), Some(b'\'' | b'"')) {
                prefix = &self.text[word_start..self.pos];
                continue;
            }
            self.pos = save;
            break;
        }
        Some(if kind == Some(true) {
            // Every character of a bytes body is below 256 (see `string_body`).
            PyValue::Bytes(text.chars().map(|c| c as u8).collect())
        } else {
            PyValue::Json(Value::String(text))
        })
    }

    /// Reads one quoted string body (the quote is at `pos`) into `out`. A
    /// bytes body is written one character per byte.
    fn string_body(&mut self, raw: bool, bytes: bool, out: &mut String) -> Option<()> {
        let quote = self.peek()?;
        let triple = self.peek_at(1) == Some(quote) && self.peek_at(2) == Some(quote);
        self.pos += if triple { 3 } else { 1 };
        loop {
            // Copy the run up to the next byte that needs a look.
            let run_end = self.bytes[self.pos..]
                .iter()
                .position(|&b| b == quote || matches!(b, b'\\' | b'\n' | b'\r'))
                .map_or(self.bytes.len(), |i| self.pos + i);
            let run = &self.text[self.pos..run_end];
            // Bytes literals hold ASCII characters only.
            if bytes && !run.is_ascii() {
                return None;
            }
            out.push_str(run);
            self.pos = run_end;
            let c = self.peek()?;
            if c == quote {
                if !triple {
                    self.pos += 1;
                    return Some(());
                }
                if self.peek_at(1) == Some(quote) && self.peek_at(2) == Some(quote) {
                    self.pos += 3;
                    return Some(());
                }
                out.push(char::from(c));
                self.pos += 1;
                continue;
            }
            if c == b'\n' || c == b'\r' {
                if !triple {
                    return None;
                }
                out.push(char::from(c));
                self.pos += 1;
                continue;
            }
            // A backslash.
            let next = self.char_at(self.pos + 1)?;
            if bytes && !next.is_ascii() {
                return None;
            }
            self.pos += 1 + next.len_utf8();
            if raw {
                out.push('\\');
                out.push(next);
                continue;
            }
            self.escape(next, bytes, out)?;
        }
    }

    /// Interprets the escape `\next` (both already consumed).
    fn escape(&mut self, next: char, bytes: bool, out: &mut String) -> Option<()> {
        let simple = match next {
            '\n' => return Some(()),
            '\\' => '\\',
            '\'' => '\'',
            '"' => '"',
            'a' => '\x07',
            'b' => '\x08',
            'f' => '\x0c',
            'n' => '\n',
            'r' => '\r',
            't' => '\t',
            'v' => '\x0b',
            '0'..='7' => {
                let mut code = next.to_digit(8)?;
                for _ in 0..2 {
                    match self.peek().and_then(|c| char::from(c).to_digit(8)) {
                        Some(d) => {
                            code = code * 8 + d;
                            self.pos += 1;
                        }
                        None => break,
                    }
                }
                // In bytes, `\777` wraps to one byte as Python's does.
                char::from_u32(if bytes { code & 0xff } else { code })?
            }
            'x' => self.hex_escape(2)?,
            'u' | 'U' if !bytes => self.hex_escape(if next == 'u' { 4 } else { 8 })?,
            'N' if !bytes => self.char_name()?,
            other => {
                out.push('\\');
                other
            }
        };
        out.push(simple);
        Some(())
    }

    /// Exactly `len` hex digits at `pos`, as a character.
    fn hex_escape(&mut self, len: usize) -> Option<char> {
        let digits = self.bytes.get(self.pos..self.pos + len)?;
        if !digits.iter().all(u8::is_ascii_hexdigit) {
            return None;
        }
        let code = digits.iter().fold(0u32, |code, &d| {
            code * 16 + char::from(d).to_digit(16).unwrap_or(0)
        });
        self.pos += len;
        char::from_u32(code)
    }

    /// The `{NAME}` of a `\N{...}` escape at `pos`, looked up as Python
    /// does: any case, names and aliases, but no other loose spelling.
    fn char_name(&mut self) -> Option<char> {
        if self.peek() != Some(b'{') {
            return None;
        }
        let start = self.pos + 1;
        let window = &self.bytes[start..self.bytes.len().min(start + MAX_CHAR_NAME)];
        let end = start + window.iter().position(|&b| b == b'}')?;
        let name = &self.text[start..end];
        let found = unicode_names2::character(name)?;
        // `character` also accepts Unicode's loose matching (`latinsmalllettera`,
        // `Black_Star`), which Python refuses: take an exact name, or an
        // alias (the crate keeps no list of them) in its one written form.
        let exact = unicode_names2::name(found)
            .is_some_and(|canonical| canonical.to_string().eq_ignore_ascii_case(name));
        if !exact && !is_alias_spelling(name, found) {
            return None;
        }
        self.pos = end + 1;
        Some(found)
    }

    /// An integer, float or imaginary number at `pos`.
    fn number(&mut self) -> Option<PyValue> {
        let start = self.pos;
        while let Some(c) = self.peek() {
            let exponent_sign = matches!(c, b'+' | b'-')
                && matches!(self.bytes[self.pos - 1], b'e' | b'E')
                && !is_radix_prefixed(&self.bytes[start..self.pos]);
            if c.is_ascii_alphanumeric() || c == b'_' || c == b'.' || exponent_sign {
                self.pos += 1;
            } else {
                break;
            }
        }
        number_token(&self.text[start..self.pos])
    }
}

fn is_radix_prefixed(token: &[u8]) -> bool {
    token.len() >= 2
        && token[0] == b'0'
        && matches!(token[1], b'x' | b'X' | b'o' | b'O' | b'b' | b'B')
}

/// `text` without underscores, copied only when it has some.
fn without_underscores(text: &str) -> Cow<'_, str> {
    if text.contains('_') {
        Cow::Owned(text.replace('_', ""))
    } else {
        Cow::Borrowed(text)
    }
}

/// Converts one Python number token.
fn number_token(token: &str) -> Option<PyValue> {
    if let Some(body) = token.strip_suffix(['j', 'J']) {
        if !(valid_float(body) || valid_digits(body, 10)) {
            return None;
        }
        let imag: f64 = without_underscores(body).parse().ok()?;
        return Some(PyValue::Complex(0.0, imag));
    }
    if is_radix_prefixed(token.as_bytes()) {
        let radix = match token.as_bytes()[1] {
            b'x' | b'X' => 16,
            b'o' | b'O' => 8,
            _ => 2,
        };
        let digits = &token[2..];
        let digits = digits.strip_prefix('_').unwrap_or(digits);
        if !valid_digits(digits, radix) {
            return None;
        }
        return Some(integer(&without_underscores(digits), radix));
    }
    if valid_digits(token, 10) {
        let digits = without_underscores(token);
        // Python forbids leading zeros in a non-zero decimal integer.
        if digits.len() > 1 && digits.starts_with('0') && digits.bytes().any(|b| b != b'0') {
            return None;
        }
        return Some(integer(&digits, 10));
    }
    if valid_float(token) {
        let value: f64 = without_underscores(token).parse().ok()?;
        return Some(float(value));
    }
    None
}

/// A non-negative integer of valid `digits`: JSON up to `u64`, else big.
fn integer(digits: &str, radix: u32) -> PyValue {
    match u128::from_str_radix(digits, radix) {
        Ok(value) => match u64::try_from(value) {
            Ok(v) => PyValue::Json(Value::from(v)),
            Err(_) => PyValue::BigInt(Some(value.to_string())),
        },
        // Decimal digits are the number as Python prints it (leading zeros
        // were refused above unless all are zeros, which fit).
        Err(_) if radix == 10 => PyValue::BigInt(Some(digits.to_owned())),
        Err(_) => PyValue::BigInt(None),
    }
}

/// Digits of the radix with single underscores between them.
fn valid_digits(text: &str, radix: u32) -> bool {
    !text.is_empty()
        && !text.starts_with('_')
        && !text.ends_with('_')
        && !text.contains("__")
        && text
            .bytes()
            .all(|c| c == b'_' || char::from(c).is_digit(radix))
}

/// Python's float syntax: `1.`, `.5`, `1.5`, `1e5`, `1.5e-3`, with underscores
/// between digits.
fn valid_float(text: &str) -> bool {
    let (mantissa, exponent) = match text.find(['e', 'E']) {
        Some(i) => (&text[..i], Some(&text[i + 1..])),
        None => (text, None),
    };
    if let Some(exp) = exponent {
        let exp = exp.strip_prefix(['+', '-']).unwrap_or(exp);
        if !valid_digits(exp, 10) {
            return false;
        }
    }
    match mantissa.split_once('.') {
        Some((int, frac)) => {
            (int.is_empty() || valid_digits(int, 10))
                && (frac.is_empty() || valid_digits(frac, 10))
                && !(int.is_empty() && frac.is_empty())
        }
        None => exponent.is_some() && valid_digits(mantissa, 10),
    }
}

/// True when `name`, which `unicode_names2` matched loosely to `found`, is
/// written the way Unicode writes names and aliases (words of letters and
/// digits joined by one space or hyphen) and is not a loose spelling of
/// `found`'s own name.
fn is_alias_spelling(name: &str, found: char) -> bool {
    let words_ok = name
        .split([' ', '-'])
        .all(|word| !word.is_empty() && word.chars().all(|c| c.is_ascii_alphanumeric()));
    let loose = |text: &str| -> String {
        text.chars()
            .filter(|c| c.is_ascii_alphanumeric())
            .map(|c| c.to_ascii_uppercase())
            .collect()
    };
    let canonical = unicode_names2::name(found).map(|n| loose(&n.to_string()));
    words_ok && canonical != Some(loose(name))
}

#[cfg(test)]
mod tests;
