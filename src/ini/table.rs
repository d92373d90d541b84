//! A table of plain `[name]` sections by name, for the document's index (see the index module).

use std::borrow::Cow;
use std::collections::HashMap;
use std::hash::BuildHasher as _;

use hashbrown::hash_table::{Entry, HashTable};

use super::names::{Section, SectionName};
use crate::hash::Fnv;

/// Sections by name: every plain section in file order, and by the hash of its name, where
/// the first of each name is in that order (a table of positions: a tenth of the memory of a
/// map of names); a name that appears again has all its sections listed apart.
#[derive(Clone, Debug, Default)]
pub(super) struct Index<'a> {
    /// Every `[name]` section in file order.
    order: Vec<(Cow<'a, str>, Section)>,
    /// Positions in `order` of the first section of each name.
    first: HashTable<u32>,
    repeated: HashMap<Cow<'a, str>, Vec<Section>, Fnv>,
}

fn hash(name: &str) -> u64 {
    Fnv.hash_one(name)
}

impl<'a> Index<'a> {
    /// An empty table for `count` sections.
    pub(super) fn with_capacity(count: usize) -> Index<'a> {
        Index {
            order: Vec::with_capacity(count),
            first: HashTable::with_capacity(count),
            repeated: HashMap::default(),
        }
    }

    /// Adds the next section in file order, `raw` being the text between its brackets; a
    /// section that is not a plain `[name]` is left out.
    pub(super) fn add(&mut self, section: Section, raw: Cow<'a, str>) {
        let name = match raw {
            Cow::Borrowed(raw) => SectionName::parse(raw).name_if_plain().map(Cow::Borrowed),
            Cow::Owned(raw) => SectionName::parse(&raw)
                .name_if_plain()
                .map(|n| Cow::Owned(n.to_owned())),
        };
        let Some(name) = name else { return };
        let at = self.order.len() as u32;
        let order = &self.order;
        let entry = self.first.entry(
            hash(&name),
            |&i| order[i as usize].0 == name,
            |&i| hash(&order[i as usize].0),
        );
        match entry {
            Entry::Vacant(v) => {
                v.insert(at);
            }
            Entry::Occupied(o) => {
                let first = order[*o.get() as usize].1;
                self.repeated
                    .entry(name.clone())
                    .or_insert_with(|| vec![first])
                    .push(section);
            }
        }
        self.order.push((name, section));
    }

    /// Every plain section in file order, with its name.
    pub(super) fn order(&self) -> &[(Cow<'a, str>, Section)] {
        &self.order
    }

    /// The sections named `name`, in file order.
    pub(super) fn named(&self, name: &str) -> &[Section] {
        match self.repeated.get(name) {
            Some(all) => all,
            None => self
                .first(name)
                .map(std::slice::from_ref)
                .unwrap_or_default(),
        }
    }

    fn first(&self, name: &str) -> Option<&Section> {
        self.first
            .find(hash(name), |&i| self.order[i as usize].0 == name)
            .map(|&i| &self.order[i as usize].1)
    }
}
