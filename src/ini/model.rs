//! The document: every line of the file with its exact text and terminator, plus the SDK's
//! view of it (profiles and their properties) computed on demand.

use std::borrow::Cow;
use std::cell::{OnceCell, RefCell};

use super::error::ParseError;
use super::names::{FileKind, Section, SectionName};
use super::parse::{self, Eol, Kind, Line, Scan};
use super::properties::{Properties, Reader};

const BOM: char = '\u{feff}';

/// What an edit meant, replayed on the SDK view of the old file to verify the new one.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Change {
    /// Keys set to values (added or rewritten), in order.
    Set {
        /// The profile the section is of.
        profile: String,
        /// Key and value, as they must read back.
        pairs: Vec<(String, String)>,
    },
    /// Keys taken out; the others must read back as they were.
    Remove {
        /// The profile the section is of.
        profile: String,
        /// The keys, which must not read back at all.
        keys: Vec<String>,
    },
    /// A whole section taken out: the profile must not read back at all.
    RemoveSection {
        /// The profile the section was of.
        profile: String,
    },
}

/// A lossless document: rendering an unedited document gives back the input exactly.
///
/// Reading costs what it reads: an unedited document answers from its text and one pass that
/// notes where the sections are ([`Scan`]), parsing a section's lines only when they are asked
/// for. The list of every line is built on the first edit (or [`Document::lines`]) and is the
/// document from then on.
#[derive(Clone, Debug)]
pub struct Document<'a> {
    pub(super) bom: bool,
    /// The text after the BOM, as given.
    text: &'a str,
    /// Every line with its kind, built on first need.
    lines: OnceCell<Vec<Line<'a>>>,
    /// The sections of `text`, used only while `lines` is not built.
    scan: OnceCell<Scan>,
    /// Every section's properties, in the order of the scan's headers, when they were all read
    /// in the pass that scanned the text ([`Document::read_all`]); used only with `scan`. Each
    /// is handed over to the first read of its section (a later one parses the section again),
    /// so that they are not held twice.
    read: RefCell<Vec<Option<Properties<'a>>>>,
    pub(super) changes: Vec<Change>,
    /// Plain sections by name, built on first use; an edit drops it.
    pub(super) index: OnceCell<super::table::Index<'a>>,
}

/// The lines after one section's header, from whichever form the document has.
enum Body<'d, 'a> {
    Built(std::slice::Iter<'d, Line<'a>>),
    Text(parse::Classified<'a>),
}

impl<'d, 'a> Iterator for Body<'d, 'a> {
    type Item = Cow<'d, Line<'a>>;
    fn next(&mut self) -> Option<Self::Item> {
        match self {
            Body::Built(lines) => lines.next().map(Cow::Borrowed),
            Body::Text(lines) => lines.next().map(Cow::Owned),
        }
    }
}

impl<'a> Document<'a> {
    /// Takes `text` as a document. Never fails and does no work yet; see [`Document::check`]
    /// for the SDK's verdict. A leading UTF-8 BOM is kept for rendering but is not part of the
    /// first line.
    pub fn parse(text: &'a str) -> Document<'a> {
        let (bom, body) = match text.strip_prefix(BOM) {
            Some(rest) => (true, rest),
            None => (false, text),
        };
        Document {
            bom,
            text: body,
            lines: OnceCell::new(),
            scan: OnceCell::new(),
            read: RefCell::default(),
            changes: Vec::new(),
            index: OnceCell::new(),
        }
    }

    /// The document's bytes: the input exactly, plus the edits made since.
    pub fn render(&self) -> String {
        let Some(lines) = self.lines.get() else {
            let mut out = String::with_capacity(self.text.len() + 3);
            if self.bom {
                out.push(BOM);
            }
            out.push_str(self.text);
            return out;
        };
        let size: usize = lines.iter().map(|l| l.text.len() + 2).sum();
        let mut out = String::with_capacity(size + 3);
        if self.bom {
            out.push(BOM);
        }
        for line in lines {
            out.push_str(&line.text);
            out.push_str(line.eol.as_str());
        }
        out
    }

    /// Every line, split and classified (built now if it was not).
    pub fn lines(&self) -> &[Line<'a>] {
        self.lines.get_or_init(|| parse::classify(self.text))
    }

    /// The lines, for an edit: built now if they were not; what was learnt from the text alone
    /// (the scan, the section index) is dropped, since the lines are about to change.
    pub(super) fn lines_mut(&mut self) -> &mut Vec<Line<'a>> {
        self.index = OnceCell::new();
        self.scan = OnceCell::new();
        self.read = RefCell::default();
        self.lines();
        let Some(lines) = self.lines.get_mut() else {
            unreachable!("the lines were built above")
        };
        lines
    }

    /// The scan of the text; `None` once the lines are built (they are the document then).
    fn scanned(&self) -> Option<&Scan> {
        match self.lines.get() {
            Some(_) => None,
            None => Some(self.scan.get_or_init(|| parse::scan(self.text))),
        }
    }

    /// Reads the properties of every section now, in the one pass that also scans the text, for
    /// a caller about to read most sections: one pass over the file instead of a scan and then
    /// a second pass over each section. The first read of each section then takes what this
    /// read.
    pub fn read_all(&self) {
        if self.lines.get().is_some() || !self.read.borrow().is_empty() {
            return;
        }
        let (scan, all) = self.read_pass();
        // A scan made earlier is the same as this one.
        let _ = self.scan.set(scan);
        *self.read.borrow_mut() = all.into_iter().map(Some).collect();
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

    /// The first line (1-based) holding a carriage return that does not end it (`\r` not
    /// followed by `\n`). The SDK rules keep it in the line; the AWS CLI (Python's universal
    /// newlines) ends the line there, so the two read such a file differently.
    pub fn lone_carriage_return(&self) -> Option<usize> {
        let bytes = self.text.as_bytes();
        memchr::memchr_iter(b'\r', bytes)
            .find(|&i| bytes.get(i + 1) != Some(&b'\n'))
            .map(|i| memchr::memchr_iter(b'\n', &bytes[..i]).count() + 1)
    }

    /// The first line the SDK would reject.
    pub fn check(&self) -> Result<(), ParseError> {
        let invalid = match self.scanned() {
            Some(scan) => scan.invalid,
            None => self
                .lines()
                .iter()
                .enumerate()
                .find_map(|(i, l)| match l.kind {
                    Kind::Invalid(m) => Some((i, m)),
                    _ => None,
                }),
        };
        match invalid {
            Some((i, message)) => Err(ParseError {
                line: i + 1,
                message: message.to_owned(),
            }),
            None => Ok(()),
        }
    }

    /// Every section in file order.
    pub fn sections(&self) -> Vec<Section> {
        let (headers, count): (Vec<usize>, usize) = match self.scanned() {
            Some(scan) => (scan.headers.iter().map(|h| h.line).collect(), scan.lines),
            None => {
                let lines = self.lines();
                let headers = (0..lines.len())
                    .filter(|&i| matches!(lines[i].kind, Kind::Header { .. }))
                    .collect();
                (headers, lines.len())
            }
        };
        let ends = headers.iter().skip(1).copied().chain([count]);
        headers
            .iter()
            .zip(ends)
            .map(|(&header, end)| Section { header, end })
            .collect()
    }

    /// Every section in file order with its header name, borrowed from the input text when the
    /// header is unedited.
    pub fn named_sections(&self) -> Vec<(Section, Cow<'a, str>)> {
        let mut all = Vec::with_capacity(self.section_count());
        self.each_named_section(|section, name| all.push((section, name)));
        all
    }

    /// How many sections there are.
    pub fn section_count(&self) -> usize {
        match self.scanned() {
            Some(scan) => scan.headers.len(),
            None => self
                .lines()
                .iter()
                .filter(|l| matches!(l.kind, Kind::Header { .. }))
                .count(),
        }
    }

    /// Calls `f` with every section in file order and its header name, borrowed from the input
    /// text when the header is unedited, without making a list of them.
    pub fn each_named_section(&self, mut f: impl FnMut(Section, Cow<'a, str>)) {
        match self.scanned() {
            Some(scan) => {
                let text: &'a str = self.text;
                for (h, section) in scanned_sections(scan) {
                    f(section, Cow::Borrowed(&text[h.name.0..h.name.1]));
                }
            }
            None => {
                for section in self.sections() {
                    f(section, self.section_name_text(section));
                }
            }
        }
    }

    /// The text between the brackets of `section`'s header, found by the scan.
    fn scanned_name(&self, scan: &Scan, section: Section) -> &'a str {
        let text: &'a str = self.text;
        scan.headers
            .binary_search_by_key(&section.header, |h| h.line)
            .map_or("", |i| {
                let (s, e) = scan.headers[i].name;
                &text[s..e]
            })
    }

    /// The header name of a section, split the SDK's way.
    pub fn section_name(&self, section: Section) -> SectionName<'_> {
        match self.scanned() {
            Some(scan) => SectionName::parse(self.scanned_name(scan, section)),
            None => SectionName::parse(
                self.lines()[section.header]
                    .header_name()
                    .unwrap_or_default(),
            ),
        }
    }

    /// The header name of a section, borrowed from the input text when the header is unedited.
    pub fn section_name_text(&self, section: Section) -> Cow<'a, str> {
        match self.scanned() {
            Some(scan) => Cow::Borrowed(self.scanned_name(scan, section)),
            None => {
                let line = &self.lines()[section.header];
                match line.kind {
                    Kind::Header { name } => line.part(name),
                    _ => Cow::Borrowed(""),
                }
            }
        }
    }

    /// The lines of a section after its header.
    fn body(&self, section: Section) -> Body<'_, 'a> {
        let Some(scan) = self.scanned() else {
            return Body::Built(self.lines()[section.header + 1..section.end].iter());
        };
        let headers = &scan.headers;
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
        let part = &text[start..end.max(start)];
        let mut lines = parse::classified(part);
        lines.next(); // the header
        Body::Text(lines)
    }

    /// Whether a section has a property `key` (lower-case), without reading its values.
    pub fn section_has_key(&self, section: Section, key: &str) -> bool {
        self.body(section)
            .any(|l| l.key().is_some_and(|k| k.eq_ignore_ascii_case(key)))
    }

    /// The sections that hold `profile` in a file of `kind` (more than one is ambiguous).
    pub fn profile_sections(&self, kind: FileKind, profile: &str) -> Vec<Section> {
        let Some(scan) = self.scanned() else {
            return self
                .named_sections()
                .into_iter()
                .filter(|(_, raw)| SectionName::parse(raw).is_profile(kind, profile))
                .map(|(s, _)| s)
                .collect();
        };
        scanned_sections(scan)
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

    /// The line terminator new lines get: the first one the file uses, else `\n`.
    pub(super) fn eol(&self) -> Eol {
        self.lines()
            .iter()
            .map(|l| l.eol)
            .find(|e| *e != Eol::None)
            .unwrap_or(Eol::Lf)
    }

    /// The properties of one section as the SDK reads them: the one property reader, used by
    /// every lookup and by [`Document::view`] (which the conformance suite runs). Keys are
    /// lower-cased, a key outside the identifier rule is dropped with its continuation lines,
    /// continuation lines join the value with `\n`, the last value wins.
    pub fn section_properties(&self, section: Section) -> Properties<'a> {
        if let Some(scan) = self.scanned()
            && let Ok(i) = scan
                .headers
                .binary_search_by_key(&section.header, |h| h.line)
            && let Some(props) = self.read.borrow_mut().get_mut(i).and_then(Option::take)
        {
            return props;
        }
        let mut reader = Reader::new(section.end - section.header);
        for line in self.body(section) {
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
