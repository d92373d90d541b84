//! A change to a file: read under the lock until it settles and passes the tests of what the
//! run first read, edited, verified, put in place, and made again on what late writers wrote
//! (the module docs of [`super`] say the promise).

use std::fs::File;
use std::path::Path;
use std::time::{Duration, Instant};

use super::check::{check_line_ends, check_replaceable, edit_error};
use super::paths::{exists, parent, resolve_for_writing};
use super::read::{self, Snapshot, Stamp};
use super::replace::{self, NotPlaced, Sweep};
use super::{LATE_WRITER_WATCH, lock, platform};
use crate::error::Error;
use crate::ini::Read as _;
use crate::ini::{self, Document, DocumentMut, FileKind};
use crate::timeouts::Timeouts;

/// How many times a change is made again after catching a writer in the act.
const MERGE_ROUNDS: usize = 5;

/// What a run read before taking the lock, and the sections it relies on: the reference that
/// the text found under the lock is tested against (see the module docs).
#[derive(Debug, Default)]
pub struct Baseline<'a> {
    first: Option<&'a str>,
    first_parses: bool,
    /// Sections the run relies on, with their bytes as first read.
    relied: Vec<(String, Option<String>)>,
}

impl<'a> Baseline<'a> {
    /// The file as first read (`None` when it did not exist), relying on `sections` (plain
    /// `[name]` sections of a file of `kind`) staying as they are.
    pub fn new(first: Option<&'a str>, kind: FileKind, sections: &[&str]) -> Baseline<'a> {
        let doc = Document::parse(first.unwrap_or_default());
        Baseline {
            first,
            first_parses: doc.check().is_ok(),
            relied: sections
                .iter()
                .map(|s| ((*s).to_owned(), doc.section_text(kind, s)))
                .collect(),
        }
    }

    /// Why `now` (the text read under the lock, parsed as `doc`) must not be written over, if
    /// it must not.
    fn problem(&self, now: &str, doc: &Document<'_>, kind: FileKind) -> Option<String> {
        let first = self.first.unwrap_or_default();
        let blank = |t: &str| t.trim().is_empty();
        if blank(now) && !blank(first) {
            return Some("it is empty now".into());
        }
        if self.first_parses
            && let Err(e) = doc.check()
        {
            return Some(format!(
                "line {} cannot be read now ({})",
                e.line, e.message
            ));
        }
        if now.len() < first.len() && first.starts_with(now) && !now.ends_with('\n') {
            return Some("it ends in the middle of a line now".into());
        }
        for (section, bytes) in &self.relied {
            if let Some(bytes) = bytes
                && doc.section_text(kind, section).as_ref() != Some(bytes)
            {
                return Some(format!("[{section}] is no longer as it was"));
            }
        }
        None
    }
}

/// What [`update`] did to the file.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Outcome {
    /// The edit changed nothing, so nothing was written.
    Unchanged,
    /// The file was replaced.
    Written,
    /// The file did not exist and was created.
    Created,
}

/// The result of [`update`]: what the edit returned, what happened to the file, and what the
/// user should be told.
#[derive(Debug)]
pub struct Updated<T> {
    /// What the edit returned, from the round that was written.
    pub value: T,
    /// Whether the file was replaced.
    pub outcome: Outcome,
    /// Things that went wrong after the new file was in place (it stays in place).
    pub warnings: Vec<String>,
    /// How many times another program's change to the file was caught and merged.
    pub merged: usize,
}

/// Applies `edit` to the file at `path` as it is under the lock, verifies and writes it,
/// keeping the promise of the module docs against `baseline`. `edit` sees the current
/// document and returns what the caller wants to know about it; an error from `edit` leaves
/// the file untouched. `edit` may run more than once: on an empty document first when the
/// directory does not exist yet, and again on the new text when another writer was caught.
pub fn update<T>(
    path: &Path,
    kind: FileKind,
    timeouts: &Timeouts,
    baseline: &Baseline<'_>,
    mut edit: impl FnMut(&mut DocumentMut<'_>) -> Result<T, Error>,
) -> Result<Updated<T>, Error> {
    let target = resolve_for_writing(path)?;
    check_replaceable(path, &target)?;
    let dir = parent(&target);
    if !exists(&dir)? {
        // Nothing to lock or read yet: create the directory only if the edit changes something.
        let mut empty = DocumentMut::parse("");
        let value = edit(&mut empty)?;
        if empty.render().is_empty() {
            return Ok(Updated {
                value,
                outcome: Outcome::Unchanged,
                warnings: Vec::new(),
                merged: 0,
            });
        }
        lock::create_dir(&dir)?;
    }
    let _lock = lock::lock(&target, timeouts.lock)?;
    replace::remove_temp_files(&target, Sweep::All);
    let settle = Settle {
        shown: path,
        target: &target,
        kind,
        baseline,
        deadline: Instant::now() + timeouts.settle,
        waited: timeouts.settle,
    };
    let mut base = Base::at_path(settle.read()?);
    let mut warnings = Vec::new();
    let mut merged = 0;
    let mut written = false;
    // Rounds after catching a writer in the replaced file; a file changed before the rename is
    // built again until the deadline.
    let mut late_rounds = 0;
    while late_rounds <= MERGE_ROUNDS {
        let read = Document::parse(&base.text);
        check_line_ends(path, &read)?;
        let before = read.view(kind).map_err(|e| Error::Parse {
            path: path.to_path_buf(),
            line: e.line,
            message: e.message,
        })?;
        let mut doc = read.into_mut();
        let value = edit(&mut doc)?;
        let rendered = doc.render();
        if base.is_at_path && rendered == base.text {
            return Ok(Updated {
                value,
                outcome: Outcome::Unchanged,
                warnings,
                merged,
            });
        }
        // The edited lines are no longer needed: free them before the result is read back.
        let changes = doc.into_changes();
        ini::verify(&changes, kind, &before, &rendered).map_err(|e| edit_error(path, e))?;
        let like = base.replaced.as_ref().and_then(|r| r.file.metadata().ok());
        let temp = replace::write_temp(&target, rendered.as_bytes(), like.as_ref())?;
        let ours = temp.stamp;
        // Just before the rename: the path must still hold what the text was built from.
        match replace::put_in_place(temp, &target, base.expected) {
            Ok(()) => {}
            Err(NotPlaced::Moved) => {
                if Instant::now() >= settle.deadline {
                    break;
                }
                merged += 1;
                base = Base::at_path(settle.read()?);
                continue;
            }
            Err(NotPlaced::Failed(e)) => return Err(e),
        }
        written = true;
        warnings.extend(replace::sync_dir(&target));
        let outcome = match base.expected {
            None => Outcome::Created,
            Some(_) => Outcome::Written,
        };
        // A writer that had the replaced file open may write into it after the rename.
        let late = match &base.replaced {
            Some(replaced) => replaced.late_writes(base.held(), path)?,
            None => None,
        };
        let Some(theirs) = late else {
            return Ok(Updated {
                value,
                outcome,
                warnings,
                merged,
            });
        };
        merged += 1;
        late_rounds += 1;
        let now = settle.read()?;
        let untouched = now.file.as_ref().map(|(_, s)| *s) == Some(ours);
        let appended = theirs.strip_prefix(base.held()).map(str::to_owned);
        base = match (appended, untouched) {
            // Lines added at the end (an appender, or a writer that adds a section) while
            // nobody changed the path: added to what this round was built from, and the edit
            // made again on that.
            (Some(appended), true) => {
                let mut text = base.text;
                push_lines(&mut text, &appended);
                Base::after_late_writer(text, now, rendered)
            }
            // ... and when the path changed too: added to what it holds now.
            (Some(appended), false) => {
                let mut next = Base::at_path(now);
                next.append(&appended);
                next
            }
            // A rewrite, and nobody changed the path since the rename: it is the newest text.
            (None, true) => Base::after_late_writer(theirs, now, rendered),
            (None, false) => {
                warnings.push(format!(
                    "another program rewrote {} while stsmfa replaced it, and another change \
                     replaced that: check the file, the first program's change may have to be \
                     made again",
                    path.display()
                ));
                Base::at_path(now)
            }
        };
    }
    Err(Error::Unsettled {
        path: path.to_path_buf(),
        what: format!(
            "another program kept writing it ({merged} times in {} s)",
            timeouts.settle.as_secs()
        ),
        written,
        seconds: timeouts.settle.as_secs(),
    })
}

/// What a round of [`update`] builds on: the text to edit, what the path must still hold for
/// the new file to replace it, and the file it replaces (to catch late writers in).
struct Base {
    text: String,
    /// The stamp the path must have at the rename (`None`: the path must still be empty).
    expected: Option<Stamp>,
    replaced: Option<Replaced>,
    /// Whether `text` is what is at the path (so an edit that changes nothing needs no write).
    is_at_path: bool,
}

/// The file a new one replaces, kept open, and what it held when read (`None`: the text of the
/// round).
struct Replaced {
    file: File,
    held: Option<String>,
}

impl Base {
    fn at_path(snap: Snapshot) -> Base {
        Base {
            expected: snap.file.as_ref().map(|(_, s)| *s),
            replaced: snap.file.map(|(file, _)| Replaced { file, held: None }),
            text: snap.text,
            is_at_path: true,
        }
    }

    /// After a late writer: `text` (theirs, or what this round was built from plus what they
    /// appended) is built on, to replace `ours` (the file at the path, which holds `rendered`).
    fn after_late_writer(text: String, ours: Snapshot, rendered: String) -> Base {
        Base {
            text,
            expected: ours.file.as_ref().map(|(_, s)| *s),
            replaced: ours.file.map(|(file, _)| Replaced {
                file,
                held: Some(rendered),
            }),
            is_at_path: false,
        }
    }

    /// What the file to be replaced held when it was read.
    fn held(&self) -> &str {
        match self.replaced.as_ref().and_then(|r| r.held.as_deref()) {
            Some(held) => held,
            None => &self.text,
        }
    }

    /// Adds lines another program appended (to the file this one replaced) at the end.
    fn append(&mut self, appended: &str) {
        if appended.is_empty() {
            return;
        }
        if let Some(r) = self.replaced.as_mut()
            && r.held.is_none()
        {
            r.held = Some(self.text.clone());
        }
        push_lines(&mut self.text, appended);
        self.is_at_path = false;
    }
}

/// Adds `lines` at the end of `text`, on a line of their own.
fn push_lines(text: &mut String, lines: &str) {
    if !text.is_empty() && !text.ends_with('\n') && !lines.starts_with('\n') {
        text.push('\n');
    }
    text.push_str(lines);
}

impl Replaced {
    /// What a writer that still had this file open wrote into it after it was replaced: its
    /// text when it no longer holds `held`. Waits, at most [`LATE_WRITER_WATCH`], for writers
    /// that still have it open to close it. A file that can no longer be read has nothing to
    /// merge; one that is not UTF-8 now is an error.
    fn late_writes(&self, held: &str, shown: &Path) -> Result<Option<String>, Error> {
        let until = Instant::now() + LATE_WRITER_WATCH;
        while platform::open_for_writing_elsewhere(&self.file) == Some(true)
            && Instant::now() < until
        {
            std::thread::sleep(read::POLL);
        }
        match read::read_from_start(&self.file) {
            Ok(now) if now != held.as_bytes() => read::utf8(shown, now).map(Some),
            _ => Ok(None),
        }
    }
}

/// Reading the file under the lock until it settles (see [`read::snapshot`]) and passes the
/// tests of the baseline, until one deadline for the whole change.
struct Settle<'a> {
    shown: &'a Path,
    target: &'a Path,
    kind: FileKind,
    baseline: &'a Baseline<'a>,
    deadline: Instant,
    /// The settle timeout the deadline was set from, to say in an error.
    waited: Duration,
}

impl Settle<'_> {
    fn read(&self) -> Result<Snapshot, Error> {
        loop {
            let snap = read::snapshot(self.shown, self.target)?;
            let problem = match snap.unsettled {
                Some(what) => Some(what.to_owned()),
                None => {
                    let doc = Document::parse(&snap.text);
                    self.baseline.problem(&snap.text, &doc, self.kind)
                }
            };
            let Some(what) = problem else {
                return Ok(snap);
            };
            if Instant::now() >= self.deadline {
                return Err(Error::Unsettled {
                    path: self.shown.to_path_buf(),
                    what,
                    written: false,
                    seconds: self.waited.as_secs(),
                });
            }
            std::thread::sleep(read::POLL);
        }
    }
}
