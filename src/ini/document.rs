//! The read form of a document: the file's text, and what one pass over it found. Reading
//! costs what it reads: one scan notes where the sections are ([`Scan`]), and a section's lines
//! are parsed only when they are asked for. `Document::into_mut` gives the form that edits
//! ([`DocumentMut`](super::DocumentMut)).

use std::borrow::Cow;
use std::cell::{OnceCell, RefCell};

use super::error::ParseError;
use super::names::{Section, SectionName};
use super::parse::{self, BOM, Kind, Scan, split_bom};
use super::properties::{Properties, Reader};
use super::read::{Body, Read, SectionLines};
use super::table::Index;

/// A document as read: rendering it gives back the input exactly.
#[derive(Clone, Debug)]
pub struct Document<'a> {
    pub(super) bom: bool,
    /// The text after the BOM, as given.
    pub(super) text: &'a str,
    /// The sections of `text`, found on first need.
    scan: OnceCell<Scan>,
    /// Every section's properties, in the order of the scan's headers, when they were all read
    /// in the pass that scanned the text ([`Document::read_all`]). Each is handed over to the
    /// first read of its section (a later one parses the section again), so that they are not
    /// held twice.
    read: RefCell<Vec<Option<Properties<'a>>>>,
    /// Plain sections by name, built on first use.
    index: OnceCell<Index<'a>>,
}

impl<'a> Document<'a> {
    /// Takes `text` as a document. Never fails and does no work yet; see [`Read::check`] for
    /// the SDK's verdict. A leading UTF-8 BOM is kept for rendering but is not part of the
    /// first line.
    pub fn parse(text: &'a str) -> Document<'a> {
        let (bom, text) = split_bom(text);
        Document {
            bom,
            text,
            scan: OnceCell::new(),
            read: RefCell::default(),
            index: OnceCell::new(),
        }
    }

    /// The document's bytes: the input exactly.
    pub fn render(&self) -> String {
        let mut out = String::with_capacity(self.text.len() + 3);
        if self.bom {
            out.push(BOM);
        }
        out.push_str(self.text);
        out
    }

    /// The first line (1-based) holding a carriage return that does not end it (`\r` not
    /// followed by `\n`). The SDK rules keep it in the line; the AWS CLI (Python's universal
    /// newlines) ends the line there, so the two read such a file differently.
    pub fn lone_carriage_return(&self) -> Option<usize> {
        let bytes = self.text.as_bytes();
        memchr::memchr_iter(b'\r', bytes)
            .find(|&i| bytes.get(i + 1) != Some(&b'\n'))
            .map(|i| memchr::memchr_iter(b'\n', &bytes[..i]).count() + 1)
    }

    fn scanned(&self) -> &Scan {
        self.scan.get_or_init(|| parse::scan(self.text))
    }

    /// One pass over the text: its scan, and the properties of each section the scan found.
    fn read_pass(&self) -> (Scan, Vec<Properties<'a>>) {
        let mut all = Vec::new();
        let mut reader: Option<Reader<'a>> = None;
        let scan = parse::scan_each(self.text, |line| match line.kind {
            Kind::Header { .. } => all.extend(reader.replace(Reader::new(4)).map(Reader::done)),
            _ => {
                if let Some(r) = &mut reader {
                    r.line(line);
                }
            }
        });
        all.extend(reader.map(Reader::done));
        (scan, all)
    }

    /// The text between the brackets of `section`'s header.
    fn header_name(&self, section: Section) -> &'a str {
        let text: &'a str = self.text;
        let headers = &self.scanned().headers;
        headers
            .binary_search_by_key(&section.header, |h| h.line)
            .map_or("", |i| {
                let (s, e) = headers[i].name;
                &text[s..e]
            })
    }

    /// Builds the index of plain sections now (it is built on first use otherwise).
    pub fn index(&self) {
        self.index.get_or_init(|| self.build_index());
    }

    /// Every plain `[name]` section in file order, with its name as the SDK reads it.
    pub fn plain_sections(&self) -> &[(Cow<'a, str>, Section)] {
        self.index.get_or_init(|| self.build_index()).order()
    }

    /// The plain `[name]` sections named `name` (more than one is ambiguous): from the index
    /// when it is built, else by one pass over the headers.
    pub fn plain_sections_named(&self, name: &str) -> Cow<'_, [Section]> {
        match self.index.get() {
            Some(index) => Cow::Borrowed(index.named(name)),
            None => Cow::Owned(self.profile_sections(super::FileKind::Credentials, name)),
        }
    }

    /// The index of the plain sections, built in one pass.
    fn build_index(&self) -> Index<'a> {
        let mut index = Index::with_capacity(self.section_count());
        self.each_named_section(&mut |section, raw| index.add(section, raw));
        index
    }
}

impl<'a> Read<'a> for Document<'a> {
    fn check(&self) -> Result<(), ParseError> {
        match self.scanned().invalid {
            Some((i, message)) => Err(ParseError {
                line: i + 1,
                message: message.to_owned(),
            }),
            None => Ok(()),
        }
    }

    fn sections(&self) -> Vec<Section> {
        scanned_sections(self.scanned()).map(|(_, s)| s).collect()
    }

    fn section_count(&self) -> usize {
        self.scanned().headers.len()
    }

    fn each_named_section(&self, f: &mut dyn FnMut(Section, Cow<'a, str>)) {
        let text: &'a str = self.text;
        for (h, section) in scanned_sections(self.scanned()) {
            f(section, Cow::Borrowed(&text[h.name.0..h.name.1]));
        }
    }

    fn section_name(&self, section: Section) -> SectionName<'_> {
        SectionName::parse(self.header_name(section))
    }

    fn section_name_text(&self, section: Section) -> Cow<'a, str> {
        Cow::Borrowed(self.header_name(section))
    }

    fn section_lines(&self, section: Section) -> SectionLines<'_, 'a> {
        let headers = &self.scanned().headers;
        let at = |from: usize, line: usize| match headers.get(from) {
            Some(h) if h.line == line => Some(h.start),
            _ => headers
                .binary_search_by_key(&line, |h| h.line)
                .ok()
                .map(|i| headers[i].start),
        };
        let first = headers.binary_search_by_key(&section.header, |h| h.line);
        let start = first.map_or(self.text.len(), |i| headers[i].start);
        // A section ends at the next header, nearly always the next one in the scan.
        let end = first
            .ok()
            .and_then(|i| at(i + 1, section.end))
            .unwrap_or(self.text.len());
        let text: &'a str = self.text;
        SectionLines(Body::Text(parse::classified(&text[start..end.max(start)])))
    }

    /// Reads the properties of every section now, in the one pass that also scans the text, for
    /// a caller about to read most sections: one pass over the file instead of a scan and then
    /// a second pass over each section. The first read of each section then takes what this
    /// read.
    fn read_all(&self) {
        if !self.read.borrow().is_empty() {
            return;
        }
        let (scan, all) = self.read_pass();
        // A scan made earlier is the same as this one.
        let _ = self.scan.set(scan);
        *self.read.borrow_mut() = all.into_iter().map(Some).collect();
    }

    fn profile_sections(&self, kind: super::FileKind, profile: &str) -> Vec<Section> {
        scanned_sections(self.scanned())
            .filter(|(h, _)| {
                let raw = &self.text[h.name.0..h.name.1];
                // The profile's name ends every header that names it: most headers are ruled
                // out by that alone.
                parse::trim(raw).ends_with(profile)
                    && SectionName::parse(raw).is_profile(kind, profile)
            })
            .map(|(_, section)| section)
            .collect()
    }

    fn section_properties(&self, section: Section) -> Properties<'a> {
        if let Ok(i) = self
            .scanned()
            .headers
            .binary_search_by_key(&section.header, |h| h.line)
            && let Some(props) = self.read.borrow_mut().get_mut(i).and_then(Option::take)
        {
            return props;
        }
        let mut reader = Reader::new(section.end - section.header);
        for line in self.section_lines(section).skip(1) {
            reader.line(&line);
        }
        reader.done()
    }
}

/// Every section a scan found, with its header: a section ends where the next one starts.
fn scanned_sections(scan: &Scan) -> impl Iterator<Item = (&parse::Header, Section)> {
    let ends = scan
        .headers
        .iter()
        .skip(1)
        .map(|h| h.line)
        .chain([scan.lines]);
    scan.headers.iter().zip(ends).map(|(h, end)| {
        (
            h,
            Section {
                header: h.line,
                end,
            },
        )
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ini::FileKind;

    #[test]
    fn section_names_split_on_first_whitespace() {
        let n = SectionName::parse(" profile \t foo ");
        assert_eq!(n.prefix, Some("profile"));
        assert_eq!(n.name, "foo");
        assert_eq!(SectionName::parse("profilefoo").prefix, None);
    }

    #[test]
    fn bom_is_kept_but_not_read() {
        let doc = Document::parse("\u{feff}[dev]\nk = v\n");
        assert_eq!(doc.render(), "\u{feff}[dev]\nk = v\n");
        let view = doc.view(FileKind::Credentials);
        assert_eq!(view.map(|v| v.profiles.len()), Ok(1));
    }

    #[test]
    fn sections_end_at_the_next_header() {
        let doc = Document::parse("# top\n[a]\nk = v\n\n[b]\n");
        assert_eq!(
            doc.sections(),
            vec![Section { header: 1, end: 4 }, Section { header: 4, end: 5 }]
        );
    }
}
