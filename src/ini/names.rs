//! What sections are called: the two kinds of file, a header's prefix and name, and what each
//! section is to the SDK (a profile, an SSO session, something else).

use std::borrow::Cow;

use super::parse;

/// Which of the two AWS files a document is; they name sections differently.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FileKind {
    /// `~/.aws/config`: `[profile NAME]` (and `[default]`), `[sso-session NAME]`, others.
    Config,
    /// `~/.aws/credentials`: `[NAME]` only.
    Credentials,
}

/// A header's name split the SDK's way: `profile foo` → (`profile`, `foo`), `foo` → (–, `foo`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct SectionName<'a> {
    /// `profile` or `sso-session` in `[profile dev]`; none in `[dev]`.
    pub prefix: Option<&'a str>,
    /// What follows the prefix, trimmed as the SDK trims it.
    pub name: &'a str,
}

impl<'a> SectionName<'a> {
    /// Splits the text between a header's brackets at its first blank, as the SDK does.
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
pub(super) enum Target<'a> {
    Profile(Cow<'a, str>),
    SsoSession(Cow<'a, str>),
    Other(String),
}

pub(super) fn target(kind: FileKind, name: SectionName<'_>) -> Option<Target<'_>> {
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

impl Target<'_> {
    pub(super) fn into_owned(self) -> Target<'static> {
        match self {
            Target::Profile(p) => Target::Profile(Cow::Owned(p.into_owned())),
            Target::SsoSession(s) => Target::SsoSession(Cow::Owned(s.into_owned())),
            Target::Other(o) => Target::Other(o),
        }
    }
}

/// One section: its header line and the index after its last line (the next header or the end).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Section {
    /// The header's line index (0-based).
    pub header: usize,
    /// One past the section's last line: a section owns the lines up to the next header.
    pub end: usize,
}
