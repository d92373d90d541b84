//! The edit form of a document: every line of the file with its exact text and terminator,
//! and the edits made to it ([`Change`]), which the check of the result replays.

use std::borrow::Cow;

use super::document::Document;
use super::error::ParseError;
use super::names::{Section, SectionName};
use super::parse::{self, BOM, Eol, Kind, Line, split_bom};
use super::read::{Body, Read, SectionLines};

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

/// A document being edited: rendering an unedited one gives back the input exactly, and an
/// edit changes only the lines it must (see the edit module's placement rules).
#[derive(Clone, Debug)]
pub struct DocumentMut<'a> {
    bom: bool,
    /// Every line with its kind; unedited lines borrow from the input.
    lines: Vec<Line<'a>>,
    pub(super) changes: Vec<Change>,
}

impl<'a> Document<'a> {
    /// The form that edits, its lines split and classified now.
    pub fn into_mut(self) -> DocumentMut<'a> {
        DocumentMut::from_text(self.bom, self.text)
    }
}

impl<'a> DocumentMut<'a> {
    /// Takes `text` as a document to edit, its lines split and classified now.
    pub fn parse(text: &'a str) -> DocumentMut<'a> {
        let (bom, text) = split_bom(text);
        DocumentMut::from_text(bom, text)
    }

    /// The document of `text` (without its BOM).
    fn from_text(bom: bool, text: &'a str) -> DocumentMut<'a> {
        DocumentMut {
            bom,
            lines: parse::classify(text),
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

    /// Every line, split and classified.
    pub fn lines(&self) -> &[Line<'a>] {
        &self.lines
    }

    /// The lines, for an edit.
    pub(super) fn lines_mut(&mut self) -> &mut Vec<Line<'a>> {
        &mut self.lines
    }

    /// The line terminator new lines get: the first one the file uses, else `\n`.
    pub(super) fn eol(&self) -> Eol {
        self.lines
            .iter()
            .map(|l| l.eol)
            .find(|e| *e != Eol::None)
            .unwrap_or(Eol::Lf)
    }

    /// Indices of the header lines, in file order.
    fn headers(&self) -> impl Iterator<Item = usize> + '_ {
        (0..self.lines.len()).filter(|&i| matches!(self.lines[i].kind, Kind::Header { .. }))
    }
}

impl<'a> Read<'a> for DocumentMut<'a> {
    fn check(&self) -> Result<(), ParseError> {
        let invalid = self
            .lines
            .iter()
            .enumerate()
            .find_map(|(i, l)| match l.kind {
                Kind::Invalid(m) => Some((i, m)),
                _ => None,
            });
        match invalid {
            Some((i, message)) => Err(ParseError {
                line: i + 1,
                message: message.to_owned(),
            }),
            None => Ok(()),
        }
    }

    fn sections(&self) -> Vec<Section> {
        let headers: Vec<usize> = self.headers().collect();
        let ends = headers.iter().skip(1).copied().chain([self.lines.len()]);
        headers
            .iter()
            .zip(ends)
            .map(|(&header, end)| Section { header, end })
            .collect()
    }

    fn section_count(&self) -> usize {
        self.headers().count()
    }

    fn each_named_section(&self, f: &mut dyn FnMut(Section, Cow<'a, str>)) {
        for section in self.sections() {
            f(section, self.section_name_text(section));
        }
    }

    fn section_name(&self, section: Section) -> SectionName<'_> {
        SectionName::parse(self.lines[section.header].header_name().unwrap_or_default())
    }

    fn section_name_text(&self, section: Section) -> Cow<'a, str> {
        let line = &self.lines[section.header];
        match line.kind {
            Kind::Header { name } => line.part(name),
            _ => Cow::Borrowed(""),
        }
    }

    fn section_lines(&self, section: Section) -> SectionLines<'_, 'a> {
        SectionLines(Body::Built(self.lines[section.header..section.end].iter()))
    }
}
