//! A plan's value tree as read from YAML, kept small while the typed plan is made from it.
//!
//! A `serde_json::Value` tree of a 1,000-cluster plan took 20 MiB, more than anything else alive
//! while the plan was read (the source map 7, the text 4): each mapping an ordered hash map
//! (104 bytes an entry, plus its hash table), each key and string an allocation of its own. Here
//! a mapping is one slice of entries (40 bytes each), and every key and string is one shared
//! `Arc<str>` per distinct text (a plan repeats its keys and most of its values). The types read
//! the tree as they read a `serde_json::Value`: [`Deserializer`] for `&Node` does what
//! `serde_json`'s does for `&Value`, method for method, so a tree the types accept gives the
//! same plan; anything refused takes the `serde_json` path with the schema ([`Node::into_value`]).

use std::sync::Arc;

use serde::de::{
    self, DeserializeSeed, Deserializer, EnumAccess, Expected, IntoDeserializer, MapAccess, SeqAccess,
    Unexpected, VariantAccess, Visitor,
};
use serde_json::{Error, Number, Value};

/// One value of the tree: what a JSON value can be, strings and keys shared.
#[derive(Debug, Clone, PartialEq)]
pub enum Node {
    Null,
    Bool(bool),
    Number(Number),
    String(Arc<str>),
    Array(Box<[Node]>),
    /// Entries in the order written (keys are unique: the parsers refuse a repeated key).
    Object(Box<[(Arc<str>, Node)]>),
}

/// Makes each distinct text one `Arc<str>`, for as long as it is kept (one parse, one compile).
#[derive(Default)]
pub struct Strings {
    seen: std::collections::HashSet<Arc<str>, foldhash::fast::RandomState>,
}

impl Strings {
    /// The shared copy of `text`.
    pub fn get(&mut self, text: &str) -> Arc<str> {
        if let Some(shared) = self.seen.get(text) {
            return Arc::clone(shared);
        }
        let shared: Arc<str> = Arc::from(text);
        self.seen.insert(Arc::clone(&shared));
        shared
    }
}

thread_local! {
    /// The texts of the typed value being read on this thread ([`sharing`]).
    static SHARED: std::cell::RefCell<Option<Strings>> = const { std::cell::RefCell::new(None) };
}

/// Runs `read` (the making of a typed value: the plan from its tree, the clusters' current state
/// from saved `az` output) with the texts that [`shared`] reads and [`share`] makes kept once
/// each. A 1,000-cluster plan has 8,000 pools that say the same few names, versions, images and
/// sizes: a `String` each was ~1.4 MB of the typed plan, which lives for the whole run.
pub fn sharing<R>(read: impl FnOnce() -> R) -> R {
    let outer = SHARED.with(|shared| shared.replace(Some(Strings::default())));
    let result = read();
    SHARED.with(|shared| *shared.borrow_mut() = outer);
    result
}

/// The one copy of `text` within [`sharing`], a new one outside it.
pub fn share(text: &str) -> Arc<str> {
    SHARED.with(|shared| match shared.borrow_mut().as_mut() {
        Some(strings) => strings.get(text),
        None => Arc::from(text),
    })
}

/// Reads a string as an `Arc<str>` ([`share`]). Refuses what `String` refuses, with the same
/// message.
pub fn shared<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Arc<str>, D::Error> {
    struct Text;
    impl Visitor<'_> for Text {
        type Value = Arc<str>;
        fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
            f.write_str("a string")
        }
        fn visit_str<E: de::Error>(self, text: &str) -> Result<Arc<str>, E> {
            Ok(share(text))
        }
    }
    deserializer.deserialize_string(Text)
}

/// [`shared`] for an optional string (`null` or absent is `None`).
pub fn shared_opt<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Option<Arc<str>>, D::Error> {
    struct Text(Arc<str>);
    impl<'de> serde::Deserialize<'de> for Text {
        fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
            shared(deserializer).map(Text)
        }
    }
    Ok(<Option<Text> as serde::Deserialize>::deserialize(deserializer)?.map(|text| text.0))
}

impl Node {
    /// The tree of a `serde_json` value (a JSON or TOML plan), taken apart as it is made.
    pub fn from_value(value: Value, strings: &mut Strings) -> Self {
        match value {
            Value::Null => Self::Null,
            Value::Bool(b) => Self::Bool(b),
            Value::Number(n) => Self::Number(n),
            Value::String(s) => Self::String(strings.get(&s)),
            Value::Array(items) => Self::Array(
                items
                    .into_iter()
                    .map(|item| Self::from_value(item, strings))
                    .collect(),
            ),
            Value::Object(map) => Self::Object(
                map.into_iter()
                    .map(|(key, item)| (strings.get(&key), Self::from_value(item, strings)))
                    .collect(),
            ),
        }
    }

    /// The same value as a `serde_json` tree (entries in their order), taken apart as it is made.
    pub fn into_value(self) -> Value {
        match self {
            Self::Null => Value::Null,
            Self::Bool(b) => Value::Bool(b),
            Self::Number(n) => Value::Number(n),
            Self::String(s) => Value::String(s.as_ref().to_owned()),
            Self::Array(items) => Value::Array(items.into_vec().into_iter().map(Self::into_value).collect()),
            Self::Object(entries) => Value::Object(
                entries
                    .into_vec()
                    .into_iter()
                    .map(|(key, item)| (key.as_ref().to_owned(), item.into_value()))
                    .collect(),
            ),
        }
    }

    pub fn is_null(&self) -> bool {
        matches!(self, Self::Null)
    }

    /// The entries of a mapping.
    pub fn as_object(&self) -> Option<&[(Arc<str>, Node)]> {
        match self {
            Self::Object(entries) => Some(entries),
            _ => None,
        }
    }

    pub fn as_str(&self) -> Option<&str> {
        match self {
            Self::String(s) => Some(s),
            _ => None,
        }
    }

    /// The value of `key` in a mapping.
    pub fn get(&self, key: &str) -> Option<&Node> {
        self.as_object()?
            .iter()
            .find_map(|(k, v)| (k.as_ref() == key).then_some(v))
    }

    /// Whether a `null` is anywhere in the tree.
    pub fn holds_null(&self) -> bool {
        match self {
            Self::Null => true,
            Self::Array(items) => items.iter().any(Self::holds_null),
            Self::Object(entries) => entries.iter().any(|(_, v)| v.holds_null()),
            Self::Bool(_) | Self::Number(_) | Self::String(_) => false,
        }
    }

    #[cold]
    fn unexpected(&self) -> Unexpected<'_> {
        match self {
            Self::Null => Unexpected::Unit,
            Self::Bool(b) => Unexpected::Bool(*b),
            Self::Number(n) => n
                .as_u64()
                .map(Unexpected::Unsigned)
                .or_else(|| n.as_i64().map(Unexpected::Signed))
                .unwrap_or_else(|| Unexpected::Float(n.as_f64().unwrap_or(f64::NAN))),
            Self::String(s) => Unexpected::Str(s),
            Self::Array(_) => Unexpected::Seq,
            Self::Object(_) => Unexpected::Map,
        }
    }

    #[cold]
    fn invalid_type(&self, expected: &dyn Expected) -> Error {
        de::Error::invalid_type(self.unexpected(), expected)
    }
}

fn visit_array<'de, V: Visitor<'de>>(items: &'de [Node], visitor: V) -> Result<V::Value, Error> {
    let mut seq = SeqRef { iter: items.iter() };
    let value = visitor.visit_seq(&mut seq)?;
    if seq.iter.len() == 0 {
        Ok(value)
    } else {
        Err(de::Error::invalid_length(items.len(), &"fewer elements in array"))
    }
}

fn visit_object<'de, V: Visitor<'de>>(
    entries: &'de [(Arc<str>, Node)],
    visitor: V,
) -> Result<V::Value, Error> {
    let mut map = MapRef {
        iter: entries.iter(),
        value: None,
    };
    let value = visitor.visit_map(&mut map)?;
    if map.iter.len() == 0 {
        Ok(value)
    } else {
        Err(de::Error::invalid_length(entries.len(), &"fewer elements in map"))
    }
}

/// A number wherever the types ask for one.
macro_rules! number {
    ($($method:ident)*) => {$(
        fn $method<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
            match self {
                Node::Number(n) => n.deserialize_any(visitor),
                _ => Err(self.invalid_type(&visitor)),
            }
        }
    )*};
}

impl<'de> Deserializer<'de> for &'de Node {
    type Error = Error;

    fn deserialize_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        match self {
            Node::Null => visitor.visit_unit(),
            Node::Bool(b) => visitor.visit_bool(*b),
            Node::Number(n) => n.deserialize_any(visitor),
            Node::String(s) => visitor.visit_borrowed_str(s),
            Node::Array(items) => visit_array(items, visitor),
            Node::Object(entries) => visit_object(entries, visitor),
        }
    }

    number!(deserialize_i8 deserialize_i16 deserialize_i32 deserialize_i64 deserialize_i128
        deserialize_u8 deserialize_u16 deserialize_u32 deserialize_u64 deserialize_u128
        deserialize_f32 deserialize_f64);

    fn deserialize_option<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        match self {
            Node::Null => visitor.visit_none(),
            _ => visitor.visit_some(self),
        }
    }

    fn deserialize_enum<V: Visitor<'de>>(
        self,
        _name: &'static str,
        _variants: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, Error> {
        match self {
            Node::Object(entries) => match &entries[..] {
                [(variant, value)] => visitor.visit_enum(EnumRef {
                    variant,
                    value: Some(value),
                }),
                _ => Err(de::Error::invalid_value(
                    Unexpected::Map,
                    &"map with a single key",
                )),
            },
            Node::String(variant) => visitor.visit_enum(EnumRef { variant, value: None }),
            other => Err(de::Error::invalid_type(other.unexpected(), &"string or map")),
        }
    }

    fn deserialize_newtype_struct<V: Visitor<'de>>(
        self,
        _name: &'static str,
        visitor: V,
    ) -> Result<V::Value, Error> {
        visitor.visit_newtype_struct(self)
    }

    fn deserialize_bool<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        match self {
            Node::Bool(b) => visitor.visit_bool(*b),
            _ => Err(self.invalid_type(&visitor)),
        }
    }

    fn deserialize_char<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        self.deserialize_str(visitor)
    }

    fn deserialize_str<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        match self {
            Node::String(s) => visitor.visit_borrowed_str(s),
            _ => Err(self.invalid_type(&visitor)),
        }
    }

    fn deserialize_string<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        self.deserialize_str(visitor)
    }

    fn deserialize_bytes<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        match self {
            Node::String(s) => visitor.visit_borrowed_str(s),
            Node::Array(items) => visit_array(items, visitor),
            _ => Err(self.invalid_type(&visitor)),
        }
    }

    fn deserialize_byte_buf<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        self.deserialize_bytes(visitor)
    }

    fn deserialize_unit<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        match self {
            Node::Null => visitor.visit_unit(),
            _ => Err(self.invalid_type(&visitor)),
        }
    }

    fn deserialize_unit_struct<V: Visitor<'de>>(
        self,
        _name: &'static str,
        visitor: V,
    ) -> Result<V::Value, Error> {
        self.deserialize_unit(visitor)
    }

    fn deserialize_seq<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        match self {
            Node::Array(items) => visit_array(items, visitor),
            _ => Err(self.invalid_type(&visitor)),
        }
    }

    fn deserialize_tuple<V: Visitor<'de>>(self, _len: usize, visitor: V) -> Result<V::Value, Error> {
        self.deserialize_seq(visitor)
    }

    fn deserialize_tuple_struct<V: Visitor<'de>>(
        self,
        _name: &'static str,
        _len: usize,
        visitor: V,
    ) -> Result<V::Value, Error> {
        self.deserialize_seq(visitor)
    }

    fn deserialize_map<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        match self {
            Node::Object(entries) => visit_object(entries, visitor),
            _ => Err(self.invalid_type(&visitor)),
        }
    }

    fn deserialize_struct<V: Visitor<'de>>(
        self,
        _name: &'static str,
        _fields: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, Error> {
        match self {
            Node::Array(items) => visit_array(items, visitor),
            Node::Object(entries) => visit_object(entries, visitor),
            _ => Err(self.invalid_type(&visitor)),
        }
    }

    fn deserialize_identifier<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        self.deserialize_str(visitor)
    }

    fn deserialize_ignored_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        visitor.visit_unit()
    }
}

struct SeqRef<'de> {
    iter: std::slice::Iter<'de, Node>,
}

impl<'de> SeqAccess<'de> for SeqRef<'de> {
    type Error = Error;

    fn next_element_seed<T: DeserializeSeed<'de>>(&mut self, seed: T) -> Result<Option<T::Value>, Error> {
        self.iter.next().map(|item| seed.deserialize(item)).transpose()
    }

    fn size_hint(&self) -> Option<usize> {
        Some(self.iter.len())
    }
}

struct MapRef<'de> {
    iter: std::slice::Iter<'de, (Arc<str>, Node)>,
    value: Option<&'de Node>,
}

impl<'de> MapAccess<'de> for MapRef<'de> {
    type Error = Error;

    fn next_key_seed<K: DeserializeSeed<'de>>(&mut self, seed: K) -> Result<Option<K::Value>, Error> {
        let Some((key, value)) = self.iter.next() else {
            return Ok(None);
        };
        self.value = Some(value);
        // Keys are strings to every map of the plan's types; a key type that wants a number or a
        // boolean is refused here and read by `serde_json` on the schema's path.
        seed.deserialize(de::value::BorrowedStrDeserializer::<Error>::new(key))
            .map(Some)
    }

    fn next_value_seed<T: DeserializeSeed<'de>>(&mut self, seed: T) -> Result<T::Value, Error> {
        match self.value.take() {
            Some(value) => seed.deserialize(value),
            None => Err(de::Error::custom("value is missing")),
        }
    }

    fn size_hint(&self) -> Option<usize> {
        Some(self.iter.len())
    }
}

struct EnumRef<'de> {
    variant: &'de str,
    value: Option<&'de Node>,
}

impl<'de> EnumAccess<'de> for EnumRef<'de> {
    type Error = Error;
    type Variant = VariantRef<'de>;

    fn variant_seed<V: DeserializeSeed<'de>>(self, seed: V) -> Result<(V::Value, Self::Variant), Error> {
        let variant = seed.deserialize(self.variant.into_deserializer())?;
        Ok((variant, VariantRef { value: self.value }))
    }
}

struct VariantRef<'de> {
    value: Option<&'de Node>,
}

impl<'de> VariantAccess<'de> for VariantRef<'de> {
    type Error = Error;

    fn unit_variant(self) -> Result<(), Error> {
        match self.value {
            Some(value) => serde::Deserialize::deserialize(value),
            None => Ok(()),
        }
    }

    fn newtype_variant_seed<T: DeserializeSeed<'de>>(self, seed: T) -> Result<T::Value, Error> {
        match self.value {
            Some(value) => seed.deserialize(value),
            None => Err(de::Error::invalid_type(
                Unexpected::UnitVariant,
                &"newtype variant",
            )),
        }
    }

    fn tuple_variant<V: Visitor<'de>>(self, _len: usize, visitor: V) -> Result<V::Value, Error> {
        match self.value {
            Some(Node::Array(items)) if items.is_empty() => visitor.visit_unit(),
            Some(Node::Array(items)) => visit_array(items, visitor),
            Some(other) => Err(de::Error::invalid_type(other.unexpected(), &"tuple variant")),
            None => Err(de::Error::invalid_type(Unexpected::UnitVariant, &"tuple variant")),
        }
    }

    fn struct_variant<V: Visitor<'de>>(
        self,
        _fields: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, Error> {
        match self.value {
            Some(Node::Object(entries)) => visit_object(entries, visitor),
            Some(other) => Err(de::Error::invalid_type(other.unexpected(), &"struct variant")),
            None => Err(de::Error::invalid_type(
                Unexpected::UnitVariant,
                &"struct variant",
            )),
        }
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
    use std::collections::BTreeMap;

    use proptest::prelude::*;
    use serde::Deserialize;

    use super::*;

    #[derive(Debug, PartialEq, Deserialize)]
    #[serde(deny_unknown_fields, rename_all = "camelCase")]
    struct Shape {
        name: String,
        count: Option<u32>,
        #[serde(default)]
        labels: BTreeMap<String, String>,
        kind: Option<Kind>,
        either: Option<Either>,
        pair: Option<(u8, String)>,
        unit: Option<()>,
        wrapped: Option<Wrapped>,
        any: Option<Value>,
    }

    #[derive(Debug, PartialEq, Deserialize)]
    #[serde(rename_all = "camelCase")]
    enum Kind {
        Plain,
        Newtype(i64),
        Tuple(u8, bool),
        Struct { a: f64 },
    }

    #[derive(Debug, PartialEq, Deserialize)]
    #[serde(untagged)]
    enum Either {
        Number(u16),
        Text(String),
        List(Vec<Either>),
    }

    #[derive(Debug, PartialEq, Deserialize)]
    struct Wrapped(char);

    /// Both readers' verdicts on `value` as `T`: equal values, or both refused.
    fn agree<T: for<'de> Deserialize<'de> + PartialEq + std::fmt::Debug>(value: &Value) {
        let tree = Node::from_value(value.clone(), &mut Strings::default());
        let from_tree = T::deserialize(&tree).ok();
        let from_value = T::deserialize(value).ok();
        assert_eq!(from_tree, from_value, "{value}");
    }

    fn json() -> impl Strategy<Value = Value> {
        let leaf = prop_oneof![
            Just(Value::Null),
            any::<bool>().prop_map(Value::Bool),
            any::<i64>().prop_map(Value::from),
            (0u64..300).prop_map(Value::from),
            any::<f64>()
                .prop_filter("finite", |f| f.is_finite())
                .prop_map(Value::from),
            prop::sample::select(vec![
                "name", "count", "labels", "kind", "either", "pair", "unit", "wrapped", "any", "plain",
                "newtype", "tuple", "struct", "a", "x", "", "é",
            ])
            .prop_map(Value::from),
        ];
        leaf.prop_recursive(4, 48, 6, |inner| {
            prop_oneof![
                prop::collection::vec(inner.clone(), 0..4).prop_map(Value::Array),
                prop::collection::vec(
                    (
                        prop::sample::select(vec![
                            "name", "count", "labels", "kind", "either", "pair", "unit", "wrapped", "any",
                            "plain", "newtype", "tuple", "struct", "a", "b",
                        ]),
                        inner
                    ),
                    0..6
                )
                .prop_map(|entries| Value::Object(
                    entries.into_iter().map(|(k, v)| (k.to_owned(), v)).collect()
                )),
            ]
        })
    }

    proptest! {
        /// The tree is read as `serde_json` reads a value, whatever the shape asked for.
        #[test]
        fn reads_as_serde_json_reads(value in json()) {
            agree::<Shape>(&value);
            agree::<Vec<Shape>>(&value);
            agree::<Kind>(&value);
            agree::<Either>(&value);
            agree::<BTreeMap<String, Option<Kind>>>(&value);
            agree::<Value>(&value);
            agree::<(i32, Option<String>)>(&value);
        }

        /// Into a tree and back is the same value, entries in the same order.
        #[test]
        fn round_trips(value in json()) {
            let back = Node::from_value(value.clone(), &mut Strings::default()).into_value();
            prop_assert_eq!(back.to_string(), value.to_string());
        }
    }

    #[test]
    fn shapes_that_fit_are_read_alike() {
        let value = serde_json::json!({
            "name": "n", "count": 3, "labels": {"b": "1", "a": "2"},
            "kind": {"struct": {"a": 1.5}}, "either": [7, "x", [8]], "pair": [1, "p"],
            "unit": null, "wrapped": "c", "any": {"z": [1, {"y": null}]}
        });
        let tree = Node::from_value(value.clone(), &mut Strings::default());
        let shape = Shape::deserialize(&tree).unwrap();
        assert_eq!(Some(shape), Shape::deserialize(&value).ok());
        for kind in [
            serde_json::json!("plain"),
            serde_json::json!({"newtype": -4}),
            serde_json::json!({"tuple": [1, true]}),
        ] {
            let tree = Node::from_value(kind.clone(), &mut Strings::default());
            assert_eq!(
                Kind::deserialize(&tree).unwrap(),
                Kind::deserialize(&kind).unwrap()
            );
        }
    }

    #[test]
    fn each_text_is_kept_once() {
        let mut strings = Strings::default();
        let tree = Node::from_value(
            serde_json::json!([{"os": "Linux", "name": "a"}, {"os": "Linux", "name": "b"}]),
            &mut strings,
        );
        let Node::Array(items) = &tree else {
            panic!("{tree:?}")
        };
        let (first, second) = (items[0].as_object().unwrap(), items[1].as_object().unwrap());
        assert!(Arc::ptr_eq(&first[0].0, &second[0].0), "the key `os`");
        let (Node::String(a), Node::String(b)) = (&first[0].1, &second[0].1) else {
            panic!()
        };
        assert!(Arc::ptr_eq(a, b), "the value `Linux`");
    }
}
