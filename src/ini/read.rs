//! Reading a document, whichever form it has: [`Document`](super::Document) reads from its
//! text (one scan for the sections, a section's lines parsed only when asked for), and
//! [`DocumentMut`](super::DocumentMut) from its list of lines. Each form answers the few
//! questions that depend on how it holds the file; everything else is written here once, for
//! both.

use std::borrow::Cow;

use super::error::{EditError, ParseError};
use super::names::{FileKind, Section, SectionName};
use super::names::{Target, target};
use super::parse::{self, Kind, Line};
use super::properties::{Properties, Reader};
use super::view::ProfileSet;

/// The lines of one section, its header first: borrowed from a list of lines, or parsed from
/// the text as they are read.
pub struct SectionLines<'d, 'a>(pub(super) Body<'d, 'a>);

/// Where a section's lines come from.
pub(super) enum Body<'d, 'a> {
    Built(std::slice::Iter<'d, Line<'a>>),
    Text(parse::Classified<'a>),
}

impl<'d, 'a> Iterator for SectionLines<'d, 'a> {
    type Item = Cow<'d, Line<'a>>;
    fn next(&mut self) -> Option<Self::Item> {
        match &mut self.0 {
            Body::Built(lines) => lines.next().map(Cow::Borrowed),
            Body::Text(lines) => lines.next().map(Cow::Owned),
        }
    }
}

/// What the SDKs read from a document, and where its sections are.
pub trait Read<'a> {
    /// The first line the SDK would reject.
    fn check(&self) -> Result<(), ParseError>;

    /// Every section in file order.
    fn sections(&self) -> Vec<Section>;

    /// How many sections there are.
    fn section_count(&self) -> usize;

    /// Calls `f` with every section in file order and its header name, borrowed from the input
    /// text when the header is unedited, without making a list of them.
    fn each_named_section(&self, f: &mut dyn FnMut(Section, Cow<'a, str>));

    /// The header name of a section, split the SDK's way.
    fn section_name(&self, section: Section) -> SectionName<'_>;

    /// The header name of a section, borrowed from the input text when the header is unedited.
    fn section_name_text(&self, section: Section) -> Cow<'a, str>;

    /// The lines of a section, its header first.
    fn section_lines(&self, section: Section) -> SectionLines<'_, 'a>;

    /// Prepares for a caller about to read most sections (see
    /// [`Document::read_all`](super::Document::read_all)); nothing to do for a list of lines.
    fn read_all(&self) {}

    /// The sections that hold `profile` in a file of `kind` (more than one is ambiguous).
    fn profile_sections(&self, kind: FileKind, profile: &str) -> Vec<Section> {
        let mut found = Vec::new();
        self.each_named_section(&mut |section, raw| {
            if SectionName::parse(&raw).is_profile(kind, profile) {
                found.push(section);
            }
        });
        found
    }

    /// The properties of one section as the SDK reads them: the one property reader, used by
    /// every lookup and by [`Read::view`] (which the conformance suite runs). Keys are
    /// lower-cased, a key outside the identifier rule is dropped with its continuation lines,
    /// continuation lines join the value with `\n`, the last value wins.
    fn section_properties(&self, section: Section) -> Properties<'a> {
        let mut reader = Reader::new(section.end - section.header);
        for line in self.section_lines(section).skip(1) {
            reader.line(&line);
        }
        reader.done()
    }

    /// Whether a section has a property `key` (lower-case), without reading its values.
    fn section_has_key(&self, section: Section, key: &str) -> bool {
        self.section_lines(section)
            .skip(1)
            .any(|l| l.key().is_some_and(|k| k.eq_ignore_ascii_case(key)))
    }

    /// Every section in file order with its header name, borrowed from the input text when the
    /// header is unedited.
    fn named_sections(&self) -> Vec<(Section, Cow<'a, str>)> {
        let mut all = Vec::with_capacity(self.section_count());
        self.each_named_section(&mut |section, name| all.push((section, name)));
        all
    }

    /// The one section holding `profile`; an error when it appears more than once, or when
    /// its header has blanks inside the brackets (the AWS CLI reads `[ dev ]` differently).
    fn find(&self, kind: FileKind, profile: &str) -> Result<Option<Section>, EditError> {
        self.check().map_err(EditError::Parse)?;
        let found = self.profile_sections(kind, profile);
        match found.as_slice() {
            [] => Ok(None),
            [one] => {
                let raw = self.section_name_text(*one);
                if parse::trim(&raw) != raw {
                    return Err(EditError::SpacedHeader {
                        profile: profile.to_owned(),
                        line: one.header + 1,
                    });
                }
                Ok(Some(*one))
            }
            many => Err(EditError::Duplicate {
                profile: profile.to_owned(),
                lines: many.iter().map(|s| s.header + 1).collect(),
            }),
        }
    }

    /// The bytes of `profile`'s sections from the header to the last property line (trailing
    /// comments and blank lines left out: they may belong to what follows), every section of
    /// that name in file order; `None` when there is none. Two texts that give the same bytes
    /// here hold the same properties, spelled the same way.
    fn section_text(&self, kind: FileKind, profile: &str) -> Option<String> {
        let sections = self.profile_sections(kind, profile);
        if sections.is_empty() {
            return None;
        }
        let mut out = String::new();
        for section in sections {
            let lines: Vec<Cow<'_, Line<'a>>> = self.section_lines(section).collect();
            let last = lines
                .iter()
                .rposition(|l| !matches!(l.kind, Kind::Blank | Kind::Comment))
                .unwrap_or(0);
            for line in &lines[..=last] {
                out.push_str(&line.text);
                out.push_str(line.eol.as_str());
            }
        }
        Some(out)
    }

    /// What the SDKs read from this document alone. It borrows from the input text, not from
    /// the document, so a view of a document can be kept while another is edited.
    fn view(&self, kind: FileKind) -> Result<ProfileSet<'a>, ParseError> {
        view_of(self, kind)
    }
}

/// What the SDKs read from `doc` alone ([`Read::view`]).
fn view_of<'a, D: Read<'a> + ?Sized>(
    doc: &D,
    kind: FileKind,
) -> Result<ProfileSet<'a>, ParseError> {
    let mut set = ProfileSet::default();
    set.merge(doc, kind)?;
    Ok(set)
}

/// Every section the SDK keeps, in file order, with its properties. Sections are merged by
/// the caller; a key outside the identifier rule is dropped here together with its
/// continuation lines.
fn read_sections<'a, D: Read<'a> + ?Sized>(
    doc: &D,
    kind: FileKind,
) -> Vec<(Target<'a>, Properties<'a>)> {
    let sections = doc.named_sections();
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
            out.push((t, doc.section_properties(section)));
        }
    }
    out
}

impl<'a> ProfileSet<'a> {
    /// Reads config and credentials the way the SDKs combine them: credentials win.
    pub fn load<D: Read<'a>>(
        config: Option<&D>,
        credentials: Option<&D>,
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
    fn merge<D: Read<'a> + ?Sized>(&mut self, doc: &D, kind: FileKind) -> Result<(), ParseError> {
        // Every section is read: in the pass that checks the file.
        doc.read_all();
        doc.check()?;
        let mut profiles: Vec<(Cow<'a, str>, Properties<'a>)> = Vec::new();
        for (target, props) in read_sections(doc, kind) {
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
