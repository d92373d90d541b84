//! What the SDKs read from the files: every profile with its properties, config and
//! credentials combined.

use std::borrow::Cow;
use std::collections::BTreeMap;

use super::error::ParseError;
use super::model::Document;
use super::names::{FileKind, SectionName, Target, target};
use super::properties::Properties;

/// Everything the SDKs read from one or two files: the reference the editor verifies against.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ProfileSet<'a> {
    /// Profiles by name, with sections of the same name merged as the SDKs merge them.
    pub profiles: BTreeMap<Cow<'a, str>, Properties<'a>>,
    /// `[sso-session NAME]` sections of the config file, by name.
    pub sso_sessions: BTreeMap<Cow<'a, str>, Properties<'a>>,
    /// Other prefixed config sections (`[services x]`), keyed `prefix name`.
    pub other: BTreeMap<String, Properties<'a>>,
}

impl<'a> Document<'a> {
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
