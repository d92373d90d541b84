//! The document: every line of the file with its exact text and terminator, plus the SDK's
//! view of it (profiles and their properties) computed on demand.

use std::borrow::Cow;
use std::cell::{OnceCell, RefCell};
use std::collections::BTreeMap;

use super::parse::{self, Eol, Kind, Line, Scan, WHITESPACE};

const BOM: char = '\u{feff}';

/// Which of the two AWS files a document is; they name sections differently.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FileKind {
    /// `~/.aws/config`: `[profile NAME]` (and `[default]`), `[sso-session NAME]`, others.
    Config,
    /// `~/.aws/credentials`: `[NAME]` only.
    Credentials,
}

/// What an edit meant, replayed on the SDK view of the old file to verify the new one.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Change {
    Set {
        profile: String,
        pairs: Vec<(String, String)>,
    },
    Remove {
        profile: String,
        keys: Vec<String>,
    },
    RemoveSection {
        profile: String,
    },
}

/// The first line the SDK parser rejects, 1-based, with the SDK's message.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ParseError {
    pub line: usize,
    pub message: String,
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
    pub(super) index: OnceCell<super::index::Index<'a>>,
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

/// One section: its header line and the index after its last line (the next header or the end).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Section {
    pub header: usize,
    pub end: usize,
}

/// Properties of one profile as the SDK reads them: lower-cased keys, last value wins. A
/// sorted vector: a profile has a handful of keys, and a file can have many profiles.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Properties<'a>(Vec<(Cow<'a, str>, Cow<'a, str>)>);

impl<'a> Properties<'a> {
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

    pub fn remove(&mut self, key: &str) {
        if let Ok(i) = self.position(key) {
            self.0.remove(i);
        }
    }

    /// Keys and values in key order.
    pub fn iter(&self) -> impl Iterator<Item = (&str, &str)> {
        self.0.iter().map(|(k, v)| (k.as_ref(), v.as_ref()))
    }

    pub fn len(&self) -> usize {
        self.0.len()
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// Adds every property of `other`, its values winning.
    fn extend(&mut self, other: Properties<'a>) {
        if self.0.is_empty() {
            *self = other;
        } else {
            for (k, v) in other.0 {
                self.insert(k, v);
            }
        }
    }
}

/// Everything the SDKs read from one or two files: the reference the editor verifies against.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ProfileSet<'a> {
    pub profiles: BTreeMap<Cow<'a, str>, Properties<'a>>,
    pub sso_sessions: BTreeMap<Cow<'a, str>, Properties<'a>>,
    /// Other prefixed config sections (`[services x]`), keyed `prefix name`.
    pub other: BTreeMap<String, Properties<'a>>,
}

/// A header's name split the SDK's way: `profile foo` → (`profile`, `foo`), `foo` → (–, `foo`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct SectionName<'a> {
    pub prefix: Option<&'a str>,
    pub name: &'a str,
}

impl<'a> SectionName<'a> {
    pub fn parse(raw: &'a str) -> Self {
        let raw = parse::trim(raw);
        // Space and tab are one byte each and never part of another character.
        match raw.bytes().position(|b| b == b' ' || b == b'\t') {
            Some(i) => SectionName {
                prefix: Some(&raw[..i]),
                name: parse::trim(&raw[i + 1..]),
            },
            None => SectionName {
                prefix: None,
                name: raw,
            },
        }
    }

    /// The name of a section without a prefix (`[dev]`), as the credentials file names them.
    pub fn name_if_plain(&self) -> Option<&'a str> {
        self.prefix.is_none().then_some(self.name)
    }

    /// Whether this header names profile `profile` in a file of `kind`.
    pub fn is_profile(&self, kind: FileKind, profile: &str) -> bool {
        match kind {
            FileKind::Credentials => self.prefix.is_none() && self.name == profile,
            FileKind::Config => {
                self.name == profile
                    && (self.prefix == Some("profile")
                        || (self.prefix.is_none() && profile == "default"))
            }
        }
    }
}

/// Where a section's properties go in the SDK view, or `None` when the SDK ignores it.
enum Target<'a> {
    Profile(Cow<'a, str>),
    SsoSession(Cow<'a, str>),
    Other(String),
}

fn target(kind: FileKind, name: SectionName<'_>) -> Option<Target<'_>> {
    let valid = parse::is_identifier(name.name);
    match (kind, name.prefix) {
        (FileKind::Credentials, None) if valid => Some(Target::Profile(name.name.into())),
        (FileKind::Credentials, _) => None,
        (FileKind::Config, None) if name.name == "default" => {
            Some(Target::Profile(name.name.into()))
        }
        (FileKind::Config, None) => None,
        (FileKind::Config, Some(_)) if !valid => None,
        (FileKind::Config, Some("profile")) => Some(Target::Profile(name.name.into())),
        (FileKind::Config, Some("sso-session")) => Some(Target::SsoSession(name.name.into())),
        (FileKind::Config, Some(p)) => Some(Target::Other(format!("{p} {}", name.name))),
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

    /// What the SDKs read from this document alone. It borrows from the input text, not from
    /// the document, so the document can be edited while the view is kept.
    pub fn view(&self, kind: FileKind) -> Result<ProfileSet<'a>, ParseError> {
        let mut set = ProfileSet::default();
        set.merge(self, kind)?;
        Ok(set)
    }

    /// Every section the SDK keeps, in file order, with its properties. Sections are merged by
    /// the caller; a key outside the identifier rule is dropped here together with its
    /// continuation lines.
    fn read_sections(&self, kind: FileKind) -> Vec<(Target<'a>, Properties<'a>)> {
        let sections = self.named_sections();
        let skip_plain_default = kind == FileKind::Config
            && sections.iter().any(|(_, raw)| {
                let n = SectionName::parse(raw);
                n.prefix == Some("profile") && n.name == "default"
            });
        let mut out: Vec<(Target<'a>, Properties<'a>)> = Vec::new();
        for (section, raw) in sections {
            let name = SectionName::parse(&raw);
            if skip_plain_default && name.prefix.is_none() && name.name == "default" {
                continue;
            }
            let kept = match &raw {
                Cow::Borrowed(r) => target(kind, SectionName::parse(r)),
                Cow::Owned(o) => target(kind, SectionName::parse(o)).map(Target::into_owned),
            };
            if let Some(t) = kept {
                out.push((t, self.section_properties(section)));
            }
        }
        out
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

/// Reads one section's properties from its lines after the header: the SDK's rules for keys,
/// continuation lines and repeated keys, in one place.
struct Reader<'a> {
    props: Properties<'a>,
    /// The key that continuation lines add to.
    current: Option<Cow<'a, str>>,
}

impl<'a> Reader<'a> {
    fn new(capacity: usize) -> Self {
        Reader {
            props: Properties(Vec::with_capacity(capacity)),
            current: None,
        }
    }

    fn line(&mut self, line: &Line<'a>) {
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

    fn done(self) -> Properties<'a> {
        self.props
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

impl Target<'_> {
    fn into_owned(self) -> Target<'static> {
        match self {
            Target::Profile(p) => Target::Profile(Cow::Owned(p.into_owned())),
            Target::SsoSession(s) => Target::SsoSession(Cow::Owned(s.into_owned())),
            Target::Other(o) => Target::Other(o),
        }
    }
}

impl<'a> ProfileSet<'a> {
    /// Reads config and credentials the way the SDKs combine them: credentials win.
    pub fn load(
        config: Option<&Document<'a>>,
        credentials: Option<&Document<'a>>,
    ) -> Result<Self, (FileKind, ParseError)> {
        let mut set = ProfileSet::default();
        if let Some(doc) = config {
            set.merge(doc, FileKind::Config)
                .map_err(|e| (FileKind::Config, e))?;
        }
        if let Some(doc) = credentials {
            set.merge(doc, FileKind::Credentials)
                .map_err(|e| (FileKind::Credentials, e))?;
        }
        Ok(set)
    }

    /// Adds what the SDK reads from `doc` to this set.
    fn merge(&mut self, doc: &Document<'a>, kind: FileKind) -> Result<(), ParseError> {
        // Every section is read: in the pass that checks the file.
        doc.read_all();
        doc.check()?;
        let mut profiles: Vec<(Cow<'a, str>, Properties<'a>)> = Vec::new();
        for (target, props) in doc.read_sections(kind) {
            match target {
                Target::Profile(p) => profiles.push((p, props)),
                Target::SsoSession(s) => self.sso_sessions.entry(s).or_default().extend(props),
                Target::Other(o) => self.other.entry(o).or_default().extend(props),
            }
        }
        // Sort (stably, so later sections win) and merge runs of the same name before building
        // the map in one go.
        profiles.sort_by(|a, b| a.0.cmp(&b.0));
        let mut merged: Vec<(Cow<'a, str>, Properties<'a>)> = Vec::with_capacity(profiles.len());
        for (name, props) in profiles {
            match merged.last_mut() {
                Some((last, into)) if *last == name => into.extend(props),
                _ => merged.push((name, props)),
            }
        }
        if self.profiles.is_empty() {
            self.profiles = merged.into_iter().collect();
        } else {
            for (name, props) in merged {
                self.profiles.entry(name).or_default().extend(props);
            }
        }
        Ok(())
    }
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
