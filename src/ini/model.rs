//! The document: every line of the file with its exact text and terminator, plus the SDK's
//! view of it (profiles and their properties) computed on demand.

use std::borrow::Cow;
use std::collections::BTreeMap;

use super::parse::{self, Eol, Kind, Line, WHITESPACE};

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
#[derive(Clone, Debug)]
pub struct Document<'a> {
    pub(super) bom: bool,
    pub(super) lines: Vec<Line<'a>>,
    pub(super) changes: Vec<Change>,
    /// Plain sections by name, built on first use; an edit drops it.
    pub(super) index: std::cell::OnceCell<super::index::Index<'a>>,
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

    /// The value of `key` (lower-case).
    pub fn get(&self, key: &str) -> Option<&str> {
        self.position(key).ok().map(|i| self.0[i].1.as_ref())
    }

    pub fn contains_key(&self, key: &str) -> bool {
        self.position(key).is_ok()
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
        match raw.find([' ', '\t']) {
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
    /// Reads `text` into lines. Never fails; see [`Document::check`] for the SDK's verdict.
    /// A leading UTF-8 BOM is kept for rendering but is not part of the first line.
    pub fn parse(text: &'a str) -> Document<'a> {
        let (bom, body) = match text.strip_prefix(BOM) {
            Some(rest) => (true, rest),
            None => (false, text),
        };
        Document {
            bom,
            lines: parse::classify(body),
            changes: Vec::new(),
            index: std::cell::OnceCell::new(),
        }
    }

    /// The document's bytes: the input exactly, plus the edits made since.
    pub fn render(&self) -> String {
        let size: usize = self.lines.iter().map(|l| l.text.len() + 2).sum();
        let mut out = String::with_capacity(size + 3);
        if self.bom {
            out.push(BOM);
        }
        for line in &self.lines {
            out.push_str(&line.text);
            out.push_str(line.eol.as_str());
        }
        out
    }

    pub fn lines(&self) -> &[Line<'a>] {
        &self.lines
    }

    /// The first line the SDK would reject.
    pub fn check(&self) -> Result<(), ParseError> {
        match self
            .lines
            .iter()
            .position(|l| matches!(l.kind, Kind::Invalid(_)))
        {
            Some(i) => Err(ParseError {
                line: i + 1,
                message: match &self.lines[i].kind {
                    Kind::Invalid(m) => (*m).to_owned(),
                    _ => String::new(),
                },
            }),
            None => Ok(()),
        }
    }

    /// Every section in file order.
    pub fn sections(&self) -> Vec<Section> {
        let headers: Vec<usize> = (0..self.lines.len())
            .filter(|&i| matches!(self.lines[i].kind, Kind::Header { .. }))
            .collect();
        let ends = headers.iter().skip(1).copied().chain([self.lines.len()]);
        headers
            .iter()
            .zip(ends)
            .map(|(&header, end)| Section { header, end })
            .collect()
    }

    /// The header name of a section, split the SDK's way.
    pub fn section_name(&self, section: Section) -> SectionName<'_> {
        SectionName::parse(self.lines[section.header].header_name().unwrap_or_default())
    }

    /// The header name of a section, borrowed from the input text when the header is unedited.
    pub fn section_name_text(&self, section: Section) -> Cow<'a, str> {
        let line = &self.lines[section.header];
        match line.kind {
            Kind::Header { name } => line.part(name),
            _ => Cow::Borrowed(""),
        }
    }

    /// Whether a section has a property `key` (lower-case), without reading its values.
    pub fn section_has_key(&self, section: Section, key: &str) -> bool {
        self.lines[section.header + 1..section.end]
            .iter()
            .any(|l| l.key().is_some_and(|k| k.eq_ignore_ascii_case(key)))
    }

    /// The sections that hold `profile` in a file of `kind` (more than one is ambiguous).
    pub fn profile_sections(&self, kind: FileKind, profile: &str) -> Vec<Section> {
        let mut found = Vec::new();
        let mut open: Option<usize> = None;
        for (i, line) in self.lines.iter().enumerate() {
            if let Some(name) = line.header_name() {
                if let Some(header) = open.take() {
                    found.push(Section { header, end: i });
                }
                if SectionName::parse(name).is_profile(kind, profile) {
                    open = Some(i);
                }
            }
        }
        if let Some(header) = open {
            found.push(Section {
                header,
                end: self.lines.len(),
            });
        }
        found
    }

    /// The line terminator new lines get: the first one the file uses, else `\n`.
    pub(super) fn eol(&self) -> Eol {
        self.lines
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
        let skip_plain_default = kind == FileKind::Config
            && self.lines.iter().any(|l| {
                l.header_name()
                    .map(SectionName::parse)
                    .is_some_and(|n| n.prefix == Some("profile") && n.name == "default")
            });
        let mut sections: Vec<(Target<'a>, Properties<'a>)> = Vec::new();
        for section in self.sections() {
            let line = &self.lines[section.header];
            let Kind::Header { name: span } = line.kind else {
                continue;
            };
            let raw = line.part(span);
            let name = SectionName::parse(&raw);
            if skip_plain_default && name.prefix.is_none() && name.name == "default" {
                continue;
            }
            let kept = match &raw {
                Cow::Borrowed(r) => target(kind, SectionName::parse(r)),
                Cow::Owned(o) => target(kind, SectionName::parse(o)).map(Target::into_owned),
            };
            if let Some(t) = kept {
                sections.push((t, self.section_properties(section)));
            }
        }
        sections
    }

    /// The properties of one section as the SDK reads them: the one property reader, used by
    /// every lookup and by [`Document::view`] (which the conformance suite runs). Keys are
    /// lower-cased, a key outside the identifier rule is dropped with its continuation lines,
    /// continuation lines join the value with `\n`, the last value wins.
    pub fn section_properties(&self, section: Section) -> Properties<'a> {
        let mut props = Properties::new();
        let mut current: Option<Cow<'a, str>> = None;
        for line in &self.lines[section.header + 1..section.end] {
            match line.kind {
                Kind::Property { key, value } => {
                    let key = lower(line.part(key));
                    current = None;
                    if parse::is_identifier(&key) {
                        props.insert(key.clone(), line.part(value));
                        current = Some(key);
                    }
                }
                Kind::Continuation => {
                    if let Some(k) = &current {
                        props.continue_value(k, line.text.trim_matches(WHITESPACE));
                    }
                }
                _ => {}
            }
        }
        props
    }
}

/// `s` in lower case, copied only when it has capitals.
pub(super) fn lower(s: Cow<'_, str>) -> Cow<'_, str> {
    if s.bytes().any(|b| b.is_ascii_uppercase()) {
        Cow::Owned(s.to_ascii_lowercase())
    } else {
        s
    }
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
