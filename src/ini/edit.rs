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

use super::document_mut::{Change, DocumentMut};
use super::error::EditError;
use super::names::FileKind;
use super::parse::{self, Kind, WHITESPACE};
use super::read::Read;
use super::view::ProfileSet;

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

impl<'a> DocumentMut<'a> {
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
    /// [`DocumentMut::set`]. Without an `old` line this is [`DocumentMut::set`]. Swapping two keys
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

    /// Checks that `rendered` (this document's [`DocumentMut::render`]) reads back as `before`
    /// with every edit made since parsing applied, and nothing else changed.
    pub fn verify(
        &self,
        kind: FileKind,
        before: &ProfileSet<'_>,
        rendered: &str,
    ) -> Result<(), EditError> {
        super::verify::verify(&self.changes, kind, before, rendered)
    }

    /// The edits made since parsing, giving up the document.
    pub fn into_changes(self) -> Vec<Change> {
        self.changes
    }

    /// The edits made since parsing.
    pub fn changes(&self) -> &[Change] {
        &self.changes
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
