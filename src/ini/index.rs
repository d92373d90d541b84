//! The document's index of its plain `[name]` sections (the credentials file's profiles), built
//! once on first use and dropped by any edit, so that looking up many profiles stays linear in
//! the size of the file.

use std::borrow::Cow;
use std::collections::HashMap;

use super::model::{Document, Section, SectionName};

/// Sections by name: the first one, and for a name that appears again, all of them.
#[derive(Clone, Debug, Default)]
pub struct Index<'a> {
    first: HashMap<Cow<'a, str>, Section, Fnv>,
    repeated: HashMap<Cow<'a, str>, Vec<Section>, Fnv>,
    /// Every `[name]` section in file order.
    order: Vec<(Cow<'a, str>, Section)>,
}

/// FNV-1a: a fast hash for the section index (the file is the user's own, so there is no one
/// to mount a collision attack).
#[derive(Clone, Copy, Debug, Default)]
pub struct Fnv;

pub struct FnvHasher(u64);

impl std::hash::BuildHasher for Fnv {
    type Hasher = FnvHasher;
    fn build_hasher(&self) -> FnvHasher {
        FnvHasher(0xcbf2_9ce4_8422_2325)
    }
}

impl std::hash::Hasher for FnvHasher {
    fn finish(&self) -> u64 {
        self.0
    }
    fn write(&mut self, bytes: &[u8]) {
        for b in bytes {
            self.0 = (self.0 ^ u64::from(*b)).wrapping_mul(0x0100_0000_01b3);
        }
    }
}

impl<'a> Index<'a> {
    fn build(doc: &Document<'a>) -> Index<'a> {
        let sections = doc.named_sections();
        let mut index = Index {
            first: HashMap::with_capacity_and_hasher(sections.len(), Fnv),
            repeated: HashMap::default(),
            order: Vec::with_capacity(sections.len()),
        };
        for (section, raw) in sections {
            let name = match raw {
                Cow::Borrowed(raw) => SectionName::parse(raw).name_if_plain().map(Cow::Borrowed),
                Cow::Owned(raw) => SectionName::parse(&raw)
                    .name_if_plain()
                    .map(|n| Cow::Owned(n.to_owned())),
            };
            let Some(name) = name else { continue };
            index.order.push((name.clone(), section));
            match index.first.get(&name) {
                None => {
                    index.first.insert(name, section);
                }
                Some(first) => {
                    let first = *first;
                    index
                        .repeated
                        .entry(name)
                        .or_insert_with(|| vec![first])
                        .push(section);
                }
            }
        }
        index
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
                        .first
                        .get(name)
                        .map(std::slice::from_ref)
                        .unwrap_or_default(),
                ),
            },
            None => Cow::Owned(self.profile_sections(super::FileKind::Credentials, name)),
        }
    }
}
