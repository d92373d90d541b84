//! Where edited lines go, line by line: the lines a section owns, a new property's place and
//! spacing, rewriting a value, keeping comments, inserting and removing lines (the rules are
//! in the docs of the edit module).

use std::borrow::Cow;

use super::document_mut::DocumentMut;
use super::names::FileKind;
use super::names::Section;
use super::parse::{self, Eol, Kind, Line, State, WHITESPACE};

impl<'a> DocumentMut<'a> {
    /// Index after the last line `section` owns (see the module doc).
    pub(super) fn own_end(&self, section: Section) -> usize {
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
    pub(super) fn property_lines(&self, section: Section, keys: &[&str]) -> Vec<usize> {
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
    pub(super) fn continuations(&self, at: usize) -> Vec<usize> {
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
    /// Removing it again with that blank line ([`DocumentMut::remove_section`]) gives the file
    /// back byte for byte.
    pub(super) fn append_section(&mut self, kind: FileKind, profile: &str) -> Section {
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

    pub(super) fn insert_property(&mut self, section: Section, key: &str, value: &str) {
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
    pub(super) fn separator(&self, section: Section) -> String {
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
    /// lines above it (see [`DocumentMut::detach_comments`]). Returns how many lines the section
    /// grew by (negative: shrank).
    pub(super) fn rewrite_value(&mut self, at: usize, value: &str) -> isize {
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
    pub(super) fn remove_property(&mut self, at: usize) {
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
    pub(super) fn detach_comments(&self, at: usize) -> Vec<String> {
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
    pub(super) fn insert_lines(&mut self, at: usize, texts: Vec<String>) {
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
    pub(super) fn remove_lines(&mut self, indices: &[usize]) {
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
    pub(super) fn reclassify(&mut self, from: usize, to: usize) {
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
