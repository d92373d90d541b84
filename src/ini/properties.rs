//! A profile's properties as the SDK reads them, and the one reader of a section's lines.

use std::borrow::Cow;

use super::parse::{self, Kind, Line, WHITESPACE};

/// Properties of one profile as the SDK reads them: lower-cased keys, last value wins. A
/// sorted vector: a profile has a handful of keys, and a file can have many profiles.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Properties<'a>(Vec<(Cow<'a, str>, Cow<'a, str>)>);

impl<'a> Properties<'a> {
    /// No properties yet (a section with only a header).
    pub fn new() -> Self {
        Properties(Vec::new())
    }

    fn position(&self, key: &str) -> Result<usize, usize> {
        self.0.binary_search_by(|(k, _)| k.as_ref().cmp(key))
    }

    /// The value of `key` (lower-case). A profile has a handful of keys: a scan that compares
    /// lengths first beats a binary search of string comparisons.
    pub fn get(&self, key: &str) -> Option<&str> {
        self.0
            .iter()
            .find(|(k, _)| k.len() == key.len() && k.as_bytes() == key.as_bytes())
            .map(|(_, v)| v.as_ref())
    }

    /// Whether `key` (lower-case) has a value, even an empty one.
    pub fn contains_key(&self, key: &str) -> bool {
        self.get(key).is_some()
    }

    /// Sets `key` (lower-case) to `value`, replacing an earlier value.
    pub fn insert(&mut self, key: Cow<'a, str>, value: Cow<'a, str>) {
        match self.position(&key) {
            Ok(i) => self.0[i].1 = value,
            Err(i) => self.0.insert(i, (key, value)),
        }
    }

    /// Appends a continuation line to the value of `key`.
    pub fn continue_value(&mut self, key: &str, line: &str) {
        if let Ok(i) = self.position(key) {
            let v = self.0[i].1.to_mut();
            v.push('\n');
            v.push_str(line);
        }
    }

    /// Takes `key` (lower-case) out, as a removal reads back.
    pub fn remove(&mut self, key: &str) {
        if let Ok(i) = self.position(key) {
            self.0.remove(i);
        }
    }

    /// Keys and values in key order.
    pub fn iter(&self) -> impl Iterator<Item = (&str, &str)> {
        self.0.iter().map(|(k, v)| (k.as_ref(), v.as_ref()))
    }

    /// How many keys have values.
    pub fn len(&self) -> usize {
        self.0.len()
    }

    /// Whether no key has a value (the section reads as an empty profile).
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// Adds every property of `other`, its values winning.
    pub(super) fn extend(&mut self, other: Properties<'a>) {
        if self.0.is_empty() {
            *self = other;
        } else {
            for (k, v) in other.0 {
                self.insert(k, v);
            }
        }
    }
}

/// Reads one section's properties from its lines after the header: the SDK's rules for keys,
/// continuation lines and repeated keys, in one place.
pub(super) struct Reader<'a> {
    props: Properties<'a>,
    /// The key that continuation lines add to.
    current: Option<Cow<'a, str>>,
}

impl<'a> Reader<'a> {
    pub(super) fn new(capacity: usize) -> Self {
        Reader {
            props: Properties(Vec::with_capacity(capacity)),
            current: None,
        }
    }

    pub(super) fn line(&mut self, line: &Line<'a>) {
        match line.kind {
            Kind::Property { key, value } => {
                let key = line.part(key);
                self.current = match parse::identifier_capitals(&key) {
                    None => None,
                    Some(capitals) => {
                        let key = match capitals {
                            true => Cow::Owned(key.to_ascii_lowercase()),
                            false => key,
                        };
                        self.props.insert(key.clone(), line.part(value));
                        Some(key)
                    }
                };
            }
            Kind::Continuation => {
                if let Some(k) = &self.current {
                    self.props
                        .continue_value(k, line.text.trim_matches(WHITESPACE));
                }
            }
            _ => {}
        }
    }

    pub(super) fn done(self) -> Properties<'a> {
        self.props
    }
}
