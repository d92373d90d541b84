//! Edits that touch only the lines that must change, and the check that the result reads back
//! as intended.
//!
//! Placement rules (SPEC §6.1):
//! - an existing key is rewritten on its own line: its spelling and its spacing around `=` stay;
//!   continuation lines of the old value go. Its comments are kept on their own lines above it:
//!   an inline comment (`key = value # note`, which the AWS CLI would read as part of the new
//!   value) and indented comment lines under it (a continuation to the SDK rules, a comment to
//!   the AWS CLI). A removed key leaves its comments the same way;
//! - a section whose header the AWS CLI reads differently from the SDK rules (`[ dev ]`) is
//!   not edited: the change would land in a profile the AWS CLI does not see;
//! - a new key goes after the section's last property (after that property's continuation
//!   lines), or right after the header when there is none, spaced like the section's other
//!   properties (else like the file's, else `key = value`);
//! - a new section goes after the file's last line that is not blank, after one blank line
//!   (blank lines at the end of the file stay there);
//! - new lines use the file's line ending, and a file without a final newline keeps lacking one.
//!
//! A section owns its header and the lines up to its last non-blank line, except the comment
//! lines right above the next header (no blank line between): such a comment describes the
//! section that follows and is never removed with the one before. A comment that a blank line
//! separates from the next header belongs to the section it is in, which then keeps its
//! header when its keys are removed.

use std::borrow::Cow;
use std::collections::BTreeSet;

use super::model::{Change, Document, ParseError, Section};
use super::names::FileKind;
use super::parse::{self, Eol, Kind, Line, State, WHITESPACE};
use super::properties::Properties;
use super::view::ProfileSet;

/// Why an edit was refused. Nothing is changed when an edit returns an error.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum EditError {
    /// The document has a line the SDK parser rejects.
    Parse(ParseError),
    /// The profile's section appears more than once (1-based header lines).
    Duplicate { profile: String, lines: Vec<usize> },
    /// The profile's header has blanks inside its brackets (`[ dev ]`): the SDK rules trim
    /// them, the AWS CLI does not (1-based header line).
    SpacedHeader { profile: String, line: usize },
    /// The profile name is not one the SDK would read.
    BadName { profile: String },
    /// The key is not one the SDK would read.
    BadKey { key: String },
    /// The value would read back differently.
    BadValue { key: String, reason: &'static str },
    /// A value spread over continuation lines cannot be moved to a single line.
    MultiLine { profile: String, key: String },
    /// After the edit, the file does not read back as intended.
    Verify { profile: String },
}

/// Keys whose value would be cut or changed by the SDK parser, and why.
fn value_problem(value: &str) -> Option<&'static str> {
    let mut prev_ws = false;
    for c in value.chars() {
        if (c == '#' || c == ';') && prev_ws {
            return Some("has a blank before '#' or ';', which would start a comment");
        }
        prev_ws = c == ' ' || c == '\t';
    }
    if value.contains(['\n', '\r']) {
        Some("contains a line break")
    } else if value.starts_with(WHITESPACE) || value.ends_with(WHITESPACE) {
        Some("starts or ends with a blank")
    } else if value.starts_with(['#', ';']) {
        Some("starts with '#' or ';', which would start a comment")
    } else {
        None
    }
}

impl<'a> Document<'a> {
    /// The one section holding `profile`; an error when it appears more than once.
    pub fn find(&self, kind: FileKind, profile: &str) -> Result<Option<Section>, EditError> {
        self.check().map_err(EditError::Parse)?;
        let found = self.profile_sections(kind, profile);
        match found.as_slice() {
            [] => Ok(None),
            [one] => {
                let raw = self.lines()[one.header].header_name().unwrap_or_default();
                if parse::trim(raw) != raw {
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
    pub fn section_text(&self, kind: FileKind, profile: &str) -> Option<String> {
        let sections = self.profile_sections(kind, profile);
        if sections.is_empty() {
            return None;
        }
        let mut out = String::new();
        for section in sections {
            let last = (section.header..section.end)
                .rev()
                .find(|&i| !matches!(self.lines()[i].kind, Kind::Blank | Kind::Comment))
                .unwrap_or(section.header);
            for line in &self.lines()[section.header..=last] {
                out.push_str(&line.text);
                out.push_str(line.eol.as_str());
            }
        }
        Some(out)
    }

    /// Sets each key of `pairs` in `profile`'s section, creating the section when missing.
    pub fn set(
        &mut self,
        kind: FileKind,
        profile: &str,
        pairs: &[(&str, &str)],
    ) -> Result<(), EditError> {
        check_name(profile)?;
        for (key, value) in pairs {
            check_key(key)?;
            if let Some(reason) = value_problem(value) {
                return Err(EditError::BadValue {
                    key: (*key).to_owned(),
                    reason,
                });
            }
        }
        let mut section = match self.find(kind, profile)? {
            Some(s) => s,
            None => self.append_section(kind, profile),
        };
        for (key, value) in pairs {
            match self.property_lines(section, &[key]).last() {
                Some(&at) => {
                    section.end = section
                        .end
                        .saturating_add_signed(self.rewrite_value(at, value));
                }
                None => {
                    self.insert_property(section, key, value);
                    section.end += 1;
                }
            }
        }
        self.changes.push(Change::Set {
            profile: profile.to_owned(),
            pairs: pairs
                .iter()
                .map(|(k, v)| (k.to_ascii_lowercase(), (*v).to_owned()))
                .collect(),
        });
        Ok(())
    }

    /// Puts `new = value` where `old`'s line is in `profile`'s section (its last occurrence),
    /// keeping the line's indentation and spacing; earlier `old` lines, the old value's
    /// continuation lines and any `new` line elsewhere in the section go, comments stay as with
    /// [`Document::set`]. Without an `old` line this is [`Document::set`]. Swapping two keys
    /// back and forth gives the file back byte for byte.
    pub fn replace_key(
        &mut self,
        kind: FileKind,
        profile: &str,
        old: &str,
        new: &str,
        value: &str,
    ) -> Result<(), EditError> {
        check_key(new)?;
        if let Some(reason) = value_problem(value) {
            return Err(EditError::BadValue {
                key: new.to_owned(),
                reason,
            });
        }
        let has_old = self
            .find(kind, profile)?
            .is_some_and(|s| !self.property_lines(s, &[old]).is_empty());
        if !has_old {
            return self.set(kind, profile, &[(new, value)]);
        }
        self.remove_keys(kind, profile, &[new])?;
        let Some(section) = self.find(kind, profile)? else {
            return Ok(());
        };
        let Some(&at) = self.property_lines(section, &[old]).last() else {
            return Ok(());
        };
        let line = &self.lines()[at];
        let Kind::Property { key, value: was } = line.kind else {
            return Ok(());
        };
        let text = &line.text;
        let empty = was.0 == was.1;
        let (key, was) = ((key.0 as usize, key.1 as usize), was.0 as usize);
        let mut sep = text[key.1..was].to_owned();
        // As when a value is rewritten: an empty one gets the blank its `=` lacks.
        if empty && !sep.ends_with(WHITESPACE) && sep.starts_with(WHITESPACE) {
            sep.push(' ');
        }
        let replaced = format!("{}{new}{sep}{value}", &text[..key.0]);
        let comments = self.detach_comments(at);
        self.lines_mut()[at].text = Cow::Owned(replaced);
        let doomed = self.continuations(at);
        self.remove_lines(&doomed);
        self.reclassify(at, at + 1);
        self.insert_lines(at, comments);
        if let Some(section) = self.find(kind, profile)? {
            for earlier in self.property_lines(section, &[old]).into_iter().rev() {
                self.remove_property(earlier);
            }
        }
        self.changes.push(Change::Remove {
            profile: profile.to_owned(),
            keys: vec![old.to_ascii_lowercase()],
        });
        self.changes.push(Change::Set {
            profile: profile.to_owned(),
            pairs: vec![(new.to_ascii_lowercase(), value.to_owned())],
        });
        Ok(())
    }

    /// Removes every occurrence of `keys` (with continuation lines) from `profile`'s section.
    /// Returns the keys that were there, lower-cased, in the order given.
    pub fn remove_keys(
        &mut self,
        kind: FileKind,
        profile: &str,
        keys: &[&str],
    ) -> Result<Vec<String>, EditError> {
        let Some(section) = self.find(kind, profile)? else {
            return Ok(Vec::new());
        };
        let props = self.section_properties(section);
        let present: Vec<String> = keys
            .iter()
            .map(|k| k.to_ascii_lowercase())
            .filter(|k| props.contains_key(k.as_str()))
            .collect();
        // Last first, so that the lines still to remove keep their places.
        for at in self.property_lines(section, keys).into_iter().rev() {
            self.remove_property(at);
        }
        self.changes.push(Change::Remove {
            profile: profile.to_owned(),
            keys: keys.iter().map(|k| k.to_ascii_lowercase()).collect(),
        });
        Ok(present)
    }

    /// Whether `profile`'s section holds nothing but its header and blank lines: no property,
    /// no comment of its own (an inline comment on the header counts).
    pub fn is_bare(&self, kind: FileKind, profile: &str) -> Result<bool, EditError> {
        let Some(section) = self.find(kind, profile)? else {
            return Ok(false);
        };
        let header = &self.lines()[section.header].text;
        let header_comment = parse::strip_comment(header, false) != header.trim_matches(WHITESPACE);
        let own_end = self.own_end(section);
        Ok(!header_comment
            && self.lines()[section.header + 1..own_end]
                .iter()
                .all(|l| l.kind == Kind::Blank))
    }

    /// Removes `profile`'s section (the lines it owns) and the blank line that separated it.
    pub fn remove_section(&mut self, kind: FileKind, profile: &str) -> Result<bool, EditError> {
        let Some(section) = self.find(kind, profile)? else {
            return Ok(false);
        };
        // The section and one blank line that separated it: the one a new section gets (see
        // `append_section`), so that adding a section and removing it again gives the file back.
        let (mut start, mut end) = (section.header, self.own_end(section));
        let first = self.lines()[..start].iter().all(|l| l.kind == Kind::Blank);
        if !first && self.lines()[start - 1].kind == Kind::Blank {
            start -= 1;
        } else if end < self.lines().len() && self.lines()[end].kind == Kind::Blank {
            // Nothing before it: keep the file's leading blank lines and take the blank line
            // that separated it from what follows instead.
            end += 1;
        }
        let doomed: Vec<usize> = (start..end).collect();
        self.remove_lines(&doomed);
        self.changes.push(Change::RemoveSection {
            profile: profile.to_owned(),
        });
        Ok(true)
    }

    /// Moves `keys` from `from`'s section to `to`'s (created when missing) as one edit.
    /// Returns the keys moved; keys absent from `from` are skipped.
    pub fn move_keys(
        &mut self,
        kind: FileKind,
        from: &str,
        to: &str,
        keys: &[&str],
    ) -> Result<Vec<String>, EditError> {
        let Some(section) = self.find(kind, from)? else {
            return Ok(Vec::new());
        };
        let props = self.section_properties(section);
        let mut pairs: Vec<(String, String)> = Vec::new();
        for key in keys {
            if let Some(v) = props.get(key.to_ascii_lowercase().as_str()) {
                if v.contains('\n') {
                    return Err(EditError::MultiLine {
                        profile: from.to_owned(),
                        key: (*key).to_owned(),
                    });
                }
                pairs.push((key.to_ascii_lowercase(), v.to_string()));
            }
        }
        let borrowed: Vec<(&str, &str)> = pairs
            .iter()
            .map(|(k, v)| (k.as_str(), v.as_str()))
            .collect();
        let moved: Vec<&str> = borrowed.iter().map(|(k, _)| *k).collect();
        self.set(kind, to, &borrowed)?;
        self.remove_keys(kind, from, &moved)
    }

    /// Checks that `rendered` (this document's [`Document::render`]) reads back as `before`
    /// with every edit made since parsing applied, and nothing else changed.
    pub fn verify(
        &self,
        kind: FileKind,
        before: &ProfileSet<'_>,
        rendered: &str,
    ) -> Result<(), EditError> {
        verify(&self.changes, kind, before, rendered)
    }

    /// The edits made since parsing, giving up the document.
    pub fn into_changes(self) -> Vec<Change> {
        self.changes
    }

    /// The edits made since parsing.
    pub fn changes(&self) -> &[Change] {
        &self.changes
    }

    // ----- line-level helpers -----

    /// Index after the last line `section` owns (see the module doc).
    fn own_end(&self, section: Section) -> usize {
        let mut end = section.end;
        if end < self.lines().len() {
            // Comment lines right above the next header describe it.
            while end > section.header + 1 && self.lines()[end - 1].kind == Kind::Comment {
                end -= 1;
            }
        }
        while end > section.header + 1 && self.lines()[end - 1].kind == Kind::Blank {
            end -= 1;
        }
        end
    }

    /// Property lines in `section` whose key is one of `keys` (case-insensitive), in order.
    fn property_lines(&self, section: Section, keys: &[&str]) -> Vec<usize> {
        (section.header + 1..section.end)
            .filter(|&i| {
                self.lines()[i]
                    .key()
                    .is_some_and(|k| keys.iter().any(|want| k.eq_ignore_ascii_case(want)))
            })
            .collect()
    }

    /// The continuation lines that belong to the property at `at` (blank and comment lines in
    /// between are not part of it).
    fn continuations(&self, at: usize) -> Vec<usize> {
        let mut out = Vec::new();
        for i in at + 1..self.lines().len() {
            match self.lines()[i].kind {
                Kind::Continuation => out.push(i),
                Kind::Blank | Kind::Comment => {}
                _ => break,
            }
        }
        out
    }

    /// Adds an empty section for `profile` after the file's last line that is not blank
    /// (trailing blank lines stay at the end), one blank line after it, and returns it.
    /// Removing it again with that blank line ([`Document::remove_section`]) gives the file
    /// back byte for byte.
    fn append_section(&mut self, kind: FileKind, profile: &str) -> Section {
        let header = match kind {
            FileKind::Config if profile != "default" => format!("[profile {profile}]"),
            _ => format!("[{profile}]"),
        };
        let (at, new) = match self.lines().iter().rposition(|l| l.kind != Kind::Blank) {
            Some(last) => (last + 1, vec![String::new(), header]),
            None => (self.lines().len(), vec![header]),
        };
        let header = at + new.len() - 1;
        self.insert_lines(at, new);
        Section {
            header,
            end: header + 1,
        }
    }

    fn insert_property(&mut self, section: Section, key: &str, value: &str) {
        let last = (section.header + 1..section.end)
            .rev()
            .find(|&i| matches!(self.lines()[i].kind, Kind::Property { .. }));
        let at = match last {
            Some(p) => self.continuations(p).last().copied().unwrap_or(p) + 1,
            None => section.header + 1,
        };
        let sep = self.separator(section);
        self.insert_lines(at, vec![format!("{key}{sep}{value}")]);
    }

    /// The spacing around `=` to use for a new key in `section`.
    fn separator(&self, section: Section) -> String {
        let style = |l: &Line| match l.kind {
            Kind::Property { key, value } if value.0 != value.1 => {
                Some(l.text[key.1 as usize..value.0 as usize].to_owned())
            }
            _ => None,
        };
        self.lines()[section.header + 1..section.end]
            .iter()
            .rev()
            .find_map(style)
            .or_else(|| self.lines().iter().find_map(style))
            .unwrap_or_else(|| " = ".to_owned())
    }

    /// Replaces the value on line `at`, keeping key spelling and spacing, and drops the old
    /// value's continuation lines. Comments that were part of the old line go on their own
    /// lines above it (see [`Document::detach_comments`]). Returns how many lines the section
    /// grew by (negative: shrank).
    fn rewrite_value(&mut self, at: usize, value: &str) -> isize {
        let line = &self.lines()[at];
        let Kind::Property { key, value: old } = line.kind else {
            return 0;
        };
        let (key_end, old) = (key.1 as usize, (old.0 as usize, old.1 as usize));
        let text = &line.text;
        let mut head = text[..old.0].to_owned();
        if old.0 == old.1 && !head.ends_with(WHITESPACE) && text[key_end..].starts_with(WHITESPACE)
        {
            head.push(' ');
        }
        let comments = self.detach_comments(at);
        self.lines_mut()[at].text = Cow::Owned(format!("{head}{value}"));
        let doomed = self.continuations(at);
        self.remove_lines(&doomed);
        self.reclassify(at, at + 1);
        let added = comments.len();
        self.insert_lines(at, comments);
        added as isize - doomed.len() as isize
    }

    /// Removes the property on line `at` with its continuation lines, keeping its comments on
    /// their own lines where it was.
    fn remove_property(&mut self, at: usize) {
        let comments = self.detach_comments(at);
        let mut doomed = vec![at];
        doomed.extend(self.continuations(at));
        self.remove_lines(&doomed);
        self.insert_lines(at.min(self.lines().len()), comments);
    }

    /// The comments that a change to the property on line `at` must not lose, as full-line
    /// comments: its inline comment (`key = value # note`, which the AWS CLI reads as part of
    /// the value, so it cannot stay on a rewritten line) and its indented comment lines (the
    /// SDK rules read them as part of the value, the AWS CLI as comments: kept, so that
    /// nothing is lost either way).
    fn detach_comments(&self, at: usize) -> Vec<String> {
        let line = &self.lines()[at];
        let mut out = Vec::new();
        if let Kind::Property { value, .. } = line.kind {
            let tail = line.text[value.1 as usize..].trim_matches(WHITESPACE);
            if !tail.is_empty() {
                out.push(tail.to_owned());
            }
        }
        for i in self.continuations(at) {
            let text = self.lines()[i].text.trim_matches(WHITESPACE);
            if text.starts_with(['#', ';']) {
                out.push(text.to_owned());
            }
        }
        out
    }

    /// Inserts lines before index `at`, with the file's line ending. Appending to a file whose
    /// last line has no newline gives that line one and leaves the new last line without.
    fn insert_lines(&mut self, at: usize, texts: Vec<String>) {
        if texts.is_empty() {
            return;
        }
        let eol = self.eol();
        let mut new: Vec<Line> = texts
            .into_iter()
            .map(|text| Line {
                text: Cow::Owned(text),
                eol,
                kind: Kind::Blank,
            })
            .collect();
        if at == self.lines().len()
            && let Some(last) = self.lines_mut().last_mut()
            && last.eol == Eol::None
        {
            last.eol = eol;
            if let Some(l) = new.last_mut() {
                l.eol = Eol::None;
            }
        }
        let count = new.len();
        self.lines_mut().splice(at..at, new);
        self.reclassify(at, at + count);
    }

    /// Removes the lines at `indices` (in ascending order). When the old last line had no
    /// newline, neither has the new one.
    fn remove_lines(&mut self, indices: &[usize]) {
        let (Some(&first), Some(&last)) = (indices.first(), indices.last()) else {
            return;
        };
        let lost_final =
            last == self.lines().len() - 1 && self.lines().last().map(|l| l.eol) == Some(Eol::None);
        let mut i = 0;
        let mut next = indices.iter().peekable();
        self.lines_mut().retain(|_| {
            let doomed = next.peek() == Some(&&i);
            if doomed {
                next.next();
            }
            i += 1;
            !doomed
        });
        if lost_final && let Some(l) = self.lines_mut().last_mut() {
            l.eol = Eol::None;
        }
        self.reclassify(first, first);
    }

    /// Classifies lines again after a change to lines `from..to`: a change can alter how the
    /// lines after it read, up to the next section header, where the parser's state resets.
    fn reclassify(&mut self, from: usize, to: usize) {
        let start = (0..from.min(self.lines().len()))
            .rev()
            .find(|&i| matches!(self.lines()[i].kind, Kind::Header { .. }));
        let mut state = match start {
            Some(_) => State::SECTION_START,
            None => State::START,
        };
        let begin = start.map_or(0, |h| h + 1);
        for i in begin..self.lines().len() {
            let line = &mut self.lines_mut()[i];
            line.kind = parse::classify_line(&line.text, &mut state);
            if i >= to && matches!(line.kind, Kind::Header { .. }) {
                break;
            }
        }
    }
}

fn check_name(profile: &str) -> Result<(), EditError> {
    if parse::is_identifier(profile) {
        Ok(())
    } else {
        Err(EditError::BadName {
            profile: profile.to_owned(),
        })
    }
}

fn check_key(key: &str) -> Result<(), EditError> {
    if parse::is_identifier(key) {
        Ok(())
    } else {
        Err(EditError::BadKey {
            key: key.to_owned(),
        })
    }
}

/// Checks that `rendered` reads back as `before` with `changes` applied, and nothing else
/// changed: the profiles the changes name must read exactly as intended, every other profile
/// and section exactly as before.
pub fn verify(
    changes: &[Change],
    kind: FileKind,
    before: &ProfileSet<'_>,
    rendered: &str,
) -> Result<(), EditError> {
    let reparsed = Document::parse(rendered);
    let after = reparsed.view(kind).map_err(EditError::Parse)?;
    let changed: BTreeSet<&str> = changes.iter().map(Change::profile).collect();
    let fail = |profile: &str| {
        Err(EditError::Verify {
            profile: profile.to_owned(),
        })
    };
    if after.sso_sessions != before.sso_sessions || after.other != before.other {
        return fail("");
    }
    for (name, props) in &before.profiles {
        if !changed.contains(name.as_ref()) && after.profiles.get(name) != Some(props) {
            return fail(name);
        }
    }
    for name in after.profiles.keys() {
        if !changed.contains(name.as_ref()) && !before.profiles.contains_key(name) {
            return fail(name);
        }
    }
    for name in changed {
        let mut expected = before.profiles.get(name).cloned();
        for change in changes.iter().filter(|c| c.profile() == name) {
            change.apply(&mut expected);
        }
        if after.profiles.get(name) != expected.as_ref() {
            return fail(name);
        }
    }
    Ok(())
}

impl Change {
    /// The profile this change is about.
    fn profile(&self) -> &str {
        match self {
            Change::Set { profile, .. }
            | Change::Remove { profile, .. }
            | Change::RemoveSection { profile } => profile,
        }
    }

    /// Applies what this change meant to the properties of its profile (`None`: no section).
    fn apply(&self, props: &mut Option<Properties<'_>>) {
        match self {
            Change::Set { pairs, .. } => {
                let props = props.get_or_insert_with(Properties::new);
                for (k, v) in pairs {
                    props.insert(Cow::Owned(k.clone()), Cow::Owned(v.clone()));
                }
            }
            Change::Remove { keys, .. } => {
                if let Some(props) = props {
                    for k in keys {
                        props.remove(k.as_str());
                    }
                }
            }
            Change::RemoveSection { .. } => *props = None,
        }
    }
}
