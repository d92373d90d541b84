//! The document: every line of the file with its exact text and terminator, plus the SDK's
//! view of it (profiles and their properties) computed on demand.

use std::borrow::Cow;
use std::collections::{BTreeMap, HashMap};

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

/// The first line the SDK parser rejects, 1-based, with the SDK's message.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ParseError {
    pub line: usize,
    pub message: String,
}

/// A lossless document: rendering an unedited document gives back the input exactly.
#[derive(Clone, Debug)]
pub struct Document {
    pub(super) bom: bool,
    pub(super) lines: Vec<Line>,
    pub(super) changes: Vec<super::edit::Change>,
}

/// One section: its header line and the index after its last line (the next header or the end).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Section {
    pub header: usize,
    pub end: usize,
}

/// Properties of one profile as the SDK reads them: lower-cased keys, last value wins.
pub type Properties<'a> = BTreeMap<Cow<'a, str>, Cow<'a, str>>;

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
        let raw = raw.trim_matches(WHITESPACE);
        match raw.split_once(WHITESPACE) {
            Some((prefix, name)) => SectionName {
                prefix: Some(prefix.trim_matches(WHITESPACE)),
                name: name.trim_matches(WHITESPACE),
            },
            None => SectionName {
                prefix: None,
                name: raw,
            },
        }
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
    Profile(&'a str),
    SsoSession(&'a str),
    Other(String),
}

fn target(kind: FileKind, name: SectionName<'_>) -> Option<Target<'_>> {
    let valid = parse::is_identifier(name.name);
    match (kind, name.prefix) {
        (FileKind::Credentials, None) if valid => Some(Target::Profile(name.name)),
        (FileKind::Credentials, _) => None,
        (FileKind::Config, None) if name.name == "default" => Some(Target::Profile("default")),
        (FileKind::Config, None) => None,
        (FileKind::Config, Some(_)) if !valid => None,
        (FileKind::Config, Some("profile")) => Some(Target::Profile(name.name)),
        (FileKind::Config, Some("sso-session")) => Some(Target::SsoSession(name.name)),
        (FileKind::Config, Some(p)) => Some(Target::Other(format!("{p} {}", name.name))),
    }
}

impl Document {
    /// Reads `text` into lines. Never fails; see [`Document::check`] for the SDK's verdict.
    /// A leading UTF-8 BOM is kept for rendering but is not part of the first line.
    pub fn parse(text: &str) -> Document {
        let (bom, body) = match text.strip_prefix(BOM) {
            Some(rest) => (true, rest),
            None => (false, text),
        };
        Document {
            bom,
            lines: parse::classify(parse::split_lines(body)),
            changes: Vec::new(),
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

    pub fn lines(&self) -> &[Line] {
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
                    Kind::Invalid(m) => m.clone(),
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
        match &self.lines[section.header].kind {
            Kind::Header { name } => SectionName::parse(name),
            _ => SectionName {
                prefix: None,
                name: "",
            },
        }
    }

    /// The sections that hold `profile` in a file of `kind` (more than one is ambiguous).
    pub fn profile_sections(&self, kind: FileKind, profile: &str) -> Vec<Section> {
        self.sections()
            .into_iter()
            .filter(|s| self.section_name(*s).is_profile(kind, profile))
            .collect()
    }

    /// The line terminator new lines get: the first one the file uses, else `\n`.
    pub(super) fn eol(&self) -> Eol {
        self.lines
            .iter()
            .map(|l| l.eol)
            .find(|e| *e != Eol::None)
            .unwrap_or(Eol::Lf)
    }

    /// What the SDKs read from this document alone.
    pub fn view(&self, kind: FileKind) -> Result<ProfileSet<'_>, ParseError> {
        let mut set = ProfileSet::default();
        set.merge(self, kind)?;
        Ok(set)
    }

    /// Raw sections in order of first appearance, merged by exact header text, as the SDK's
    /// first pass builds them.
    fn raw_sections(&self) -> Vec<(&str, Properties<'_>)> {
        let mut order: Vec<(&str, Properties<'_>)> = Vec::new();
        let mut index: HashMap<&str, usize> = HashMap::new();
        let mut current: Option<(usize, Cow<'_, str>)> = None;
        let mut section: Option<usize> = None;
        for line in &self.lines {
            match &line.kind {
                Kind::Header { name } => {
                    let at = *index.entry(name.as_str()).or_insert_with(|| {
                        order.push((name.as_str(), Properties::new()));
                        order.len() - 1
                    });
                    section = Some(at);
                    current = None;
                }
                Kind::Property { key, value } => {
                    if let Some(at) = section {
                        let k = lower(&line.text[key.0..key.1]);
                        let v = Cow::Borrowed(&line.text[value.0..value.1]);
                        order[at].1.insert(k.clone(), v);
                        current = Some((at, k));
                    }
                }
                Kind::Continuation => {
                    if let Some((at, k)) = &current
                        && let Some(v) = order[*at].1.get_mut(k)
                    {
                        let v = v.to_mut();
                        v.push('\n');
                        v.push_str(line.text.trim_matches(WHITESPACE));
                    }
                }
                Kind::Blank | Kind::Comment | Kind::Invalid(_) => {}
            }
        }
        order
    }
}

fn lower(s: &str) -> Cow<'_, str> {
    if s.bytes().any(|b| b.is_ascii_uppercase()) {
        Cow::Owned(s.to_ascii_lowercase())
    } else {
        Cow::Borrowed(s)
    }
}

impl<'a> ProfileSet<'a> {
    /// Reads config and credentials the way the SDKs combine them: credentials win.
    pub fn load(
        config: Option<&'a Document>,
        credentials: Option<&'a Document>,
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
    fn merge(&mut self, doc: &'a Document, kind: FileKind) -> Result<(), ParseError> {
        doc.check()?;
        let raw = doc.raw_sections();
        let valid: Vec<(SectionName<'_>, Target<'_>, Properties<'_>)> = raw
            .into_iter()
            .filter_map(|(name, props)| {
                let n = SectionName::parse(name);
                target(kind, n).map(|t| (n, t, props))
            })
            .collect();
        let prefixed_default = valid
            .iter()
            .any(|(n, _, _)| n.prefix == Some("profile") && n.name == "default");
        for (name, target, props) in valid {
            if prefixed_default && name.prefix.is_none() && name.name == "default" {
                continue;
            }
            let into = match target {
                Target::Profile(p) => self.profiles.entry(Cow::Borrowed(p)).or_default(),
                Target::SsoSession(s) => self.sso_sessions.entry(Cow::Borrowed(s)).or_default(),
                Target::Other(o) => self.other.entry(o).or_default(),
            };
            into.extend(props.into_iter().filter(|(k, _)| parse::is_identifier(k)));
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
