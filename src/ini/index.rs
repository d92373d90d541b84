//! The document's index of its plain `[name]` sections (the credentials file's profiles), built
//! once on first use and dropped by any edit, so that looking up many profiles stays linear in
//! the size of the file.

use std::borrow::Cow;
use std::collections::HashMap;
use std::hash::BuildHasher as _;

use hashbrown::hash_table::{Entry, HashTable};

use super::model::{Document, Section};
use super::names::SectionName;
use crate::hash::Fnv;

/// Sections by name: every plain section in file order, and by the hash of its name, where
/// the first of each name is in that order (a table of positions: a tenth of the memory of a
/// map of names); a name that appears again has all its sections listed apart.
#[derive(Clone, Debug, Default)]
pub struct Index<'a> {
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
    fn build(doc: &Document<'a>) -> Index<'a> {
        let count = doc.section_count();
        let mut index = Index {
            order: Vec::with_capacity(count),
            first: HashTable::with_capacity(count),
            repeated: HashMap::default(),
        };
        doc.each_named_section(|section, raw| {
            let name = match raw {
                Cow::Borrowed(raw) => SectionName::parse(raw).name_if_plain().map(Cow::Borrowed),
                Cow::Owned(raw) => SectionName::parse(&raw)
                    .name_if_plain()
                    .map(|n| Cow::Owned(n.to_owned())),
            };
            let Some(name) = name else { return };
            let at = index.order.len() as u32;
            let order = &index.order;
            let entry = index.first.entry(
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
                    index
                        .repeated
                        .entry(name.clone())
                        .or_insert_with(|| vec![first])
                        .push(section);
                }
            }
            index.order.push((name, section));
        });
        index
    }

    /// The first section named `name`.
    fn first(&self, name: &str) -> Option<&Section> {
        self.first
            .find(hash(name), |&i| self.order[i as usize].0 == name)
            .map(|&i| &self.order[i as usize].1)
    }
}

impl<'a> Document<'a> {
    /// Builds the index of plain sections now (it is built on first use otherwise).
    pub fn index(&self) {
        self.index.get_or_init(|| Index::build(self));
    }

    /// Whether the index is built: lookups are then constant time.
    pub fn is_indexed(&self) -> bool {
        self.index.get().is_some()
    }

    /// Every plain `[name]` section in file order, with its name as the SDK reads it.
    pub fn plain_sections(&self) -> &[(Cow<'a, str>, Section)] {
        &self.index.get_or_init(|| Index::build(self)).order
    }

    /// The plain `[name]` sections named `name` (more than one is ambiguous): from the index
    /// when it is built, else by one pass over the lines.
    pub fn plain_sections_named(&self, name: &str) -> Cow<'_, [Section]> {
        match self.index.get() {
            Some(index) => match index.repeated.get(name) {
                Some(all) => Cow::Borrowed(all),
                None => Cow::Borrowed(
                    index
                        .first(name)
                        .map(std::slice::from_ref)
                        .unwrap_or_default(),
                ),
            },
            None => Cow::Owned(self.profile_sections(super::FileKind::Credentials, name)),
        }
    }
}
