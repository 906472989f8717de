//! The entries of an object or map value: one vector sorted by key.
//!
//! A `BTreeMap` allocates nodes of eleven slots however few entries there are, so an object of
//! 16 attributes took three nodes (about 2 KB) and one of 2 took a whole node (about 630
//! bytes). Every resource instance of a plan holds a few such objects, and at 10,000 or
//! 100,000 instances they were most of the engine's memory. A sorted vector holds exactly its
//! entries in one allocation and keeps what the engine relies on: lookups by binary search,
//! iteration in key order (Terraform's attribute order), equality of maps as equality of
//! entries.
//!
//! Inserting out of order costs a move of the entries after the slot, so maps built from
//! many unordered keys are collected ([`FromIterator`] sorts once) rather than inserted into
//! one by one; [`ValueMap::insert`] in key order is a push.

use std::collections::BTreeMap;

use super::value::Value;

/// Entries sorted by key, keys unique.
#[derive(Clone, Default, PartialEq)]
pub struct ValueMap {
    entries: Vec<(String, Value)>,
}

impl ValueMap {
    pub fn new() -> Self {
        ValueMap::default()
    }

    /// An empty map with room for `n` entries (for maps built from a known number of keys).
    pub fn with_capacity(n: usize) -> Self {
        ValueMap {
            entries: Vec::with_capacity(n),
        }
    }

    pub fn len(&self) -> usize {
        self.entries.len()
    }

    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    fn position(&self, key: &str) -> Result<usize, usize> {
        self.entries.binary_search_by(|(k, _)| k.as_str().cmp(key))
    }

    pub fn get(&self, key: &str) -> Option<&Value> {
        self.position(key).ok().map(|i| &self.entries[i].1)
    }

    pub fn get_mut(&mut self, key: &str) -> Option<&mut Value> {
        match self.position(key) {
            Ok(i) => Some(&mut self.entries[i].1),
            Err(_) => None,
        }
    }

    pub fn contains_key(&self, key: &str) -> bool {
        self.position(key).is_ok()
    }

    /// Sets `key` to `value`, returning the value it replaces.
    pub fn insert(&mut self, key: String, value: Value) -> Option<Value> {
        // Keys arriving in order (decoding, converting a sorted map) are pushed.
        if self
            .entries
            .last()
            .is_none_or(|(last, _)| last.as_str() < key.as_str())
        {
            self.entries.push((key, value));
            return None;
        }
        match self.position(&key) {
            Ok(i) => Some(std::mem::replace(&mut self.entries[i].1, value)),
            Err(i) => {
                self.entries.insert(i, (key, value));
                None
            }
        }
    }

    pub fn remove(&mut self, key: &str) -> Option<Value> {
        match self.position(key) {
            Ok(i) => Some(self.entries.remove(i).1),
            Err(_) => None,
        }
    }

    pub fn iter(&self) -> Iter<'_> {
        Iter(self.entries.iter())
    }

    pub fn iter_mut(&mut self) -> IterMut<'_> {
        IterMut(self.entries.iter_mut())
    }

    pub fn keys(&self) -> impl DoubleEndedIterator<Item = &String> + ExactSizeIterator {
        self.entries.iter().map(|(k, _)| k)
    }

    pub fn values(&self) -> impl DoubleEndedIterator<Item = &Value> + ExactSizeIterator {
        self.entries.iter().map(|(_, v)| v)
    }

    pub fn values_mut(
        &mut self,
    ) -> impl DoubleEndedIterator<Item = &mut Value> + ExactSizeIterator {
        self.entries.iter_mut().map(|(_, v)| v)
    }

    pub fn into_values(self) -> impl DoubleEndedIterator<Item = Value> + ExactSizeIterator {
        self.entries.into_iter().map(|(_, v)| v)
    }

    /// A lookup for keys asked mostly in ascending order (a schema's names): each costs
    /// amortised one comparison instead of a binary search.
    pub fn ascending_lookup(&self) -> AscendingLookup<'_> {
        AscendingLookup {
            entries: &self.entries,
            next: 0,
        }
    }
}

impl std::fmt::Debug for ValueMap {
    /// As a `BTreeMap` prints: `{"a": Null}`.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_map().entries(self.iter()).finish()
    }
}

impl FromIterator<(String, Value)> for ValueMap {
    /// Sorts once; of equal keys the last one wins, as repeated inserts would.
    fn from_iter<I: IntoIterator<Item = (String, Value)>>(iter: I) -> Self {
        let mut entries: Vec<(String, Value)> = iter.into_iter().collect();
        if !entries.windows(2).all(|w| w[0].0 < w[1].0) {
            // A stable sort keeps equal keys in arrival order; keep the last of each run.
            entries.sort_by(|a, b| a.0.cmp(&b.0));
            entries.reverse();
            entries.dedup_by(|later, earlier| later.0 == earlier.0);
            entries.reverse();
        }
        entries.shrink_to_fit();
        ValueMap { entries }
    }
}

impl<'a> FromIterator<(&'a str, Value)> for ValueMap {
    fn from_iter<I: IntoIterator<Item = (&'a str, Value)>>(iter: I) -> Self {
        iter.into_iter().map(|(k, v)| (k.to_string(), v)).collect()
    }
}

impl Extend<(String, Value)> for ValueMap {
    fn extend<I: IntoIterator<Item = (String, Value)>>(&mut self, iter: I) {
        let added = std::mem::take(&mut self.entries).into_iter().chain(iter);
        *self = added.collect();
    }
}

impl From<BTreeMap<String, Value>> for ValueMap {
    /// In order already: no sorting.
    fn from(map: BTreeMap<String, Value>) -> Self {
        ValueMap {
            entries: map.into_iter().collect(),
        }
    }
}

impl From<ValueMap> for BTreeMap<String, Value> {
    fn from(map: ValueMap) -> Self {
        map.entries.into_iter().collect()
    }
}

/// See [`ValueMap::ascending_lookup`].
pub struct AscendingLookup<'a> {
    entries: &'a [(String, Value)],
    /// Entries before this one have keys less than the last key asked.
    next: usize,
}

impl<'a> AscendingLookup<'a> {
    /// The value of `key`. A key less than the one asked before it (a second ascending run,
    /// such as a schema's blocks after its attributes) starts again by binary search.
    pub fn get(&mut self, key: &str) -> Option<&'a Value> {
        let went_back = self
            .next
            .checked_sub(1)
            .is_some_and(|last| self.entries[last].0.as_str() >= key);
        if went_back {
            self.next = self.entries.partition_point(|(k, _)| k.as_str() < key);
        }
        while let Some((k, v)) = self.entries.get(self.next) {
            match k.as_str().cmp(key) {
                std::cmp::Ordering::Less => self.next += 1,
                std::cmp::Ordering::Equal => return Some(v),
                std::cmp::Ordering::Greater => return None,
            }
        }
        None
    }
}

/// Borrowed entries in key order.
pub struct Iter<'a>(std::slice::Iter<'a, (String, Value)>);

impl<'a> Iterator for Iter<'a> {
    type Item = (&'a String, &'a Value);

    fn next(&mut self) -> Option<Self::Item> {
        self.0.next().map(|(k, v)| (k, v))
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        self.0.size_hint()
    }
}

impl DoubleEndedIterator for Iter<'_> {
    fn next_back(&mut self) -> Option<Self::Item> {
        self.0.next_back().map(|(k, v)| (k, v))
    }
}

impl ExactSizeIterator for Iter<'_> {}

/// Entries in key order with their values mutable.
pub struct IterMut<'a>(std::slice::IterMut<'a, (String, Value)>);

impl<'a> Iterator for IterMut<'a> {
    type Item = (&'a String, &'a mut Value);

    fn next(&mut self) -> Option<Self::Item> {
        self.0.next().map(|(k, v)| (&*k, v))
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        self.0.size_hint()
    }
}

impl ExactSizeIterator for IterMut<'_> {}

impl<'a> IntoIterator for &'a ValueMap {
    type Item = (&'a String, &'a Value);
    type IntoIter = Iter<'a>;

    fn into_iter(self) -> Iter<'a> {
        self.iter()
    }
}

impl<'a> IntoIterator for &'a mut ValueMap {
    type Item = (&'a String, &'a mut Value);
    type IntoIter = IterMut<'a>;

    fn into_iter(self) -> IterMut<'a> {
        self.iter_mut()
    }
}

impl IntoIterator for ValueMap {
    type Item = (String, Value);
    type IntoIter = std::vec::IntoIter<(String, Value)>;

    fn into_iter(self) -> Self::IntoIter {
        self.entries.into_iter()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn s(x: &str) -> Value {
        Value::string(x)
    }

    #[test]
    fn collecting_sorts_and_the_last_of_equal_keys_wins() {
        let map: ValueMap = [("b", s("1")), ("a", s("2")), ("b", s("3")), ("c", s("4"))]
            .into_iter()
            .collect();
        let entries: Vec<(&String, &Value)> = map.iter().collect();
        assert_eq!(
            entries,
            vec![
                (&"a".to_string(), &s("2")),
                (&"b".to_string(), &s("3")),
                (&"c".to_string(), &s("4")),
            ]
        );
        let as_btree: BTreeMap<String, Value> = [("b", "1"), ("a", "2"), ("b", "3"), ("c", "4")]
            .into_iter()
            .map(|(k, v)| (k.to_string(), s(v)))
            .collect();
        assert_eq!(map, ValueMap::from(as_btree));
    }

    #[test]
    fn insert_get_remove_behave_as_a_map() {
        let mut map = ValueMap::new();
        assert_eq!(map.insert("m".into(), s("1")), None);
        assert_eq!(map.insert("z".into(), s("2")), None);
        assert_eq!(map.insert("a".into(), s("3")), None);
        assert_eq!(map.insert("m".into(), s("4")), Some(s("1")));
        assert_eq!(map.keys().cloned().collect::<Vec<_>>(), ["a", "m", "z"]);
        assert_eq!(map.get("m"), Some(&s("4")));
        assert_eq!(map.get("q"), None);
        assert_eq!(map.remove("a"), Some(s("3")));
        assert_eq!(map.remove("a"), None);
        assert!(map.contains_key("z") && !map.contains_key("a"));
        assert_eq!(map.len(), 2);
    }

    #[test]
    fn equal_maps_built_in_different_orders_are_equal_and_print_alike() {
        let mut one = ValueMap::new();
        one.insert("x".into(), s("1"));
        one.insert("a".into(), s("2"));
        let two: ValueMap = [("a", s("2")), ("x", s("1"))].into_iter().collect();
        assert_eq!(one, two);
        assert_eq!(
            format!("{one:?}"),
            r#"{"a": String("2"), "x": String("1")}"#
        );
    }

    #[test]
    fn ascending_lookup_finds_what_get_finds() {
        let map: ValueMap = [("b", s("1")), ("d", s("2")), ("f", s("3"))]
            .into_iter()
            .collect();
        let mut lookup = map.ascending_lookup();
        // Ascending, repeated, then a second ascending run and a step back.
        for key in [
            "a", "b", "c", "d", "d", "e", "f", "g", "b", "c", "d", "f", "e", "a",
        ] {
            assert_eq!(lookup.get(key), map.get(key), "{key}");
        }
    }

    #[test]
    fn extend_overrides_existing_keys() {
        let mut map: ValueMap = [("a", s("1")), ("b", s("2"))].into_iter().collect();
        map.extend([("a".to_string(), s("9")), ("c".to_string(), s("3"))]);
        assert_eq!(map.get("a"), Some(&s("9")));
        assert_eq!(map.len(), 3);
    }
}
