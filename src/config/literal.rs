//! A parser for the Python literals `ast.literal_eval` accepts, producing JSON.
//!
//! Written by hand rather than using the `py_literal` crate, which was tried
//! first: its PEG grammar backtracks exponentially with nesting (16 nested
//! lists took 300 ms to parse) and lacks comments, parentheses around a single
//! value, bare tuples, implicit string concatenation, string prefixes and
//! newlines between items. This parser is one pass, linear in the input, and
//! bounded in recursion.
//!
//! The result is `None` when the text is not a literal, and also when it is a
//! literal that JSON cannot hold: bytes, complex numbers, `...`, integers
//! outside `i64`/`u64`, floats that overflow, and dictionaries whose keys are
//! not hashable in Python. Tuples and sets (`set()` included) become arrays;
//! non-string dict keys, tuples among them, become their Python `str()`
//! (`{(2, 3): 'x'}` → `{"(2, 3)": "x"}`). `\N{NAME}` escapes are looked up in
//! `unicode_names2`'s table of names and aliases.

use serde_json::{Map, Number, Value};

use std::cell::Cell;

use crate::config::python;

/// Deeper nesting is not a literal here (Python's own parser stops at 200;
/// configuration values never come close).
pub(crate) const MAX_NESTING: usize = 64;

/// Parses `text` as one Python literal expression.
pub(crate) fn parse(text: &str) -> Option<Value> {
    // `ast.literal_eval` strips leading spaces and tabs itself.
    let text = text.trim_start_matches([' ', '\t']);
    let mut parser = Parser {
        chars: text.chars().collect(),
        pos: 0,
        depth: 0,
        blank_memo: Cell::new(None),
    };
    parser.skip_blank_lines()?;
    let value = parser.expression_list(true)?;
    parser.skip_space(true);
    (parser.pos == parser.chars.len()).then_some(value)
}

struct Parser {
    chars: Vec<char>,
    pos: usize,
    depth: usize,
    /// The last answer of [`Parser::only_blank_rest`]: where it scanned from,
    /// and the first character that was not blank (`None`: all blank).
    /// Later calls before that character have the same answer, so every
    /// character is scanned once (a value of many comment lines stays linear).
    blank_memo: Cell<Option<(usize, Option<usize>)>>,
}

/// A parsed item, before conversion decisions that depend on its context.
enum Item {
    Json(Value),
    /// A parenthesised tuple, kept apart until its context is known: it is an
    /// array as a value but its Python text as a dict key.
    Tuple(Vec<Item>),
    /// A value Python has but JSON cannot hold (bytes, complex, `...`).
    Opaque,
}

/// The longest text read as a `\N{...}` name (Unicode's longest name has 88
/// characters); the bound keeps a run of unclosed `\N{` linear.
const MAX_CHAR_NAME: usize = 128;

impl Parser {
    fn peek(&self) -> Option<char> {
        self.chars.get(self.pos).copied()
    }

    fn peek_at(&self, offset: usize) -> Option<char> {
        self.chars.get(self.pos + offset).copied()
    }

    /// Leading blank lines are allowed; an indented first line is not.
    fn skip_blank_lines(&mut self) -> Option<()> {
        let start = self.pos;
        while matches!(self.peek(), Some('\n' | '\r')) {
            self.pos += 1;
        }
        if self.pos > start && matches!(self.peek(), Some(' ' | '\t')) {
            return None;
        }
        Some(())
    }

    /// Skips spaces, tabs, form feeds, comments and line continuations, and
    /// newlines when inside brackets (or trailing at the top level).
    fn skip_space(&mut self, top_level: bool) {
        while let Some(c) = self.peek() {
            match c {
                ' ' | '\t' | '\x0c' => self.pos += 1,
                '#' => {
                    while !matches!(self.peek(), None | Some('\n')) {
                        self.pos += 1;
                    }
                }
                '\\' if matches!(self.peek_at(1), Some('\n')) => self.pos += 2,
                '\n' | '\r' if !top_level || self.only_blank_rest() => self.pos += 1,
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
        for (i, &c) in self.chars.iter().enumerate().skip(self.pos) {
            match c {
                '\n' => in_comment = false,
                '#' => in_comment = true,
                _ if in_comment || c.is_whitespace() => {}
                _ => {
                    content = Some(i);
                    break;
                }
            }
        }
        self.blank_memo.set(Some((self.pos, content)));
        content.is_none()
    }

    fn eat(&mut self, c: char, top_level: bool) -> bool {
        self.skip_space(top_level);
        if self.peek() == Some(c) {
            self.pos += 1;
            true
        } else {
            false
        }
    }

    /// `a, b, c` (a tuple when it has a comma) or one item.
    fn expression_list(&mut self, top_level: bool) -> Option<Value> {
        let first = self.item(top_level)?;
        if !self.eat(',', top_level) {
            return json(first);
        }
        let mut items = vec![json(first)?];
        loop {
            self.skip_space(top_level);
            if self.peek().is_none() || self.peek() == Some(')') {
                break;
            }
            items.push(json(self.item(top_level)?)?);
            if !self.eat(',', top_level) {
                break;
            }
        }
        Some(Value::Array(items))
    }

    fn item(&mut self, top_level: bool) -> Option<Item> {
        self.skip_space(top_level);
        let c = self.peek()?;
        match c {
            '(' | '[' | '{' => {
                self.depth += 1;
                if self.depth > MAX_NESTING {
                    return None;
                }
                self.pos += 1;
                let item = match c {
                    '(' => self.parenthesized(),
                    '[' => self.list(),
                    _ => self.braces(),
                };
                self.depth -= 1;
                item
            }
            '+' | '-' => {
                self.pos += 1;
                self.skip_space(top_level);
                let number = self.signed_operand()?;
                // `1 + 2j` is a complex literal; JSON cannot hold it.
                self.skip_space(top_level);
                if matches!(self.peek(), Some('+' | '-')) {
                    return self.complex_tail(top_level);
                }
                Some(match number {
                    Item::Json(Value::Number(n)) if c == '-' => Item::Json(negate(&n)?),
                    other => other,
                })
            }
            '0'..='9' | '.' => {
                if c == '.' && self.peek_at(1) == Some('.') {
                    return self.ellipsis();
                }
                let number = self.number()?;
                self.skip_space(top_level);
                if matches!(self.peek(), Some('+' | '-')) {
                    return self.complex_tail(top_level);
                }
                Some(number)
            }
            _ if c.is_alphabetic() || c == '_' || c == '\'' || c == '"' => {
                self.word_or_string(top_level)
            }
            _ => None,
        }
    }

    /// The number after a unary sign. Python's parser drops parentheses, so
    /// `-(1)` and `-((1))` are `-1`; but only a number may follow a sign
    /// (`-(1,)`, `-(-1)` and `-(True)` are not literals).
    fn signed_operand(&mut self) -> Option<Item> {
        let mut parens = 0;
        while self.peek() == Some('(') {
            parens += 1;
            if self.depth + parens > MAX_NESTING {
                return None;
            }
            self.pos += 1;
            self.skip_space(false);
        }
        let number = self.number()?;
        for _ in 0..parens {
            if !self.eat(')', false) {
                return None;
            }
        }
        Some(number)
    }

    /// After `real`: `+ imag` or `- imag`, where imag ends in `j`.
    fn complex_tail(&mut self, top_level: bool) -> Option<Item> {
        self.pos += 1;
        self.skip_space(top_level);
        let start = self.pos;
        self.number()?;
        matches!(self.chars[self.pos - 1], 'j' | 'J')
            .then_some(())
            .filter(|_| self.pos > start)?;
        Some(Item::Opaque)
    }

    fn ellipsis(&mut self) -> Option<Item> {
        if self.chars.get(self.pos..self.pos + 3) == Some(&['.', '.', '.']) {
            self.pos += 3;
            return Some(Item::Opaque);
        }
        None
    }

    fn parenthesized(&mut self) -> Option<Item> {
        if self.eat(')', false) {
            return Some(Item::Tuple(Vec::new()));
        }
        let first = self.item(false)?;
        if self.eat(')', false) {
            return Some(first);
        }
        if !self.eat(',', false) {
            return None;
        }
        let mut items = vec![first];
        loop {
            if self.eat(')', false) {
                return Some(Item::Tuple(items));
            }
            items.push(self.item(false)?);
            if !self.eat(',', false) {
                return self.eat(')', false).then_some(Item::Tuple(items));
            }
        }
    }

    fn list(&mut self) -> Option<Item> {
        let mut items = Vec::new();
        loop {
            if self.eat(']', false) {
                return Some(Item::Json(Value::Array(items)));
            }
            items.push(json(self.item(false)?)?);
            if !self.eat(',', false) {
                return self
                    .eat(']', false)
                    .then_some(Item::Json(Value::Array(items)));
            }
        }
    }

    /// `{}` and `{k: v, ...}` are dicts; `{a, b}` is a set.
    fn braces(&mut self) -> Option<Item> {
        if self.eat('}', false) {
            return Some(Item::Json(Value::Object(Map::new())));
        }
        let first = self.item(false)?;
        if self.eat(':', false) {
            let mut map = Map::new();
            let value = self.item(false)?;
            insert(&mut map, first, value)?;
            loop {
                if !self.eat(',', false) {
                    return self
                        .eat('}', false)
                        .then_some(Item::Json(Value::Object(map)));
                }
                if self.eat('}', false) {
                    return Some(Item::Json(Value::Object(map)));
                }
                let key = self.item(false)?;
                if !self.eat(':', false) {
                    return None;
                }
                let value = self.item(false)?;
                insert(&mut map, key, value)?;
            }
        }
        let mut items = vec![hashable(first)?];
        loop {
            if !self.eat(',', false) {
                return self
                    .eat('}', false)
                    .then_some(Item::Json(Value::Array(items)));
            }
            if self.eat('}', false) {
                return Some(Item::Json(Value::Array(items)));
            }
            items.push(hashable(self.item(false)?)?);
        }
    }

    /// `True`, `False`, `None`, `set()`, or a string with optional prefix;
    /// adjacent strings concatenate.
    fn word_or_string(&mut self, top_level: bool) -> Option<Item> {
        let start = self.pos;
        while self.peek().is_some_and(|c| c.is_alphanumeric() || c == '_') {
            self.pos += 1;
        }
        let word: String = self.chars[start..self.pos].iter().collect();
        match (word.as_str(), self.peek()) {
            ("True", _) => return Some(Item::Json(Value::Bool(true))),
            ("False", _) => return Some(Item::Json(Value::Bool(false))),
            ("None", _) => return Some(Item::Json(Value::Null)),
            // The empty set is the one call `ast.literal_eval` accepts.
            ("set", _) => {
                let empty_call = self.eat('(', top_level) && self.eat(')', false);
                return empty_call.then_some(Item::Json(Value::Array(Vec::new())));
            }
            (_, Some('\'' | '"')) => {}
            _ => return None,
        }
        let mut text = String::new();
        let mut is_bytes = false;
        let mut prefix = word;
        loop {
            let lower = prefix.to_ascii_lowercase();
            let (bytes, raw) = match lower.as_str() {
                "" | "u" => (false, false),
                "r" => (false, true),
                "b" => (true, false),
                "br" | "rb" => (true, true),
                _ => return None,
            };
            if !text.is_empty() || is_bytes {
                // Python refuses to concatenate bytes with str.
                if bytes != is_bytes {
                    return None;
                }
            }
            is_bytes = bytes;
            self.string_body(raw, &mut text)?;
            // Another string literal may follow, possibly prefixed.
            let save = self.pos;
            self.skip_space(false);
            let word_start = self.pos;
            while self.peek().is_some_and(|c| c.is_ascii_alphabetic()) && self.pos - word_start < 2
            {
                self.pos += 1;
            }
            if matches!(self.peek(), Some('\'' | '"')) {
                prefix = self.chars[word_start..self.pos].iter().collect();
                continue;
            }
            self.pos = save;
            break;
        }
        Some(if is_bytes {
            Item::Opaque
        } else {
            Item::Json(Value::String(text))
        })
    }

    /// Reads one quoted string body (the quote is at `pos`) into `out`.
    fn string_body(&mut self, raw: bool, out: &mut String) -> Option<()> {
        let quote = self.peek()?;
        let triple = self.peek_at(1) == Some(quote) && self.peek_at(2) == Some(quote);
        self.pos += if triple { 3 } else { 1 };
        loop {
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
            }
            if (c == '\n' || c == '\r') && !triple {
                return None;
            }
            if c == '\\' {
                let next = self.peek_at(1)?;
                if raw {
                    out.push('\\');
                    out.push(next);
                    self.pos += 2;
                    continue;
                }
                self.pos += 2;
                self.escape(next, out)?;
                continue;
            }
            out.push(c);
            self.pos += 1;
        }
    }

    /// Interprets the escape `\next` (both already consumed).
    fn escape(&mut self, next: char, out: &mut String) -> Option<()> {
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
                    match self.peek().and_then(|c| c.to_digit(8)) {
                        Some(d) => {
                            code = code * 8 + d;
                            self.pos += 1;
                        }
                        None => break,
                    }
                }
                char::from_u32(code)?
            }
            'x' | 'u' | 'U' => {
                let len = match next {
                    'x' => 2,
                    'u' => 4,
                    _ => 8,
                };
                let digits: String = self.chars.get(self.pos..self.pos + len)?.iter().collect();
                let code = u32::from_str_radix(&digits, 16).ok()?;
                self.pos += len;
                char::from_u32(code)?
            }
            'N' => self.char_name()?,
            other => {
                out.push('\\');
                other
            }
        };
        out.push(simple);
        Some(())
    }

    /// The `{NAME}` of a `\N{NAME}` escape at `pos`, looked up as Python
    /// does: any case, names and aliases, but no other loose spelling.
    fn char_name(&mut self) -> Option<char> {
        if self.peek() != Some('{') {
            return None;
        }
        let start = self.pos + 1;
        let end =
            (start..self.chars.len().min(start + MAX_CHAR_NAME)).find(|&i| self.chars[i] == '}')?;
        let name: String = self.chars[start..end].iter().collect();
        let found = unicode_names2::character(&name)?;
        // `character` also accepts Unicode's loose matching (`latinsmalllettera`,
        // `Black_Star`), which Python refuses: take an exact name, or an
        // alias (the crate keeps no list of them) in its one written form.
        let exact = unicode_names2::name(found)
            .is_some_and(|canonical| canonical.to_string().eq_ignore_ascii_case(&name));
        if !exact && !is_alias_spelling(&name, found) {
            return None;
        }
        self.pos = end + 1;
        Some(found)
    }

    /// An integer, float or imaginary number at `pos`.
    fn number(&mut self) -> Option<Item> {
        let start = self.pos;
        while let Some(c) = self.peek() {
            let exponent_sign = matches!(c, '+' | '-')
                && matches!(self.chars[self.pos - 1], 'e' | 'E')
                && !is_radix_prefixed(&self.chars[start..self.pos]);
            if c.is_ascii_alphanumeric() || c == '_' || c == '.' || exponent_sign {
                self.pos += 1;
            } else {
                break;
            }
        }
        let token: String = self.chars[start..self.pos].iter().collect();
        number_token(&token)
    }
}

fn is_radix_prefixed(token: &[char]) -> bool {
    token.len() >= 2 && token[0] == '0' && matches!(token[1], 'x' | 'X' | 'o' | 'O' | 'b' | 'B')
}

/// Converts one Python number token.
fn number_token(token: &str) -> Option<Item> {
    if let Some(body) = token.strip_suffix(['j', 'J']) {
        return (valid_float(body) || valid_digits(body, 10)).then_some(Item::Opaque);
    }
    let lower = token.to_ascii_lowercase();
    for (prefix, radix) in [("0x", 16), ("0o", 8), ("0b", 2)] {
        if let Some(digits) = lower.strip_prefix(prefix) {
            let digits = digits.strip_prefix('_').unwrap_or(digits);
            if !valid_digits(digits, radix) {
                return None;
            }
            return integer(&digits.replace('_', ""), radix);
        }
    }
    if valid_digits(token, 10) {
        let digits = token.replace('_', "");
        // Python forbids leading zeros in a non-zero decimal integer.
        if digits.len() > 1 && digits.starts_with('0') && digits.bytes().any(|b| b != b'0') {
            return None;
        }
        return integer(&digits, 10);
    }
    if valid_float(token) {
        let value: f64 = token.replace('_', "").parse().ok()?;
        return Number::from_f64(value).map(|n| Item::Json(Value::Number(n)));
    }
    None
}

fn integer(digits: &str, radix: u32) -> Option<Item> {
    let value = u128::from_str_radix(digits, radix).ok()?;
    let json = match u64::try_from(value) {
        Ok(v) => Value::from(v),
        Err(_) => return None,
    };
    Some(Item::Json(json))
}

/// Digits of the radix with single underscores between them.
fn valid_digits(text: &str, radix: u32) -> bool {
    !text.is_empty()
        && !text.starts_with('_')
        && !text.ends_with('_')
        && !text.contains("__")
        && text.chars().all(|c| c == '_' || c.is_digit(radix))
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

fn negate(n: &Number) -> Option<Value> {
    if let Some(u) = n.as_u64() {
        if u <= i64::MAX as u64 {
            return Some(Value::from(-(u as i64)));
        }
        if u == i64::MAX as u64 + 1 {
            return Some(Value::from(i64::MIN));
        }
        return None;
    }
    Number::from_f64(-n.as_f64()?).map(Value::Number)
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

fn json(item: Item) -> Option<Value> {
    match item {
        Item::Json(value) => Some(value),
        Item::Tuple(items) => items
            .into_iter()
            .map(json)
            .collect::<Option<Vec<_>>>()
            .map(Value::Array),
        Item::Opaque => None,
    }
}

/// Python's `hash()` refuses lists, dicts and sets, and tuples holding one.
fn is_hashable(item: &Item) -> bool {
    match item {
        Item::Json(Value::Array(_) | Value::Object(_)) => false,
        Item::Tuple(items) => items.iter().all(is_hashable),
        Item::Json(_) | Item::Opaque => true,
    }
}

/// A set member: hashable, and then an array like any tuple.
fn hashable(item: Item) -> Option<Value> {
    is_hashable(&item).then(|| json(item))?
}

/// A dict key as a JSON key: a string as it is, anything else hashable as
/// Python's `str()` prints it.
fn key_text(key: Item) -> Option<String> {
    if !is_hashable(&key) {
        return None;
    }
    match key {
        Item::Json(Value::String(s)) => Some(s),
        Item::Json(other) => Some(python::to_str(&other)),
        Item::Tuple(items) => {
            let mut out = String::new();
            write_tuple(&mut out, items)?;
            Some(out)
        }
        Item::Opaque => None,
    }
}

/// Python's `repr()` of a hashable tuple: `(1, 'a')`, `(1,)`, `()`.
fn write_tuple(out: &mut String, items: Vec<Item>) -> Option<()> {
    let single = items.len() == 1;
    out.push('(');
    for (i, item) in items.into_iter().enumerate() {
        if i > 0 {
            out.push_str(", ");
        }
        match item {
            Item::Tuple(inner) => write_tuple(out, inner)?,
            Item::Json(value) => out.push_str(&python::to_repr(&value)),
            Item::Opaque => return None,
        }
    }
    if single {
        out.push(',');
    }
    out.push(')');
    Some(())
}

fn insert(map: &mut Map<String, Value>, key: Item, value: Item) -> Option<()> {
    let key = key_text(key)?;
    map.insert(key, json(value)?);
    Some(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn deep_nesting_is_linear_and_bounded() {
        let ok = format!("{}1{}", "[".repeat(MAX_NESTING), "]".repeat(MAX_NESTING));
        assert!(parse(&ok).is_some());
        let deep = format!("{}1{}", "[".repeat(100_000), "]".repeat(100_000));
        assert_eq!(parse(&deep), None);
    }

    #[test]
    fn strings_escapes_and_prefixes() {
        assert_eq!(parse(r"'a\nb'"), Some(json!("a\nb")));
        assert_eq!(parse(r"r'a\nb'"), Some(json!("a\\nb")));
        assert_eq!(parse(r"'\x41\u00e9\101'"), Some(json!("Aé\u{41}")));
        assert_eq!(parse("'a' \"b\""), Some(json!("ab")));
        assert_eq!(parse("'''x\ny'''"), Some(json!("x\ny")));
        assert_eq!(parse(r"'\q'"), Some(json!("\\q")));
        assert_eq!(parse("b'x'"), None);
        assert_eq!(parse("'x' b'y'"), None);
        assert_eq!(parse("'open"), None);
    }

    #[test]
    fn containers() {
        assert_eq!(
            parse("{1: 'a', 'b': [None, (1,)]}"),
            Some(json!({"1": "a", "b": [null, [1]]}))
        );
        assert_eq!(parse("{1, 2,}"), Some(json!([1, 2])));
        assert_eq!(parse("{[1]: 2}"), None);
        assert_eq!(parse("()"), Some(json!([])));
        assert_eq!(parse("[1, 2,]"), Some(json!([1, 2])));
        assert_eq!(parse("[1 2]"), None);
        assert_eq!(parse("{'a': 1, 'a': 2}"), Some(json!({"a": 2})));
    }

    #[test]
    fn numbers() {
        assert_eq!(parse("-9223372036854775808"), Some(json!(i64::MIN)));
        assert_eq!(parse("18446744073709551615"), Some(json!(u64::MAX)));
        assert_eq!(parse("18446744073709551616"), None);
        assert_eq!(parse("1__0"), None);
        assert_eq!(parse("0x_1f"), Some(json!(31)));
        assert_eq!(parse("1.e2"), Some(json!(100.0)));
        assert_eq!(parse("1e999"), None);
        assert_eq!(parse("1+2j"), None);
        assert_eq!(parse("1+2"), None);
        assert_eq!(parse("..."), None);
    }
}
