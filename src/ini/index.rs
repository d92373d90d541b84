//! The document's index of its plain `[name]` sections (the credentials file's profiles), built
//! once on first use and dropped by any edit, so that looking up many profiles stays linear in
//! the size of the file.

use std::borrow::Cow;

use super::model::Document;
use super::names::Section;
use super::table::Index;

/// The index of `doc`'s plain sections, built in one pass.
fn build<'a>(doc: &Document<'a>) -> Index<'a> {
    let mut index = Index::with_capacity(doc.section_count());
    doc.each_named_section(|section, raw| index.add(section, raw));
    index
}

impl<'a> Document<'a> {
    /// Builds the index of plain sections now (it is built on first use otherwise).
    pub fn index(&self) {
        self.index.get_or_init(|| build(self));
    }

    /// Every plain `[name]` section in file order, with its name as the SDK reads it.
    pub fn plain_sections(&self) -> &[(Cow<'a, str>, Section)] {
        self.index.get_or_init(|| build(self)).order()
    }

    /// The plain `[name]` sections named `name` (more than one is ambiguous): from the index
    /// when it is built, else by one pass over the lines.
    pub fn plain_sections_named(&self, name: &str) -> Cow<'_, [Section]> {
        match self.index.get() {
            Some(index) => Cow::Borrowed(index.named(name)),
            None => Cow::Owned(self.profile_sections(super::FileKind::Credentials, name)),
        }
    }
}
