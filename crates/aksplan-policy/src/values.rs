//! Reading a JSON document into the engine's values with every repeated string and subtree
//! stored once.
//!
//! regorus' own reader (`serde` into [`regorus::Value`]) gives each string, key and container an
//! allocation of its own. The input document of a large fleet repeats itself: at 1,000 clusters
//! × 8 pools, 950,000 strings and keys hold 35,000 distinct texts, and 130,000 arrays and
//! objects hold 40,000 distinct ones (the same surge setting, window, version state on every
//! pool). Values are immutable and reference-counted in regorus (a rule that changes one gets a
//! copy), so a value that appears twice can be the same allocation, and no rule can tell.
//!
//! Sharing is strict: two containers are one only when their children are the very same values
//! (strings by text, numbers that are integers by value, containers by identity, which sharing
//! bottom-up makes the same as equality). A container that holds a floating-point number is
//! never shared (`1.0` and `1` compare equal in Rego but are not the same text), nor are those
//! around it; nothing is ever shared by a hash alone.

use std::collections::BTreeMap;
use std::hash::{BuildHasher, Hasher};

use regorus::Value;
use serde::de::{self, DeserializeSeed, Deserializer, MapAccess, SeqAccess, Visitor};

/// The document read from `from` (one JSON value), with repeats shared.
pub fn from_json_reader(from: impl std::io::Read) -> serde_json::Result<crate::Input> {
    let mut sharing = Sharing::default();
    let mut reader = serde_json::Deserializer::from_reader(from);
    let value = Node::read(&mut sharing, &mut reader)?;
    reader.end()?;
    Ok(value.value)
}

/// The tables of what was read so far: strings by text, containers by their children.
#[derive(Default)]
struct Sharing {
    strings: hashbrown::HashTable<regorus::Rc<str>>,
    containers: hashbrown::HashTable<(u64, Value)>,
    hasher: foldhash::fast::RandomState,
}

/// A value read, and whether sharing it is exact (no float in it).
struct Node {
    value: Value,
    exact: bool,
}

impl Node {
    fn read<'de, D: Deserializer<'de>>(sharing: &mut Sharing, from: D) -> Result<Self, D::Error> {
        Seed(sharing).deserialize(from)
    }

    /// A scalar as regorus' own reader makes it (numbers, booleans, null), by handing it to
    /// that reader.
    fn scalar<'de, E: de::Error>(from: impl Deserializer<'de, Error = E>, exact: bool) -> Result<Self, E> {
        Ok(Self {
            value: <Value as serde::Deserialize>::deserialize(from)?,
            exact,
        })
    }
}

impl Sharing {
    fn string(&mut self, text: &str) -> Value {
        let hash = self.hasher.hash_one(text);
        let shared = match self
            .strings
            .entry(hash, |s| &**s == text, |s| self.hasher.hash_one(&**s))
        {
            hashbrown::hash_table::Entry::Occupied(found) => found.get().clone(),
            hashbrown::hash_table::Entry::Vacant(vacant) => {
                vacant.insert(regorus::Rc::from(text)).get().clone()
            }
        };
        Value::String(shared)
    }

    /// The container already read with the same children, else `value` (kept for later ones).
    fn container(&mut self, value: Value) -> Value {
        let mut hasher = self.hasher.build_hasher();
        children(&value, |child| identity(child, &mut hasher));
        let hash = hasher.finish();
        let found = self
            .containers
            .find(hash, |(h, other)| *h == hash && same_children(other, &value));
        if let Some((_, shared)) = found {
            return shared.clone();
        }
        self.containers
            .insert_unique(hash, (hash, value.clone()), |(h, _)| *h);
        value
    }
}

/// Calls `each` on the children of a container in order: an object's keys and values
/// alternately, an array's items; a tag first, so that `[]` and `{}` differ.
fn children(value: &Value, mut each: impl FnMut(&Value)) {
    match value {
        Value::Array(items) => {
            each(&Value::Null);
            items.iter().for_each(each);
        }
        Value::Object(entries) => {
            each(&Value::Bool(true));
            for (key, item) in entries.iter() {
                each(key);
                each(item);
            }
        }
        _ => {}
    }
}

/// Hashes what makes a child the same: a string's or container's allocation (all shared), a
/// scalar's value.
fn identity(value: &Value, hasher: &mut impl Hasher) {
    match value {
        Value::String(s) => hasher.write_usize(regorus::Rc::as_ptr(s).cast::<u8>() as usize),
        Value::Array(a) => hasher.write_usize(regorus::Rc::as_ptr(a) as usize),
        Value::Object(o) => hasher.write_usize(regorus::Rc::as_ptr(o) as usize),
        Value::Set(s) => hasher.write_usize(regorus::Rc::as_ptr(s) as usize),
        Value::Number(n) => hasher.write_i128(
            n.as_i64()
                .map_or_else(|| i128::from(n.as_u64().unwrap_or(0)), i128::from),
        ),
        Value::Bool(b) => hasher.write_u8(2 + u8::from(*b)),
        Value::Null => hasher.write_u8(0),
        Value::Undefined => hasher.write_u8(1),
    }
}

/// Whether two children are the same value in the strict sense of this module.
fn same(a: &Value, b: &Value) -> bool {
    match (a, b) {
        (Value::String(x), Value::String(y)) => x == y,
        (Value::Array(x), Value::Array(y)) => regorus::Rc::ptr_eq(x, y),
        (Value::Object(x), Value::Object(y)) => regorus::Rc::ptr_eq(x, y),
        (Value::Set(x), Value::Set(y)) => regorus::Rc::ptr_eq(x, y),
        // Only integers reach here (a container with a float is never shared): equal integers
        // are the same number.
        (Value::Number(_), Value::Number(_)) | (Value::Bool(_), Value::Bool(_)) => a == b,
        (Value::Null, Value::Null) | (Value::Undefined, Value::Undefined) => true,
        _ => false,
    }
}

/// Whether two containers of the same kind hold the same children, in order.
fn same_children(a: &Value, b: &Value) -> bool {
    match (a, b) {
        (Value::Array(x), Value::Array(y)) => {
            x.len() == y.len() && x.iter().zip(y.iter()).all(|(p, q)| same(p, q))
        }
        (Value::Object(x), Value::Object(y)) => {
            x.len() == y.len()
                && x.iter()
                    .zip(y.iter())
                    .all(|((k, v), (l, w))| same(k, l) && same(v, w))
        }
        _ => false,
    }
}

struct Seed<'s>(&'s mut Sharing);

impl<'de> DeserializeSeed<'de> for Seed<'_> {
    type Value = Node;

    fn deserialize<D: Deserializer<'de>>(self, from: D) -> Result<Node, D::Error> {
        from.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for Seed<'_> {
    type Value = Node;

    fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("a JSON value")
    }

    fn visit_unit<E: de::Error>(self) -> Result<Node, E> {
        Node::scalar(de::value::UnitDeserializer::new(), true)
    }

    fn visit_bool<E: de::Error>(self, v: bool) -> Result<Node, E> {
        Node::scalar(de::value::BoolDeserializer::new(v), true)
    }

    fn visit_u64<E: de::Error>(self, v: u64) -> Result<Node, E> {
        Node::scalar(de::value::U64Deserializer::new(v), true)
    }

    fn visit_i64<E: de::Error>(self, v: i64) -> Result<Node, E> {
        Node::scalar(de::value::I64Deserializer::new(v), true)
    }

    fn visit_f64<E: de::Error>(self, v: f64) -> Result<Node, E> {
        Node::scalar(de::value::F64Deserializer::new(v), false)
    }

    fn visit_str<E: de::Error>(self, v: &str) -> Result<Node, E> {
        Ok(Node {
            value: self.0.string(v),
            exact: true,
        })
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut items: A) -> Result<Node, A::Error> {
        let mut values = Vec::with_capacity(items.size_hint().unwrap_or(0));
        let mut exact = true;
        while let Some(item) = items.next_element_seed(Seed(self.0))? {
            exact &= item.exact;
            values.push(item.value);
        }
        let value = Value::from(values);
        Ok(self.0.finish(value, exact))
    }

    fn visit_map<A: MapAccess<'de>>(self, mut entries: A) -> Result<Node, A::Error> {
        let mut map = BTreeMap::new();
        let mut exact = true;
        while let Some(key) = entries.next_key_seed(Seed(self.0))? {
            let item = entries.next_value_seed(Seed(self.0))?;
            exact &= key.exact && item.exact;
            // A repeated key: the last one wins, as in regorus' reader and OPA.
            map.insert(key.value, item.value);
        }
        // regorus' reader makes `{}` its own way.
        let value = if map.is_empty() {
            Value::new_object()
        } else {
            Value::from(map)
        };
        Ok(self.0.finish(value, exact))
    }
}

impl Sharing {
    fn finish(&mut self, value: Value, exact: bool) -> Node {
        let value = if exact { self.container(value) } else { value };
        Node { value, exact }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn shared(text: &str) -> Value {
        from_json_reader(text.as_bytes()).unwrap()
    }

    fn regorus(text: &str) -> Value {
        serde_json::from_str::<Value>(text).unwrap()
    }

    fn arc_of(value: &Value) -> usize {
        match value {
            Value::Object(o) => regorus::Rc::as_ptr(o) as usize,
            Value::Array(a) => regorus::Rc::as_ptr(a) as usize,
            Value::String(s) => regorus::Rc::as_ptr(s).cast::<u8>() as usize,
            other => panic!("not shareable: {other:?}"),
        }
    }

    #[test]
    fn repeated_subtrees_and_strings_are_one_allocation() {
        let v = shared(
            r#"{"a": {"x": [1, "s"], "y": null}, "b": {"x": [1, "s"], "y": null}, "c": "s", "d": ["s"]}"#,
        );
        assert_eq!(v, regorus(&v.to_json_str().unwrap()));
        let (a, b) = (&v["a"], &v["b"]);
        assert_eq!(arc_of(a), arc_of(b), "equal objects are one");
        assert_eq!(arc_of(&a["x"]), arc_of(&b["x"]));
        assert_eq!(arc_of(&v["c"]), arc_of(&a["x"][1]), "equal strings are one");
        assert_eq!(arc_of(&v["c"]), arc_of(&v["d"][0]));
        // Keys too: both objects' `x` keys are the same text allocation.
        let key_of = |o: &Value| {
            let (k, _) = o.as_object().unwrap().iter().next().unwrap();
            arc_of(k)
        };
        assert_eq!(key_of(a), key_of(b));
    }

    #[test]
    fn different_subtrees_stay_apart() {
        let v = shared(r#"[{"x": 1}, {"x": 2}, {"y": 1}, [1], {"0": 1}, [], {}, [[]], [{}]]"#);
        let arcs: std::collections::BTreeSet<usize> = (0..9).map(|i| arc_of(&v[i])).collect();
        assert_eq!(arcs.len(), 9, "{v:?}");
    }

    #[test]
    fn floats_are_never_shared_and_read_as_regorus_reads_them() {
        let text = r#"[[1.0], [1.0], [1], [1], {"a": 2.5}, {"a": 2.5}, 1e300, -0.0, 18446744073709551615, -9223372036854775808]"#;
        let v = shared(text);
        assert_eq!(v, regorus(text));
        assert_ne!(
            arc_of(&v[0]),
            arc_of(&v[1]),
            "a container with a float is not shared"
        );
        assert_ne!(arc_of(&v[4]), arc_of(&v[5]));
        assert_eq!(arc_of(&v[2]), arc_of(&v[3]), "integers are");
        assert_ne!(arc_of(&v[0]), arc_of(&v[2]), "1.0 is not 1");
    }

    /// Sharing never rests on a hash: containers are one only when their children are the
    /// same values (containers by identity, which bottom-up sharing makes equality).
    #[test]
    fn containers_are_the_same_only_with_the_same_children() {
        let v = regorus(r#"[[1, "a"], [1, "a"], [1, "b"], [2, "a"], {"k": [1]}, {"k": [1]}, {"j": [1]}]"#);
        assert!(same_children(&v[0], &v[0]));
        assert!(same_children(&v[0], &v[1]), "equal strings and integers");
        assert!(!same_children(&v[0], &v[2]));
        assert!(!same_children(&v[0], &v[3]));
        assert!(
            !same_children(&v[4], &v[5]),
            "equal children in two allocations are not the same"
        );
        assert!(!same_children(&v[4], &v[6]));
        assert!(!same_children(&v[0], &v[4]), "an array is not an object");
        let one = shared(r#"[{"k": [1]}, {"k": [1]}]"#);
        assert!(same_children(&one[0], &one[1]));
    }

    #[test]
    fn a_repeated_key_keeps_the_last_value_as_regorus_does() {
        let text = r#"{"a": 1, "b": 2, "a": 3}"#;
        assert_eq!(shared(text), regorus(text));
        assert_eq!(shared(text)["a"], Value::from(3u64));
    }

    #[test]
    fn malformed_text_is_an_error() {
        for text in ["", "{", r#"{"a": }"#, "[1,]", "1 2", "nul"] {
            assert!(from_json_reader(text.as_bytes()).is_err(), "{text:?}");
        }
    }

    /// JSON values with few distinct leaves, so that repeats (the point of sharing) are common.
    fn json() -> impl Strategy<Value = serde_json::Value> {
        let leaf = prop_oneof![
            Just(serde_json::Value::Null),
            any::<bool>().prop_map(serde_json::Value::from),
            (-3i64..3).prop_map(serde_json::Value::from),
            prop_oneof![Just(0.5f64), Just(1.0), Just(-2.0)].prop_map(serde_json::Value::from),
            prop_oneof![Just("a"), Just("b"), Just(""), Just("é")].prop_map(serde_json::Value::from),
        ];
        leaf.prop_recursive(4, 48, 4, |inner| {
            prop_oneof![
                prop::collection::vec(inner.clone(), 0..4).prop_map(serde_json::Value::Array),
                prop::collection::vec((prop_oneof![Just("a"), Just("b"), Just("c")], inner), 0..4).prop_map(
                    |entries| serde_json::Value::Object(
                        entries.into_iter().map(|(k, v)| (k.to_owned(), v)).collect()
                    )
                ),
            ]
        })
    }

    proptest! {
        /// Whatever is shared, the values are regorus' own: equal, and equal when written out.
        #[test]
        fn the_shared_reading_is_regorus_reading(doc in json()) {
            let text = doc.to_string();
            let ours = shared(&text);
            let theirs = regorus(&text);
            prop_assert_eq!(&ours, &theirs);
            prop_assert_eq!(ours.to_json_str().unwrap(), theirs.to_json_str().unwrap());
        }
    }
}
