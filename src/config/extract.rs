//! Typed extraction: a serde `Deserializer` over the resolved tree.
//!
//! Written here rather than using `serde_json::Value`'s own deserializer
//! because extraction must (1) give back the text a value was cast from when
//! the target wants a string, (2) accept numbers and booleans written as
//! strings, and (3) report the key path and its source, showing the offending
//! value only when the key is not sensitive. No crate offers that combination.

use std::fmt;

use serde::de::{
    self, DeserializeOwned, DeserializeSeed, EnumAccess, IntoDeserializer, MapAccess, SeqAccess,
    Unexpected, VariantAccess, Visitor,
};
use serde_json::Value;

use crate::config::ConfigError;
use crate::config::node::Node;
use crate::config::sensitive;
use crate::render::MASK;

/// How much of an offending value an error shows, in characters.
const SHOWN_CHARS: usize = 64;

/// Deserializes `value` (at `path`, with `node` its meta node) into `T`.
/// `is_sensitive` is the configuration's one sensitivity rule
/// ([`Config::is_sensitive`](crate::config::Config::is_sensitive)): an error
/// for a sensitive key never shows the value.
pub(crate) fn extract<T: DeserializeOwned>(
    value: &Value,
    node: &Node,
    path: &[&str],
    is_sensitive: &dyn Fn(&str) -> bool,
) -> Result<T, ConfigError> {
    let de = De {
        value,
        meta: node,
        exact: true,
        path: path.join("."),
    };
    T::deserialize(de).map_err(|err| {
        let key = err.path.unwrap_or_else(|| path.join("."));
        let at = meta_for(node, &key, path.len());
        let origin = at.source().clone();
        let secret = is_sensitive(&key);
        let message = match err.revealing {
            // A URL password in a value under an ordinary key stays hidden too.
            Some(revealing) if !secret && !sensitive::has_embedded_credential(&revealing) => {
                revealing
            }
            _ if secret && err.custom => "invalid value".to_owned(),
            _ => err.message,
        };
        ConfigError::Extract {
            key,
            origin: Some(origin),
            message,
        }
    })
}

/// The meta node for `key`, which starts with the `skip` parts of the root.
fn meta_for<'m>(root: &'m Node, key: &str, skip: usize) -> &'m Node {
    root.find(key.split('.').filter(|p| !p.is_empty()).skip(skip))
}

/// A deserialization error: a message without values, the same message
/// showing the offending value (used when the key is not sensitive), and the
/// innermost path.
#[derive(Debug)]
pub(crate) struct Error {
    message: String,
    revealing: Option<String>,
    path: Option<String>,
    /// Set by `missing_field`: the path gets the field appended.
    field: Option<&'static str>,
    /// Made by `custom`: the text came from user code and may hold a value.
    custom: bool,
}

impl Error {
    fn new(message: String) -> Self {
        Error {
            message,
            revealing: None,
            path: None,
            field: None,
            custom: false,
        }
    }

    fn revealing(mut self, message: String) -> Self {
        self.revealing = Some(message);
        self
    }

    fn at(mut self, path: &str) -> Self {
        if self.path.is_none() {
            self.path = Some(match self.field {
                Some(field) if path.is_empty() => field.to_owned(),
                Some(field) => format!("{path}.{field}"),
                None => path.to_owned(),
            });
        }
        self
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for Error {}

impl de::Error for Error {
    fn custom<T: fmt::Display>(msg: T) -> Self {
        Error {
            message: msg.to_string(),
            revealing: None,
            path: None,
            field: None,
            custom: true,
        }
    }

    fn invalid_type(unexp: Unexpected<'_>, exp: &dyn de::Expected) -> Self {
        Error::new(format!(
            "invalid type: expected {exp}, found {}",
            kind(&unexp)
        ))
        .revealing(format!(
            "invalid type: expected {exp}, found {}",
            shown(&unexp)
        ))
    }

    fn invalid_value(unexp: Unexpected<'_>, exp: &dyn de::Expected) -> Self {
        Error::new(format!(
            "invalid value: expected {exp}, found {}",
            kind(&unexp)
        ))
        .revealing(format!(
            "invalid value: expected {exp}, found {}",
            shown(&unexp)
        ))
    }

    fn invalid_length(len: usize, exp: &dyn de::Expected) -> Self {
        Error::new(format!("invalid length {len}, expected {exp}"))
    }

    fn unknown_variant(variant: &str, expected: &'static [&'static str]) -> Self {
        let expected = expected.join(", ");
        Error::new(format!("unknown variant, expected one of: {expected}")).revealing(format!(
            "unknown variant {}, expected one of: {expected}",
            shown_text(variant)
        ))
    }

    fn unknown_field(field: &str, expected: &'static [&'static str]) -> Self {
        Error::new(format!(
            "unknown field `{field}`, expected one of: {}",
            expected.join(", ")
        ))
    }

    fn missing_field(field: &'static str) -> Self {
        let mut err = Error::new(format!("missing field `{field}`"));
        err.field = Some(field);
        err
    }

    fn duplicate_field(field: &'static str) -> Self {
        Error::new(format!("duplicate field `{field}`"))
    }
}

/// An unexpected value as serde describes it (`integer `-1``, `string
/// "abc"`), cut to [`SHOWN_CHARS`]; for keys that are not sensitive.
fn shown(unexp: &Unexpected<'_>) -> String {
    match unexp {
        Unexpected::Str(text) => format!("string {}", shown_text(text)),
        other => other.to_string(),
    }
}

/// `text` quoted and escaped (it cannot break the message's line), cut to
/// [`SHOWN_CHARS`] characters.
fn shown_text(text: &str) -> String {
    // Judged on the whole text, before it is cut: a password past the cut
    // must not show its first characters either.
    if sensitive::has_embedded_credential(text)
        || sensitive::cast_text_is_sensitive(text, sensitive::Scope::Other)
    {
        return MASK.to_owned();
    }
    if text.chars().count() <= SHOWN_CHARS {
        return format!("{text:?}");
    }
    let cut: String = text.chars().take(SHOWN_CHARS).collect();
    format!("{cut:?}…")
}

/// The kind of an unexpected value, without the value itself.
fn kind(unexp: &Unexpected<'_>) -> &'static str {
    match unexp {
        Unexpected::Bool(_) => "a boolean",
        Unexpected::Unsigned(_) | Unexpected::Signed(_) => "an integer",
        Unexpected::Float(_) => "a float",
        Unexpected::Char(_) => "a character",
        Unexpected::Str(_) => "a string",
        Unexpected::Bytes(_) => "bytes",
        Unexpected::Unit => "null",
        Unexpected::Option => "an optional value",
        Unexpected::NewtypeStruct => "a newtype struct",
        Unexpected::Seq => "an array",
        Unexpected::Map => "a table",
        Unexpected::Enum => "an enum",
        Unexpected::UnitVariant | Unexpected::NewtypeVariant | Unexpected::TupleVariant => {
            "an enum variant"
        }
        Unexpected::StructVariant => "an enum variant",
        Unexpected::Other(_) => "another kind of value",
    }
}

struct De<'v> {
    value: &'v Value,
    /// The node of this value, or the leaf that contains it.
    meta: &'v Node,
    /// True when `meta` belongs to this very value (not to a containing leaf).
    exact: bool,
    path: String,
}

impl<'v> De<'v> {
    fn child(&self, value: &'v Value, key: &str) -> De<'v> {
        let (meta, exact) = match (self.exact, self.meta.child(key)) {
            (true, Some(child)) => (child, true),
            _ => (self.meta, false),
        };
        let path = if self.path.is_empty() {
            key.to_owned()
        } else {
            format!("{}.{key}", self.path)
        };
        De {
            value,
            meta,
            exact,
            path,
        }
    }

    /// The text this value was cast from, if casting changed its type.
    fn raw(&self) -> Option<&'v str> {
        match (self.exact, self.meta) {
            (true, Node::Leaf(leaf)) => leaf.raw(),
            _ => None,
        }
    }
}

macro_rules! forgiving_number {
    ($($method:ident),*) => {$(
        fn $method<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
            if let Value::String(s) = self.value {
                let text = s.trim();
                let parsed = if let Ok(n) = text.parse::<u64>() {
                    Some(visitor.visit_u64(n))
                } else if let Ok(n) = text.parse::<i64>() {
                    Some(visitor.visit_i64(n))
                } else if let Ok(n) = text.parse::<f64>() {
                    Some(visitor.visit_f64(n))
                } else {
                    None
                };
                return match parsed {
                    Some(result) => result.map_err(|e: Error| e.at(&self.path)),
                    None => Err(Error::new("invalid type: expected a number, found a string".into())
                        .revealing(format!("invalid type: expected a number, found string {}", shown_text(s)))
                        .at(&self.path)),
                };
            }
            self.deserialize_any(visitor)
        }
    )*};
}

impl<'de> de::Deserializer<'de> for De<'_> {
    type Error = Error;

    fn deserialize_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        let result = match self.value {
            Value::Null => visitor.visit_unit(),
            Value::Bool(b) => visitor.visit_bool(*b),
            Value::Number(n) => {
                if let Some(u) = n.as_u64() {
                    visitor.visit_u64(u)
                } else if let Some(i) = n.as_i64() {
                    visitor.visit_i64(i)
                } else {
                    visitor.visit_f64(n.as_f64().unwrap_or(f64::NAN))
                }
            }
            Value::String(s) => visitor.visit_str(s),
            Value::Array(items) => {
                let path = self.path.clone();
                return visitor
                    .visit_seq(Seq {
                        parent: &self,
                        items: items.iter().enumerate(),
                    })
                    .map_err(|e: Error| e.at(&path));
            }
            Value::Object(map) => {
                let path = self.path.clone();
                return visitor
                    .visit_map(Map {
                        parent: &self,
                        entries: map.iter(),
                        value: None,
                    })
                    .map_err(|e: Error| e.at(&path));
            }
        };
        result.map_err(|e: Error| e.at(&self.path))
    }

    fn deserialize_bool<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        if let Value::String(s) = self.value {
            let text = s.trim();
            if text.eq_ignore_ascii_case("true") {
                return visitor
                    .visit_bool(true)
                    .map_err(|e: Error| e.at(&self.path));
            }
            if text.eq_ignore_ascii_case("false") {
                return visitor
                    .visit_bool(false)
                    .map_err(|e: Error| e.at(&self.path));
            }
        }
        self.deserialize_any(visitor)
    }

    forgiving_number!(
        deserialize_i8,
        deserialize_i16,
        deserialize_i32,
        deserialize_i64,
        deserialize_i128,
        deserialize_u8,
        deserialize_u16,
        deserialize_u32,
        deserialize_u64,
        deserialize_u128,
        deserialize_f32,
        deserialize_f64
    );

    fn deserialize_str<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        let result = if let Some(raw) = self.raw() {
            visitor.visit_str(raw)
        } else {
            match self.value {
                Value::String(s) => visitor.visit_str(s),
                Value::Number(n) => visitor.visit_str(&n.to_string()),
                Value::Bool(b) => visitor.visit_str(if *b { "true" } else { "false" }),
                _ => return self.deserialize_any(visitor),
            }
        };
        result.map_err(|e: Error| e.at(&self.path))
    }

    fn deserialize_string<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        self.deserialize_str(visitor)
    }

    fn deserialize_char<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        self.deserialize_str(visitor)
    }

    fn deserialize_bytes<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        match self.value {
            Value::String(s) => visitor
                .visit_bytes(s.as_bytes())
                .map_err(|e: Error| e.at(&self.path)),
            _ => self.deserialize_any(visitor),
        }
    }

    fn deserialize_byte_buf<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        self.deserialize_bytes(visitor)
    }

    fn deserialize_option<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        match self.value {
            Value::Null => visitor.visit_none().map_err(|e: Error| e.at(&self.path)),
            _ => visitor.visit_some(self),
        }
    }

    fn deserialize_unit<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        self.deserialize_any(visitor)
    }

    fn deserialize_unit_struct<V: Visitor<'de>>(
        self,
        _name: &'static str,
        visitor: V,
    ) -> Result<V::Value, Error> {
        self.deserialize_any(visitor)
    }

    fn deserialize_newtype_struct<V: Visitor<'de>>(
        self,
        _name: &'static str,
        visitor: V,
    ) -> Result<V::Value, Error> {
        visitor.visit_newtype_struct(self)
    }

    fn deserialize_seq<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        self.deserialize_any(visitor)
    }

    fn deserialize_tuple<V: Visitor<'de>>(
        self,
        _len: usize,
        visitor: V,
    ) -> Result<V::Value, Error> {
        self.deserialize_any(visitor)
    }

    fn deserialize_tuple_struct<V: Visitor<'de>>(
        self,
        _name: &'static str,
        _len: usize,
        visitor: V,
    ) -> Result<V::Value, Error> {
        self.deserialize_any(visitor)
    }

    fn deserialize_map<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        self.deserialize_any(visitor)
    }

    fn deserialize_struct<V: Visitor<'de>>(
        self,
        _name: &'static str,
        _fields: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, Error> {
        self.deserialize_any(visitor)
    }

    fn deserialize_enum<V: Visitor<'de>>(
        self,
        _name: &'static str,
        _variants: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, Error> {
        let path = self.path.clone();
        let result = match self.value {
            Value::String(s) => {
                visitor.visit_enum(IntoDeserializer::<Error>::into_deserializer(s.as_str()))
            }
            Value::Object(map) if map.len() == 1 => {
                let Some((variant, value)) = map.iter().next() else {
                    return Err(Error::new("expected an enum".into()).at(&path));
                };
                let content = self.child(value, variant);
                visitor.visit_enum(Enum { variant, content })
            }
            _ => Err(Error::new(
                "invalid type: expected an enum variant name or a one-key table".into(),
            )),
        };
        result.map_err(|e: Error| e.at(&path))
    }

    fn deserialize_identifier<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        self.deserialize_str(visitor)
    }

    fn deserialize_ignored_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        visitor.visit_unit()
    }
}

struct Seq<'a, 'v> {
    parent: &'a De<'v>,
    items: std::iter::Enumerate<std::slice::Iter<'v, Value>>,
}

impl<'de> SeqAccess<'de> for Seq<'_, '_> {
    type Error = Error;

    fn next_element_seed<T: DeserializeSeed<'de>>(
        &mut self,
        seed: T,
    ) -> Result<Option<T::Value>, Error> {
        let Some((index, item)) = self.items.next() else {
            return Ok(None);
        };
        let mut child = self.parent.child(item, &index.to_string());
        child.exact = false;
        seed.deserialize(child).map(Some)
    }

    fn size_hint(&self) -> Option<usize> {
        Some(self.items.len())
    }
}

struct Map<'a, 'v> {
    parent: &'a De<'v>,
    entries: serde_json::map::Iter<'v>,
    value: Option<(&'v String, &'v Value)>,
}

impl<'de> MapAccess<'de> for Map<'_, '_> {
    type Error = Error;

    fn next_key_seed<K: DeserializeSeed<'de>>(
        &mut self,
        seed: K,
    ) -> Result<Option<K::Value>, Error> {
        let Some((key, value)) = self.entries.next() else {
            return Ok(None);
        };
        self.value = Some((key, value));
        seed.deserialize(key.as_str().into_deserializer()).map(Some)
    }

    fn next_value_seed<V: DeserializeSeed<'de>>(&mut self, seed: V) -> Result<V::Value, Error> {
        let Some((key, value)) = self.value.take() else {
            return Err(Error::new(
                "a map value was requested before its key".into(),
            ));
        };
        seed.deserialize(self.parent.child(value, key))
    }

    fn size_hint(&self) -> Option<usize> {
        Some(self.entries.len())
    }
}

struct Enum<'a, 'v> {
    variant: &'a str,
    content: De<'v>,
}

impl<'de, 'v> EnumAccess<'de> for Enum<'_, 'v> {
    type Error = Error;
    type Variant = De<'v>;

    fn variant_seed<S: DeserializeSeed<'de>>(self, seed: S) -> Result<(S::Value, De<'v>), Error> {
        let variant =
            seed.deserialize(IntoDeserializer::<Error>::into_deserializer(self.variant))?;
        Ok((variant, self.content))
    }
}

impl<'de> VariantAccess<'de> for De<'_> {
    type Error = Error;

    fn unit_variant(self) -> Result<(), Error> {
        match self.value {
            Value::Null => Ok(()),
            _ => Err(Error::new("invalid type: expected a unit variant".into()).at(&self.path)),
        }
    }

    fn newtype_variant_seed<T: DeserializeSeed<'de>>(self, seed: T) -> Result<T::Value, Error> {
        seed.deserialize(self)
    }

    fn tuple_variant<V: Visitor<'de>>(self, _len: usize, visitor: V) -> Result<V::Value, Error> {
        de::Deserializer::deserialize_any(self, visitor)
    }

    fn struct_variant<V: Visitor<'de>>(
        self,
        _fields: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, Error> {
        de::Deserializer::deserialize_any(self, visitor)
    }
}
